// The rekey Pulumi program: configuration -> plan -> resources. Everything it creates
// follows from the plan; nothing here reads the clock or draws randomness.
import * as aws from "@pulumi/aws";
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { fingerprint, keyedHex, proofFingerprint } from "./fingerprint";
import { DeployedState, DeployedValue, RekeyEpochError, currentIsAdopted, previousAfter, restoring } from "./plan/deployed";
import { ConfigProblem, PlannedSecret, PlannedVerify, RotationPlan, StoreKind, Variant } from "./plan/plan";
import { consumerDependencies, triggerLabel, valuesInUse } from "./plan/restarts";
import { storeGroups } from "./plan/storeTargets";
import { kubernetesRestartScript } from "./consumers/kubernetes";
import { Restart, commandRestartScript } from "./consumers/restart";
import { Verify } from "./consumers/verify";
import { CommandHook } from "./hooks/command";
import { PostgresPassword } from "./hooks/postgres";
import { RedisAclPassword } from "./hooks/redis";
import { RotatedSecret } from "./rotatedSecret";
import { adminPassword, deployFinalize, deployRevokeFirst, resourcesOf } from "./revoke";
import { completion } from "./steps";
import { HostTarget } from "./commands/hostCommand";
import { Scope, nested, topLevel } from "./scope";
import { awsProviderName } from "./plan/resourceNames";
import { asRunError } from "./runError";
import { knownValue } from "./outputValues";
import { STORE_COMPONENTS, StoreComponent, StoreDeployContext } from "./stores";
import { kubernetesProvider } from "./stores/kubernetes";
import { SecretValues } from "./stores/values";

/**
 * One entry of the `rotation` stack output; contains no secret and is not secret. It
 * resolves only once the secret's whole rotation completed (hooks, stores, restarts,
 * verifies, finalize), so the stack's last outputs record the last completed rotation: the
 * next `pulumi up` reads them back (see readDeployedState).
 */
