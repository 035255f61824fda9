// Pulumi.<stack>.yaml as the CLI sees it: the text (edits splice it), the planner's input,
// and on demand the yaml document (positions and comments, for edits and reasons).
// Encrypted values are never decrypted; `ciphertexts` exists only to tell whether a supplied
// value changed and is never printed.
//
// Values are read with js-yaml (core schema: dates stay strings, duplicate keys are errors),
// several times faster than composing a yaml Document; `rekey plan` on a 1,000-secret stack
// reads two versions of the file and must stay under a second. The yaml package (the
// document, for edits and the reasons beside epochs) is loaded on first use: status and due
// never need it, and loading it is a sixth of their start-up.
import { readFileSync, readdirSync, statSync } from "fs";
import { CORE_SCHEMA, YAMLException, load } from "js-yaml";
import { join } from "path";
import type { Document } from "yaml";
import { RawConfig, RotationPlan, RekeyConfigError, planRotation } from "../components/plan/plan";
import { NAMESPACE, SECRET_ONLY_KEYS, rawConfigOf } from "../components/plan/rawConfig";
import { CliError, internalErrorMessage } from "./errors";

export const STACK_NAME = /^[A-Za-z0-9_.-]+$/;

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
}

export function stackFileName(stack: string): string {
    if (!STACK_NAME.test(stack)) throw new CliError(`--stack "${stack}" is not a stack name (letters, digits, "_", "." and "-")`);
    return `Pulumi.${stack}.yaml`;
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

export function readStackText(dir: string, stack: string): { path: string; text: string } {
    const path = join(dir, stackFileName(stack));
    try {
        return { path, text: utf8Text(readRegularFile(path), path) };
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        const stacks = stacksIn(dir);
        const why =
            code === "ENOENT"
                ? `no such file (${stacks.length ? `the stacks here: ${stacks.join(", ")}` : `no Pulumi.<stack>.yaml in ${dir}`})`
                : code === "EACCES"
                  ? "permission denied"
                  : (e as Error).message;
        throw new CliError(`cannot read ${path}: ${why}`);
    }
}

function secureText(v: unknown): string | undefined {
    if (v && typeof v === "object" && !Array.isArray(v)) {
        const o = v as Record<string, unknown>;
        if (Object.keys(o).length === 1 && typeof o.secure === "string") return o.secure;
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

/** Line breaks for Pulumi's YAML reader (Go, yaml.v3) that js-yaml reads as ordinary characters. */
const FOREIGN_BREAKS: Record<string, string> = { "\u0085": "U+0085 NEXT LINE", "\u2028": "U+2028 LINE SEPARATOR", "\u2029": "U+2029 PARAGRAPH SEPARATOR" };
const FOREIGN_BREAK = /[\u0085\u2028\u2029]/;

/** Where the first of those is, as a problem to refuse: keys after it would be read one way by Pulumi and another by rekey. */
export function foreignBreakProblem(text: string): string | null {
    const m = FOREIGN_BREAK.exec(text);
    if (!m) return null;
    const before = text.slice(0, m.index).split("\n");
    return `line ${before.length}, column ${before[before.length - 1].length + 1}: ${FOREIGN_BREAKS[m[0]]} is a line break for Pulumi's YAML reader but not for rekey's, so the two would read different keys; remove it`;
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

/** The parsed values walked once, without recursion: more than MAX_NODES visits, or a value nested deeper than MAX_DEPTH, is refused. */
function checkSize(value: unknown, label: string): void {
    let budget = MAX_NODES;
    const stack: [unknown, number][] = [[value, 0]];
    while (stack.length) {
        const [v, depth] = stack.pop()!;
        if (--budget < 0) throw new CliError(`${label} expands to more than ${MAX_NODES} values (YAML aliases?): refused`);
        if (depth > MAX_DEPTH) throw new CliError(`${label} nests values more than ${MAX_DEPTH} deep (through YAML aliases): refused`);
        if (v && typeof v === "object") for (const x of Object.values(v)) stack.push([x, depth + 1]);
    }
}

export function parseStackFile(text: string, label: string): StackFile {
    const foreign = foreignBreakProblem(text);
    if (foreign) throw new CliError(`${label}: ${foreign}`);
    let top: unknown;
    try {
        top = load(text, { schema: CORE_SCHEMA, filename: label });
    } catch (e) {
        if (!(e instanceof YAMLException)) throw e;
        throw new CliError(`${label} is not valid YAML: line ${e.mark.line + 1}, column ${e.mark.column + 1}: ${e.reason}`);
    }
    checkSize(top, label);
    if (top !== null && top !== undefined && (typeof top !== "object" || Array.isArray(top))) {
        throw new CliError(`${label} is not a Pulumi stack file: expected a map with a config key`);
    }
    const config = ((top as Record<string, unknown> | null)?.config ?? {}) as Record<string, unknown>;
    if (typeof config !== "object" || Array.isArray(config)) throw new CliError(`${label}: config is not a map`);

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
                    `set each entry with pulumi config set --secret --path '${section}.NAME'`,
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
    let doc: Document.Parsed | undefined;
    return {
        label,
        text,
        get doc() {
            return (doc ??= yamlDocuments().parseDocument(text, { keepSourceTokens: true }));
        },
        raw,
        hasRekeyKeys: Object.keys(config).some((k) => k.startsWith(`${NAMESPACE}:`)),
        ciphertexts,
    };
}

/** What status, due and plan say of a stack file without rekey:* keys (pulumi stack init's). */
export function noSecretsNote(stack: string): string {
    return `Pulumi.${stack}.yaml has no rekey:* keys: no secrets to rotate`;
}

/** The stacks of a project directory: each Pulumi.<stack>.yaml that is a regular file (or a symlink to one), sorted. */
export function stacksIn(dir: string): string[] {
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
        const m = /^Pulumi\.(.+)\.yaml$/.exec(n);
        return m && STACK_NAME.test(m[1]) && isFile(n) ? [m[1]] : [];
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

/** The yaml package, loaded when a document is first needed. */
export function yamlDocuments(): typeof import("yaml") {
    return require("yaml") as typeof import("yaml");
}

/** The YAML node of one secret's entry, for edits. */
export function secretNode(file: StackFile, name: string) {
    const node = file.doc.getIn(["config", `${NAMESPACE}:secrets`, name], true);
    if (!yamlDocuments().isMap(node)) throw new CliError(`${file.label}: secret ${name} is not a map`);
    return node;
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
export function eachStack<T>(stacks: string[], all: boolean | undefined, fn: (stack: string) => T): StackOutcome<T>[] {
    return stacks.map((stack) => {
        try {
            return { stack, result: fn(stack) };
        } catch (e) {
            if (!all) throw e;
            // An error rekey did not foresee (a bug, a limit of the runtime) refuses this stack
            // only: the due report must still list production's overdue secrets.
            return { stack, error: e instanceof CliError ? e.message : `${stackFileName(stack)}: ${internalErrorMessage(e)}` };
        }
    });
}

/** The stacks a command runs on: the one named, or every Pulumi.<stack>.yaml of the directory. */
export function chosenStacks(dir: string, o: StackChoice): string[] {
    if (o.stack !== undefined && o.allStacks) throw new CliError("give --stack or --all-stacks, not both");
    if (o.stack !== undefined) return [o.stack];
    if (!o.allStacks) throw new CliError("name the stack with --stack <stack>, or give --all-stacks");
    const stacks = stacksIn(dir);
    if (!stacks.length) throw new CliError(`no Pulumi.<stack>.yaml in ${dir}`);
    return stacks;
}
