// `rekey init`: the scaffold a user's set-up starts from. Its stack passes the engine's stack
// config check and rekey's own validation; its workflows are the ones this repository runs;
// it writes nothing over an existing file. (test/package/pack.test.ts compiles it against the
// installed package.)
import { existsSync, readFileSync, writeFileSync } from "fs";
import { join } from "path";
import { parse } from "yaml";
import { parseStackFile, planOf } from "../../cli/stackFile";
import { rekey, removeWorkdirs, workdir } from "../harness/cli";
import { engineConfigErrors, mergedConfig, parseProjectFile } from "../harness/pulumiProjectConfig";
import { ROOT } from "../harness/stackFile";

afterAll(removeWorkdirs);
const FILES = ["Pulumi.yaml", "package.json", "tsconfig.json", "index.ts", "Pulumi.prod.yaml", ".gitignore", ".github/workflows/rekey-plan.yml", ".github/workflows/rekey-due.yml"];

test("writes the project, names it after its directory, and says what to run next", () => {
    const dir = workdir({}, false);
    const r = rekey(dir, "init", "platform secrets", "--stack", "prod");
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(r.stdout).toContain("next:\n  cd platform secrets\n  npm install\n  pulumi stack init prod");
    const at = join(dir, "platform secrets");
    for (const f of FILES) expect(existsSync(join(at, f))).toBe(true);
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

test("its workflows are the ones this repository runs", () => {
    const dir = workdir({}, false);
    expect(rekey(dir, "init").code).toBe(0);
    for (const w of ["rekey-plan.yml", "rekey-due.yml"]) {
        expect(readFileSync(join(dir, ".github", "workflows", w), "utf8")).toBe(readFileSync(join(ROOT, ".github", "workflows", w), "utf8"));
    }
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
    [["--stack", "my stack"], 'rekey: --stack "my stack" is not a stack name (letters, digits, "_", "." and "-")\n'],
    [["--name", "bad/name"], 'rekey: --name "bad/name" is not a Pulumi project name (1-100 letters, digits, "_", "." and "-")\n'],
])("refuses bad arguments %j with exit 2", (args, message) => {
    const r = rekey(workdir({}, false), "init", ...args);
    expect([r.code, r.stderr]).toEqual([2, message]);
});
