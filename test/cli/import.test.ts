// `rekey import`: the import file names every store resource that can exist before rekey
// (SSM parameters, Key Vault secrets, Kubernetes Secrets holding a current value) exactly as
// the program registers it: the URN that `pulumi import` computes for each entry (the parent
// entry's qualified type, the type and the logical name: pkg/cmd/pulumi/operations/import.go
// parseImportFile) is the URN of that resource in a mock run of the same stack, one to one,
// and so are its parent's and its provider's. The stores of `_PREVIOUS` and `_USER` values
// (rekey's own) are not in it: the note names them as what the first pulumi up creates. An
// id the configuration cannot complete (a Key Vault without its subscription id) is exit 2.
import { importFile } from "../../components/plan/importFile";
import { rawConfig } from "../harness/rawConfig";
import { planRotation } from "../../components/plan/plan";
import { MockEngine } from "../harness/mockEngine";
import { generateUrn } from "../harness/urns";
import { loadStackFile } from "../harness/stackFile";
import { parseStackFile, planOf } from "../../cli/stackFile";
import { execFileSync } from "child_process";
import { chmodSync, existsSync, linkSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, realpathSync, statSync, symlinkSync, writeFileSync } from "fs";
import { join } from "path";
import { ROOT } from "../harness/stackFile";
import { rekey, removeWorkdirs, workdir } from "../harness/cli";

afterAll(removeWorkdirs);
const STORE_TYPES = ["aws:ssm/parameter:Parameter", "azure-native:keyvault:Secret", "kubernetes:core/v1:Secret"];
const SUBSCRIPTION = "00000000-1111-2222-3333-444444444444";

/** A sample stack file, its Key Vault defaults given the subscription id that import ids need. */
function sampleStack(stack: string): string {
    const text = readFileSync(join(ROOT, `Pulumi.${stack}.yaml`), "utf8");
    const withId = text.replace(/(\n    keyVault: \{ [^}\n]*?) \}/, `$1, subscriptionId: ${SUBSCRIPTION} }`);
    if (text.includes("keyVault:")) expect(withId).not.toBe(text);
    return withId;
}

/** The URN of each entry as `pulumi import` computes it. */
function importUrns(file: ReturnType<typeof importFile>["file"], stack: string, project: string): Map<string, string> {
    const ctx = { stack, project };
    const urns = new Map<string, string>();
    const urnOf = (name: string): string => {
        if (urns.has(name)) return urns.get(name)!;
        const spec = file.resources.find((r) => r.name === name)!;
        const urn = generateUrn(ctx, spec.parent ? urnOf(spec.parent) : undefined, spec.type, spec.logicalName);
        urns.set(name, urn);
        return urn;
    };
    for (const r of file.resources) urnOf(r.name);
    return urns;
}

