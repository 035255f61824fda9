// A rekey:* key set with --secret outside rekey:supplied and rekey:hostKeys would be
// unwrapped into command strings and plans: refused, by the program and by the CLI.
import { MockEngine } from "../harness/mockEngine";
import { encrypt } from "../harness/passphrase";
import { fixture, rekey, removeWorkdirs, workdir } from "../harness/cli";
import { stackKey } from "../harness/stackFile";

afterAll(removeWorkdirs);
const config = {
    "rekey:consumers": { api: { restart: "systemctl restart api", verify: { url: "https://api.example/health?token=s3cr3t-token" } } },
    "rekey:secrets": { A: { epoch: 1, generate: { encoding: "hex", bytes: 16 }, consumers: ["api"] } },
};

test("the program refuses an encrypted rekey:consumers before registering anything", async () => {
    const engine = new MockEngine();
    const error = await engine.run(config, undefined, ["rekey:supplied", "rekey:hostKeys", "rekey:consumers"]).then(() => null, (e: Error) => e);
    expect(error?.message).toMatch(/rekey:consumers: holds an encrypted value: its settings go into command lines, plans and logs, which are not secret/);
    expect(error?.message).not.toContain("s3cr3t-token");
    expect(engine.registered()).toEqual([]);
});

test("the CLI refuses a stack file with a secure value inside rekey:consumers (exit 2)", () => {
    const text = fixture("Pulumi.shop.yaml");
    const secure = encrypt(stackKey(text), "https://api.shop.example/health?token=s3cr3t");
    const dir = workdir({ "Pulumi.shop.yaml": text.replace('verify: { url: "https://api.shop.example/health", expectStatus: 200, timeoutSeconds: 60 }', `verify: { url: { secure: ${secure} }, expectStatus: 200, timeoutSeconds: 60 }`) });
    const r = rekey(dir, "plan", "--stack", "shop", "--base-file", "Pulumi.shop.yaml");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/rekey:consumers: holds an encrypted value/);
});

test("the CLI refuses a secure value inside rekey:secrets by the key alone: nothing of the section is validated or cross-checked", () => {
    const text = fixture("Pulumi.shop.yaml");
    const secure = encrypt(stackKey(text), "hunter2");
    // Inside the encrypted section: an unknown consumer, a bad epoch and the secure value itself.
    const broken = text.replace("      consumers: [mailer]\n", `      consumers: [mailman]\n      epoch: { secure: ${secure} }\n`);
    const dir = workdir({ "Pulumi.shop.yaml": broken });
    for (const args of [["status", "--stack", "shop"], ["due", "--stack", "shop"], ["plan", "--stack", "shop", "--base-file", "Pulumi.shop.yaml"]]) {
        const r = rekey(dir, ...args);
        expect([args, r.code, r.stderr]).toEqual([
            args,
            2,
            "rekey: Pulumi.shop.yaml: invalid rekey configuration, 1 problem:\n" +
                "  - rekey:secrets: holds an encrypted value: its settings go into command lines, plans and logs, which are not secret, so rekey would unwrap it. Keep secret values in rekey:supplied (a verify URL cannot carry a token: use a verify command that reads it on the host)\n",
        ]);
    }
});

// The engine hands the program the decrypted value of a key set with --secret. The refusal
// names the key and the reason, and nothing read from what it holds: its content is left
// out before validation (components/plan/rawConfig.ts), so no problem of it is named.
describe("an encrypted section is refused by its key alone, whatever its decrypted content holds", () => {
    const VERIFY_PW = "vErIfY-pw-4711";
    const PG_PW = "pG-conn-pw-0815";
    const ADMIN_PW = "aDmIn!pw 9x";
    const consumers = {
        api: { restart: "true", verify: { url: `https://monitor:${VERIFY_PW}@api.example/health`, expectStatus: 200 } },
        worker: { restart: "true", after: ["nosuch"] },
    };
    const secrets = {
        DB: {
            epoch: 1,
            generate: { encoding: "hex", bytes: 16 },
            apply: { postgres: { host: "db", role: "app", database: `postgresql://app:${PG_PW}@db/app`, adminPasswordSecret: ADMIN_PW } },
            consumers: ["api", "nosuch"],
        },
    };
    const KEY_REASON =
        "holds an encrypted value: its settings go into command lines, plans and logs, which are not secret, so rekey would unwrap it. Keep secret values in rekey:supplied (a verify URL cannot carry a token: use a verify command that reads it on the host)";

    test.each([
        ["rekey:consumers", { "rekey:consumers": consumers, "rekey:secrets": { A: { epoch: 1, generate: { encoding: "hex", bytes: 16 }, consumers: ["api"] } } }],
        ["rekey:secrets", { "rekey:consumers": { api: { restart: "true" } }, "rekey:secrets": secrets }],
    ])("%s: the error is the one key-level line, no password, no problem from inside it", async (key, config) => {
        const engine = new MockEngine();
        const error = await engine.run(config, undefined, ["rekey:supplied", "rekey:hostKeys", key]).then(() => null, (e: Error) => e);
        expect(error?.message).toBe(`invalid rekey configuration, 1 problem:\n  - ${key}: ${KEY_REASON}`);
        expect(engine.registered()).toEqual([]);
    });

    test("both sections encrypted: two key-level lines; the same content in plaintext is refused for what it holds (control)", async () => {
        const both = { "rekey:consumers": consumers, "rekey:secrets": secrets };
        const engine = new MockEngine();
        const error = await engine.run(both, undefined, ["rekey:supplied", "rekey:hostKeys", "rekey:consumers", "rekey:secrets"]).then(() => null, (e: Error) => e);
        expect(error?.message).toBe(`invalid rekey configuration, 2 problems:\n  - rekey:consumers: ${KEY_REASON}\n  - rekey:secrets: ${KEY_REASON}`);
        // Not encrypted, the same content has problems of its own, each named without its value.
        const plain = await new MockEngine().run(both).then(() => null, (e: Error) => e);
        expect(plain?.message).toMatch(/verify\.url: https:\/\/…@api\.example\/health holds credentials/);
        expect(plain?.message).toMatch(/apply\.postgres\.database: database postgresql:\/\/…@db\/app is a connection string/);
        expect(plain?.message).toMatch(/apply\.postgres\.adminPasswordSecret: unknown secret \(a string of 11 characters, not shown\)/);
        for (const pw of [VERIFY_PW, PG_PW, ADMIN_PW]) expect(plain?.message).not.toContain(pw);
    });
});
