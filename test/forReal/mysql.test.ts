// The mysql hook against a throwaway MariaDB server (test/harness/mariadbServer.ts), with a
// consumer that opens a new login every few milliseconds across each rotation
// (test/harness/mysqlLoad.ts): two alternating users, zero failed logins; one user on a
// server without dual passwords (MariaDB), where the plan's warning comes true (the
// control: the same load does see refusals); an incident, whose leaked login is refused
// and whose open sessions are killed once the consumer verified, or, with revokeFirst,
// before its restart; a hostile admin password through the option file; and no secret in
// any argv of the client.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { spawn, spawnSync } from "child_process";
import { tmpdir } from "os";
import { join } from "path";
import { Config } from "../harness/configs";
import { MockEngine } from "../harness/mockEngine";
import { MARIADB_CLIENT, MariadbServer, haveMariadb, lit, mariadbLogin, startMariadb } from "../harness/mariadbServer";
import { mysqlLoadConsumer, stopLoaders } from "../harness/mysqlLoad";
import { sleep } from "../harness/net";
import { replay } from "../harness/replay";
import { describeNeeding } from "../harness/requirements";
import { runWithValues } from "../harness/values";
import { diffPlans } from "../../components/plan/diff";
import { clientOptions, sessionsQuery, setStatements, setTails } from "../../components/hooks/mysql";
import { planRotation } from "../../components/plan/plan";
import { rawConfig } from "../harness/rawConfig";

const planOf = (c: Config) => planRotation(rawConfig(c));

const TIMEOUT = 180_000;

/** A `mariadb` first on PATH that logs its argv, then runs the real client. */
function argvRecorder(dir: string): { path: string; log: string } {
    const bin = join(dir, "bin");
    const log = join(dir, "argv.log");
    mkdirSync(bin);
    writeFileSync(join(bin, "mariadb"), `#!/bin/sh\nprintf '%s\\n' "mariadb $*" >>'${log}'\nexec '${MARIADB_CLIENT}' "$@"\n`);
    chmodSync(join(bin, "mariadb"), 0o755);
    return { path: `${bin}:${process.env.PATH}`, log };
}

/** A session of `user` held open (SELECT SLEEP) until the server ends it: resolves with the client's exit code and stderr. */
function heldSession(port: number, user: string, password: string): { ended: Promise<{ code: number | null; stderr: string }> } {
    const dir = mkdtempSync(join(tmpdir(), "rekey-held-"));
    writeFileSync(join(dir, "my.cnf"), `[client]\nhost=127.0.0.1\nport=${port}\nuser=${user}\npassword=${password}\n`, { mode: 0o600 });
    const child = spawn(MARIADB_CLIENT!, [`--defaults-file=${join(dir, "my.cnf")}`, "-N", "-B", "-e", "SELECT SLEEP(120)"], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const ended = new Promise<{ code: number | null; stderr: string }>((resolve) =>
        child.on("exit", (code) => {
            rmSync(dir, { recursive: true, force: true });
            resolve({ code, stderr });
        }),
    );
    return { ended };
}

/** The promise's value, or null after `ms` (its timer cleared either way). */
async function within<T>(p: Promise<T>, ms: number): Promise<T | null> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((r) => (timer = setTimeout(() => r(null), ms)));
    try {
        return await Promise.race([p, late]);
    } finally {
        clearTimeout(timer);
    }
}

const sessionsOf = (db: MariadbServer, user: string) => Number(db.sql(`SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = ${lit(user)};`).trim());

