// `rekey init`: the scaffold a user's set-up starts from. Its stack passes the engine's stack
// config check and rekey's own validation; its workflows are the ones this repository runs;
// it writes nothing over an existing file. (test/package/pack.test.ts compiles it against the
// installed package.)
import { execFileSync, spawnSync } from "child_process";
import fc from "fast-check";
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, symlinkSync, writeFileSync } from "fs";
import { join, relative } from "path";
import { parse } from "yaml";
import { projectNameOf, projectNameProblem, pulumiYaml } from "../../cli/init";
import { parseStackFile, planOf } from "../../cli/stackFile";
import { git, rekey, rekeyBuilt, removeWorkdirs, workdir } from "../harness/cli";
import { engineConfigErrors, mergedConfig, parseProjectFile } from "../harness/pulumiProjectConfig";
import { isRoot } from "../harness/requirements";
import { ROOT } from "../harness/stackFile";

afterAll(removeWorkdirs);
const TEMPLATES = join(ROOT, "templates", "init");
const FILES = ["Pulumi.yaml", "package.json", "tsconfig.json", "index.ts", "Pulumi.prod.yaml", ".gitignore"];

test("writes the project, names it after its directory, and says what to run next", () => {
    const dir = workdir({}, false);
    const r = rekey(dir, "init", "platform secrets", "--stack", "prod");
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(r.stdout).toContain("next:\n  cd 'platform secrets'\n  npm install\n  pulumi stack init prod");
    const at = join(dir, "platform secrets");
    for (const f of FILES) expect(existsSync(join(at, f))).toBe(true);
    // Not in a git repository: the workflows are under the project, and the output says why.
    expect(readdirSync(join(at, ".github", "workflows")).sort()).toEqual(["rekey-platform-secrets-due.yml", "rekey-platform-secrets-plan.yml", "rekey-platform-secrets-rotate.yml"]);
    expect(r.stdout).toContain("workflows in platform secrets/.github/workflows (not in a git repository: GitHub runs them only from a repository's root");
    expect(parse(readFileSync(join(at, "Pulumi.yaml"), "utf8")).name).toBe("platform-secrets");
    const pkg = JSON.parse(readFileSync(join(at, "package.json"), "utf8"));
    expect(pkg.dependencies["pulumi-rekey"]).toBe(`^${JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version}`);
});

test("its stack passes the engine's stack config check and rekey's validation (one generated secret)", () => {
    const dir = workdir({}, false);
    expect(rekey(dir, "init", "--stack", "prod", "--name", "secrets").code).toBe(0);
    const project = parseProjectFile(readFileSync(join(dir, "Pulumi.yaml"), "utf8"));
    const stackText = readFileSync(join(dir, "Pulumi.prod.yaml"), "utf8");
    const config = parse(stackText).config;
    expect(engineConfigErrors(project, "prod", config)).toEqual([]);
    const plan = planOf(parseStackFile(JSON.stringify({ config: mergedConfig(project, config) }), "Pulumi.prod.yaml", project.name));
    expect(plan.secrets.map((s) => [s.name, s.epoch, s.source.kind])).toEqual([["APP_SECRET", 0, "generate"]]);
    // `rekey plan` and `rekey bump` work in it as they do here.
    expect(rekey(dir, "bump", "APP_SECRET", "--stack", "prod", "--date", "2026-11-20").code).toBe(0);
    expect(readFileSync(join(dir, "Pulumi.prod.yaml"), "utf8")).toContain("epoch: 1");
});

test("its workflows are the ones this repository runs (rendered for a project named rekey at a repository's root)", () => {
    const dir = workdir({}, false);
    expect(rekey(dir, "init", "--name", "rekey").code).toBe(0);
    for (const kind of ["plan", "due", "rotate"]) {
        expect(readFileSync(join(dir, ".github", "workflows", `rekey-rekey-${kind}.yml`), "utf8")).toBe(readFileSync(join(ROOT, ".github", "workflows", `rekey-${kind}.yml`), "utf8"));
    }
});

// ---- In a git repository: the workflows at its root, working in the project's directory ----

/** A fresh git repository (no commit), in its own temp directory. */
function freshRepo(): string {
    const dir = realpathSync(workdir({}, false));
    git(dir, "init", "-q", "-b", "main");
    return dir;
}

