// Which secrets each consumer reads (with every input of a derived one), which values are
// already in use, and how a secret appears in restart triggers: what schedule.ts decides
// restarts with. Pure.
import { withInputs } from "./graph";
import { PlannedConsumer, PlannedSecret, RotationPlan } from "./model";

export interface ConsumerDependencies {
    consumer: PlannedConsumer;
    /**
     * Secrets the consumer reads, with every input of a derived secret (transitively), by
     * name: the order of the restart triggers, so that reordering the inventory restarts nothing.
     */
    secrets: string[];
    /** Of those, the ones that are not derived: their values decide the restart. */
    roots: string[];
}

export function consumerDependencies(plan: RotationPlan): ConsumerDependencies[] {
    const byName = new Map(plan.secrets.map((s) => [s.name, s]));
    return plan.consumers.map((consumer) => {
        const secrets = [...withInputs(byName, consumer.secrets)].sort();
        return { consumer, secrets, roots: secrets.filter((n) => byName.get(n)!.source.kind !== "derive") };
    });
}

/**
 * The secrets whose value is one the services already run with: adopted and not rotated
 * since (PlannedSecret.inUse), and derived secrets all of whose inputs are. They are in no
 * restart trigger and cause no restart; a consumer that reads only these is not restarted
 * at all (the program registers no restart for it until one of them rotates).
 */
export function valuesInUse(plan: RotationPlan): Set<string> {
    const out = new Set<string>();
    // plan.secrets lists inputs before the secrets derived from them.
    for (const s of plan.secrets) {
        if (s.source.kind === "derive" ? s.source.inputs.every((i) => out.has(i)) : s.inUse) out.add(s.name);
    }
    return out;
}

/**
 * Whether each consumer restarts when this plan is deployed, by name: it reads (with every
 * input of what it reads) a value not already in use. schedule.ts registers a restart for
 * exactly these (ConsumerStep.restarts); this is that rule without the rest of the schedule,
 * for `rekey status`, which needs nothing else of it (test/plan/properties.test.ts holds the two agree).
 */
export function consumerRestarts(plan: RotationPlan): Map<string, boolean> {
    return new Map(consumerTriggers(plan).map(({ consumer, restarts }) => [consumer.name, restarts]));
}

/** A consumer's restart triggers by the schedule's rule (schedule.ts `schedule`, ConsumerStep), without the rest of the schedule. */
export interface ConsumerTriggers {
    consumer: PlannedConsumer;
    /** What it reads, with every input of a derived secret (ConsumerDependencies.secrets). */
    reads: string[];
    /** Whether a restart is registered: it reads a value not already in use. */
    restarts: boolean;
    /** The secrets in its restart triggers, in order: each read whose value is not in use. */
    triggers: string[];
}

/**
 * Each consumer's restart triggers, in plan order: the rule schedule.ts applies (`changing`:
 * the reads whose value is not in use), for what needs no other step (diff.ts
 * `consumerChanges`, rekey bump; rekey status).
 */
export function consumerTriggers(plan: RotationPlan): ConsumerTriggers[] {
    const inUse = valuesInUse(plan);
    return consumerDependencies(plan).map(({ consumer, secrets }) => {
        const triggers = secrets.filter((n) => !inUse.has(n));
        return { consumer, reads: secrets, restarts: triggers.length > 0, triggers };
    });
}

/** How a secret appears in restart triggers and causes: NAME@epoch, or NAME when derived. */
export function triggerLabel(secret: PlannedSecret): string {
    return secret.epoch === null ? secret.name : `${secret.name}@${secret.epoch}`;
}

/**
 * How many restarts rotating `bumped` costs: coalesced (each affected consumer once) and
 * naive (one restart per bumped secret per consumer reading it).
 */
export function restartCounts(plan: RotationPlan, bumped: ReadonlySet<string>): { coalesced: number; naive: number } {
    const deps = consumerDependencies(plan);
    return {
        coalesced: deps.filter((d) => d.roots.some((r) => bumped.has(r))).length,
        naive: deps.reduce((n, d) => n + d.roots.filter((r) => bumped.has(r)).length, 0),
    };
}
