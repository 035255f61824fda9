// Adopting for real: a service already runs with values a person put in its .env and a file
// (today's runbook). The adopted stack's first pulumi up, replayed as the command provider
// runs it, writes exactly those values, runs no hook and restarts nothing: the same process
// keeps running. The first bump then generates, runs the hook with OLD_VALUE = the adopted
// value, and restarts the service once; the adopted value stays as SESSION_SECRET_PREVIOUS.
import { execFileSync } from "child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { parse } from "dotenv";
import { Config } from "../harness/configs";
import { MockEngine } from "../harness/mockEngine";
import { freePort, getJson } from "../harness/net";
import { PROOF_KEY, RESTART_SCRIPT, localServiceConsumer, restartCount, serviceFingerprint, stopService, waitForExit } from "../harness/localService";
import { replay } from "../harness/replay";
import { runWithValues } from "../harness/values";

let dir: string;
let port: number;
let state: string;
let env: string;
let tokenFile: string;
let hookLog: string;

const IN_USE = { SESSION_SECRET: "4f1c0e5ad0b7a3e1c2d9f8e7b6a5c4d3", API_TOKEN: "tok_live_in-use.value~1", [PROOF_KEY]: "9a8b7c6d5e4f30211203f4e5d6c7b8a99a8b7c6d5e4f30211203f4e5d6c7b8a9" };

beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "rekey-adopt-"));
    state = join(dir, "state");
    env = join(dir, "app.env");
    tokenFile = join(dir, "secrets", "api_token");
    hookLog = join(dir, "hook.log");
    port = await freePort();
});
afterAll(async () => {
    stopService(state);
    await waitForExit(state).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
});

function config(sessionEpoch: number): Config {
    const session: Record<string, unknown> = {
        epoch: sessionEpoch,
        generate: { encoding: "hex", bytes: 16 },
        keepPrevious: true,
        // The re-encrypt step of the runbook: here it logs what it was given.
        apply: { command: { run: `printf '%s %s %s\\n' "$REKEY_INITIAL" "$OLD_VALUE" "$NEW_VALUE" >> '${hookLog}'` } },
        stores: [{ dotenv: { path: env } }],
        consumers: ["app"],
    };
    const supplied: Record<string, string> = { API_TOKEN: IN_USE.API_TOKEN, [PROOF_KEY]: IN_USE[PROOF_KEY] };
    if (sessionEpoch === 0) {
        session.adopt = true;
        supplied.SESSION_SECRET = IN_USE.SESSION_SECRET;
    }
    return {
        "rekey:consumers": {
            app: localServiceConsumer(state, env, port, 20, { proof: true }),
        },
        "rekey:secrets": {
            SESSION_SECRET: session,
            // The proof key the service already runs with, adopted like the others.
            [PROOF_KEY]: { epoch: 0, adopt: true, generate: { encoding: "hex", bytes: 32 }, stores: [{ dotenv: { path: env } }], consumers: ["app"] },
            API_TOKEN: { epoch: 0, adopt: true, generate: { encoding: "base64url", bytes: 32 }, stores: [{ dotenv: { path: env } }, { file: { path: tokenFile } }], consumers: ["app"] },
        },
        "rekey:supplied": supplied,
    };
}

test("adopted: the first pulumi up writes the values in use and leaves the running service alone; the first bump hooks with the adopted value and restarts once", async () => {
    const health = () => getJson(`http://127.0.0.1:${port}/health`);
    // The proof key is adopted and never bumped here: the one in use throughout.
    const fp = (name: string, value: string) => serviceFingerprint(IN_USE[PROOF_KEY], name, value);
    // Today's practice: a person wrote the .env and the token file, and started the service.
    writeFileSync(env, `SESSION_SECRET=${IN_USE.SESSION_SECRET}\nAPI_TOKEN=${IN_USE.API_TOKEN}\n${PROOF_KEY}=${IN_USE[PROOF_KEY]}\n`, { mode: 0o600 });
    mkdirSync(join(dir, "secrets"));
    writeFileSync(tokenFile, IN_USE.API_TOKEN, { mode: 0o600 });
    execFileSync("sh", [RESTART_SCRIPT, state, env, String(port)]);
    let h = await waitForHealth(health);
    const pid = h.pid;
    expect(h.rekey.SESSION_SECRET).toBe(fp("SESSION_SECRET", IN_USE.SESSION_SECRET));
    expect(restartCount(state)).toBe(1);

    const engine = new MockEngine();
    let r = await runWithValues(engine, config(0));
    let out = await replay(engine, r.run);
    expect(out.failed).toEqual([]);
    // Only the stores ran (and their read-backs): no hook, no restart, no verify.
    expect(out.ran).toEqual([`rekey-dotenv:local:${env}`, `rekey-file:local:${tokenFile}`, `rekey-readback:dotenv:local:${env}`, `rekey-readback:file:${tokenFile}`]);
    const written = parse(readFileSync(env));
    expect(written.SESSION_SECRET).toBe(IN_USE.SESSION_SECRET);
    expect(written.API_TOKEN).toBe(IN_USE.API_TOKEN);
    expect(written.SESSION_SECRET_PREVIOUS).toBe(r.previous.SESSION_SECRET);
    expect(readFileSync(tokenFile, "utf8")).toBe(IN_USE.API_TOKEN);
    expect(existsSync(hookLog)).toBe(false);
    expect(restartCount(state)).toBe(1);
    h = await health();
    expect(h.pid).toBe(pid);
    expect(h.rekey.API_TOKEN).toBe(fp("API_TOKEN", IN_USE.API_TOKEN));

    // The first bump (rekey bump removed adopt; the supplied copy is deleted too).
    r = await runWithValues(engine, config(1));
    out = await replay(engine, r.run);
    expect(out.failed).toEqual([]);
    expect(out.ran).toEqual(["rekey-command-hook:SESSION_SECRET", `rekey-dotenv:local:${env}`, `rekey-readback:dotenv:local:${env}`, "rekey-restart:app", "rekey-verify:app"]);
    expect(readFileSync(hookLog, "utf8")).toBe(`0 ${IN_USE.SESSION_SECRET} ${r.values.SESSION_SECRET}\n`);
    expect(r.values.SESSION_SECRET).not.toBe(IN_USE.SESSION_SECRET);
    expect(restartCount(state)).toBe(2);
    h = await health();
    expect(h.pid).not.toBe(pid);
    expect(h.rekey.SESSION_SECRET).toBe(fp("SESSION_SECRET", r.values.SESSION_SECRET));
    expect(h.rekey.SESSION_SECRET_PREVIOUS).toBe(fp("SESSION_SECRET_PREVIOUS", IN_USE.SESSION_SECRET));
    expect(h.rekey.API_TOKEN).toBe(fp("API_TOKEN", IN_USE.API_TOKEN));
    expect(readFileSync(tokenFile, "utf8")).toBe(IN_USE.API_TOKEN);

    // Unchanged: nothing runs.
    r = await runWithValues(engine, config(1));
    out = await replay(engine, r.run);
    expect(out.ran).toEqual([]);
});

async function waitForHealth(health: () => Promise<any>): Promise<any> {
    const deadline = Date.now() + 20000;
    for (;;) {
        try {
            return await health();
        } catch (e) {
            if (Date.now() > deadline) throw e;
            await new Promise((r) => setTimeout(r, 100));
        }
    }
}
