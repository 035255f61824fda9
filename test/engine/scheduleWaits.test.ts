// The schedule waits for nothing a step does not need: over the wall-time bench's inventory
// (bench/wallTime.ts: 100 secrets, 10 consumers with `after` chains, shared stores, hooks,
// derived secrets) every wait is one that what the plan says each step needs implies
// (`necessaryWaits`, read from the plan, not from the schedule), and both give the same
// critical path. Also the bench's own arithmetic on small graphs.
import { criticalPath, extraWaits, necessaryWaits, simulatedEngine, wallInventory } from "../../bench/wallTime";
import { planRotation } from "../../components/plan/plan";
import { schedule } from "../../components/plan/schedule";
import { rawConfig } from "../harness/rawConfig";

const SECONDS: Record<string, number> = { hook: 2, store: 1, revoke: 1, restart: 5, verify: 2, finalize: 1 };
const seconds = (id: string) => SECONDS[id.slice(0, id.indexOf(":"))];

test("no wait of the schedule beyond what its steps need, and the same critical path", () => {
    const plan = planRotation(rawConfig(wallInventory(1)));
    const s = schedule(plan);
    const need = necessaryWaits(plan, s);
    expect(extraWaits(s, need)).toEqual([]);
    const order = s.steps.map((st) => st.id);
    const scheduled = criticalPath(order, new Map(s.steps.map((st) => [st.id, st.waitsFor])), seconds);
    expect(scheduled.seconds).toBe(criticalPath(order, need, seconds).seconds);
    // hook 2 + store 1 + (restart 5 + verify 2) × c0, c2, c4, c8 + restart 5 × c1, c3.
    expect(scheduled.seconds).toBe(41);
});

test("a wait the steps do not need is reported (a restart behind a derived secret's input's store)", () => {
    const plan = planRotation(
        rawConfig({
            "rekey:consumers": { worker: { restart: "true" } },
            "rekey:secrets": {
                A: { epoch: 1, generate: { encoding: "hex", bytes: 16 }, stores: [{ ssm: { prefix: "/p/" } }] },
                D: { derive: "x{{A}}", stores: [{ ssm: { prefix: "/p/" } }], consumers: ["worker"] },
            },
        }),
    );
    const s = schedule(plan);
    const widened = { ...s, steps: s.steps.map((st) => (st.id === "restart:worker" ? { ...st, waitsFor: [...st.waitsFor, "store:ssm:/p/A"] } : st)) };
    expect(extraWaits(widened, necessaryWaits(plan, s))).toEqual(["restart:worker waits for store:ssm:/p/A"]);
});

test("critical path and a first-come-first-served engine on a small graph", () => {
    // a and b (1 s each) independent, c (1 s) after both, d (3 s) independent.
    const order = ["a:1", "b:1", "d:1", "c:1"];
    const waits = new Map([["c:1", ["a:1", "b:1"]]]);
    const time = (id: string) => (id.startsWith("d") ? 3 : 1);
    expect(criticalPath(order, waits, time)).toEqual({ seconds: 3, chain: ["d:1"] });
    expect(simulatedEngine(order, waits, time, 100)).toBe(3);
    // One worker: everything in turn.
    expect(simulatedEngine(order, waits, time, 1)).toBe(6);
    // Two workers: a and b first, then d (first come) and c beside it.
    expect(simulatedEngine(order, waits, time, 2)).toBe(4);
});
