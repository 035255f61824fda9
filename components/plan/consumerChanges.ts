// Which consumers a change restarts, and why (the plan's diff, diff.ts RotationDiff.consumers):
// both plans' restart triggers by the schedule's rule (restarts.ts consumerTriggers), with no
// schedule. Its own module so that rekey bump, which prints only these, loads neither
// diff.ts nor schedule.ts.
import type { ConsumerAction, PlannedVerify, RotationPlan } from "./model";
import { ConsumerTriggers, consumerTriggers } from "./restarts";
import { secretChanges } from "./secretChanges";
import { urlText } from "./shown";

/** A consumer the change restarts (the plan's diff, diff.ts RotationDiff.consumers), in restart order. */
export interface ConsumerChange {
    name: string;
    action: ConsumerAction;
    after: string[];
    verify: PlannedVerify | null;
    because: string[];
}

/**
 * The consumers that restart in this change, in restart order, and why: both sides' restart
 * triggers by the schedule's rule (restarts.ts `consumerTriggers`, which schedule.ts applies;
 * values in use are in none). withIssuedSlots changes only issued secrets' slots, which no
 * trigger reads, so the plans are taken as they are.
 */
export function restartingConsumers(base: RotationPlan | null, head: RotationPlan, cause: ReadonlyMap<string, string>): ConsumerChange[] {
    const baseConsumers = new Map((base ? consumerTriggers(base) : []).map((c) => [c.consumer.name, c]));
    const consumers: ConsumerChange[] = [];
    for (const c of consumerTriggers(head)) {
        const because = restartCauses(c, baseConsumers.get(c.consumer.name), cause);
        if (!because.length) continue;
        // The diff is what rekey plan prints (Markdown and --json): a verify URL is in it as shown.ts shows it.
        const verify = c.consumer.verify?.kind === "url" ? { ...c.consumer.verify, url: urlText(c.consumer.verify.url) } : c.consumer.verify;
        consumers.push({ name: c.consumer.name, action: c.consumer.action, after: c.consumer.after, verify, because });
    }
    return consumers;
}

/**
 * `diffPlans(base, head, suppliedChanged).consumers` without the schedules of the two plans
 * (rekey bump prints only the restarts: on 1,000 secrets the two schedules were a seventh of it).
 */
export function consumerChanges(base: RotationPlan | null, head: RotationPlan, suppliedChanged: ReadonlySet<string>): ConsumerChange[] {
    return restartingConsumers(base, head, secretChanges(base, head, suppliedChanged).cause);
}

/**
 * Why a consumer's restart triggers change; empty when they do not. Both sides are the
 * schedule's triggers (schedule.ts: each secret read whose value is not in use), so a read
 * of a value in use, added or dropped, restarts nothing, as in the program.
 */
function restartCauses(now: ConsumerTriggers, was: ConsumerTriggers | undefined, cause: ReadonlyMap<string, string>): string[] {
    if (!now.restarts) return [];
    if (!was) return ["new consumer: its first pulumi up runs the restart"];
    const out: string[] = [];
    const before = new Set(was.triggers);
    const changing = now.triggers;
    for (const n of changing) {
        const c = cause.get(n);
        if (c) out.push(c);
        else if (!before.has(n)) out.push(`now reads ${n}`);
    }
    const reads = new Set(now.reads);
    const nowTriggers = new Set(changing);
    for (const n of before) if (!nowTriggers.has(n)) out.push(reads.has(n) ? `${n} is now in use` : `no longer reads ${n}`);
    return out;
}
