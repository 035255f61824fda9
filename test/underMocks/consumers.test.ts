import { afterChain } from "../harness/chains";
import { Config } from "../harness/configs";
import { MockEngine, RunResult, resource } from "../harness/mockEngine";
import { loadStackFile } from "../harness/stackFile";
import { runWithValues } from "../harness/values";

const CMD = "command:local:Command";
const RESTART = "rekey:index:Restart";

function staging(): Config {
    return loadStackFile("staging").config;
}
function production(): Config {
    return loadStackFile("production").config;
}
const bump = (c: Config, ...names: string[]) => {
    const d = structuredClone(c);
    for (const n of names) d["rekey:secrets"][n].epoch += 1;
    return d;
};
const restartsRun = (run: RunResult) =>
    [...run.resources.values()].filter((r) => r.type === CMD && r.name.startsWith("rekey-restart:") && r.change !== "same").map((r) => r.name).sort();

describe("restarts are coalesced and follow the rotation", () => {
    test.each([
        [["REDIS_PASSWORD"], ["rekey-restart:api", "rekey-restart:redis", "rekey-restart:worker"]],
        [["JWT_SECRET"], ["rekey-restart:api", "rekey-restart:worker"]],
        [["JWT_SECRET", "WEBHOOK_SECRET_KEY", "CREDENTIAL_ENCRYPTION_KEY"], ["rekey-restart:api", "rekey-restart:worker"]],
        [["CREDENTIAL_ENCRYPTION_KEY"], ["rekey-restart:api"]],
        [["ADMIN_BASIC_AUTH"], []],
        [[], []],
    ])("staging: bumping %j restarts %j, each once", async (bumped, expected) => {
        const engine = new MockEngine();
        await runWithValues(engine, staging());
        const { run } = await runWithValues(engine, bump(staging(), ...bumped));
        expect(restartsRun(run)).toEqual(expected);
    });

    test("a changed supplied value restarts its consumers, an unchanged one does not", async () => {
        const engine = new MockEngine();
        await runWithValues(engine, staging());
        const changed = staging();
        changed["rekey:supplied"].OPENAI_API_KEY = "sk-rotated-by-the-vendor";
        const { run } = await runWithValues(engine, changed);
        expect(restartsRun(run)).toEqual(["rekey-restart:api"]);
    });

    test("reordering the inventory in the stack file restarts nothing", async () => {
        const engine = new MockEngine();
        await runWithValues(engine, staging());
        const reordered = staging();
        const secrets = reordered["rekey:secrets"];
        reordered["rekey:secrets"] = Object.fromEntries(Object.entries(secrets).reverse());
        const { run } = await runWithValues(engine, reordered);
        expect(Object.keys(reordered["rekey:secrets"])).not.toEqual(Object.keys(secrets));
        expect(restartsRun(run)).toEqual([]);
    });
});

