// Pulumi's own stack configuration check (pkg/workspace/config.go `mergeConfig` and
// `validateStackConfigValues`, ported in harness/pulumiProjectConfig.ts) applied to rekey's
// Pulumi.yaml: every stack in the repository and every stack the docs show passes it, and
// so does every stack that passes rekey's validation (docs/configuration.md: a stack with only
// `rekey:secrets` passes Pulumi's own check).
import { readFileSync, readdirSync } from "fs";
import { join } from "path";
import { parse } from "yaml";
import { KNOWN_CONFIG_KEYS, planRotation } from "../../components/plan/plan";
import { engineConfigErrors, mergedConfig, parseProjectFile } from "../harness/pulumiProjectConfig";
import { rawConfig } from "../harness/rawConfig";
import { ROOT, loadStackFile } from "../harness/stackFile";

const project = parseProjectFile(readFileSync(join(ROOT, "Pulumi.yaml"), "utf8"));
const stackFiles = readdirSync(ROOT).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f));

describe("the port of the engine's rules bites (controls)", () => {
    const p = parseProjectFile("name: demo\nconfig:\n  needed: { description: x }\n  typed: { type: integer, default: 1 }\n  obj: { type: object, default: {} }\n  list: { type: array, items: { type: string }, default: [] }\n  key: { secret: true, default: x }\n  aws:region: { description: other namespace }\n");
    test("a key in the project namespace without default or value is required (mergeConfig)", () => {
        expect(engineConfigErrors(p, "dev", {})).toEqual(["Stack 'dev' is missing configuration value 'needed'"]);
        const two = parseProjectFile("name: demo\nconfig:\n  b: { description: x }\n  a: { description: y }\n  c: { description: z }\n");
        expect(engineConfigErrors(two, "dev", {})).toEqual(["Stack 'dev' is missing configuration values 'a', 'b' and 'c'"]);
    });
    test("declared types and secrets are checked (validateStackConfigValue)", () => {
        expect(engineConfigErrors(p, "dev", { "demo:needed": "x", "demo:typed": "12" })).toEqual([]);
        expect(engineConfigErrors(p, "dev", { "demo:needed": "x", "demo:typed": "twelve" })).toEqual(["Stack 'dev' with configuration key 'typed' must be of type 'integer'"]);
        expect(engineConfigErrors(p, "dev", { "demo:needed": "x", "demo:obj": "text" })).toEqual(["Stack 'dev' with configuration key 'obj' must be of type 'object'"]);
        expect(engineConfigErrors(p, "dev", { "demo:needed": "x", "demo:list": ["a", 1] })).toEqual(["Stack 'dev' with configuration key 'list' must be of type 'array<string>'"]);
        expect(engineConfigErrors(p, "dev", { "demo:needed": "x", "demo:key": "plain" })).toEqual(["Stack 'dev' with configuration key 'key' must be encrypted as it's secret"]);
        expect(engineConfigErrors(p, "dev", { "demo:needed": "x", "demo:key": { secure: "v1:abc" } })).toEqual([]);
    });
});

describe("rekey's Pulumi.yaml", () => {
    test("declares only rekey:secrets as required, so a stack with only rekey:secrets passes", () => {
        expect(engineConfigErrors(project, "minimal", { "rekey:secrets": { A: { epoch: 0, generate: { encoding: "hex", bytes: 16 } } } })).toEqual([]);
        expect(engineConfigErrors(project, "empty", {})).toEqual(["Stack 'empty' is missing configuration value 'secrets'"]);
    });

    test.each(stackFiles)("%s passes the engine's check, and rekey plans it with the declared defaults applied", (file) => {
        const stack = file.slice("Pulumi.".length, -".yaml".length);
        const config = parse(readFileSync(join(ROOT, file), "utf8")).config ?? {};
        expect(engineConfigErrors(project, stack, config)).toEqual([]);
        expect(() => planRotation(rawConfig(mergedConfig(project, loadStackFile(stack).config)))).not.toThrow();
    });

    test("every stack shown in the README and docs passes the engine's check", () => {
        const docs = ["README.md", ...readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`), ...readdirSync(join(ROOT, "docs", "runbooks")).map((f) => `docs/runbooks/${f}`)];
        let stacks = 0;
        for (const doc of docs) {
            const text = readFileSync(join(ROOT, doc), "utf8");
            for (const [, block] of text.matchAll(/```yaml\n([\s\S]*?)```/g)) {
                const parsed = parse(block) ?? {};
                // A whole stack file (config:) or a stack's rekey keys with its inventory.
                const config = parsed.config ?? (parsed["rekey:secrets"] !== undefined ? parsed : null);
                if (!config) continue;
                stacks++;
                expect({ doc, errors: engineConfigErrors(project, "docs", config) }).toEqual({ doc, errors: [] });
            }
        }
        expect(stacks).toBeGreaterThanOrEqual(6);
    });

    test("every combination of rekey keys that rekey's validation accepts, the engine accepts too", () => {
        const sample: Record<string, unknown> = {
            "rekey:secrets": { A: { epoch: 0, generate: { encoding: "hex", bytes: 16 } } },
            "rekey:consumers": {},
            "rekey:hosts": {},
            "rekey:defaults": {},
            "rekey:supplied": {},
            "rekey:hostKeys": {},
        };
        const keys = KNOWN_CONFIG_KEYS.map((k) => `rekey:${k}`);
        let accepted = 0;
        for (let mask = 0; mask < 1 << keys.length; mask++) {
            const config = Object.fromEntries(keys.filter((_, i) => mask & (1 << i)).map((k) => [k, sample[k]]));
            let valid = true;
            try {
                planRotation(rawConfig(mergedConfig(project, config)));
            } catch {
                valid = false;
            }
            if (!valid) continue;
            accepted++;
            expect({ keys: Object.keys(config), errors: engineConfigErrors(project, "s", config) }).toEqual({ keys: Object.keys(config), errors: [] });
        }
        expect(accepted).toBe(1 << (keys.length - 1));
    });
});
