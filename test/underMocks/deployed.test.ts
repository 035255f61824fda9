// The program checks every epoch against the last completed rotation, which it reads from
// its own stack's last outputs (a StackReference to itself: pulumi/pulumi
// pkg/resource/deploy/builtins.go readStackReference), before it registers anything else.
// The MockEngine answers that read with the outputs of its last completed run and, like the
// engine (pkg/resource/deploy/step_executor.go executeRegisterResourceOutputs), keeps the
// previous outputs when a run fails.
import * as pulumi from "@pulumi/pulumi";
import { ownStackName } from "../../components/rotation";
import { Config, apiThenWorker } from "../harness/configs";
import { MockEngine, RunOptions, STACK_REFERENCE } from "../harness/mockEngine";
import { sleep } from "../harness/net";
import { runWithValues } from "../harness/values";

function config(epochs: { DB_PASSWORD?: number; JWT_SECRET?: number } = {}): Config {
    return {
        "rekey:consumers": apiThenWorker(),
        "rekey:secrets": {
            DB_PASSWORD: {
                epoch: epochs.DB_PASSWORD ?? 7,
                generate: { encoding: "hex", bytes: 24 },
                apply: { postgres: { host: "db", roles: ["app_blue", "app_green"] } },
                stores: [{ ssm: { prefix: "/app/" } }],
                consumers: ["api"],
            },
            JWT_SECRET: {
                epoch: epochs.JWT_SECRET ?? 4,
                generate: { encoding: "base64url", bytes: 32 },
                keepPrevious: true,
                stores: [{ dotenv: { path: "/srv/app/.env" } }],
                consumers: ["api", "worker"],
            },
            REDIS_PASSWORD: { epoch: 1, generate: { encoding: "hex", bytes: 16 }, apply: { redis: { user: "app" } }, stores: [{ dotenv: { path: "/srv/app/.env" } }], consumers: ["worker"] },
        },
    };
}

/** The engine's state as JSON, to show that a refused run changed nothing. */
const stateOf = (engine: MockEngine) => JSON.stringify(engine.registered().map((k) => [k, engine.storedInputs(k)]));
const refusal = (p: Promise<unknown>) => p.then(() => new Error("accepted"), (e: Error) => e);

test("the program reads its own stack's last outputs through one StackReference: organization/project/stack, or the bare stack on a diy backend", async () => {
    expect(ownStackName("acme", "rekey", "production")).toBe("acme/rekey/production");
    expect(ownStackName("organization", "rekey", "production")).toBe("production");
    const engine = new MockEngine("rekey", "production");
    const first = await runWithValues(engine, config());
    const reads = [...first.run.resources.values()].filter((r) => r.type === STACK_REFERENCE);
    expect(reads.map((r) => [r.name, r.inputs.name, r.change])).toEqual([["rekey-deployed", "production", "read"]]);
    expect(engine.references).toEqual(["production"]);
    expect(engine.lastOutputs.rotation.DB_PASSWORD).toMatchObject({ epoch: 7, previous: null });
});

