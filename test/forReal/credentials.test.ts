// Postgres (two alternating roles) and Redis ACL rotated for real while a service keeps
// opening new logins with the credentials it loaded at start: zero failed logins; the
// old Redis password is refused once every consumer verified; a failed verify stops the
// finalize; and psql / redis-cli never see a secret in their argv.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { Config } from "../harness/configs";
import { localServiceConsumer, stopService, waitForExit } from "../harness/localService";
import { MockEngine } from "../harness/mockEngine";
import { freePort, getJson, sleep } from "../harness/net";
import { POSTGRES_BIN, PostgresCluster, pgLogin, startPostgres } from "../harness/postgresCluster";
import { REDIS_PORT, redisAdmin, redisAuth, redisAvailable } from "../harness/redis";
import { replay } from "../harness/replay";
import { commandExists, describeNeeding } from "../harness/requirements";
import { runWithValues } from "../harness/values";

const havePostgres = POSTGRES_BIN !== null && commandExists("psql");

/** psql and redis-cli wrappers that log their argv, first on PATH for the replay. */
function argvRecorders(dir: string): { path: string; log: string } {
    const bin = join(dir, "bin");
    const log = join(dir, "argv.log");
    require("fs").mkdirSync(bin);
    for (const tool of ["psql", "redis-cli"]) {
        const real = require("child_process").execFileSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).trim();
        const wrapper = join(bin, tool);
        writeFileSync(wrapper, `#!/bin/sh\nprintf '%s\\n' "${tool} $*" >>'${log}'\nexec '${real}' "$@"\n`);
        chmodSync(wrapper, 0o755);
    }
    return { path: `${bin}:${process.env.PATH}`, log };
}

