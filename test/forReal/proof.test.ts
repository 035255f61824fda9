// Consumer proof for real (docs/proof.md): the local service (examples/local/service.js)
// proves the values it loaded under the proof key; the mock run's commands are replayed as
// the command provider runs them. A service still running the old value fails its verify
// naming the consumer and the secret, and nothing after it runs; a good rotation passes,
// also when the proof key itself rotates.
import { execFileSync } from "child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { proofFingerprint } from "../../components/fingerprint";
import { Config } from "../harness/configs";
import { MockEngine, resource } from "../harness/mockEngine";
import { freePort, getJson } from "../harness/net";
import { PROOF_KEY, RESTART_SCRIPT, localServiceConsumer, restartCount, stopService, waitForExit } from "../harness/localService";
import { replay } from "../harness/replay";
import { runWithValues } from "../harness/values";

let dir: string;
let port: number;
let state: string;
let env: string;
let laterLog: string;

beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "rekey-proof-"));
    state = join(dir, "state");
    env = join(dir, "app.env");
    laterLog = join(dir, "later.log");
    port = await freePort();
});
afterAll(async () => {
    stopService(state);
    await waitForExit(state).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
});

/** `app` proves its values; `later` restarts after it. With `stale`, app's restart leaves the running service alone. */
function config(epochs: { SESSION_SECRET: number; API_TOKEN: number; PROOF: number }, o: { stale?: boolean } = {}): Config {
    const app = localServiceConsumer(state, env, port, 3, { proof: true });
    return {
        "rekey:consumers": {
            app: o.stale ? { ...app, restart: `echo 'restart that does not restart' >/dev/null` } : app,
            later: { restart: `echo later >>'${laterLog}'`, after: ["app"] },
        },
        "rekey:secrets": {
            [PROOF_KEY]: { epoch: epochs.PROOF, generate: { encoding: "hex", bytes: 32 }, stores: [{ dotenv: { path: env } }], consumers: ["app"] },
            SESSION_SECRET: { epoch: epochs.SESSION_SECRET, generate: { encoding: "hex", bytes: 32 }, stores: [{ dotenv: { path: env } }], consumers: ["app", "later"] },
            API_TOKEN: { epoch: epochs.API_TOKEN, generate: { encoding: "base64url", bytes: 32 }, stores: [{ dotenv: { path: env } }], consumers: ["app"] },
        },
    };
}

const laterRuns = () => (existsSync(laterLog) ? readFileSync(laterLog, "utf8").split("\n").filter(Boolean).length : 0);