test("in a subdirectory of a git repository: the workflows at the root, named after the project, working in and triggered by the project's directory", () => {
    const repo = freshRepo();
    const r = rekey(repo, "init", "infra/secrets", "--stack", "prod");
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(r.stdout).toContain("workflows at the repository's root (.): .github/workflows/rekey-secrets-plan.yml, .github/workflows/rekey-secrets-due.yml, .github/workflows/rekey-secrets-rotate.yml, working in infra/secrets\n");
    expect(tree(repo).filter((f) => !f.startsWith(".git/") && f !== ".git")).toEqual(
        [".github", ".github/workflows", ".github/workflows/rekey-secrets-due.yml", ".github/workflows/rekey-secrets-plan.yml", ".github/workflows/rekey-secrets-rotate.yml", "infra", "infra/secrets", ...FILES.map((f) => `infra/secrets/${f}`)].sort(),
    );
    const plan = parse(readFileSync(join(repo, ".github", "workflows", "rekey-secrets-plan.yml"), "utf8"));
    expect(plan.on.pull_request.paths).toEqual(["infra/secrets/Pulumi.*.yaml"]);
    expect(plan.defaults.run["working-directory"]).toBe("infra/secrets");
    expect(plan.concurrency.group).toBe("rekey-plan-secrets-${{ github.event.pull_request.number }}");
    const due = parse(readFileSync(join(repo, ".github", "workflows", "rekey-secrets-due.yml"), "utf8"));
    expect(due.defaults.run["working-directory"]).toBe("infra/secrets");
    // From a directory inside the repository, with -C: paths stay relative to the root.
    mkdirSync(join(repo, "apps", "shop"), { recursive: true });
    const nested = rekey(join(repo, "apps"), "-C", "shop", "init", "vault");
    expect(nested.code).toBe(0);
    expect(nested.stdout).toContain("workflows at the repository's root (..): .github/workflows/rekey-vault-plan.yml, .github/workflows/rekey-vault-due.yml, .github/workflows/rekey-vault-rotate.yml, working in apps/shop/vault\n");
});

test("two scaffolds in one repository: different project names do not collide; the same name is refused, naming the workflow, and nothing is written", () => {
    const repo = freshRepo();
    expect(rekey(repo, "init", "infra/payments").code).toBe(0);
    expect(rekey(repo, "init", "infra/search").code).toBe(0);
    expect(readdirSync(join(repo, ".github", "workflows")).sort()).toEqual(["rekey-payments-due.yml", "rekey-payments-plan.yml", "rekey-payments-rotate.yml", "rekey-search-due.yml", "rekey-search-plan.yml", "rekey-search-rotate.yml"]);
    const before = tree(repo);
    const again = rekey(repo, "init", "apps/payments");
    expect([again.code, again.stderr]).toEqual([
        2,
        'rekey: . already has .github/workflows/rekey-payments-plan.yml, .github/workflows/rekey-payments-due.yml, .github/workflows/rekey-payments-rotate.yml: another project named "payments" in this repository has its workflows there (they are named after the project). Give this one another name with --name <name>: rekey init writes nothing\n',
    ]);
    expect(tree(repo)).toEqual(before);
    expect(rekey(repo, "init", "apps/payments", "--name", "shop-payments").code).toBe(0);
});

test("at the repository's root: the workflows beside the project, working in ., triggered by its stack files", () => {
    const repo = freshRepo();
    expect(rekey(repo, "init", "--name", "vault").code).toBe(0);
    const plan = parse(readFileSync(join(repo, ".github", "workflows", "rekey-vault-plan.yml"), "utf8"));
    expect([plan.on.pull_request.paths, plan.defaults.run["working-directory"]]).toEqual([["Pulumi.*.yaml"], "."]);
});

test.each([
    ["a [b]", "a \\[b\\]/Pulumi.*.yaml"],
    ["x*y?/z+!", "x\\*y\\?/z\\+\\!/Pulumi.*.yaml"],
])("a project directory %j is escaped in the paths filter (GitHub reads * ? + [ ] ! there)", (sub, filter) => {
    const repo = freshRepo();
    expect(rekey(repo, "init", sub, "--name", "p").code).toBe(0);
    const plan = parse(readFileSync(join(repo, ".github", "workflows", "rekey-p-plan.yml"), "utf8"));
    expect(plan.on.pull_request.paths).toEqual([filter]);
    expect(plan.defaults.run["working-directory"]).toBe(sub);
});

