// The schedule (components/plan/schedule.ts) as `rekey plan` renders it: the steps a change
// runs and the waits among them are the ones the program registers. What the program does
// with the same schedule: test/underMocks/consumers.test.ts, test/underMocks/incident.test.ts, and
// the property test test/forReal/scheduleReplay.test.ts.
import { diffPlans } from "../../components/plan/diff";
import { planRotation } from "../../components/plan/plan";
import { schedule } from "../../components/plan/schedule";
import { Config } from "../harness/configs";
import { rawConfig } from "../harness/rawConfig";

function config(epoch: number, incident?: string): Config {
    return {
        "rekey:consumers": { api: { restart: "true", verify: { command: "true" } }, relay: { restart: "true", after: ["api"] }, worker: { restart: "true", after: ["relay"] } },
        "rekey:secrets": {
            DB_PASSWORD: {
                epoch,
                ...(incident ? { incident } : {}),
                generate: { encoding: "hex", bytes: 16 },
                apply: { postgres: { host: "db", roles: ["app_blue", "app_green"] } },
                stores: [{ ssm: { prefix: "/app/" } }],
                consumers: ["api"],
            },
            DATABASE_URL: { derive: "postgres://app:{{DB_PASSWORD}}@db/app", stores: [{ ssm: { prefix: "/app/" } }], consumers: ["worker"] },
            OTHER: { epoch: 1, generate: { encoding: "hex", bytes: 16 }, consumers: ["relay"] },
        },
    };
}
const plan = (c: Config) => planRotation(rawConfig(c));

test("a derived secret's store waits for the hook of the secret it derives from, in the schedule and in the plan's order", () => {
    expect(schedule(plan(config(4))).stores.map((s) => [s.id, s.waitsFor])).toEqual([
        ["store:ssm:/app/DB_PASSWORD", ["hook:DB_PASSWORD"]],
        ["store:ssm:/app/DATABASE_URL", ["hook:DB_PASSWORD"]],
    ]);
    const d = diffPlans(plan(config(4)), plan(config(5)), new Set());
    expect(d.order.find((o) => o.step === "store:ssm:/app/DATABASE_URL")).toEqual({ step: "store:ssm:/app/DATABASE_URL", after: ["hook:DB_PASSWORD"] });
});

test("at an incident the plan shows the Postgres finalize, after every consumer the program makes it wait for (through one that does not restart)", () => {
    const d = diffPlans(plan(config(4)), plan(config(5, "leaked")), new Set());
    // relay reads only OTHER, which did not change: it does not restart, and hands api's verify on to worker.
    expect(d.consumers.map((c) => c.name)).toEqual(["api", "worker"]);
    expect(d.finalize).toEqual([{ secret: "DB_PASSWORD", kind: "postgres", role: "app_blue", after: ["api", "worker"] }]);
    expect(d.order.map((o) => o.step)).toEqual(["hook:DB_PASSWORD", "store:ssm:/app/DB_PASSWORD", "store:ssm:/app/DATABASE_URL", "readBack:ssm:/app/DB_PASSWORD", "readBack:ssm:/app/DATABASE_URL", "restart:api", "verify:api", "restart:worker", "finalize:DB_PASSWORD"]);
    // worker reads DATABASE_URL from its store, not DB_PASSWORD's: it waits for DB_PASSWORD's hook only.
    expect(d.order.find((o) => o.step === "restart:worker")!.after).toEqual(["store:ssm:/app/DATABASE_URL", "readBack:ssm:/app/DATABASE_URL", "hook:DB_PASSWORD", "verify:api"].sort((a, b) => d.order.findIndex((o) => o.step === a) - d.order.findIndex((o) => o.step === b)));
    // Outside an incident, two roles need no finalize.
    expect(diffPlans(plan(config(4)), plan(config(5)), new Set()).finalize).toEqual([]);
});

test("a secret's record waits for every store holding its value: its own and those of the secrets derived from it", () => {
    const c: Config = {
        "rekey:consumers": {},
        "rekey:secrets": {
            A: { epoch: 1, generate: { encoding: "hex", bytes: 16 }, apply: { postgres: { host: "db", role: "a" } }, stores: [{ ssm: { prefix: "/p/" } }] },
            D: { derive: "x{{A}}", stores: [{ ssm: { prefix: "/p/" } }, { dotenv: { path: "/nonexistent/x.env" } }] },
        },
    };
    const records = new Map(schedule(plan(c)).records.map((r) => [r.secret, r.waitsFor]));
    const readBacks = ["readBack:ssm:/p/A", "readBack:ssm:/p/D", "readBack:dotenv:local:/nonexistent/x.env"];
    expect(records.get("A")).toEqual(["hook:A", "store:ssm:/p/A", "store:ssm:/p/D", "store:dotenv:local:/nonexistent/x.env", ...readBacks]);
    expect(records.get("D")).toEqual(["store:ssm:/p/D", "store:dotenv:local:/nonexistent/x.env", ...readBacks.slice(1)]);
});

