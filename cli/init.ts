// `rekey init [dir]`: a rotation project in a user's repository, using the pulumi-rekey
// package: Pulumi.yaml, package.json, tsconfig.json, index.ts (the standalone program), a
// Pulumi.<stack>.yaml with a small commented inventory, and the plan and due workflows.
// Inside a git repository the workflows go to its root's .github/workflows (the only place
// GitHub runs them), named after the project and working in its directory; outside one,
// under the target. All or nothing, over nothing that exists (writeFiles.ts).
import { existsSync, lstatSync, readFileSync, realpathSync } from "fs";
import { basename, dirname, join, posix, relative, resolve, sep } from "path";
import { stackFileName } from "./project";
import { describe, nameText } from "../components/plan/shown";
import { CliError } from "./errors";
import type { Output } from "./output";
import { shellPath, shellWord } from "./shell";
import { notOneLine } from "./shownText";
import { writeNewFiles } from "./writeFiles";
import { PACKAGE_ROOT, pathOutside, rekeySpec, specText } from "./initDependency";

const TEMPLATES = join(PACKAGE_ROOT, "templates", "init");


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

/**
 * The scaffold's package.json. Its scripts run on every stack file of the project: `plan`
 * against the base `rekey plan` finds (the merge base with the default branch; with no commit
 * yet, or outside git, every stack file is new: cli/baseRevision.ts), `due` on today's date.
 */
