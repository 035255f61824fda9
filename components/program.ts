// The rekey Pulumi program: configuration -> plan -> schedule -> resources. Every step and
// what it waits for comes from the schedule (components/plan/schedule.ts); this module maps
// each step to its resource and computes the values (fingerprints, the previous value's
// record). Nothing here reads the clock or draws randomness.
import * as aws from "@pulumi/aws";
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { fingerprint, keyedHex, proofFingerprint } from "./fingerprint";
import { RekeyEpochError, adoptChangedReason, adoptedDeployed, previousAfter, readBackDue, restoring } from "./plan/deployed";
import { ConfigProblem, PlannedSecret, PlannedVerify, RotationPlan, StoreKind, Variant } from "./plan/plan";
import { DeployedState, DeployedValue, RotationRecord, rotationRecord } from "./plan/record";
import { proofRecords } from "./plan/proofRecord";
import { ConsumerRunStep, HookStep, ReadBackStep, StepId, StoreStep, heldValue, schedule } from "./plan/schedule";
import { registrationOrder } from "./plan/registrationOrder";
import { RotatedSecret } from "./rotatedSecret";
import { completion } from "./steps";
import type { HostTarget } from "./commands/hostCommand";
import { Scope, nested, topLevel } from "./scope";
import { awsProviderName } from "./plan/resourceNames";
import { asRunError } from "./runError";
import { applyAll, asOutput, knownValue, outputOfRecord } from "./outputValues";
import type { StoreComponent, StoreDeployContext } from "./stores";
import type { ReadBackContext } from "./stores/readBack";
import type { SecretValues } from "./stores/values";
import { steps } from "./stepModules";

export interface ProgramInputs {
    plan: RotationPlan;
    supplied: Map<string, pulumi.Output<string>>;
    hostKeys: Map<string, pulumi.Output<string>>;
    /** The stack's last completed rotation (null: a first deployment). */
    deployed: DeployedState;
    /** Names, parent and providers of the Rotation deploying this plan. */
    scope: Scope;
}

export interface DeployedRotation {
    secrets: Map<string, RotatedSecret>;
    rotation: pulumi.Output<Record<string, RotationRecord>>;
    /** Each secret's entry of `rotation`, resolved once that secret's rotation completed. */
    records: Map<string, pulumi.Output<RotationRecord>>;
    /** Passwords behind htpasswd secrets (secret; empty when there are none). */
    credentials: pulumi.Output<Record<string, string>>;
}

export const FINGERPRINT_KEY_NAME = "rekey-fingerprint-key";