describe("an epoch moves one step per completed pulumi up", () => {
    test("a double bump (7 -> 9) is refused before anything but the read is registered, naming the secret, both epochs and the step to take", async () => {
        const engine = new MockEngine();
        await runWithValues(engine, config());
        const before = stateOf(engine);
        const error = await refusal(runWithValues(engine, config({ DB_PASSWORD: 9 })));
        expect(error.message).toBe(
            "rekey: 1 secret out of step with the deployed state; nothing was changed:\n" +
                "  - secret DB_PASSWORD: the last completed rotation deployed epoch 7, this configuration has epoch 9: an epoch moves one step per completed pulumi up. Set epoch to 8, run pulumi up, then move on from there",
        );
        expect((error as any).__pulumiRunError).toBe(true);
        expect(engine.references).toHaveLength(1);
        expect(stateOf(engine)).toBe(before);
        // One step, then the next: both accepted.
        await runWithValues(engine, config({ DB_PASSWORD: 8 }));
        const nine = await runWithValues(engine, config({ DB_PASSWORD: 9 }));
        expect(nine.run.outputs.rotation.DB_PASSWORD.epoch).toBe(9);
    });

    test("every secret out of step is named in one message; a first deployment may start at any epoch", async () => {
        const engine = new MockEngine();
        await runWithValues(engine, config({ DB_PASSWORD: 40, JWT_SECRET: 12 }));
        const error = await refusal(runWithValues(engine, config({ DB_PASSWORD: 38, JWT_SECRET: 14 })));
        expect(error.message).toMatch(/^rekey: 2 secrets out of step/);
        expect(error.message).toMatch(/secret DB_PASSWORD: the last completed rotation deployed epoch 40, this configuration has epoch 38: .* Set epoch to 39,/);
        expect(error.message).toMatch(/secret JWT_SECRET: the last completed rotation deployed epoch 12, this configuration has epoch 14: .* Set epoch to 13,/);
    });

    test.each([
        ["the restart", "rekey-restart:api"],
        ["the verify", "rekey-verify:api"],
        ["a later consumer's restart", "rekey-restart:worker"],
        ["a store write", "rekey-ssm:/app/DB_PASSWORD"],
        ["the apply hook", "rekey-postgres:db:5432/app_blue"],
    ])("a rotation whose %s fails leaves the deployed epoch where it was: bumping again is refused, retrying the step is not", async (_, step) => {
        const engine = new MockEngine();
        await runWithValues(engine, config());
        const failing: RunOptions = { fail: (_key, name) => name === step };
        await expect(engine.run(config({ DB_PASSWORD: 8 }), undefined, undefined, failing)).rejects.toThrow(`injected failure: ${step.startsWith("rekey-ssm:") ? "aws:ssm/parameter:Parameter" : "command:local:Command"}::${step}`);
        expect(engine.lastOutputs.rotation.DB_PASSWORD.epoch).toBe(7);
        const error = await refusal(runWithValues(engine, config({ DB_PASSWORD: 9 })));
        expect(error.message).toMatch(/secret DB_PASSWORD: the last completed rotation deployed epoch 7, this configuration has epoch 9: .* Set epoch to 8/);
        const retried = await runWithValues(engine, config({ DB_PASSWORD: 8 }));
        expect(retried.run.outputs.rotation.DB_PASSWORD.epoch).toBe(8);
    });

    test("a rollback restores exactly; a second rollback in a row is refused, because that epoch's value was not kept", async () => {
        const engine = new MockEngine();
        const four = await runWithValues(engine, config({ JWT_SECRET: 4 }));
        const five = await runWithValues(engine, config({ JWT_SECRET: 5 }));
        const back = await runWithValues(engine, config({ JWT_SECRET: 4 }));
        expect(back.values.JWT_SECRET).toBe(four.values.JWT_SECRET);
        expect(back.previous.JWT_SECRET).toBe(five.values.JWT_SECRET);
        const error = await refusal(runWithValues(engine, config({ JWT_SECRET: 3 })));
        expect(error.message).toMatch(/secret JWT_SECRET: the last completed rotation deployed epoch 4, this configuration has epoch 3, but epoch 3's value was not kept: the previous value is epoch 5's. Set epoch back to 4, or bump to 5 for a fresh value/);
        // A first deployment's previous value is fresh: no rollback from it either.
        const fresh = new MockEngine();
        await runWithValues(fresh, config({ JWT_SECRET: 9 }));
        expect((await refusal(runWithValues(fresh, config({ JWT_SECRET: 8 })))).message).toMatch(/epoch 8's value was not kept: the previous value is not one that epoch had/);
    });

    test("a rollback whose value a failed pulumi up replaced since is stopped before anything uses the value", async () => {
        const engine = new MockEngine();
        await runWithValues(engine, config({ JWT_SECRET: 4 }));
        await runWithValues(engine, config({ JWT_SECRET: 5 }));
        // Bumping to 6 re-keys the slot that holds epoch 4's value, then the restart fails.
        await expect(engine.run(config({ JWT_SECRET: 6 }), undefined, undefined, { fail: (_k, name) => name === "rekey-restart:api" })).rejects.toThrow("injected failure");
        const dotenv = "command:local:Command::rekey-dotenv:local:/srv/app/.env";
        const written = engine.storedInputs(dotenv);
        const error = await refusal(runWithValues(engine, config({ JWT_SECRET: 4 })));
        expect(error.message).toMatch(/secret JWT_SECRET: the rollback to epoch 4 cannot restore that epoch's value: a failed pulumi up since replaced it. Set epoch back to 5, or bump to 6 for a fresh value/);
        expect(pulumi.RunError.isInstance(error)).toBe(true);
        expect(engine.storedInputs(dotenv)).toBe(written);
        expect(engine.lastOutputs.rotation.JWT_SECRET.epoch).toBe(5);
    });
});

test("each secret's record resolves only once its hook, stores, restarts, verifies and finalize completed", async () => {
    const engine = new MockEngine();
    await runWithValues(engine, config());
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const order: string[] = [];
    // Once every resource is constructed (the program registers them step by step, yielding between steps).
    let built!: () => void;
    const constructed = new Promise<void>((r) => (built = r));
    const run = engine.run(
        config({ DB_PASSWORD: 8, JWT_SECRET: 5 }),
        async () => {
            const { runRekey } = require("../../components/rotation") as typeof import("../../components/rotation");
            const d = await runRekey();
            built();
            for (const [name, record] of d.records) record.apply(() => void order.push(name));
            return { rotation: d.rotation };
        },
        undefined,
        // The worker's restart is slow: it reads JWT_SECRET and REDIS_PASSWORD, not DB_PASSWORD.
        { delay: (_k, name) => (name === "rekey-restart:worker" ? gate : undefined) },
    );
    await constructed;
    await sleep(300);
    expect(order).toEqual(["DB_PASSWORD"]);
    release();
    await run;
    expect(order.sort()).toEqual(["DB_PASSWORD", "JWT_SECRET", "REDIS_PASSWORD"]);
});

test("pulumi.RunError brand: a configuration error prints without a stack trace", async () => {
    const error = await refusal(runWithValues(new MockEngine(), { "rekey:secrets": { bad: {} } }));
    expect(error.name).toBe("RekeyConfigError");
    expect(pulumi.RunError.isInstance(error)).toBe(true);
});
