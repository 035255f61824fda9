// Pulumi.<stack>.yaml as the CLI sees it: the text (edits splice it), the planner's input,
// and on demand the yaml document (positions and comments, for edits and reasons).
// Encrypted values are never decrypted; `ciphertexts` exists only to tell whether a supplied
// value changed and is never printed.
//
// What Pulumi's YAML reader (yaml.v3) would read otherwise is refused first, with its line and
// column (engineYaml.ts): control characters, foreign line breaks, keys it types (Pulumi takes
// only string keys), merge keys and unquoted dates where rekey reads.
// Values are read with js-yaml (core schema: dates stay strings, duplicate keys are errors),
// several times faster than composing a yaml Document; `rekey plan` on a 1,000-secret stack
// reads two versions of the file and must stay under a second. The yaml package (the
// document, for edits and the reasons beside epochs) is loaded on first use: status and due
// never need it, and loading it is a sixth of their start-up.
import { readFileSync, readdirSync, statSync } from "fs";
import { join } from "path";
import type { Document, YAMLMap } from "yaml";
import { RawConfig, RotationPlan, RekeyConfigError, planRotation } from "../components/plan/plan";
import { NAMESPACE, SECRET_ONLY_KEYS, rawConfigOf } from "../components/plan/rawConfig";
import { engineReadingProblem, mayBeTypedKey, readerProblem, typedKeyProblem, yamlDocuments } from "./engineYaml";
import type { Today } from "./dates";
import { CliError, internalErrorMessage } from "./errors";
import { EntryText, readEntries } from "./entryNodes";
import { Project, STACK_NAME, loadYaml, readingYaml, stackFileName, stackOf, stackPath } from "./project";

export { STACK_NAME };

export interface StackFile {
    /** Where it was read from (`Pulumi.production.yaml`, `origin/main:Pulumi.production.yaml`). */
    label: string;
    text: string;
    /** The yaml document with source positions and comments, parsed on first use. */
    readonly doc: Document.Parsed;
    raw: RawConfig;
    /** Whether the file has any `rekey:*` key (a stack just made with pulumi stack init has none: no secrets). */
    hasRekeyKeys: boolean;
    /** Encrypted `rekey:supplied` values by name, to compare with another version of the file. */
    ciphertexts: Map<string, string>;
    /** The config keys as written, by full key: `rekey:secrets` may be written `secrets` in the project named rekey. */
    writtenKeys: ReadonlyMap<string, string>;
    /** What js-yaml (core schema) read the text as: the base of an edit's expected values (edit.ts). Never changed. */
    values: unknown;
    /** The secrets' entries as the parse read them (entryNodes.ts readEntries; those it leaves to the document absent), when read for an edit or for reasons. */
    entries?: ReadonlyMap<string, EntryText>;
}

/**
 * The bytes of a regular file (a symlink to one too). A directory, pipe or device named like
 * a stack file is refused before it is read: a FIFO would block forever, /dev/zero never end.
 */
export function readRegularFile(path: string): Buffer {
    const st = statSync(path);
    if (!st.isFile()) {
        const what = st.isDirectory() ? "a directory" : st.isFIFO() ? "a named pipe" : st.isSocket() ? "a socket" : "a device";
        throw Object.assign(new Error(`it is ${what}, not a regular file`), { code: "ENOTREGULAR" });
    }
    return readFileSync(path);
}

export function readStackText(project: Project, stack: string): { path: string; text: string } {
    const path = stackPath(project, stack);
    try {
        return { path, text: utf8Text(readRegularFile(path), path) };
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        const stacks = stacksIn(project);
        const why =
            code === "ENOENT"
                ? `no such file (${stacks.length ? `the stacks here: ${stacks.join(", ")}` : `no Pulumi.<stack>${project.ext} in ${project.stackDir}`})`
                : code === "EACCES"
                  ? "permission denied"
                  : (e as Error).message;
        throw new CliError(`cannot read ${path}: ${why}`);
    }
}