export async function deployRotation({ plan, supplied, hostKeys, deployed, scope }: ProgramInputs): Promise<DeployedRotation> {
    // The HMAC key of every fingerprint. Never re-keyed: fingerprints stay comparable
    // across rotations.
    const key = topLevel(scope, "fingerprint-key", FINGERPRINT_KEY_NAME);
    const fingerprintKey = new random.RandomPassword(key.name, { length: 64, special: false }, key.opts);
    // One Output each (pulumi.unsecret(pulumi.all([key, v]).apply(f)) makes seven): outputValues.ts applyAll.
    const underKey = (value: pulumi.Output<string>, f: (key: string, v: string) => string, secret: boolean) =>
        applyAll([fingerprintKey.result, value], ([key, v]) => f(key, v), secret);
    const keyed = (value: pulumi.Output<string>) => underKey(value, fingerprint, false);
    const byName = new Map(plan.secrets.map((s) => [s.name, s]));
    // Each secret's component, made when first asked for (a derived secret after its inputs):
    // the steps are registered longest chain first (below), each with the secrets it uses, so
    // the first operations start while the rest of the program is still being built.
    const secrets = onDemand(byName, (s): RotatedSecret => {
        const inputs =
            s.source.kind === "derive"
                ? Object.fromEntries(s.source.inputs.map((n) => [n, secrets.get(n)!.value]))
                : undefined;
        const at = topLevel(scope, s.name);
        const keepAdopted = adoptedDeployed(s, deployed) !== null;
        return new RotatedSecret(at.name, { plan: s, supplied: supplied.get(s.name), inputs, keepAdopted }, at.opts);
    });
    const values = onDemand(byName, (s) => valuesOf(s, secrets.get(s.name)!, keyed));
    // The secrets whose values are checked come first, before anything uses a value.
    await checkRestores(plan, deployed, values, secrets, (name) => keyed(pulumi.secret(supplied.get(name)!)));
    /** What the previous value is now, in terms of what was deployed (null without keepPrevious). */
    // Without keepPrevious there is none: a plain null, not two Outputs per secret (issue 26).
    const previousNow = onDemand(byName, (s): pulumi.Input<DeployedValue | null> =>
        // The previous slot's value (at an incident, what the stores call previous is the new value).
        // An issued secret's previous slot exists whether or not it is published: its record keeps the slot's epoch and round
        // (none at an incident of an issued kind revoked by removal: its leaked slot is not registered).
        ((previous) =>
            previous && (s.keepPrevious || s.source.kind === "issue")
                ? keyed(previous).apply((f): DeployedValue | null => previousAfter(deployed?.get(s.name), f))
                : previousAfter(deployed?.get(s.name), null))(secrets.get(s.name)!.previous),
    );
    const hostTarget = hostTargets(plan, hostKeys);
    const saltOf = (label: string, value: pulumi.Output<string>) =>
        underKey(value, (key, v) => keyedHex(key, `rekey:${label}:${v}`), true);
    const storeContext = storeDeployContext(plan, values, hostTarget, scope);
    const readBackContext: ReadBackContext = {
        ...storeContext,
        keyed,
        checkKey: (group) => saltOf(`read-back:${group}`, pulumi.output("")),
        proveAt: plan.proveAt,
        due: (w, label) => {
            const fp = values.get(w.secret.name)!.fingerprint;
            return applyAll([fp(w.variant), fp("current")], ([written, current]) => readBackDue(deployed?.get(w.secret.name), label, w.variant, { written, current }, plan.proveAt));
        },
    };
    // Each step of the schedule as one resource that depends on the resources of what it
    // waits for. A resource is registered only once those in its dependsOn are (@pulumi/pulumi
    // runtime/resource.js prepareResource), and the engine answers a registration only once
    // its step finished (pkg/resource/deploy/source_eval.go RegisterResource, see steps.ts):
    // so each step runs after every step it waits for. The steps are made longest chain first
    // (plan/registrationOrder.ts, each still after what it waits for), and the program yields
    // to the event loop after each, so that its registration goes out (the SDK sends it once
    // its inputs resolve) and the engine runs it while the program builds the next ones:
    // built in one go, nothing reached the engine before the last resource was constructed.
    const plannedSteps = schedule(plan);
    const made = new Map<StepId, pulumi.Resource>();
    const after = (ids: readonly StepId[]) => ids.map((id) => made.get(id)!);
    for (const step of registrationOrder(plannedSteps)) {
        const dependsOn = after(step.waitsFor);
        switch (step.kind) {
            case "hook":
                made.set(step.id, deployHook(step, byName.get(step.secret)!, secrets, values, previousNow, saltOf, hostTarget, scope.prefix));
                break;
            case "store":
                made.set(step.id, deployStore(step, secrets, storeContext, scope, dependsOn));
                break;
            case "readBack":
                made.set(step.id, deployReadBack(step, made.get(step.waitsFor[0])!, readBackContext, secrets, scope, dependsOn));
                break;
            case "revoke":
                made.set(step.id, steps.revoke().deployRevoke(step, byName.get(step.secret)!, secrets, values.get(step.secret)!.fingerprint("current"), scope.prefix, dependsOn));
                break;
            case "restart":
            case "verify":
                made.set(step.id, deployConsumerStep(step, plan, values, hostTarget, scope, dependsOn));
                break;
        }
        await new Promise((resolve) => setImmediate(resolve));
    }
    // Then the secrets no step uses, in plan order.
    for (const s of plan.secrets) secrets.get(s.name);
    const credentials: Record<string, pulumi.Output<string>> = {};
    for (const s of plan.secrets) {
        const password = secrets.get(s.name)!.password;
        if (password) credentials[s.name] = password;
    }

    // An issued secret's leaked slot resolves its previous value once its revocation registered it.
    for (const s of plan.secrets) {
        if (secrets.get(s.name)!.revokeLeaked && !plannedSteps.revokes.some((r) => r.secret === s.name && r.action.kind === "issuedRevoke")) {
            throw new Error(`${s.name}: the schedule has no revocation for the leaked issued credential`);
        }
    }

    // Each record waits for every step of its secret's rotation; a failed or skipped step
    // leaves it unresolved, and the engine then keeps the stack's previous outputs
    // (pkg/resource/deploy/step_executor.go executeRegisterResourceOutputs: on an errored
    // deployment, old stack outputs are kept and only new ones are overlaid).
    const records: Record<string, pulumi.Output<RotationRecord>> = {};
    const proofs = proofRecords(plan, plannedSteps);
    for (const r of plannedSteps.records) {
        const s = byName.get(r.secret)!;
        const done = completion(after(r.waitsFor));
        const fingerprint = values.get(s.name)!.fingerprint("current");
        const previous = previousNow.get(s.name)!;
        const proof = proofs.get(s.name)!;
        // With nothing to wait for and no previous value, one apply: pulumi.all makes an Output of each element.
        records[s.name] =
            done === true && !pulumi.Output.isInstance(previous)
                ? fingerprint.apply((fp) => rotationRecord(s, fp, previous as DeployedValue | null, proof))
                : applyAll([asOutput(done), fingerprint, asOutput(previous)], ([, fp, p]) => rotationRecord(s, fp, p, proof));
    }
    return {
        secrets: new Map(plan.secrets.map((s) => [s.name, secrets.get(s.name)!])),
        records: new Map(Object.entries(records)),
        // One Output (pulumi.output makes two more per record): outputValues.ts outputOfRecord.
        rotation: outputOfRecord(records),
        credentials: pulumi.secret(pulumi.output(credentials)),
    };
}

