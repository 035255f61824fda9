// The mysql hook in the planner (no Pulumi, no server): its resolution, the schedule's
// revocation steps per mode (one user: the finalize that discards the retained password;
// two users: none, or at an incident the lock of the other user, after the verifies or
// first), what `rekey plan` says (the single-user overlap warning, the finalize, the
// incident banner), and the hook's server check (DETECT_DUAL) run by sh on each VERSION(), and the option file removed when a signal stops the hook.
import { execFileSync, spawn } from "child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { dirname, join } from "path";
import { DETECT_DUAL, SET_SCRIPT, nativePasswordHash, setStatements, setTails, sqlString } from "../../components/hooks/mysql";
import { diffPlans } from "../../components/plan/diff";
import { planRotation } from "../../components/plan/plan";
import { schedule } from "../../components/plan/schedule";
import { renderPlan } from "../../cli/render";
import { Config } from "../harness/configs";
import { rawConfig } from "../harness/rawConfig";

const plan = (c: Config) => planRotation(rawConfig(c));

function config(epoch: number, mysql: Record<string, unknown>, marks: Record<string, unknown> = {}): Config {
    return {
        "rekey:consumers": { api: { restart: "systemctl restart api", verify: { command: "true" } } },
        "rekey:secrets": { DB: { epoch, ...marks, generate: { encoding: "hex", bytes: 16 }, apply: { mysql: { host: "db.internal", ...mysql } }, stores: [{ dotenv: { path: "/srv/app/.env" } }], consumers: ["api"] } },
    };
}

test("resolution: defaults, the user of the epoch's parity, and <NAME>_USER in the stores with two users", () => {
    const s = plan(config(3, { users: ["app_a", "app_b"] })).secrets[0];
    expect(s.apply).toEqual({ kind: "mysql", host: "db.internal", port: 3306, users: ["app_a", "app_b"], user: "app_b", userHost: "%", adminUser: "root", adminPasswordSecret: null, createUsers: false });
    expect(s.user).toBe("app_b");
    expect(s.stores[0].writes.map((w) => w.variant)).toEqual(["current", "user"]);
    const one = plan(config(3, { user: "app", port: 3307, userHost: "10.0.%", adminUser: "admin" })).secrets[0];
    expect(one.user).toBeNull();
    expect(one.stores[0].writes.map((w) => w.variant)).toEqual(["current"]);
});

const revokes = (c: Config) => schedule(plan(c)).revokes.map((r) => ({ id: r.id, when: r.when, resource: r.resource, action: r.action }));

test("the schedule's revocations per mode", () => {
    // One user: the retained old password is discarded after every verify.
    expect(revokes(config(2, { user: "app" }))).toEqual([{ id: "finalize:DB", when: "last", resource: "DB-mysql-finalize", action: { kind: "mysqlFinalize", user: "app" } }]);
    // Two users: the other keeps its password until its next turn; nothing to revoke.
    expect(revokes(config(2, { users: ["app_a", "app_b"] }))).toEqual([]);
    // Incidents: the pair's other user is locked after the verifies, or first.
    expect(revokes(config(2, { users: ["app_a", "app_b"] }, { incident: "leaked" }))).toEqual([{ id: "finalize:DB", when: "last", resource: "DB-mysql-revoke", action: { kind: "mysqlRevoke", user: "app_b", lock: true } }]);
    expect(revokes(config(2, { users: ["app_a", "app_b"] }, { incident: "leaked", revokeFirst: true }))).toEqual([{ id: "revoke:DB", when: "first", resource: "DB-mysql-revoke", action: { kind: "mysqlRevoke", user: "app_b", lock: true } }]);
    // One user at an incident: the hook retains nothing (no finalize); revokeFirst ends its sessions.
    expect(revokes(config(2, { user: "app" }, { incident: "leaked" }))).toEqual([]);
    expect(revokes(config(2, { user: "app" }, { incident: "leaked", revokeFirst: true }))).toEqual([{ id: "revoke:DB", when: "first", resource: "DB-mysql-revoke", action: { kind: "mysqlRevoke", user: "app", lock: false } }]);
});