describeNeeding("mariadb", haveMariadb, "install MariaDB (apt-get install mariadb-server mariadb-client)", "mysql hook against a throwaway MariaDB server", () => {
    let db: MariadbServer;
    let dir: string;
    beforeAll(async () => {
        db = await startMariadb();
        dir = mkdtempSync(join(tmpdir(), "rekey-mysql-"));
    }, TIMEOUT);
    afterAll(async () => {
        await db?.stop();
        rmSync(dir, { recursive: true, force: true });
    }, TIMEOUT);

    const secretsOf = (epoch: number, apply: Record<string, unknown>, env: string, extra: Record<string, unknown> = {}) => ({
        DB_ADMIN_PASSWORD: { epoch: 1, supplied: true },
        DB_PASSWORD: { epoch, ...extra, generate: { encoding: "hex", bytes: 24 }, apply: { mysql: { host: "127.0.0.1", port: db.port, adminUser: db.adminUser, adminPasswordSecret: "DB_ADMIN_PASSWORD", createUsers: true, ...apply } }, stores: [{ dotenv: { path: env } }], consumers: ["app"] },
    });

    test("two alternating users under load: zero failed logins across three rotations; each user keeps its password until its next turn; no secret in any argv", async () => {
        const at = join(dir, "pair");
        mkdirSync(at);
        const env = join(at, "app.env");
        const recorder = argvRecorder(at);
        const config = (epoch: number): Config => ({
            "rekey:consumers": { app: mysqlLoadConsumer(at, env, db.port, "DB_PASSWORD", null) },
            "rekey:secrets": secretsOf(epoch, { users: ["app_blue", "app_green"] }, env),
            "rekey:supplied": { DB_ADMIN_PASSWORD: db.adminPassword },
        });
        // The server's general log (every statement as received) is on during these rotations.
        db.sql("SET GLOBAL general_log_file = 'rekey-general.log'; SET GLOBAL general_log = 1;");
        const engine = new MockEngine();
        const runs = [];
        for (const epoch of [1, 2, 3]) {
            const r = await runWithValues(engine, config(epoch));
            const out = await replay(engine, r.run, { env: { PATH: recorder.path } });
            expect(out.failed).toEqual([]);
            expect(out.ran).toContain(`rekey-mysql:127.0.0.1:${db.port}/${epoch % 2 ? "app_green" : "app_blue"}`);
            // Two users: nothing to finalize, no revocation.
            expect(out.ran.filter((n) => /mysql-(finalize|revoke)/.test(n))).toEqual([]);
            runs.push(r);
            await sleep(500);
        }
        const loaders = await stopLoaders(at);
        expect(loaders).toHaveLength(3);
        for (const l of loaders) {
            expect({ failed: l.failed, errors: l.errors }).toEqual({ failed: 0, errors: "" });
            // A count, not a rate: enough logins that "zero failed" means something on a loaded machine.
            expect(l.ok).toBeGreaterThanOrEqual(20);
        }
        expect(readFileSync(env, "utf8")).toContain("DB_PASSWORD_USER='app_green'");
        // Epoch 3 set app_green; app_blue keeps epoch 2's password; epoch 1's is gone.
        expect(mariadbLogin(db.port, "app_green", runs[2].values.DB_PASSWORD)).toBe("ok");
        expect(mariadbLogin(db.port, "app_blue", runs[1].values.DB_PASSWORD)).toBe("ok");
        expect(mariadbLogin(db.port, "app_green", runs[0].values.DB_PASSWORD)).toMatch(/Access denied/);
        // MariaDB was sent each password's hash, never the password: its general log holds neither value.
        db.sql("SET GLOBAL general_log = 0;");
        const general = readFileSync(join(db.sql("SELECT @@datadir;").trim(), "rekey-general.log"), "utf8");
        expect(general).toMatch(/ALTER USER 'app_green'@'%' IDENTIFIED BY PASSWORD '\*[0-9A-F]{40}' ACCOUNT UNLOCK/);
        for (const r of runs) expect(general.includes(r.values.DB_PASSWORD)).toBe(false);
        expect(general.includes(db.adminPassword)).toBe(false);
        const argv = readFileSync(recorder.log, "utf8");
        expect(argv).toMatch(/^mariadb --defaults-file=\S+\/client\.cnf -N -B/m);
        for (const v of [...runs.map((r) => r.values.DB_PASSWORD), db.adminPassword]) expect(argv.includes(v)).toBe(false);
    }, TIMEOUT);

    test("one user on MariaDB (no dual passwords): the plan warns, and under the same load the old password is refused between the hook and the restart (the control)", async () => {
        const at = join(dir, "single");
        mkdirSync(at);
        const env = join(at, "app.env");
        const config = (epoch: number): Config => ({
            "rekey:consumers": { app: mysqlLoadConsumer(at, env, db.port, "DB_PASSWORD", "app_one") },
            "rekey:secrets": secretsOf(epoch, { user: "app_one" }, env),
            "rekey:supplied": { DB_ADMIN_PASSWORD: db.adminPassword },
        });
        const diff = diffPlans(planOf(config(1)), planOf(config(2)), new Set());
        expect(diff.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/^DB_PASSWORD: MySQL user app_one on 127\.0\.0\.1:\d+ has one user: .*MariaDB and older MySQL have no dual passwords/)]));
        expect(diff.finalize).toEqual([{ secret: "DB_PASSWORD", kind: "mysql", user: "app_one", lock: false, after: ["app"] }]);
        const engine = new MockEngine();
        const first = await runWithValues(engine, config(1));
        expect((await replay(engine, first.run)).failed).toEqual([]);
        await sleep(500);
        const second = await runWithValues(engine, config(2));
        const out = await replay(engine, second.run);
        expect(out.failed).toEqual([]);
        const step = (name: string) => out.executed.find((e) => e.key.endsWith(`::${name}`))!;
        expect(out.ran.indexOf(`rekey-mysql-finalize:127.0.0.1:${db.port}/app_one`)).toBeGreaterThan(out.ran.indexOf("rekey-verify:app"));
        expect(step(`rekey-mysql:127.0.0.1:${db.port}/app_one`).stdout).toMatch(/step mysql:127\.0\.0\.1:\d+\/app_one done/);
        const loaders = await stopLoaders(at);
        expect(loaders).toHaveLength(2);
        // The first loader ran on epoch 1's password, which the hook replaced: refused until the restart stopped it.
        expect(loaders[0].failed).toBeGreaterThan(0);
        expect(loaders[0].errors).toMatch(/Access denied for user 'app_one'/);
        expect({ failed: loaders[1].failed, errors: loaders[1].errors }).toEqual({ failed: 0, errors: "" });
        expect(mariadbLogin(db.port, "app_one", first.values.DB_PASSWORD)).toMatch(/Access denied/);
        expect(mariadbLogin(db.port, "app_one", second.values.DB_PASSWORD)).toBe("ok");
    }, TIMEOUT);

    test("an incident with two users: the leaked user logs in until the consumer verified, then is locked and its open session killed; the next rotation unlocks it; zero failed logins", async () => {
        const at = join(dir, "incident");
        mkdirSync(at);
        const env = join(at, "app.env");
        const config = (epoch: number, incident?: string): Config => ({
            "rekey:consumers": { app: mysqlLoadConsumer(at, env, db.port, "DB_PASSWORD", null) },
            "rekey:secrets": secretsOf(epoch, { users: ["inc_blue", "inc_green"] }, env, incident ? { incident } : {}),
            "rekey:supplied": { DB_ADMIN_PASSWORD: db.adminPassword },
        });
        const engine = new MockEngine();
        const before = await runWithValues(engine, config(1));
        expect((await replay(engine, before.run)).failed).toEqual([]);
        await sleep(500);
        const leaked = before.values.DB_PASSWORD;
        const held = heldSession(db.port, "inc_green", leaked);
        for (let i = 0; i < 100 && sessionsOf(db, "inc_green") === 0; i++) await sleep(50);
        expect(sessionsOf(db, "inc_green")).toBeGreaterThan(0);

        const incident = await runWithValues(engine, config(2, "the .env was pasted into a chat"));
        const out = await replay(engine, incident.run);
        expect(out.failed).toEqual([]);
        const revoke = `rekey-mysql-revoke:127.0.0.1:${db.port}/inc_green`;
        expect(out.ran.indexOf(revoke)).toBeGreaterThan(out.ran.indexOf("rekey-verify:app"));
        expect(out.ran.filter((n) => n.includes("mysql-finalize"))).toEqual([]);
        const ended = await within(held.ended, 10000);
        expect(ended?.code).not.toBe(0);
        expect(ended?.stderr).toMatch(/Lost connection|server has gone away|Query execution was interrupted|Connection was killed/i);
        expect(sessionsOf(db, "inc_green")).toBe(0);
        expect(mariadbLogin(db.port, "inc_green", leaked)).toMatch(/account is locked/);
        expect(mariadbLogin(db.port, "inc_blue", incident.values.DB_PASSWORD)).toBe("ok");
        await sleep(300);

        const next = await runWithValues(engine, config(3));
        expect((await replay(engine, next.run)).failed).toEqual([]);
        expect(mariadbLogin(db.port, "inc_green", next.values.DB_PASSWORD)).toBe("ok");
        expect(mariadbLogin(db.port, "inc_green", leaked)).toMatch(/Access denied/);
        await sleep(500);
        const loaders = await stopLoaders(at);
        expect(loaders).toHaveLength(3);
        for (const l of loaders) expect({ failed: l.failed, errors: l.errors, some: l.ok >= 20 }).toEqual({ failed: 0, errors: "", some: true });
    }, TIMEOUT);

    test("revokeFirst with one user: the leaked password is replaced by the hook and the user's open sessions are killed before the consumer's restart runs", async () => {
        const at = join(dir, "revoke-first");
        mkdirSync(at);
        const env = join(at, "app.env");
        const marker = join(at, "sessions-at-restart");
        const consumer = { restart: `echo "$(${MARIADB_CLIENT} --defaults-file='${join(at, "admin.cnf")}' -N -B -e "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = 'rf_one'")" >'${marker}'` };
        writeFileSync(join(at, "admin.cnf"), `[client]\nhost=127.0.0.1\nport=${db.port}\nuser=${db.adminUser}\npassword=${db.adminPassword}\n`, { mode: 0o600 });
        const config = (epoch: number, marks: Record<string, unknown> = {}): Config => ({
            "rekey:consumers": { app: consumer },
            "rekey:secrets": secretsOf(epoch, { user: "rf_one" }, env, marks),
            "rekey:supplied": { DB_ADMIN_PASSWORD: db.adminPassword },
        });
        const engine = new MockEngine();
        const before = await runWithValues(engine, config(1));
        expect((await replay(engine, before.run)).failed).toEqual([]);
        const held = heldSession(db.port, "rf_one", before.values.DB_PASSWORD);
        for (let i = 0; i < 100 && sessionsOf(db, "rf_one") === 0; i++) await sleep(50);
        expect(sessionsOf(db, "rf_one")).toBeGreaterThan(0);
        const incident = await runWithValues(engine, config(2, { incident: "a laptop was stolen", revokeFirst: true }));
        const out = await replay(engine, incident.run);
        expect(out.failed).toEqual([]);
        const revoke = `rekey-mysql-revoke:127.0.0.1:${db.port}/rf_one`;
        expect(out.ran.indexOf(revoke)).toBeLessThan(out.ran.indexOf("rekey-restart:app"));
        expect(out.ran.indexOf(revoke)).toBeGreaterThan(out.ran.indexOf(`rekey-dotenv:local:${env}`));
        expect(readFileSync(marker, "utf8").trim()).toBe("0");
        const ended = await within(held.ended, 10000);
        expect(ended?.code).not.toBe(0);
        expect(mariadbLogin(db.port, "rf_one", before.values.DB_PASSWORD)).toMatch(/Access denied/);
        expect(mariadbLogin(db.port, "rf_one", incident.values.DB_PASSWORD)).toBe("ok");
    }, TIMEOUT);

    test("an incident's session query ends only the sessions of the user name with its case: kc_user's, not KC_user's (PROCESSLIST compares case-insensitively: the control)", async () => {
        for (const u of ["kc_user", "KC_user"]) db.sql(`CREATE USER ${lit(u)}@'%' IDENTIFIED BY 'kc-pw';\n`);
        const held = ["kc_user", "KC_user"].map((u) => heldSession(db.port, u, "kc-pw"));
        try {
            for (let i = 0; sessionsOf(db, "kc_user") < 2 && i < 100; i++) await sleep(100);
            // The control: a plain comparison takes both spellings for one user.
            expect(sessionsOf(db, "kc_user")).toBe(2);
            const ids = db.sql(`${sessionsQuery("kc_user")};`).trim().split("\n");
            expect(ids).toHaveLength(1);
            expect(db.sql(`SELECT USER FROM information_schema.PROCESSLIST WHERE ID = ${Number(ids[0])};`).trim()).toBe("kc_user");
        } finally {
            // Both held sessions end (a plain comparison lists both spellings).
            for (const id of db.sql(`SELECT ID FROM information_schema.PROCESSLIST WHERE USER = 'kc_user';`).trim().split("\n").filter(Boolean)) db.sql(`KILL CONNECTION ${Number(id)};`);
            await Promise.all(held.map((h) => h.ended));
            db.sql("DROP USER 'kc_user'@'%', 'KC_user'@'%';");
        }
    }, TIMEOUT);

    test("host localhost with a port does not reach the server on that port: the client takes localhost for its Unix socket (why the planner refuses a port with localhost)", async () => {
        const at = mkdtempSync(join(tmpdir(), "rekey-mysql-localhost-"));
        try {
            const apply = { kind: "mysql" as const, host: "localhost", port: db.port, users: ["x"], user: "x", userHost: "%", adminUser: db.adminUser, adminPasswordSecret: null, createUsers: false };
            // The hook's option file, plus a socket path of the test's own, so that the client
            // touches no server of this machine's (measured: the default socket answers with
            // whatever server owns it, here one that refused the harness's admin).
            const socket = join(at, "none.sock");
            writeFileSync(join(at, "client.cnf"), `${clientOptions(apply, db.adminPassword)}socket=${socket}\n`, { mode: 0o600 });
            const r = spawnSync(MARIADB_CLIENT!, [`--defaults-file=${join(at, "client.cnf")}`, "-N", "-B", "-e", "SELECT @@port"], { encoding: "utf8" });
            expect(r.status).not.toBe(0);
            expect(r.stderr).toContain(`through socket '${socket}'`);
            // The control: the same option file with 127.0.0.1 reaches it.
            writeFileSync(join(at, "client.cnf"), clientOptions({ ...apply, host: "127.0.0.1" }, db.adminPassword), { mode: 0o600 });
            expect(spawnSync(MARIADB_CLIENT!, [`--defaults-file=${join(at, "client.cnf")}`, "-N", "-B", "-e", "SELECT @@port"], { encoding: "utf8" }).stdout.trim()).toBe(String(db.port));
            expect(() => planOf({ "rekey:secrets": { PW: { epoch: 1, generate: { encoding: "hex", bytes: 16 }, apply: { mysql: { host: "localhost", port: db.port, user: "x" } }, stores: [{ file: { path: join(at, "pw") } }] } } })).toThrow(new RegExp(`apply\\.mysql\\.port.*${db.port} is not used with host localhost`));
        } finally {
            rmSync(at, { recursive: true, force: true });
        }
    }, TIMEOUT);

    test("a hostile admin password (quotes, backslashes, #, ;, spaces at both ends, a line break, non-ASCII) and user names with $ . - reach the server exactly through the option file and SQL literals", async () => {
        const password = ` a'b"c\\d#e;f\\n\\\\g\nh\tÅ🙂 `;
        const admin = "rk$adm.in-1";
        db.sql(`CREATE USER ${lit(admin)}@'%' IDENTIFIED BY ${lit(password)};\nGRANT ALL PRIVILEGES ON *.* TO ${lit(admin)}@'%' WITH GRANT OPTION;\n`);
        expect(mariadbLogin(db.port, admin, password)).toBe("ok");
        expect(mariadbLogin(db.port, admin, password.trim())).toMatch(/Access denied/);
        const at = join(dir, "hostile");
        mkdirSync(at);
        const config: Config = {
            "rekey:secrets": {
                ADMIN: { epoch: 1, supplied: true },
                PW: { epoch: 1, generate: { encoding: "password", length: 40, minSpecial: 8, overrideSpecial: `'"\\#;%_` }, apply: { mysql: { host: "127.0.0.1", port: db.port, users: ["x.y-2", "p$q"], userHost: "127.0.0.%", adminUser: admin, adminPasswordSecret: "ADMIN", createUsers: true } }, stores: [{ file: { path: join(at, "pw") } }] },
            },
            "rekey:supplied": { ADMIN: password },
        };
        const engine = new MockEngine();
        const r = await runWithValues(engine, config);
        const out = await replay(engine, r.run);
        expect(out.failed).toEqual([]);
        // Epoch 1 sets (and creates) users[1]; users[0] is created by the epoch that sets it.
        expect(db.sql(`SELECT CONCAT(User, '@', Host) FROM mysql.user WHERE User IN ('x.y-2', 'p$q') ORDER BY User;`).trim().split("\n")).toEqual(["p$q@127.0.0.%"]);
        expect(r.values.PW).toMatch(/['"\\#;%_]/);
        expect(mariadbLogin(db.port, "p$q", r.values.PW)).toBe("ok");
        // The statements for MySQL send the password as a SQL literal: MariaDB's parser takes
        // the same literal, so the hostile password set through them logs in exactly.
        const apply = { kind: "mysql" as const, host: "127.0.0.1", port: db.port, users: ["lit_user"], user: "lit_user", userHost: "%", adminUser: admin, adminPasswordSecret: null, createUsers: true };
        const forMysql = setStatements(apply, password).split("\n").slice(1).join("\n");
        db.sql(`${forMysql}${setTails(apply, false).tail}\n`);
        expect(mariadbLogin(db.port, "lit_user", password)).toBe("ok");
        expect(mariadbLogin(db.port, "lit_user", password.trim())).toMatch(/Access denied/);
    }, TIMEOUT);
});

