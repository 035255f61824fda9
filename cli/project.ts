// The Pulumi project a `rekey` command works in, found as the Pulumi CLI finds it: the
// nearest project file at or above the working directory (`-C DIR`, else the current one),
// its `name` (the namespace of config keys written without one) and where its stack files
// live (`stackConfigDir`). pulumi/pulumi sources cited per rule.
import { readFileSync, statSync } from "fs";
import { CORE_SCHEMA, YAMLException, load } from "js-yaml";
import { dirname, join, resolve } from "path";
import { nameText } from "../components/plan/shown";
import { CliError, withoutQuoted } from "./errors";

export interface Project {
    /** Where rekey runs (`-C DIR`, else the current directory): --base-file and --out are relative to it. */
    cwd: string;
    /** The project file: `<dir>/Pulumi.yaml` (or `.yml`). */
    file: string;
    /** Its `name`: a config key without a namespace is `<name>:<key>`. */
    name: string;
    /** Where Pulumi.<stack>.yaml files are: the project's directory, or its `stackConfigDir`. */
    stackDir: string;
    /** The stack files' extension, the project file's own (`.yaml` or `.yml`). */
    ext: string;
}

/** Stack names as the engine takes them (sdk/go/common/tokens/stack_name.go `ParseStackName`). */
export const STACK_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

// The extensions a project file may have, in the order they are tried in each directory
// (sdk/go/common/encoding/marshal.go `Exts`; workspace/paths.go `findProjectInDir`).
const PROJECT_EXTS = [".json", ".yaml", ".yml"] as const;

function isFile(path: string): boolean {
    try {
        return !statSync(path).isDirectory(); // paths.go isMarkupFile: what exists and is no directory
    } catch {
        return false;
    }
}

/**
 * The nearest project file at or above `start`, as sdk/go/common/workspace/paths.go
 * `DetectProjectPathFrom` (fsutil.WalkUpDirs: the absolute path, parent by parent, not
 * resolving symlinks) finds it; null when there is none.
 */
export function findProjectFile(start: string): string | null {
    let dir = resolve(start);
    for (;;) {
        for (const ext of PROJECT_EXTS) {
            const p = join(dir, `Pulumi${ext}`);
            if (isFile(p)) return p;
        }
        const up = dirname(dir);
        if (up === dir) return null;
        dir = up;
    }
}

/**
 * The project around `cwd`. Without a project file rekey refuses, as the Pulumi CLI does
 * ("no Pulumi.yaml project file found (searching upwards from …)"): the project's name
 * decides what a key without a namespace means, so a stack file outside any project cannot
 * be read as the engine would read it.
 */
export function findProject(cwd: string): Project {
    // pulumi -C changes into the directory first, so a missing one is an error, never a search
    // from whatever parent exists.
    let what = "no such directory";
    try {
        if (statSync(cwd).isDirectory()) what = "";
        else what = "it is a file, not a directory (-C takes the project's directory)";
    } catch {
        // missing or unreadable: refused below
    }
    if (what) throw new CliError(`cannot work in ${cwd}: ${what}`);
    const file = findProjectFile(cwd);
    if (file === null) {
        throw new CliError(`no Pulumi.yaml project file found (searching upwards from ${cwd}): run rekey in the Pulumi project's directory (or below it), or give it with -C <dir>`);
    }
    const ext = file.slice(file.lastIndexOf("."));
    if (ext === ".json") {
        throw new CliError(`${file}: this project keeps its stack files as JSON (Pulumi.<stack>.json); rekey reads and edits YAML stack files only`);
    }
    let text: string;
    try {
        // workspace/loaders.go LoadProject reads it with readFileStripUTF8BOM.
        text = readFileSync(file, "utf8").replace(/^\uFEFF/, "");
    } catch (e) {
        throw new CliError(`cannot read ${file}: ${(e as Error).message}`);
    }
    const top = loadYaml(text, file);
    const o = (top && typeof top === "object" && !Array.isArray(top) ? top : {}) as Record<string, unknown>;
    const problems: string[] = [];
    // tokens.ValidateProjectName: letters, digits, "_", "." and "-", at most 100.
    if (typeof o.name !== "string" || !STACK_NAME.test(o.name)) problems.push(`name must be the project's name (letters, digits, "_", "." and "-")`);
    // workspace/project.go RewriteConfigPathIntoStackConfigDir: a `config:` that is a string is
    // the old spelling of stackConfigDir; both at once is an error.
    const legacy = typeof o.config === "string" ? o.config : undefined;
    if (legacy !== undefined && o.stackConfigDir !== undefined) problems.push("config (a directory) and stackConfigDir both set: use only stackConfigDir");
    const configDir = o.stackConfigDir ?? legacy;
    if (configDir !== undefined && configDir !== null && typeof configDir !== "string") problems.push("stackConfigDir must be a directory path");
    // yaml.v3 applies merge keys (go-yaml v3 decode.go `merge`); js-yaml keeps `<<` as a key.
    // In the project file's map or its config, a merge could give a rekey:* key a value that
    // rekey would not see: refused, as in a stack file.
    if ("<<" in o || (o.config && typeof o.config === "object" && "<<" in (o.config as object))) {
        problems.push(`a merge key (<<) ${"<<" in o ? "in its top map" : "in config"}, which Pulumi applies and rekey does not read: write the keys out`);
    }
    if (typeof o.name === "string" && o.config && typeof o.config === "object" && !Array.isArray(o.config)) problems.push(...projectRekeyValues(o.config as Record<string, unknown>, o.name));
    if (problems.length) throw new CliError(`${file}: ${problems.join("; ")}`);
    const dir = dirname(file);
    return {
        cwd: resolve(cwd),
        file,
        name: o.name as string,
        // workspace/paths.go ProjectStackPath: filepath.Join(dir of Pulumi.yaml, StackConfigDir, file).
        stackDir: typeof configDir === "string" && configDir !== "" ? join(dir, configDir) : dir,
        ext,
    };
}

