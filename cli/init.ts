// `rekey init [dir]`: a rotation project in a user's repository, using the pulumi-rekey
// package: Pulumi.yaml, package.json, tsconfig.json, index.ts (the standalone program), a
// Pulumi.<stack>.yaml with a small commented inventory, and the plan and due workflows.
// All or nothing, inside the target directory only, over nothing that exists (writeFiles.ts).
import { existsSync, readFileSync } from "fs";
import { basename, dirname, join, relative, resolve } from "path";
import { stackFileName } from "./project";
import { nameText } from "../components/plan/shown";
import { CliError } from "./errors";
import type { Output } from "./output";
import { shellPath, shellWord } from "./shell";
import { writeNewFiles } from "./writeFiles";

/** The package's own directory: the nearest above this file with its package.json (cli/ from source, dist/cli/ compiled). */
function packageRoot(): string {
    for (let d = __dirname; ; d = dirname(d)) {
        const manifest = join(d, "package.json");
        if (existsSync(manifest) && JSON.parse(readFileSync(manifest, "utf8")).name === "pulumi-rekey") return d;
        if (dirname(d) === d) throw new Error("rekey: cannot find the pulumi-rekey package around " + __dirname);
    }
}
const PACKAGE_ROOT = packageRoot();
const TEMPLATES = join(PACKAGE_ROOT, "templates", "init");

function packageVersion(): string {
    return JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")).version;
}

/**
 * Why Pulumi refuses `name` as a project name, in its words, or null. `pulumi new` checks
 * pulumi/pulumi pkg/workspace/templates.go `ValidateProjectName`: sdk/go/common/tokens
 * project.go `ValidateProjectName` (non-empty, at most 100 characters, tokens.IsName:
 * `[A-Za-z0-9_.-]`) and, against DotNet's namespaces, not `Pulumi` nor `Pulumi.` first.
 */
export function projectNameProblem(name: string): string | null {
    if (name === "") return "project names may not be empty";
    if (name.length > 100) return "project names are limited to 100 characters";
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) return "project names may only contain alphanumerics, hyphens, underscores, and periods";
    if (/^pulumi(\.|$)/i.test(name)) return "project name must not be `Pulumi` and must not start with the prefix `Pulumi.`";
    return null;
}

/**
 * A stack name Pulumi takes: sdk/go/common/tokens/stack_name.go `ParseStackName` (non-empty,
 * at most 100 characters, `[A-Za-z0-9_.-]`); init names a file and prints commands with it.
 */
function checkStackName(stack: string): void {
    stackFileName({ ext: ".yaml" }, stack); // refused as every command refuses it
}

/** A Pulumi project name from a directory name: letters, digits, "_", "." and "-", at most 100. */
export function projectNameOf(dir: string): string {
    const clean = (s: string) => s.replace(/^[-.]+|[-.]+$/g, "");
    const name = clean(clean(basename(resolve(dir)).replace(/[^A-Za-z0-9_.-]+/g, "-")).slice(0, 100));
    return name || "secrets";
}

/**
 * Pulumi.yaml. The name is a double-quoted YAML string: a plain scalar would be read by
 * yaml.v3 as a boolean (`true`, `false`), null (`null`, `~`), a number (`1`, `1e3`, `0x1F`,
 * `.inf`) or not at all (`-`), and the project file's schema takes a string
 * (sdk/go/common/workspace/project.json `name`). A JSON string is a YAML double-quoted one.
 */
export function pulumiYaml(name: string): string {
    return [
        `name: ${JSON.stringify(name)}`,
        "description: Secret rotation as code with pulumi-rekey. Bump a secret's epoch, run pulumi up.",
        "runtime:",
        "  name: nodejs",
        "  options:",
        "    typescript: true",
        "    packagemanager: npm",
        "# The inventory lives in each Pulumi.<stack>.yaml under rekey:* keys (rekey:secrets,",
        "# rekey:consumers, rekey:hosts, rekey:defaults, rekey:supplied, rekey:hostKeys); see the",
        "# configuration reference in node_modules/pulumi-rekey/docs/configuration.md.",
        "",
    ].join("\n");
}

