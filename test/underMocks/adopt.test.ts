// `adopt: true`: epoch 0 of a generated secret is the value in use before rekey, from
// rekey:supplied. The first pulumi up writes it, runs no hook and restarts nothing that reads
// only adopted values; the first bump generates, the adopted value becomes the previous one,
// and the state keeps it once the configuration no longer carries it (a holder registered
// with ignoreChanges: the engine keeps an ignored property's old input,
// pkg/resource/deploy/step_generator.go processIgnoreChanges, which the MockEngine ports).
import { Config, apiThenWorker } from "../harness/configs";
import { CapturedResource, MockEngine, RunResult } from "../harness/mockEngine";
import { inputsByResource, runWithValues } from "../harness/values";

const IN_USE = { SIGNING_KEY: "signing-key-in-use-0001", DB_PASSWORD: "db-password-in-use-0001" };

/** The stack as adopted: SIGNING_KEY and DB_PASSWORD keep their values in use; FRESH_TOKEN is new. */
function adopted(): Config {
    return {
        "rekey:consumers": {
            ...apiThenWorker(),
            cron: { restart: "systemctl restart cron", after: ["worker"] },
        },
        "rekey:secrets": {
            SIGNING_KEY: {
                epoch: 0,
                adopt: true,
                generate: { encoding: "hex", bytes: 16 },
                keepPrevious: true,
                apply: { command: { run: "reencrypt --old \"$OLD_VALUE\" --new \"$NEW_VALUE\"" } },
                stores: [{ ssm: { prefix: "/app/" } }, { dotenv: { path: "/srv/app/.env" } }],
                consumers: ["api"],
            },
            DB_PASSWORD: {
                epoch: 0,
                adopt: true,
                generate: { encoding: "hex", bytes: 24 },
                apply: { postgres: { host: "db", role: "app" } },
                stores: [{ ssm: { prefix: "/app/" } }],
                consumers: ["api"],
            },
            DATABASE_URL: { derive: "postgres://app:{{DB_PASSWORD}}@db/app", consumers: ["worker"] },
            FRESH_TOKEN: { epoch: 0, generate: { encoding: "hex", bytes: 16 }, stores: [{ ssm: { prefix: "/app/" } }], consumers: ["cron"] },
        },
        "rekey:supplied": { ...IN_USE },
    };
}

/** What `rekey bump SIGNING_KEY` leaves (the adopt line removed), with the supplied copy deleted too. */
function bumped(epoch = 1): Config {
    const c = adopted();
    c["rekey:secrets"].SIGNING_KEY = { ...c["rekey:secrets"].SIGNING_KEY, epoch };
    delete c["rekey:secrets"].SIGNING_KEY.adopt;
    delete c["rekey:supplied"].SIGNING_KEY;
    return c;
}

const commands = (run: RunResult) => [...run.resources.values()].filter((r) => r.type === "command:local:Command");
/** The commands this run runs (created, replaced or updated). */
// (Every store write is read back after it, test/underMocks/readBack.test.ts: read-backs are left out here.)
const ran = (run: RunResult) => commands(run).filter((r) => r.change !== "same" && !r.name.startsWith("rekey-readback:")).map((r) => r.name).sort();
const res = (run: RunResult, name: string): CapturedResource | undefined => [...run.resources.values()].find((r) => r.name === name);