function secureText(v: unknown): string | undefined {
    if (v && typeof v === "object" && !Array.isArray(v)) {
        const o = v as Record<string, unknown>;
        // The cheap test first: most values walked are no `secure:` map (holdsSecure walks every rekey:* value).
        if (typeof o.secure === "string" && Object.keys(o).length === 1) return o.secure;
    }
    return undefined;
}

/**
 * The file as text, exactly: bytes that are not UTF-8 would come back as U+FFFD and an
 * edit would rewrite them, so such a file is refused (Pulumi reads stack files as UTF-8).
 */
export function utf8Text(bytes: Buffer, label: string): string {
    try {
        return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
        // The first byte where the lenient decoding, encoded again, differs from the file is
        // the first that is not UTF-8 (everything before it decoded and encodes as it was).
        const again = Buffer.from(bytes.toString("utf8"), "utf8");
        let at = 0;
        while (at < bytes.length && bytes[at] === again[at]) at++;
        const line = bytes.subarray(0, at).toString("utf8").split("\n").length;
        throw new CliError(`${label} is not UTF-8 (line ${line}, byte ${at + 1}): Pulumi reads stack files as UTF-8, and rekey edits nothing it cannot write back byte for byte`);
    }
}

/** Visits of the parsed values allowed: YAML aliases can make a small file expand enormously. */
const MAX_NODES = 200_000;
/**
 * How deep the parsed values may nest. js-yaml refuses text nested deeper than its maxDepth,
 * 100 (lib/loader.js `composeNode`: "nesting exceeded maxDepth"), which leaves values at
 * most 99 deep; only aliases nest them further (an anchor defined in a mapping key holds a
 * value that is nowhere else in the tree, so a chain of them nests as deep as it is long
 * while staying small). Code that walks values (deep equality, zod, the checks here) may
 * recurse: refused here, such a value never reaches it.
 */
const MAX_DEPTH = 100;

/**
 * The parsed values walked once, without recursion: more than MAX_NODES visits, or a value
 * nested deeper than MAX_DEPTH, is refused. Returns whether a key may have been written as
 * one yaml.v3 types (engineYaml.ts typedKeyProblem then looks).
 */
function checkSize(value: unknown, label: string): boolean {
    let budget = MAX_NODES;
    let typedKey = false;
    // A stack of values and one of their depths (no pair allocated per value: a 1,000-secret file has ~30,000).
    const values: unknown[] = [value];
    const depths: number[] = [0];
    while (values.length) {
        const v = values.pop();
        const depth = depths.pop()!;
        if (--budget < 0) throw new CliError(`${label} expands to more than ${MAX_NODES} values (YAML aliases?): refused`);
        if (depth > MAX_DEPTH) throw new CliError(`${label} nests values more than ${MAX_DEPTH} deep (through YAML aliases): refused`);
        if (v && typeof v === "object") {
            if (!typedKey && !Array.isArray(v)) typedKey = Object.keys(v).some(mayBeTypedKey);
            for (const x of Object.values(v)) {
                values.push(x);
                depths.push(depth + 1);
            }
        }
    }
    return typedKey;
}

/**
 * The config keys by full key, as the engine names them: a key without a namespace is the
 * project's (sdk/go/common/workspace/loaders.go `stackConfigNamespacedWithProject`: a key
 * without ":" becomes "<project name>:<key>"). Two keys that name one key (`secrets` and
 * `rekey:secrets` in the project rekey) are refused: the engine builds a Go map from them, so
 * which one it keeps depends on the map's iteration order.
 */
function namespacedConfig(config: Record<string, unknown>, project: string, label: string): { config: Record<string, unknown>; written: Map<string, string> } {
    const out: Record<string, unknown> = {};
    const written = new Map<string, string>();
    const clashes: string[] = [];
    for (const [key, value] of Object.entries(config)) {
        const full = key.includes(":") ? key : `${project}:${key}`;
        const before = written.get(full);
        if (before !== undefined) clashes.push(`${before} and ${key} are both ${full}`);
        written.set(full, key);
        out[full] = value;
    }
    if (clashes.length) {
        throw new CliError(`${label}: ${clashes.join("; ")} (in the project ${project}, a key without a namespace is the project's), and Pulumi would keep either one: keep one of them`);
    }
    return { config: out, written };
}

