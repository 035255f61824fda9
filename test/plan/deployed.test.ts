// The deployed-epoch rules (components/plan/deployed.ts), alone and as a model of what a
// sequence of `pulumi up`s does to a secret's two generator slots, the alternating Postgres
// roles and the running service.
import fc from "fast-check";
import { epochProblems, previousAfter, readBackDue, restoring, slotsAfter } from "../../components/plan/deployed";
import { DeployedSecret, DeployedState, readDeployed } from "../../components/plan/record";
import { RotationPlan, planRotation } from "../../components/plan/plan";
import { rawConfig } from "../harness/rawConfig";

function planWith(epoch: number, opts: { keepPrevious?: boolean; hook?: "postgres" | "command"; supplied?: boolean } = {}): RotationPlan {
    const apply =
        opts.hook === "postgres"
            ? { postgres: { host: "db", roles: ["app_blue", "app_green"] } }
            : opts.hook === "command"
              ? { command: { run: "reencrypt" } }
              : undefined;
    const secret = opts.supplied
        ? { epoch, supplied: true }
        : { epoch, generate: { encoding: "hex", bytes: 16 }, keepPrevious: opts.keepPrevious ?? true, ...(apply ? { apply } : {}) };
    return planRotation(rawConfig({ "rekey:secrets": { S: secret, D: { derive: "x{{S}}" } }, ...(opts.supplied ? { "rekey:supplied": { S: "v" } } : {}) }));
}
const state = (d: DeployedSecret): DeployedState => new Map<string, DeployedSecret>([["S", d], ["D", { epoch: null, round: 1, fingerprint: "fp:d", previous: null }]]);
const S = (plan: RotationPlan) => plan.secrets.find((x) => x.name === "S")!;

describe("readDeployed", () => {
    test("a stack without a rotation output is a first deployment", () => {
        expect(readDeployed(undefined)).toBeNull();
        expect(readDeployed("text")).toBeNull();
    });
    test("reads each entry; an entry from before `previous` was recorded has no restorable previous value and round 1", () => {
        const d = readDeployed({
            A: { epoch: 4, rotatedAt: "2026-01-01", fingerprint: "fp:a", stores: [], consumers: [] },
            B: { epoch: 2, round: 2, fingerprint: "fp:b", previous: { epoch: 1, fingerprint: "fp:b1" } },
            C: { epoch: null, fingerprint: "fp:c", previous: null },
        })!;
        expect(d.get("A")).toEqual({ epoch: 4, round: 1, fingerprint: "fp:a", previous: null, stores: [] });
        expect(d.get("B")).toEqual({ epoch: 2, round: 2, fingerprint: "fp:b", previous: { epoch: 1, fingerprint: "fp:b1" } });
        expect(d.get("C")).toEqual({ epoch: null, round: 1, fingerprint: "fp:c", previous: null });
    });
});