export interface RotationRecord {
    /** null for derived secrets, whose value follows their inputs. */
    epoch: number | null;
    /** The generator round of the current value, when past the first (a bump back to an epoch rolled back from). */
    round?: number;
    rotatedAt: string | null;
    fingerprint: string;
    /** The deployed value the previous value (keepPrevious) is exactly, which a rollback restores; else null. */
    previous: DeployedValue | null;
    /** The current value is the adopted one (the value in use before rekey: a generated secret's epoch 0, or a supplied value). */
    adopted?: true;
    /** This epoch was an incident rotation: why, and when (the epoch's rotatedAt). */
    incident?: { reason: string; at: string | null };
    stores: string[];
    consumers: string[];
}

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
    const underKey = (value: pulumi.Output<string>, f: (key: string, v: string) => string) =>
        pulumi.all([fingerprintKey.result, value]).apply(([key, v]) => f(key, v));
    const keyed = (value: pulumi.Output<string>) => pulumi.unsecret(underKey(value, fingerprint));
    const secrets = new Map<string, RotatedSecret>();
    const values = new Map<string, SecretValues>();
    const credentials: Record<string, pulumi.Output<string>> = {};
    for (const s of plan.secrets) {
        const inputs =
            s.source.kind === "derive"
                ? Object.fromEntries(s.source.inputs.map((n) => [n, secrets.get(n)!.value]))
                : undefined;
        const at = topLevel(scope, s.name);
        const secret = new RotatedSecret(at.name, { plan: s, supplied: supplied.get(s.name), inputs }, at.opts);
        secrets.set(s.name, secret);
        values.set(s.name, valuesOf(s, secret, keyed));
        if (secret.password) credentials[s.name] = secret.password;
    }
    await checkRestores(plan, deployed, values, secrets);
    /** What the previous value is now, in terms of what was deployed (null without keepPrevious). */
    const previousNow = new Map(
        plan.secrets.map((s) => {
            // The previous slot's value (at an incident, what the stores call previous is the new value).
            const fp: pulumi.Output<string | null> = s.keepPrevious ? keyed(secrets.get(s.name)!.previous!) : pulumi.output(null);
            return [s.name, fp.apply((f): DeployedValue | null => previousAfter(deployed?.get(s.name), f))] as const;
        }),
    );
    const hostTarget = hostTargets(plan, hostKeys);
    const saltOf = (label: string, value: pulumi.Output<string>) =>
        pulumi.secret(underKey(value, (key, v) => keyedHex(key, `rekey:${label}:${v}`)));
    const hooks = deployHooks(plan, secrets, values, previousNow, saltOf, hostTarget, scope);
    const stores = deployStores(plan, secrets, values, hooks, hostTarget, scope);
    const revokedFirst = deployRevokeFirst(plan, secrets, hooks, stores, scope);
    const consumerSteps = deployConsumers(plan, values, stores, hooks, revokedFirst, hostTarget, secrets, scope);

    // Each record waits for every step of its secret's rotation; a failed or skipped step
    // leaves it unresolved, and the engine then keeps the stack's previous outputs
    // (pkg/resource/deploy/step_executor.go executeRegisterResourceOutputs: on an errored
    // deployment, old stack outputs are kept and only new ones are overlaid).
    const records: Record<string, pulumi.Output<RotationRecord>> = {};
    for (const s of plan.secrets) {
        const chain = [...resourcesOf(hooks, [s.name]), ...(stores.get(s.name) ?? []), ...resourcesOf(revokedFirst, [s.name]), ...(consumerSteps.get(s.name) ?? [])];
        records[s.name] = pulumi
            .all([completion(chain), values.get(s.name)!.fingerprint("current"), previousNow.get(s.name)!])
            .apply(([, fp, previous]): RotationRecord => ({
                epoch: s.epoch,
                ...(s.slots[0]?.round > 1 ? { round: s.slots[0].round } : {}),
                ...(currentIsAdopted(s) ? { adopted: true as const } : {}),
                ...(s.incident !== null ? { incident: { reason: s.incident, at: s.changedAt } } : {}),
                rotatedAt: s.changedAt,
                fingerprint: fp,
                previous,
                stores: s.stores.map((st) => st.label),
                consumers: s.consumers,
            }));
    }
    return {
        secrets,
        records: new Map(Object.entries(records)),
        rotation: pulumi.output(records) as pulumi.Output<Record<string, RotationRecord>>,
        credentials: pulumi.secret(pulumi.output(credentials)),
    };
}

/**
 * A rollback's value must be exactly the deployed previous value. The check before
 * anything is registered (epochProblems) reads the deployed record; a failed `pulumi up`
 * since then may still have re-keyed that generator, which only its fingerprint shows. So
 * the program waits for the fingerprints of the values it restores, after registering the
 * generators and before anything that uses a value. In a preview a replaced generator's
 * value is unknown: the check then runs in `pulumi up`.
 */
async function checkRestores(plan: RotationPlan, deployed: DeployedState, values: Map<string, SecretValues>, secrets: Map<string, RotatedSecret>): Promise<void> {
    const problems: ConfigProblem[] = [];
    for (const s of plan.secrets) {
        // An adopted value the state should hold (the configuration no longer carries it)
        // but does not: its holder was lost, or never deployed.
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
                if (!secret.previous) throw new Error(`${s.name} has no previous value`);
                // An incident keeps no overlap: the leaked value is in no store, under no name.
                return s.incident !== null ? secret.value : secret.previous;
            case "user":
                if (!s.user) throw new Error(`${s.name} has no user`);
                return pulumi.secret(s.user);
        }
    };
    const fp = (variant: Variant) => {
        if (!cache.has(variant)) cache.set(variant, keyed(of(variant)));
        return cache.get(variant)!;
    };
    return { of, fingerprint: fp };
}

