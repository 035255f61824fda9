// Which consumers a rotation restarts and what each restart waits for. Pure.
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

/**
 * `secret` and every input of it, transitively, into `into`. An explicit stack, not
 * recursion: a derive chain is as long as the stack file makes it.
 */
function inputsOf(secret: PlannedSecret, byName: Map<string, PlannedSecret>, into: Set<string>): void {
    const todo = [secret];
    while (todo.length) {
        const s = todo.pop()!;
        if (into.has(s.name)) continue;
        into.add(s.name);
        if (s.source.kind === "derive") for (const i of s.source.inputs) todo.push(byName.get(i)!);
    }
}

export function consumerDependencies(plan: RotationPlan): ConsumerDependencies[] {
    const byName = new Map(plan.secrets.map((s) => [s.name, s]));
    return plan.consumers.map((consumer) => {
        const all = new Set<string>();
        for (const name of consumer.secrets) inputsOf(byName.get(name)!, byName, all);
        const secrets = [...all].sort();
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

/** The consumers that read `secret`, directly or through a secret derived from it: a finalize waits for them. */
export function readersOf(dependencies: readonly ConsumerDependencies[], secret: string): PlannedConsumer[] {
    return dependencies.filter((d) => d.secrets.includes(secret)).map((d) => d.consumer);
}

/** How a secret appears in restart triggers and causes: NAME@epoch, or NAME when derived. */
export function triggerLabel(secret: PlannedSecret): string {
    return secret.epoch === null ? secret.name : `${secret.name}@${secret.epoch}`;
}

/** Secrets derived from `secret`, directly or through other derived secrets. */
export function derivedFrom(plan: RotationPlan, secret: string): string[] {
    const found = new Set<string>([secret]);
    // plan.secrets lists inputs before the secrets derived from them.
    for (const s of plan.secrets) {
        if (s.source.kind === "derive" && s.source.inputs.some((i) => found.has(i))) found.add(s.name);
    }
    found.delete(secret);
    return [...found];
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