// A path goes into each workflow as a YAML value and in its comments. GitHub's YAML 1.1
// parser (YamlDotNet) ends a line at U+0085, U+2028 and U+2029 as at LF: the attack path
// `a<LS>env: {BASH_ENV: .evil}<LS>#` added a top-level `env:` for it (PyYAML reads it so).
test.each([
    ["U+2028 (the attack)", "a\u2028env: {BASH_ENV: .evil}\u2028#", "U+2028, a line break"],
    ["U+0085", "a\u0085env: {BASH_ENV: .evil}\u0085#", "U+0085, a line break"],
    ["U+2029", "a\u2029x", "U+2029, a line break"],
    ["CR", "a\rx", "U+000D, a line break"],
    ["LF", "a\nx", "U+000A, a line break"],
    ["tab", "a\tx", "U+0009, a control character"],
    ["a C1 control (CSI)", "a\u009b2Jx", "U+009B, a control character"],
    ["ESC", "a\u001b[2Jx", "U+001B, a control character"],
    ["RLO (bidi)", "a\u202ex", "U+202E, a bidirectional control"],
    ["LRM (bidi)", "a\u200ex", "U+200E, a bidirectional control"],
    ["a byte order mark", "a\ufeffx", "U+FEFF, a byte order mark"],
    ["U+FFFF", "a\uffffx", "U+FFFF, a character YAML does not allow"],
    ["${{", "${{ github.token }}", '"${{" (an expression to GitHub)'],
])("a project path holding %s is refused, naming the character, nothing written", (_what, sub, held) => {
    const repo = freshRepo();
    const r = rekey(repo, "init", sub, "--name", "p");
    expect([r.code, r.stdout]).toEqual([2, ""]);
    expect(r.stderr).toBe(`rekey: the project's path in the repository (a string of ${[...sub].length} characters, not shown) holds ${held}, which a workflow cannot name: rekey init writes nothing\n`);
    expect(tree(repo).filter((f) => !f.startsWith(".git"))).toEqual([]);
});

/** PyYAML, a YAML 1.1 reader as GitHub's is (U+0085, U+2028, U+2029 are line breaks to it), when python3 has it. */
const PYYAML = spawnSync("python3", ["-c", "import yaml"]).status === 0;

/** Each text as PyYAML reads it (YAML 1.1 reads the key `on` as true: named `on` again), as JSON. */
function pyYaml(texts: string[]): unknown[] {
    const script = [
        "import json, sys, yaml",
        "def keys(v):",
        "    if isinstance(v, dict): return {('on' if k is True else str(k)): keys(x) for k, x in v.items()}",
        "    if isinstance(v, list): return [keys(x) for x in v]",
        "    return v",
        "print(json.dumps([keys(yaml.safe_load(t)) for t in json.load(sys.stdin)]))",
    ].join("\n");
    return JSON.parse(execFileSync("python3", ["-c", script], { input: JSON.stringify(texts), encoding: "utf8" }));
}