describe("readBackDue: a read-back runs only for a write of this up, or at a drift check that moved (issue 24 item 4)", () => {
    test("the record's stores and the drift check it answered are read back from the output", () => {
        const d = readDeployed({ A: { epoch: 1, fingerprint: "fp:a", previous: null, stores: ["ssm:/t/A", 3], proof: { stores: {}, consumers: {}, proveAt: "2026-12-01" } } })!;
        expect(d.get("A")).toEqual({ epoch: 1, round: 1, fingerprint: "fp:a", previous: null, stores: ["ssm:/t/A"], proveAt: "2026-12-01" });
    });
    const d: DeployedSecret = { epoch: 2, round: 1, fingerprint: "fp:2", previous: { epoch: 1, fingerprint: "fp:1" }, stores: ["ssm:/t/A"] };
    test("the same value to a store the record lists: not read back", () => {
        expect(readBackDue(d, "ssm:/t/A", "current", { written: "fp:2", current: "fp:2" }, null)).toBe(false);
        expect(readBackDue(d, "ssm:/t/A", "previous", { written: "fp:1", current: "fp:2" }, null)).toBe(false);
        // A first deployment's previous slot is in no record: unchanged while the current value is.
        expect(readBackDue({ ...d, previous: null }, "ssm:/t/A", "previous", { written: "fp:1", current: "fp:2" }, null)).toBe(false);
    });
    test("a new value, a new store, a first deployment, a value the record does not keep: read back", () => {
        expect(readBackDue(d, "ssm:/t/A", "current", { written: "fp:3", current: "fp:3" }, null)).toBe(true);
        expect(readBackDue(d, "ssm:/t/A", "previous", { written: "fp:2", current: "fp:3" }, null)).toBe(true);
        expect(readBackDue(d, "ssm:/t/A", "previous", { written: "fp:0", current: "fp:2" }, null)).toBe(true);
        expect(readBackDue({ ...d, previous: null }, "ssm:/t/A", "previous", { written: "fp:2", current: "fp:3" }, null)).toBe(true);
        expect(readBackDue(d, "ssm:/u/A", "current", { written: "fp:2", current: "fp:2" }, null)).toBe(true);
        expect(readBackDue({ epoch: 2, round: 1, fingerprint: "fp:2", previous: null }, "ssm:/t/A", "current", { written: "fp:2", current: "fp:2" }, null)).toBe(true);
        expect(readBackDue(undefined, "ssm:/t/A", "current", { written: "fp:2", current: "fp:2" }, null)).toBe(true);
        expect(readBackDue(d, "ssm:/t/A", "user", { written: "fp:u", current: "fp:2" }, null)).toBe(true);
    });
    test("a drift check read back when its date moved (set, changed or dropped), not again once answered", () => {
        expect(readBackDue(d, "ssm:/t/A", "current", { written: "fp:2", current: "fp:2" }, "2026-12-04")).toBe(true);
        expect(readBackDue({ ...d, proveAt: "2026-12-01" }, "ssm:/t/A", "current", { written: "fp:2", current: "fp:2" }, "2026-12-04")).toBe(true);
        expect(readBackDue({ ...d, proveAt: "2026-12-04" }, "ssm:/t/A", "current", { written: "fp:2", current: "fp:2" }, null)).toBe(true);
        expect(readBackDue({ ...d, proveAt: "2026-12-04" }, "ssm:/t/A", "current", { written: "fp:2", current: "fp:2" }, "2026-12-04")).toBe(false);
    });
});

