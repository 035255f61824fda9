// The package as a user gets it: `npm pack`, installed into a fresh project under the
// system's temp directory that cannot see this repository's sources, and a program there,
// under Pulumi's mocks, with two Rotations, the user's own Kubernetes provider and a value
// handed to another resource. Its TypeScript compiles against the shipped declarations.
// `npm test` builds dist/ first; the install reads npm's cache first (--prefer-offline).
import { validateWorkflow } from "@action-validator/core";
import { execFileSync, spawnSync } from "child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { basename, join } from "path";
import { parse as parseYaml } from "yaml";
import { removeWorkdirs } from "../harness/cli";
import { remote } from "../harness/rotateRemote";
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
afterAll(() => {
    removeWorkdirs();
    if (dir) rmSync(dir, { recursive: true, force: true });
});

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
    // The CLI was installed from the tarball: the scaffold depends on that tarball (init --from's default).
    expect(JSON.parse(readFileSync(join(scaffold, "package.json"), "utf8")).dependencies["pulumi-rekey"]).toBe(`file:../../${basename(tarball)}`);
});

test("from a clean clone (no dist/), npm pack builds the package through prepare, as an install from git does", () => {
    // npm installs a git dependency by cloning it, installing its dependencies and packing it,
    // which runs prepare (npm's lib/commands/pack.js, pacote's git fetcher). Here the clone's
    // dependencies are this checkout's (npm ci installs the same from the lock file), so the
    // test needs no network; an install from a git+file:// URL did the same in 5 minutes.
    const clone = join(dir, "clone");
    const head = execFileSync("git", ["-C", ROOT, "rev-parse", "HEAD"], { encoding: "utf8" }).trim();
    execFileSync("git", ["clone", "-q", "--no-checkout", ROOT, clone]);
    execFileSync("git", ["-C", clone, "checkout", "-q", head]);
    expect(existsSync(join(clone, "dist"))).toBe(false);
    symlinkSync(join(ROOT, "node_modules"), join(clone, "node_modules"));
    const out = join(dir, "from-clone");
    execFileSync("mkdir", [out]);
    npm(clone, "pack", "--pack-destination", out);
    const [packed] = readdirSync(out);
    const files = execFileSync("tar", ["tzf", join(out, packed)], { encoding: "utf8" }).split("\n").filter(Boolean).map((f) => f.replace(/^package\//, ""));
    expect(files).toEqual(expect.arrayContaining(["dist/index.js", "dist/index.d.ts", "dist/cli/main.js", "dist/cli/init.js", "dist/components/plan/index.js", "dist/components/stores/scripts/write-file.sh", "bin/rekey.js", "templates/init/workflows/rekey-plan.yml", "templates/init/workflows/rekey-rotate.yml"]));
}, 600000);

describe("rekey init in a subdirectory of a fresh git repository, the tarball installed into the scaffold", () => {
    let repo: string;
    let scaffold: string;
    const run = (cwd: string, cmd: string, args: string[], env: Record<string, string> = {}) =>
        spawnSync(cmd, args, { cwd, encoding: "utf8", env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
    
    beforeAll(() => {
        repo = join(dir, "monorepo");
        execFileSync("git", ["init", "-q", "-b", "main", repo]);
        // The installed CLI (npx pulumi-rekey), from the repository's root, no commit yet.
        const out = execFileSync(join(project, "node_modules", ".bin", "pulumi-rekey"), ["init", "infra/secrets"], { cwd: repo, encoding: "utf8" });
        expect(out).toContain("workflows at the repository's root (.): .github/workflows/rekey-secrets-plan.yml, .github/workflows/rekey-secrets-due.yml, .github/workflows/rekey-secrets-rotate.yml, working in infra/secrets\n");
        scaffold = join(repo, "infra", "secrets");
        // Its package.json as written: pulumi-rekey from the tarball the CLI came from, the rest from npm's cache.
        npm(scaffold, "install", "--no-audit", "--no-fund", "--prefer-offline");
    }, 600000);

    test("the scaffold depends on the tarball its CLI was installed from, and installed it", () => {
        expect(JSON.parse(readFileSync(join(scaffold, "package.json"), "utf8")).dependencies["pulumi-rekey"]).toBe(`file:../../../${basename(tarball)}`);
        expect(JSON.parse(readFileSync(join(scaffold, "node_modules", "pulumi-rekey", "package.json"), "utf8")).version).toBe(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version);
    });

    test("npm run plan and npm run due work as generated: before the first commit, after it, and outside git", () => {
        const first = run(scaffold, "npm", ["run", "--silent", "plan"]);
        expect([first.status, first.stderr]).toEqual([0, ""]);
        expect(first.stdout).toContain("New stack: no base to compare with (the git repository has no commit yet");
        expect(first.stdout).toContain("- **APP_SECRET** added (generate, epoch 0)");
        const due = run(scaffold, "npm", ["run", "--silent", "due"]);
        expect([due.status, due.stdout]).toEqual([0, expect.stringContaining("### rekey due: dev")]);
        // Committed on main: the plan compares with main and finds nothing changed.
        execFileSync("git", ["-C", repo, "add", "."]);
        execFileSync("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@rekey.invalid", "commit", "-q", "-m", "scaffold"]);
        expect(run(scaffold, "npm", ["run", "--silent", "plan"])).toMatchObject({ status: 0, stdout: "No stack file changed: nothing rotates.\n" });
        // The scaffold's .gitignore keeps node_modules out.
        expect(execFileSync("git", ["-C", repo, "ls-files"], { encoding: "utf8" }).split("\n").filter((f) => f.includes("node_modules"))).toEqual([]);
        // Outside git: the workflows under the scaffold, and both scripts work.
        const loose = join(dir, "loose");
        const out = execFileSync(join(project, "node_modules", ".bin", "pulumi-rekey"), ["init", loose], { cwd: dir, encoding: "utf8" });
        expect(out).toContain("workflows in loose/.github/workflows (not in a git repository");
        symlinkSync(join(scaffold, "node_modules"), join(loose, "node_modules"));
        const plan = run(loose, "npm", ["run", "--silent", "plan"]);
        expect([plan.status, plan.stderr]).toEqual([0, ""]);
        expect(plan.stdout).toContain("New stack: no base to compare with (the stack file's directory is not in a git repository");
        expect(run(loose, "npm", ["run", "--silent", "due"]).status).toBe(0);
    });

    test("every pulumi-rekey path the scaffold and its workflows mention is in the installed package", () => {
        const texts = [...readdirSync(scaffold).filter((f) => f !== "node_modules").map((f) => join(scaffold, f)), ...readdirSync(join(repo, ".github", "workflows")).map((f) => join(repo, ".github", "workflows", f))]
            .filter((f) => statSync(f).isFile())
            .map((f) => readFileSync(f, "utf8"));
        const mentioned = [...new Set(texts.flatMap((t) => [...t.matchAll(/node_modules\/pulumi-rekey\/([\w./-]*[\w/])/g)].map((m) => m[1])))];
        expect(mentioned).toEqual(expect.arrayContaining(["docs/ci.md", "docs/configuration.md"]));
        for (const path of mentioned) expect([path, existsSync(join(scaffold, "node_modules", "pulumi-rekey", path))]).toEqual([path, true]);
        // And no docs/ path of this repository that a scaffolded repository lacks.
        for (const t of texts) expect(t.replace(/node_modules\/pulumi-rekey\/docs\//g, "").replace(/pulumi-rekey's docs\/ci\.md/g, "")).not.toMatch(/(^|[\s(])docs\//m);
    });

    test("the workflows: valid, working in the project's directory, triggered by its stack files, their commands run with the installed npx pulumi-rekey", () => {
        const read = (kind: string) => readFileSync(join(repo, ".github", "workflows", `rekey-secrets-${kind}.yml`), "utf8");
        for (const kind of ["plan", "due", "rotate"]) expect(validateWorkflow(read(kind)).errors).toEqual([]);
        const plan = parseYaml(read("plan"));
        const due = parseYaml(read("due"));
        expect([plan.defaults.run["working-directory"], due.defaults.run["working-directory"]]).toEqual(["infra/secrets", "infra/secrets"]);
        expect(plan.on.pull_request.paths).toEqual(["infra/secrets/Pulumi.*.yaml"]);
        const cwd = join(repo, plan.defaults.run["working-directory"]);
        const base = execFileSync("git", ["-C", repo, "rev-parse", "HEAD"], { encoding: "utf8" }).trim();
        // A pull request's change: the bump, with the installed CLI as npx runs it.
        expect(run(cwd, "npx", ["--no-install", "pulumi-rekey", "bump", "APP_SECRET", "--stack", "dev"]).status).toBe(0);
        const output = join(dir, "gh-output");
        writeFileSync(output, "");
        const changed = run(cwd, "bash", ["-e", "-c", plan.jobs.stacks.steps.find((s: any) => s.id === "changed").run], { BASE_SHA: base, GITHUB_OUTPUT: output });
        expect([changed.status, readFileSync(output, "utf8")]).toEqual([0, 'stacks=["dev"]\n']);
        writeFileSync(output, "");
        const summary = join(dir, "gh-summary");
        const planStep = run(cwd, "bash", ["-e", "-c", plan.jobs.plan.steps.find((s: any) => s.name === "rekey plan").run], { BASE_SHA: base, STACK: "dev", GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary });
        expect([planStep.status, readFileSync(output, "utf8")]).toEqual([0, "refused=false\n"]);
        expect(readFileSync(join(cwd, "rekey-plan.md"), "utf8")).toContain("- **APP_SECRET** rotated: epoch 0 → 1");
        const dueStep = run(cwd, "bash", ["-e", "-c", due.jobs.due.steps.find((s: any) => s.name === "rekey due, every stack").run], { WITHIN: "14", GITHUB_STEP_SUMMARY: summary });
        expect(dueStep.status).toBe(0);
        execFileSync("git", ["-C", repo, "checkout", "-q", "--", "."]);
    });

    test("the rotate workflow's step, with the installed npx pulumi-rekey in each clone, opens the pull request for the due secret on the project's branch", () => {
        const files = Object.fromEntries(
            execFileSync("git", ["-C", repo, "ls-files"], { encoding: "utf8" })
                .trim()
                .split("\n")
                .map((f) => [f, readFileSync(join(repo, f), "utf8")]),
        );
        const stack = "infra/secrets/Pulumi.dev.yaml";
        files[stack] = files[stack].replace("      # cadenceDays: 90 ", "      cadenceDays: 90  "); // undated with a cadence: due
        expect(files[stack]).toContain("      cadenceDays: 90  ");
        const r = remote(files, join(repo, ".github", "workflows", "rekey-secrets-rotate.yml"), "infra/secrets", {
            prepare: (clone) => symlinkSync(join(scaffold, "node_modules"), join(clone, "infra", "secrets", "node_modules")),
        });
        const run = r.run();
        expect([run.status, run.calls.map((c) => c.args[1])]).toEqual([0, ["list", "create"]]);
        expect(r.show("rekey/rotate-secrets", stack)).toContain("epoch: 1  # reason: due: cadence 90 days and no rotatedAt recorded");
        expect(r.gh().prs[0].body).toContain("- **APP_SECRET** rotated: epoch 0 → 1");
    });

    test("its program, compiled as written, runs under Pulumi's mocks as its own project (secrets, not rekey) with its own @pulumi/pulumi", () => {
        execFileSync(join(scaffold, "node_modules", ".bin", "tsc"), ["-p", "."], { cwd: scaffold, encoding: "utf8" });
        writeFileSync(join(scaffold, "probe.js"), SCAFFOLD_PROBE);
        const out = JSON.parse(execFileSync("node", ["probe.js", "dev"], { cwd: scaffold, encoding: "utf8" }));
        expect(out.project).toBe("secrets");
        expect(out.error).toBeNull();
        // The Rotation reads its own stack's outputs by its full name (a Pulumi Cloud organization): acme/secrets/dev.
        expect(out.references).toEqual(["acme/secrets/dev"]);
        expect(out.rotation.APP_SECRET).toMatchObject({ epoch: 0 });
        expect(out.duplicateNames).toEqual([]);
        // Named after the standalone Rotation ("rekey"), whatever the project is named.
        expect(out.randomPasswords.sort()).toEqual(["rekey-APP_SECRET-even", "rekey-fingerprint-key"]);
        rmSync(join(scaffold, "probe.js"));
    }, 120000);
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

/**
 * The scaffold's compiled program (bin/index.js) under its own @pulumi/pulumi's mocks, as
 * `pulumi up` runs it: the project named in Pulumi.yaml, the stack file's config (secret keys
 * as secrets), the self StackReference answered with no outputs (a first deployment).
 */
const SCAFFOLD_PROBE = String.raw`
const fs = require("fs");
const pulumi = require("@pulumi/pulumi");
const yaml = require("js-yaml");
const stack = process.argv[2];
const project = yaml.load(fs.readFileSync("Pulumi.yaml", "utf8")).name;
const config = yaml.load(fs.readFileSync("Pulumi." + stack + ".yaml", "utf8")).config;
const seen = [];
const references = [];
pulumi.runtime.setMocks({
    newResource(args) {
        seen.push(args.type + "::" + args.name);
        if (args.type === "pulumi:pulumi:StackReference") {
            references.push(args.inputs.name);
            return { id: args.inputs.name, state: { name: args.inputs.name, outputs: {}, secretOutputNames: [] } };
        }
        const state = args.type === "random:index/randomPassword:RandomPassword" ? { ...args.inputs, result: "a".repeat(args.inputs.length) } : args.inputs;
        return { id: args.name + "-id", state };
    },
    call(args) { return args.inputs; },
}, project, stack, false, "acme");
const flat = {};
for (const [k, v] of Object.entries(config)) flat[k] = typeof v === "string" ? v : JSON.stringify(v);
pulumi.runtime.setAllConfig(flat, ["rekey:supplied", "rekey:hostKeys"]);
(async () => {
    let error = null;
    let outputs = {};
    try {
        outputs = await pulumi.runtime.runInPulumiStack(async () => require("./bin/index.js")());
    } catch (e) {
        error = String(e && e.message || e);
    }
    await new Promise((r) => setTimeout(r, 300));
    const rotation = outputs.rotation ? await new Promise((r) => pulumi.output(outputs.rotation).apply(r)) : null;
    console.log(JSON.stringify({
        project: pulumi.getProject(),
        error,
        references,
        rotation,
        duplicateNames: seen.filter((k, i) => seen.indexOf(k) !== i),
        randomPasswords: seen.filter((k) => k.startsWith("random:index/randomPassword:RandomPassword::")).map((k) => k.split("::")[1]),
    }));
})();
`;
