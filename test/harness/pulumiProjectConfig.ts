// The Pulumi engine's own check of a stack's configuration against the project's `config:`
// declarations in Pulumi.yaml, ported from pulumi/pulumi so that the suite can hold rekey's
// Pulumi.yaml and every stack file to it without a Pulumi CLI:
//
// - sdk/go/common/workspace/project.go `(*Project).Validate`: a declaration has at most one
//   of `default` and `value`; a typed array declares `items`; a typed `default` has its type.
// - pkg/workspace/config.go `mergeConfig`: a key declared in the project namespace (no `:`,
//   or `<project>:`) with neither `default` nor `value` must be set in every stack, else
//   "Stack '<stack>' is missing configuration value(s) '<key>'"; a declared default fills
//   a key the stack lacks.
// - pkg/workspace/config.go `validateStackConfigValue` with project.go `ValidateConfigValue`:
//   a key declared `secret: true` must be encrypted; a typed key must hold its type (a plain
//   value is the string the stack file holds: integers and booleans may be strings that
//   parse; `object` is a map; `array` checks each item against `items`).
import { parse } from "yaml";

export interface ConfigTypeDeclaration {
    type?: string;
    items?: { type: string; items?: ConfigTypeDeclaration["items"] };
    description?: string;
    secret?: boolean;
    default?: unknown;
    value?: unknown;
}

export interface ProjectFile {
    name: string;
    config?: Record<string, ConfigTypeDeclaration | string | number | boolean>;
}

/** A stack value is secure when it is `{ secure: … }` or holds one (config.Value.Secure). */
function isSecure(v: unknown): boolean {
    if (Array.isArray(v)) return v.some(isSecure);
    if (v && typeof v === "object") {
        const o = v as Record<string, unknown>;
        if (Object.keys(o).length === 1 && typeof o.secure === "string") return true;
        return Object.values(o).some(isSecure);
    }
    return false;
}

function validateValue(type: string, items: ConfigTypeDeclaration["items"], value: unknown): boolean {
    switch (type) {
        case "string":
            return typeof value === "string";
        case "integer":
            if (typeof value === "number") return Number.isInteger(value);
            return typeof value === "string" && /^[+-]?\d+$/.test(value);
        case "boolean":
            return typeof value === "boolean" || value === "true" || value === "false";
        case "object":
            return value !== null && typeof value === "object" && !Array.isArray(value);
        default:
            return Array.isArray(value) && items !== undefined && value.every((v) => validateValue(items.type, items.items, v));
    }
}

function fullTypeName(type: string, items: ConfigTypeDeclaration["items"]): string {
    return items ? `array<${fullTypeName(items.type, items.items)}>` : type;
}

/**
 * The errors `pulumi preview` / `pulumi up` would stop with before running the program
 * (empty when the engine accepts the stack). `stackConfig` is the stack file's `config:`.
 */
export function engineConfigErrors(project: ProjectFile, stackName: string, stackConfig: Record<string, unknown>): string[] {
    const errors: string[] = [];
    const declared = Object.entries(project.config ?? {});
    // Project.Validate
    for (const [key, decl] of declared) {
        if (typeof decl !== "object" || decl === null) continue;
        if (decl.default !== undefined && decl.value !== undefined) errors.push(`project config '${key}' cannot have both a 'default' and 'value' attribute`);
        const ownNamespace = !key.includes(":") || key.startsWith(`${project.name}:`);
        if (ownNamespace && decl.type === "array" && !decl.items) errors.push(`The configuration key '${key}' declares an array but does not specify the underlying type via the 'items' attribute`);
        if (ownNamespace && decl.type && decl.default !== undefined && !validateValue(decl.type, decl.items, decl.default)) {
            errors.push(`The default value specified for configuration key '${key}' is not of the expected type '${fullTypeName(decl.type, decl.items)}'`);
        }
    }
    if (errors.length) return errors;

    // mergeConfig: the missing-key rule, over the keys in sorted order.
    const fullKey = (key: string) => (key.includes(":") ? key : `${project.name}:${key}`);
    const missing: string[] = [];
    for (const [key, decl] of [...declared].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        const full = fullKey(key);
        const d = typeof decl === "object" && decl !== null ? decl : { value: decl };
        const onStack = Object.prototype.hasOwnProperty.call(stackConfig, full);
        if (!onStack && d.value === undefined && d.default === undefined && full.startsWith(`${project.name}:`)) missing.push(key);
    }
    if (missing.length) {
        const sorted = [...missing].sort();
        const list =
            sorted.length === 1
                ? `'${sorted[0]}'`
                : sorted.map((k, i) => (i === sorted.length - 1 ? `and '${k}'` : i === sorted.length - 2 ? `'${k}' ` : `'${k}', `)).join("");
        return [`Stack '${stackName}' is missing configuration value${sorted.length > 1 ? "s" : ""} ${list}`];
    }

    // validateStackConfigValues: secrets and declared types.
    for (const [key, decl] of [...declared].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        if (typeof decl !== "object" || decl === null) continue;
        const full = fullKey(key);
        if (!Object.prototype.hasOwnProperty.call(stackConfig, full)) continue;
        const value = stackConfig[full];
        if (decl.secret && !isSecure(value)) {
            errors.push(`Stack '${stackName}' with configuration key '${key}' must be encrypted as it's secret`);
            continue;
        }
        if (!decl.type) continue;
        // A plain (non-object) stack value reaches the check as the text the file holds.
        const content = value !== null && typeof value === "object" ? value : String(value);
        if (!validateValue(decl.type, decl.items, content)) {
            errors.push(`Stack '${stackName}' with configuration key '${key}' must be of type '${fullTypeName(decl.type, decl.items)}'`);
        }
    }
    return errors;
}

/** The stack's configuration as the program receives it: declared defaults fill absent keys (mergeConfig). */
export function mergedConfig(project: ProjectFile, stackConfig: Record<string, unknown>): Record<string, unknown> {
    const out = { ...stackConfig };
    for (const [key, decl] of Object.entries(project.config ?? {})) {
        const full = key.includes(":") ? key : `${project.name}:${key}`;
        if (typeof decl !== "object" || decl === null || Object.prototype.hasOwnProperty.call(out, full)) continue;
        const v = decl.value ?? decl.default;
        if (v !== undefined) out[full] = v;
    }
    return out;
}

export function parseProjectFile(text: string): ProjectFile {
    return parse(text) as ProjectFile;
}