type HostTargets = (name: string | null) => HostTarget;

function hostTargets(plan: RotationPlan, hostKeys: Map<string, pulumi.Output<string>>): HostTargets {
    const hosts = new Map(plan.hosts.map((h) => [h.name, h]));
    return (name) => (name === null ? { host: null } : { host: hosts.get(name)!, privateKey: hostKeys.get(name) });
}

/** Apply hooks, by secret: they put the new credential where it is checked, first. */
function deployHooks(
    plan: RotationPlan,
    secrets: Map<string, RotatedSecret>,
    values: Map<string, SecretValues>,
    previousNow: Map<string, pulumi.Output<DeployedValue | null>>,
    saltOf: (label: string, value: pulumi.Output<string>) => pulumi.Output<string>,
    hostTarget: HostTargets,
    scope: Scope,
): Map<string, pulumi.Resource> {
    const hooks = new Map<string, pulumi.Resource>();
    const { prefix } = scope;
    for (const s of plan.secrets) {
        const apply = s.apply;
        // An adopted value in use is already where the hook would put it.
        if (!apply || s.inUse) continue;
        const secret = secrets.get(s.name)!;
        // Named after the secret, so the engine derives their 0.1 names from the secret's.
        const opts = { parent: secret };
        const admin = (name: string | null) => adminPassword(secrets, name);
        switch (apply.kind) {
            case "postgres":
                hooks.set(s.name, new PostgresPassword(`${prefix}${s.name}-postgres`, { secret: s, apply, value: secret.value, salt: saltOf("scram-salt", secret.value), adminPassword: admin(apply.adminPasswordSecret), prefix }, opts));
                break;
            case "redis":
                hooks.set(s.name, new RedisAclPassword(`${prefix}${s.name}-redis`, { apply, value: secret.value, adminPassword: admin(apply.adminPasswordSecret), prefix }, opts));
                break;
            case "command": {
                const v = values.get(s.name)!;
                hooks.set(
                    s.name,
                    new CommandHook(
                        `${prefix}${s.name}-command`,
                        {
                            secret: s,
                            apply,
                            value: secret.value,
                            previous: secret.previous!,
                            initial: previousNow.get(s.name)!.apply((p) => (p === null ? "1" : "0")),
                            triggers: [v.fingerprint("current"), v.fingerprint("previous")],
                            host: hostTarget(apply.host),
                            prefix,
                        },
                        opts,
                    ),
                );
                break;
            }
        }
    }
    return hooks;
}

/**
 * Creates every store write of the plan. Each waits only on the values it writes and on
 * the apply hooks of their secrets. Returns the store resources of each secret.
 */
function deployStores(
    plan: RotationPlan,
    secrets: Map<string, RotatedSecret>,
    values: Map<string, SecretValues>,
    hooks: Map<string, pulumi.Resource>,
    hostTarget: HostTargets,
    scope: Scope,
): Map<string, pulumi.Resource[]> {
    const bySecret = new Map<string, pulumi.Resource[]>(plan.secrets.map((s) => [s.name, []]));
    const awsProviders = new Map<string, aws.Provider>();
    let k8sProvider: k8s.Provider | undefined;
    const ctx: StoreDeployContext = {
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
        kubernetesProvider: () => (k8sProvider ??= (scope.providers.kubernetes as k8s.Provider | undefined) ?? kubernetesProvider(plan.kubernetes, scope)),
        prefix: scope.prefix,
        providers: scope.providers,
    };
    for (const group of storeGroups(plan)) {
        const names = [...new Set(group.members.map((m) => m.secret.name))];
        // A store of one secret is its child; a shared Secret or .env file belongs to no one
        // secret and is the Rotation's.
        const own = group.shared ? undefined : nested(scope.prefix, group.name);
        const placed = own ? { name: own.name, opts: { parent: secrets.get(names[0]), aliases: own.aliases } } : topLevel(scope, group.name);
        const resource = (STORE_COMPONENTS[group.kind] as StoreComponent<StoreKind>)({ ...group, name: placed.name }, ctx, { ...placed.opts, dependsOn: resourcesOf(hooks, names) });
        for (const n of names) bySecret.get(n)!.push(resource);
    }
    return bySecret;
}