function packageJson(name: string, rekeySpec: string): string {
    const pkg = {
        name,
        private: true,
        main: "index.ts",
        scripts: { plan: "pulumi-rekey plan --all-stacks", due: "pulumi-rekey due --all-stacks" },
        dependencies: { "pulumi-rekey": rekeySpec, "@pulumi/pulumi": "^3.248.0" },
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
    # One entry per secret. To rotate it: npx pulumi-rekey bump APP_SECRET --stack ${stack}
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

/** `path` with its existing part's symlinks resolved (the rest does not exist yet). */
function realPathOf(path: string): string {
    const rest: string[] = [];
    for (let d = path; ; d = dirname(d)) {
        try {
            return join(realpathSync(d), ...rest);
        } catch (e) {
            if (dirname(d) === d) throw e;
            rest.unshift(basename(d));
        }
    }
}

/**
 * The top of the git work tree holding `dir` (a real path), or null: the nearest directory
 * upward with a `.git` entry (a directory, or a file in a linked worktree or submodule), as
 * git's discovery finds it (setup.c `setup_git_directory_gently`; GIT_DIR and
 * GIT_CEILING_DIRECTORIES are not read).
 */
export function gitTopOf(dir: string): string | null {
    for (let d = dir; ; d = dirname(d)) {
        try {
            lstatSync(join(d, ".git"));
            return d;
        } catch {
            // none here: look further up
        }
        if (dirname(d) === d) return null;
    }
}

/**
 * The superproject's top when the work tree at `top` is a git submodule, else null. A
 * submodule's `.git` is a file, `gitdir: <path>`, naming its repository inside the
 * superproject's `.git/modules/` (git submodule.c `absorb_git_dir_into_superproject`,
 * `submodule_name_to_gitdir`: `<super>/.git/modules/<name>`, nested ones under
 * `…/modules/<a>/modules/<b>`); a linked worktree's names `.git/worktrees/<name>` instead
 * and is no submodule. The superproject named is the outermost one. (A submodule cloned
 * before git 1.7.8 keeps a `.git` directory of its own and is not told apart here.)
 */
export function superprojectOf(top: string): string | null {
    let text: string;
    try {
        if (!lstatSync(join(top, ".git")).isFile()) return null;
        text = readFileSync(join(top, ".git"), "utf8");
    } catch {
        return null;
    }
    const m = /^gitdir: (.+)$/m.exec(text);
    if (!m) return null;
    const gitdir = resolve(top, m[1].trim()).split(sep).join(posix.sep);
    const at = gitdir.indexOf("/.git/modules/");
    return at < 0 ? null : gitdir.slice(0, at) || "/";
}

/** Characters GitHub reads specially in a `paths:` filter (docs: "Filter pattern cheat sheet"), escaped with `\`. */
function globEscape(path: string): string {
    return path.replace(/[*?+[\]!\\]/g, (c) => `\\${c}`);
}

/**
 * Why `value` (the project's `what`) cannot go into a workflow, or null. A workflow is read
 * by GitHub's YAML 1.1 parser (YamlDotNet), which ends a line, and so a comment or a
 * value, at U+0085, U+2028 and U+2029 too: a path holding one could add keys of its own
 * (`env: {BASH_ENV: …}`). Every value refuses shownText.ts's one rule for text inside a
 * line (line breaks of any YAML reader, C0 and C1 controls, bidi controls), and `${{`,
 * which GitHub evaluates as an expression in `working-directory` and `env` values.
 */
function workflowValueProblem(what: string, value: string): string | null {
    const held = notOneLine(value) ?? (value.includes("${{") ? '"${{" (an expression to GitHub)' : null);
    return held && `${what} (${describe(value)}, not shown) holds ${held}, which a workflow cannot name: rekey init writes nothing`;
}

/**
 * The branch the scheduled rotation (rekey-<project>-rotate.yml) bumps on, one per project. A
 * project name's characters ([A-Za-z0-9_.-]) all go into a git branch name except where git
 * refuses them (refs.c `check_refname_component`: no "..", no component ending in ".lock";
 * `check_refname_format`: no name ending in ".").
 */
export function rotationBranch(name: string): string {
    return `rekey/rotate-${name.replace(/\.{2,}/g, ".").replace(/\.$/, "-").replace(/\.lock$/, "-lock")}`;
}

/**
 * A workflow template (templates/init/workflows) for the project `name` in `projectDir`, a
 * `/`-separated path relative to the repository's root ("" for the root itself). Values go
 * in as JSON strings, which YAML reads as double-quoted strings; each is first held to
 * workflowValueProblem, so none ends a line or a comment.
 */
export function renderWorkflow(template: string, name: string, projectDir: string): string {
    const problem = workflowValueProblem("the project name", name) ?? workflowValueProblem("the project's path in the repository", projectDir);
    if (problem) throw new CliError(problem);
    const under = (f: string) => (projectDir === "" ? f : `${projectDir}/${f}`);
    const values: Record<string, string> = {
        PROJECT: name,
        PROJECT_JSON: JSON.stringify(name),
        DIR: JSON.stringify(projectDir === "" ? "." : projectDir),
        DIR_TEXT: projectDir === "" ? "the repository's root directory" : JSON.stringify(projectDir),
        STACK_FILES: JSON.stringify(`${projectDir === "" ? "" : `${globEscape(projectDir)}/`}Pulumi.*.yaml`),
        LOCK_FILE: JSON.stringify(under("package-lock.json")),
        BRANCH: JSON.stringify(rotationBranch(name)),
    };
    return template.replace(/@([A-Z_]+)@/g, (whole, key: string) => {
        if (!(key in values)) throw new Error(`rekey: the workflow template has an unknown field ${whole}`);
        return values[key];
    });
}

/**
 * Writes the scaffold into `dir` (made when missing), all or nothing (writeFiles.ts
 * `writeNewFiles`). `cwd` is where `dir` is resolved (`-C`), `shellCwd` the user's shell's
 * directory, which the printed `cd` is relative to.
 */
export function init(cwd: string, dirArg: string | undefined, o: { stack: string; name?: string; from?: string }, shellCwd = cwd): Output {
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
    // In a git repository every file is written relative to its top (the workflows there);
    // outside one, relative to the target, the workflows too (for a repository made there).
    const realDir = realPathOf(dir);
    const top = gitTopOf(realDir);
    const superproject = top && superprojectOf(top);
    if (top && superproject) {
        // GitHub runs a repository's own .github/workflows; the superproject's would not even
        // see the submodule's files (actions/checkout leaves submodules out by default).
        throw new CliError(
            `${relative(shellCwd, top) || "."} is a git submodule of the repository at ${relative(shellCwd, superproject) || "."}: GitHub runs the workflows rekey init writes only for pull requests of the repository whose root holds them, and a workflow of ${relative(shellCwd, superproject) || "."} does not see a submodule's files. Run rekey init in a clone of the submodule's own repository (its pull requests then run them), or put the project in the superproject itself: rekey init writes nothing`,
        );
    }
    const root = top ?? realDir;
    const projectDir = relative(root, realDir).split(sep).join(posix.sep);
    const inProject = (f: string) => (projectDir === "" ? f : `${projectDir}/${f}`);
    const workflow = (kind: "plan" | "due" | "rotate"): [string, string] => [`.github/workflows/rekey-${name}-${kind}.yml`, renderWorkflow(template(`workflows/rekey-${kind}.yml`), name, projectDir)];
    const spec = rekeySpec(o.from, cwd, realDir);
    const files: [string, string][] = [
        [inProject("Pulumi.yaml"), pulumiYaml(name)],
        [inProject("package.json"), packageJson(name, spec)],
        [inProject("tsconfig.json"), template("tsconfig.json")],
        [inProject("index.ts"), template("index.ts")],
        [inProject(`Pulumi.${o.stack}.yaml`), stackYaml(o.stack)],
        [inProject(".gitignore"), template("gitignore")],
        // Outside git the root is the target (projectDir ""): the workflows are under it.
        workflow("plan"),
        workflow("due"),
        workflow("rotate"),
    ];
    const rootLabel = relative(shellCwd, top ?? dir) || ".";
    // Workflows named after the project: an existing pair with none of the project's own files
    // is another project of the same name elsewhere in the repository.
    const taken = workflowsOfAnotherProject(root, files);
    if (taken.length) {
        throw new CliError(
            `${rootLabel} already has ${taken.join(", ")}: another project named ${nameText(name)} in this repository has its workflows there (they are named after the project). Give this one another name with --name <name>: rekey init writes nothing`,
        );
    }
    writeNewFiles(top ?? dir, files, rootLabel, "rekey init");
    // A stack name may start with "-" (tokens.ParseStackName); after `--` it is no option.
    const stackArg = `${o.stack.startsWith("-") ? "-- " : ""}${shellWord(o.stack)}`;
    // The workflows are the last three files (a project directory may itself be under .github/workflows).
    const own = files.slice(0, -3).map(([f]) => (projectDir === "" ? f : f.slice(projectDir.length + 1)));
    const workflows = files.slice(-3).map(([f]) => f);
    const shownSpec = specText(spec);
    const lines = [
        `rekey: a rotation project in ${at}: ${own.join(", ")}`,
        `pulumi-rekey from ${shownSpec.text}`,
        top
            ? `workflows at the repository's root (${rootLabel}): ${workflows.join(", ")}, working in ${projectDir === "" ? "." : projectDir}`
            : `workflows in ${at === "." ? "" : `${at}/`}.github/workflows (not in a git repository: GitHub runs them only from a repository's root, so they work as they are if ${at} becomes one; else run rekey init inside the repository): ${workflows.map((f) => basename(f)).join(", ")}`,
        "next:",
        ...(at === "." ? [] : [`  cd ${shellPath(at)}`]),
        "  npm install",
        `  pulumi stack init ${stackArg}        # or pulumi stack select ${stackArg}`,
        "  pulumi preview --diff",
        "  pulumi up",
    ];
    // npm reads the spec from package.json to fetch the package, so a credential in it is
    // written there as given: say so, without it (docs/cli.md, "rekey init").
    const notes = shownSpec.credential
        ? [
              `warning: the pulumi-rekey spec holds ${shownSpec.credential}, which may be a credential; it is written as given into ${at === "." ? "" : `${at}/`}package.json (npm reads it there to fetch the package), where anyone who can read that file or the repository reads it. Give npm the credential another way (a git credential helper, an auth token in an .npmrc outside the repository) and take it out of the spec before committing`,
          ]
        : [];
    // A file: spec outside the repository works on this machine only: the workflows' `npm ci`
    // runs in a clone of the repository, where the path does not exist.
    const outside = top ? pathOutside(spec, realDir, realPathOf(top)) : null;
    if (outside !== null) {
        notes.push(
            `warning: pulumi-rekey comes from ${shellPath(relative(shellCwd, outside) || ".")}, outside the git repository at ${rootLabel}: the workflows' npm ci runs in a clone of the repository and cannot reach it. Commit the tarball inside the repository and give --from its path, or give --from a git URL (docs/cli.md, "rekey init")`,
        );
    }
    return { stdout: lines.join("\n") + "\n", notes, exitCode: 0 };
}

/** The workflow files of `files` that exist under `root` while none of the project's own files do. */
function workflowsOfAnotherProject(root: string, files: [string, string][]): string[] {
    const exists = (f: string) => existsSync(join(root, f));
    const workflows = files.filter(([f]) => f.startsWith(".github/workflows/")).map(([f]) => f);
    const own = files.filter(([f]) => !f.startsWith(".github/workflows/")).map(([f]) => f);
    return own.some(exists) ? [] : workflows.filter(exists);
}