/**
 * `project`: the project's name, the namespace of a config key written without one.
 * `values`: what js-yaml (core schema) read `text` as, when the caller read it already (an
 * edit checks what it wrote reads back, edit.ts applyEpochEdits); every other check is made.
 */
export function parseStackFile(text: string, label: string, project: string, values?: unknown, withEntries = false): StackFile {
    // Before js-yaml reads it: js-yaml places a control character at its line's end, or not at all.
    const unread = readerProblem(text);
    if (unread) throw new CliError(`${label}: ${unread}`);
    // The keys `rekey:secrets` may be written as (namespacedConfig: a key without ":" is the project's).
    const secretsKeys = [`${NAMESPACE}:secrets`, ...(project === NAMESPACE ? ["secrets"] : [])];
    let read: ReturnType<typeof readEntries> | undefined;
    // With the entries: one js-yaml pass with a listener gives the values and the entries' positions.
    const top = values !== undefined ? values : withEntries ? (read = readingYaml(label, () => readEntries(text, secretsKeys, () => true, label))).values : loadYaml(text, label);
    const typedKey = checkSize(top, label);
    let doc: Document.Parsed | undefined;
    const parsed = () => (doc ??= yamlDocuments().parseDocument(text));
    const otherwise = (typedKey ? typedKeyProblem(text, parsed()) : null) ?? engineReadingProblem(text, parsed);
    if (otherwise) throw new CliError(`${label}: ${otherwise}`);
    if (top !== null && top !== undefined && (typeof top !== "object" || Array.isArray(top))) {
        throw new CliError(`${label} is not a Pulumi stack file: expected a map with a config key`);
    }
    // An ESC environment's pulumiConfig is merged into the stack's config by pulumi up
    // (pulumi/pulumi pkg/workspace/config.go mergeConfig: JSON merge patch, the stack file's
    // values winning), so it can add secrets, stores or epochs inside rekey:* that rekey, which
    // cannot open the environment, never sees. The stack file names it in `environment`
    // (sdk/go/common/workspace/project.go ProjectStack.Environment: a list, or a map of imports).
    const environment = (top as Record<string, unknown> | null)?.environment;
    if (environment !== undefined && environment !== null && !(typeof environment === "object" && Object.keys(environment).length === 0)) {
        throw new CliError(
            `${label}: environment names Pulumi ESC environments, whose pulumiConfig pulumi up merges into this stack's config (pulumi/pulumi pkg/workspace/config.go mergeConfig); ` +
                `rekey cannot see what they add to rekey:* keys, so it would show another inventory than pulumi up deploys: keep this stack's rekey:* keys in a stack without environment`,
        );
    }
    const written = ((top as Record<string, unknown> | null)?.config ?? {}) as Record<string, unknown>;
    if (typeof written !== "object" || Array.isArray(written)) throw new CliError(`${label}: config is not a map`);
    const { config, written: writtenKeys } = namespacedConfig(written, project, label);

    const names: Record<(typeof SECRET_ONLY_KEYS)[number], string[]> = { supplied: [], hostKeys: [] };
    const plaintextKeys: string[] = [];
    const ciphertexts = new Map<string, string>();
    const withoutSecrets: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(config)) {
        const section = SECRET_ONLY_KEYS.find((k) => key === `${NAMESPACE}:${k}`);
        if (!section) {
            withoutSecrets[key] = value;
            continue;
        }
        if (secureText(value) !== undefined) {
            throw new CliError(
                `${label}: ${key} is encrypted as one value, so its names cannot be read without decrypting; ` +
                    `set each entry with pulumi config set --secret --path 'rekey:${section}.NAME'`,
            );
        }
        if (!value || typeof value !== "object" || Array.isArray(value)) continue;
        for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
            const cipher = secureText(v);
            if (cipher === undefined) {
                if (v !== null && v !== "" && !plaintextKeys.includes(section)) plaintextKeys.push(section);
                if (typeof v !== "string" || v === "") continue;
            }
            names[section].push(name);
            if (section === "supplied" && cipher !== undefined) ciphertexts.set(name, cipher);
        }
    }
    const holdsSecure = (v: unknown): boolean => {
        const todo = [v];
        while (todo.length) {
            const x = todo.pop();
            if (secureText(x) !== undefined) return true;
            if (x && typeof x === "object") todo.push(...Object.values(x));
        }
        return false;
    };
    const encryptedKeys = Object.entries(withoutSecrets).flatMap(([k, v]) => (k.startsWith(`${NAMESPACE}:`) && holdsSecure(v) ? [k.slice(NAMESPACE.length + 1)] : []));
    const raw = rawConfigOf(withoutSecrets, { suppliedNames: names.supplied, hostKeyNames: names.hostKeys, plaintextKeys, encryptedKeys });
    return {
        label,
        text,
        get doc() {
            return parsed();
        },
        raw,
        hasRekeyKeys: Object.keys(config).some((k) => k.startsWith(`${NAMESPACE}:`)),
        ciphertexts,
        writtenKeys,
        values: top,
        entries: read?.entries.get(writtenKeys.get(`${NAMESPACE}:secrets`) ?? `${NAMESPACE}:secrets`),
    };
}

