// What the stack's last completed rotation deployed, and whether the configured epochs may
// follow from it. Pure: the program reads the stack's own last `rotation` output (a
// StackReference to itself) and passes it here before it registers anything else.
//
// Why an epoch moves one step per completed `pulumi up`: a generated secret has one
// generator per epoch parity, and alternating Postgres roles are picked by parity. From the
// deployed epoch n, n + 1 re-keys the other slot and sets the other role, leaving the value
// and the role the running services use untouched until they have restarted. n + 2 re-keys
// the slot and sets the password of the role that is in use (its next login fails), and
// `_PREVIOUS` is then a value no service ever had. Going back is a restore only when the
// previous value is exactly what that epoch deployed; a first deployment, a rollback or a
// failed rotation leaves a fresh value there instead.
import { ConfigProblem, PlannedSecret, RotationPlan } from "./plan";

/** A value a secret had when a rotation completed: its epoch and keyed fingerprint. */
export interface DeployedValue {
    epoch: number;
    fingerprint: string;
}

/** One secret as the stack's last completed rotation left it (its `rotation` output entry). */
export interface DeployedSecret {
    /** null for a derived secret. */
    epoch: number | null;
    fingerprint: string | null;
    /** The previous value (keepPrevious) is exactly this deployed value; null when it is not one. */
    previous: DeployedValue | null;
}

/** null: the stack has no `rotation` output yet (a first deployment). */
export type DeployedState = ReadonlyMap<string, DeployedSecret> | null;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

function deployedValue(v: unknown): DeployedValue | null {
    return isObject(v) && Number.isInteger(v.epoch) && typeof v.fingerprint === "string" ? { epoch: v.epoch as number, fingerprint: v.fingerprint } : null;
}

/**
 * Reads the stack's last `rotation` output. Entries written before rekey recorded
 * `previous` read as "no restorable previous value": a rollback then needs one more bump.
 */
export function readDeployed(rotation: unknown): DeployedState {
    if (!isObject(rotation)) return null;
    const out = new Map<string, DeployedSecret>();
    for (const [name, entry] of Object.entries(rotation)) {
        if (!isObject(entry)) continue;
        out.set(name, {
            epoch: Number.isInteger(entry.epoch) ? (entry.epoch as number) : null,
            fingerprint: typeof entry.fingerprint === "string" ? entry.fingerprint : null,
            previous: deployedValue(entry.previous),
        });
    }
    return out;
}

/**
 * What the previous value is, given its fingerprint now: the value the secret had at the
 * deployed epoch (a bump from it), the deployed previous value (unchanged), or neither.
 */
export function previousAfter(deployed: DeployedSecret | undefined, previousFingerprint: string | null): DeployedValue | null {
    if (!deployed || previousFingerprint === null) return null;
    if (deployed.epoch !== null && deployed.fingerprint === previousFingerprint) return { epoch: deployed.epoch, fingerprint: previousFingerprint };
    if (deployed.previous?.fingerprint === previousFingerprint) return deployed.previous;
    return null;
}

/** The deployed value a rollback of this secret restores (its current value must have this fingerprint), if it is one. */
export function restoring(secret: PlannedSecret, deployed: DeployedState): DeployedValue | null {
    const d = deployed?.get(secret.name);
    if (!d || d.epoch === null || secret.epoch === null || secret.epoch !== d.epoch - 1) return null;
    return d.previous?.epoch === secret.epoch ? d.previous : null;
}

function problemFor(s: PlannedSecret, d: DeployedSecret): string | null {
    if (s.epoch === null || d.epoch === null || s.epoch === d.epoch) return null;
    const n = d.epoch;
    const deployedText = `the last completed rotation deployed epoch ${n}, this configuration has epoch ${s.epoch}`;
    if (Math.abs(s.epoch - n) > 1) {
        const step = s.epoch > n ? n + 1 : n - 1;
        return `${deployedText}: an epoch moves one step per completed pulumi up. Set epoch to ${step}, run pulumi up, then move on from there`;
    }
    if (s.epoch === n + 1 || s.source.kind !== "generate") return null;
    // One step back: a rollback.
    if (s.apply?.kind === "command") {
        return `${deployedText}: a rollback discards epoch ${n}'s value, which the command hook has already re-encrypted with. Set epoch back to ${n}, or bump to ${n + 1} for a fresh value`;
    }
    if (d.previous?.epoch !== s.epoch) {
        const why = d.previous === null ? "the previous value is not one that epoch had (a first deployment, a rollback or a failed rotation made it fresh)" : `the previous value is epoch ${d.previous.epoch}'s`;
        return `${deployedText}, but epoch ${s.epoch}'s value was not kept: ${why}. Set epoch back to ${n}, or bump to ${n + 1} for a fresh value`;
    }
    return null;
}

/** Each secret whose configured epoch does not follow from the deployed one, with what to do. */
export function epochProblems(plan: RotationPlan, deployed: DeployedState): ConfigProblem[] {
    if (!deployed) return [];
    const problems: ConfigProblem[] = [];
    for (const s of plan.secrets) {
        const d = deployed.get(s.name);
        const reason = d ? problemFor(s, d) : null;
        if (reason) problems.push({ subject: `secret ${s.name}`, field: "epoch", reason });
    }
    return problems;
}

export class RekeyEpochError extends Error {
    constructor(public readonly problems: ConfigProblem[]) {
        super(
            `rekey: ${problems.length} secret${problems.length === 1 ? "" : "s"} out of step with the deployed state; nothing was changed:\n` +
                problems.map((p) => `  - ${p.subject}: ${p.reason}`).join("\n"),
        );
        this.name = "RekeyEpochError";
    }
}