test("rekey plan: the single user's overlap warning (not with two users, not at an incident), the finalize, the incident banner", () => {
    const single = diffPlans(plan(config(1, { user: "app" })), plan(config(2, { user: "app" })), new Set());
    expect(single.warnings).toEqual([expect.stringMatching(/^DB: MySQL user app on db\.internal:3306 has one user: on MySQL 8\.0\.14 or later the old password keeps working .* MariaDB and older MySQL have no dual passwords: there the hook replaces the old password, and the consumers' new logins fail until they restart/)]);
    expect(single.finalize).toEqual([{ secret: "DB", kind: "mysql", user: "app", lock: false, after: ["api"] }]);
    const pair = diffPlans(plan(config(1, { users: ["a", "b"] })), plan(config(2, { users: ["a", "b"] })), new Set());
    expect(pair.warnings).toEqual([]);
    expect(pair.finalize).toEqual([]);
    const incident = diffPlans(plan(config(1, { users: ["a", "b"] })), plan(config(2, { users: ["a", "b"] }, { incident: "leaked" })), new Set());
    expect(incident.warnings).toEqual([]);
    expect(incident.finalize).toEqual([{ secret: "DB", kind: "mysql", user: "b", lock: true, after: ["api"] }]);
    expect(incident.incidents[0].revoked[0]).toMatch(/^MySQL user a gets the new password first; user b, which holds the leaked one, can log in until api verified, then is locked \(ACCOUNT LOCK\) and every session of b is killed \(KILL CONNECTION\)/);
    const one = diffPlans(plan(config(1, { user: "app" })), plan(config(2, { user: "app" }, { incident: "leaked" })), new Set());
    expect(one.warnings).toEqual([]);
    expect(one.finalize).toEqual([]);
    expect(one.incidents[0].revoked[0]).toMatch(/^MySQL user app: the hook replaces the leaked password first, before any store, retaining none/);
    // An incident added with no bump (the same value) still changes what the single user's hook does.
    const marked = diffPlans(plan(config(2, { user: "app" })), plan(config(2, { user: "app" }, { incident: "leaked" })), new Set());
    expect(marked.hooks.map((h) => h.secret)).toEqual(["DB"]);
});

test("the hook's statements: the account and password as exact literals, the MariaDB line with the native hash, the tails per mode", () => {
    const apply = plan(config(1, { user: "app", userHost: "10.%" })).secrets[0].apply as Extract<NonNullable<ReturnType<typeof plan>["secrets"][0]["apply"]>, { kind: "mysql" }>;
    expect(sqlString("it's")).toBe("'it''s'");
    const [mariadb, ...mysql] = setStatements(apply, "p'w\\x").split("\n");
    expect(mariadb).toBe(`SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES'); ALTER USER 'app'@'10.%' IDENTIFIED BY PASSWORD '${nativePasswordHash("p'w\\x")}'`);
    expect(mysql.join("\n")).toBe("SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES');\nALTER USER 'app'@'10.%' IDENTIFIED BY 'p''w\\x'");
    // MariaDB's PASSWORD('password') (MariaDB docs, PASSWORD()).
    expect(nativePasswordHash("password")).toBe("*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19");
    expect(setTails(apply, false)).toEqual({ tail: " ACCOUNT UNLOCK;", dualTail: " RETAIN CURRENT PASSWORD ACCOUNT UNLOCK;" });
    expect(setTails(apply, true)).toEqual({ tail: " ACCOUNT UNLOCK;", dualTail: " ACCOUNT UNLOCK;\nALTER USER 'app'@'10.%' DISCARD OLD PASSWORD;" });
    const pair = plan(config(1, { users: ["a", "b"] })).secrets[0].apply as typeof apply;
    expect(setTails(pair, false)).toEqual({ tail: " ACCOUNT UNLOCK;", dualTail: " ACCOUNT UNLOCK;" });
});

// Each row: VERSION(), what `SELECT 0 /*M!+1*/` returns (1 on MariaDB, which runs the comment's
// text; 0 on MySQL, which skips it), then whether the hook takes the server for MariaDB and
// for one with dual passwords. A MariaDB started with --version=8.0.36 is MariaDB.
test.each([
    ["10.11.19-MariaDB-0+deb12u1", "1", "1 0"],
    ["11.4.2-MariaDB", "1", "1 0"],
    ["5.5.5-10.6.12-MariaDB", "1", "1 0"],
    ["8.0.36", "1", "1 0"],
    ["9.1.0", "1", "1 0"],
    ["5.7.44-log", "0", "0 0"],
    ["8.0.13", "0", "0 0"],
    ["8.0.14", "0", "0 1"],
    ["8.0.36-0ubuntu0.22.04.1", "0", "0 1"],
    ["8.4.3", "0", "0 1"],
    ["9.1.0", "0", "0 1"],
])("the hook's server check: VERSION() %s, the MariaDB comment gives %s: mariadb, dual = %s", (version, comment, expected) => {
    const fake = `q() { case "$*" in "--comments -e SELECT 0 /*M!+1*/") printf '%s\\n' "$M" ;; "-e SELECT VERSION()") printf '%s\\n' "$V" ;; *) exit 9 ;; esac; }`;
    const out = execFileSync("sh", ["-c", `set -eu\n${fake}\n${DETECT_DUAL}\nprintf '%s %s' "$mariadb" "$dual"`], { env: { PATH: process.env.PATH, V: version, M: comment }, encoding: "utf8" });
    expect(out).toBe(expected);
});

test.each(["SIGTERM", "SIGHUP", "SIGINT"] as const)("the option file with the admin password is removed when the hook's shell is stopped by %s while the client runs", async (signal) => {
    const dir = mkdtempSync(join(tmpdir(), "rekey-mysql-trap-"));
    let file = "";
    try {
        // A client that records the option file it was given, then takes a second to answer.
        const seen = join(dir, "seen");
        writeFileSync(join(dir, "mariadb"), `#!/bin/sh\nprintf '%s' "$1" >'${seen}'\nsleep 1\necho 1\n`);
        chmodSync(join(dir, "mariadb"), 0o755);
        const child = spawn("sh", ["-c", SET_SCRIPT], { env: { PATH: `${dir}:${process.env.PATH}`, REKEY_MYSQL_OPTIONS: "[client]\npassword=admin-secret\n" }, stdio: ["pipe", "ignore", "ignore"] });
        const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
        for (let i = 0; !existsSync(seen) && i < 100; i++) await new Promise((r) => setTimeout(r, 50));
        file = readFileSync(seen, "utf8").replace(/^--defaults-file=/, "");
        expect(readFileSync(file, "utf8")).toContain("admin-secret");
        child.kill(signal);
        expect(await exited).not.toBe(0);
        expect(existsSync(file)).toBe(false);
    } finally {
        rmSync(dir, { recursive: true, force: true });
        if (file !== "") rmSync(dirname(file), { recursive: true, force: true });
    }
});

test("rekey plan's text: the hook, the overlap warning, the finalize and the incident's lock", () => {
    const render = (base: Config, head: Config) => renderPlan({ stack: "production", base: "main", newStack: false, rotates: true, ...diffPlans(plan(base), plan(head), new Set()) });
    const single = render(config(1, { user: "app" }), config(2, { user: "app" }));
    expect(single).toContain("mysql: new password for user app@% (the old password retained beside it where the server has dual passwords: MySQL 8.0.14+) on db.internal:3306, as root");
    expect(single).toContain("- DB: mysql user app's retained old password is discarded (DISCARD OLD PASSWORD, where the server has dual passwords) after api");
    expect(single).toMatch(/DB: MySQL user app on db\.internal:3306 has one user/);
    const incident = render(config(1, { users: ["a", "b"] }), config(2, { users: ["a", "b"] }, { incident: "leaked" }));
    expect(incident).toContain("mysql: new password for user a@% (of a and b, alternating by epoch; the other keeps its password until the next rotation) on db.internal:3306, as root");
    expect(incident).toContain("- DB: mysql user b, which holds the leaked password, is locked (ACCOUNT LOCK) and its sessions end after api");
    expect(incident).toContain("`finalize:DB` after");
});
