// The rekey Pulumi program: configuration -> plan -> resources. Everything it creates
// follows from the plan; nothing here reads the clock or draws randomness.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { fingerprint, fingerprintVersion, keyedHex } from "./fingerprint";
import { PlannedSecret, RotationPlan, Variant, planRotation } from "./plan/plan";
import { consumerDependencies, derivedFrom, triggerLabel } from "./plan/restarts";
import { storeTargets } from "./plan/stores";
import { kubernetesRestartScript } from "./consumers/kubernetes";
import { Restart, commandRestartScript } from "./consumers/restart";
import { Verify } from "./consumers/verify";
import { CommandHook } from "./hooks/command";
import { PostgresPassword } from "./hooks/postgres";
import { RedisAclFinalize, RedisAclPassword } from "./hooks/redis";
import { RotatedSecret } from "./rotatedSecret";
import { readStackConfig } from "./stackConfig";
import { DotenvFile } from "./stores/dotenv";
import { SecretFiles } from "./stores/file";
import { HostTarget } from "./stores/hostCommand";
import { KeyVaultSecrets } from "./stores/keyVault";
import { KubernetesSecret, kubernetesProvider } from "./stores/kubernetes";
import { SsmParameters } from "./stores/ssm";
import { SecretValues } from "./stores/values";

/** One entry of the `rotation` stack output; contains no secret and is not secret. */
export interface RotationRecord {
    /** null for derived secrets, whose value follows their inputs. */
    epoch: number | null;
    rotatedAt: string | null;
    fingerprint: string;
    stores: string[];
    consumers: string[];
}

export interface ProgramInputs {
    plan: RotationPlan;
    supplied: Map<string, pulumi.Output<string>>;
    hostKeys: Map<string, pulumi.Output<string>>;
}

export interface DeployedRotation {
    secrets: Map<string, RotatedSecret>;
    rotation: pulumi.Output<Record<string, RotationRecord>>;
    /** Passwords behind htpasswd secrets (secret; empty when there are none). */
    credentials: pulumi.Output<Record<string, string>>;
}

export const FINGERPRINT_KEY_NAME = "rekey-fingerprint-key";

export function deployRotation({ plan, supplied, hostKeys }: ProgramInputs): DeployedRotation {
    // The HMAC key of every fingerprint. Never re-keyed: fingerprints stay comparable
    // across rotations.
    const fingerprintKey = new random.RandomPassword(FINGERPRINT_KEY_NAME, { length: 64, special: false });
    const underKey = (value: pulumi.Output<string>, f: (key: string, v: string) => string) =>
        pulumi.all([fingerprintKey.result, value]).apply(([key, v]) => f(key, v));
    const keyed = (value: pulumi.Output<string>) => pulumi.unsecret(underKey(value, fingerprint));
    const secrets = new Map<string, RotatedSecret>();
    const values = new Map<string, SecretValues>();
    const records: Record<string, { [K in keyof RotationRecord]: pulumi.Input<RotationRecord[K]> }> = {};
    const credentials: Record<string, pulumi.Output<string>> = {};
    for (const s of plan.secrets) {
        const inputs =
            s.source.kind === "derive"
                ? Object.fromEntries(s.source.inputs.map((n) => [n, secrets.get(n)!.value]))
                : undefined;
        const secret = new RotatedSecret(s.name, { plan: s, supplied: supplied.get(s.name), inputs });
        secrets.set(s.name, secret);
        const secretValues = valuesOf(s, secret, keyed);
        values.set(s.name, secretValues);
        if (secret.password) credentials[s.name] = secret.password;
        records[s.name] = {
            epoch: s.epoch,
            rotatedAt: s.rotatedAt ?? latestInputDate(s.name, plan),
            fingerprint: secretValues.fingerprint("current"),
            stores: s.stores.map((st) => st.label),
            consumers: s.consumers,
        };
    }
    const hostTarget = hostTargets(plan, hostKeys);
    const saltOf = (label: string, value: pulumi.Output<string>) =>
        pulumi.secret(underKey(value, (key, v) => keyedHex(key, `rekey:${label}:${v}`)));
    const hooks = deployHooks(plan, secrets, saltOf, hostTarget);
    const stores = deployStores(plan, secrets, values, hooks, hostTarget);
    deployConsumers(plan, values, stores, hooks, hostTarget, secrets);
    return {
        secrets,
        rotation: pulumi.output(records) as pulumi.Output<Record<string, RotationRecord>>,
        credentials: pulumi.secret(pulumi.output(credentials)),
    };
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
                return secret.previous;
            case "user":
                if (!s.user) throw new Error(`${s.name} has no user`);
                return pulumi.secret(s.user);
        }
    };
    const fp = (variant: Variant) => {
        if (!cache.has(variant)) cache.set(variant, keyed(of(variant)));
        return cache.get(variant)!;
    };
    return { of, fingerprint: fp, version: (variant) => fp(variant).apply(fingerprintVersion) };
}

