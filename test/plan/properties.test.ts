// Invariants of the planner over random valid inventories (fast-check): an unchanged
// configuration rotates nothing; reordering the inventory changes no restart trigger; the
// consumers a diff restarts are exactly restartCounts' coalesced set; consumers come after
// every consumer in their `after`; an invalid case added to a valid inventory is named
// exactly as alone; topological order on random graphs.
import fc from "fast-check";
import { consumerChanges, diffPlans } from "../../components/plan/diff";
import { RotationPlan, planRotation } from "../../components/plan/plan";
import { consumerDependencies, consumerRestarts, consumerTriggers, restartCounts } from "../../components/plan/restarts";
import { schedule } from "../../components/plan/schedule";
import { topologicalOrder } from "../../components/plan/graph";
import { Config } from "../harness/configs";
import { rawConfig } from "../harness/rawConfig";

/** A random valid inventory: generated secrets, derived ones over them, consumers in a random DAG. */
const inventory = fc
    .record({
        secrets: fc.integer({ min: 1, max: 12 }),
        consumers: fc.integer({ min: 1, max: 8 }),
        seed: fc.array(fc.nat(1000), { minLength: 200, maxLength: 200 }),
    })
    .map(({ secrets, consumers, seed }) => {
        let i = 0;
        const next = (n: number) => seed[i++ % seed.length] % n;
        const cNames = Array.from({ length: consumers }, (_, k) => `c${k}`);
        const config: Config = { "rekey:consumers": {}, "rekey:secrets": {} };
        cNames.forEach((c, k) => {
            const after = cNames.slice(0, k).filter(() => next(3) === 0);
            config["rekey:consumers"][c] = { restart: `restart ${c}`, ...(after.length ? { after } : {}) };
        });
        const reads = () => cNames.filter(() => next(3) === 0);
        const generated: string[] = [];
        for (let k = 0; k < secrets; k++) {
            const name = `S${k}`;
            if (generated.length && next(4) === 0) {
                const inputs = [...new Set([generated[next(generated.length)], generated[next(generated.length)]])];
                config["rekey:secrets"][name] = { derive: inputs.map((n) => `{{${n}}}`).join(":"), consumers: reads() };
            } else {
                generated.push(name);
                config["rekey:secrets"][name] = { epoch: next(5), generate: { encoding: "hex", bytes: 16 }, consumers: reads() };
            }
        }
        return config;
    });

const plan = (c: Config): RotationPlan => planRotation(rawConfig(c));
const reversed = (c: Config): Config => ({
    "rekey:consumers": Object.fromEntries(Object.entries(c["rekey:consumers"]).reverse()),
    "rekey:secrets": Object.fromEntries(Object.entries(c["rekey:secrets"]).reverse()),
});

test("an unchanged configuration rotates nothing and restarts nothing", () => {
    fc.assert(
        fc.property(inventory, (c) => {
            const p = plan(c);
            const d = diffPlans(p, plan(structuredClone(c)), new Set());
            expect([d.consumers, d.hooks, d.stores, d.secrets.rotated, d.secrets.added, d.secrets.derived, d.errors]).toEqual([[], [], [], [], [], [], []]);
        }),
        { numRuns: 200 },
    );
});

test("reordering the inventory changes no restart trigger and restarts nothing", () => {
    fc.assert(
        fc.property(inventory, (c) => {
            const a = consumerDependencies(plan(c)).map((d) => [d.consumer.name, d.secrets]);
            const b = consumerDependencies(plan(reversed(c))).map((d) => [d.consumer.name, d.secrets]);
            expect(new Map(b as [string, string[]][])).toEqual(new Map(a as [string, string[]][]));
            expect(diffPlans(plan(c), plan(reversed(c)), new Set()).consumers).toEqual([]);
        }),
        { numRuns: 200 },
    );
});

test("the consumers a diff restarts for random bumps are exactly restartCounts' coalesced set", () => {
    let restarting = 0;
    fc.assert(
        fc.property(inventory, fc.array(fc.nat(11), { maxLength: 6 }), (c, picks) => {
            const base = plan(c);
            const generated = base.secrets.filter((s) => s.source.kind === "generate").map((s) => s.name);
            const bumped = new Set(picks.map((k) => generated[k % generated.length]));
            const head = structuredClone(c);
            for (const n of bumped) head["rekey:secrets"][n].epoch += 1;
            const restarted = diffPlans(base, plan(head), new Set()).consumers.map((x) => x.name).sort();
            const coalesced = consumerDependencies(base).filter((d) => d.roots.some((r) => bumped.has(r))).map((d) => d.consumer.name).sort();
            expect(restarted).toEqual(coalesced);
            expect(restarted.length).toBe(restartCounts(base, bumped).coalesced);
            if (restarted.length) restarting++;
        }),
        { numRuns: 200 },
    );
    // Not vacuous: many of the random bumps restart something.
    expect(restarting).toBeGreaterThan(50);
});

test("consumerRestarts (rekey status) is the schedule's restarts, with adopted values in use among the secrets read", () => {
    fc.assert(
        fc.property(inventory, fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }), (c, adopted) => {
            // Some generated secrets adopted at epoch 0: their values (and derived ones' over only them) are in use.
            const supplied: Record<string, unknown> = {};
            for (const [name, s] of Object.entries(c["rekey:secrets"]) as [string, Record<string, unknown>][]) {
                if (s.generate && adopted[Number(name.slice(1))]) {
                    Object.assign(s, { epoch: 0, adopt: true });
                    supplied[name] = "in use";
                }
            }
            const p = plan({ ...c, "rekey:supplied": supplied });
            expect(consumerRestarts(p)).toEqual(new Map(schedule(p).consumers.map((s) => [s.consumer.name, s.restarts])));
        }),
        { numRuns: 300 },
    );
});