// A team's own project name (the stack's config keys stay rekey:*, the URNs carry the
// project); staging keeps `rekey`, the standalone program's project.
describe.each([
    ["production", "acme-secrets"],
    ["staging", "rekey"],
])("the %s stack of project %s", (stack, project) => {
    test("every store resource of a mock run that holds a current value, with its parent and provider, and nothing else; the others are what the first up creates", async () => {
        const loaded = loadStackFile(stack);
        const run = await new MockEngine(project, stack).run(loaded.config, undefined, loaded.secretKeys);
        const byKey = new Map([...run.resources].map(([k, r]) => [k, r]));
        const plan = planOf(parseStackFile(sampleStack(stack), `Pulumi.${stack}.yaml`, project));
        // The SSM parameters and Key Vault secrets of previous values and Postgres users: rekey's own.
        const notCurrent = new Set(plan.secrets.flatMap((s) => s.stores.filter((st) => st.kind !== "kubernetes").flatMap((st) => st.writes.filter((w) => w.variant !== "current").map((w) => w.target))));
        expect(notCurrent.size).toBeGreaterThan(0);
        const stores = [...run.resources.values()].filter((r) => STORE_TYPES.includes(r.type));
        const own = stores.filter((r) => notCurrent.has(r.inputs.name ?? r.inputs.secretName));
        expect(own.length).toBe(notCurrent.size);
        const fromRun = stores
            .filter((r) => !own.includes(r))
            .map((r) => ({ urn: r.urn, parent: byKey.get(r.parent!)!.urn, provider: r.provider ?? null }))
            .sort((a, b) => (a.urn < b.urn ? -1 : 1));
        expect(fromRun.length).toBeGreaterThan(3);

        const { file, creates, missing } = importFile(plan, { rotation: "rekey", providerVersions: {} });
        expect(missing).toEqual([]);
        for (const target of notCurrent) expect(creates.filter((c) => c.includes(` ${target} (`) || c.includes(`/${target} (`))).toHaveLength(1);
        const urns = importUrns(file, stack, project);
        const fromFile = file.resources
            .filter((r) => r.id !== undefined)
            .map((r) => ({ urn: urns.get(r.name)!, parent: urns.get(r.parent!)!, provider: r.provider ? file.resources.find((p) => p.name === r.provider)!.logicalName : null }))
            .sort((a, b) => (a.urn < b.urn ? -1 : 1));
        expect(fromFile).toEqual(fromRun);
        // The components and providers the file declares are the run's too.
        for (const r of file.resources.filter((x) => x.id === undefined)) {
            expect([...run.resources.values()].some((x) => x.urn === urns.get(r.name))).toBe(true);
        }
    });

    test("each provider the file declares has exactly the inputs the program's SDK sends (so the first pulumi up does not update it)", async () => {
        // The provider SDKs send some inputs the program never sets (@pulumi/aws provider.js:
        // skipCredentialsValidation, skipRegionValidation; @pulumi/kubernetes provider.js:
        // kubeconfig from KUBECONFIG) and JSON-encode the non-string ones.
        const saved = process.env.KUBECONFIG;
        delete process.env.KUBECONFIG;
        try {
            const loaded = loadStackFile(stack);
            const run = await new MockEngine(project, stack).run(loaded.config, undefined, loaded.secretKeys);
            const fromRun = Object.fromEntries([...run.resources.values()].filter((r) => r.type.startsWith("pulumi:providers:")).map((r) => [r.name, r.inputs]));
            const plan = planOf(parseStackFile(sampleStack(stack), `Pulumi.${stack}.yaml`, project));
            const { file } = importFile(plan, { rotation: "rekey", providerVersions: {} });
            const fromFile = Object.fromEntries(file.resources.filter((r) => r.type.startsWith("pulumi:providers:")).map((r) => [r.logicalName, r.inputs]));
            expect(Object.keys(fromFile).length).toBeGreaterThan(0);
            expect(fromFile).toEqual(fromRun);
        } finally {
            if (saved !== undefined) process.env.KUBECONFIG = saved;
        }
    });
});

test("the Kubernetes provider's kubeconfig: the configured one, else KUBECONFIG as the SDK reads it", async () => {
    const config = { "rekey:secrets": { K: { epoch: 0, generate: { encoding: "hex", bytes: 16 }, stores: [{ kubernetes: { secret: "app" } }] } } };
    const saved = process.env.KUBECONFIG;
    process.env.KUBECONFIG = "/home/ops/.kube/prod";
    try {
        const run = await new MockEngine().run(config);
        const sent = [...run.resources.values()].find((r) => r.type === "pulumi:providers:kubernetes")!.inputs;
        const { file } = importFile(planRotation(rawConfig(config)), { rotation: "rekey", providerVersions: {}, kubeconfigFromEnv: process.env.KUBECONFIG });
        expect(file.resources.find((r) => r.type === "pulumi:providers:kubernetes")!.inputs).toEqual(sent);
        expect(sent.kubeconfig).toBe("/home/ops/.kube/prod");
    } finally {
        if (saved === undefined) delete process.env.KUBECONFIG;
        else process.env.KUBECONFIG = saved;
    }
});