test.each(["rekey-plan.yml", "rekey-rotate.yml"])("property: %s for any project path is either refused or read alike by a YAML 1.2 (yaml) and a 1.1 reader (PyYAML), with the path intact", (file) => {
    // Characters of every class near the rule's edges: YAML syntax, quotes, Unicode line
    // breaks and their neighbours, C1 controls, bidi controls, non-breaking and zero-width spaces.
    const char = fc.constantFrom(..."aZ9 _-.#:{}[]&*!|>'\"%@`,?\\/é€\u00a0\u200b\u2027\u202f\u0085\u2028\u2029\u0084\u009b\u202e\u2066\ufeff\t\r\n".split(""), "${{", "😀");
    const path = fc.array(char, { minLength: 1, maxLength: 12 }).map((cs) => cs.join("")).filter((p) => !p.split("/").some((c) => c === "" || c === "." || c === ".."));
    const { renderWorkflow } = require("../../cli/init");
    const template = readFileSync(join(TEMPLATES, "workflows", file), "utf8");
    const rendered: [string, string][] = [];
    let refused = 0;
    for (const p of fc.sample(path, { numRuns: 400, seed: 22 })) {
        try {
            rendered.push([p, renderWorkflow(template, "p", p)]);
        } catch (e) {
            expect((e as Error).message).toMatch(/^the project's path in the repository \(a string of \d+ characters?, not shown\) holds (U\+[0-9A-F]{4}, .*|"\$\{\{" \(an expression to GitHub\)), which a workflow cannot name: rekey init writes nothing$/);
            refused++;
        }
    }
    // Both outcomes are exercised.
    expect(refused).toBeGreaterThan(20);
    expect(rendered.length).toBeGreaterThan(20);
    const keys = Object.keys(parse(rendered[0][1])).sort();
    const ours = rendered.map(([, text]) => parse(text));
    for (const [i, [p]] of rendered.entries()) {
        expect(Object.keys(ours[i]).sort()).toEqual(keys);
        expect(ours[i].defaults.run["working-directory"]).toBe(p);
        // The rotate step names the directory in its checklist: through env, the same path.
        if (ours[i].jobs.rotate) expect(ours[i].jobs.rotate.steps.find((st: any) => st.env?.PROJECT_DIR !== undefined).env.PROJECT_DIR).toBe(p);
    }
    if (PYYAML) expect(pyYaml(rendered.map(([, text]) => text))).toEqual(JSON.parse(JSON.stringify(ours)));
    else expect(spawnSync("python3", ["-c", "import yaml"]).status).not.toBe(0); // no PyYAML here: the refusals above hold the rule
});

/** A repository with one commit, and a second one added to it as the submodule `sub` (its `.git` a file: `gitdir: ../.git/modules/sub`). */
function withSubmodule(): { superproject: string; sub: string } {
    const superproject = freshRepo();
    const origin = freshRepo();
    for (const repo of [superproject, origin]) {
        writeFileSync(join(repo, "README"), "x\n");
        git(repo, "add", "README");
        git(repo, "commit", "-q", "-m", "first");
    }
    git(superproject, "-c", "protocol.file.allow=always", "submodule", "add", "-q", origin, "sub");
    expect(readFileSync(join(superproject, "sub", ".git"), "utf8")).toBe("gitdir: ../.git/modules/sub\n");
    return { superproject, sub: join(superproject, "sub") };
}

test("in a git submodule: refused, naming the superproject (GitHub would not run the workflows for it), nothing written", () => {
    const { superproject, sub } = withSubmodule();
    const before = tree(superproject);
    for (const [cwd, args, top, sup] of [
        [superproject, ["init", "sub/secrets", "--name", "p"], "sub", "."],
        [sub, ["init", "--name", "p"], ".", ".."],
    ] as const) {
        expect(rekey(cwd, ...args)).toEqual({
            code: 2,
            stdout: "",
            stderr: `rekey: ${top} is a git submodule of the repository at ${sup}: GitHub runs the workflows rekey init writes only for pull requests of the repository whose root holds them, and a workflow of ${sup} does not see a submodule's files. Run rekey init in a clone of the submodule's own repository (its pull requests then run them), or put the project in the superproject itself: rekey init writes nothing\n`,
        });
    }
    expect(tree(superproject)).toEqual(before);
});

test("in a linked worktree (its .git a file too, naming .git/worktrees/…): the workflows at the worktree's root", () => {
    const repo = freshRepo();
    writeFileSync(join(repo, "README"), "x\n");
    git(repo, "add", "README");
    git(repo, "commit", "-q", "-m", "first");
    const linked = join(realpathSync(workdir({}, false)), "linked");
    git(repo, "worktree", "add", "-q", linked);
    expect(rekey(linked, "init", "infra", "--name", "p").code).toBe(0);
    expect(existsSync(join(linked, ".github", "workflows", "rekey-p-plan.yml"))).toBe(true);
});

// ---- The pulumi-rekey dependency (--from) ----

test("a tarball outside the git repository: written as given, with a warning that the workflows' npm ci cannot reach it; inside the repository no warning", () => {
    const outside = realpathSync(workdir({ "pulumi-rekey-0.2.0.tgz": "not read" }, false));
    const repo = freshRepo();
    mkdirSync(join(repo, "vendor"));
    writeFileSync(join(repo, "vendor", "pulumi-rekey-0.2.0.tgz"), "not read");
    const r = rekey(repo, "init", "infra/a", "--from", join(outside, "pulumi-rekey-0.2.0.tgz"));
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`warning: pulumi-rekey comes from ${relative(repo, join(outside, "pulumi-rekey-0.2.0.tgz"))}, outside the git repository at .: the workflows' npm ci runs in a clone of the repository and cannot reach it.`);
    const inside = rekey(repo, "init", "infra/b", "--from", "vendor/pulumi-rekey-0.2.0.tgz");
    expect([inside.code, inside.stderr]).toEqual([0, ""]);
    expect(JSON.parse(readFileSync(join(repo, "infra", "b", "package.json"), "utf8")).dependencies["pulumi-rekey"]).toBe("file:../../vendor/pulumi-rekey-0.2.0.tgz");
});

test.each([
    [[], `^${JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version}`],
    [["--from", "^0.2.0"], "^0.2.0"],
    [["--from", "pulumi-rekey@0.2.0"], "0.2.0"],
    [["--from", "github:rekey-dev/pulumi-rekey#v0.2.0"], "github:rekey-dev/pulumi-rekey#v0.2.0"],
    [["--from", "git+https://github.com/rekey-dev/pulumi-rekey.git#v0.2.0"], "git+https://github.com/rekey-dev/pulumi-rekey.git#v0.2.0"],
    [["--from", "git@github.com:rekey-dev/pulumi-rekey.git#v0.2.0"], "git@github.com:rekey-dev/pulumi-rekey.git#v0.2.0"],
    [["--from", "vendor/pulumi-rekey-0.2.0.tgz"], "file:../vendor/pulumi-rekey-0.2.0.tgz"],
    [["--from", "file:vendor/pulumi-rekey-0.2.0.tgz"], "file:../vendor/pulumi-rekey-0.2.0.tgz"],
])("the scaffold depends on pulumi-rekey as %j says (a local tarball relative to the scaffold, as npm saves it)", (args, spec) => {
    const dir = workdir({ "vendor/pulumi-rekey-0.2.0.tgz": "not read" }, false);
    const r = rekey(dir, "init", "secrets", ...args);
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(JSON.parse(readFileSync(join(dir, "secrets", "package.json"), "utf8")).dependencies["pulumi-rekey"]).toBe(spec);
    expect(r.stdout).toContain(`pulumi-rekey from ${spec}\n`);
});

