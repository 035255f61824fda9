import { Config, everyKindConfig, withEpoch } from "../harness/configs";
import { MockEngine } from "../harness/mockEngine";
import { inputsByResource, runWithValues } from "../harness/values";

const PW = "random:index/randomPassword:RandomPassword";

function changedResources(run: Awaited<ReturnType<typeof runWithValues>>["run"]): string[] {
    return [...run.resources.values()].filter((r) => r.change !== "same" && r.change !== "read").map((r) => `${r.type}::${r.name} ${r.change}`).sort();
}

test("re-running with unchanged config changes no resource input and no value", async () => {
    const engine = new MockEngine();
    const first = await runWithValues(engine, everyKindConfig());
    const second = await runWithValues(engine, everyKindConfig());
    expect(inputsByResource(second.run)).toEqual(inputsByResource(first.run));
    expect(changedResources(second.run)).toEqual([]);
    expect(second.values).toEqual(first.values);
    expect(second.run.outputs.rotation).toEqual(first.run.outputs.rotation);
});

test("two fresh engines give identical inputs for every resource (no clock, no randomness outside the random provider)", async () => {
    const a = await runWithValues(new MockEngine("rekey", "test", true), everyKindConfig());
    const b = await runWithValues(new MockEngine("rekey", "test", true), everyKindConfig());
    expect(Object.keys(inputsByResource(a.run)).length).toBeGreaterThan(15);
    expect(inputsByResource(a.run)).toEqual(inputsByResource(b.run));
});

test("bumping one secret's epoch changes that secret (and what derives from it) and nothing else", async () => {
    const engine = new MockEngine();
    const before = await runWithValues(engine, everyKindConfig());
    const after = await runWithValues(engine, withEpoch(everyKindConfig(), "HEX", 2));
    // Without keepPrevious the generator moves to the slot of the new epoch's parity.
    // api reads URL, derived from HEX: its restart is the one consumer that runs.
    expect(changedResources(after.run)).toEqual([
        "aws:ssm/parameter:Parameter::rekey-ssm:/t/HEX updated",
        "command:local:Command::rekey-readback:ssm:/t/HEX replaced",
        "command:local:Command::rekey-restart:api replaced",
        `${PW}::rekey-HEX-even created`,
    ]);
    expect(after.run.resources.has(`${PW}::rekey-HEX-odd`)).toBe(false);
    for (const name of Object.keys(before.values)) {
        if (name === "HEX" || name === "URL") expect(after.values[name]).not.toBe(before.values[name]);
        else expect(after.values[name]).toBe(before.values[name]);
    }
    expect(after.values.URL).toContain(after.values.HEX);
    const rotation = after.run.outputs.rotation;
    expect(rotation.HEX.epoch).toBe(2);
    expect(rotation.HEX.fingerprint).not.toBe(before.run.outputs.rotation.HEX.fingerprint);
    expect(rotation.URL.fingerprint).not.toBe(before.run.outputs.rotation.URL.fingerprint);
    expect(rotation.ALNUM).toEqual(before.run.outputs.rotation.ALNUM);
});

describe("keepPrevious", () => {
    const cfg = (epoch: number): Config => withEpoch(everyKindConfig(), "B64URL", epoch);

    test("after a bump n -> n+1 the previous value is exactly epoch n's, and only one generator is replaced", async () => {
        const engine = new MockEngine();
        const n = await runWithValues(engine, cfg(1));
        const n1 = await runWithValues(engine, cfg(2));
        expect(n1.previous.B64URL).toBe(n.values.B64URL);
        expect(n1.values.B64URL).not.toBe(n.values.B64URL);
        expect(changedResources(n1.run)).toEqual([`${PW}::rekey-B64URL-even replaced`]);
        const n2 = await runWithValues(engine, cfg(3));
        expect(n2.previous.B64URL).toBe(n1.values.B64URL);
        expect(changedResources(n2.run)).toEqual([`${PW}::rekey-B64URL-odd replaced`]);
    });

    test("setting the epoch back to n restores exactly epoch n's value, replaces no generator, and keeps n+1's as the previous value", async () => {
        const engine = new MockEngine();
        const n = await runWithValues(engine, cfg(5));
        const n1 = await runWithValues(engine, cfg(6));
        const back = await runWithValues(engine, cfg(5));
        expect(back.values.B64URL).toBe(n.values.B64URL);
        expect(back.previous.B64URL).toBe(n1.values.B64URL);
        expect(back.run.outputs.rotation.B64URL.fingerprint).toBe(n.run.outputs.rotation.B64URL.fingerprint);
        expect(back.run.outputs.rotation.B64URL.previous).toEqual({ epoch: 6, fingerprint: n1.run.outputs.rotation.B64URL.fingerprint });
        expect(changedResources(back.run)).toEqual([]);
        // Bumping to 6 again is a fresh value (a new round of the odd generator), not the one rolled back from.
        const again = await runWithValues(engine, cfg(6));
        expect(again.values.B64URL).not.toBe(n1.values.B64URL);
        expect(again.previous.B64URL).toBe(n.values.B64URL);
        expect(again.run.outputs.rotation.B64URL).toMatchObject({ epoch: 6, round: 2 });
        expect(changedResources(again.run)).toEqual([`${PW}::rekey-B64URL-even replaced`]);
    });

    test("turning keepPrevious on or off does not change the current value", async () => {
        const engine = new MockEngine();
        const without = structuredClone(everyKindConfig());
        without["rekey:secrets"].B64URL.keepPrevious = false;
        const a = await runWithValues(engine, without);
        const b = await runWithValues(engine, everyKindConfig());
        expect(b.values.B64URL).toBe(a.values.B64URL);
        expect(b.previous.B64URL).toBeDefined();
        const c = await runWithValues(engine, without);
        expect(c.values.B64URL).toBe(a.values.B64URL);
        expect(c.previous.B64URL).toBeUndefined();
    });
});

test("a supplied secret changes when, and only when, its value changes", async () => {
    const engine = new MockEngine();
    const a = await runWithValues(engine, everyKindConfig());
    const changed = everyKindConfig();
    changed["rekey:supplied"].VENDOR_KEY = "sk-test-supplied-value-0002";
    const b = await runWithValues(engine, changed);
    expect(b.values.VENDOR_KEY).toBe("sk-test-supplied-value-0002");
    expect(b.run.outputs.rotation.VENDOR_KEY.fingerprint).not.toBe(a.run.outputs.rotation.VENDOR_KEY.fingerprint);
    for (const name of Object.keys(a.values)) if (name !== "VENDOR_KEY") expect(b.values[name]).toBe(a.values[name]);
});

test("the rotation output lists epoch, date, fingerprint, stores and consumers", async () => {
    const config = everyKindConfig();
    config["rekey:secrets"].HEX.rotatedAt = "2026-10-02";
    const { run } = await runWithValues(new MockEngine(), config);
    expect(run.outputs.rotation.HEX).toEqual({
        epoch: 1,
        rotatedAt: "2026-10-02",
        fingerprint: expect.stringMatching(/^hmac-sha256:[0-9a-f]{32}$/),
        previous: null,
        stores: ["ssm:/t/HEX"],
        consumers: [],
        proof: { stores: { "ssm:/t/HEX": "read back" }, consumers: {} },
    });
    expect(run.outputs.rotation.URL).toMatchObject({ epoch: null, rotatedAt: "2026-10-02", consumers: ["api"] });
});