test("import ids: an SSM parameter's name, a Kubernetes Secret's namespace/name, a Key Vault secret's ARM id; previous and user values are what the first up creates", () => {
    const secrets = {
        A: { epoch: 0, generate: { encoding: "hex", bytes: 16 }, keepPrevious: true, stores: [{ ssm: { name: "/app/A" } }, { kubernetes: { secret: "app", namespace: "prod" } }, { keyVault: { vault: "kv-app", resourceGroup: "rg-app" } }] },
        DB: { epoch: 0, generate: { encoding: "hex", bytes: 16 }, apply: { postgres: { host: "db", roles: ["app", "app_next"] } }, stores: [{ ssm: { prefix: "/app/" } }] },
    };
    const r = importFile(planRotation(rawConfig({ "rekey:secrets": secrets, "rekey:defaults": { keyVault: { subscriptionId: SUBSCRIPTION } } })), { rotation: "rekey", providerVersions: {} });
    expect(r.file.resources.filter((x) => x.id).map((x) => [x.type, x.id])).toEqual([
        ["aws:ssm/parameter:Parameter", "/app/A"],
        ["aws:ssm/parameter:Parameter", "/app/DB"],
        ["azure-native:keyvault:Secret", `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-app/providers/Microsoft.KeyVault/vaults/kv-app/secrets/a`],
        ["kubernetes:core/v1:Secret", "prod/app"],
    ]);
    expect(r.creates).toEqual([
        "SSM parameter /app/A_PREVIOUS (previous value of A)",
        "SSM parameter /app/DB_USER (user value of DB)",
        "Key Vault secret kv-app/a-previous (previous value of A)",
        "key A_PREVIOUS of Kubernetes Secret prod/app (previous value of A)",
    ]);
    expect(r.missing).toEqual([]);
});

test("a Key Vault without its subscription id: exit 2 naming the configuration that supplies it, once per vault, and no file", () => {
    const kv = (vault: string) => ({ keyVault: { vault, resourceGroup: "rg-app" } });
    const stack = [
        "config:",
        "  rekey:secrets:",
        `    A: ${JSON.stringify({ epoch: 0, generate: { encoding: "hex", bytes: 16 }, keepPrevious: true, stores: [kv("kv-app"), { ssm: {} }] })}`,
        `    B: ${JSON.stringify({ epoch: 0, generate: { encoding: "hex", bytes: 16 }, stores: [kv("kv-app")] })}`,
        `    C: ${JSON.stringify({ epoch: 0, generate: { encoding: "hex", bytes: 16 }, stores: [{ keyVault: { ...kv("kv-other").keyVault, subscriptionId: SUBSCRIPTION } }] })}`,
        "",
    ].join("\n");
    const dir = workdir({ "Pulumi.production.yaml": stack }, false);
    for (const out of [[], ["--out", "import.json"]]) {
        const r = rekey(dir, "import", "--stack", "production", ...out);
        expect([r.code, r.stdout, r.stderr]).toEqual([
            2,
            "",
            "rekey: cannot write the import file: Key Vault kv-app (secret A, B): a Key Vault secret's import id needs the vault's subscription id; set rekey:defaults.keyVault.subscriptionId (pulumi config set --path 'rekey:defaults.keyVault.subscriptionId' ID), or subscriptionId on the store\n",
        ]);
    }
    expect(existsSync(join(dir, "import.json"))).toBe(false);
});

test("rekey import --out writes the file and says how to use it, and what the first pulumi up creates", () => {
    const dir = workdir({ "Pulumi.production.yaml": sampleStack("production") }, false);
    const r = rekey(dir, "import", "--stack", "production", "--out", "import.json");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    const notes = r.stderr.split("\n");
    expect(notes[0]).toMatch(/^rekey: \d+ store resources to import written to .*import\.json; then: pulumi import --file .*import\.json --stack production$/);
    expect(notes[1]).toBe("rekey: each entry must exist already (pulumi import fails on one that does not): remove the entry of a store that is new, and the first pulumi up creates it");
    expect(notes[2]).toMatch(/^rekey: not in the file, created by the first pulumi up \(rekey writes them; they do not exist before it\): SSM parameter \/musehub\/production\/[A-Z_]+_PREVIOUS \(previous value of [A-Z_]+\); /);
    expect(notes[3]).toBe(
        "rekey: if one of them exists already, the first pulumi up fails on it (an SSM parameter: ParameterAlreadyExists, the provider creates without overwrite): delete it first (the first pulumi up writes a fresh value there), or add its entry to the file as for the current value's",
    );
    const file = JSON.parse(readFileSync(join(dir, "import.json"), "utf8"));
    expect(file.resources.some((x: { type: string }) => x.type === "aws:ssm/parameter:Parameter")).toBe(true);
    expect(file.resources.filter((x: { id?: string }) => x.id !== undefined && /_PREVIOUS$|_USER$|-previous$|-user$/.test(x.id))).toEqual([]);
    // Without --out, stdout is the same JSON.
    expect(JSON.parse(rekey(dir, "import", "--stack", "production").stdout)).toEqual(file);
});