test("each store is read back after its write and before every restart of a reader of what it holds; Key Vault is written, not read back", () => {
    const c: Config = {
        "rekey:consumers": { api: { restart: "true" }, worker: { restart: "true" } },
        "rekey:secrets": {
            A: { epoch: 1, generate: { encoding: "hex", bytes: 16 }, stores: [{ ssm: { prefix: "/p/" } }, { kubernetes: { secret: "s" } }, { keyVault: { vault: "kv1", resourceGroup: "rg" } }], consumers: ["api"] },
            B: { epoch: 1, generate: { encoding: "hex", bytes: 16 }, stores: [{ kubernetes: { secret: "s" } }, { file: { path: "/nonexistent/b" } }], consumers: ["worker"] },
        },
    };
    const s = schedule(plan(c));
    expect(s.readBacks.map((r) => [r.id, r.waitsFor, r.secrets])).toEqual([
        ["readBack:ssm:/p/A", ["store:ssm:/p/A"], ["A"]],
        ["readBack:kubernetes:default/s", ["store:kubernetes:default/s"], ["A", "B"]],
        ["readBack:file:/nonexistent/b", ["store:file:/nonexistent/b"], ["B"]],
    ]);
    const restart = (n: string) => s.consumers.find((x) => x.consumer.name === n)!.waitsFor;
    expect(restart("api")).toEqual(expect.arrayContaining(["readBack:ssm:/p/A", "readBack:kubernetes:default/s"]));
    expect(restart("api")).not.toContain("readBack:file:/nonexistent/b");
    expect(restart("worker")).toEqual(expect.arrayContaining(["readBack:kubernetes:default/s", "readBack:file:/nonexistent/b"]));
    // Registered after their writes, before any restart.
    const rank = (id: string) => s.steps.findIndex((st) => st.id === id);
    for (const r of s.readBacks) expect(rank(r.id)).toBeGreaterThan(rank(r.waitsFor[0]));
    for (const r of s.readBacks) expect(rank(r.id)).toBeLessThan(rank("restart:api"));
    expect(s.steps.some((st) => st.id.startsWith("readBack:keyVault"))).toBe(false);
});

test("a proveAt date moved re-runs every read-back and proof verify, and nothing else", () => {
    const c = (proveAt?: string): Config => ({
        "rekey:consumers": { api: { restart: "true", verify: { url: "http://127.0.0.1:1/health", proof: { key: "PK" } } }, worker: { restart: "true", verify: { url: "http://127.0.0.1:1/health" } } },
        "rekey:secrets": {
            PK: { epoch: 1, generate: { encoding: "hex", bytes: 32 }, stores: [{ dotenv: { path: "/nonexistent/a.env" } }], consumers: ["api"] },
            A: { epoch: 1, generate: { encoding: "hex", bytes: 16 }, stores: [{ dotenv: { path: "/nonexistent/a.env" } }, { ssm: { prefix: "/p/" } }], consumers: ["api", "worker"] },
        },
        ...(proveAt ? { "rekey:defaults": { proveAt } } : {}),
    });
    expect(diffPlans(plan(c()), plan(c()), new Set()).order).toEqual([]);
    const d = diffPlans(plan(c()), plan(c("2026-12-04")), new Set());
    expect(d.order.map((o) => o.step)).toEqual(["readBack:dotenv:local:/nonexistent/a.env", "readBack:ssm:/p/A", "verify:api"]);
    expect(d.verifies.map((v) => v.name)).toEqual(["api"]);
    expect(d.consumers).toEqual([]);
});

test("a restart waits for the stores it reads from, not those of a derived secret's inputs (which would serialise it behind writes it never reads)", () => {
    const c: Config = {
        "rekey:consumers": { api: { restart: "true" }, worker: { restart: "true" } },
        "rekey:secrets": {
            A: { epoch: 1, generate: { encoding: "hex", bytes: 16 }, apply: { postgres: { host: "db", role: "a" } }, stores: [{ ssm: { prefix: "/p/" } }, { kubernetes: { secret: "app", namespace: "ns" } }], consumers: ["api"] },
            D: { derive: "x{{A}}", stores: [{ ssm: { prefix: "/p/" } }], consumers: ["worker"] },
        },
    };
    const restarts = new Map(schedule(plan(c)).consumers.map((x) => [x.consumer.name, x.waitsFor]));
    expect(restarts.get("api")).toEqual(["store:ssm:/p/A", "store:kubernetes:ns/app", "readBack:ssm:/p/A", "readBack:kubernetes:ns/app", "hook:A"]);
    expect(restarts.get("worker")).toEqual(["store:ssm:/p/D", "readBack:ssm:/p/D", "hook:A"]);
});
