// Store read-back under mocks (CONTRACT "Proof"; schedule.ts ReadBackStep): SSM parameters
// are read back through the provider's getParameter invoke after their write, Kubernetes
// Secrets through the object the provider answered the apply with, both before any restart
// of their readers; a store that answers another value (another writer got there) fails the
// run naming store and secret, and no reader restarts.
import { Config, withEpoch } from "../harness/configs";
import { MockEngine, RunResult } from "../harness/mockEngine";
import { replay } from "../harness/replay";
import { runWithValues } from "../harness/values";

const SSM = "aws:ssm/parameter:Parameter::rekey-ssm:/t/API_KEY";
const K8S = "kubernetes:core/v1:Secret::rekey-kubernetes:default/app-secrets";
const RESTART = "command:local:Command::rekey-restart:api";

function config(): Config {
    return {
        "rekey:consumers": { api: { restart: "true" } },
        "rekey:secrets": {
            API_KEY: { epoch: 1, generate: { encoding: "hex", bytes: 16 }, stores: [{ ssm: { prefix: "/t/" } }, { kubernetes: { secret: "app-secrets" } }], consumers: ["api"] },
            VAULTED: { epoch: 1, generate: { encoding: "hex", bytes: 16 }, stores: [{ keyVault: { vault: "kv1", resourceGroup: "rg" } }] },
        },
    };
}

const at = (run: RunResult, event: string) => {
    const i = run.events.indexOf(event);
    if (i < 0) throw new Error(`no ${event} in ${run.events.join(", ")}`);
    return i;
};

