// Deep graphs never crash the planner: `after` and derive chains 12,000 long, listed so that a
// depth-first walk from the first entry goes the whole length deep (the recursive walks
// overflowed the stack at a few thousand: RangeError), and derive inputs that share inputs
// (the leaf dates were listed once per path: exponentially many).
import fc from "fast-check";
import { topologicalOrder } from "../../components/plan/graph";
import { RekeyConfigError, planRotation } from "../../components/plan/plan";
import { derivedFrom, derivedIndex } from "../../components/plan/graph";
import { consumerDependencies, valuesInUse } from "../../components/plan/restarts";
import { CHAIN_DATE, afterChain, deriveChain } from "../harness/chains";
import { rawConfig } from "../harness/rawConfig";

const N = 12_000;

/** The recursive walk topologicalOrder was (git history, before the explicit stack): the reference it is held equal to. */
function recursiveOrder(nodes: readonly string[], depsOf: (n: string) => readonly string[]): { order: string[]; cycles: string[] } {
    const known = new Set(nodes);
    const state = new Map<string, "visiting" | "done">();
    const order: string[] = [];
    const cycles: string[] = [];
    const stack: string[] = [];
    const visit = (n: string) => {
        const s = state.get(n);
        if (s === "done") return;
        if (s === "visiting") {
            cycles.push([...stack.slice(stack.indexOf(n)), n].join(" -> "));
            return;
        }
        state.set(n, "visiting");
        stack.push(n);
        for (const d of depsOf(n)) if (known.has(d)) visit(d);
        stack.pop();
        state.set(n, "done");
        order.push(n);
    };
    for (const n of nodes) visit(n);
    return { order, cycles };
}

test("topologicalOrder gives the recursive walk's order and cycles on random graphs (unknown dependencies, self-loops, repeated edges)", () => {
    const graph = fc.integer({ min: 1, max: 30 }).chain((n) =>
        fc.tuple(fc.constant(n), fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n + 2)), { maxLength: 4 * n })),
    );
    fc.assert(
        fc.property(graph, ([n, pairs]) => {
            const nodes = Array.from({ length: n }, (_, i) => `n${i}`);
            // Targets up to n + 2: some name no node (ignored, as unknown dependencies are).
            const deps = (x: string) => pairs.filter(([a]) => `n${a}` === x).map(([, b]) => `n${b}`);
            expect(topologicalOrder(nodes, deps)).toEqual(recursiveOrder(nodes, deps));
        }),
        { numRuns: 500 },
    );
});

describe(`chains ${N} long through the planner`, () => {
    test("an after chain: consumers ordered deepest first, the secret's consumer last", () => {
        const plan = planRotation(rawConfig(afterChain(N)));
        const order = plan.consumers.map((c) => c.name);
        expect(order).toHaveLength(N);
        expect(order[0]).toBe(`c${N - 1}`);
        expect(order[N - 1]).toBe("c0");
        expect(order.every((c, i) => c === `c${N - 1 - i}`)).toBe(true);
        expect(consumerDependencies(plan).filter((d) => d.roots.length).map((d) => d.consumer.name)).toEqual(["c0"]);
    });

    test("an after chain closed into a cycle is one named problem, the whole path", () => {
        const config = afterChain(N);
        config["rekey:consumers"][`c${N - 1}`].after = ["c0"];
        let error: unknown;
        try {
            planRotation(rawConfig(config));
        } catch (e) {
            error = e;
        }
        expect(error).toBeInstanceOf(RekeyConfigError);
        const problems = (error as RekeyConfigError).problems;
        expect(problems).toHaveLength(1);
        const path = Array.from({ length: N }, (_, i) => `c${i}`);
        expect(problems[0]).toEqual({ subject: "rekey:consumers", field: "after", reason: `cycle: ${[...path, "c0"].join(" -> ")}` });
    });

    test("a derive chain: inputs first, every derived secret dated by the generated one, the consumer reads the whole chain", () => {
        const plan = planRotation(rawConfig(deriveChain(N)));
        const names = plan.secrets.map((s) => s.name);
        expect(names.every((n, i) => n === `S${N - 1 - i}`)).toBe(true);
        expect(plan.secrets.every((s) => s.changedAt === CHAIN_DATE)).toBe(true);
        const [app] = consumerDependencies(plan);
        expect(app.secrets).toHaveLength(N);
        expect(app.roots).toEqual([`S${N - 1}`]);
        expect(app.secrets).toContain(`S${N - 1}`);
        expect(derivedFrom(plan, `S${N - 1}`)).toHaveLength(N - 1);
        expect(derivedIndex(plan)(`S${N - 1}`)).toEqual(derivedFrom(plan, `S${N - 1}`));
        expect(valuesInUse(plan).size).toBe(0);
    });

    test("a derive chain closed into a cycle is one named problem", () => {
        const config = deriveChain(N);
        config["rekey:secrets"][`S${N - 1}`] = { derive: "{{S0}}" };
        expect(() => planRotation(rawConfig(config))).toThrow(`cycle: S0 -> S1 -> S2 -> `);
    });

    test("derive inputs that share inputs (each secret from the next two): one date per secret, not one per path", () => {
        // 2^(N/1.44) paths to the generated secret: listing a date per path never finished.
        const plan = planRotation(rawConfig(deriveChain(N, { diamond: true })));
        expect(plan.secrets).toHaveLength(N);
        expect(plan.secrets.every((s) => s.changedAt === CHAIN_DATE)).toBe(true);
    }, 10_000);
});

test("a derived secret's date is its own rotatedAt, else the latest of the secrets it is derived from, transitively", () => {
    const config = deriveChain(5, { diamond: true });
    const secrets = config["rekey:secrets"];
    secrets.S4.rotatedAt = "2026-03-01";
    secrets.S3 = { epoch: 1, rotatedAt: "2026-05-01", generate: { encoding: "hex", bytes: 16 } };
    secrets.S2.rotatedAt = "2026-09-09"; // its own date, not passed on to what is derived from it
    const plan = planRotation(rawConfig(config));
    const changed = Object.fromEntries(plan.secrets.map((s) => [s.name, s.changedAt]));
    expect(changed).toEqual({ S4: "2026-03-01", S3: "2026-05-01", S2: "2026-09-09", S1: "2026-05-01", S0: "2026-05-01" });
});