test.each([
    ["rekey@1.0.0", "rekey: --from names the package rekey: give a spec of pulumi-rekey (a version, a tarball, a git URL)\n"],
    ["@scope/other@^1", "rekey: --from names the package @scope/other: give a spec of pulumi-rekey (a version, a tarball, a git URL)\n"],
    ["./missing.tgz", "rekey: --from names ./missing.tgz, which does not exist\n"],
    ["two words", "rekey: --from (a string of 9 characters, not shown) is not an npm dependency spec\n"],
])("--from %j is refused, nothing written", (from, message) => {
    const dir = workdir({}, false);
    expect(rekey(dir, "init", "--from", from)).toEqual({ code: 2, stdout: "", stderr: message });
    expect(readdirSync(dir)).toEqual([]);
});

test.each([
    // npm install github:… (or npx --package github:…): the installer's package.json keeps the spec as given.
    [{ "pulumi-rekey": "github:rekey-dev/pulumi-rekey#v0.2.0" }, undefined, "github:rekey-dev/pulumi-rekey#v0.2.0"],
    // npm install ./x.tgz: a file: spec relative to the installer, rewritten relative to the scaffold.
    [{ "pulumi-rekey": "file:vendor/pulumi-rekey-0.2.0.tgz" }, undefined, "file:../vendor/pulumi-rekey-0.2.0.tgz"],
    // No spec in package.json (a dependency of a dependency), the lock's resolved git URL.
    [{}, "git+ssh://git@github.com/rekey-dev/pulumi-rekey.git#0123456789abcdef0123456789abcdef01234567", "git+ssh://git@github.com/rekey-dev/pulumi-rekey.git#0123456789abcdef0123456789abcdef01234567"],
    // From the registry: a version range.
    [{ "pulumi-rekey": "^0.2.0" }, "https://registry.npmjs.org/pulumi-rekey/-/pulumi-rekey-0.2.0.tgz", `^${JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version}`],
])("installed with %j (lock resolved %j), the CLI's init writes that spec by default", (deps, resolved, spec) => {
    const dir = realpathSync(workdir({ "vendor/pulumi-rekey-0.2.0.tgz": "not read", "package.json": JSON.stringify({ name: "infra", dependencies: deps }) }, false));
    const installed = join(dir, "node_modules", "pulumi-rekey");
    mkdirSync(installed, { recursive: true });
    for (const f of ["package.json", "bin", "templates", "dist/cli", "dist/components"]) cpSync(join(ROOT, f), join(installed, f), { recursive: true });
    if (resolved) writeFileSync(join(dir, "node_modules", ".package-lock.json"), JSON.stringify({ packages: { "node_modules/pulumi-rekey": { version: "0.2.0", resolved } } }));
    // Its dependencies from this checkout (NODE_PATH), as the installer's node_modules would hold them.
    const r = spawnSync(process.execPath, [join(installed, "bin", "rekey.js"), "init", "secrets"], { cwd: dir, encoding: "utf8", env: { ...process.env, NODE_PATH: join(ROOT, "node_modules") } });
    expect([r.status, r.stderr]).toEqual([0, ""]);
    expect(JSON.parse(readFileSync(join(dir, "secrets", "package.json"), "utf8")).dependencies["pulumi-rekey"]).toBe(spec);
});