test("a service still running the old value fails its verify naming consumer and secret, and nothing after it runs; the fixed service passes", async () => {
    const engine = new MockEngine();
    const health = () => getJson(`http://127.0.0.1:${port}/health`);

    // First up: the service starts with every value and proves them.
    let r = await runWithValues(engine, config({ SESSION_SECRET: 1, API_TOKEN: 1, PROOF: 1 }));
    // What the verify expects is in its environment, secret, never in its command.
    const verify = resource(r.run, "command:local:Command", "rekey-verify:app");
    expect(Object.keys(verify.inputs.environment)).toEqual(["REKEY_PROOF"]);
    expect(verify.leaves.filter((l) => l.path.startsWith("environment")).map((l) => [l.path, l.secret])).toEqual([["environment.REKEY_PROOF", true]]);
    // Its stdout and stderr stay out of plain state.
    expect(verify.additionalSecretOutputs).toEqual(["stdout", "stderr"]);
    for (const v of Object.values(r.values)) expect(verify.inputs.create).not.toContain(v);
    let out = await replay(engine, r.run);
    expect(out.failed).toEqual([]);
    expect(out.ran).toEqual([`rekey-dotenv:local:${env}`, `rekey-readback:dotenv:local:${env}`, "rekey-restart:app", "rekey-verify:app", "rekey-restart:later"]);
    const passed = out.executed.find((e) => e.key.endsWith("rekey-verify:app"))!;
    expect(passed.stdout).toMatch(/answered 200 with proof of SESSION_SECRET, API_TOKEN\n$/);
    expect((await health()).rekey.SESSION_SECRET).toBe(proofFingerprint(r.values[PROOF_KEY], "SESSION_SECRET", r.values.SESSION_SECRET));
    expect(laterRuns()).toBe(1);
    const old = r.values;

    // Bump SESSION_SECRET, but app's restart does not restart it: it still runs the old value.
    r = await runWithValues(engine, config({ SESSION_SECRET: 2, API_TOKEN: 1, PROOF: 1 }, { stale: true }));
    out = await replay(engine, r.run);
    expect(out.failed).toEqual(["command:local:Command::rekey-verify:app"]);
    expect(out.skipped).toEqual(["command:local:Command::rekey-restart:later"]);
    expect(laterRuns()).toBe(1);
    const failed = out.executed.find((e) => e.key.endsWith("rekey-verify:app"))!;
    expect(failed.stderr).toBe(
        `rekey: verify failed: consumer app: http://127.0.0.1:${port}/health did not prove the values it loaded within 3s (last: not the new value of SESSION_SECRET)\n`,
    );
    // API_TOKEN did not change: the service proves it. No value and no fingerprint in the output.
    const fingerprints = [r.values, old].flatMap((vs) => Object.entries(vs).map(([n, v]) => proofFingerprint(vs[PROOF_KEY], n, v)));
    for (const secret of [...Object.values(r.values), ...Object.values(old), ...fingerprints]) {
        expect(failed.stdout + failed.stderr).not.toContain(secret);
    }
    expect((await health()).rekey.SESSION_SECRET).toBe(proofFingerprint(old[PROOF_KEY], "SESSION_SECRET", old.SESSION_SECRET));

    // Fixed by hand (the operator restarts the service, which loads the new .env): the next
    // pulumi up runs the failed verify again, which passes, and what waited for it.
    execFileSync("sh", [RESTART_SCRIPT, state, env, String(port)]);
    r = await runWithValues(engine, config({ SESSION_SECRET: 2, API_TOKEN: 1, PROOF: 1 }));
    out = await replay(engine, r.run);
    expect(out.failed).toEqual([]);
    expect(out.ran).toEqual(["rekey-restart:app", "rekey-verify:app", "rekey-restart:later"]);
    // (rekey-restart:app ran its update, a no-op: an edited restart command restarts nothing.)
    expect(out.executed.find((e) => e.key.endsWith("rekey-restart:app"))!.phase).toBe("update");
    expect(laterRuns()).toBe(2);
    expect((await health()).rekey.SESSION_SECRET).toBe(proofFingerprint(r.values[PROOF_KEY], "SESSION_SECRET", r.values.SESSION_SECRET));
});

test("the proof key rotates like any secret: the restarted service proves under the new key, one that kept the old key fails", async () => {
    const engine = new MockEngine();
    let r = await runWithValues(engine, config({ SESSION_SECRET: 1, API_TOKEN: 1, PROOF: 1 }));
    expect((await replay(engine, r.run)).failed).toEqual([]);
    const restarts = restartCount(state);
    const oldKey = r.values[PROOF_KEY];

    // Only the proof key rotates, and app is not restarted: every fingerprint is under the old key.
    r = await runWithValues(engine, config({ SESSION_SECRET: 1, API_TOKEN: 1, PROOF: 2 }, { stale: true }));
    expect(r.values[PROOF_KEY]).not.toBe(oldKey);
    let out = await replay(engine, r.run);
    expect(out.failed).toEqual(["command:local:Command::rekey-verify:app"]);
    expect(out.executed.find((e) => e.key.endsWith("rekey-verify:app"))!.stderr).toMatch(/\(last: not the new value of SESSION_SECRET, API_TOKEN\)\n$/);

    // Restarted, it loads the new key with the values, and proves under it.
    execFileSync("sh", [RESTART_SCRIPT, state, env, String(port)]);
    r = await runWithValues(engine, config({ SESSION_SECRET: 1, API_TOKEN: 1, PROOF: 2 }, { stale: true }));
    out = await replay(engine, r.run);
    expect(out.failed).toEqual([]);
    // (later does not read the proof key: it waited for nothing of this rotation and did not restart.)
    expect(out.ran).toEqual(["rekey-verify:app"]);
    expect(restartCount(state)).toBe(restarts + 1);
    const h = await getJson(`http://127.0.0.1:${port}/health`);
    expect(h.rekey.API_TOKEN).toBe(proofFingerprint(r.values[PROOF_KEY], "API_TOKEN", r.values.API_TOKEN));
    // The proof key itself is never reported.
    expect(Object.keys(h.rekey).sort()).toEqual(["API_TOKEN", "SESSION_SECRET"]);
});