test("the first pulumi up writes the values in use, runs no hook, and restarts only the consumer of a new secret", async () => {
    const engine = new MockEngine();
    const r = await runWithValues(engine, adopted());
    expect(r.values.SIGNING_KEY).toBe(IN_USE.SIGNING_KEY);
    expect(r.values.DB_PASSWORD).toBe(IN_USE.DB_PASSWORD);
    expect(r.values.DATABASE_URL).toBe(`postgres://app:${IN_USE.DB_PASSWORD}@db/app`);
    // Each store got exactly the value in use.
    const ssm = (name: string) => [...r.run.resources.values()].find((x) => x.type === "aws:ssm/parameter:Parameter" && x.name === `rekey-ssm:/app/${name}`)!.inputs.value;
    expect(ssm("SIGNING_KEY")).toBe(IN_USE.SIGNING_KEY);
    expect(ssm("DB_PASSWORD")).toBe(IN_USE.DB_PASSWORD);
    // No hook, no restart of api or worker (they read only adopted values); cron's secret is new.
    expect(ran(r.run)).toEqual(["rekey-dotenv:local:/srv/app/.env", "rekey-restart:cron"]);
    expect(res(r.run, "rekey-command-hook:SIGNING_KEY")).toBeUndefined();
    expect(res(r.run, "rekey-postgres:db:5432/app")).toBeUndefined();
    // The value is held in state, as a secret; no generator was made for the adopted epoch.
    const holder = res(r.run, "rekey-SIGNING_KEY-adopted")!;
    expect(holder.type).toBe("random:index/randomPassword:RandomPassword");
    expect(holder.additionalSecretOutputs).toContain("keepers");
    expect(holder.ignoreChanges).toEqual([]);
    expect(holder.leaves.filter((l) => l.path === "keepers.value")).toEqual([{ path: "keepers.value", value: IN_USE.SIGNING_KEY, secret: true }]);
    expect(res(r.run, "rekey-SIGNING_KEY-even")).toBeUndefined();
    // keepPrevious: the previous value of a first deployment is fresh, as without adopt.
    expect(r.previous.SIGNING_KEY).toMatch(/^[0-9a-f]{32}$/);
    expect(r.run.outputs.rotation.SIGNING_KEY).toMatchObject({ epoch: 0, adopted: true, previous: null });
    expect(r.run.outputs.rotation.FRESH_TOKEN.adopted).toBeUndefined();
    // The values in use stay inside the secret wrapper everywhere: inputs, and stack outputs.
    const leaks = [...r.run.resources.values()].flatMap((x) => x.leaves.map((l) => ({ ...l, at: x.name }))).concat(r.run.outputLeaves.map((l) => ({ ...l, at: "stack" })));
    const inUse = leaks.filter((l) => Object.values(IN_USE).some((v) => l.value.includes(v)));
    expect(inUse.length).toBeGreaterThan(3);
    expect(inUse.filter((l) => !l.secret)).toEqual([]);

    // Unchanged, a second run changes nothing.
    const again = await runWithValues(engine, adopted());
    expect([...again.run.resources.values()].filter((x) => x.change !== "same" && x.change !== "read").map((x) => x.name)).toEqual([]);
    expect(inputsByResource(again.run)).toEqual(inputsByResource(r.run));
});

test("the first bump generates; the hook gets OLD_VALUE = the adopted value; api restarts once; the state keeps the adopted value without the supplied copy", async () => {
    const engine = new MockEngine();
    await runWithValues(engine, adopted());
    const r = await runWithValues(engine, bumped());
    expect(r.values.SIGNING_KEY).not.toBe(IN_USE.SIGNING_KEY);
    expect(r.values.SIGNING_KEY).toMatch(/^[0-9a-f]{32}$/);
    expect(r.previous.SIGNING_KEY).toBe(IN_USE.SIGNING_KEY);
    const holder = res(r.run, "rekey-SIGNING_KEY-adopted")!;
    expect(holder.ignoreChanges).toEqual(["keepers"]);
    expect(holder.change).toBe("same");
    const hook = res(r.run, "rekey-command-hook:SIGNING_KEY")!;
    expect(hook.change).toBe("created");
    expect(hook.inputs.environment).toMatchObject({ OLD_VALUE: IN_USE.SIGNING_KEY, NEW_VALUE: r.values.SIGNING_KEY, REKEY_INITIAL: "0" });
    expect(ran(r.run)).toEqual(["rekey-command-hook:SIGNING_KEY", "rekey-dotenv:local:/srv/app/.env", "rekey-restart:api", "rekey-verify:api"]);
    // The restart names the rotated secret only: DB_PASSWORD is still the adopted value in use.
    expect(res(r.run, "rekey-restart:api")!.inputs.create).toContain("REKEY_RESTARTED_FOR='SIGNING_KEY@1'");
    expect(res(r.run, "rekey-restart:api")!.inputs.triggers).toEqual([expect.stringMatching(/^SIGNING_KEY@1 /)]);
    expect(r.run.outputs.rotation.SIGNING_KEY).toMatchObject({ epoch: 1, previous: { epoch: 0, adopted: true } });
    expect(r.run.outputs.rotation.SIGNING_KEY.adopted).toBeUndefined();

    // Rolled back, epoch 0's value is exactly the adopted one again, from the state; api restarts.
    const back = await runWithValues(engine, bumped(0));
    expect(back.values.SIGNING_KEY).toBe(IN_USE.SIGNING_KEY);
    expect(back.previous.SIGNING_KEY).toBe(r.values.SIGNING_KEY);
    expect(ran(back.run)).toEqual(["rekey-command-hook:SIGNING_KEY", "rekey-dotenv:local:/srv/app/.env", "rekey-restart:api", "rekey-verify:api"]);
    expect(back.run.outputs.rotation.SIGNING_KEY).toMatchObject({ epoch: 0, adopted: true, previous: { epoch: 1 } });
    // And forward again: a fresh value (a new round), the adopted one previous.
    const forward = await runWithValues(engine, bumped(1));
    expect(forward.values.SIGNING_KEY).not.toBe(r.values.SIGNING_KEY);
    expect(forward.previous.SIGNING_KEY).toBe(IN_USE.SIGNING_KEY);
    // Two steps on, the adopted value is no longer needed: its holder is deleted.
    const two = await runWithValues(engine, bumped(2));
    expect(two.previous.SIGNING_KEY).toBe(forward.values.SIGNING_KEY);
    expect(res(two.run, "rekey-SIGNING_KEY-adopted")).toBeUndefined();
    expect(engine.deleted.filter((u) => u.endsWith("rekey-SIGNING_KEY-adopted"))).toHaveLength(1);
});

