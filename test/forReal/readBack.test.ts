// Store read-back and the proof record for real (CONTRACT "Proof"): the mock run's commands
// replayed as the command provider runs them. A .env or secret file that another writer
// changed right after rekey's atomic rename (a `mv` on PATH that renames, then writes another
// value) fails its read-back naming store and secret, before any restart; a good rotation
// records, per secret, every store read back and every consumer that proved the value; a
// drift check (rekey:defaults.proveAt) re-runs the read-backs and the proof verify only.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { execFileSync } from "child_process";
import { tmpdir } from "os";
import { join } from "path";
import { Config } from "../harness/configs";
import { MockEngine } from "../harness/mockEngine";
import { freePort } from "../harness/net";
import { PROOF_KEY, localServiceConsumer, restartCount, stopService, waitForExit } from "../harness/localService";
import { replay } from "../harness/replay";
import { runWithValues } from "../harness/values";

let dir: string;
let port: number;
let state: string;
let env: string;
let restartLog: string;

beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "rekey-readback-"));
    state = join(dir, "state");
    env = join(dir, "app.env");
    restartLog = join(dir, "restarts.log");
    port = await freePort();
});
afterAll(async () => {
    stopService(state);
    await waitForExit(state).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
});

const restarts = () => (existsSync(restartLog) ? readFileSync(restartLog, "utf8").split("\n").filter(Boolean).length : 0);

/** PATH with a `mv` that renames, then puts `other` where the rename landed: another writer right after rekey's. */
function otherWriterEnv(other: (target: string) => string): NodeJS.ProcessEnv {
    const bin = mkdtempSync(join(dir, "bin-"));
    const realMv = execFileSync("sh", ["-c", "command -v mv"], { encoding: "utf8" }).trim();
    const script = join(bin, "other-writer.sh");
    writeFileSync(script, `#!/bin/sh\nfor last in "$@"; do :; done\n${realMv} "$@" || exit $?\nprintf '%s' ${"'"}${other("TARGET")}${"'"} | sed "s|TARGET|$last|" >"$last.other" && ${realMv} -f "$last.other" "$last"\n`);
    writeFileSync(join(bin, "mv"), `#!/bin/sh\ncase "$1" in -f) ;; *) exec ${realMv} "$@" ;; esac\nexec sh ${script} "$@"\n`);
    chmodSync(join(bin, "mv"), 0o755);
    return { PATH: `${bin}:${process.env.PATH}` };
}

function filesConfig(epoch: number): Config {
    mkdirSync(join(dir, "files"), { recursive: true });
    return {
        "rekey:consumers": { svc: { restart: `echo restarted >>'${restartLog}'` } },
        "rekey:secrets": {
            SESSION_SECRET: { epoch, generate: { encoding: "hex", bytes: 32 }, stores: [{ dotenv: { path: join(dir, "files", "svc.env") } }], consumers: ["svc"] },
            TLS_KEY: { epoch, generate: { encoding: "hex", bytes: 32 }, stores: [{ file: { path: join(dir, "files", "tls.key") } }], consumers: ["svc"] },
        },
    };
}

test("a .env store read back with another value fails naming store and secret, before any restart; its value is in no output", async () => {
    const engine = new MockEngine();
    let r = await runWithValues(engine, filesConfig(1));
    expect((await replay(engine, r.run)).failed).toEqual([]);
    expect(restarts()).toBe(1);
    r = await runWithValues(engine, filesConfig(2));
    // The writer's rename of svc.env is followed by another writer's SESSION_SECRET line.
    const out = await replay(engine, r.run, { env: otherWriterEnv(() => "SESSION_SECRET='0000000000000000000000000000000000000000000000000000000000000000'\n") });
    const envFile = join(dir, "files", "svc.env");
    const gate = `command:local:Command::rekey-readback:dotenv:local:${envFile}`;
    expect(out.failed).toContain(gate);
    const failed = out.executed.find((e) => e.key === gate)!;
    expect(failed.stderr).toBe(`rekey: read-back failed: store dotenv:local:${envFile} holds another value than the one written for secret SESSION_SECRET (SESSION_SECRET); another writer may have changed it\n`);
    expect(out.ran).not.toContain("rekey-restart:svc");
    expect(restarts()).toBe(1);
    for (const v of Object.values(r.values)) expect(JSON.stringify([failed, r.run.resources.get(gate)!.inputs.create])).not.toContain(v);
    // The stack keeps its last completed rotation.
    expect(engine.lastOutputs.rotation.SESSION_SECRET.epoch).toBe(1);
});

/** PATH with a `mv` that renames, then appends `line` to a renamed .env: another writer adding a line right after rekey's rename. */
function appendingWriterEnv(line: string): NodeJS.ProcessEnv {
    const bin = mkdtempSync(join(dir, "bin-"));
    const realMv = execFileSync("sh", ["-c", "command -v mv"], { encoding: "utf8" }).trim();
    writeFileSync(join(bin, "mv"), `#!/bin/sh\nfor last in "$@"; do :; done\n${realMv} "$@" || exit $?\ncase "$1 $last" in "-f "*.env) printf '%s\\n' '${line}' >>"$last" ;; esac\n`);
    chmodSync(join(bin, "mv"), 0o755);
    return { PATH: `${bin}:${process.env.PATH}` };
}