/** The same parse under another label (the base's, when its text is the head's: baseRevision.ts parsedBase); the document is shared, composed once on first use. */
export function relabelled(file: StackFile, label: string): StackFile {
    const { text, raw, hasRekeyKeys, ciphertexts, writtenKeys, values, entries } = file;
    return {
        label,
        text,
        get doc() {
            return file.doc;
        },
        raw,
        hasRekeyKeys,
        ciphertexts,
        writtenKeys,
        values,
        entries,
    };
}

/** What status, due and plan say of a stack file without rekey:* keys (pulumi stack init's). */
export function noSecretsNote(project: Project, stack: string): string {
    return `${stackFileName(project, stack)} has no rekey:* keys: no secrets to rotate`;
}

/** The stack file of `stack`, read and parsed (labelled with its file name); `withEntries`, with its secrets' entries (StackFile.entries). */
export function openStackFile(project: Project, stack: string, withEntries: boolean | ((text: string) => boolean) = false): { path: string; text: string; file: StackFile } {
    const { path, text } = readStackText(project, stack);
    const entries = typeof withEntries === "function" ? withEntries(text) : withEntries;
    return { path, text, file: parseStackFile(text, stackFileName(project, stack), project.name, undefined, entries) };
}

/** The stacks of a project: each Pulumi.<stack>.yaml of its stack directory that is a regular file (or a symlink to one), sorted. */
export function stacksIn(project: Project): string[] {
    const dir = project.stackDir;
    let names: string[];
    try {
        names = readdirSync(dir);
    } catch {
        return [];
    }
    const isFile = (n: string) => {
        try {
            return statSync(join(dir, n)).isFile();
        } catch {
            return false; // a dangling symlink: no stack
        }
    };
    return names.flatMap((n) => {
        const m = n.startsWith("Pulumi.") && n.endsWith(project.ext) ? n.slice("Pulumi.".length, n.length - project.ext.length) : null;
        return m && STACK_NAME.test(m) && isFile(n) ? [m] : [];
    }).sort();
}

/**
 * The plan of a stack file; an invalid configuration is a CliError naming every problem.
 * With `today` (UTC), a rotatedAt after it is one; a base version is planned without it.
 */
export function planOf(file: StackFile, today?: string): RotationPlan {
    try {
        return planRotation(file.raw, { today });
    } catch (e) {
        if (e instanceof RekeyConfigError) throw new CliError(`${file.label}: ${e.message}`);
        throw e;
    }
}

/** A stack file opened with its plan (bump, rollback, plan). */
export interface Stack {
    project: Project;
    stack: string;
    path: string;
    file: StackFile;
    plan: RotationPlan;
    /** Today (UTC): a rotatedAt after it is a validation problem. */
    today: string;
}

