// Pulumi.local.yaml, replayed for real up to its consumer: the stores it writes and the
// commands it runs are the ones the README promises. (Its Postgres and Redis hooks are
// exercised against a throwaway cluster in test/forReal/credentials.test.ts.)
//
// The replay never touches what a user's own `pulumi up --stack local` uses: the stack is
// run with its own directory, port, Postgres roles and Redis ACL user, removed after.
import { spawnSync } from "child_process";
import { existsSync, mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { serviceFingerprint, stopService, waitForExit } from "./harness/localService";
import { freePort, getJson } from "./harness/net";
import { redisAdmin, redisAvailable } from "./harness/redis";
import { replay } from "./harness/replay";
import { commandExists, describeNeeding } from "./harness/requirements";
import { planRotation } from "../components/plan/plan";
import { MockEngine, resource } from "./harness/mockEngine";
import { rawConfig } from "./harness/rawConfig";
import { ROOT, loadStackFile } from "./harness/stackFile";
import { runWithValues } from "./harness/values";

test("the local stack plans, and wires hooks, .env, file, restart and verify on this machine", async () => {
    const { config } = loadStackFile("local");
    const plan = planRotation(rawConfig(config));
    expect(plan.secrets.map((s) => s.name)).toEqual(["SESSION_SECRET", "API_TOKEN", "DB_PASSWORD", "REDIS_PASSWORD", "REDIS_URL", "REKEY_PROOF_KEY"]);
    expect(plan.consumers[0].verify).toMatchObject({ kind: "url", proof: { key: "REKEY_PROOF_KEY", secrets: ["SESSION_SECRET", "API_TOKEN", "DB_PASSWORD", "REDIS_PASSWORD", "REDIS_URL"] } });
    const { run } = await runWithValues(new MockEngine("rekey", "local"), config);
    const cmd = (name: string) => resource(run, "command:local:Command", name).inputs;
    expect(cmd("rekey-restart:app").create).toContain("sh examples/local/restart.sh /tmp/rekey-local/state /tmp/rekey-local/app.env 8787");
    expect(cmd("rekey-verify:app").create).toContain("'http://127.0.0.1:8787/health'");
    // The expected fingerprints travel in the environment, never in the command.
    expect(Object.keys(cmd("rekey-verify:app").environment)).toEqual(["REKEY_PROOF"]);
    expect(cmd("rekey-postgres:127.0.0.1:5432/rekey_local_blue").stdin).toMatch(/CREATE ROLE "rekey_local_blue" LOGIN/);
    expect(cmd("rekey-dotenv:local:/tmp/rekey-local/app.env").stdin.split("\n").map((l: string) => l.split("=")[0])).toEqual([
        "rekey-dotenv-v1",
        "SESSION_SECRET",
        "SESSION_SECRET_PREVIOUS",
        "API_TOKEN",
        "DB_PASSWORD",
        "DB_PASSWORD_USER",
        "REDIS_PASSWORD",
        "REDIS_URL",
        "REKEY_PROOF_KEY",
        "",
    ]);
});

/** The local stack with this test's own directory, port, roles and ACL user in place of the user's. */
function isolated(config: Record<string, unknown>, own: { dir: string; port: number; id: string }): Record<string, any> {
    const text = JSON.stringify(config)
        .replaceAll("/tmp/rekey-local", own.dir)
        .replaceAll("127.0.0.1:8787", `127.0.0.1:${own.port}`)
        .replaceAll(" 8787", ` ${own.port}`)
        .replaceAll("rekey_local", `rekey_t${own.id}`);
    for (const mine of ["/tmp/rekey-local", "8787", "rekey_local"]) if (text.includes(mine)) throw new Error(`the test's stack still names ${mine}`);
    return JSON.parse(text);
}

const localPostgres = commandExists("psql") && spawnSync("pg_isready", ["-h", "127.0.0.1", "-p", "5432", "-q"]).status === 0;

describeNeeding("postgres", localPostgres, "start PostgreSQL on 127.0.0.1:5432 with trust for postgres", "pulumi up --stack local, replayed", () => {
    describeNeeding("redis", redisAvailable(), "start Redis on 127.0.0.1:6379", "with Redis", () => {
        const own = { dir: mkdtempSync(join(tmpdir(), "rekey-stacktest-")), port: 0, id: Math.random().toString(36).slice(2, 8) };
        const state = join(own.dir, "state");
        const usersOwn = existsSync("/tmp/rekey-local");
        afterAll(async () => {
            stopService(state);
            await waitForExit(state).catch(() => undefined);
            redisAdmin("ACL", "DELUSER", `rekey_t${own.id}`);
            spawnSync("psql", ["-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-c", `DROP ROLE IF EXISTS rekey_t${own.id}_blue; DROP ROLE IF EXISTS rekey_t${own.id}_green;`]);
            rmSync(own.dir, { recursive: true, force: true });
            // What the user's own local stack uses was not created (or removed) by the test.
            expect(existsSync("/tmp/rekey-local")).toBe(usersOwn);
        });

        test("the first up starts the service with every secret; a bump rotates it", async () => {
            own.port = await freePort();
            const config = isolated(loadStackFile("local").config, own);
            const engine = new MockEngine("rekey", "local");
            let r = await runWithValues(engine, config);
            let out = await replay(engine, r.run, { cwd: ROOT });
            expect(out.failed).toEqual([]);
            let h = await getJson(`http://127.0.0.1:${own.port}/health`);
            for (const name of ["SESSION_SECRET", "API_TOKEN", "DB_PASSWORD", "REDIS_PASSWORD", "REDIS_URL"]) {
                expect(h.rekey[name]).toBe(serviceFingerprint(r.values.REKEY_PROOF_KEY, name, r.values[name]));
            }
            const bumped: Record<string, any> = structuredClone(config);
            bumped["rekey:secrets"].SESSION_SECRET.epoch = 1;
            r = await runWithValues(engine, bumped);
            out = await replay(engine, r.run, { cwd: ROOT });
            expect(out.failed).toEqual([]);
            h = await getJson(`http://127.0.0.1:${own.port}/health`);
            expect(h.rekey.SESSION_SECRET).toBe(serviceFingerprint(r.values.REKEY_PROOF_KEY, "SESSION_SECRET", r.values.SESSION_SECRET));
        });
    });
});
