// The project a command works in, found as the Pulumi CLI finds it (cli/project.ts): the
// nearest Pulumi.yaml at or above the directory (pulumi/pulumi sdk/go/common/workspace/paths.go
// DetectProjectPathFrom), its stackConfigDir (ProjectStackPath), its name as the namespace of
// keys written without one (workspace/loaders.go stackConfigNamespacedWithProject), and
// --stack org/project/stack (pkg/backend/backend.go CurrentProjectContradictsWorkspace).
import { spawnSync } from "child_process";
import { existsSync, symlinkSync, unlinkSync } from "fs";
import { join } from "path";
import { RekeyConfigError, planRotation } from "../../components/plan/plan";
import { rawConfigOf } from "../../components/plan/rawConfig";
import { fixture, git, read, rekey, removeWorkdirs, workdir, write } from "../harness/cli";
import { MockEngine } from "../harness/mockEngine";
import { ROOT, loadStackText } from "../harness/stackFile";

const SHOP = "Pulumi.shop.yaml";
afterAll(removeWorkdirs);

const secretNames = (stdout: string) => (JSON.parse(stdout).secrets as { name: string }[]).map((s) => s.name);
const SHOP_SECRETS = ["SESSION_SECRET", "CACHE_PASSWORD", "CACHE_URL", "DB_PASSWORD", "STRIPE_API_KEY", "MAIL_API_KEY", "WEBHOOK_KEY"];

/** The shop fixture with WEBHOOK_KEY's entry moved out of rekey:secrets to a config key of its own (dedented), as a slip of the editor leaves it. */
function dedented(): string {
    const line = fixture(SHOP).split("\n").find((l) => l.startsWith("    WEBHOOK_KEY: "))!;
    return fixture(SHOP).replace(`${line}\n`, "") + `${line.slice(2)}\n`;
}