/** A stack opened for an edit (bump, rollback): read with its secrets' entries (StackFile.entries). */
export function openStack(project: Project, stack: string, { today }: Today): Stack {
    const { path, file } = openStackFile(project, stack, true);
    return { project, stack, path, file, plan: planOf(file, today), today };
}

/** A stack's plan, or null when its file has no `rekey:*` keys. */
export function planOfStack(project: Project, stack: string, today: string): RotationPlan | null {
    const { file } = openStackFile(project, stack);
    return file.hasRekeyKeys ? planOf(file, today) : null;
}

/**
 * The YAML nodes from the document's map down to one secret's entry (the document's map,
 * `config`, `rekey:secrets`, the entry), for edits. An alias on the way is refused by name:
 * its text is elsewhere, and editing it there would change every use of it.
 */
export function secretPath(file: StackFile, name: string) {
    const { isAlias, isMap } = yamlDocuments();
    const keys = ["config", secretsKey(file), name];
    const top = file.doc.contents;
    if (!isMap(top)) throw new CliError(`${file.label}: the document is not a map`);
    const path: YAMLMap<unknown, unknown>[] = [top];
    for (const [i, key] of keys.entries()) {
        const node: unknown = path[i].get(key, true);
        const what = i === 2 ? `secret ${name}` : key;
        if (isAlias(node)) throw new CliError(`${file.label}: ${what} is written as an alias (*${node.source}); rekey edits only what is written out in place: write it out`);
        if (!isMap(node)) throw new CliError(`${file.label}: ${what} is not a map`);
        path.push(node);
    }
    return path;
}

/** `rekey:secrets` as the file writes it (`secrets` in the project rekey may). */
export function secretsKey(file: StackFile): string {
    return file.writtenKeys.get(`${NAMESPACE}:secrets`) ?? `${NAMESPACE}:secrets`;
}

/** The YAML node of one secret's entry, for edits. */
export function secretNode(file: StackFile, name: string) {
    return secretPath(file, name)[3];
}

export function scalarIn(map: ReturnType<typeof secretNode>, key: string) {
    const { isScalar } = yamlDocuments();
    const pair = map.items.find((p) => isScalar(p.key) && p.key.value === key);
    return pair ? { pair, value: isScalar(pair.value) ? pair.value : null } : null;
}

export interface StackChoice {
    stack?: string;
    allStacks?: boolean;
}

/** One stack's outcome in a command over several: its result, or why its file was refused. */
export type StackOutcome<T> = { stack: string; result: T; error?: undefined } | { stack: string; result?: undefined; error: string };

/**
 * `fn` for each stack. With --all-stacks, a stack whose file is refused (unreadable, not
 * YAML, an invalid configuration), or whose run fails with an internal error, becomes its
 * error and the others still run, so one bad file does not hide every other stack's report;
 * the command then exits 2. For one named stack the error is the command's own.
 */
export function eachStack<T>(project: Project, stacks: string[], all: boolean | undefined, fn: (stack: string) => T): StackOutcome<T>[] {
    return stacks.map((stack) => {
        try {
            return { stack, result: fn(stack) };
        } catch (e) {
            if (!all) throw e;
            // An error rekey did not foresee (a bug, a limit of the runtime) refuses this stack
            // only: the due report must still list production's overdue secrets.
            return { stack, error: e instanceof CliError ? e.message : `${stackFileName(project, stack)}: ${internalErrorMessage(e)}` };
        }
    });
}

/** The stacks a command runs on: the one named (its stack part, project.ts stackOf), or every stack file of the project. */
export function chosenStacks(project: Project, o: StackChoice): string[] {
    if (o.stack !== undefined && o.allStacks) throw new CliError("give --stack or --all-stacks, not both");
    if (o.stack !== undefined) return [stackOf(project, o.stack)];
    if (!o.allStacks) throw new CliError("name the stack with --stack <stack>, or give --all-stacks");
    const stacks = stacksIn(project);
    if (!stacks.length) throw new CliError(`no Pulumi.<stack>${project.ext} in ${project.stackDir}`);
    return stacks;
}