// A --from spec is printed through shown.ts's URL rule: the userinfo to the LAST "@" before
// the host, each query value and an http(s) fragment are not shown. npm reads the spec from
// package.json, so it is written there as given, and stderr warns (without the credential).
test.each([
    ["git+https://x-access-token:ghp_SECRET@github.com/org/pulumi-rekey.git#v0.2.0", "git+https://…@github.com/org/pulumi-rekey.git#v0.2.0", "a user name or token before the host"],
    ["https://example.com/p.tgz?access_token=SECRET", "https://example.com/p.tgz?access_token=…", "a query"],
    ["https://user:p@ss@w0rdSECRET@example.com/x.tgz", "https://…@example.com/x.tgz", "a user name or token before the host"],
    ["https://example.com/x.tgz#SECRET", "https://example.com/x.tgz#…", null],
    ["git+https://tokSECRET@github.com/o/pulumi-rekey.git#semver:^0.2", "git+https://…@github.com/o/pulumi-rekey.git#…", "a user name or token before the host"],
    ["tok:SECRET@github.com:o/pulumi-rekey.git#v0.2.0", "…@github.com:o/pulumi-rekey.git#v0.2.0", "a user name or token before the host"],
    ["github:SECRET@o/pulumi-rekey#v0.2.0", "github:…@o/pulumi-rekey#v0.2.0", "a user name or token before the host"],
])("--from %j: written to package.json as given (npm needs it), printed as %j, a warning without it", (from, shown, credential) => {
    const dir = workdir({}, false);
    const r = rekey(dir, "init", "secrets", "--from", from);
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "secrets", "package.json"), "utf8")).dependencies["pulumi-rekey"]).toBe(from);
    expect(r.stdout).toContain(`pulumi-rekey from ${shown}\n`);
    expect(r.stdout + r.stderr).not.toContain("SECRET");
    expect(r.stderr).toBe(
        credential === null
            ? ""
            : `rekey: warning: the pulumi-rekey spec holds ${credential}, which may be a credential; it is written as given into secrets/package.json (npm reads it there to fetch the package), where anyone who can read that file or the repository reads it. Give npm the credential another way (a git credential helper, an auth token in an .npmrc outside the repository) and take it out of the spec before committing\n`,
    );
});

test("refuses to write over an existing file, naming it, and writes nothing", () => {
    const dir = workdir({}, false);
    writeFileSync(join(dir, "index.ts"), "// mine\n");
    const r = rekey(dir, "init", "--stack", "dev");
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("rekey: . already has index.ts: rekey init writes nothing over an existing file\n");
    expect(readFileSync(join(dir, "index.ts"), "utf8")).toBe("// mine\n");
    expect(existsSync(join(dir, "Pulumi.yaml"))).toBe(false);
});

test.each([
    [["--stack", "my stack"], 'rekey: --stack (a string of 8 characters, not shown) is not a stack name (letters, digits, "_", "." and "-")\n'],
    [["--name", "bad/name"], 'rekey: --name "bad/name" is not a Pulumi project name: project names may only contain alphanumerics, hyphens, underscores, and periods\n'],
])("refuses bad arguments %j with exit 2", (args, message) => {
    const r = rekey(workdir({}, false), "init", ...args);
    expect([r.code, r.stderr]).toEqual([2, message]);
});

// ---- Names: what Pulumi.yaml says is the name the engine reads (yaml.v3) ----

/** The name as a YAML reader gets it, under YAML 1.1 (yes/no/on/off, sexagesimal, dates) and 1.2's core schema: yaml.v3 resolves a subset of their union. */
function namesRead(pulumiYamlText: string): unknown[] {
    return (["1.1", "1.2"] as const).map((version) => parse(pulumiYamlText, { version }).name);
}

test.each(["true", "false", "null", "yes", "off", "1", "012", "1e3", "0x1F", "0o17", ".inf", "-.inf", ".nan", "-", ".", "1_000", "2026-11-22", "1.0"])(
    "a project named %j is written as that string (yaml.v3 would read a plain scalar as another type), in Pulumi.yaml and package.json",
    (name) => {
        const dir = workdir({}, false);
        const r = rekey(dir, "init", "--name", name);
        expect([r.code, r.stderr]).toEqual([0, ""]);
        expect(namesRead(readFileSync(join(dir, "Pulumi.yaml"), "utf8"))).toEqual([name, name]);
        expect(JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).name).toBe(name);
    },
);

test("property: every name Pulumi accepts is read back from Pulumi.yaml as exactly that string", () => {
    const char = fc.constantFrom(..."ABCXYZabcxyz0123456789_.-eEoxn".split(""));
    const names = fc
        .oneof(fc.array(char, { minLength: 1, maxLength: 100 }).map((cs) => cs.join("")), fc.constantFrom("True", "NULL", "Off", "~", "0b101", "+1", "1:30"))
        .filter((n) => projectNameProblem(n) === null);
    fc.assert(fc.property(names, (name) => namesRead(pulumiYaml(name)).every((read) => read === name)), { numRuns: 2000 });
});