test("consumerTriggers is the schedule's reads, restarts and triggers; consumerChanges (rekey bump) is the diff's consumers", () => {
    fc.assert(
        fc.property(inventory, fc.array(fc.nat(3), { minLength: 12, maxLength: 12 }), (c, moves) => {
            // The head: some generated secrets bumped, some adopted at epoch 0 (values in use), some with their reads changed.
            const head = structuredClone(c);
            const supplied: Record<string, unknown> = {};
            for (const [name, s] of Object.entries(head["rekey:secrets"]) as [string, Record<string, unknown>][]) {
                const move = moves[Number(name.slice(1))];
                if (!s.generate || move === 0) continue;
                if (move === 1) s.epoch = (s.epoch as number) + 1;
                else if (move === 2) {
                    Object.assign(s, { epoch: 0, adopt: true });
                    supplied[name] = "in use";
                } else s.consumers = [...(s.consumers as string[])].reverse().slice(1);
            }
            const b = plan(c);
            const h = plan({ ...head, "rekey:supplied": supplied });
            const steps = schedule(h).consumers.map((x) => ({ consumer: x.consumer, reads: x.reads, restarts: x.restarts, triggers: x.triggers.map((t) => t.secret) }));
            expect(consumerTriggers(h)).toEqual(steps);
            for (const [from, to] of [[b, h], [h, b], [null, h]] as const) expect(consumerChanges(from, to, new Set())).toEqual(diffPlans(from, to, new Set()).consumers);
        }),
        { numRuns: 300 },
    );
});

test("consumers are ordered after every consumer in their after, whatever the DAG", () => {
    fc.assert(
        fc.property(inventory, (c) => {
            for (const p of [plan(c), plan(reversed(c))]) {
                const at = new Map(p.consumers.map((x, i) => [x.name, i]));
                for (const x of p.consumers) for (const a of x.after) expect(at.get(a)!).toBeLessThan(at.get(x.name)!);
            }
        }),
        { numRuns: 200 },
    );
});

test("random valid inventories validate, and one invalid case added to one is named exactly as alone", () => {
    const { INVALID_CASES } = require("../harness/invalidConfigs") as typeof import("../harness/invalidConfigs");
    const { RekeyConfigError } = require("../../components/plan/model") as typeof import("../../components/plan/model");
    const problemsOf = (c: Config) => {
        try {
            planRotation(rawConfig(c));
            return [];
        } catch (e) {
            if (!(e instanceof RekeyConfigError)) throw e;
            return e.problems.map((p) => `${p.subject} | ${p.field} | ${p.reason}`).sort();
        }
    };
    // The inventory's names (S0…, c0…) are not the cases' (A, B, api…), so the union of the
    // two has exactly the case's problems: the valid part adds none, hides none.
    const merge = (valid: Config, invalid: Config): Config => {
        const out: Config = { ...valid, ...invalid };
        for (const key of ["rekey:secrets", "rekey:consumers"]) {
            if (invalid[key] !== undefined && (typeof invalid[key] !== "object" || invalid[key] === null || Array.isArray(invalid[key]))) continue;
            if (key in invalid || key in valid) out[key] = { ...valid[key], ...(invalid[key] ?? {}) };
        }
        return out;
    };
    const cases = INVALID_CASES.filter((c) => c.config["rekey:secrets"] !== undefined);
    fc.assert(
        fc.property(inventory, fc.nat(cases.length - 1), (valid, k) => {
            expect(problemsOf(valid)).toEqual([]);
            const c = cases[k];
            const alone = problemsOf(c.config);
            expect(alone.length).toBeGreaterThan(0);
            expect(problemsOf(merge(valid, c.config))).toEqual(alone);
        }),
        { numRuns: 300 },
    );
});

test("topologicalOrder on random graphs: a permutation with every dependency first, or the cycles it has", () => {
    const graph = fc.integer({ min: 1, max: 12 }).chain((n) =>
        fc.tuple(fc.constant(n), fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 3 * n }), fc.boolean()),
    );
    let cyclic = 0;
    fc.assert(
        fc.property(graph, ([n, pairs, acyclic]) => {
            const nodes = Array.from({ length: n }, (_, i) => `n${i}`);
            // Acyclic: edges only from a higher index to a lower one (a DAG); otherwise any edges.
            const edges = pairs.filter(([a, b]) => !acyclic || a > b);
            const deps = (x: string) => edges.filter(([a]) => `n${a}` === x).map(([, b]) => `n${b}`);
            const { order, cycles } = topologicalOrder(nodes, deps);
            expect([...order].sort()).toEqual([...nodes].sort());
            for (const c of cycles) {
                const path = c.split(" -> ");
                expect(path[0]).toBe(path[path.length - 1]);
                for (let i = 0; i + 1 < path.length; i++) expect(deps(path[i])).toContain(path[i + 1]);
            }
            const hasCycle = edges.some(([a, b]) => a === b) || (() => {
                // A graph has a cycle exactly when repeatedly removing nodes without dependencies leaves some.
                let left = new Set(nodes);
                for (;;) {
                    const free = [...left].filter((x) => deps(x).every((d) => !left.has(d)));
                    if (!free.length) return left.size > 0;
                    left = new Set([...left].filter((x) => !free.includes(x)));
                }
            })();
            expect(cycles.length > 0).toBe(hasCycle);
            if (hasCycle) cyclic++;
            else {
                const at = new Map(order.map((x, i) => [x, i]));
                for (const [a, b] of edges) expect(at.get(`n${b}`)!).toBeLessThan(at.get(`n${a}`)!);
            }
        }),
        { numRuns: 500 },
    );
    expect(cyclic).toBeGreaterThan(50);
});
