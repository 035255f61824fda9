// A whole rotation for real: the mock run's command resources are replayed as the command
// provider would run them, against a local service that loaded its .env at start.
import { mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { Config } from "../harness/configs";
import { MockEngine } from "../harness/mockEngine";
import { freePort, getJson } from "../harness/net";
import { PROOF_KEY, localServiceConsumer, restartCount, serviceFingerprint, stopService, waitForExit } from "../harness/localService";
import { replay } from "../harness/replay";
import { runWithValues } from "../harness/values";

let dir: string;
let port: number;
let state: string;

beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "rekey-local-"));
    state = join(dir, "state");
    port = await freePort();
});
afterAll(async () => {
    stopService(state);
    await waitForExit(state).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
});

function config(epochs: { SESSION_SECRET: number; API_TOKEN: number; UNRELATED: number }): Config {
    const env = join(dir, "app.env");
    return {
        "rekey:consumers": {
            app: localServiceConsumer(state, env, port, 20, { proof: true }),
        },
        "rekey:secrets": {
            SESSION_SECRET: { epoch: epochs.SESSION_SECRET, generate: { encoding: "hex", bytes: 32 }, keepPrevious: true, stores: [{ dotenv: { path: env } }], consumers: ["app"] },
            API_TOKEN: { epoch: epochs.API_TOKEN, generate: { encoding: "base64url", bytes: 32 }, stores: [{ dotenv: { path: env } }, { file: { path: join(dir, "secrets", "api_token") } }], consumers: ["app"] },
            // The proof key: the service proves its values under it, the verify checks them.
            [PROOF_KEY]: { epoch: 1, generate: { encoding: "hex", bytes: 32 }, stores: [{ dotenv: { path: env } }], consumers: ["app"] },
            UNRELATED: { epoch: epochs.UNRELATED, generate: { encoding: "hex", bytes: 16 }, stores: [{ dotenv: { path: join(dir, "other.env") } }] },
        },
    };
}

test("bump, replay: the service runs with the new value; unrelated bumps restart nothing; two bumps restart once", async () => {
    const engine = new MockEngine();
    const health = () => getJson(`http://127.0.0.1:${port}/health`);
    const fp = (name: string, value: string) => serviceFingerprint(r.values[PROOF_KEY], name, value);

    let r = await runWithValues(engine, config({ SESSION_SECRET: 1, API_TOKEN: 1, UNRELATED: 1 }));
    let out = await replay(engine, r.run);
    expect(out.failed).toEqual([]);
    expect(restartCount(state)).toBe(1);
    let h = await health();
    expect(h.rekey.SESSION_SECRET).toBe(fp("SESSION_SECRET", r.values.SESSION_SECRET));
    expect(h.rekey.SESSION_SECRET_PREVIOUS).toBe(fp("SESSION_SECRET_PREVIOUS", r.previous.SESSION_SECRET));
    expect(h.rekey.API_TOKEN).toBe(fp("API_TOKEN", r.values.API_TOKEN));
    const firstPid = h.pid;

    // Bump SESSION_SECRET: stores written, the service restarted once, its verify passed.
    const before = r.values.SESSION_SECRET;
    r = await runWithValues(engine, config({ SESSION_SECRET: 2, API_TOKEN: 1, UNRELATED: 1 }));
    out = await replay(engine, r.run);
    expect(out.failed).toEqual([]);
    // The .env file is read back after its write and before the restart (schedule.ts ReadBackStep).
    expect(out.ran).toEqual(["rekey-dotenv:local:" + join(dir, "app.env"), "rekey-readback:dotenv:local:" + join(dir, "app.env"), "rekey-restart:app", "rekey-verify:app"]);
    expect(restartCount(state)).toBe(2);
    h = await health();
    expect(h.pid).not.toBe(firstPid);
    expect(h.rekey.SESSION_SECRET).toBe(fp("SESSION_SECRET", r.values.SESSION_SECRET));
    expect(h.rekey.SESSION_SECRET_PREVIOUS).toBe(fp("SESSION_SECRET_PREVIOUS", before));

    // Bump a secret the service does not read: its store is written, nothing restarts.
    r = await runWithValues(engine, config({ SESSION_SECRET: 2, API_TOKEN: 1, UNRELATED: 2 }));
    out = await replay(engine, r.run);
    expect(out.ran).toEqual(["rekey-dotenv:local:" + join(dir, "other.env"), "rekey-readback:dotenv:local:" + join(dir, "other.env")]);
    expect(restartCount(state)).toBe(2);

    // Bump both of its secrets: one restart.
    r = await runWithValues(engine, config({ SESSION_SECRET: 3, API_TOKEN: 2, UNRELATED: 2 }));
    out = await replay(engine, r.run);
    expect(out.failed).toEqual([]);
    expect(out.ran.filter((n) => n === "rekey-restart:app")).toHaveLength(1);
    expect(restartCount(state)).toBe(3);
    h = await health();
    expect(h.rekey.SESSION_SECRET).toBe(fp("SESSION_SECRET", r.values.SESSION_SECRET));
    expect(h.rekey.API_TOKEN).toBe(fp("API_TOKEN", r.values.API_TOKEN));

    // Unchanged config: nothing runs at all.
    r = await runWithValues(engine, config({ SESSION_SECRET: 3, API_TOKEN: 2, UNRELATED: 2 }));
    out = await replay(engine, r.run);
    expect(out.ran).toEqual([]);
});
