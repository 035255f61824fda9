// `rekey init [dir]`: a rotation project in a user's repository, using the pulumi-rekey
// package: Pulumi.yaml, package.json, tsconfig.json, index.ts (the standalone program), a
// Pulumi.<stack>.yaml with a small commented inventory, and the plan and due workflows.
// Nothing that exists is overwritten.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "fs";
import { basename, dirname, join, relative, resolve } from "path";
import { STACK_NAME } from "./stackFile";
import { CliError } from "./errors";
import type { Output } from "./commands";

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
const PROJECT_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

function packageVersion(): string {
    return JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")).version;
}

/** A Pulumi project name from a directory name: letters, digits, "_", "." and "-". */
export function projectNameOf(dir: string): string {
    const name = basename(resolve(dir)).replace(/[^A-Za-z0-9_.-]+/g, "-").replace(/^[-.]+|[-.]+$/g, "");
    return name || "secrets";
}

function pulumiYaml(name: string): string {
    return [
        `name: ${name}`,
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
  #   pulumi config set --secret --path 'supplied.VENDOR_API_KEY' --stack ${stack}
`;
}

/** Writes the scaffold into `dir` (made when missing); refuses, naming them, files that exist. */
export function init(cwd: string, dirArg: string | undefined, o: { stack: string; name?: string }): Output {
    if (!STACK_NAME.test(o.stack)) throw new CliError(`--stack "${o.stack}" is not a stack name (letters, digits, "_", "." and "-")`);
    const dir = resolve(cwd, dirArg ?? ".");
    const name = o.name ?? projectNameOf(dir);
    if (!PROJECT_NAME.test(name)) throw new CliError(`--name "${name}" is not a Pulumi project name (1-100 letters, digits, "_", "." and "-")`);
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
    const existing = files.map(([f]) => f).filter((f) => existsSync(join(dir, f)));
    if (existing.length) throw new CliError(`${relative(cwd, dir) || "."} already has ${existing.join(", ")}: rekey init writes nothing over an existing file`);
    for (const [f, text] of files) {
        mkdirSync(dirname(join(dir, f)), { recursive: true });
        writeFileSync(join(dir, f), text);
    }
    const at = relative(cwd, dir) || ".";
    const lines = [
        `rekey: a rotation project in ${at}: ${files.map(([f]) => f).join(", ")}`,
        "next:",
        ...(at === "." ? [] : [`  cd ${at}`]),
        "  npm install",
        `  pulumi stack init ${o.stack}        # or pulumi stack select ${o.stack}`,
        "  pulumi preview --diff",
        "  pulumi up",
    ];
    return { stdout: lines.join("\n") + "\n", notes: [], exitCode: 0 };
}