describe("epochProblems", () => {
    const d7: DeployedSecret = { epoch: 7, round: 1, fingerprint: "fp:7", previous: { epoch: 6, fingerprint: "fp:6" } };
    test("a first deployment, a new secret, the same epoch and one step forward are accepted", () => {
        expect(epochProblems(planWith(12), null)).toEqual([]);
        expect(epochProblems(planWith(12), new Map())).toEqual([]);
        expect(epochProblems(planWith(7), state(d7))).toEqual([]);
        expect(epochProblems(planWith(8), state(d7))).toEqual([]);
    });
    test("two steps or more, forward or back, are refused naming the secret, both epochs and the step to take", () => {
        expect(epochProblems(planWith(9, { hook: "postgres" }), state(d7))).toEqual([
            { subject: "secret S", field: "epoch", reason: "the last completed rotation deployed epoch 7, this configuration has epoch 9: an epoch moves one step per completed pulumi up. Set epoch to 8, run pulumi up, then move on from there" },
        ]);
        expect(epochProblems(planWith(5), state(d7))[0].reason).toMatch(/deployed epoch 7, this configuration has epoch 5: .* Set epoch to 6,/);
        expect(epochProblems(planWith(9, { supplied: true }), state(d7))[0].reason).toMatch(/Set epoch to 8/);
    });
    test("one step back restores only the deployed previous value of exactly that epoch", () => {
        expect(epochProblems(planWith(6), state(d7))).toEqual([]);
        expect(epochProblems(planWith(6, { hook: "command" }), state(d7))).toEqual([]);
        expect(epochProblems(planWith(6), state({ ...d7, previous: null }))[0].reason).toMatch(/epoch 6's value was not kept: the previous value is not one that epoch had .* Set epoch back to 7, or bump to 8 for a fresh value/);
        expect(epochProblems(planWith(6), state({ ...d7, previous: { epoch: 8, fingerprint: "fp:8" } }))[0].reason).toMatch(/epoch 6's value was not kept: the previous value is epoch 8's/);
        // A supplied secret's value is what is supplied: its epoch may step back.
        expect(epochProblems(planWith(6, { supplied: true }), state(d7))).toEqual([]);
    });
    test("restoring names the deployed value a rollback must reproduce", () => {
        expect(restoring(S(planWith(6)), state(d7))).toEqual({ epoch: 6, fingerprint: "fp:6" });
        expect(restoring(S(planWith(8)), state(d7))).toBeNull();
    });
});

describe("slotsAfter: no step re-keys the slot that holds the deployed value", () => {
    const d7: DeployedSecret = { epoch: 7, round: 1, fingerprint: "fp:7", previous: { epoch: 6, fingerprint: "fp:6" } };
    test("a first deployment uses the planner's slots", () => {
        expect(slotsAfter(S(planWith(7)), null)).toEqual([
            { parity: "odd", epoch: 7, round: 1, role: "current" },
            { parity: "even", epoch: 6, round: 1, role: "previous" },
        ]);
    });
    test("unchanged: the same keepers; a bump: the deployed slot becomes the previous one; a rollback: the slots swap roles", () => {
        expect(slotsAfter(S(planWith(7)), state(d7))).toEqual(S(planWith(7)).slots);
        expect(slotsAfter(S(planWith(8)), state(d7))).toEqual([
            { parity: "even", epoch: 8, round: 1, role: "current" },
            { parity: "odd", epoch: 7, round: 1, role: "previous" },
        ]);
        expect(slotsAfter(S(planWith(6)), state(d7))).toEqual([
            { parity: "even", epoch: 6, round: 1, role: "current" },
            { parity: "odd", epoch: 7, round: 1, role: "previous" },
        ]);
    });
    test("after a rollback, the previous slot holds the value rolled back from; bumping to its epoch again takes a new round", () => {
        const rolledBack: DeployedSecret = { epoch: 6, round: 1, fingerprint: "fp:6", previous: { epoch: 7, fingerprint: "fp:7" } };
        expect(slotsAfter(S(planWith(6)), state(rolledBack))).toEqual([
            { parity: "even", epoch: 6, round: 1, role: "current" },
            { parity: "odd", epoch: 7, round: 1, role: "previous" },
        ]);
        expect(slotsAfter(S(planWith(7)), state(rolledBack))).toEqual([
            { parity: "odd", epoch: 7, round: 2, role: "current" },
            { parity: "even", epoch: 6, round: 1, role: "previous" },
        ]);
    });
    test("without keepPrevious only the current slot exists", () => {
        expect(slotsAfter(S(planWith(8, { keepPrevious: false })), state({ ...d7, previous: null }))).toEqual([{ parity: "even", epoch: 8, round: 1, role: "current" }]);
    });
});

describe("previousAfter", () => {
    const d: DeployedSecret = { epoch: 4, round: 2, fingerprint: "fp:4", previous: { epoch: 3, fingerprint: "fp:3" } };
    test("the deployed value after a bump, the deployed previous value when unchanged, otherwise none", () => {
        expect(previousAfter(d, "fp:4")).toEqual({ epoch: 4, round: 2, fingerprint: "fp:4" });
        expect(previousAfter(d, "fp:3")).toEqual({ epoch: 3, fingerprint: "fp:3" });
        expect(previousAfter(d, "fp:fresh")).toBeNull();
        expect(previousAfter(undefined, "fp:4")).toBeNull();
        expect(previousAfter(d, null)).toBeNull();
    });
});

/**
 * A model of one generated secret with keepPrevious and two alternating Postgres roles
 * across `pulumi up`s, some of which fail after the generators and the hook ran. A slot's
 * generator is replaced with a fresh value when its keepers change (terraform-provider-random:
 * every input forces replacement); fingerprints are the values themselves.
 */
describe("property: whatever epochs are configured and whichever runs fail, no running login breaks, a bump's previous value is the deployed one, and a rollback restores exactly", () => {
    type Slot = { epoch: number; round: number; value: string };
    const role = (e: number) => (e % 2 === 0 ? "app_blue" : "app_green");

    test("model", () => {
        let fresh = 0;
        fc.assert(
            fc.property(
                fc.integer({ min: 0, max: 6 }),
                fc.array(fc.record({ epoch: fc.integer({ min: 0, max: 8 }), fails: fc.boolean() }), { minLength: 1, maxLength: 25 }),
                (start, steps) => {
                    const slots = new Map<string, Slot>();
                    const roles = new Map<string, string>();
                    const everDeployed = new Set<string>();
                    let deployed: DeployedSecret | null = null;
                    let service: { role: string; value: string } | null = null;
                    const up = (epoch: number, fails: boolean): "refused" | "failed" | "done" => {
                        const s = S(planWith(epoch, { hook: "postgres" }));
                        const state: DeployedState = deployed ? new Map([["S", deployed]]) : null;
                        if (epochProblems({ secrets: [s], consumers: [], hosts: [], kubernetes: { context: null, kubeconfig: null }, proveAt: null, unchecked: [], unusedSupplied: [] }, state).length) return "refused";
                        const wanted = slotsAfter(s, state);
                        for (const w of wanted) {
                            const had = slots.get(w.parity);
                            if (!had || had.epoch !== w.epoch || had.round !== w.round) slots.set(w.parity, { epoch: w.epoch, round: w.round, value: `v${fresh++}` });
                        }
                        const current = slots.get(wanted[0].parity)!.value;
                        const previous = slots.get(wanted[1].parity)!.value;
                        const restore = restoring(s, state);
                        if (restore && restore.fingerprint !== current) return "failed"; // the program's value check: nothing written
                        // The hook sets the password of the epoch's role: never the running service's, unless unchanged.
                        if (service && service.role === role(epoch)) expect(current).toBe(service.value);
                        roles.set(role(epoch), current);
                        if (fails) return "failed";
                        const d = deployed;
                        if (d && epoch === d.epoch! + 1) {
                            expect(previous).toBe(d.fingerprint);
                            expect([...everDeployed].some((x) => x.endsWith(`:${current}`))).toBe(false);
                        }
                        if (d && epoch === d.epoch! - 1) expect(everDeployed.has(`${epoch}:${current}`)).toBe(true);
                        const prev = previousAfter(d ?? undefined, previous);
                        if (prev) expect(everDeployed.has(`${prev.epoch}:${prev.fingerprint}`)).toBe(true);
                        deployed = { epoch, round: wanted[0].round, fingerprint: current, previous: prev };
                        everDeployed.add(`${epoch}:${current}`);
                        service = { role: role(epoch), value: current };
                        return "done";
                    };
                    expect(up(start, false)).toBe("done");
                    for (const step of steps) {
                        const before = JSON.stringify([[...slots], [...roles], deployed, service]);
                        if (up(step.epoch, step.fails) === "refused") expect(JSON.stringify([[...slots], [...roles], deployed, service])).toBe(before);
                        // The running service always logs in with what its role holds.
                        expect(roles.get(service!.role)).toBe(service!.value);
                    }
                },
            ),
            { numRuns: 500 },
        );
    });

    test("the rules bite: a double bump would set the running role's password, and is refused (control)", () => {
        // From epoch 7 (role app_green in use), epoch 9 sets app_green again.
        expect(role(9)).toBe(role(7));
        expect(epochProblems(planWith(9, { hook: "postgres" }), state({ epoch: 7, round: 1, fingerprint: "v7", previous: null }))).toHaveLength(1);
    });
});
