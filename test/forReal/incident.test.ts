// An incident rotation for real, with a throwaway PostgreSQL (two alternating roles) and
// Redis: after `pulumi up` (the mock run replayed as the command provider runs it) the
// leaked credentials are refused by both, the service runs on the new ones with no failed
// login, and no store holds a leaked value under any name.
import { readFileSync, readdirSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import { Socket, connect } from "net";
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
// Each test replays two or three pulumi ups against real servers (a service restarted each
// time): over a minute on a loaded machine.
const REPLAY_TIMEOUT = 240_000;

const resp = (...words: string[]) => `*${words.length}\r\n${words.map((x) => `$${Buffer.byteLength(x)}\r\n${x}\r\n`).join("")}`;

/** A Redis connection authenticated as the user, kept open. */
function redisConnection(user: string, password: string): Promise<Socket> {
    return new Promise((resolve, reject) => {
        const sock = connect({ host: "127.0.0.1", port: REDIS_PORT }, () => sock.write(resp("AUTH", user, password)));
        sock.once("data", (d) => (d.toString().startsWith("+OK") ? resolve(sock) : reject(new Error("AUTH refused"))));
        sock.on("error", () => undefined);
    });
}

/** One command on an open connection: the raw reply. */
function redisAsk(sock: Socket, ...words: string[]): Promise<string> {
    return new Promise((resolve) => {
        sock.once("data", (d) => resolve(d.toString()));
        sock.write(resp(...words));
    });
}

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

                // A connection authenticated with the leaked Redis password before the incident.
                const held = await redisConnection(user, leaked.REDIS_PASSWORD);

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
                // What the banner says: resetpass ends no connection; the held one is still the user (redis src/acl.c ACLSetUser).
                const heldClient = redisAdmin("CLIENT", "LIST").split("\n").find((l) => l.includes(` addr=127.0.0.1:${held.localPort} `));
                expect(heldClient).toContain(` user=${user} `);
                expect(await redisAsk(held, "PING")).not.toMatch(/^-NOAUTH/);
                held.destroy();
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
        }, REPLAY_TIMEOUT);

        test("revokeFirst: the leaked Postgres (pair and one role) and Redis credentials are refused, and their open sessions ended, before the consumer's restart ran", async () => {
            const rfUser = `${user}_rf`;
            const checks = join(dir, "revoke-first");
            const secretsDir = mkdtempSync(join(dir, "rf-"));
            const at = (name: string) => join(secretsDir, name);
            // The consumer's restart records what the leaked credentials can still do at that moment
            // (values read from files into the environment, never argv).
            const psqlAs = (file: string, role: string) => `PGPASSWORD=$(cat ${at(file)}) psql -X -h 127.0.0.1 -p ${pg.port} -U ${role} -d postgres -tAc 'select 1' 2>&1 | head -n 1`;
            writeFileSync(at("restart.sh"), [
                `echo "pair: $(${psqlAs("pair", "rf_green")})"`,
                `echo "one: $(${psqlAs("one", "rf_one")})"`,
                `echo "one sessions: $(PGPASSWORD=$(cat ${at("admin")}) psql -X -h 127.0.0.1 -p ${pg.port} -U postgres -d postgres -tAc "select count(*) from pg_stat_activity where usename in ('rf_one', 'rf_green')")"`,
                `echo "redis: $(REDISCLI_AUTH=$(cat ${at("redis")}) redis-cli --no-auth-warning -p ${REDIS_PORT} --user ${rfUser} PING 2>&1 | head -n 1)"`,
                `echo "redis connections: $(redis-cli -p ${REDIS_PORT} CLIENT LIST | grep -c " user=${rfUser} ")"`,
                "",
            ].join("\n"));
            const config = (epoch: number, incident?: string): Config => {
                const marks = incident ? { incident, revokeFirst: true } : {};
                return {
                    "rekey:consumers": { app: { restart: `sh ${at("restart.sh")} > ${checks} 2>&1` } },
                    "rekey:secrets": {
                        PG_ADMIN_PASSWORD: { epoch: 1, supplied: true },
                        PAIR_PASSWORD: { epoch, ...marks, generate: { encoding: "hex", bytes: 24 }, apply: { postgres: { host: "127.0.0.1", port: pg.port, database: "postgres", roles: ["rf_blue", "rf_green"], adminUser: "postgres", adminPasswordSecret: "PG_ADMIN_PASSWORD", createRoles: true } }, stores: [{ file: { path: at("pair.store") } }], consumers: ["app"] },
                        ONE_PASSWORD: { epoch, ...marks, generate: { encoding: "hex", bytes: 24 }, apply: { postgres: { host: "127.0.0.1", port: pg.port, database: "postgres", role: "rf_one", adminUser: "postgres", adminPasswordSecret: "PG_ADMIN_PASSWORD", createRoles: true } }, stores: [{ file: { path: at("one.store") } }], consumers: ["app"] },
                        CACHE_PASSWORD: { epoch, ...marks, generate: { encoding: "hex", bytes: 32 }, apply: { redis: { host: "127.0.0.1", port: REDIS_PORT, user: rfUser } }, stores: [{ file: { path: at("cache.store") } }], consumers: ["app"] },
                    },
                    "rekey:supplied": { PG_ADMIN_PASSWORD: pg.adminPassword },
                };
            };
            const engine = new MockEngine();
            const open: { pg: import("pg").Client[]; redis: Socket[] } = { pg: [], redis: [] };
            try {
                const before = await runWithValues(engine, config(1));
                expect((await replay(engine, before.run)).failed).toEqual([]);
                const leaked = before.values;
                writeFileSync(at("pair"), leaked.PAIR_PASSWORD);
                writeFileSync(at("one"), leaked.ONE_PASSWORD);
                writeFileSync(at("redis"), leaked.CACHE_PASSWORD);
                writeFileSync(at("admin"), pg.adminPassword);
                // Sessions opened with the leaked credentials (epoch 1 logs in as rf_green), held open.
                const { Client } = require("pg") as typeof import("pg");
                const ended = new Set<string>();
                for (const [role, password] of [["rf_green", leaked.PAIR_PASSWORD], ["rf_one", leaked.ONE_PASSWORD]]) {
                    const c = new Client({ host: "127.0.0.1", port: pg.port, database: "postgres", user: role, password });
                    c.on("error", () => ended.add(role));
                    await c.connect();
                    open.pg.push(c);
                }
                const socket = await redisConnection(rfUser, leaked.CACHE_PASSWORD);
                open.redis.push(socket);
                const redisClosed = new Promise<void>((resolve) => socket.on("close", () => resolve()));

                const incident = await runWithValues(engine, config(2, "the stores were in a public backup"));
                const out = await replay(engine, incident.run);
                expect(out.failed).toEqual([]);
                const order = (name: string) => out.ran.indexOf(name);
                for (const revoke of [`rekey-postgres-revoke:127.0.0.1:${pg.port}/rf_green`, `rekey-postgres-revoke:127.0.0.1:${pg.port}/rf_one`, `rekey-redis-revoke:127.0.0.1:${REDIS_PORT}/${rfUser}`]) {
                    expect({ revoke, ran: order(revoke) > -1, beforeRestart: order(revoke) < order("rekey-restart:app") }).toEqual({ revoke, ran: true, beforeRestart: true });
                }
                // What the leaked credentials could do when the restart ran: nothing, and no session of theirs was left.
                expect(readFileSync(checks, "utf8").split("\n")).toEqual([
                    expect.stringMatching(/^pair: .*"rf_green" is not permitted to log in/),
                    expect.stringMatching(/^one: .*password authentication failed for user "rf_one"/),
                    "one sessions: 0",
                    expect.stringMatching(/^redis: .*WRONGPASS/),
                    "redis connections: 0",
                    "",
                ]);
                await redisClosed;
                for (let i = 0; i < 50 && ended.size < 2; i++) await sleep(100);
                expect([...ended].sort()).toEqual(["rf_green", "rf_one"]);
                // The new credentials work.
                expect(await pgLogin(pg.port, "rf_blue", incident.values.PAIR_PASSWORD)).toBe("ok");
                expect(await pgLogin(pg.port, "rf_one", incident.values.ONE_PASSWORD)).toBe("ok");
                expect(await redisAuth(rfUser, incident.values.CACHE_PASSWORD)).toBe("+OK");
            } finally {
                for (const c of open.pg) await c.end().catch(() => undefined);
                for (const x of open.redis) x.destroy();
                redisAdmin("ACL", "DELUSER", rfUser);
            }
        }, REPLAY_TIMEOUT);
    });
});
