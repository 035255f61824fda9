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
