// The rekey Pulumi program: configuration -> plan -> resources. Everything it creates
// follows from the plan; nothing here reads the clock or draws randomness.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { fingerprint } from "./fingerprint";
import { RotationPlan, planRotation } from "./plan/plan";
import { RotatedSecret } from "./rotatedSecret";
import { readStackConfig } from "./stackConfig";

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

export function deployRotation({ plan, supplied }: ProgramInputs): DeployedRotation {
    // The HMAC key of every fingerprint. Never re-keyed: fingerprints stay comparable
    // across rotations.
    const fingerprintKey = new random.RandomPassword(FINGERPRINT_KEY_NAME, { length: 64, special: false });
    const secrets = new Map<string, RotatedSecret>();
    const records: Record<string, { [K in keyof RotationRecord]: pulumi.Input<RotationRecord[K]> }> = {};
    const credentials: Record<string, pulumi.Output<string>> = {};
    for (const s of plan.secrets) {
        const inputs =
            s.source.kind === "derive"
                ? Object.fromEntries(s.source.inputs.map((n) => [n, secrets.get(n)!.value]))
                : undefined;
        const secret = new RotatedSecret(s.name, { plan: s, supplied: supplied.get(s.name), inputs });
        secrets.set(s.name, secret);
        if (secret.password) credentials[s.name] = secret.password;
        records[s.name] = {
            epoch: s.epoch,
            rotatedAt: s.rotatedAt ?? latestInputDate(s.name, plan),
            fingerprint: pulumi.unsecret(
                pulumi.all([fingerprintKey.result, secret.value]).apply(([key, value]) => fingerprint(key, value)),
            ),
            stores: s.stores.map((st) => st.label),
            consumers: s.consumers,
        };
    }
    return {
        secrets,
        rotation: pulumi.output(records) as pulumi.Output<Record<string, RotationRecord>>,
        credentials: pulumi.secret(pulumi.output(credentials)),
    };
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