test.each([
    ["pulumi", '"pulumi"', "project name must not be `Pulumi` and must not start with the prefix `Pulumi.`"],
    ["Pulumi.Infra", '"Pulumi.Infra"', "project name must not be `Pulumi` and must not start with the prefix `Pulumi.`"],
    ["a".repeat(101), `"${"a".repeat(101)}"`, "project names are limited to 100 characters"],
    // What has not a name's shape is described (shown.ts nameText): it may be a pasted password.
    ["", "(an empty string, not shown)", "project names may not be empty"],
    ["my secrets", "(a string of 10 characters, not shown)", "project names may only contain alphanumerics, hyphens, underscores, and periods"],
    ["café", '"café"', "project names may only contain alphanumerics, hyphens, underscores, and periods"],
])("--name %j is refused with Pulumi's reason (pkg/workspace/templates.go ValidateProjectName), nothing written", (name, shown, reason) => {
    const dir = workdir({}, false);
    const r = rekey(dir, "init", "--name", name);
    expect([r.code, r.stderr]).toEqual([2, `rekey: --name ${shown} is not a Pulumi project name: ${reason}\n`]);
    expect(readdirSync(dir)).toEqual([]);
});

test("a directory whose name Pulumi refuses as a project name is named in the refusal; a long one is cut to 100 characters", () => {
    const dir = workdir({}, false);
    const r = rekey(dir, "init", "Pulumi.infra");
    expect([r.code, r.stderr]).toEqual([
        2,
        'rekey: the directory\'s name gives the project name "Pulumi.infra", which Pulumi refuses (project name must not be `Pulumi` and must not start with the prefix `Pulumi.`): give --name\n',
    ]);
    expect(readdirSync(dir)).toEqual([]);
    const long = "s".repeat(99) + "-x" + "y".repeat(40);
    expect(rekey(dir, "init", long).code).toBe(0);
    expect(parse(readFileSync(join(dir, long, "Pulumi.yaml"), "utf8")).name).toBe("s".repeat(99));
});

test("a stack name over 100 characters is refused (tokens.ParseStackName), nothing written", () => {
    const dir = workdir({}, false);
    const stack = "s".repeat(101);
    expect(rekey(dir, "init", "--stack", stack)).toEqual({ code: 2, stdout: "", stderr: `rekey: --stack "${stack}" is not a stack name: a stack name cannot exceed 100 characters\n` });
    expect(readdirSync(dir)).toEqual([]);
});

// ---- Where init writes: inside its directory only, over nothing, all or nothing ----

/** Every path under `dir`, symlinks not followed. */
function tree(dir: string): string[] {
    return readdirSync(dir, { recursive: true, encoding: "utf8" }).sort();
}

test("a dangling symlink where a file goes is refused, naming it; nothing is written, in the directory or where it points", () => {
    const dir = workdir({}, false);
    const outside = workdir({}, false);
    symlinkSync(join(outside, "index.ts"), join(dir, "index.ts"));
    const r = rekey(dir, "init");
    expect([r.code, r.stderr]).toEqual([2, "rekey: . already has index.ts: rekey init writes nothing over an existing file\n"]);
    expect(readdirSync(outside)).toEqual([]);
    expect(tree(dir)).toEqual(["index.ts"]);
});

test.each([
    ["a symlink to a directory outside", (outside: string) => symlinkSync(outside, ".github"), ".github is a symlink out of the directory (to OUTSIDE)"],
    ["a dangling symlink", (outside: string) => symlinkSync(join(outside, "gone"), ".github"), ".github is a symlink to a missing path"],
    ["a file", () => writeFileSync(".github", "x"), ".github is a file where rekey makes a directory"],
    ["a directory whose workflows is a file", () => (mkdirSync(".github"), writeFileSync(".github/workflows", "x")), ".github/workflows is a file where rekey makes a directory"],
    ["a directory whose workflows is a symlink outside", (outside: string) => (mkdirSync(".github"), symlinkSync(outside, ".github/workflows")), ".github/workflows is a symlink out of the directory (to OUTSIDE)"],
])("a .github that is %s is refused before anything is written", (_, make, problem) => {
    const dir = workdir({}, false);
    const outside = realpathSync(workdir({}, false));
    const before = (() => {
        const cwd = process.cwd();
        process.chdir(dir);
        try {
            make(outside);
        } finally {
            process.chdir(cwd);
        }
        return tree(dir);
    })();
    const r = rekey(dir, "init");
    expect([r.code, r.stderr]).toEqual([2, `rekey: ${problem.replace("OUTSIDE", outside)}: rekey init writes nothing\n`]);
    expect(tree(dir)).toEqual(before);
    expect(readdirSync(outside)).toEqual([]);
});

test("every problem is named in one refusal: existing files, and a file where a directory goes", () => {
    const dir = workdir({ "index.ts": "// mine\n", ".github": "x", "Pulumi.yaml": "name: mine\n" }, false);
    const r = rekey(dir, "init");
    expect([r.code, r.stderr]).toEqual([2, "rekey: . already has Pulumi.yaml, index.ts; .github is a file where rekey makes a directory: rekey init writes nothing over an existing file\n"]);
    expect(tree(dir)).toEqual([".github", "Pulumi.yaml", "index.ts"]);
});

