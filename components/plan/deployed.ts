// Whether the configured epochs may follow from what the stack's last completed rotation
// deployed, and which generator each slot must hold for that. Pure: the program reads the
// stack's own last `rotation` output (a StackReference to itself, read by record.ts) and
// passes it here before it registers anything else.
//
// Why an epoch moves one step per completed `pulumi up`: a generated secret has one
// generator per epoch parity, and alternating Postgres roles are picked by parity. From the
// deployed epoch n, n + 1 re-keys the other slot and sets the other role, leaving the value
// and the role the running services use untouched until they have restarted. n + 2 would
// re-key the slot in use and set the password of the role in use (its next login fails),
// and `_PREVIOUS` would be a value no service ever had.
//
// Why the slots follow the deployed state: a `pulumi up` that fails after its generators
// were replaced leaves them replaced. So no step may re-key the slot that holds the deployed
// value: a bump re-keys only the other slot, and a rollback re-keys nothing (its value is
// the deployed previous one, and the value it leaves becomes the previous one). Abandoning
// a failed step (setting the epoch back to the deployed one) is then always safe.
import { ConfigProblem, GeneratorSlot, PlannedSecret, RotationPlan, Variant, slotParity } from "./model";
import { DeployedSecret, DeployedState, DeployedValue, deployedValue } from "./record";

/** The deployed record of a secret that has an epoch on both sides, if any. */
function deployedOf(secret: PlannedSecret, deployed: DeployedState): (DeployedSecret & { epoch: number }) | null {
    const d = deployed?.get(secret.name);
    return d && d.epoch !== null && secret.epoch !== null ? (d as DeployedSecret & { epoch: number }) : null;
}

/**
 * The generator slots of a generated secret given what the stack deployed: the same keepers
 * as the last completed rotation when the epoch did not move; on a bump, the deployed slot
 * untouched and the other one fresh (a new round when it holds a value rolled back from);
 * on a rollback, both slots untouched. A first deployment (or a refused step) keeps the
 * planner's slots.
 */
export function slotsAfter(secret: PlannedSecret, deployed: DeployedState): GeneratorSlot[] {
    const d = deployedOf(secret, deployed);
    const issued = secret.source.kind === "issue";
    if ((secret.source.kind !== "generate" && !issued) || !d) return secret.slots;
    const e = secret.epoch!;
    const slot = (epoch: number, round: number, role: GeneratorSlot["role"], adopted = false): GeneratorSlot => ({
        parity: slotParity(epoch),
        epoch,
        round,
        role,
        ...(adopted ? { adopted: true as const } : {}),
    });
    // What the other slot holds now: the deployed previous value, or the fresh one of a first deployment.
    const other = d.previous ? { epoch: d.previous.epoch, round: d.previous.round ?? 1, adopted: d.previous.adopted === true } : { epoch: d.epoch - 1, round: 1, adopted: false };
    let current: GeneratorSlot;
    let previous: GeneratorSlot;
    if (e === d.epoch) {
        current = slot(e, d.round, "current", d.adopted);
        previous = slot(other.epoch, other.round, "previous", other.adopted);
    } else if (e === d.epoch + 1) {
        // A bump never adopts: the adopted value becomes the previous one.
        current = slot(e, other.epoch === e ? other.round + 1 : 1, "current");
        previous = slot(d.epoch, d.round, "previous", d.adopted);
    } else if (e === d.epoch - 1 && d.previous?.epoch === e) {
        current = slot(e, other.round, "current", other.adopted);
        previous = slot(d.epoch, d.round, "previous", d.adopted);
    } else {
        return secret.slots;
    }
    // An issued credential stays valid in its slot until the next bump re-issues that slot:
    // the previous key keeps working while consumers move to the new one (and is what an
    // incident deactivates). A generator's previous slot exists only to be published. An
    // issued slot that the stack does not hold (a first deployment without keepPrevious) is
    // not issued by an up that does not bump: it would be a live credential no consumer
    // reads, and on an IAM user that still holds its runbook's key a third key (IAM allows two).
    const heldIssued = issued && (e !== d.epoch || d.previous !== null);
    return secret.keepPrevious || heldIssued ? [current, previous] : [current];
}

