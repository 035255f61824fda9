// Issue 21: two secrets setting one Postgres role passed validation, the first `pulumi up`
// worked, and the first bump failed with a duplicate URN, after which neither secret could
// rotate. The hook's step is named after the server and role it sets
// (components/hooks/postgres.ts, `postgres:<host>:<port>/<role>`), and a URN holds the
// parents' types, not their names (pulumi/pulumi pkg/resource/deploy/deployment.go
// generateURN), so two secrets setting one role register one URN, which the engine refuses
// (step_generator.go; the MockEngine refuses it the same way).
import { Config } from "../harness/configs";
import { MockEngine } from "../harness/mockEngine";

const A = (epoch: number) => ({ epoch, generate: { encoding: "hex", bytes: 24 }, apply: { postgres: { host: "db", roles: ["app_blue", "app_green"] } } });
const B = { epoch: 0, generate: { encoding: "hex", bytes: 24 }, apply: { postgres: { host: "db", role: "app_green" } } };
const hookUrns = async (config: Config) =>
    [...(await new MockEngine().run(config)).resources.values()].filter((r) => r.type === "command:local:Command").map((r) => r.urn);

test("the cause: secret A at its next epoch and secret B, each alone, register the same hook URN", async () => {
    const [a] = await hookUrns({ "rekey:secrets": { A: A(1) } });
    const [b] = await hookUrns({ "rekey:secrets": { B } });
    expect(a).toBe("urn:pulumi:test::rekey::pulumi-rekey:index:Rotation$rekey:index:RotatedSecret$rekey:index:PostgresPassword$command:local:Command::rekey-postgres:db:5432/app_green");
    expect(b).toBe(a);
});

test("two secrets with one role are refused at the first pulumi up, naming both, before any resource (it used to deploy, and fail at A's first bump)", async () => {
    const engine = new MockEngine();
    const error = await engine.run({ "rekey:secrets": { A: A(0), B } }).then(
        () => undefined,
        (e: Error) => e.message,
    );
    expect(error).toContain("invalid rekey configuration, 2 problems:");
    expect(error).toContain('  - secret A, field apply.postgres.roles: Postgres role "app_green" on db:5432 is also set by secret B: one role, one secret');
    expect(error).toContain('  - secret B, field apply.postgres.role: Postgres role "app_green" on db:5432 is also set by secret A: one role, one secret');
    expect(engine.registered()).toEqual([]);
});

test("control: A's role pair beside B on another server deploys and bumps", async () => {
    const engine = new MockEngine();
    const onOther = { ...B, apply: { postgres: { host: "db2", role: "app_green" } } };
    await engine.run({ "rekey:secrets": { A: A(0), B: onOther } });
    const bumped = await engine.run({ "rekey:secrets": { A: A(1), B: onOther } });
    expect([...bumped.resources.values()].filter((r) => r.type === "command:local:Command").map((r) => r.name).sort()).toEqual([
        "rekey-postgres:db2:5432/app_green",
        "rekey-postgres:db:5432/app_green",
    ]);
});
