// The package as a user gets it: `npm pack`, installed into a fresh project under the
// system's temp directory that cannot see this repository's sources, and a program there,
// under Pulumi's mocks, with two Rotations, the user's own Kubernetes provider and a value
// handed to another resource. Its TypeScript compiles against the shipped declarations.
// `npm test` builds dist/ first; the install reads npm's cache first (--prefer-offline).
import { execFileSync } from "child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { ROOT } from "../harness/stackFile";

const npm = (cwd: string, ...args: string[]) => execFileSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20 });
const version = (pkg: string) => JSON.parse(readFileSync(join(ROOT, "node_modules", pkg, "package.json"), "utf8")).version as string;

let dir: string;
let tarball: string;
let project: string;

beforeAll(() => {
    if (!existsSync(join(ROOT, "dist", "index.js"))) throw new Error("dist/ is not built: run npm run build (npm test does)");
    dir = mkdtempSync(join(tmpdir(), "rekey-pack-"));
    const packed = JSON.parse(npm(ROOT, "pack", "--ignore-scripts", "--json", "--pack-destination", dir));
    tarball = join(dir, packed[0].filename);
    project = join(dir, "project");
    execFileSync("mkdir", [project]);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "platform-secrets", version: "1.0.0", private: true }));
    npm(project, "install", "--no-audit", "--no-fund", "--prefer-offline", tarball, `@pulumi/pulumi@${version("@pulumi/pulumi")}`, `@pulumi/kubernetes@${version("@pulumi/kubernetes")}`, `typescript@${version("typescript")}`);
}, 600000);
afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

test("the tarball holds the compiled package, its declarations, the writer script, the CLI and PulumiPlugin.yaml, and no tests, benchmarks or examples", () => {
    const files = execFileSync("tar", ["tzf", tarball], { encoding: "utf8" }).split("\n").filter(Boolean).map((f) => f.replace(/^package\//, ""));
    expect(files).toEqual(expect.arrayContaining(["package.json", "dist/index.js", "dist/index.d.ts", "dist/components/plan/index.js", "dist/components/stores/scripts/write-file.sh", "bin/rekey.js", "dist/cli/main.js", "PulumiPlugin.yaml", "README.md"]));
    expect(files.filter((f) => /^(test|bench|examples)\/|^dist\/(test|bench|examples)\/|\.test\.|^Pulumi\.[a-z]+\.yaml$/.test(f))).toEqual([]);
    // bin/ holds the one executable package.json names.
    expect(files.filter((f) => f.startsWith("bin/"))).toEqual(["bin/rekey.js"]);
});

test("in a fresh project: two Rotations, the user's provider, a value handed on; importing registers nothing", () => {
    writeFileSync(join(project, "probe.js"), PROBE);
    const out = JSON.parse(execFileSync("node", ["probe.js"], { cwd: project, encoding: "utf8" }));
    expect(out.resolvedFrom.startsWith(join(project, "node_modules", "pulumi-rekey"))).toBe(true);
    expect(out.registeredByImport).toEqual([]);
    // No URN collision, every rekey resource under its Rotation and named after it.
    expect(out.duplicateUrns).toEqual([]);
    expect(out.outside).toEqual([]);
    expect(out.rekeyResources).toBeGreaterThan(20);
    // The user's provider writes the Secrets; rekey makes no Kubernetes provider of its own.
    expect(out.kubernetesProviders).toEqual(["my-cluster"]);
    expect(out.secretProviders.sort()).toEqual([["app-db-password", "my-cluster"], ["blog-kubernetes:blog/app", "my-cluster"], ["shop-kubernetes:shop/app", "my-cluster"]]);
    // The handed value is secret on the wire and is the value rekey stored.
    expect(out.handedIsSecret).toBe(true);
    expect(out.handedEqualsStored).toBe(true);
}, 120000);

test.each([
    ["node16", "node16"],
    ["commonjs", "node"],
])("a TypeScript program compiles against the shipped declarations (module %s, moduleResolution %s), and the CLI runs from the package", (module, moduleResolution) => {
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true, target: "es2022", module, moduleResolution, skipLibCheck: true, noEmit: true }, files: ["index.ts"] }));
    writeFileSync(
        join(project, "index.ts"),
        [
            'import * as pulumi from "@pulumi/pulumi";',
            'import { Rotation, RotationArgs, RekeyConfigError, fromStackConfig } from "pulumi-rekey";',
            'import { planRotation, diffPlans } from "pulumi-rekey/plan";',
            'const args: RotationArgs = { secrets: { DB_PASSWORD: { epoch: 0, generate: { encoding: "hex", bytes: 24 } } } };',
            'const r = new Rotation("db", args);',
            "export const password: pulumi.Output<string> = r.values.DB_PASSWORD;",
            "export const plan = planRotation({ secrets: args.secrets });",
            "export const same = diffPlans(plan, plan, new Set());",
            "export const isError = (e: unknown) => e instanceof RekeyConfigError;",
            "export const standalone = () => new Rotation(\"rekey\", fromStackConfig());",
        ].join("\n"),
    );
    execFileSync(join(project, "node_modules", ".bin", "tsc"), ["-p", "."], { cwd: project, encoding: "utf8" });
    // And a type error is found (control).
    writeFileSync(join(project, "index.ts"), 'import { RotationArgs } from "pulumi-rekey";\nexport const bad: RotationArgs = { secrets: { A: { epoch: "one" } } };\n');
    const failed = (() => {
        try {
            execFileSync(join(project, "node_modules", ".bin", "tsc"), ["-p", "."], { cwd: project, encoding: "utf8", stdio: "pipe" });
            return "";
        } catch (e) {
            return String((e as { stdout: string }).stdout);
        }
    })();
    expect(failed).toMatch(/index\.ts\(2,\d+\): error TS2322: Type 'string' is not assignable to type 'Input<number> \| undefined'/);
    const help = execFileSync(join(project, "node_modules", ".bin", "pulumi-rekey"), ["--help"], { cwd: project, encoding: "utf8" });
    expect(help).toMatch(/bump/);
});

