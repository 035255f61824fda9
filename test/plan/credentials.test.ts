// One owner per credential (components/plan/credentials.ts): what is one server, what is one
// role or user, and what stays allowed. The refused inventories are in the hostile corpus
// (OWNER_CASES in test/harness/invalidConfigs.ts).
import { canonicalServerHost } from "../../components/plan/credentials";
import { RekeyConfigError, planRotation } from "../../components/plan/plan";
import { rawConfig } from "../harness/rawConfig";

const gen = { epoch: 0, generate: { encoding: "hex", bytes: 24 } };
const pg = (postgres: Record<string, unknown>) => ({ ...gen, apply: { postgres } });
const redis = (r: Record<string, unknown>) => ({ ...gen, apply: { redis: r } });
const plans = (secrets: Record<string, unknown>) => planRotation(rawConfig({ "rekey:secrets": secrets })).secrets.map((s) => s.name);

describe("one server: the host as psql and redis-cli would reach it", () => {
    test.each([
        ["localhost", ["LOCALHOST", "localhost.", "127.0.0.1", "127.1", "0x7f.0.0.1", "2130706433", "::1", "[::1]", "0:0:0:0:0:0:0:1", "[::ffff:127.0.0.1]", "127.0.0.2", "127.255.0.1", "0", "0.0.0.0", "::", "[::]", "::ffff:7f00:2", "::1%lo", "[::1%lo]"]],
        ["db.example.com", ["DB.Example.COM", "db.example.com."]],
        ["10.0.0.5", ["10.0.0.5", "10.0.5", "012.0.0.5", "::ffff:10.0.0.5", "[::ffff:a00:5]"]],
        ["[2001:db8::1]", ["2001:DB8:0:0:0:0:0:1", "[2001:db8::1]"]],
    ])("%s", (canonical, spellings) => {
        for (const s of spellings) expect({ s, is: canonicalServerHost(s) }).toEqual({ s, is: canonical });
    });

    test("different servers stay apart: other names and addresses, an IPv6 zone kept as written (every loopback address is the local server)", () => {
        const hosts = ["localhost", "128.0.0.1", "db", "db1", "db.example.com", "10.0.0.5", "[2001:db8::2]", "fe80::1%eth0", "fe80::1%eth1"];
        expect(new Set(hosts.map(canonicalServerHost)).size).toBe(hosts.length);
    });
});

describe("one credential, one owner: what stays allowed", () => {
    test("one role on two servers, or on two ports of one host", () => {
        expect(plans({ A: pg({ host: "db1", role: "app" }), B: pg({ host: "db2", role: "app" }), C: pg({ host: "db1", port: 5433, role: "app" }) })).toEqual(["A", "B", "C"]);
    });

    test('"App" and "app" are two roles: rekey double-quotes role names, and a quoted identifier keeps its case (PostgreSQL docs, "Identifiers and Key Words")', () => {
        expect(plans({ A: pg({ host: "db", role: "App" }), B: pg({ host: "db", role: "app" }) })).toEqual(["A", "B"]);
    });

    test("two role pairs on one server without a common role", () => {
        expect(plans({ A: pg({ host: "db", roles: ["a_blue", "a_green"] }), B: pg({ host: "db", roles: ["b_blue", "b_green"] }) })).toEqual(["A", "B"]);
    });

    test("Redis ACL users are per server and case-sensitive (redis src/acl.c ACLGetUserByName looks the exact bytes up)", () => {
        expect(plans({ A: redis({ user: "app" }), B: redis({ user: "App" }), C: redis({ user: "app", port: 6380 }), D: redis({ host: "cache", user: "app" }) })).toEqual(["A", "B", "C", "D"]);
    });

    test("a Postgres role and a Redis user of one name on one host are two credentials", () => {
        expect(plans({ A: pg({ host: "127.0.0.1", role: "app" }), B: redis({ user: "app" }) })).toEqual(["A", "B"]);
    });

    test("a hook whose admin is a rotated role logs in by local trust (no adminPasswordSecret): no password of it can go stale", () => {
        expect(plans({ OPS: pg({ host: "db", role: "ops_admin" }), APP: pg({ host: "db", role: "app", adminUser: "ops_admin" }) })).toEqual(["OPS", "APP"]);
    });

    test("a supplied admin password of a role rotated on another server, or of a Redis user rotated on another port", () => {
        const supplied = { ADMIN: { supplied: true, epoch: 1 } };
        const config = {
            "rekey:secrets": {
                ...supplied,
                OPS: pg({ host: "db2", role: "ops_admin" }),
                APP: pg({ host: "db", role: "app", adminUser: "ops_admin", adminPasswordSecret: "ADMIN" }),
                DEF: redis({ user: "default", port: 6380 }),
                CACHE: redis({ user: "app", adminPasswordSecret: "ADMIN" }),
            },
            "rekey:supplied": { ADMIN: "x" },
        };
        expect(planRotation(rawConfig(config)).secrets.map((s) => s.name)).toEqual(["ADMIN", "OPS", "APP", "DEF", "CACHE"]);
    });

    test("a hook's admin password may be the supplied secret whose own hook sets that role: it is the role's password, and follows it", () => {
        const config = {
            "rekey:secrets": {
                OPS: { epoch: 1, supplied: true, apply: { postgres: { host: "db", role: "ops_admin" } } },
                APP: pg({ host: "db", role: "app", adminUser: "ops_admin", adminPasswordSecret: "OPS" }),
            },
            "rekey:supplied": { OPS: "x" },
        };
        expect(planRotation(rawConfig(config)).secrets.map((s) => s.name)).toEqual(["OPS", "APP"]);
    });

    test("a derived secret has no hook: it follows the secret that sets the role", () => {
        expect(plans({ A: pg({ host: "db", role: "app" }), B: { derive: "{{A}}" } })).toEqual(["A", "B"]);
    });
});

test("the refusal names both secrets, the role and the server, each from its own side, in one error", () => {
    let error: unknown;
    try {
        plans({ A: pg({ host: "localhost", role: "app" }), B: pg({ host: "127.0.0.1", roles: ["app", "app_old"] }) });
    } catch (e) {
        error = e;
    }
    expect(error).toBeInstanceOf(RekeyConfigError);
    expect((error as RekeyConfigError).problems).toEqual([
        {
            subject: "secret A",
            field: "apply.postgres.role",
            reason: 'Postgres role "app" on localhost:5432 is also set by secret B (as 127.0.0.1, the same server): one role, one secret (each rotation would overwrite the other\'s password). Give each secret its own role, or let one secret set it and the other follow its value with derive: "{{B}}" (a derived secret has no hook)',
        },
        {
            subject: "secret B",
            field: "apply.postgres.roles",
            reason: 'Postgres role "app" on 127.0.0.1:5432 is also set by secret A (as localhost, the same server): one role, one secret (each rotation would overwrite the other\'s password). Give each secret its own role, or let one secret set it and the other follow its value with derive: "{{A}}" (a derived secret has no hook)',
        },
    ]);
});