// A MariaDB started with --version reports that string as VERSION() (measured: 10.11 with
// --version=8.0.36 says 8.0.36, and logs "Version: '10.11.19-MariaDB…' as '8.0.36'"); operators
// set it for applications that check for MySQL 8. The hook must still send MariaDB the
// password's hash (never the password, which its general log would keep) and no MySQL-only clause.
describeNeeding("mariadb", haveMariadb, "install MariaDB (apt-get install mariadb-server mariadb-client)", "mysql hook against a MariaDB whose VERSION() says 8.0.36", () => {
    let db: MariadbServer;
    let dir: string;
    beforeAll(async () => {
        db = await startMariadb({ serverArgs: ["--version=8.0.36"] });
        dir = mkdtempSync(join(tmpdir(), "rekey-mysql-spoof-"));
    }, TIMEOUT);
    afterAll(async () => {
        await db?.stop();
        rmSync(dir, { recursive: true, force: true });
    }, TIMEOUT);

    test("two users and one user: the hook takes it for MariaDB, its general log holds no password, and the single user's rotation and finalize succeed with no dual passwords", async () => {
        expect(db.sql("SELECT VERSION();").trim()).toBe("8.0.36");
        db.sql("SET GLOBAL general_log_file = 'rekey-spoof-general.log'; SET GLOBAL general_log = 1;");
        const secrets = (epoch: number, apply: Record<string, unknown>, path: string) => ({
            ADMIN: { epoch: 1, supplied: true },
            PW: { epoch, generate: { encoding: "hex", bytes: 24 }, apply: { mysql: { host: "127.0.0.1", port: db.port, adminUser: db.adminUser, adminPasswordSecret: "ADMIN", createUsers: true, ...apply } }, stores: [{ file: { path } }] },
        });
        const values: string[] = [];
        for (const [name, apply] of [["pair", { users: ["sp_blue", "sp_green"] }], ["single", { user: "sp_one" }]] as const) {
            const engine = new MockEngine();
            for (const epoch of [1, 2]) {
                const r = await runWithValues(engine, { "rekey:secrets": secrets(epoch, apply, join(dir, name)), "rekey:supplied": { ADMIN: db.adminPassword } });
                const out = await replay(engine, r.run);
                // Before the fix the single user's hook failed here: MariaDB took RETAIN CURRENT PASSWORD as a syntax error.
                expect(out.failed).toEqual([]);
                values.push(r.values.PW);
            }
        }
        expect(mariadbLogin(db.port, "sp_blue", values[1])).toBe("ok");
        expect(mariadbLogin(db.port, "sp_one", values[3])).toBe("ok");
        expect(mariadbLogin(db.port, "sp_one", values[2])).toMatch(/Access denied/);
        db.sql("SET GLOBAL general_log = 0;");
        const general = readFileSync(join(db.sql("SELECT @@datadir;").trim(), "rekey-spoof-general.log"), "utf8");
        expect(general).toMatch(/ALTER USER 'sp_one'@'%' IDENTIFIED BY PASSWORD '\*[0-9A-F]{40}' ACCOUNT UNLOCK/);
        expect(general).not.toMatch(/RETAIN CURRENT PASSWORD|DISCARD OLD PASSWORD/);
        for (const v of values) expect(general.includes(v)).toBe(false);
    }, TIMEOUT);
});
