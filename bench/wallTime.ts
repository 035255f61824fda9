// The wall time of a rotation: a `pulumi up` that bumps every secret of an inventory (100
// secrets, 10 consumers with `after` chains, shared stores, Postgres, Redis and command
// hooks, a few derived secrets), run through the mock engine with each step taking a
// simulated time, against the critical path of the schedule (the longest chain of its
// waits) and the critical path of what each step needs (a second, independent reading of
// the plan: a schedule that waits for more than that is a defect).
//
// Parallelism as the engine's: pkg/resource/deploy/step_executor.go newStepExecutor starts
// DegreeOfParallelism() workers, each running one resource operation at a time (with
// infinite parallelism, one goroutine per operation); `pulumi up --parallel` defaults to
// GOMAXPROCS × 4 (pkg/cmd/pulumi/operations/up.go defaultParallel, v3.248.0), unless
// PULUMI_PARALLEL says otherwise. The mock engine's registrations are concurrent; a FIFO pool
// of P slots around each simulated operation stands for the P workers. Registrations that run
// no operation (components, unchanged resources) take no time here and hold no slot.
import { availableParallelism } from "os";
import { withInputs, derivedFrom } from "../components/plan/graph";
import { planRotation } from "../components/plan/plan";
import { RotationPlan } from "../components/plan/model";
import { Schedule, StepId, schedule } from "../components/plan/schedule";
import { registrationOrder } from "../components/plan/registrationOrder";
import { storeGroups } from "../components/plan/storeTargets";
import { MockEngine, RunResult } from "../test/harness/mockEngine";
import { stepsByResource } from "../test/harness/planVsUp";
import { rawConfig } from "../test/harness/rawConfig";

/** Simulated seconds per step kind (the issue's: a store write 1 s, a hook 2 s, a restart 5 s, a verify 2 s, a finalize 1 s; an incident's revokeFirst as a finalize). */
// A store read back (issue 24) takes what its write takes.
export const STEP_SECONDS: Record<string, number> = { hook: 2, store: 1, readBack: 1, revoke: 1, restart: 5, verify: 2, finalize: 1 };
const stepSeconds = (id: StepId) => STEP_SECONDS[id.slice(0, id.indexOf(":"))];

/** 100 secrets, 10 consumers (c1→c2→c3→c4 after c0; c6→c7 after c5; c8 after c4 and c7; c9 alone). */
export function wallInventory(epochBump: number): Record<string, any> {
    const after: Record<number, number[]> = { 1: [0], 2: [1], 3: [2], 4: [3], 6: [5], 7: [6], 8: [4, 7] };
    const consumers: Record<string, unknown> = {};
    for (let c = 0; c < 10; c++) {
        consumers[`c${c}`] = {
            restart: `systemctl restart c${c}`,
            ...(c % 2 === 0 ? { verify: { command: `curl -sf http://c${c}/health` } } : {}),
            ...(after[c] ? { after: after[c].map((a) => `c${a}`) } : {}),
        };
    }
    const secrets: Record<string, unknown> = {};
    for (let i = 0; i < 100; i++) {
        const kind = i % 10;
        const apply =
            kind < 2 ? { postgres: { host: "db", role: `role_${i}` } } : kind === 2 ? { redis: { host: "cache", user: `user_${i}` } } : kind === 3 ? { command: { run: "true" } } : undefined;
        const stores: unknown[] = [];
        if (i % 2 === 0) stores.push({ ssm: { prefix: "/wall/" } });
        if (i % 3 === 0) stores.push({ kubernetes: { secret: `app-${i % 5}`, namespace: "wall" } });
        if (i % 3 === 1) stores.push({ dotenv: { path: `/srv/app${i % 4}/.env` } });
        if (!stores.length) stores.push({ ssm: { prefix: "/wall/" } });
        secrets[`S${i}`] = {
            epoch: 1 + epochBump,
            generate: { encoding: "hex", bytes: 16 },
            ...(apply ? { apply } : {}),
            ...(kind === 3 ? { keepPrevious: true } : {}),
            stores,
            consumers: [...new Set([`c${i % 10}`, `c${(i * 7 + 3) % 10}`])],
        };
    }
    // Derived secrets read by c9, which reads none of their inputs.
    for (let d = 0; d < 5; d++) {
        secrets[`URL${d}`] = { derive: `postgres://u:{{S${d * 10}}}@db/{{S${d * 10 + 4}}}`, stores: [{ ssm: { prefix: "/wall/" } }], consumers: ["c9"] };
    }
    return { "rekey:consumers": consumers, "rekey:secrets": secrets };
}

