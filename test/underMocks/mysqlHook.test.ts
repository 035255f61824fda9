// What the program registers for a mysql hook (components/hooks/mysql.ts): one command per
// step, named after the server and the user it sets, under its secret; the statements on
// stdin and the option file (with the admin password) in the environment, both secret; no
// value, no hash of one, in any input left in the clear; the finalize and the incident's
// revocation after the verifies, rerun by the value's fingerprint.
import { createHash } from "crypto";
import { Config, apiThenWorker } from "../harness/configs";
import { MockEngine, waitsFor } from "../harness/mockEngine";
import { runWithValues } from "../harness/values";
import { nativePasswordHash, optionValue } from "../../components/hooks/mysql";

const LOCAL = "command:local:Command";

function config(epoch: number, marks: Record<string, unknown> = {}): Config {
    const mysql = { host: "db.internal", adminUser: "admin", adminPasswordSecret: "DB_ADMIN" };
    return {
        "rekey:consumers": apiThenWorker(),
        "rekey:secrets": {
            DB_ADMIN: { epoch: 1, supplied: true },
            PAIR: { epoch, ...marks, generate: { encoding: "hex", bytes: 24 }, apply: { mysql: { ...mysql, users: ["app_a", "app_b"] } }, stores: [{ dotenv: { path: "/srv/app/.env" } }], consumers: ["api", "worker"] },
            ONE: { epoch, generate: { encoding: "hex", bytes: 24 }, apply: { mysql: { ...mysql, user: "report", userHost: "10.0.%" } }, stores: [{ dotenv: { path: "/srv/app/.env" } }], consumers: ["api"] },
        },
        "rekey:supplied": { DB_ADMIN: "admin pass'word" },
    };
}

test("the hook, the finalize and an incident's revocation: names, parents, waits, and every value secret", async () => {
    const engine = new MockEngine();
    const r = await runWithValues(engine, config(2));
    const res = (name: string) => r.run.resources.get(`${LOCAL}::${name}`)!;
    const pairHook = res("rekey-mysql:db.internal:3306/app_a");
    const oneHook = res("rekey-mysql:db.internal:3306/report");
    const finalize = res("rekey-mysql-finalize:db.internal:3306/report");
    for (const c of [pairHook, oneHook, finalize]) expect(c).toBeDefined();
    expect(pairHook.parent).toBe("rekey:index:MysqlPassword::rekey-PAIR-mysql");
    expect(finalize.parent).toBe("rekey:index:MysqlFinalize::rekey-ONE-mysql-finalize");
    expect([...r.run.resources.keys()].filter((k) => k.includes("mysql-revoke"))).toEqual([]);
    // The statements: the MariaDB line with the hash, then MySQL's with the literal; the dual-password tail for the single user.
    expect(oneHook.inputs.stdin).toContain(`ALTER USER 'report'@'10.0.%' IDENTIFIED BY PASSWORD '${nativePasswordHash(r.values.ONE)}'`);
    expect(oneHook.inputs.stdin).toContain(`ALTER USER 'report'@'10.0.%' IDENTIFIED BY '${r.values.ONE}'`);
    expect(oneHook.inputs.environment.REKEY_MYSQL_DUAL_TAIL).toBe(" RETAIN CURRENT PASSWORD ACCOUNT UNLOCK;");
    expect(pairHook.inputs.environment.REKEY_MYSQL_DUAL_TAIL).toBe(" ACCOUNT UNLOCK;");
    expect(pairHook.inputs.environment.REKEY_MYSQL_OPTIONS).toBe(`[client]\nhost="db.internal"\nport=3306\nuser="admin"\ndefault-character-set=utf8mb4\nconnect-timeout=10\npassword=${optionValue("admin pass'word")}\n`);
    expect(finalize.inputs.stdin).toContain("ALTER USER 'report'@'10.0.%' DISCARD OLD PASSWORD;");
    // The finalize waits for the verify of api, the consumer of ONE; the hook for nothing of the consumers.
    expect([...waitsFor(r.run.resources)(`${LOCAL}::rekey-mysql-finalize:db.internal:3306/report`)]).toContain(`${LOCAL}::rekey-verify:api`);
    // Nothing of a value (or its hash) in any input left in the clear.
    const values = [...Object.values(r.values), "admin pass'word"];
    const needles = values.flatMap((v) => [v, nativePasswordHash(v), nativePasswordHash(v).slice(1), createHash("sha256").update(v).digest("hex")]);
    for (const c of r.run.resources.values()) {
        const clear = c.leaves.filter((l) => !l.secret && needles.some((n) => l.value.includes(n))).map((l) => l.path);
        expect({ resource: c.name, clear }).toEqual({ resource: c.name, clear: [] });
    }
    for (const c of [pairHook, oneHook, finalize]) expect(c.inputs.create).not.toMatch(/IDENTIFIED|password=/);

    // The next rotation reruns the finalize (its SQL is the same: the fingerprint trigger moves).
    const next = await runWithValues(engine, config(3));
    const fin3 = next.run.resources.get(`${LOCAL}::rekey-mysql-finalize:db.internal:3306/report`)!;
    expect(JSON.stringify(fin3.inputs.triggers)).not.toBe(JSON.stringify(finalize.inputs.triggers));

    // An incident of the pair: epoch 4 sets app_a; app_b, which holds the leaked password, is locked after every verify.
    const incident = await runWithValues(engine, config(4, { incident: "leaked in a CI log" }));
    const revoke = incident.run.resources.get(`${LOCAL}::rekey-mysql-revoke:db.internal:3306/app_b`)!;
    expect(revoke.inputs.stdin).toContain("ALTER USER 'app_b'@'%' ACCOUNT LOCK;");
    expect(revoke.inputs.environment.REKEY_MYSQL_SESSIONS).toBe("SELECT ID FROM information_schema.PROCESSLIST WHERE BINARY USER = 'app_b'");
    expect([...waitsFor(incident.run.resources)(`${LOCAL}::rekey-mysql-revoke:db.internal:3306/app_b`)]).toEqual(expect.arrayContaining([`${LOCAL}::rekey-verify:api`, `${LOCAL}::rekey-restart:worker`]));
    expect(incident.run.resources.get(`${LOCAL}::rekey-mysql:db.internal:3306/app_a`)!.inputs.environment.REKEY_MYSQL_DUAL_TAIL).toBe(" ACCOUNT UNLOCK;");
});