function packageJson(name: string): string {
    const pkg = {
        name,
        private: true,
        main: "index.ts",
        scripts: { plan: "rekey plan", due: "rekey due" },
        dependencies: { "pulumi-rekey": `^${packageVersion()}`, "@pulumi/pulumi": "^3.248.0" },
        devDependencies: { "@types/node": "^20.19.0", typescript: "~5.9.3" },
    };
    return JSON.stringify(pkg, null, 2) + "\n";
}

function stackYaml(stack: string): string {
    return `# The ${stack} stack's inventory. Every key is checked before anything is created
# (rekey plan --stack ${stack} shows the same checks locally); see the configuration reference
# in node_modules/pulumi-rekey/docs/configuration.md.
config:
  rekey:secrets:
    # One entry per secret. To rotate it: npx rekey bump APP_SECRET --stack ${stack}
    APP_SECRET:
      epoch: 0
      generate: { encoding: base64url, bytes: 32 }
      # keepPrevious: true           # also publish APP_SECRET_PREVIOUS (an overlap window)
      # cadenceDays: 90              # rekey due --stack ${stack} lists it when it is due
      # stores:                      # where the value goes (each is written on every rotation)
      #   - ssm: { prefix: /myapp/${stack}/ }
      #   - kubernetes: { secret: myapp-secrets, namespace: myapp }
      #   - dotenv: { path: /srv/myapp/.env }
      # consumers: [api]             # restarted, in order, when the value changes
  # rekey:consumers:
  #   api:
  #     kubernetes: { deployment: api, namespace: myapp }
  #     verify: { url: https://api.example.com/health, expectStatus: 200 }
  # A vendor's key is supplied, not generated:
  #   pulumi config set --secret --path 'rekey:supplied.VENDOR_API_KEY' --stack ${stack}
`;
}

/**
 * Writes the scaffold into `dir` (made when missing), all or nothing (writeFiles.ts
 * `writeNewFiles`). `cwd` is where `dir` is resolved (`-C`), `shellCwd` the user's shell's
 * directory, which the printed `cd` is relative to.
 */
export function init(cwd: string, dirArg: string | undefined, o: { stack: string; name?: string }, shellCwd = cwd): Output {
    checkStackName(o.stack);
    const dir = resolve(cwd, dirArg ?? ".");
    const at = relative(shellCwd, dir) || ".";
    const name = o.name ?? projectNameOf(dir);
    const nameProblem = projectNameProblem(name);
    if (nameProblem) {
        throw new CliError(
            o.name === undefined
                ? `the directory's name gives the project name "${name}", which Pulumi refuses (${nameProblem}): give --name`
                : `--name ${nameText(name)} is not a Pulumi project name: ${nameProblem}`,
        );
    }
    const template = (f: string) => readFileSync(join(TEMPLATES, f), "utf8");
    const files: [string, string][] = [
        ["Pulumi.yaml", pulumiYaml(name)],
        ["package.json", packageJson(name)],
        ["tsconfig.json", template("tsconfig.json")],
        ["index.ts", template("index.ts")],
        [`Pulumi.${o.stack}.yaml`, stackYaml(o.stack)],
        [".gitignore", template("gitignore")],
        [".github/workflows/rekey-plan.yml", template("workflows/rekey-plan.yml")],
        [".github/workflows/rekey-due.yml", template("workflows/rekey-due.yml")],
    ];
    writeNewFiles(dir, files, at, "rekey init");
    // A stack name may start with "-" (tokens.ParseStackName); after `--` it is no option.
    const stackArg = `${o.stack.startsWith("-") ? "-- " : ""}${shellWord(o.stack)}`;
    const lines = [
        `rekey: a rotation project in ${at}: ${files.map(([f]) => f).join(", ")}`,
        "next:",
        ...(at === "." ? [] : [`  cd ${shellPath(at)}`]),
        "  npm install",
        `  pulumi stack init ${stackArg}        # or pulumi stack select ${stackArg}`,
        "  pulumi preview --diff",
        "  pulumi up",
    ];
    return { stdout: lines.join("\n") + "\n", notes: [], exitCode: 0 };
}
