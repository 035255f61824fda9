// One credential, one owner (components/plan/credentials.ts) compares Postgres role names
// with their case, because rekey double-quotes them. Held for real here: two secrets whose
// hooks set "App" and "app" on one throwaway cluster are accepted, and each sets a role of
// its own (PostgreSQL docs, SQL Syntax, "Identifiers and Key Words": a quoted identifier is
// case-sensitive).
import { MockEngine } from "../harness/mockEngine";
import { POSTGRES_BIN, PostgresCluster, pgLogin, startPostgres } from "../harness/postgresCluster";
import { replay } from "../harness/replay";
import { commandExists, describeNeeding } from "../harness/requirements";
import { runWithValues } from "../harness/values";

describeNeeding("postgres", POSTGRES_BIN !== null && commandExists("psql"), "install PostgreSQL server binaries and psql (apt-get install postgresql)", "postgres", () => {
    let pg: PostgresCluster;
    beforeAll(async () => {
        pg = await startPostgres();
    });
    afterAll(() => pg?.stop());

    test('"App" and "app" on one server are two roles, each with its own secret\'s password', async () => {
        const hook = (role: string) => ({
            epoch: 0,
            generate: { encoding: "hex", bytes: 24 },
            apply: { postgres: { host: "127.0.0.1", port: pg.port, role, createRoles: true, adminPasswordSecret: "PG_ADMIN_PASSWORD" } },
        });
        const engine = new MockEngine();
        const { run, values } = await runWithValues(engine, {
            "rekey:secrets": { PG_ADMIN_PASSWORD: { epoch: 1, supplied: true }, UPPER: hook("App"), LOWER: hook("app") },
            "rekey:supplied": { PG_ADMIN_PASSWORD: pg.adminPassword },
        });
        const out = await replay(engine, run);
        expect(out.failed).toEqual([]);
        expect(out.ran).toEqual(expect.arrayContaining([`rekey-postgres:127.0.0.1:${pg.port}/App`, `rekey-postgres:127.0.0.1:${pg.port}/app`]));
        expect(pg.sql("SELECT string_agg(rolname, ',' ORDER BY rolname COLLATE \"C\") FROM pg_roles WHERE lower(rolname) = 'app';").trim()).toBe("App,app");
        expect(await pgLogin(pg.port, "App", values.UPPER)).toBe("ok");
        expect(await pgLogin(pg.port, "app", values.LOWER)).toBe("ok");
        expect(await pgLogin(pg.port, "App", values.LOWER)).not.toBe("ok");
        expect(await pgLogin(pg.port, "app", values.UPPER)).not.toBe("ok");
    });
});