test("a stack named with a leading -: the printed pulumi import line passes it as --stack=NAME (not read as a flag)", () => {
    const dir = workdir({ "Pulumi.-x.yaml": sampleStack("production") }, false);
    const r = rekey(dir, "import", "--stack=-x", "--out", "import.json");
    expect(r.code).toBe(0);
    expect(r.stderr.split("\n")[0]).toMatch(/; then: pulumi import --file .*import\.json --stack=-x$/);
});

test("a stack with nothing to import (only .env and file stores): says so, exit 0, no pulumi import line, no file", () => {
    const stack = [
        "config:",
        "  rekey:secrets:",
        `    A: ${JSON.stringify({ epoch: 0, generate: { encoding: "hex", bytes: 16 }, keepPrevious: true, stores: [{ dotenv: { path: "/srv/app/.env" } }, { file: { path: "/srv/app/a" } }] })}`,
        "",
    ].join("\n");
    const dir = workdir({ "Pulumi.production.yaml": stack }, false);
    for (const out of [[], ["--out", "import.json"]]) {
        const r = rekey(dir, "import", "--stack", "production", ...out);
        expect([r.code, r.stdout]).toEqual([0, ""]);
        expect(r.stderr).toBe(
            "rekey: nothing to import: no store of this stack can exist before rekey (.env files and secret files are written in place), so no file is written and pulumi import is not needed; the first pulumi up creates every store\n",
        );
        expect(r.stderr).not.toContain("pulumi import --file");
    }
    expect(existsSync(join(dir, "import.json"))).toBe(false);
});

// ---- --out: never a Pulumi file, never through a symlink, never over a file without --force, never half ----

const PRODUCTION = sampleStack("production");
const PROJECT = "name: rekey\nruntime: nodejs\n";

/** A project directory with its Pulumi.yaml and the production stack file. */
function project(): string {
    return workdir({ "Pulumi.yaml": PROJECT, "Pulumi.production.yaml": PRODUCTION, "Pulumi.staging.yml": "config: {}\n", "PulumiPlugin.yaml": "runtime: nodejs\n" }, false);
}

/** Every file under `dir` with its bytes (symlinks as their target), to see that nothing changed. */
function snapshot(dir: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const f of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
        const st = lstatSync(join(dir, f));
        out[f] = st.isSymbolicLink() ? `-> ${readlinkSync(join(dir, f))}` : st.isFile() ? readFileSync(join(dir, f), "utf8") : "<dir>";
    }
    return out;
}

const NAMED_LIKE_PULUMI = "is named like a Pulumi project or stack file (Pulumi*.yaml, Pulumi*.yml, Pulumi*.json, any case), which rekey never writes";