test("npx pulumi-rekey init: the scaffold compiles against the installed package (tsc --noEmit)", () => {
    const out = execFileSync(join(project, "node_modules", ".bin", "pulumi-rekey"), ["init", "scaffold", "--stack", "prod"], { cwd: project, encoding: "utf8" });
    expect(out).toMatch(/^rekey: a rotation project in scaffold: Pulumi.yaml, package.json/);
    const scaffold = join(project, "scaffold");
    // Its dependencies are the project's (installed above): the scaffold's own npm install would fetch the same.
    symlinkSync(join(project, "node_modules"), join(scaffold, "node_modules"));
    execFileSync(join(project, "node_modules", ".bin", "tsc"), ["--noEmit", "-p", scaffold], { cwd: scaffold, encoding: "utf8" });
    expect(JSON.parse(readFileSync(join(scaffold, "package.json"), "utf8")).dependencies["pulumi-rekey"]).toMatch(/^\^0\.\d+\.\d+$/);
});

/** The program the fresh project runs (plain JavaScript, the package from its node_modules). */
const PROBE = String.raw`
const pulumi = require("@pulumi/pulumi");
const k8s = require("@pulumi/kubernetes");
const SIG = "4dabf18193072939515e22adb298388d";
const seen = [];
pulumi.runtime.setMocks({
    newResource(args) {
        seen.push({ type: args.type, name: args.name, inputs: args.inputs });
        if (args.type === "pulumi:pulumi:StackReference") return { id: args.name, state: { name: args.inputs.name, outputs: {}, secretOutputNames: [] } };
        const state = args.type === "random:index/randomPassword:RandomPassword" ? { ...args.inputs, result: "a".repeat(args.inputs.length) } : args.inputs;
        return { id: args.name + "-id", state };
    },
    call(args) { return args.inputs; },
}, "platform", "dev", false, "organization");
const captured = new Map();
const unwrap = (v) => (v && typeof v === "object" && v[SIG] ? v.value : v);
(async () => {
    let registeredByImport;
    let handed;
    await pulumi.runtime.runInPulumiStack(async () => {
        pulumi.runtime.registerStackTransformation((a) => {
            const key = (r) => r.__pulumiType + "::" + r.__name;
            captured.set(a.type + "::" + a.name, { type: a.type, name: a.name, parent: a.opts.parent && key(a.opts.parent), provider: a.opts.provider && a.opts.provider.__name });
            return undefined;
        });
        await new Promise((r) => setTimeout(r, 100));
        const before = seen.length;
        const rekey = require("pulumi-rekey");
        await new Promise((r) => setTimeout(r, 100));
        registeredByImport = seen.slice(before).map((s) => s.type + "::" + s.name);
        const inventory = (ns) => ({
            defaults: { kubernetes: { namespace: ns } },
            consumers: { api: { kubernetes: { deployment: "api" } } },
            secrets: {
                DB_PASSWORD: { epoch: 1, generate: { encoding: "hex", bytes: 24 }, stores: [{ kubernetes: { secret: "app" } }, { ssm: { prefix: "/" + ns + "/" } }], consumers: ["api"] },
                API_KEY: { supplied: true, stores: [{ kubernetes: { secret: "app" } }], consumers: ["api"] },
            },
        });
        const cluster = new k8s.Provider("my-cluster", { context: "prod", enableSecretMutable: true });
        const shop = new rekey.Rotation("shop", { ...inventory("shop"), supplied: { API_KEY: pulumi.secret("s") }, stackOutput: "shop" }, { providers: { kubernetes: cluster } });
        const blog = new rekey.Rotation("blog", { ...inventory("blog"), supplied: { API_KEY: pulumi.secret("b") }, stackOutput: "blog" }, { providers: [cluster] });
        handed = shop.values.DB_PASSWORD;
        new k8s.core.v1.Secret("app-db-password", { metadata: { namespace: "shop" }, stringData: { password: handed } }, { provider: cluster });
        return { shop: shop.rotation, blog: blog.rotation };
    });
    await new Promise((r) => setTimeout(r, 500));
    // URNs as the engine makes them: the parent's qualified type (not the root stack's), the type, the name.
    const urns = new Map();
    const urnOf = (key) => {
        if (urns.has(key)) return urns.get(key);
        const r = captured.get(key);
        const parent = r.parent && !r.parent.startsWith("pulumi:pulumi:Stack::") ? urnOf(r.parent).split("::")[2] : "";
        const urn = "urn:pulumi:dev::platform::" + (parent ? parent + "$" : "") + r.type + "::" + r.name;
        urns.set(key, urn);
        return urn;
    };
    const all = seen.filter((s) => s.type !== "pulumi:pulumi:Stack").map((s) => urnOf(s.type + "::" + s.name));
    const under = (key, rotation) => { for (let p = captured.get(key).parent; p; p = captured.get(p) && captured.get(p).parent) if (p === "pulumi-rekey:index:Rotation::" + rotation) return true; return false; };
    const rekeyKeys = [...captured.keys()].filter((k) => /::(shop|blog)-/.test(k));
    const secretNamed = (name) => seen.find((s) => s.type === "kubernetes:core/v1:Secret" && s.name === name).inputs;
    const stored = secretNamed("shop-kubernetes:shop/app").data;
    const handedInput = secretNamed("app-db-password").stringData;
    const storedValue = Buffer.from(unwrap(stored).DB_PASSWORD, "base64").toString("utf8");
    console.log(JSON.stringify({
        resolvedFrom: require.resolve("pulumi-rekey"),
        registeredByImport,
        duplicateUrns: all.filter((u, i) => all.indexOf(u) !== i),
        rekeyResources: rekeyKeys.length,
        outside: rekeyKeys.filter((k) => !under(k, k.split("::")[1].split("-")[0])),
        kubernetesProviders: seen.filter((s) => s.type === "pulumi:providers:kubernetes").map((s) => s.name),
        secretProviders: [...captured.values()].filter((c) => c.type === "kubernetes:core/v1:Secret").map((c) => [c.name, c.provider]),
        // On the wire the handed value arrives inside the secret wrapper.
        handedIsSecret: !!(handedInput && handedInput[SIG]) && (await handed.isSecret),
        handedEqualsStored: unwrap(handedInput).password === storedValue && storedValue.length === 48,
    }));
})();
`;