describe("the project is found as the Pulumi CLI finds it", () => {
    test("from a subdirectory of the project: the nearest Pulumi.yaml upward, its stack files, and its base in git", () => {
        const repo = workdir({ "infra/Pulumi.yaml": "name: rekey\nruntime: nodejs\n", [`infra/${SHOP}`]: fixture(SHOP), "infra/src/deep/.keep": "" });
        const deep = join(repo, "infra", "src", "deep");
        const status = rekey(deep, "status", "--stack", "shop", "--json");
        expect(status).toMatchObject({ code: 0, stderr: "" });
        expect(secretNames(status.stdout)).toEqual(SHOP_SECRETS);
        expect(rekey(deep, "bump", "SESSION_SECRET", "--stack", "shop", "--date", "2026-11-20")).toMatchObject({ code: 0 });
        expect(read(repo, `infra/${SHOP}`)).toContain("      epoch: 4\n");
        expect(existsSync(join(deep, SHOP))).toBe(false);
        // The base is the committed infra/Pulumi.shop.yaml: the bump is a rotation, not a new stack.
        const plan = JSON.parse(rekey(deep, "plan", "--stack", "shop", "--json").stdout);
        expect(plan.newStack).toBe(false);
        expect(plan.secrets.rotated.map((r: { name: string; from: number; to: number }) => [r.name, r.from, r.to])).toEqual([["SESSION_SECRET", 3, 4]]);
    });

    test("the rekey executable itself, run in a subdirectory, reads the project's stack file", () => {
        const repo = workdir({ "Pulumi.yaml": "name: rekey\nruntime: nodejs\n", [SHOP]: fixture(SHOP), "app/.keep": "" });
        const r = spawnSync(process.execPath, [join(ROOT, "bin", "rekey.js"), "status", "--stack", "shop", "--json"], { cwd: join(repo, "app"), encoding: "utf8" });
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);
        expect(secretNames(r.stdout)).toEqual(SHOP_SECRETS);
    });

    test("through a symlinked path the base is still the committed file (git's top level is the resolved path)", () => {
        const repo = workdir({ "infra/Pulumi.yaml": "name: rekey\nruntime: nodejs\n", [`infra/${SHOP}`]: fixture(SHOP) });
        const link = join(repo + "-link");
        symlinkSync(repo, link);
        try {
            expect(rekey(join(link, "infra"), "bump", "SESSION_SECRET", "--stack", "shop", "--date", "2026-11-20").code).toBe(0);
            const plan = JSON.parse(rekey(join(link, "infra"), "plan", "--stack", "shop", "--json").stdout);
            expect(plan.newStack).toBe(false);
            expect(plan.secrets.rotated.map((r: { name: string }) => r.name)).toEqual(["SESSION_SECRET"]);
        } finally {
            unlinkSync(link);
        }
    });

    test.each([
        ["stackConfigDir: stacks", "stacks"],
        ["stackConfigDir: ./config/stacks", "config/stacks"],
        ["config: stacks  # the old spelling of stackConfigDir", "stacks"],
    ])("%s: stack files are read, listed, written and compared with git there", (setting, at) => {
        const repo = workdir({
            "proj/Pulumi.yaml": `name: rekey\nruntime: nodejs\n${setting}\n`,
            [`proj/${at}/${SHOP}`]: fixture(SHOP),
            [`proj/${at}/Pulumi.dev.yaml`]: "config: {}\n",
            // A stray stack file beside Pulumi.yaml is not the project's (Pulumi reads only stackConfigDir).
            [`proj/Pulumi.stray.yaml`]: "config: {}\n",
        });
        const proj = join(repo, "proj");
        const all = rekey(proj, "status", "--all-stacks", "--json");
        expect(all.code).toBe(0);
        expect(JSON.parse(all.stdout).stacks.map((s: { stack: string }) => s.stack)).toEqual(["dev", "shop"]);
        expect(rekey(proj, "bump", "SESSION_SECRET", "--stack", "shop", "--date", "2026-11-20").code).toBe(0);
        expect(read(repo, `proj/${at}/${SHOP}`)).not.toBe(fixture(SHOP));
        // The PR workflow's listing: the stack whose file changed from the committed base.
        const listed = rekey(join(proj, at), "plan", "--all-stacks", "--json");
        expect(listed.code).toBe(0);
        expect(JSON.parse(listed.stdout).stacks.map((s: { stack: string }) => s.stack)).toEqual(["shop"]);
        // rollback reads the epoch's history in git from that directory too.
        git(repo, "commit", "-q", "-am", "rotate SESSION_SECRET");
        const back = rekey(proj, "rollback", "SESSION_SECRET", "--stack", "shop");
        expect(back.code).toBe(0);
        expect(back.stderr).toMatch(/^rekey: rotatedAt 2026-08-01 is epoch 3's, from commit [0-9a-f]{7}\n$/);
        expect(read(repo, `proj/${at}/${SHOP}`)).toBe(fixture(SHOP));
        const missing = rekey(proj, "status", "--stack", "stray");
        expect(missing.code).toBe(2);
        expect(missing.stderr).toContain(`${join(proj, at, "Pulumi.stray.yaml")}: no such file (the stacks here: dev, shop)`);
    });

    test("a Pulumi.yml project keeps Pulumi.<stack>.yml stack files", () => {
        const dir = workdir({ "Pulumi.yml": "name: rekey\nruntime: nodejs\n", "Pulumi.shop.yml": fixture(SHOP), [SHOP]: "config: {}\n" });
        expect(secretNames(rekey(dir, "status", "--stack", "shop", "--json").stdout)).toEqual(SHOP_SECRETS);
        expect(JSON.parse(rekey(dir, "status", "--all-stacks", "--json").stdout).stacks.map((s: { stack: string }) => s.stack)).toEqual(["shop"]);
    });

    test("-C names the directory to start from; --base-file and --out are relative to it", () => {
        const repo = workdir({ "svc/Pulumi.yaml": "name: rekey\nruntime: nodejs\n", [`svc/${SHOP}`]: fixture(SHOP), "svc/ops/base.yaml": fixture(SHOP) });
        const r = rekey(repo, "-C", "svc/ops", "plan", "--stack", "shop", "--base-file", "base.yaml", "--json");
        expect(r.code).toBe(0);
        expect(JSON.parse(r.stdout).base).toBe("base.yaml");
        expect(rekey(repo, "-C", "svc/ops", "import", "--stack", "shop", "--out", "import.json").code).toBe(0);
        expect(JSON.parse(read(repo, "svc/ops/import.json")).resources.length).toBeGreaterThan(0);
    });

    test("-C a directory that does not exist is refused, not searched from its parent", () => {
        const dir = workdir({ [SHOP]: fixture(SHOP) });
        expect(rekey(dir, "-C", "nowhere", "status", "--stack", "shop")).toEqual({ code: 2, stdout: "", stderr: `rekey: cannot work in ${join(dir, "nowhere")}: no such directory\n` });
        expect(rekey(dir, "-C", SHOP, "status", "--stack", "shop")).toEqual({ code: 2, stdout: "", stderr: `rekey: cannot work in ${join(dir, SHOP)}: it is a file, not a directory (-C takes the project's directory)\n` });
    });

    test("no Pulumi.yaml at or above the directory: refused, as pulumi refuses it", () => {
        const dir = workdir({ "stacks/Pulumi.shop.yaml": fixture(SHOP) }, false);
        const r = rekey(join(dir, "stacks"), "status", "--stack", "shop");
        expect(r).toEqual({
            code: 2,
            stdout: "",
            stderr: `rekey: no Pulumi.yaml project file found (searching upwards from ${join(dir, "stacks")}): run rekey in the Pulumi project's directory (or below it), or give it with -C <dir>\n`,
        });
    });

    test("a Pulumi.json project (found first, as pulumi tries .json first) is refused: its stack files are JSON", () => {
        const dir = workdir({ "Pulumi.json": '{"name": "rekey", "runtime": "nodejs"}', "Pulumi.yaml": "name: rekey\nruntime: nodejs\n", [SHOP]: fixture(SHOP) });
        const r = rekey(dir, "status", "--stack", "shop");
        expect(r.code).toBe(2);
        expect(r.stderr).toBe(`rekey: ${join(dir, "Pulumi.json")}: this project keeps its stack files as JSON (Pulumi.<stack>.json); rekey reads and edits YAML stack files only\n`);
    });

    test("a Pulumi.yaml without a name, or with both config: <dir> and stackConfigDir, is refused by name", () => {
        const noName = workdir({ "Pulumi.yaml": "runtime: nodejs\n", [SHOP]: fixture(SHOP) });
        expect(rekey(noName, "status", "--stack", "shop").stderr).toBe(`rekey: ${join(noName, "Pulumi.yaml")}: name must be the project's name (letters, digits, "_", "." and "-")\n`);
        const both = workdir({ "Pulumi.yaml": "name: rekey\nconfig: a\nstackConfigDir: b\n", [SHOP]: fixture(SHOP) });
        expect(rekey(both, "status", "--stack", "shop").stderr).toBe(`rekey: ${join(both, "Pulumi.yaml")}: config (a directory) and stackConfigDir both set: use only stackConfigDir\n`);
    });
});

