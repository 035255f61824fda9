// Pulumi.<stack>.yaml as the CLI sees it: the text (edits splice it), the planner's input,
// and on demand the yaml document (positions and comments, for edits and reasons).
// Encrypted values are never decrypted; `ciphertexts` exists only to tell whether a supplied
// value changed and is never printed.
//
// Values are read with js-yaml (core schema: dates stay strings, duplicate keys are errors),
// several times faster than composing a yaml Document; `rekey plan` on a 1,000-secret stack
// reads two versions of the file and must stay under a second.
import { readFileSync } from "fs";
import { CORE_SCHEMA, YAMLException, load } from "js-yaml";
import { join } from "path";
import { Document, isMap, isScalar, parseDocument } from "yaml";
import { RawConfig, RotationPlan, RekeyConfigError, planRotation } from "../components/plan/plan";
import { NAMESPACE, SECRET_ONLY_KEYS, rawConfigOf } from "../components/plan/rawConfig";
import { CliError } from "./errors";

export const STACK_NAME = /^[A-Za-z0-9_.-]+$/;

export interface StackFile {
    /** Where it was read from (`Pulumi.production.yaml`, `origin/main:Pulumi.production.yaml`). */
    label: string;
    text: string;
    /** The yaml document with source positions and comments, parsed on first use. */
    readonly doc: Document.Parsed;
    raw: RawConfig;
    /** Encrypted `rekey:supplied` values by name, to compare with another version of the file. */
    ciphertexts: Map<string, string>;
}

export function stackFileName(stack: string): string {
    if (!STACK_NAME.test(stack)) throw new CliError(`--stack "${stack}" is not a stack name (letters, digits, "_", "." and "-")`);
    return `Pulumi.${stack}.yaml`;
}

export function readStackText(dir: string, stack: string): { path: string; text: string } {
    const path = join(dir, stackFileName(stack));
    try {
        return { path, text: readFileSync(path, "utf8") };
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        const why = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : (e as Error).message;
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

export function parseStackFile(text: string, label: string): StackFile {
    let top: unknown;
    try {
        top = load(text, { schema: CORE_SCHEMA, filename: label });
    } catch (e) {
        if (!(e instanceof YAMLException)) throw e;
        throw new CliError(`${label} is not valid YAML: line ${e.mark.line + 1}, column ${e.mark.column + 1}: ${e.reason}`);
    }
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
    const raw = rawConfigOf(withoutSecrets, { suppliedNames: names.supplied, hostKeyNames: names.hostKeys, plaintextKeys });
    let doc: Document.Parsed | undefined;
    return {
        label,
        text,
        get doc() {
            return (doc ??= parseDocument(text, { keepSourceTokens: true }));
        },
        raw,
        ciphertexts,
    };
}

/** The plan of a stack file; an invalid configuration is a CliError naming every problem. */
export function planOf(file: StackFile): RotationPlan {
    try {
        return planRotation(file.raw);
    } catch (e) {
        if (e instanceof RekeyConfigError) throw new CliError(`${file.label}: ${e.message}`);
        throw e;
    }
}

/** The YAML node of one secret's entry, for edits. */
export function secretNode(file: StackFile, name: string) {
    const node = file.doc.getIn(["config", `${NAMESPACE}:secrets`, name], true);
    if (!isMap(node)) throw new CliError(`${file.label}: secret ${name} is not a map`);
    return node;
}

export function scalarIn(map: ReturnType<typeof secretNode>, key: string) {
    const pair = map.items.find((p) => isScalar(p.key) && p.key.value === key);
    return pair ? { pair, value: isScalar(pair.value) ? pair.value : null } : null;
}