/**
 * Whether a store write is read back in this `pulumi up` (issue 24 item 4: read-backs run only
 * for what changed, unless a drift check is asked for): the deployed record must show the
 * store (by label) written with this very value and its proof must have answered the same
 * drift check (`proveAt`); else the write runs in this `up` (or a drift check moved) and it is
 * read back. The value is compared by keyed fingerprint: the current value with the record's
 * `fingerprint`; the previous one with `previous.fingerprint`, or, where the record keeps no
 * previous value (a first deployment's previous slot), through the current value (the
 * previous slot is re-keyed only when the current value moves: slotsAfter). A first
 * deployment, a new store, a value the record does not keep (a user name, an issued id) are
 * read back.
 */
export function readBackDue(deployed: DeployedSecret | undefined, label: string, variant: Variant, fingerprints: { written: string; current: string }, proveAt: string | null): boolean {
    if (!deployed || !deployed.stores?.includes(label)) return true;
    if ((deployed.proveAt ?? null) !== proveAt) return true;
    if (deployed.fingerprint !== fingerprints.current) return true;
    if (variant === "current") return false;
    if (variant === "previous") return deployed.previous !== null && deployed.previous.fingerprint !== fingerprints.written;
    return true;
}

/**
 * Whether a secret's current value is the adopted one and nothing rotated it since (see
 * PlannedSecret.inUse).
 *
 * Generated: adopted in this configuration and never deployed otherwise, or deployed adopted
 * with no previous value rekey kept (a rollback to the adopted value leaves the value rolled
 * back from as previous, and that rollback changes the value). The state holds the adopted
 * value, so the configuration may drop `adopt` without changing it.
 *
 * Supplied: its value is read from rekey:supplied at every run, so `adopt` in the
 * configuration is what says it is the one in use: never deployed, or deployed adopted at
 * this epoch (epochProblems refuses `adopt` on any other deployed record). `rekey bump`
 * removes the line, and that bump is the secret's first rotation: hook, restarts.
 */
export function adoptedInUse(secret: PlannedSecret, slots: readonly GeneratorSlot[], deployed: DeployedState): boolean {
    const d = deployedOf(secret, deployed);
    if (secret.source.kind === "supplied") return secret.adopt && (!d || (d.adopted === true && d.epoch === secret.epoch));
    if (secret.source.kind !== "generate" || !slots[0]?.adopted) return false;
    if (!d) return true;
    return d.adopted === true && d.epoch === secret.epoch && d.previous === null;
}

/**
 * The plan following the deployed state: every generated secret's slots (see slotsAfter),
 * and whether each generated or supplied secret's value is still the adopted one in use.
 */
export function applyDeployed(plan: RotationPlan, deployed: DeployedState): RotationPlan {
    if (!deployed) return plan;
    return {
        ...plan,
        secrets: plan.secrets.map((s) => {
            if (s.source.kind === "derive") return s;
            const slots = slotsAfter(s, deployed);
            return { ...s, slots, inUse: adoptedInUse(s, slots, deployed) };
        }),
    };
}

/**
 * What the previous value is, given its fingerprint now: the value the secret had at the
 * deployed epoch (a bump from it, or a rollback that keeps it), the deployed previous value
 * (unchanged), or neither (a fresh value, or none without keepPrevious).
 */
export function previousAfter(deployed: DeployedSecret | undefined, previousFingerprint: string | null): DeployedValue | null {
    if (!deployed || previousFingerprint === null) return null;
    if (deployed.epoch !== null && deployed.fingerprint === previousFingerprint) return deployedValue(deployed.epoch, deployed.round, previousFingerprint, deployed.adopted);
    if (deployed.previous?.fingerprint === previousFingerprint) return deployed.previous;
    return null;
}

/**
 * The deployed record of a secret the configuration still adopts at the epoch the stack
 * deployed it adopted, if it is one: `adopt` then claims the deployed value is the one in
 * use, so rekey:supplied must still hold it (the program compares their fingerprints).
 */