test("without keepPrevious the first bump sets the new password and restarts the readers of the secret and of what is derived from it", async () => {
    const engine = new MockEngine();
    await runWithValues(engine, adopted());
    const c = adopted();
    c["rekey:secrets"].DB_PASSWORD.epoch = 1;
    delete c["rekey:secrets"].DB_PASSWORD.adopt;
    const r = await runWithValues(engine, c);
    expect(r.values.DB_PASSWORD).toMatch(/^[0-9a-f]{48}$/);
    expect(ran(r.run)).toEqual(["rekey-postgres:db:5432/app", "rekey-restart:api", "rekey-restart:worker", "rekey-verify:api"]);
    // No slot holds the adopted value any more: no holder.
    expect(res(r.run, "rekey-DB_PASSWORD-adopted")).toBeUndefined();
});

test("a secret adopted into a deployed stack restarts no consumer that already reads other secrets", async () => {
    const engine = new MockEngine();
    const base = adopted();
    delete base["rekey:secrets"].SIGNING_KEY;
    delete base["rekey:supplied"].SIGNING_KEY;
    base["rekey:secrets"].FRESH_TOKEN.consumers = ["cron", "api"];
    const first = await runWithValues(engine, base);
    expect(ran(first.run)).toContain("rekey-restart:api");
    const r = await runWithValues(engine, { ...adopted(), "rekey:secrets": { ...adopted()["rekey:secrets"], FRESH_TOKEN: base["rekey:secrets"].FRESH_TOKEN } });
    expect(r.values.SIGNING_KEY).toBe(IN_USE.SIGNING_KEY);
    expect(ran(r.run)).toEqual(["rekey-dotenv:local:/srv/app/.env"]);
    expect(res(r.run, "rekey-restart:api")!.change).toBe("same");
});

test("a different value under a kept adopt claim is refused before any hook or store; the holder keeps the adopted value", async () => {
    const engine = new MockEngine();
    await runWithValues(engine, adopted());
    const c = adopted();
    c["rekey:supplied"].SIGNING_KEY = "signing-key-in-use-0002";
    const before = engine.registered().filter((n) => !/adopted|even|odd|fingerprint/.test(n));
    const error = await runWithValues(engine, c).then(() => new Error("accepted"), (e: Error) => e);
    expect(error.message).toBe(
        "rekey: 1 secret out of step with the deployed state; nothing was changed:\n" +
            "  - secret SIGNING_KEY: adopt says rekey:supplied.SIGNING_KEY holds the value in use, and it is not the value this stack deployed adopted at epoch 0: remove adopt (rekey bump SIGNING_KEY does) to rotate to the new value, or put the value in use back",
    );
    expect(error.message).not.toContain("signing-key-in-use");
    expect(engine.registered().filter((n) => !/adopted|even|odd|fingerprint/.test(n))).toEqual(before);
    // The same value again: accepted, nothing runs, the holder was never replaced.
    const same = await runWithValues(engine, adopted());
    expect(same.values.SIGNING_KEY).toBe(IN_USE.SIGNING_KEY);
    expect(res(same.run, "rekey-SIGNING_KEY-adopted")!.change).toBe("same");
    expect(res(same.run, "rekey-SIGNING_KEY-adopted")!.ignoreChanges).toEqual(["keepers"]);
    expect(ran(same.run)).toEqual([]);
});

