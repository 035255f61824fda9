// An incident rotation for real, with a throwaway PostgreSQL (two alternating roles) and
// Redis: after `pulumi up` (the mock run replayed as the command provider runs it) the
// leaked credentials are refused by both, the service runs on the new ones with no failed
// login, and no store holds a leaked value under any name.
import { readFileSync, readdirSync, mkdtempSync, rmSync } from "fs";
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

describeNeeding("postgres", havePostgres, "install PostgreSQL server binaries and psql (apt-get install postgresql)", "postgres", () => {
    describeNeeding("redis", redisAvailable(), `start Redis on 127.0.0.1:${REDIS_PORT}`, "redis", () => {
        let pg: PostgresCluster;
        let dir: string;
        const user = `rekey_incident_${Math.random().toString(36).slice(2, 8)}`;
        beforeAll(async () => {
            pg = await startPostgres();
            dir = mkdtempSync(join(tmpdir(), "rekey-incident-"));
        });
        afterAll(() => {
            redisAdmin("ACL", "DELUSER", user);
            pg?.stop();
            rmSync(dir, { recursive: true, force: true });
        });

        test("the leaked Postgres and Redis passwords are refused after the incident rotation; 0 failed logins with the new ones", async () => {
            const state = join(dir, "state");
            const env = join(dir, "app.env");
            const port = await freePort();
            const reason = "the .env was pasted into a public issue";
            const config = (epoch: number, incident?: string): Config => ({
                "rekey:consumers": {
                    app: localServiceConsumer(state, env, port, 30),
                },
                "rekey:secrets": {
                    PG_ADMIN_PASSWORD: { epoch: 1, supplied: true },
                    DB_PASSWORD: {
                        epoch,
                        ...(incident ? { incident } : {}),
                        generate: { encoding: "hex", bytes: 24 },
                        keepPrevious: true,
                        apply: { postgres: { host: "127.0.0.1", port: pg.port, database: "postgres", roles: ["inc_blue", "inc_green"], adminUser: "postgres", adminPasswordSecret: "PG_ADMIN_PASSWORD", createRoles: true } },
                        stores: [{ dotenv: { path: env } }, { file: { path: join(dir, "db_password") } }],
                        consumers: ["app"],
                    },
                    REDIS_PASSWORD: {
                        epoch,
                        ...(incident ? { incident } : {}),
                        generate: { encoding: "hex", bytes: 32 },
                        apply: { redis: { host: "127.0.0.1", port: REDIS_PORT, user } },
                        stores: [{ dotenv: { path: env } }],
                        consumers: ["app"],
                    },
                },
                "rekey:supplied": { PG_ADMIN_PASSWORD: pg.adminPassword },
            });
            const replayEnv = { PGHOST: "127.0.0.1", PGPORT: String(pg.port), PGDATABASE: "postgres", REDIS_USER: user };
            const engine = new MockEngine();
            let leaked: Record<string, string>;
            let fresh: Record<string, string>;
            try {
                const before = await runWithValues(engine, config(1));
                expect((await replay(engine, before.run, { env: replayEnv })).failed).toEqual([]);
                leaked = before.values;
                const leakedValues = [...Object.values(before.values), ...Object.values(before.previous)].filter((v) => v !== pg.adminPassword);
                expect(leakedValues.length).toBe(3);
                expect(readFileSync(join(dir, "db_password.previous"), "utf8")).toBe(before.previous.DB_PASSWORD);
                await sleep(1000);
                // The service logs in as inc_green (epoch 1) with the password that leaks.
                expect(await pgLogin(pg.port, "inc_green", leaked.DB_PASSWORD)).toBe("ok");

                const incident = await runWithValues(engine, config(2, reason));
                const out = await replay(engine, incident.run, { env: replayEnv });
                expect(out.failed).toEqual([]);
                fresh = incident.values;
                const at = (name: string) => out.ran.indexOf(name);
                const revoke = `rekey-postgres-revoke:127.0.0.1:${pg.port}/inc_green`;
                expect(at("rekey-verify:app")).toBeGreaterThan(-1);
                expect(at(revoke)).toBeGreaterThan(at("rekey-verify:app"));
                let logins = 0;
                for (let i = 0; i < 50 && logins === 0; i++, await sleep(100)) logins = (await getJson(`http://127.0.0.1:${port}/stats`)).postgres.ok;
                expect(logins).toBeGreaterThan(0);
                await sleep(1000);

                // The leaked credentials are refused; the new ones work.
                expect(await pgLogin(pg.port, "inc_green", leaked.DB_PASSWORD)).toMatch(/not permitted to log in/);
                expect(await pgLogin(pg.port, "inc_blue", fresh.DB_PASSWORD)).toBe("ok");
                expect(await redisAuth(user, leaked.REDIS_PASSWORD)).toMatch(/^-WRONGPASS/);
                expect(await redisAuth(user, fresh.REDIS_PASSWORD)).toBe("+OK");
                // No store holds a leaked value under any name (DB_PASSWORD_PREVIOUS is the new value).
                const written = readFileSync(env, "utf8");
                for (const v of [leaked.DB_PASSWORD, leaked.REDIS_PASSWORD]) expect(written.includes(v)).toBe(false);
                expect(written).toContain(`DB_PASSWORD_PREVIOUS='${fresh.DB_PASSWORD}'`);
                expect(incident.run.outputs.rotation.DB_PASSWORD.incident).toEqual({ reason, at: null });
                // Nor does any file rekey wrote or kept beside them: no .rekey-backup of the .env,
                // the value file or its .previous, no temporary file (every file under the directory).
                const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
                expect(files.map((f) => f.slice(dir.length + 1))).toEqual(expect.arrayContaining(["app.env", "db_password", "db_password.previous"]));
                const holding = files.filter((f) => leakedValues.some((v) => readFileSync(f, "utf8").includes(v)));
                expect(holding).toEqual([]);

                // The next normal rotation gives the revoked role a fresh password and LOGIN back.
                const next = await runWithValues(engine, config(3));
                expect((await replay(engine, next.run, { env: replayEnv })).failed).toEqual([]);
                await sleep(1000);
                expect(await pgLogin(pg.port, "inc_green", next.values.DB_PASSWORD)).toBe("ok");
                expect(await pgLogin(pg.port, "inc_green", leaked.DB_PASSWORD)).not.toBe("ok");
            } finally {
                stopService(state);
                await waitForExit(state).catch(() => undefined);
            }
            // No failed login in any run of the service.
            const stats = readFileSync(join(state, "stats.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
            expect(stats.length).toBeGreaterThanOrEqual(2);
            for (const s of stats) expect({ postgresFailed: s.postgres.failed, redisFailed: s.redis.failed, errors: [...s.postgres.errors, ...s.redis.errors] }).toEqual({ postgresFailed: 0, redisFailed: 0, errors: [] });
        });
    });
});
