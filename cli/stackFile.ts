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
import { CORE_SCHEMA, YAMLException, load } from "js-yaml";
import { join } from "path";
import type { Document, YAMLMap } from "yaml";
import { RawConfig, RotationPlan, RekeyConfigError, planRotation } from "../components/plan/plan";
import { NAMESPACE, SECRET_ONLY_KEYS, rawConfigOf } from "../components/plan/rawConfig";
import { engineReadingProblem, mayBeTypedKey, readerProblem, typedKeyProblem, yamlDocuments } from "./engineYaml";
import { CliError } from "./errors";

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

/** Visits of the parsed values allowed: YAML aliases can make a small file expand enormously. */
const MAX_NODES = 200_000;

/** Checks the size; whether a key may have been written as one yaml.v3 types (engineYaml.ts typedKeyProblem then looks). */
function checkSize(value: unknown, label: string): boolean {
    let budget = MAX_NODES;
    let typedKey = false;
    const stack = [value];
    while (stack.length) {
        const v = stack.pop();
        if (--budget < 0) throw new CliError(`${label} expands to more than ${MAX_NODES} values (YAML aliases?): refused`);
        if (v && typeof v === "object") {
            if (!typedKey && !Array.isArray(v)) typedKey = Object.keys(v).some(mayBeTypedKey);
            for (const x of Object.values(v)) stack.push(x);
        }
    }
    return typedKey;
}

export function parseStackFile(text: string, label: string): StackFile {
    // Before js-yaml reads it: js-yaml places a control character at its line's end, or not at all.
    const unread = readerProblem(text);
    if (unread) throw new CliError(`${label}: ${unread}`);
    let top: unknown;
    try {
        top = load(text, { schema: CORE_SCHEMA, filename: label });
    } catch (e) {
        if (!(e instanceof YAMLException)) throw e;
        throw new CliError(`${label} is not valid YAML: line ${e.mark.line + 1}, column ${e.mark.column + 1}: ${e.reason}`);
    }
    const typedKey = checkSize(top, label);
    let doc: Document.Parsed | undefined;
    const parsed = () => (doc ??= yamlDocuments().parseDocument(text, { keepSourceTokens: true }));
    const otherwise = (typedKey ? typedKeyProblem(text, parsed()) : null) ?? engineReadingProblem(text, parsed);
    if (otherwise) throw new CliError(`${label}: ${otherwise}`);
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
    const holdsSecure = (v: unknown): boolean => secureText(v) !== undefined || (!!v && typeof v === "object" && Object.values(v as object).some(holdsSecure));
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

/**
 * The YAML nodes from the document's map down to one secret's entry (the document's map,
 * `config`, `rekey:secrets`, the entry), for edits. An alias on the way is refused by name:
 * its text is elsewhere, and editing it there would change every use of it.
 */
export function secretPath(file: StackFile, name: string) {
    const { isAlias, isMap } = yamlDocuments();
    const keys = ["config", `${NAMESPACE}:secrets`, name];
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
 * YAML, an invalid configuration) becomes its error and the others still run, so one bad
 * file does not hide every other stack's report; the command then exits 2. For one named
 * stack the error is the command's own.
 */
export function eachStack<T>(stacks: string[], all: boolean | undefined, fn: (stack: string) => T): StackOutcome<T>[] {
    return stacks.map((stack) => {
        try {
            return { stack, result: fn(stack) };
        } catch (e) {
            if (!all || !(e instanceof CliError)) throw e;
            return { stack, error: e.message };
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