/**
 * What each step needs, read from the plan alone (not from the schedule's waits): a store
 * write the hooks of the values it holds (derive inputs included); a revokeFirst its hook and
 * the stores holding its value; a restart the stores holding what the consumer reads itself,
 * the hooks and revokeFirst of the values behind them, and the consumers in its `after` (their
 * verify, else restart, through consumers that do not restart); a finalize the stores holding
 * its value and every consumer reading it (through derived secrets too).
 */
export function necessaryWaits(plan: RotationPlan, s: Schedule): Map<StepId, StepId[]> {
    const byName = new Map(plan.secrets.map((x) => [x.name, x]));
    const ids = new Set(s.steps.map((st) => st.id));
    const has = (id: StepId) => (ids.has(id) ? [id] : []);
    const groups = storeGroups(plan);
    const storesWith = (name: string) => groups.filter((g) => g.members.some((m) => m.secret.name === name)).map((g) => `store:${g.name}`);
    const holding = (name: string) => [name, ...derivedFrom(plan, name)].flatMap(storesWith);
    // A store's read-back (where its kind has one) needs its write; whoever needs the store's value checked needs the read-back.
    const checked = (store: StepId) => has(`readBack:${store.slice("store:".length)}`);
    const out = new Map<StepId, StepId[]>();
    for (const g of groups) out.set(`store:${g.name}`, [...withInputs(byName, g.members.map((m) => m.secret.name))].flatMap((n) => has(`hook:${n}`)));
    for (const h of s.hooks) out.set(h.id, []);
    for (const g of groups) for (const r of checked(`store:${g.name}`)) out.set(r, [`store:${g.name}`]);
    const done = new Map<string, StepId[]>();
    for (const c of plan.consumers) {
        const after = c.after.flatMap((a) => done.get(a)!);
        const restart = `restart:${c.name}`;
        if (!ids.has(restart)) {
            done.set(c.name, after);
            continue;
        }
        const roots = [...withInputs(byName, c.secrets)];
        out.set(restart, [...c.secrets.flatMap(storesWith), ...c.secrets.flatMap(storesWith).flatMap(checked), ...roots.flatMap((n) => [...has(`hook:${n}`), ...has(`revoke:${n}`)]), ...after]);
        const verify = `verify:${c.name}`;
        if (ids.has(verify)) out.set(verify, [restart]);
        done.set(c.name, [ids.has(verify) ? verify : restart]);
    }
    for (const r of s.revokes) {
        if (r.id.startsWith("revoke:")) out.set(r.id, [...has(`hook:${r.secret}`), ...holding(r.secret)]);
        else {
            const readers = plan.consumers.filter((c) => withInputs(byName, c.secrets).has(r.secret));
            out.set(r.id, [...holding(r.secret), ...holding(r.secret).flatMap(checked), ...readers.flatMap((c) => done.get(c.name)!)]);
        }
    }
    return out;
}

/** Each wait of the schedule that the step does not need, directly or through the steps it needs: `step waits for w`. */
export function extraWaits(s: Schedule, need: Map<StepId, StepId[]>): string[] {
    const closure = new Map<StepId, Set<StepId>>();
    for (const st of s.steps) {
        const all = new Set<StepId>();
        for (const w of need.get(st.id) ?? []) {
            all.add(w);
            for (const x of closure.get(w) ?? []) all.add(x);
        }
        closure.set(st.id, all);
    }
    return s.steps.flatMap((st) => st.waitsFor.filter((w) => !closure.get(st.id)!.has(w)).map((w) => `${st.id} waits for ${w}`));
}

/** The longest chain through `waits` (each step's time from `seconds`), and the steps on it. */
export function criticalPath(order: StepId[], waits: Map<StepId, StepId[]>, seconds: (id: StepId) => number): { seconds: number; chain: StepId[] } {
    const finish = new Map<StepId, number>();
    const via = new Map<StepId, StepId | null>();
    for (const id of order) {
        let start = 0;
        let from: StepId | null = null;
        for (const w of waits.get(id) ?? []) {
            const f = finish.get(w);
            if (f === undefined) throw new Error(`${id} waits for ${w}, which is not before it`);
            if (f > start) [start, from] = [f, w];
        }
        finish.set(id, start + seconds(id));
        via.set(id, from);
    }
    let end: StepId | null = null;
    for (const [id, f] of finish) if (end === null || f > finish.get(end)!) end = id;
    const chain: StepId[] = [];
    for (let at = end; at !== null; at = via.get(at)!) chain.unshift(at);
    return { seconds: end === null ? 0 : finish.get(end)!, chain };
}

