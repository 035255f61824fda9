import { planRotation } from "../components/plan/plan";
import { MockEngine } from "./harness/mockEngine";
import { rawConfig } from "./harness/rawConfig";
import { loadStackFile } from "./harness/stackFile";

describe.each(["production", "staging"])("Pulumi.%s.yaml", (stack) => {
    test("decrypts with the sample passphrase, plans and runs", async () => {
        const { config, secretKeys } = loadStackFile(stack);
        expect(secretKeys).toContain("rekey:supplied");
        const plan = planRotation(rawConfig(config));
        expect(plan.secrets.length).toBeGreaterThan(5);
        const run = await new MockEngine("rekey", stack).run(config, undefined, secretKeys);
        expect(Object.keys(run.outputs.rotation).sort()).toEqual(plan.secrets.map((s) => s.name).sort());
    });
});

test("production uses every encoding, source and store kind; staging is a smaller system", () => {
    const prod = planRotation(rawConfig(loadStackFile("production").config));
    const staging = planRotation(rawConfig(loadStackFile("staging").config));
    const encodings = new Set(prod.secrets.flatMap((s) => (s.source.kind === "generate" ? [s.source.spec.encoding] : [])));
    expect([...encodings].sort()).toEqual(["base64", "base64url", "fernet", "hex", "htpasswd", "password"].sort());
    expect(new Set(prod.secrets.map((s) => s.source.kind))).toEqual(new Set(["generate", "supplied", "derive"]));
    expect(new Set(prod.secrets.flatMap((s) => s.stores.map((st) => st.kind)))).toEqual(
        new Set(["ssm", "keyVault", "kubernetes", "dotenv", "file"]),
    );
    expect(new Set(prod.secrets.flatMap((s) => (s.apply ? [s.apply.kind] : [])))).toEqual(new Set(["postgres", "redis", "command"]));
    expect(staging.secrets.length).toBeLessThan(prod.secrets.length);
    expect(staging.consumers.length).toBeLessThan(prod.consumers.length);
});