test("a symlinked directory inside the target is followed (it stays inside)", () => {
    const dir = workdir({}, false);
    mkdirSync(join(dir, "gh"));
    symlinkSync("gh", join(dir, ".github"));
    expect(rekey(dir, "init").code).toBe(0);
    expect(readdirSync(join(dir, "gh", "workflows")).sort()).toEqual([`rekey-${projectNameOf(dir)}-due.yml`, `rekey-${projectNameOf(dir)}-plan.yml`, `rekey-${projectNameOf(dir)}-rotate.yml`]);
});

test("a target that is a file, or a dangling symlink, is refused (it crashed, or wrote elsewhere)", () => {
    const dir = workdir({ secrets: "x" }, false);
    const outside = workdir({}, false);
    symlinkSync(join(outside, "new"), join(dir, "link"));
    expect(rekey(dir, "init", "secrets")).toEqual({ code: 2, stdout: "", stderr: "rekey: secrets is a file, not a directory: rekey init writes nothing\n" });
    expect(rekey(dir, "init", "link")).toEqual({ code: 2, stdout: "", stderr: "rekey: link is a symlink to a missing path: rekey init writes nothing\n" });
    expect(tree(dir)).toEqual(["link", "secrets"]);
    expect(readdirSync(outside)).toEqual([]);
});

test("a write that fails part way (a file size limit: the plan workflow is over 4 KiB) removes what was written: nothing is left", () => {
    const dir = workdir({ "README.md": "mine\n" }, false);
    // bash's ulimit -f counts 1,024-byte blocks; SIGXFSZ is ignored by node, so write(2) fails with EFBIG.
    expect(readFileSync(join(TEMPLATES, "workflows", "rekey-plan.yml")).length).toBeGreaterThan(4096);
    const r = rekeyBuilt(dir, "ulimit -f 4 &&", ["init", "new/project"]);
    expect([r.code, r.stderr]).toEqual([2, "rekey: writing .github/workflows/rekey-project-plan.yml failed (EFBIG); removed what it had written, new/project is as it was\n"]);
    expect(tree(dir)).toEqual(["README.md"]);
    const inPlace = rekeyBuilt(dir, "ulimit -f 4 &&", ["init"]);
    expect(inPlace.code).toBe(2);
    expect(tree(dir)).toEqual(["README.md"]);
});

test("a directory init cannot write in is refused before anything is written", () => {
    const dir = workdir({}, false);
    mkdirSync(join(dir, ".github", "workflows"), { recursive: true });
    chmodSync(join(dir, ".github", "workflows"), 0o555);
    // As root every directory is writable: the check is run as nobody (65534), who owns the rest.
    const asNobody = isRoot;
    if (asNobody) for (const p of [dir, join(dir, ".github"), join(dir, ".github", "workflows")]) chownSync(p, 65534, 65534);
    const r = asNobody ? rekeyBuilt(dir, "", ["init"], 65534) : rekey(dir, "init");
    expect([r.code, r.stderr]).toEqual([2, "rekey: .github/workflows is not writable: rekey init writes nothing\n"]);
    expect(tree(dir)).toEqual([".github", ".github/workflows"]);
});

// ---- The commands it prints ----

test.each(["my secrets", "it's", "$HOME `id` \"x\"", "-dash", "new\nline", "semi;colon && pipe|x"])("the printed cd takes a POSIX shell into %j", (name) => {
    const dir = realpathSync(workdir({}, false));
    const r = rekey(dir, "init", "--", name);
    expect(r.code).toBe(0);
    const cd = r.stdout.slice(r.stdout.indexOf("next:\n  ") + "next:\n  ".length, r.stdout.indexOf("\n  npm install"));
    expect(cd.startsWith("cd ")).toBe(true);
    const pwd = execFileSync("sh", ["-c", `${cd} && pwd -P`], { cwd: dir, encoding: "utf8", env: { PATH: process.env.PATH, HOME: "/nonexistent" } });
    expect(pwd).toBe(join(dir, name) + "\n");
});

test("with -C, the printed cd is relative to the shell's directory, not -C's", () => {
    const dir = realpathSync(workdir({}, false));
    mkdirSync(join(dir, "infra"));
    const r = rekey(dir, "-C", "infra", "init", "secrets");
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, "infra", "secrets", "Pulumi.yaml"))).toBe(true);
    expect(r.stdout).toContain("next:\n  cd infra/secrets\n");
});

test("a stack named with a leading - is passed after -- (pulumi's flags end there)", () => {
    const dir = workdir({}, false);
    const r = rekey(dir, "init", "--stack=-x");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("  pulumi stack init -- -x        # or pulumi stack select -- -x\n");
    expect(existsSync(join(dir, "Pulumi.-x.yaml"))).toBe(true);
});