describeNeeding("postgres", havePostgres, "install PostgreSQL server binaries and psql (apt-get install postgresql)", "postgres", () => {
    describeNeeding("redis", redisAvailable(), `start Redis on 127.0.0.1:${REDIS_PORT}`, "redis", () => {
        let pg: PostgresCluster;
        let dir: string;
        const users: string[] = [];
        beforeAll(async () => {
            pg = await startPostgres();
            dir = mkdtempSync(join(tmpdir(), "rekey-cred-"));
        });
        afterAll(() => {
            for (const u of users) redisAdmin("ACL", "DELUSER", u);
            pg?.stop();
            rmSync(dir, { recursive: true, force: true });
        });
        const newUser = () => {
            const u = `rekey_test_${Math.random().toString(36).slice(2, 8)}`;
            users.push(u);
            return u;
        };

        test("zero failed logins through a whole rotation (the service opening new logins throughout); old Redis password refused after finalize; no secret in argv", async () => {
            const user = newUser();
            const state = join(dir, "state");
            const env = join(dir, "app.env");
            const port = await freePort();
            const recorders = argvRecorders(dir);
            const config = (epoch: number): Config => ({
                "rekey:consumers": {
                    app: localServiceConsumer(state, env, port, 30),
                },
                "rekey:secrets": {
                    PG_ADMIN_PASSWORD: { epoch: 1, supplied: true },
                    DB_PASSWORD: {
                        epoch,
                        generate: { encoding: "hex", bytes: 24 },
                        apply: {
                            postgres: { host: "127.0.0.1", port: pg.port, database: "postgres", roles: ["app_blue", "app_green"], adminUser: "postgres", adminPasswordSecret: "PG_ADMIN_PASSWORD", createRoles: true },
                        },
                        stores: [{ dotenv: { path: env } }],
                        consumers: ["app"],
                    },
                    REDIS_PASSWORD: {
                        epoch,
                        generate: { encoding: "hex", bytes: 32 },
                        apply: { redis: { host: "127.0.0.1", port: REDIS_PORT, user } },
                        stores: [{ dotenv: { path: env } }],
                        consumers: ["app"],
                    },
                },
                "rekey:supplied": { PG_ADMIN_PASSWORD: pg.adminPassword },
            });
            const replayEnv = { PATH: recorders.path, PGHOST: "127.0.0.1", PGPORT: String(pg.port), PGDATABASE: "postgres", REDIS_USER: user };
            const engine = new MockEngine();
            try {
                const first = await runWithValues(engine, config(1));
                let out = await replay(engine, first.run, { env: replayEnv });
                expect(out.failed).toEqual([]);
                await sleep(1000);

                const second = await runWithValues(engine, config(2));
                out = await replay(engine, second.run, { env: replayEnv });
                expect(out.failed).toEqual([]);
                const at = (name: string) => out.ran.indexOf(name);
                expect(out.ran).toEqual(expect.arrayContaining(["rekey-postgres:127.0.0.1:" + pg.port + "/app_blue", `rekey-redis:127.0.0.1:${REDIS_PORT}/${user}`, `rekey-dotenv:local:${env}`, "rekey-restart:app", "rekey-verify:app", `rekey-redis-finalize:127.0.0.1:${REDIS_PORT}/${user}`]));
                // Order: hooks, then stores, then the restart and its verify, then the finalize.
                expect(at(`rekey-redis:127.0.0.1:${REDIS_PORT}/${user}`)).toBeLessThan(at(`rekey-dotenv:local:${env}`));
                expect(at("rekey-postgres:127.0.0.1:" + pg.port + "/app_blue")).toBeLessThan(at(`rekey-dotenv:local:${env}`));
                expect(at(`rekey-dotenv:local:${env}`)).toBeLessThan(at("rekey-restart:app"));
                expect(at("rekey-restart:app")).toBeLessThan(at("rekey-verify:app"));
                expect(at("rekey-verify:app")).toBeLessThan(at(`rekey-redis-finalize:127.0.0.1:${REDIS_PORT}/${user}`));
                // The restarted service logs in every 40 ms; on a loaded machine its first login may lag its health answer.
                let logins = 0;
                for (let i = 0; i < 50 && logins === 0; i++, await sleep(100)) logins = (await getJson(`http://127.0.0.1:${port}/stats`)).postgres.ok;
                expect(logins).toBeGreaterThan(0);
                await sleep(1000);

                // The old Redis password is refused, the new accepted; both Postgres roles log in.
                expect(await redisAuth(user, first.values.REDIS_PASSWORD)).toMatch(/^-WRONGPASS/);
                expect(await redisAuth(user, second.values.REDIS_PASSWORD)).toBe("+OK");
                expect(await pgLogin(pg.port, "app_blue", second.values.DB_PASSWORD)).toBe("ok");
                expect(await pgLogin(pg.port, "app_green", first.values.DB_PASSWORD)).toBe("ok");
                expect(await pgLogin(pg.port, "app_blue", first.values.DB_PASSWORD)).not.toBe("ok");
            } finally {
                stopService(state);
                await waitForExit(state).catch(() => undefined);
            }
            const stats = readFileSync(join(state, "stats.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
            expect(stats).toHaveLength(2);
            for (const s of stats) {
                expect({ pid: s.pid, postgresFailed: s.postgres.failed, redisFailed: s.redis.failed, errors: [...s.postgres.errors, ...s.redis.errors] }).toEqual({
                    pid: s.pid,
                    postgresFailed: 0,
                    redisFailed: 0,
                    errors: [],
                });
                // The service opens a login every 40 ms: enough logins happened for "zero failed" to
                // mean something (a count, not a rate: rates belong in npm run bench, and a loaded
                // machine slows the loop).
                expect(s.postgres.ok).toBeGreaterThanOrEqual(10);
                expect(s.redis.ok).toBeGreaterThanOrEqual(10);
            }

            // psql and redis-cli ran through the recorders, and none of their argv holds a secret.
            const argv = readFileSync(recorders.log, "utf8");
            expect(argv).toMatch(/^psql /m);
            expect(argv).toMatch(/^redis-cli /m);
            for (const v of [...engine.generatedValues, pg.adminPassword]) expect(argv.includes(v)).toBe(false);
        });

        test("a refused double bump, then two single steps: zero failed logins with two alternating roles (the service opening new logins throughout)", async () => {
            const state = join(dir, "state-steps");
            const env = join(dir, "steps.env");
            const port = await freePort();
            const config = (epoch: number): Config => ({
                "rekey:consumers": {
                    app: localServiceConsumer(state, env, port, 30),
                },
                "rekey:secrets": {
                    PG_ADMIN_PASSWORD: { epoch: 1, supplied: true },
                    DB_PASSWORD: {
                        epoch,
                        generate: { encoding: "hex", bytes: 24 },
                        apply: { postgres: { host: "127.0.0.1", port: pg.port, database: "postgres", roles: ["steps_blue", "steps_green"], adminUser: "postgres", adminPasswordSecret: "PG_ADMIN_PASSWORD", createRoles: true } },
                        stores: [{ dotenv: { path: env } }],
                        consumers: ["app"],
                    },
                },
                "rekey:supplied": { PG_ADMIN_PASSWORD: pg.adminPassword },
            });
            const replayEnv = { PGHOST: "127.0.0.1", PGPORT: String(pg.port), PGDATABASE: "postgres" };
            const engine = new MockEngine();
            const up = async (epoch: number) => {
                const r = await runWithValues(engine, config(epoch));
                const out = await replay(engine, r.run, { env: replayEnv });
                expect(out.failed).toEqual([]);
                await sleep(700);
                return r;
            };
            try {
                const one = await up(1);
                // The service logs in as steps_green (epoch 1); epoch 3 would set steps_green's password.
                expect(readFileSync(env, "utf8")).toContain("DB_PASSWORD_USER='steps_green'");
                const refused = await runWithValues(engine, config(3)).then(() => null, (e: Error) => e);
                expect(refused?.message).toMatch(/secret DB_PASSWORD: the last completed rotation deployed epoch 1, this configuration has epoch 3: .* Set epoch to 2/);
                await sleep(700);
                expect(await pgLogin(pg.port, "steps_green", one.values.DB_PASSWORD)).toBe("ok");
                const two = await up(2);
                const three = await up(3);
                expect(await pgLogin(pg.port, "steps_green", three.values.DB_PASSWORD)).toBe("ok");
                expect(await pgLogin(pg.port, "steps_blue", two.values.DB_PASSWORD)).toBe("ok");
                expect(await pgLogin(pg.port, "steps_green", one.values.DB_PASSWORD)).not.toBe("ok");
            } finally {
                stopService(state);
                await waitForExit(state).catch(() => undefined);
                pg.sql("DROP ROLE IF EXISTS steps_blue; DROP ROLE IF EXISTS steps_green;");
            }
            const stats = readFileSync(join(state, "stats.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
            expect(stats).toHaveLength(3);
            for (const s of stats) {
                expect({ failed: s.postgres.failed, errors: s.postgres.errors }).toEqual({ failed: 0, errors: [] });
                expect(s.postgres.ok).toBeGreaterThanOrEqual(10);
            }
        });

        test("a failed verify stops later consumers and the finalize; re-running after the fix completes the rotation", async () => {
            const user = newUser();
            const flag = join(dir, "unhealthy");
            const log = join(dir, "restarts-c.log");
            const config = (epoch: number): Config => ({
                "rekey:consumers": {
                    app: { restart: `echo app >>${log}`, verify: { command: `test ! -e ${flag}`, timeoutSeconds: 2, intervalSeconds: 1 } },
                    later: { restart: `echo later >>${log}`, after: ["app"] },
                },
                "rekey:secrets": {
                    REDIS_PASSWORD: {
                        epoch,
                        generate: { encoding: "hex", bytes: 32 },
                        apply: { redis: { host: "127.0.0.1", port: REDIS_PORT, user } },
                        stores: [{ dotenv: { path: join(dir, "c.env") } }],
                        consumers: ["app", "later"],
                    },
                },
            });
            const engine = new MockEngine();
            const first = await runWithValues(engine, config(1));
            expect((await replay(engine, first.run)).failed).toEqual([]);

            writeFileSync(flag, "");
            const second = await runWithValues(engine, config(2));
            let out = await replay(engine, second.run);
            expect(out.failed).toEqual(["command:local:Command::rekey-verify:app"]);
            expect(out.skipped.sort()).toEqual(["command:local:Command::rekey-redis-finalize:127.0.0.1:6379/" + user, "command:local:Command::rekey-restart:later"].sort());
            expect(await redisAuth(user, first.values.REDIS_PASSWORD)).toBe("+OK");
            expect(await redisAuth(user, second.values.REDIS_PASSWORD)).toBe("+OK");
            expect(readFileSync(log, "utf8")).toBe("app\nlater\napp\n");

            unlinkSync(flag);
            const third = await runWithValues(engine, config(2));
            out = await replay(engine, third.run);
            expect(out.failed).toEqual([]);
            expect(out.ran).toEqual(["rekey-verify:app", "rekey-restart:later", `rekey-redis-finalize:127.0.0.1:${REDIS_PORT}/${user}`]);
            expect(readFileSync(log, "utf8")).toBe("app\nlater\napp\nlater\n");
            expect(await redisAuth(user, first.values.REDIS_PASSWORD)).toMatch(/^-WRONGPASS/);
            expect(await redisAuth(user, second.values.REDIS_PASSWORD)).toBe("+OK");
            expect(existsSync(flag)).toBe(false);
        });
    });
});