/**
 * A rollback's value must be exactly the deployed previous value. The check before
 * anything is registered (epochProblems) reads the deployed record; a failed `pulumi up`
 * since then may still have re-keyed that generator, which only its fingerprint shows. So
 * the program waits for the fingerprints of the values it restores, after registering their
 * generators (made here, on first use: the other secrets come with the steps) and before
 * anything that uses a value. In a preview a replaced generator's
 * value is unknown: the check then runs in `pulumi up`.
 *
 * Likewise an adopted value: `adopt` says rekey:supplied holds the value in use, and once the
 * stack deployed it adopted at this epoch, a different value there under the same claim is
 * one no service runs with, which would be written with no hook and no restart. Its
 * fingerprint (of rekey:supplied, not of the holder: a generated secret's holder keeps the
 * deployed value, rotatedSecret.ts `keepAdopted`) must be the deployed record's.
 */
async function checkRestores(
    plan: RotationPlan,
    deployed: DeployedState,
    values: Map<string, SecretValues>,
    secrets: Map<string, RotatedSecret>,
    suppliedFingerprint: (name: string) => pulumi.Output<string>,
): Promise<void> {
    const problems: ConfigProblem[] = [];
    for (const s of plan.secrets) {
        const adopted = adoptedDeployed(s, deployed);
        if (!adopted) continue;
        const fp = await knownValue(suppliedFingerprint(s.name));
        if (fp !== undefined && fp !== adopted.fingerprint) {
            problems.push({
                subject: `secret ${s.name}`,
                field: "adopt",
                reason: adoptChangedReason(s.name, adopted.epoch),
            });
        }
    }
    for (const s of plan.secrets) {
        // An adopted value the state should hold (the configuration no longer carries it)
        // but does not: its holder was lost, or never deployed. (Only a generated secret with
        // an adopted slot has a holder, rotatedSecret.ts: the others are not made here.)
        if (s.source.kind !== "generate" || !s.slots.some((slot) => slot.adopted)) continue;
        const held = secrets.get(s.name)!.adopted;
        if (held && (await knownValue(held)) === "") {
            problems.push({
                subject: `secret ${s.name}`,
                field: "adopt",
                reason: `epoch 0's value was adopted, and this stack's state no longer holds it (the first pulumi up with adopt: true puts it there): set epoch 0 with adopt: true and the value in rekey:supplied.${s.name} to adopt it again, or bump for a fresh value`,
            });
        }
    }
    for (const s of plan.secrets) {
        const restore = restoring(s, deployed);
        if (!restore) continue;
        const fp = await knownValue(values.get(s.name)!.fingerprint("current"));
        if (fp !== undefined && fp !== restore.fingerprint) {
            problems.push({
                subject: `secret ${s.name}`,
                field: "epoch",
                reason: `the rollback to epoch ${restore.epoch} cannot restore that epoch's value: a failed pulumi up since replaced it. Set epoch back to ${restore.epoch + 1}, or bump to ${restore.epoch + 2} for a fresh value`,
            });
        }
    }
    if (problems.length) throw asRunError(new RekeyEpochError(problems));
}


