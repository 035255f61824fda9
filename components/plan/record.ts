// The `rotation` stack output: one record per secret, written by the program once the
// secret's rotation completed, and read back by the next `pulumi up` (the deployed state,
// see deployed.ts). This module owns the format on both sides. Pure.
import type { PlannedSecret } from "./model";

/**
 * One entry of the `rotation` stack output; contains no secret and is not secret. It
 * resolves only once the secret's whole rotation completed (hooks, stores, restarts,
 * verifies, finalize: the schedule's record step), so the stack's last outputs record the
 * last completed rotation: the next `pulumi up` reads them back (readDeployed).
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
    /** What the rotation proved (CONTRACT "Proof"; components/plan/proofRecord.ts). */
    proof: ProofRecord;
}

/**
 * Per store label: `read back` (it held the value written, by keyed fingerprint) or
 * `written, not read back: <why>`; per consumer reading the secret: `proved` (its verify saw
 * the service report the value's keyed fingerprint) or `not proved: <why>`.
 */
export interface ProofRecord {
    stores: Record<string, string>;
    consumers: Record<string, string>;
    /**
     * The drift check (`rekey:defaults.proveAt`) this proof answered, when one is set: the
     * next `pulumi up` reads it back and re-runs the read-backs only when the date moved.
     */
    proveAt?: string;
}

/** A secret's record, given the keyed fingerprint of its current value and what its previous value is. */
/**
 * Whether the current value is the adopted one, as the `rotation` record says it
 * (`adopted: true`): a generated secret's current slot holds it, or a supplied secret's
 * value is still the one it adopted.
 */
export function currentIsAdopted(secret: PlannedSecret): boolean {
    return secret.source.kind === "supplied" ? secret.inUse : secret.slots[0]?.adopted === true;
}

export function rotationRecord(s: PlannedSecret, fingerprint: string, previous: DeployedValue | null, proof: ProofRecord): RotationRecord {
    return {
        epoch: s.epoch,
        ...(s.slots[0]?.round > 1 ? { round: s.slots[0].round } : {}),
        ...(currentIsAdopted(s) ? { adopted: true as const } : {}),
        ...(s.incident !== null ? { incident: { reason: s.incident, at: s.changedAt } } : {}),
        rotatedAt: s.changedAt,
        fingerprint,
        previous,
        stores: s.stores.map((st) => st.label),
        consumers: s.consumers,
        proof,
    };
}

/** A value a secret had when a rotation completed: its epoch, generator round and keyed fingerprint. */
export interface DeployedValue {
    epoch: number;
    /** Omitted in the output when 1. */
    round?: number;
    fingerprint: string;
    /** The value adopted at epoch 0 (the one in use before rekey), not a generator's. */
    adopted?: true;
}

/** One secret as the stack's last completed rotation left it (its `rotation` output entry). */
export interface DeployedSecret {
    /** null for a derived secret. */
    epoch: number | null;
    round: number;
    fingerprint: string | null;
    /** The previous value (keepPrevious) is exactly this deployed value; null when it is not one. */
    previous: DeployedValue | null;
    /** The current value is the adopted one (absent: it is not). */
    adopted?: boolean;
    /** The reason, when the deployed epoch was an incident rotation (its previous value leaked). */
    incident?: string;
    /** The labels of the stores it was written to (absent: the record lists none). */
    stores?: readonly string[];
    /** The drift check its proof answered (`proof.proveAt`), if any. */
    proveAt?: string;
}

/** null: the stack has no `rotation` output yet (a first deployment). */
export type DeployedState = ReadonlyMap<string, DeployedSecret> | null;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const roundOf = (v: Record<string, unknown>) => (Number.isInteger(v.round) && (v.round as number) > 1 ? (v.round as number) : 1);

/** A deployed value as the output records it (round omitted when 1, adopted only when true). */
export function deployedValue(epoch: number, round: number, fingerprint: string, adopted = false): DeployedValue {
    return { epoch, ...(round > 1 ? { round } : {}), fingerprint, ...(adopted ? { adopted: true as const } : {}) };
}

function readValue(v: unknown): DeployedValue | null {
    return isObject(v) && Number.isInteger(v.epoch) && typeof v.fingerprint === "string" ? deployedValue(v.epoch as number, roundOf(v), v.fingerprint, v.adopted === true) : null;
}

/**
 * Reads the stack's last `rotation` output. Entries written before rekey recorded
 * `previous` read as "no restorable previous value" and round 1 (the keepers rekey used
 * then), so upgrading re-keys nothing.
 */
export function readDeployed(rotation: unknown): DeployedState {
    if (!isObject(rotation)) return null;
    const out = new Map<string, DeployedSecret>();
    for (const [name, entry] of Object.entries(rotation)) {
        if (!isObject(entry)) continue;
        out.set(name, {
            epoch: Number.isInteger(entry.epoch) ? (entry.epoch as number) : null,
            round: roundOf(entry),
            fingerprint: typeof entry.fingerprint === "string" ? entry.fingerprint : null,
            previous: readValue(entry.previous),
            ...(entry.adopted === true ? { adopted: true } : {}),
            ...(isObject(entry.incident) && typeof entry.incident.reason === "string" ? { incident: entry.incident.reason } : {}),
            ...(Array.isArray(entry.stores) ? { stores: entry.stores.filter((l): l is string => typeof l === "string") } : {}),
            ...(isObject(entry.proof) && typeof entry.proof.proveAt === "string" ? { proveAt: entry.proof.proveAt } : {}),
        });
    }
    return out;
}

