// Upgrading a stack deployed by rekey 0.1's standalone program (every resource at the
// stack's root, unprefixed) to `new Rotation("rekey", fromStackConfig())` replaces, updates
// and deletes nothing: every resource takes over its old URN through an alias, as the
// engine resolves them (test/harness/urns.ts ports step_generator.go generateAliases).
// The fixtures are the mock backend's state after 0.1 deployed each sample stack
// (deterministic engine, exported by test/harness/mockEngine.ts exportState at 0.1).
import { readFileSync } from "fs";
import { join } from "path";
import { MockEngine, StateFixture } from "../harness/mockEngine";
import { ROOT, loadStackFile } from "../harness/stackFile";

const fixture = (stack: string): StateFixture => JSON.parse(readFileSync(join(ROOT, "test", "fixtures", "state-0.1", `${stack}.json`), "utf8"));

/**
 * The stack's inventory as 0.1 deployed it. The local stack gained its proof key after 0.1
 * (REKEY_PROOF_KEY and its verify's proof, docs/proof.md): that is a change of inventory,
 * which a later pulumi up deploys like any new secret, not part of the upgrade.
 */
function inventoryOf01(stack: string, config: Record<string, any>): Record<string, any> {
    if (stack !== "local") return config;
    const c = structuredClone(config);
    delete c["rekey:secrets"].REKEY_PROOF_KEY;
    delete c["rekey:consumers"].app.verify.proof;
    return c;
}

describe.each(["production", "staging", "local"])("upgrading the %s stack from 0.1", (stack) => {
    test("changes no resource and deletes none; every 0.1 resource is taken over by an alias", async () => {
        const engine = new MockEngine("rekey", stack, true);
        const old = fixture(stack);
        engine.importState(old);
        const loaded = loadStackFile(stack);
        loaded.config = inventoryOf01(stack, loaded.config);
        const run = await engine.run(loaded.config, undefined, loaded.secretKeys);
        const changed = [...run.resources.values()].filter((r) => r.change !== "same" && r.change !== "read").map((r) => `${r.type}::${r.name} ${r.change}`);
        // The Rotation itself is the one new resource, with the stores' read-backs (they read
        // each store once: schedule.ts ReadBackStep); nothing else changes.
        const readBack = (c: string) => /^command:(local|remote):Command::rekey-readback:\S+ created$/.test(c);
        expect(changed.filter((c) => !readBack(c))).toEqual(["pulumi-rekey:index:Rotation::rekey created"]);
        expect(engine.deleted).toEqual([]);
        const oldUrns = old.resources.map((r) => r.urn).filter((u) => !u.includes("pulumi:pulumi:Stack::"));
        const takenOver = [...run.resources.values()].flatMap((r) => (r.aliasedFrom ? [r.aliasedFrom] : []));
        expect(takenOver.sort()).toEqual(oldUrns.sort());
        // The rotation record reads the same: the deployed state carries over.
        // (Each record gains what the rotation proved: `proof`.)
        const withoutProof = (r: Record<string, Record<string, unknown>>) => Object.fromEntries(Object.entries(r).map(([n, { proof, ...rest }]) => [n, rest]));
        expect(withoutProof(run.outputs.rotation)).toEqual(old.stackOutputs.rotation);
        // And a second run is a no-op with the new URNs.
        const again = await engine.run(loaded.config, undefined, loaded.secretKeys);
        expect([...again.resources.values()].filter((r) => r.change !== "same" && r.change !== "read")).toEqual([]);
    });
});

test("control: without the aliases (a Rotation named otherwise) the same state would be deleted and created anew", async () => {
    const engine = new MockEngine("rekey", "staging", true);
    engine.importState(fixture("staging"));
    const loaded = loadStackFile("staging");
    const run = await engine.run(loaded.config, async () => {
        const { Rotation } = require("../../index") as typeof import("../../index");
        const { fromStackConfig } = require("../../components/stackConfig") as typeof import("../../components/stackConfig");
        const r = new Rotation("musehub", fromStackConfig());
        await (require("../../components/rotation") as typeof import("../../components/rotation")).deploymentOf(r);
        return { rotation: r.rotation };
    }, loaded.secretKeys);
    expect([...run.resources.values()].filter((r) => r.aliasedFrom)).toEqual([]);
    expect(engine.deleted.length).toBe(fixture("staging").resources.length - 1);
});