type HostTargets = (name: string | null) => HostTarget;

/** The apply hooks of these secrets (those that have one). */
function hooksOf(hooks: Map<string, pulumi.Resource>, names: Iterable<string>): pulumi.Resource[] {
    return [...new Set(names)].flatMap((n) => (hooks.has(n) ? [hooks.get(n)!] : []));
}

function hostTargets(plan: RotationPlan, hostKeys: Map<string, pulumi.Output<string>>): HostTargets {
    const hosts = new Map(plan.hosts.map((h) => [h.name, h]));
    return (name) => (name === null ? { host: null } : { host: hosts.get(name)!, privateKey: hostKeys.get(name) });
}

/** Apply hooks, by secret: they put the new credential where it is checked, first. */
function deployHooks(
    plan: RotationPlan,
    secrets: Map<string, RotatedSecret>,
    saltOf: (label: string, value: pulumi.Output<string>) => pulumi.Output<string>,
    hostTarget: HostTargets,
): Map<string, pulumi.Resource> {
    const hooks = new Map<string, pulumi.Resource>();
    for (const s of plan.secrets) {
        const apply = s.apply;
        if (!apply) continue;
        const secret = secrets.get(s.name)!;
        const opts = { parent: secret };
        const admin = (name: string | null) => (name ? secrets.get(name)!.value : undefined);
        switch (apply.kind) {
            case "postgres":
                hooks.set(s.name, new PostgresPassword(`${s.name}-postgres`, { secret: s, apply, value: secret.value, salt: saltOf("scram-salt", secret.value), adminPassword: admin(apply.adminPasswordSecret) }, opts));
                break;
            case "redis":
                hooks.set(s.name, new RedisAclPassword(`${s.name}-redis`, { apply, value: secret.value, adminPassword: admin(apply.adminPasswordSecret) }, opts));
                break;
            case "command":
                hooks.set(s.name, new CommandHook(`${s.name}-command`, { secret: s, apply, value: secret.value, previous: secret.previous!, host: hostTarget(apply.host) }, opts));
                break;
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
): Map<string, pulumi.Resource[]> {
    const targets = storeTargets(plan);
    const bySecret = new Map<string, pulumi.Resource[]>(plan.secrets.map((s) => [s.name, []]));
    const record = (names: string[], r: pulumi.Resource) => {
        for (const n of new Set(names)) bySecret.get(n)!.push(r);
        return r;
    };
    const awsProviders = new Map<string, aws.Provider>();
    const awsProvider = (region: string | null) => {
        if (region === null) return undefined;
        if (!awsProviders.has(region)) awsProviders.set(region, new aws.Provider(`rekey-aws-${region}`, { region: region as aws.Region }));
        return awsProviders.get(region);
    };
    const own = (name: string) => ({ parent: secrets.get(name), dependsOn: hooksOf(hooks, [name]) });
    for (const { secret, store } of targets.ssm) {
        const v = values.get(secret.name)!;
        record([secret.name], new SsmParameters(store.label, { secret, store, values: v, provider: awsProvider(store.region) }, own(secret.name)));
    }
    for (const { secret, store } of targets.keyVault) {
        record([secret.name], new KeyVaultSecrets(store.label, { secret, store, values: values.get(secret.name)! }, own(secret.name)));
    }
    for (const { secret, store } of targets.files) {
        const args = { secret, store, values: values.get(secret.name)!, host: hostTarget(store.host) };
        record([secret.name], new SecretFiles(store.label, args, own(secret.name)));
    }
    if (targets.kubernetesSecrets.length) {
        const provider = kubernetesProvider(plan.kubernetes);
        for (const target of targets.kubernetesSecrets) {
            const names = target.keys.map((k) => k.secret.name);
            const opts = { dependsOn: hooksOf(hooks, names) };
            record(names, new KubernetesSecret(`kubernetes:${target.namespace}/${target.name}`, { target, values, provider }, opts));
        }
    }
    for (const target of targets.dotenvFiles) {
        const names = target.keys.map((k) => k.secret.name);
        const opts = { dependsOn: hooksOf(hooks, names) };
        record(names, new DotenvFile(`dotenv:${target.host ?? "local"}:${target.path}`, { target, values, host: hostTarget(target.host) }, opts));
    }
    return bySecret;
}

/**
 * Restarts, verifies and finalizers. A consumer restarts once, when the value of any
 * secret it reads changes (its triggers: epoch and keyed fingerprint of each, never a
 * value); after every store write of those secrets, and after the verify of each consumer
 * in its `after`. A finalize (Redis: drop the old password) waits for the verify of every
 * consumer of its secret.
 */
function deployConsumers(
    plan: RotationPlan,
    values: Map<string, SecretValues>,
    stores: Map<string, pulumi.Resource[]>,
    hooks: Map<string, pulumi.Resource>,
    hostTarget: HostTargets,
    secrets: Map<string, RotatedSecret>,
): void {
    const byName = new Map(plan.secrets.map((s) => [s.name, s]));
    const done = new Map<string, pulumi.Resource>();
    const dependencies = consumerDependencies(plan);
    for (const { consumer, secrets: read, roots } of dependencies) {
        const label = (n: string) => triggerLabel(byName.get(n)!);
        const triggers = read.map((n) => values.get(n)!.fingerprint("current").apply((fp) => `${label(n)} ${fp}`));
        const causes = roots.map(label);
        const dependsOn = [
            ...read.flatMap((n) => stores.get(n) ?? []),
            ...hooksOf(hooks, roots),
            ...consumer.after.map((a) => done.get(a)!),
        ];
        const action = consumer.action;
        const restart =
            action.kind === "kubernetes"
                ? new Restart(consumer.name, { script: kubernetesRestartScript(action, plan.kubernetes, causes), host: hostTarget(null), triggers }, { dependsOn })
                : new Restart(consumer.name, { script: commandRestartScript(action.command, causes), host: hostTarget(action.host), triggers }, { dependsOn });
        const verify = consumer.verify
            ? new Verify(consumer.name, { verify: consumer.verify, host: hostTarget(consumer.verify.kind === "command" ? consumer.verify.host : null), triggers }, { dependsOn: [restart] })
            : undefined;
        done.set(consumer.name, verify ?? restart);
    }
    for (const s of plan.secrets) {
        if (s.apply?.kind !== "redis") continue;
        const dependsOn = [
            ...dependencies.filter((d) => d.secrets.includes(s.name)).map((d) => done.get(d.consumer.name)!),
            ...[s.name, ...derivedFrom(plan, s.name)].flatMap((n) => stores.get(n) ?? []),
        ];
        const adminSecret = s.apply.adminPasswordSecret;
        new RedisAclFinalize(
            `${s.name}-redis-finalize`,
            { apply: s.apply, value: secrets.get(s.name)!.value, adminPassword: adminSecret ? secrets.get(adminSecret)!.value : undefined },
            { parent: secrets.get(s.name), dependsOn },
        );
    }
}

/** A derived secret last changed when the most recently rotated of its inputs did. */
function latestInputDate(name: string, plan: RotationPlan): string | null {
    const byName = new Map(plan.secrets.map((s) => [s.name, s]));
    const visit = (n: string): (string | null)[] => {
        const s = byName.get(n)!;
        return s.source.kind === "derive" ? s.source.inputs.flatMap(visit) : [s.rotatedAt];
    };
    const dates = visit(name).filter((d): d is string => d !== null).sort();
    return dates.length ? dates[dates.length - 1] : null;
}

/** Reads the stack configuration, validates it (before any resource), and deploys. */
export function runRekey(): DeployedRotation {
    const config = readStackConfig();
    const plan = planRotation(config.raw);
    return deployRotation({ plan, supplied: config.supplied, hostKeys: config.hostKeys });
}