/**
 * The time the schedule takes on `workers` engine workers taking ready operations first come,
 * first served (ties in registration order), as the step executor's workers take chains off
 * one channel: with few workers, what the schedule allows rather than a loose lower bound.
 * Steps that take no time complete as soon as what they wait for did.
 */
export function simulatedEngine(order: StepId[], waits: Map<StepId, StepId[]>, seconds: (id: StepId) => number, workers: number): number {
    const index = new Map(order.map((id, i) => [id, i]));
    const dependents = new Map<StepId, StepId[]>(order.map((id) => [id, []]));
    const left = new Map<StepId, number>();
    for (const id of order) {
        const ws = [...new Set(waits.get(id) ?? [])];
        left.set(id, ws.length);
        for (const w of ws) dependents.get(w)!.push(id);
    }
    const readyAt = new Map<StepId, number>();
    const ready: StepId[] = [];
    const running: { id: StepId; end: number }[] = [];
    let now = 0;
    let end = 0;
    const complete = (id: StepId, at: number) => {
        end = Math.max(end, at);
        for (const d of dependents.get(id)!) {
            readyAt.set(d, Math.max(readyAt.get(d) ?? 0, at));
            left.set(d, left.get(d)! - 1);
            if (left.get(d) === 0) ready.push(d);
        }
    };
    for (const id of order) if (left.get(id) === 0) ready.push(id);
    while (ready.length || running.length) {
        ready.sort((a, b) => (readyAt.get(a) ?? 0) - (readyAt.get(b) ?? 0) || index.get(a)! - index.get(b)!);
        const i = ready.findIndex((id) => (readyAt.get(id) ?? 0) <= now && (seconds(id) === 0 || running.length < workers));
        if (i >= 0) {
            const [id] = ready.splice(i, 1);
            if (seconds(id) === 0) complete(id, now);
            else running.push({ id, end: now + seconds(id) });
            continue;
        }
        const next = Math.min(...running.map((r) => r.end), ...ready.map((id) => readyAt.get(id) ?? 0).filter((t) => t > now));
        now = next;
        for (const r of running.filter((x) => x.end <= now)) {
            running.splice(running.indexOf(r), 1);
            complete(r.id, r.end);
        }
    }
    return end;
}

/** A FIFO pool of `size` workers: each operation holds one for its time. */
function workers(size: number): (ms: number) => Promise<void> {
    let active = 0;
    const queue: (() => void)[] = [];
    return async (ms) => {
        if (active < size) active++;
        else await new Promise<void>((r) => queue.push(r));
        try {
            await new Promise((r) => setTimeout(r, ms));
        } finally {
            const next = queue.shift();
            if (next) next();
            else active--;
        }
    };
}

/** The resources whose operation runs in `run`, by `type::name`, with their schedule step. */
function operations(run: RunResult, s: Schedule): Map<string, StepId> {
    const steps = stepsByResource(run, new Map(s.revokes.map((r) => [r.secret, r.id])));
    const out = new Map<string, StepId>();
    for (const [key, step] of steps) {
        const r = run.resources.get(key)!;
        // An update whose script is a no-op (a restart's or verify's, consumers/triggeredCommand.ts) runs nothing.
        const noop = r.change === "updated" && r.type.startsWith("command:") && r.inputs.update === "true";
        if (r.change !== "same" && !noop) out.set(key, step);
    }
    return out;
}

interface Timed {
    seconds: number;
    /** When the first operation was asked for, and when the last one ended (seconds from the start). */
    firstOp: number;
    lastOp: number;
    registrations: number;
}

async function timedUp(ops: Map<string, StepId>, msPerSecond: number, parallel: number): Promise<Timed> {
    const engine = new MockEngine("rekey", "wall", true);
    await engine.run(wallInventory(0));
    const slot = workers(parallel);
    const t0 = process.hrtime.bigint();
    const now = () => Number(process.hrtime.bigint() - t0) / 1e9;
    let firstOp = Infinity;
    let lastOp = 0;
    const run = await engine.run(wallInventory(1), undefined, undefined, {
        delay: (key) => {
            if (!ops.has(key)) return undefined;
            firstOp = Math.min(firstOp, now());
            return slot(stepSeconds(ops.get(key)!) * msPerSecond).then(() => void (lastOp = Math.max(lastOp, now())));
        },
    });
    // The stack resource is the engine's, not the program's.
    return { seconds: now(), firstOp, lastOp, registrations: run.resources.size - 1 };
}