/**
 * What a proof verify expects (docs/proof.md): each proved secret's fingerprint under the
 * current value of the proof key, as a secret. The current value, also when the key rotates
 * in this `pulumi up`: the key is one of the consumer's restart triggers, so the service
 * restarted with the new key and proves under it; one that kept running fails the proof.
 */
export function proofExpected(verify: PlannedVerify, values: Map<string, SecretValues>): pulumi.Output<Record<string, string>> | undefined {
    if (verify.kind !== "url" || !verify.proof) return undefined;
    const { key, secrets } = verify.proof;
    const current = secrets.map((n) => values.get(n)!.of("current"));
    return pulumi.secret(
        pulumi.all([values.get(key)!.of("current"), ...current]).apply(([k, ...vs]) => Object.fromEntries(secrets.map((n, i) => [n, proofFingerprint(k, n, vs[i])]))),
    );
}

function valuesOf(
    s: PlannedSecret,
    secret: RotatedSecret,
    keyed: (v: pulumi.Output<string>) => pulumi.Output<string>,
): SecretValues {
    const cache = new Map<Variant, pulumi.Output<string>>();
    const of = (variant: Variant): pulumi.Output<string> => {
        switch (variant) {
            case "current":
                return secret.value;
            case "previous":
                // What the previous slot holds (at an incident, the current value): the schedule says.
                if (heldValue(s, "previous") === "current") return secret.value;
                if (!secret.previous) throw new Error(`${s.name} has no previous value`);
                return secret.previous;
            case "user":
                if (!s.user) throw new Error(`${s.name} has no user`);
                return pulumi.secret(s.user);
            case "id":
                if (!secret.id) throw new Error(`${s.name} has no id`);
                return secret.id;
            case "previousId":
                if (heldValue(s, "previousId") === "id") return of("id");
                if (!secret.previousId) throw new Error(`${s.name} has no previous id`);
                return secret.previousId;
        }
    };
    const fp = (variant: Variant) => {
        if (!cache.has(variant)) cache.set(variant, keyed(of(variant)));
        return cache.get(variant)!;
    };
    return { of, fingerprint: fp };
}

/**
 * A map of one value per secret of the plan, made on first `get` (the others are as a Map's):
 * so that what a step uses is made when the step is, in the steps' order.
 */
function onDemand<V>(byName: ReadonlyMap<string, PlannedSecret>, make: (s: PlannedSecret) => V): Map<string, V> {
    const out = new Map<string, V>();
    const get = out.get.bind(out);
    out.get = (name: string) => {
        const s = byName.get(name);
        if (s && !out.has(name)) out.set(name, make(s));
        return get(name);
    };
    return out;
}

type HostTargets = (name: string | null) => HostTarget;

function hostTargets(plan: RotationPlan, hostKeys: Map<string, pulumi.Output<string>>): HostTargets {
    const hosts = new Map(plan.hosts.map((h) => [h.name, h]));
    return (name) => (name === null ? { host: null } : { host: hosts.get(name)!, privateKey: hostKeys.get(name) });
}

/** An apply hook: it puts the new credential where it is checked, first. */
function deployHook(
    step: HookStep,
    s: PlannedSecret,
    secrets: Map<string, RotatedSecret>,
    values: Map<string, SecretValues>,
    previousNow: Map<string, pulumi.Input<DeployedValue | null>>,
    saltOf: (label: string, value: pulumi.Output<string>) => pulumi.Output<string>,
    hostTarget: HostTargets,
    prefix: string,
): pulumi.Resource {
    const apply = step.apply;
    const secret = secrets.get(s.name)!;
    // Named after the secret, so the engine derives their 0.1 names from the secret's.
    const opts = { parent: secret };
    const admin = (name: string | null) => steps.revoke().adminPassword(secrets, name);
    switch (apply.kind) {
        case "postgres":
            return new (steps.postgres().PostgresPassword)(`${prefix}${s.name}-postgres`, { secret: s, apply, value: secret.value, salt: saltOf("scram-salt", secret.value), adminPassword: admin(apply.adminPasswordSecret), prefix }, opts);
        case "redis":
            return new (steps.redis().RedisAclPassword)(`${prefix}${s.name}-redis`, { apply, value: secret.value, adminPassword: admin(apply.adminPasswordSecret), prefix }, opts);
        case "mysql":
            return new (steps.mysql().MysqlPassword)(`${prefix}${s.name}-mysql`, { apply, value: secret.value, incident: s.incident !== null, adminPassword: admin(apply.adminPasswordSecret), prefix }, opts);
        case "command": {
            const v = values.get(s.name)!;
            const args = {
                secret: s,
                apply,
                value: secret.value,
                previous: secret.previous!,
                initial: pulumi.output(previousNow.get(s.name)!).apply((p) => (p === null ? "1" : "0")),
                triggers: [v.fingerprint("current"), v.fingerprint(step.previousTrigger)],
                host: hostTarget(apply.host),
                prefix,
            };
            return new (steps.commandHook().CommandHook)(`${prefix}${s.name}-command`, args, opts);
        }
    }
}