describe("refusals", () => {
    test("adopt on a secret this stack deployed with a generated value is refused before anything is registered", async () => {
        const engine = new MockEngine();
        const plain = adopted();
        delete plain["rekey:secrets"].SIGNING_KEY.adopt;
        delete plain["rekey:supplied"].SIGNING_KEY;
        await runWithValues(engine, plain);
        const before = engine.registered();
        await expect(runWithValues(engine, adopted())).rejects.toThrow(
            "rekey: 1 secret out of step with the deployed state; nothing was changed:\n" +
                "  - secret SIGNING_KEY: adopt takes the value in use as epoch 0's on the secret's first deployment, and this stack deployed epoch 0 with a generated value: remove the adopt line",
        );
        expect(engine.registered()).toEqual(before);
    });

    test("an adopted value the state lost is refused after the generators and before any hook or store", async () => {
        const engine = new MockEngine();
        await runWithValues(engine, adopted());
        // What the backend would hold had the holder been deleted by hand (pulumi state delete).
        const fixture = engine.exportState();
        fixture.resources = fixture.resources.filter((x) => !x.urn.endsWith("::rekey-SIGNING_KEY-adopted"));
        engine.importState(fixture);
        const error = await runWithValues(engine, bumped()).then(() => new Error("accepted"), (e: Error) => e);
        expect(error.message).toBe(
            "rekey: 1 secret out of step with the deployed state; nothing was changed:\n" +
                "  - secret SIGNING_KEY: epoch 0's value was adopted, and this stack's state no longer holds it (the first pulumi up with adopt: true puts it there): set epoch 0 with adopt: true and the value in rekey:supplied.SIGNING_KEY to adopt it again, or bump for a fresh value",
        );
    });
});