/**
 * The rekey:* keys the project file gives a value: pulumi up fills a stack's config key that
 * the stack file lacks from the project file's `config: <key>: {value|default}` (pulumi/pulumi
 * pkg/workspace/config.go `mergeConfig`), and a plain value or list there is read as one
 * (sdk/go/common/workspace/project.go `RewriteShorthandConfigValues`: `default` for a key of
 * the project's namespace, `value` for another). rekey reads the stack file only, so such a
 * key would deploy an inventory rekey never shows. A key without a namespace is the project's
 * (`parseConfigKey`), so in the project named rekey a bare key is a rekey:* key.
 */
function projectRekeyValues(config: Record<string, unknown>, name: string): string[] {
    const found: string[] = [];
    for (const [key, v] of Object.entries(config)) {
        const full = key.includes(":") ? key : `${name}:${key}`;
        if (!full.startsWith("rekey:")) continue;
        const declared = v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
        // An empty map (`default: {}`, this repository's own Pulumi.yaml) is what rekey reads
        // where the stack file lacks the key: it gives nothing rekey does not show.
        // Not for supplied and hostKeys: there even `{}` is a plaintext section, which the
        // program refuses (components/stackConfig.ts plaintextKeys).
        const nothing = (x: unknown) => (SECRET_ONLY.has(full) ? x === undefined || x === null : givesNothing(x));
        const gives = declared ? ["value", "default"].filter((f) => !nothing(declared[f])) : nothing(v) ? [] : [full.startsWith(`${name}:`) ? "default" : "value"];
        if (gives.length) found.push(`config.${key} gives ${full} a ${gives.join(" and a ")}, which pulumi up uses where the stack file lacks it (pulumi/pulumi pkg/workspace/config.go mergeConfig): rekey reads the inventory from the stack file only; move it there`);
    }
    return found;
}

const SECRET_ONLY = new Set(["rekey:supplied", "rekey:hostKeys"]);

/** A project-file value that deploys what a missing key does: none, or an empty map. */
function givesNothing(v: unknown): boolean {
    return v === undefined || v === null || (typeof v === "object" && !Array.isArray(v) && Object.keys(v as object).length === 0);
}

/** `Pulumi.<stack>.<ext>` (paths.go ProjectStackPath: the project file's extension). */
export function stackFileName(project: Pick<Project, "ext">, stack: string): string {
    if (!/^[A-Za-z0-9_.-]+$/.test(stack)) throw new CliError(`--stack ${nameText(stack)} is not a stack name (letters, digits, "_", "." and "-")`);
    if (!STACK_NAME.test(stack)) throw new CliError(`--stack ${nameText(stack)} is not a stack name: a stack name cannot exceed 100 characters`);
    return `Pulumi.${stack}${project.ext}`;
}

export function stackPath(project: Project, stack: string): string {
    return join(project.stackDir, stackFileName(project, stack));
}

/**
 * The stack part of `--stack`: `stack`, `org/stack` or `org/project/stack`, the forms the
 * backends take (pkg/backend/httpstate/backend.go `parseStackName`, pkg/backend/diy/store.go
 * `ParseReference`). Its file is named by the stack part alone (the CLI's
 * DetectProjectStackPath(s.Ref().Name().Q())). A project part other than this project's is
 * refused, as pkg/backend/backend.go `CurrentProjectContradictsWorkspace` refuses it.
 */
export function stackOf(project: Project, ref: string): string {
    const parts = ref.split("/");
    // Each part a name (no "", "." or "..": never a path), at most three.
    if (parts.length > 3 || parts.some((p) => !STACK_NAME.test(p) || p === "." || p === "..")) {
        throw new CliError(`--stack ${nameText(ref)} is not a stack name (letters, digits, "_", "." and "-")`);
    }
    const stack = parts[parts.length - 1];
    if (parts.length === 3 && parts[1] !== project.name) {
        throw new CliError(
            `--stack "${ref}" names project "${parts[1]}", but the project here is "${project.name}" (${project.file}); ` +
                `Pulumi refuses a stack of another project too. Run rekey in that project's directory (or -C <dir>)`,
        );
    }
    return stack;
}

/**
 * A project or stack file's text as js-yaml reads it (the core schema), or refused naming
 * line and column. js-yaml's reason is printed without what it quotes (errors.ts
 * withoutQuoted): an unquoted value starting with `*` or `!` is read as an alias or a tag,
 * and the reason would print it.
 */
export function loadYaml(text: string, label: string): unknown {
    return readingYaml(label, () => load(text, { schema: CORE_SCHEMA, filename: label }));
}

/** `read` (a js-yaml load of `label`), its YAMLException said as loadYaml says it. */
export function readingYaml<T>(label: string, read: () => T): T {
    try {
        return read();
    } catch (e) {
        if (!(e instanceof YAMLException)) throw e;
        throw new CliError(`${label} is not valid YAML: line ${e.mark.line + 1}, column ${e.mark.column + 1}: ${withoutQuoted(e.reason)}`);
    }
}