test("a .env where another writer appended a second line of a managed key (dotenv.parse keeps the last) fails its read-back naming store and secret, before any restart", async () => {
    const engine = new MockEngine();
    let r = await runWithValues(engine, filesConfig(1));
    expect((await replay(engine, r.run)).failed).toEqual([]);
    const before = restarts();
    r = await runWithValues(engine, filesConfig(2));
    const out = await replay(engine, r.run, { env: appendingWriterEnv("SESSION_SECRET=0000") });
    const envFile = join(dir, "files", "svc.env");
    // The first line is rekey's own: only the second differs.
    expect(readFileSync(envFile, "utf8").split("\n").filter((l) => l.startsWith("SESSION_SECRET="))).toEqual([`SESSION_SECRET='${r.values.SESSION_SECRET}'`, "SESSION_SECRET=0000"]);
    const gate = `command:local:Command::rekey-readback:dotenv:local:${envFile}`;
    expect(out.failed).toContain(gate);
    expect(out.executed.find((e) => e.key === gate)!.stderr).toBe(`rekey: read-back failed: store dotenv:local:${envFile} holds another value than the one written for secret SESSION_SECRET (SESSION_SECRET); another writer may have changed it\n`);
    expect(out.ran).not.toContain("rekey-restart:svc");
    expect(restarts()).toBe(before);
});

test("a secret file read back with another value fails naming store and secret, before any restart", async () => {
    const engine = new MockEngine();
    let r = await runWithValues(engine, filesConfig(1));
    expect((await replay(engine, r.run)).failed).toEqual([]);
    const before = restarts();
    r = await runWithValues(engine, filesConfig(2));
    const out = await replay(engine, r.run, { env: otherWriterEnv(() => "not the value rekey wrote") });
    const keyFile = join(dir, "files", "tls.key");
    const gate = `command:local:Command::rekey-readback:file:${keyFile}`;
    expect(out.failed).toContain(gate);
    expect(out.executed.find((e) => e.key === gate)!.stderr).toMatch(
        new RegExp(`rekey: read-back failed: store file:${keyFile.replace(/[.]/g, "\\.")} holds another value than the one written for secret TLS_KEY \\(${keyFile.replace(/[.]/g, "\\.")}\\)`),
    );
    expect(out.ran).not.toContain("rekey-restart:svc");
    expect(restarts()).toBe(before);
});

/** `app` (the local service) proves its values; `later` restarts after it with no verify. */
function serviceConfig(epoch: number, proveAt?: string): Config {
    return {
        "rekey:consumers": {
            app: localServiceConsumer(state, env, port, 5, { proof: true }),
            later: { restart: `echo later >>'${restartLog}'`, after: ["app"] },
        },
        "rekey:secrets": {
            [PROOF_KEY]: { epoch: 1, generate: { encoding: "hex", bytes: 32 }, stores: [{ dotenv: { path: env } }], consumers: ["app"] },
            SESSION_SECRET: { epoch, generate: { encoding: "hex", bytes: 32 }, stores: [{ dotenv: { path: env } }], consumers: ["app", "later"] },
        },
        ...(proveAt ? { "rekey:defaults": { proveAt } } : {}),
    };
}

test("a good rotation records proof for every store and consumer; a drift check re-runs the read-back and the proof verify only", async () => {
    const engine = new MockEngine();
    let r = await runWithValues(engine, serviceConfig(1));
    let out = await replay(engine, r.run);
    expect(out.failed).toEqual([]);
    r = await runWithValues(engine, serviceConfig(2));
    out = await replay(engine, r.run);
    expect(out.failed).toEqual([]);
    expect(out.ran).toEqual([`rekey-dotenv:local:${env}`, `rekey-readback:dotenv:local:${env}`, "rekey-restart:app", "rekey-verify:app", "rekey-restart:later"]);
    expect(engine.lastOutputs.rotation.SESSION_SECRET).toMatchObject({
        epoch: 2,
        proof: {
            stores: { [`dotenv:${env}#SESSION_SECRET`]: "read back" },
            consumers: { app: "proved", later: "not proved: its restart has no verify" },
        },
    });
    expect(engine.lastOutputs.rotation[PROOF_KEY].proof.consumers.app).toMatch(/^not proved: it is the consumer's proof key/);
    const appRestarts = restartCount(state);
    const laterRestarts = restarts();

    // Someone edits the .env by hand; a drift check (a proveAt date, no bump) fails the read-back.
    const text = readFileSync(env, "utf8");
    writeFileSync(env, text.replace(/^SESSION_SECRET=.*$/m, "SESSION_SECRET='edited-by-hand'"));
    r = await runWithValues(engine, serviceConfig(2, "2026-12-04"));
    out = await replay(engine, r.run);
    expect(out.failed).toEqual([`command:local:Command::rekey-readback:dotenv:local:${env}`]);
    expect(out.ran).toEqual([`rekey-readback:dotenv:local:${env}`]);

    // Put back, the drift check passes: the read-back and the proof verify run, nothing restarts.
    writeFileSync(env, text);
    r = await runWithValues(engine, serviceConfig(2, "2026-12-04"));
    out = await replay(engine, r.run);
    expect(out.failed).toEqual([]);
    expect(out.ran).toEqual([`rekey-readback:dotenv:local:${env}`, "rekey-verify:app"]);
    expect(restartCount(state)).toBe(appRestarts);
    expect(restarts()).toBe(laterRestarts);
    expect(engine.lastOutputs.rotation.SESSION_SECRET.epoch).toBe(2);
});
