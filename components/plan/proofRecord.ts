// What the `rotation` record says a rotation proved (CONTRACT "Proof"), per secret: each of
// its stores read back, or written and not read back and why; each consumer that reads it
// proved the value it loaded, or why not. Pure: from the plan and its schedule. A record
// resolves only once every step it waits for completed (schedule.ts RecordStep: the
// read-backs and verifies among them), so what it says was checked in the `pulumi up` that
// wrote the value, or in a later drift check (rekey:defaults.proveAt).
import type { PlannedConsumer, RotationPlan } from "./model";
import type { ProofRecord } from "./record";
import type { Schedule } from "./schedule";
import { STORE_KIND_PLANNERS } from "./storeKinds";

export const READ_BACK = "read back";
export const PROVED = "proved";

function consumerProof(c: PlannedConsumer, secret: string, restarts: boolean): string {
    if (!restarts) return "not proved: it runs with values already in use (adopted), and no rotation has restarted it yet";
    const v = c.verify;
    if (!v) return "not proved: its restart has no verify";
    if (v.kind === "command") return "not proved: its verify is a command, which reports no fingerprints";
    if (!v.proof) return "not proved: its verify asks no proof (verify.proof)";
    if (v.proof.key === secret) return "not proved: it is the consumer's proof key (the proof of the other values shows the key the service loaded)";
    return v.proof.secrets.includes(secret) ? PROVED : "not proved: its verify's proof does not cover it";
}

/** `steps`: the plan's schedule, or only whether each consumer restarts (restarts.ts consumerRestarts, the schedule's rule). */
export function proofRecords(plan: RotationPlan, steps: Schedule | ReadonlyMap<string, boolean>): Map<string, ProofRecord> {
    const restarts = steps instanceof Map ? steps : new Map((steps as Schedule).consumers.map((c) => [c.consumer.name, c.restarts]));
    const consumers = new Map(plan.consumers.map((c) => [c.name, c]));
    return new Map(
        plan.secrets.map((s) => {
            const stores = Object.fromEntries(
                s.stores.map((st) => {
                    const why = STORE_KIND_PLANNERS[st.kind].notReadBack;
                    return [st.label, why === undefined ? READ_BACK : `written, not read back: ${why}`];
                }),
            );
            const proved = Object.fromEntries(s.consumers.map((n) => [n, consumerProof(consumers.get(n)!, s.name, restarts.get(n) ?? false)]));
            return [s.name, { stores, consumers: proved, ...(plan.proveAt !== null ? { proveAt: plan.proveAt } : {}) }];
        }),
    );
}