test("SSM: getParameter (withDecryption) runs after the parameter's write and before the restart; Kubernetes: its gate after the Secret's apply", async () => {
    const engine = new MockEngine();
    await runWithValues(engine, config());
    const { run } = await runWithValues(engine, withEpoch(config(), "API_KEY", 2));
    const call = at(run, "call:aws:ssm/getParameter:getParameter:/t/API_KEY");
    expect(at(run, `register:${SSM}`)).toBeLessThan(call);
    expect(call).toBeLessThan(at(run, "register:command:local:Command::rekey-readback:ssm:/t/API_KEY"));
    expect(at(run, `register:${K8S}`)).toBeLessThan(at(run, "register:command:local:Command::rekey-readback:kubernetes:default/app-secrets"));
    for (const gate of ["ssm:/t/API_KEY", "kubernetes:default/app-secrets"]) {
        expect(at(run, `register:command:local:Command::rekey-readback:${gate}`)).toBeLessThan(at(run, `register:${RESTART}`));
    }
    // The restart waits for both read-backs (its dependsOn), not only for the writes.
    const restart = run.resources.get(RESTART)!.parent!;
    expect(run.resources.get(restart)!.dependsOn).toEqual(expect.arrayContaining(["command:local:Command::rekey-readback:ssm:/t/API_KEY", "command:local:Command::rekey-readback:kubernetes:default/app-secrets"]));
    expect(run.resources.get(RESTART)!.change).toBe("replaced");
    // Key Vault is written, not read back: no read-back resource, and the record says why.
    expect(Object.entries(run.outputs.rotation.VAULTED.proof.stores)).toEqual([[expect.stringMatching(/^keyVault:kv1\//), expect.stringMatching(/^written, not read back: the Key Vault management API never returns a secret's value/)]]);
    expect(run.outputs.rotation.API_KEY.proof).toEqual({ stores: { "ssm:/t/API_KEY": "read back", "kubernetes:default/app-secrets#API_KEY": "read back" }, consumers: { api: "not proved: its restart has no verify" } });
    // One resource per read-back step, its command (issue 26: no component around it).
    expect([...run.resources.keys()].filter((k) => /readback|ReadBack/.test(k)).sort()).toEqual(["command:local:Command::rekey-readback:kubernetes:default/app-secrets", "command:local:Command::rekey-readback:ssm:/t/API_KEY"]);
});

const SIG = "4dabf18193072939515e22adb298388d";
const GATE_SSM = "command:local:Command::rekey-readback:ssm:/t/API_KEY";
const GATE_K8S = "command:local:Command::rekey-readback:kubernetes:default/app-secrets";

/** Replays the run's commands: the read-back fails naming store and secret, the restart does not run, the stack keeps its last rotation. */
async function expectFailedReadBack(engine: MockEngine, run: RunResult, gate: string, message: RegExp, values: string[]) {
    const out = await replay(engine, run);
    expect(out.failed).toEqual([gate]);
    const failed = out.executed.find((e) => e.key === gate)!;
    expect(failed.stderr).toMatch(message);
    expect(out.skipped).toContain(RESTART);
    expect(out.ran).not.toContain("rekey-restart:api");
    // Nothing of either value in the gate's command, its output or its inputs.
    for (const v of values) expect(JSON.stringify([run.resources.get(gate)!.inputs, failed.stdout, failed.stderr])).not.toContain(v);
    expect(engine.lastOutputs.rotation.API_KEY.epoch).toBe(1);
}

test("an SSM parameter that answers another value (another writer got there) fails the read-back naming store and secret; the restart does not run", async () => {
    const engine = new MockEngine();
    await runWithValues(engine, config());
    const other = "written-by-someone-else";
    const answer = { call: (token: string, r: Record<string, any>) => (token === "aws:ssm/getParameter:getParameter" ? { ...r, value: other } : undefined) };
    const { run, values } = await runWithValues(engine, withEpoch(config(), "API_KEY", 2), { answer });
    expect(run.resources.get(RESTART)!.change).toBe("replaced");
    await expectFailedReadBack(engine, run, GATE_SSM, /read-back failed: store ssm:\/t\/API_KEY holds another value than the one written for secret API_KEY \(\/t\/API_KEY\)/, [other, values.API_KEY]);
});

test("a Kubernetes Secret whose applied object holds another value fails the read-back naming store and secret; the restart does not run", async () => {
    const engine = new MockEngine();
    await runWithValues(engine, config());
    const other = Buffer.from("written-by-someone-else").toString("base64");
    const outputs = (key: string, o: Record<string, any>) =>
        key === K8S ? { ...o, data: o.data?.[SIG] ? { ...o.data, value: { ...o.data.value, API_KEY: other } } : { ...o.data, API_KEY: other } } : undefined;
    const { run, values } = await runWithValues(engine, withEpoch(config(), "API_KEY", 2), { answer: { outputs } });
    await expectFailedReadBack(engine, run, GATE_K8S, /read-back failed: store kubernetes:default\/app-secrets#API_KEY holds another value than the one written for secret API_KEY \(API_KEY\)/, ["written-by-someone-else", values.API_KEY]);
});

test("stores that hold the values written pass their read-backs, and the restart runs after them", async () => {
    const engine = new MockEngine();
    await runWithValues(engine, config());
    const { run } = await runWithValues(engine, withEpoch(config(), "API_KEY", 2));
    const out = await replay(engine, run);
    expect(out.failed).toEqual([]);
    expect(out.ran.indexOf("rekey-readback:ssm:/t/API_KEY")).toBeLessThan(out.ran.indexOf("rekey-restart:api"));
    expect(out.ran.indexOf("rekey-readback:kubernetes:default/app-secrets")).toBeLessThan(out.ran.indexOf("rekey-restart:api"));
    expect(out.executed.find((e) => e.key === GATE_SSM)!.stdout).toMatch(/rekey: SSM ssm:\/t\/API_KEY read back: it holds the values written/);
});

describe("the SSM read-back's invoke runs only for what this up writes, or at a drift check (issue 24 item 4; deployed.ts readBackDue)", () => {
    const ssmConfig = (epochs: { A: number; B: number }, proveAt?: string): Config => ({
        "rekey:consumers": { api: { restart: "true" } },
        "rekey:secrets": {
            A: { epoch: epochs.A, generate: { encoding: "hex", bytes: 16 }, keepPrevious: true, stores: [{ ssm: { prefix: "/t/" } }], consumers: ["api"] },
            B: { epoch: epochs.B, generate: { encoding: "hex", bytes: 16 }, stores: [{ ssm: { prefix: "/t/" } }], consumers: ["api"] },
        },
        ...(proveAt ? { "rekey:defaults": { proveAt } } : {}),
    });
    const calls = (run: RunResult) => run.events.filter((e) => e.startsWith("call:aws:ssm/getParameter:getParameter:")).map((e) => e.slice("call:aws:ssm/getParameter:getParameter:".length)).sort();

    test("first up: every parameter; nothing changed: none; a bump: each parameter it writes; a drift check: all, once", async () => {
        const engine = new MockEngine();
        const first = await runWithValues(engine, ssmConfig({ A: 1, B: 1 }));
        expect(calls(first.run)).toEqual(["/t/A", "/t/A_PREVIOUS", "/t/B"]);
        const again = await runWithValues(engine, ssmConfig({ A: 1, B: 1 }));
        expect(calls(again.run)).toEqual([]);
        // Its gate did not run either (its trigger, the write's digest, did not move).
        expect(again.run.resources.get("command:local:Command::rekey-readback:ssm:/t/A")!.change).toBe("same");
        const bump = await runWithValues(engine, ssmConfig({ A: 2, B: 1 }));
        expect(calls(bump.run)).toEqual(["/t/A", "/t/A_PREVIOUS"]);
        expect(calls((await runWithValues(engine, ssmConfig({ A: 2, B: 1 }))).run)).toEqual([]);
        const drift = await runWithValues(engine, ssmConfig({ A: 2, B: 1 }, "2026-12-04"));
        expect(calls(drift.run)).toEqual(["/t/A", "/t/A_PREVIOUS", "/t/B"]);
        expect(drift.run.outputs.rotation.B.proof.proveAt).toBe("2026-12-04");
        expect(calls((await runWithValues(engine, ssmConfig({ A: 2, B: 1 }, "2026-12-04"))).run)).toEqual([]);
        expect(calls((await runWithValues(engine, ssmConfig({ A: 2, B: 1 }, "2026-12-05"))).run)).toEqual(["/t/A", "/t/A_PREVIOUS", "/t/B"]);
    });

    test("a drift check that finds a parameter changed by hand fails naming store and secret; the next up checks again", async () => {
        const engine = new MockEngine();
        await runWithValues(engine, ssmConfig({ A: 1, B: 1 }));
        const answer = { call: (token: string, r: Record<string, any>) => (token === "aws:ssm/getParameter:getParameter" && r.name === "/t/B" ? { ...r, value: "edited-by-hand" } : undefined) };
        const { run } = await runWithValues(engine, ssmConfig({ A: 1, B: 1 }, "2026-12-04"), { answer });
        const out = await replay(engine, run);
        expect(out.failed).toEqual(["command:local:Command::rekey-readback:ssm:/t/B"]);
        expect(out.executed.find((e) => e.key === "command:local:Command::rekey-readback:ssm:/t/B")!.stderr).toMatch(/store ssm:\/t\/B holds another value than the one written for secret B/);
        expect(engine.lastOutputs.rotation.B.proof.proveAt).toBeUndefined();
        expect(calls((await runWithValues(engine, ssmConfig({ A: 1, B: 1 }, "2026-12-04"))).run)).toContain("/t/B");
    });
});