describe("ordering (staging: redis first, then api and worker)", () => {
    test("each restart depends on every store write of its secrets, their hooks, and its after consumers", async () => {
        const { run } = await runWithValues(new MockEngine(), staging());
        const api = resource(run, RESTART, "rekey-api").dependsOn;
        expect(api).toEqual(
            expect.arrayContaining([
                "rekey:index:KubernetesSecret::rekey-kubernetes:musehub-staging/musehub-secrets",
                "rekey:index:SsmParameters::rekey-ssm:/musehub/staging/JWT_SECRET",
                "rekey:index:SsmParameters::rekey-ssm:/musehub/staging/DB_PASSWORD",
                "rekey:index:SsmParameters::rekey-ssm:/musehub/staging/OPENAI_API_KEY",
                "rekey:index:PostgresPassword::rekey-DB_PASSWORD-postgres",
                `${RESTART}::rekey-redis`,
            ]),
        );
        expect(resource(run, RESTART, "rekey-worker").dependsOn).toContain(`${RESTART}::rekey-redis`);
        expect(resource(run, RESTART, "rekey-worker").dependsOn).not.toContain(`${RESTART}::rekey-api`);
        expect(resource(run, RESTART, "rekey-redis").dependsOn).not.toContain(`${RESTART}::rekey-api`);
        expect(resource(run, "rekey:index:Verify", "rekey-api").dependsOn).toEqual([`${RESTART}::rekey-api`]);
        // Stores of a secret with a hook wait for the hook.
        expect(resource(run, "rekey:index:SsmParameters", "rekey-ssm:/musehub/staging/DB_PASSWORD").dependsOn).toEqual(["rekey:index:PostgresPassword::rekey-DB_PASSWORD-postgres"]);
    });

    test("kubernetes restarts annotate the workload with the epochs that caused them, restart it, and wait for the rollout", async () => {
        const { run } = await runWithValues(new MockEngine(), staging());
        const cmd = resource(run, CMD, "rekey-restart:api").inputs;
        expect(cmd.create).toBe(
            "kubectl --context 'musehub-staging' -n 'musehub-staging' annotate 'deployment/api' " +
                "'rekey.dev/restarted-for=CREDENTIAL_ENCRYPTION_KEY@2 DB_PASSWORD@12 JWT_SECRET@9 OPENAI_API_KEY@1 REDIS_PASSWORD@5 WEBHOOK_SECRET_KEY@3' --overwrite" +
                " && kubectl --context 'musehub-staging' -n 'musehub-staging' rollout restart 'deployment/api'" +
                " && kubectl --context 'musehub-staging' -n 'musehub-staging' rollout status 'deployment/api' --timeout=300s",
        );
        expect(cmd.update).toBe("true");
        expect(cmd.triggers).toHaveLength(7);
        // By name, so that reordering the inventory changes no trigger.
        expect(cmd.triggers[0]).toMatch(/^CREDENTIAL_ENCRYPTION_KEY@2 hmac-sha256:[0-9a-f]{32}$/);
        expect(cmd.triggers).toContainEqual(expect.stringMatching(/^REDIS_URL hmac-sha256:/));
    });

    test("production: the Redis finalize waits for the verify or restart of every consumer of the password", async () => {
        const { run } = await runWithValues(new MockEngine(), production());
        const finalize = resource(run, "rekey:index:RedisAclFinalize", "rekey-REDIS_PASSWORD-redis-finalize").dependsOn;
        expect(finalize).toEqual(expect.arrayContaining(["rekey:index:Verify::rekey-api", `${RESTART}::rekey-worker`, "rekey:index:KubernetesSecret::rekey-kubernetes:musehub/musehub-secrets"]));
        expect(resource(run, CMD, "rekey-redis-finalize:redis.musehub.internal:6379/musehub").inputs.create).toContain("redis-cli");
        const edge = resource(run, "command:remote:Command", "rekey-restart:edge").inputs;
        expect(edge.create).toContain("cd /opt/birdlense/app && make stop && make start");
        expect(edge.connection).toMatchObject({ host: "203.0.113.10", user: "deploy" });
        expect(resource(run, "command:remote:Command", "rekey-verify:edge").inputs.create).toContain("curl -sf http://127.0.0.1:8085/api/ui/health");
        expect(resource(run, CMD, "rekey-verify:notes").inputs.create).toMatch(/^node -e '.*' 'https:\/\/notes.musehub.example\/api\/diagnostics\/readiness' '200' '300' '2'$/s);
    });
});

describe("deep after graphs", () => {
    test("consumers not restarted pass on what they wait for once: a diamond after chain (each after the next two) stays linear", async () => {
        // Only c0 and c29 read the secret; c1…c28 are not restarted and hand c29's restart up
        // the chain. Listed once per path, c0 waited for it fib(30) = 832,040 times.
        const n = 30;
        const { run } = await runWithValues(new MockEngine(), afterChain(n, { diamond: true, readers: ["c0", `c${n - 1}`] }));
        expect(resource(run, RESTART, "rekey-c0").dependsOn).toEqual([`${RESTART}::rekey-c${n - 1}`]);
        expect(resource(run, RESTART, `rekey-c${n - 1}`).dependsOn).toEqual([]);
    });
});

describe("hooks run before every store write of their value", () => {
    test("a derived secret's own store waits for the hook of every secret it is derived from, transitively", async () => {
        const config: Config = {
            "rekey:consumers": { api: { restart: "true" } },
            "rekey:secrets": {
                DB_PASSWORD: {
                    epoch: 1,
                    generate: { encoding: "hex", bytes: 16 },
                    apply: { postgres: { host: "db", roles: ["app_blue", "app_green"] } },
                    stores: [{ ssm: { prefix: "/app/" } }],
                },
                DATABASE_URL: { derive: "postgres://app:{{DB_PASSWORD}}@db/app", stores: [{ ssm: { prefix: "/app/" } }] },
                DSN: { derive: "dsn={{DATABASE_URL}}", stores: [{ ssm: { prefix: "/app/" } }], consumers: ["api"] },
            },
        };
        const { run } = await runWithValues(new MockEngine(), config);
        const hook = "rekey:index:PostgresPassword::rekey-DB_PASSWORD-postgres";
        for (const name of ["DB_PASSWORD", "DATABASE_URL", "DSN"]) {
            expect({ name, dependsOn: resource(run, "rekey:index:SsmParameters", `rekey-ssm:/app/${name}`).dependsOn }).toEqual({ name, dependsOn: [hook] });
        }
    });
});