/**
 * Restarts, verifies and finalizers. A consumer restarts once, when the value of any
 * secret it reads changes (its triggers: epoch and keyed fingerprint of each, never a
 * value); after every store write of those secrets, the revokeFirst revocation of those
 * that have one, and the verify of each consumer in its `after`. A finalize (components/
 * revoke.ts) waits for the verify of every consumer of its secret. Returns, per secret,
 * the restarts, verifies and finalize that its rotation runs (a derived secret's readers
 * count for its inputs too).
 */
function deployConsumers(
    plan: RotationPlan,
    values: Map<string, SecretValues>,
    stores: Map<string, pulumi.Resource[]>,
    hooks: Map<string, pulumi.Resource>,
    revokedFirst: Map<string, pulumi.Resource>,
    hostTarget: HostTargets,
    secrets: Map<string, RotatedSecret>,
    scope: Scope,
): Map<string, pulumi.Resource[]> {
    const { prefix } = scope;
    const byName = new Map(plan.secrets.map((s) => [s.name, s]));
    /** What a consumer's dependents wait for: its verify or restart, or for one not restarted, what it would have waited for. */
    const done = new Map<string, pulumi.Resource[]>();
    const steps = new Map<string, pulumi.Resource[]>(plan.secrets.map((s) => [s.name, []]));
    const dependencies = consumerDependencies(plan);
    const inUse = valuesInUse(plan);
    for (const { consumer, secrets: read, roots } of dependencies) {
        const label = (n: string) => triggerLabel(byName.get(n)!);
        // Values the consumer already runs with are no trigger; one that reads nothing else has
        // no restart yet (its first one comes with the first rotation of what it reads).
        const changing = read.filter((n) => !inUse.has(n));
        // Each once: consumers not restarted hand on what they wait for, and in a diamond of
        // `after` (each after the next two) a list per path grows exponentially.
        const after = [...new Set(consumer.after.flatMap((a) => done.get(a)!))];
        if (!changing.length) {
            done.set(consumer.name, after);
            continue;
        }
        const triggers = changing.map((n) => values.get(n)!.fingerprint("current").apply((fp) => `${label(n)} ${fp}`));
        const causes = roots.filter((n) => !inUse.has(n)).map(label);
        const dependsOn = [
            ...read.flatMap((n) => stores.get(n) ?? []),
            ...resourcesOf(hooks, roots),
            ...resourcesOf(revokedFirst, roots),
            ...after,
        ];
        const action = consumer.action;
        const at = topLevel(scope, consumer.name);
        const step = { triggers, consumer: consumer.name, prefix };
        const restart =
            action.kind === "kubernetes"
                ? new Restart(at.name, { script: kubernetesRestartScript(action, plan.kubernetes, causes), host: hostTarget(null), ...step }, { ...at.opts, dependsOn })
                : new Restart(at.name, { script: commandRestartScript(action.command, causes), host: hostTarget(action.host), ...step }, { ...at.opts, dependsOn });
        const verify = consumer.verify
            ? new Verify(at.name, { verify: consumer.verify, host: hostTarget(consumer.verify.kind === "command" ? consumer.verify.host : null), proof: proofExpected(consumer.verify, values), ...step }, { ...at.opts, dependsOn: [restart] })
            : undefined;
        done.set(consumer.name, [verify ?? restart]);
        for (const n of read) steps.get(n)!.push(restart, ...(verify ? [verify] : []));
    }
    for (const [name, step] of deployFinalize(plan, dependencies, done, stores, secrets, scope)) steps.get(name)!.push(step);
    return steps;
}