/** What every store component is given: the values, hosts and providers (made on first use). */
function storeDeployContext(plan: RotationPlan, values: Map<string, SecretValues>, hostTarget: HostTargets, scope: Scope): StoreDeployContext {
    const awsProviders = new Map<string, aws.Provider>();
    let k8sProvider: k8s.Provider | undefined;
    return {
        values,
        host: hostTarget,
        awsProvider: (region) => {
            if (region === null) return undefined;
            if (!awsProviders.has(region)) {
                const at = topLevel(scope, awsProviderName(region), `rekey-aws-${region}`);
                awsProviders.set(region, new aws.Provider(at.name, { region: region as aws.Region }, at.opts));
            }
            return awsProviders.get(region);
        },
        kubernetesProvider: () => (k8sProvider ??= (scope.providers.kubernetes as k8s.Provider | undefined) ?? steps.kubernetes().kubernetesProvider(plan.kubernetes, scope)),
        prefix: scope.prefix,
        providers: scope.providers,
    };
}

/** One store resource (a group of writes). A store of one secret is its child; a shared Secret or .env file belongs to no one secret and is the Rotation's. */
function deployStore(step: StoreStep, secrets: Map<string, RotatedSecret>, ctx: StoreDeployContext, scope: Scope, dependsOn: pulumi.Resource[]): pulumi.Resource {
    const group = step.group;
    const own = group.shared ? undefined : nested(scope.prefix, group.name);
    const placed = own ? { name: own.name, opts: { parent: secrets.get(step.secrets[0]), aliases: own.aliases } } : topLevel(scope, group.name);
    return (steps.stores().STORE_COMPONENTS[group.kind] as StoreComponent<StoreKind>)({ ...group, name: placed.name }, ctx, { ...placed.opts, dependsOn });
}

/** A store's read-back: its command, placed beside its store (same parent), after it. */
function deployReadBack(step: ReadBackStep, store: pulumi.Resource, ctx: ReadBackContext, secrets: Map<string, RotatedSecret>, scope: Scope, dependsOn: pulumi.Resource[]): pulumi.Resource {
    const group = step.group;
    const parent = group.shared ? scope.parent : secrets.get(step.secrets[0]);
    return steps.readBack().readBack(group, store, ctx, { parent, dependsOn });
}

/**
 * A consumer's restart (its triggers: the label and keyed fingerprint of each secret it
 * reads, never a value; its script names the causes) or its verify.
 */
function deployConsumerStep(step: ConsumerRunStep, plan: RotationPlan, values: Map<string, SecretValues>, hostTarget: HostTargets, scope: Scope, dependsOn: pulumi.Resource[]): pulumi.Resource {
    const { consumer, triggers: read, causes } = step.consumer;
    const at = topLevel(scope, consumer.name);
    const triggers = read.map((t) => values.get(t.secret)!.fingerprint("current").apply((fp) => `${t.label} ${fp}`));
    const common = { triggers, consumer: consumer.name, prefix: scope.prefix };
    const opts = { ...at.opts, dependsOn };
    if (step.kind === "verify") {
        const verify = consumer.verify!;
        const proof = proofExpected(verify, values);
        // A drift check asked for (rekey:defaults.proveAt) replaces a proof verify: it runs again, with no restart.
        const proving = proof && plan.proveAt !== null ? { triggers: [...triggers, pulumi.output(`proveAt ${plan.proveAt}`)] } : {};
        return new (steps.verify().Verify)(at.name, { verify, host: hostTarget(verify.kind === "command" ? verify.host : null), proof, ...common, ...proving }, opts);
    }
    const action = consumer.action;
    const { Restart, commandRestartScript } = steps.restart();
    return action.kind === "kubernetes"
        ? new Restart(at.name, { script: steps.kubernetesRestart().kubernetesRestartScript(action, plan.kubernetes, causes), host: hostTarget(null), ...common }, opts)
        : new Restart(at.name, { script: commandRestartScript(action.command, causes), host: hostTarget(action.host), ...common }, opts);
}
