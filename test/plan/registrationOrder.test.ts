// The order the program registers the schedule's steps in (components/plan/registrationOrder.ts):
// every step after what it waits for, and the steps the longest chain needs first. Over the
// wall-time bench's inventory (bench/wallTime.ts): the longest chain is c0's restart and the
// `after` chain behind it, so everything c0's restart waits for comes before anything else.
import { wallInventory } from "../../bench/wallTime";
import { planRotation } from "../../components/plan/plan";
import { registrationOrder } from "../../components/plan/registrationOrder";
import { Schedule, StepId, schedule } from "../../components/plan/schedule";
import { rawConfig } from "../harness/rawConfig";

function closure(s: Schedule, id: StepId): Set<StepId> {
    const byId = new Map(s.steps.map((st) => [st.id, st]));
    const out = new Set<StepId>();
    const todo = [id];
    while (todo.length) {
        const x = todo.pop()!;
        if (out.has(x)) continue;
        out.add(x);
        todo.push(...byId.get(x)!.waitsFor);
    }
    return out;
}

test("every step once, each after every step it waits for", () => {
    const s = schedule(planRotation(rawConfig(wallInventory(1))));
    const order = registrationOrder(s).map((st) => st.id);
    expect([...order].sort()).toEqual(s.steps.map((st) => st.id).sort());
    const at = new Map(order.map((id, i) => [id, i]));
    const late = s.steps.flatMap((st) => st.waitsFor.filter((w) => at.get(w)! > at.get(st.id)!).map((w) => `${st.id} before ${w}`));
    expect(late).toEqual([]);
});

test("what the longest chain's first restart waits for comes first, and that restart right after it", () => {
    const s = schedule(planRotation(rawConfig(wallInventory(1))));
    const order = registrationOrder(s).map((st) => st.id);
    const needed = closure(s, "restart:c0");
    expect(needed.size).toBeGreaterThan(50);
    expect(new Set(order.slice(0, needed.size))).toEqual(needed);
    expect(order[needed.size - 1]).toBe("restart:c0");
    // The schedule's own order puts every store and read-back before any restart.
    expect(s.steps.findIndex((st) => st.id === "restart:c0")).toBeGreaterThan(needed.size);
});

test("independent chains go longest first, ties in the schedule's order", () => {
    const s = schedule(
        planRotation(
            rawConfig({
                "rekey:consumers": { api: { restart: "true", verify: { command: "true" } }, web: { restart: "true" } },
                "rekey:secrets": {
                    SHORT: { epoch: 1, generate: { encoding: "hex", bytes: 16 }, stores: [{ ssm: { prefix: "/p/" } }] },
                    LONG: { epoch: 1, generate: { encoding: "hex", bytes: 16 }, stores: [{ ssm: { prefix: "/p/" } }], consumers: ["api"] },
                },
            }),
        ),
    );
    const order = registrationOrder(s).map((st) => st.id);
    // LONG's store, read-back, restart and verify (weights 1 + 1 + 5 + 2) before SHORT's store and read-back
    // (1 + 1); verify:api and SHORT's store tie (2 each): the schedule's order.
    expect(order).toEqual(["store:ssm:/p/LONG", "readBack:ssm:/p/LONG", "restart:api", "store:ssm:/p/SHORT", "verify:api", "readBack:ssm:/p/SHORT"]);
    expect(s.steps.map((st) => st.id).indexOf("store:ssm:/p/SHORT")).toBeLessThan(s.steps.map((st) => st.id).indexOf("store:ssm:/p/LONG"));
});