describe("a key without a namespace is the project's", () => {
    test("in the project rekey, a secret dedented out of rekey:secrets is rekey:WEBHOOK_KEY, refused by name as the program refuses it", async () => {
        const text = dedented();
        expect(text).toMatch(/\n {2}WEBHOOK_KEY: \{ epoch: 1, /);
        const dir = workdir({ [SHOP]: text });
        // The program's refusal: the engine hands it rekey:WEBHOOK_KEY, an unknown key (planRotation).
        let programMessage = "";
        try {
            planRotation(rawConfigOf({ "rekey:secrets": {}, "rekey:WEBHOOK_KEY": {} }, { suppliedNames: [], hostKeyNames: [] }));
        } catch (e) {
            if (!(e instanceof RekeyConfigError)) throw e;
            programMessage = e.message;
        }
        const unknown = programMessage.split("\n").find((l) => l.includes("rekey:WEBHOOK_KEY"))!;
        expect(unknown).toContain("unknown configuration key");
        // The program itself, given the file as the engine reads it, refuses with that line and registers nothing.
        const engine = new MockEngine("rekey", "shop");
        await expect(engine.run(loadStackText(text).config)).rejects.toThrow(unknown);
        expect(engine.registered()).toEqual([]);
        for (const args of [["status", "--stack", "shop"], ["due", "--stack", "shop"], ["plan", "--stack", "shop"], ["status", "--all-stacks"]]) {
            const r = rekey(dir, ...args);
            expect([args, r.code]).toEqual([args, 2]);
            expect(r.stderr).toContain(unknown);
            expect(r.stdout).not.toContain("removed");
        }
    });

    test("in the project rekey, a bare secrets: is rekey:secrets: read, bumped in place, and refused beside rekey:secrets", () => {
        const bare = fixture(SHOP).replace(/^ {2}rekey:(defaults|consumers|secrets):/gm, "  $1:");
        expect(bare).toMatch(/^ {2}secrets:$/m);
        const dir = workdir({ [SHOP]: bare });
        expect(secretNames(rekey(dir, "status", "--stack", "shop", "--json").stdout)).toEqual(SHOP_SECRETS);
        expect(rekey(dir, "bump", "SESSION_SECRET", "--stack", "shop", "--date", "2026-11-20").code).toBe(0);
        expect(read(dir, SHOP)).toBe(bare.replace("      epoch: 3\n      rotatedAt: \"2026-08-01\"", "      epoch: 4\n      rotatedAt: \"2026-11-20\""));
        write(dir, SHOP, bare + "  rekey:secrets: {}\n");
        const both = rekey(dir, "status", "--stack", "shop");
        expect(both.code).toBe(2);
        expect(both.stderr).toContain("Pulumi.shop.yaml: secrets and rekey:secrets are both rekey:secrets (in the project rekey, a key without a namespace is the project's)");
    });

    test("in another project (shop), bare keys are shop:* and ignored; rekey:* keys are read as before", () => {
        const dir = workdir({ "Pulumi.yaml": "name: shop\nruntime: nodejs\n", [SHOP]: dedented() + "  greeting: hello\n" });
        const r = rekey(dir, "status", "--stack", "shop", "--json");
        expect(r).toMatchObject({ code: 0, stderr: "" });
        expect(secretNames(r.stdout)).toEqual(SHOP_SECRETS.filter((n) => n !== "WEBHOOK_KEY"));
        // A bare secrets: there is shop:secrets, not rekey's: the file has no rekey:* keys.
        write(dir, "Pulumi.other.yaml", "config:\n  secrets:\n    X: { epoch: 1 }\n");
        expect(rekey(dir, "status", "--stack", "other")).toMatchObject({ code: 0, stderr: "rekey: Pulumi.other.yaml has no rekey:* keys: no secrets to rotate\n" });
    });
});

describe("--stack org/project/stack", () => {
    const shopProject = () => workdir({ "Pulumi.yaml": "name: shop\nruntime: nodejs\n", "Pulumi.prod.yaml": fixture(SHOP) });

    test.each([["prod"], ["acme/prod"], ["acme/shop/prod"], ["organization/shop/prod"]])("%s reads and writes Pulumi.prod.yaml", (ref) => {
        const dir = shopProject();
        expect(secretNames(rekey(dir, "status", "--stack", ref, "--json").stdout)).toEqual(SHOP_SECRETS);
        const b = rekey(dir, "bump", "SESSION_SECRET", "--stack", ref, "--date", "2026-11-20");
        expect(b.code).toBe(0);
        expect(b.stdout).toContain("rekey plan --stack prod shows the whole rotation");
        expect(read(dir, "Pulumi.prod.yaml")).toContain("      epoch: 4\n");
        expect(JSON.parse(rekey(dir, "plan", "--stack", ref, "--json").stdout).stack).toBe("prod");
    });

    test("another project's stack is refused with why, and nothing is read or written", () => {
        const dir = shopProject();
        const before = read(dir, "Pulumi.prod.yaml");
        for (const cmd of [["status"], ["bump", "SESSION_SECRET"], ["plan"], ["import"]]) {
            const r = rekey(dir, ...cmd, "--stack", "acme/billing/prod");
            expect(r).toEqual({
                code: 2,
                stdout: "",
                stderr: `rekey: --stack "acme/billing/prod" names project "billing", but the project here is "shop" (${join(dir, "Pulumi.yaml")}); Pulumi refuses a stack of another project too. Run rekey in that project's directory (or -C <dir>)\n`,
            });
        }
        expect(read(dir, "Pulumi.prod.yaml")).toBe(before);
    });

    test.each([["a/b/c/prod"], ["acme//prod"], ["../shop/prod"], ["acme/shop/"]])("%s is not a stack name", (ref) => {
        expect(rekey(shopProject(), "status", "--stack", ref).stderr).toBe(`rekey: --stack "${ref}" is not a stack name (letters, digits, "_", "." and "-")\n`);
    });
});

describe("config rekey never reads (pulumi/pulumi pkg/workspace/config.go mergeConfig) is refused by name", () => {
    test.each([
        ["rekey:secrets with a value", "name: shop\nruntime: nodejs\nconfig:\n  rekey:secrets:\n    value:\n      EXTRA: { epoch: 1, stores: [ { ssm: {} } ] }\n", "config.rekey:secrets gives rekey:secrets a value"],
        ["rekey:supplied with a default", "name: shop\nruntime: nodejs\nconfig:\n  rekey:supplied:\n    type: object\n    default: {}\n", "config.rekey:supplied gives rekey:supplied a default"],
        ["rekey:hostKeys as a plain value (project.go RewriteShorthandConfigValues: a value)", "name: shop\nruntime: nodejs\nconfig:\n  rekey:hostKeys: x\n", "config.rekey:hostKeys gives rekey:hostKeys a value"],
        ["a bare key in the project named rekey (the project's namespace)", "name: rekey\nruntime: nodejs\nconfig:\n  consumers:\n    default:\n      api: { restart: { command: x } }\n", "config.consumers gives rekey:consumers a default"],
        ["rekey:hostKeys with an empty default (a plaintext section the program refuses)", "name: shop\nruntime: nodejs\nconfig:\n  rekey:hostKeys:\n    default: {}\n", "config.rekey:hostKeys gives rekey:hostKeys a default"],
    ])("a Pulumi.yaml giving %s", (_, project, says) => {
        const dir = workdir({ "Pulumi.yaml": project, [SHOP]: fixture(SHOP) });
        for (const args of [["status", "--stack", "shop", "--json"], ["bump", "SESSION_SECRET", "--stack", "shop"]]) {
            const r = rekey(dir, ...args);
            expect(r.code).toBe(2);
            expect(r.stderr).toBe(
                `rekey: ${join(dir, "Pulumi.yaml")}: ${says}, which pulumi up uses where the stack file lacks it (pulumi/pulumi pkg/workspace/config.go mergeConfig): rekey reads the inventory from the stack file only; move it there\n`,
            );
        }
        expect(read(dir, SHOP)).toBe(fixture(SHOP));
    });

    // Found by a third review: this repository's own Pulumi.yaml gives consumers, hosts and
    // defaults `default: {}` (so that only secrets is required in every stack), and every rekey
    // command run in it was refused. An empty map deploys what a missing key does.
    test("an empty map default gives nothing rekey does not show: accepted, as in this repository's own Pulumi.yaml", () => {
        const project = "name: rekey\nruntime: nodejs\nconfig:\n  secrets:\n    default: {}\n  consumers:\n    default: {}\n  rekey:hosts:\n    value: {}\n  defaults: {}\n";
        const dir = workdir({ "Pulumi.yaml": project, [SHOP]: fixture(SHOP) });
        expect(rekey(dir, "status", "--stack", "shop", "--json").code).toBe(0);
        const own = rekey(ROOT, "status", "--all-stacks", "--json");
        expect([own.code, own.stderr]).toEqual([0, ""]);
        expect(JSON.parse(own.stdout).stacks.map((s: { stack: string }) => s.stack).sort()).toEqual(["local", "production", "staging"]);
    });

    // Found by a second review: yaml.v3 applies a merge key (go-yaml v3 decode.go merge), js-yaml keeps "<<" as a key.
    test.each([
        ["in config", 'name: shop\nruntime: nodejs\nconfig:\n  <<: {"rekey:secrets": {value: {B: {epoch: 1}}}}\n', "in config"],
        ["in the top map", 'name: shop\nruntime: nodejs\n<<: {config: {"rekey:consumers": {value: {x: {restart: echo}}}}}\n', "in its top map"],
    ])("a Pulumi.yaml with a merge key %s is refused by name", (_, project, where) => {
        const r = rekey(workdir({ "Pulumi.yaml": project, [SHOP]: fixture(SHOP) }), "status", "--stack", "shop");
        expect(r.code).toBe(2);
        expect(r.stderr).toContain(`a merge key (<<) ${where}, which Pulumi applies and rekey does not read: write the keys out`);
    });

    test("declarations without a value, another namespace's values, and a bare key in a project not named rekey are read (control)", () => {
        const project = "name: shop\nruntime: nodejs\nconfig:\n  rekey:secrets:\n    type: object\n    description: the inventory\n  aws:region: eu-west-1\n  secrets:\n    default: {}\n";
        expect(rekey(workdir({ "Pulumi.yaml": project, [SHOP]: fixture(SHOP) }), "status", "--stack", "shop").code).toBe(0);
    });

    test("a stack file naming ESC environments (merged into its config by mergeConfig; ProjectStack.Environment) is refused; an empty list is read (control)", () => {
        for (const env of ["environment:\n  - shop-secrets\n", "environment:\n  imports:\n    - shop-secrets\n"]) {
            const dir = workdir({ [SHOP]: env + fixture(SHOP) });
            expect(rekey(dir, "status", "--stack", "shop")).toEqual({
                code: 2,
                stdout: "",
                stderr:
                    "rekey: Pulumi.shop.yaml: environment names Pulumi ESC environments, whose pulumiConfig pulumi up merges into this stack's config (pulumi/pulumi pkg/workspace/config.go mergeConfig); rekey cannot see what they add to rekey:* keys, so it would show another inventory than pulumi up deploys: keep this stack's rekey:* keys in a stack without environment\n",
            });
        }
        expect(rekey(workdir({ [SHOP]: "environment: []\n" + fixture(SHOP) }), "status", "--stack", "shop").code).toBe(0);
    });
});
