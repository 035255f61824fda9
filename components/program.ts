// The rekey Pulumi program: configuration -> plan -> resources. Everything it creates
// follows from the plan; nothing here reads the clock or draws randomness.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { fingerprint, fingerprintVersion } from "./fingerprint";
import { PlannedSecret, RotationPlan, Variant, planRotation } from "./plan/plan";
import { storeTargets } from "./plan/stores";
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
    const keyed = (value: pulumi.Output<string>) =>
        pulumi.unsecret(pulumi.all([fingerprintKey.result, value]).apply(([key, v]) => fingerprint(key, v)));
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
    deployStores(plan, secrets, values, hostKeys);
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
): SecretValues & { fingerprint(variant: Variant): pulumi.Output<string> } {
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

/** Creates every store write of the plan; each waits only on the values it writes. */
function deployStores(
    plan: RotationPlan,
    secrets: Map<string, RotatedSecret>,
    values: Map<string, SecretValues>,
    hostKeys: Map<string, pulumi.Output<string>>,
): void {
    const targets = storeTargets(plan);
    const hosts = new Map(plan.hosts.map((h) => [h.name, h]));
    const hostTarget = (name: string | null): HostTarget =>
        name === null ? { host: null } : { host: hosts.get(name)!, privateKey: hostKeys.get(name) };
    const awsProviders = new Map<string, aws.Provider>();
    const awsProvider = (region: string | null) => {
        if (region === null) return undefined;
        if (!awsProviders.has(region)) awsProviders.set(region, new aws.Provider(`rekey-aws-${region}`, { region: region as aws.Region }));
        return awsProviders.get(region);
    };
    for (const { secret, store } of targets.ssm) {
        new SsmParameters(store.label, { secret, store, values: values.get(secret.name)!, provider: awsProvider(store.region) }, { parent: secrets.get(secret.name) });
    }
    for (const { secret, store } of targets.keyVault) {
        new KeyVaultSecrets(store.label, { secret, store, values: values.get(secret.name)! }, { parent: secrets.get(secret.name) });
    }
    for (const { secret, store } of targets.files) {
        new SecretFiles(store.label, { secret, store, values: values.get(secret.name)!, host: hostTarget(store.host) }, { parent: secrets.get(secret.name) });
    }
    if (targets.kubernetesSecrets.length) {
        const provider = kubernetesProvider(plan.kubernetes);
        for (const target of targets.kubernetesSecrets) {
            new KubernetesSecret(`kubernetes:${target.namespace}/${target.name}`, { target, values, provider });
        }
    }
    for (const target of targets.dotenvFiles) {
        new DotenvFile(`dotenv:${target.host ?? "local"}:${target.path}`, { target, values, host: hostTarget(target.host) });
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