describe("adopt on a supplied secret: rekey:supplied holds the value in use, at any epoch", () => {
    const TOKEN = "vendor-token-in-use-0004";
    /** A supplied password at its fourth issue, with a hook that sets it, read by api beside a generated secret api already reads. */
    function withToken(token: Record<string, unknown>, value = TOKEN): Config {
        const c = adopted();
        c["rekey:secrets"].VENDOR_TOKEN = { epoch: 3, supplied: true, apply: { postgres: { host: "db", role: "vendor" } }, stores: [{ ssm: { prefix: "/app/" } }], consumers: ["api", "cron"], ...token };
        c["rekey:secrets"].VENDOR_URL = { derive: "https://vendor.example/?t={{VENDOR_TOKEN}}", consumers: ["worker"] };
        c["rekey:supplied"].VENDOR_TOKEN = value;
        return c;
    }

    test("its first pulumi up writes it, runs no hook, restarts nothing for it, and records it adopted; a changed value while adopted is refused", async () => {
        const engine = new MockEngine();
        const r = await runWithValues(engine, withToken({ adopt: true }));
        expect(r.values.VENDOR_TOKEN).toBe(TOKEN);
        expect(ran(r.run)).toEqual(["rekey-dotenv:local:/srv/app/.env", "rekey-restart:cron"]);
        expect(res(r.run, "rekey-postgres:db:5432/vendor")).toBeUndefined();
        expect(r.run.outputs.rotation.VENDOR_TOKEN).toMatchObject({ epoch: 3, adopted: true });
        expect(r.run.outputs.rotation.VENDOR_URL.adopted).toBeUndefined();

        const error = await runWithValues(engine, withToken({ adopt: true }, "vendor-token-in-use-0005")).then(() => new Error("accepted"), (e: Error) => e);
        expect(error.message).toBe(
            "rekey: 1 secret out of step with the deployed state; nothing was changed:\n" +
                "  - secret VENDOR_TOKEN: adopt says rekey:supplied.VENDOR_TOKEN holds the value in use, and it is not the value this stack deployed adopted at epoch 3: remove adopt (rekey bump VENDOR_TOKEN does) to rotate to the new value, or put the value in use back",
        );
        // The bump (adopt removed, epoch 4) rotates to it: hook and restarts.
        const bumped = await runWithValues(engine, withToken({ epoch: 4 }, "vendor-token-in-use-0005"));
        expect(ran(bumped.run)).toContain("rekey-postgres:db:5432/vendor");
        expect(ran(bumped.run)).toContain("rekey-restart:api");
    });

    test("adopted into a deployed stack, it restarts no consumer, not even one that already reads other secrets", async () => {
        const engine = new MockEngine();
        await runWithValues(engine, adopted());
        const r = await runWithValues(engine, withToken({ adopt: true }));
        expect(ran(r.run)).toEqual([]);
        // cron reads FRESH_TOKEN: its restart's triggers stay as they were.
        expect(res(r.run, "rekey-restart:cron")!.change).toBe("same");
        expect(res(r.run, "rekey-restart:api")).toBeUndefined();
    });

    test("its first rotation is the bump that removes adopt: the hook runs and its readers, and those of what is derived from it, restart once", async () => {
        const engine = new MockEngine();
        await runWithValues(engine, withToken({ adopt: true }));
        const r = await runWithValues(engine, withToken({ epoch: 4 }, "vendor-token-0005"));
        expect(ran(r.run)).toEqual(["rekey-postgres:db:5432/vendor", "rekey-restart:api", "rekey-restart:cron", "rekey-restart:worker", "rekey-verify:api"]);
        expect(res(r.run, "rekey-restart:api")!.inputs.create).toContain("REKEY_RESTARTED_FOR='VENDOR_TOKEN@4'");
        expect(r.run.outputs.rotation.VENDOR_TOKEN).toMatchObject({ epoch: 4 });
        expect(r.run.outputs.rotation.VENDOR_TOKEN.adopted).toBeUndefined();
        // Unchanged after it, nothing runs.
        expect(ran((await runWithValues(engine, withToken({ epoch: 4 }, "vendor-token-0005"))).run)).toEqual([]);
    });

    test("adopt removed by hand with the same value and epoch: the value is no longer taken to be in use, so it rotates (hook, restart)", async () => {
        const engine = new MockEngine();
        await runWithValues(engine, withToken({ adopt: true }));
        const r = await runWithValues(engine, withToken({}));
        expect(ran(r.run)).toEqual(["rekey-postgres:db:5432/vendor", "rekey-restart:api", "rekey-restart:cron", "rekey-restart:worker", "rekey-verify:api"]);
    });

    test("refused before anything is registered: adopt on a supplied secret this stack deployed without it, and adopt kept at a moved epoch", async () => {
        const engine = new MockEngine();
        await runWithValues(engine, withToken({}));
        let before = engine.registered();
        await expect(runWithValues(engine, withToken({ adopt: true }))).rejects.toThrow(
            "rekey: 1 secret out of step with the deployed state; nothing was changed:\n" +
                "  - secret VENDOR_TOKEN: adopt says rekey:supplied.VENDOR_TOKEN is the value in use on the secret's first deployment, and this stack deployed epoch 3 without adopt (its consumers already restarted onto it): remove the adopt line (rekey bump removes it), so that pulumi up rotates to the value as usual",
        );
        expect(engine.registered()).toEqual(before);

        const other = new MockEngine();
        await runWithValues(other, withToken({ adopt: true }));
        before = other.registered();
        await expect(runWithValues(other, withToken({ adopt: true, epoch: 4 }, "vendor-token-0005"))).rejects.toThrow(
            "  - secret VENDOR_TOKEN: adopt says rekey:supplied.VENDOR_TOKEN is the value in use on the secret's first deployment, and this stack deployed epoch 3 adopted, and this configuration has epoch 4: remove the adopt line (rekey bump removes it), so that pulumi up rotates to the value as usual",
        );
        expect(other.registered()).toEqual(before);
    });
});