test.each([
    ["Pulumi.production.yaml", NAMED_LIKE_PULUMI], // the stack file it just read
    ["Pulumi.yaml", NAMED_LIKE_PULUMI],
    ["Pulumi.staging.yml", NAMED_LIKE_PULUMI],
    ["pulumi.PRODUCTION.YAML", NAMED_LIKE_PULUMI], // the same file on a case-insensitive file system
    ["Pulumi.yml", NAMED_LIKE_PULUMI], // not there: it would become the project file
    ["Pulumi.new.yaml", NAMED_LIKE_PULUMI], // not there: it would become a stack
    ["PulumiPlugin.yaml", NAMED_LIKE_PULUMI],
    ["Pulumi.json", NAMED_LIKE_PULUMI], // not there: the Pulumi CLI tries Pulumi.json first, so it would become the project
    ["pulumi.production.JSON", NAMED_LIKE_PULUMI],
    ["sub/../Pulumi.production.yaml", NAMED_LIKE_PULUMI],
    ["here/Pulumi.production.yaml", NAMED_LIKE_PULUMI], // here is a symlink to the project directory
    ["alias.json", "is a symlink (to DIR/Pulumi.production.yaml): rekey writes no file through a symlink; name the file itself"],
    ["elsewhere.json", "is a symlink (to a missing path): rekey writes no file through a symlink; name the file itself"],
    ["hard.json", "is a hard link to DIR/Pulumi.production.yaml, which rekey never writes"],
    ["sub/hard.json", "is a hard link to DIR/Pulumi.production.yaml, which rekey never writes"], // found through the project's directory
    ["sub", "is a directory, not a regular file"],
    ["missing/import.json", "is in a directory that does not exist"],
])("--out %s is refused (exit 2), with or without --force, and every file is left as it was", (out, why) => {
    const dir = realpathSync(project());
    const outside = workdir({}, false);
    mkdirSync(join(dir, "sub"));
    symlinkSync(".", join(dir, "here"));
    symlinkSync("Pulumi.production.yaml", join(dir, "alias.json"));
    symlinkSync(join(outside, "import.json"), join(dir, "elsewhere.json"));
    linkSync(join(dir, "Pulumi.production.yaml"), join(dir, "hard.json"));
    linkSync(join(dir, "Pulumi.production.yaml"), join(dir, "sub", "hard.json"));
    const before = snapshot(dir);
    for (const force of [[], ["--force"]]) {
        const r = rekey(dir, "import", "--stack", "production", "--out", out, ...force);
        expect([r.code, r.stdout, r.stderr]).toEqual([2, "", `rekey: --out ${out} ${why.replace("DIR", dir)}\n`]);
        expect(snapshot(dir)).toEqual(before);
        expect(readdirSync(outside)).toEqual([]);
    }
});

test("--out over an existing file: refused without --force; with it, replaced by a rename (a second link to the old file still holds it whole), its mode kept, no temporary file left", () => {
    const dir = project();
    writeFileSync(join(dir, "import.json"), "mine\n", { mode: 0o640 });
    chmodSync(join(dir, "import.json"), 0o640);
    const r = rekey(dir, "import", "--stack", "production", "--out", "import.json");
    expect([r.code, r.stderr]).toEqual([2, "rekey: --out import.json exists: give --force to replace it\n"]);
    expect(readFileSync(join(dir, "import.json"), "utf8")).toBe("mine\n");

    linkSync(join(dir, "import.json"), join(dir, "old.json"));
    const forced = rekey(dir, "import", "--stack", "production", "--out", "import.json", "--force");
    expect(forced.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "import.json"), "utf8")).resources.length).toBeGreaterThan(5);
    expect(readFileSync(join(dir, "old.json"), "utf8")).toBe("mine\n");
    expect(statSync(join(dir, "import.json")).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir).sort()).toEqual(["Pulumi.production.yaml", "Pulumi.staging.yml", "Pulumi.yaml", "PulumiPlugin.yaml", "import.json", "old.json"]);
});

test("the printed pulumi import line quotes the --out path for a POSIX shell", () => {
    const dir = realpathSync(project());
    mkdirSync(join(dir, "it's here"));
    const r = rekey(dir, "import", "--stack", "production", "--out", "it's here/$x.json");
    expect(r.code).toBe(0);
    const line = r.stderr.split("\n")[0];
    const file = line.slice(line.indexOf("pulumi import --file ") + "pulumi import --file ".length, line.lastIndexOf(" --stack "));
    expect(execFileSync("sh", ["-c", `printf %s ${file}`], { encoding: "utf8" })).toBe(join(dir, "it's here", "$x.json"));
    expect(existsSync(join(dir, "it's here", "$x.json"))).toBe(true);
});