export function adoptedDeployed(secret: PlannedSecret, deployed: DeployedState): (DeployedSecret & { epoch: number }) | null {
    const d = deployedOf(secret, deployed);
    return secret.adopt && d && d.adopted === true && d.epoch === secret.epoch ? d : null;
}

/**
 * Why a changed value under a kept adopt claim is refused (the program, against the deployed
 * record, and rekey plan, against the base, say the same).
 */
export function adoptChangedReason(name: string, epoch: number, against = "this stack deployed"): string {
    return `adopt says rekey:supplied.${name} holds the value in use, and it is not the value ${against} adopted at epoch ${epoch}: remove adopt (rekey bump ${name} does) to rotate to the new value, or put the value in use back`;
}

/** The deployed value a rollback of this secret restores (its current value must have this fingerprint), if it is one. */
export function restoring(secret: PlannedSecret, deployed: DeployedState): DeployedValue | null {
    const d = deployedOf(secret, deployed);
    if (!d || secret.epoch !== d.epoch - 1) return null;
    return d.previous?.epoch === secret.epoch ? d.previous : null;
}

function problemFor(s: PlannedSecret, d: DeployedSecret & { epoch: number }): string | null {
    const e = s.epoch!;
    const n = d.epoch;
    // An incident's epoch stays without overlap while it is deployed: without the line, the
    // leaked value would be written back as every store's previous value.
    if (e === n && d.incident !== undefined && s.incident === null) {
        return `epoch ${n} was deployed as an incident rotation (${JSON.stringify(d.incident)}), and this configuration drops its incident line, which would put the leaked value back as the previous value: keep the line, or bump to ${n + 1}`;
    }
    // Adopting replaces the first value: only a secret not yet deployed, or deployed adopted, has one to replace.
    if (s.adopt && !(d.adopted && n === e) && s.source.kind === "generate") {
        return `adopt takes the value in use as epoch 0's on the secret's first deployment, and this stack deployed epoch ${n} with ${d.adopted ? "the adopted value" : "a generated value"}: remove the adopt line`;
    }
    // A supplied value rekey has deployed is one it rotated to (hook, restarts), or the adopted
    // one at that epoch only: adopt elsewhere would say a value is in use that nothing put there.
    if (s.adopt && !(d.adopted && n === e)) {
        const deployedHow = d.adopted ? `epoch ${n} adopted, and this configuration has epoch ${e}` : `epoch ${n} without adopt (its consumers already restarted onto it)`;
        return `adopt says rekey:supplied.${s.name} is the value in use on the secret's first deployment, and this stack deployed ${deployedHow}: remove the adopt line (rekey bump removes it), so that pulumi up rotates to the value as usual`;
    }
    if (e === n || e === n + 1) return null;
    const deployedText = `the last completed rotation deployed epoch ${n}, this configuration has epoch ${e}`;
    if (Math.abs(e - n) > 1) {
        const step = e > n ? n + 1 : n - 1;
        return `${deployedText}: an epoch moves one step per completed pulumi up. Set epoch to ${step}, run pulumi up, then move on from there`;
    }
    // One step back from an incident rotation would restore the value that leaked.
    if (e === n - 1 && d.incident !== undefined) {
        return `${deployedText}, and epoch ${n} was an incident rotation (${JSON.stringify(d.incident)}): rolling back would restore the leaked value. Set epoch back to ${n}, or bump to ${n + 1}`;
    }
    // One step back: a rollback restores the deployed previous value, which must be epoch e's.
    if ((s.source.kind !== "generate" && s.source.kind !== "issue") || d.previous?.epoch === e) return null;
    const why = d.previous === null ? "the previous value is not one that epoch had (a first deployment, a rollback or a failed rotation made it fresh)" : `the previous value is epoch ${d.previous.epoch}'s`;
    return `${deployedText}, but epoch ${e}'s value was not kept: ${why}. Set epoch back to ${n}, or bump to ${n + 1} for a fresh value`;
}

/** Each secret whose configured epoch does not follow from the deployed one, with what to do. */
export function epochProblems(plan: RotationPlan, deployed: DeployedState): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    for (const s of plan.secrets) {
        const d = deployedOf(s, deployed);
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