export async function wallTimeBench(repeat: number): Promise<void> {
    const msPerSecond = Number(process.env.REKEY_BENCH_MS_PER_SECOND ?? 100);
    const plan = planRotation(rawConfig(wallInventory(1)));
    const s = schedule(plan);
    // Which operations a bump of every secret runs: a first run of the same two ups.
    const probe = new MockEngine("rekey", "wall", true);
    await probe.run(wallInventory(0));
    const ops = operations(await probe.run(wallInventory(1)), s);
    const running = new Set(ops.values());
    const seconds = (id: StepId) => (running.has(id) ? stepSeconds(id) : 0);
    // In the order the program registers the steps (longest chain first): the FIFO engine's ties.
    const order = registrationOrder(s).map((st) => st.id);
    const waitsOf = new Map(s.steps.map((st) => [st.id, st.waitsFor]));
    const scheduled = criticalPath(order, waitsOf, seconds);
    const need = necessaryWaits(plan, s);
    const needed = criticalPath(order, need, seconds);
    const extra = extraWaits(s, need);
    const work = [...ops.values()].reduce((n, id) => n + stepSeconds(id), 0);
    const defaultParallel = availableParallelism() * 4;
    console.log(`\n## Wall time of a rotation (${plan.secrets.length} secrets, ${plan.consumers.length} consumers with after chains, every secret bumped)`);
    console.log(`simulated step times: ${Object.entries(STEP_SECONDS).map(([k, v]) => `${k} ${v} s`).join(", ")}; 1 simulated s = ${msPerSecond} ms here (REKEY_BENCH_MS_PER_SECOND)`);
    console.log(`engine operations that run: ${ops.size} (in ${running.size} schedule steps); ${work} simulated s of work`);
    console.log(`critical path of the schedule: ${scheduled.seconds} s; of what each step needs (plan alone): ${needed.seconds} s`);
    console.log(`  ${scheduled.chain.join(" → ")}`);
    console.log(`waits in the schedule that no step needs (not even through other steps): ${extra.length}${extra.length ? `, e.g. ${extra.slice(0, 3).join("; ")}` : ""}`);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const runs = async (o: Map<string, StepId>, parallel: number) => {
        const xs: Timed[] = [];
        for (let i = 0; i < repeat; i++) xs.push(await timedUp(o, msPerSecond, parallel));
        return xs;
    };
    const programOnly = median((await runs(new Map(), 1)).map((x) => x.seconds));
    console.log(`the same up with no step time (the program under the mock engine alone): ${programOnly.toFixed(2)} s`);
    // "first op": when the program asked for its first operation; "ops s": from then to the
    // last operation's end, in simulated seconds (what the schedule and the engine's workers decide).
    console.log(["parallel", "wall s", "first op s", "ops (sim. s)", "engine (sim.)", "wall/engine", "ops/engine", "registrations"].map((c) => c.padEnd(14)).join(""));
    const verdicts: string[] = [];
    const sim = (wall: number) => wall / (msPerSecond / 1000);
    for (const [label, parallel] of [["unlimited", Number.MAX_SAFE_INTEGER], [`${defaultParallel} (default)`, defaultParallel], ["10", 10]] as const) {
        const samples = await runs(ops, parallel);
        const at = (f: (x: Timed) => number) => median(samples.map(f));
        const wall = at((x) => x.seconds);
        const opsSim = sim(at((x) => x.lastOp - x.firstOp));
        // With P workers: the schedule's waits run on P first-come-first-served workers (unlimited: the critical path).
        const bound = simulatedEngine(order, waitsOf, seconds, parallel);
        console.log([label, wall.toFixed(2), at((x) => x.firstOp).toFixed(2), opsSim.toFixed(1), bound.toFixed(1), (sim(wall) / bound).toFixed(2), (opsSim / bound).toFixed(2), samples[0].registrations].map((c) => String(c).padEnd(14)).join(""));
        if (parallel === Number.MAX_SAFE_INTEGER) {
            const ratio = sim(wall) / scheduled.seconds;
            verdicts.push(`unlimited: wall <= 1.05 × critical path: ${ratio.toFixed(2)} ${ratio <= 1.05 ? "met" : "MISSED"} (operations alone ${(opsSim / scheduled.seconds).toFixed(2)})`);
        }
    }
    verdicts.push(`schedule's critical path = what the steps need: ${scheduled.seconds === needed.seconds ? "met" : "MISSED"}`);
    verdicts.push(`no wait beyond what a step needs: ${extra.length === 0 ? "met" : "MISSED"}`);
    console.log(verdicts.join("; "));
}
