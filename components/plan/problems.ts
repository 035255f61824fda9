// Problem collection: every check adds to one list, and the planner throws one
// RekeyConfigError naming every problem (subject, field, reason). zod issues become named
// problems here, with their dotted field path.
import { z } from "zod";
import { ConfigProblem } from "./model";
import { bareName, describe, numberText } from "./shown";

export class Problems {
    readonly list: ConfigProblem[] = [];
    add(subject: string, field: string, reason: string) {
        this.list.push({ subject, field, reason });
    }
}

/**
 * A field's path, dotted with list indexes: `stores[1].ssm.name`. Each key goes through the
 * name rule (shown.ts `bareName`): a key is text from the configuration, and one pasted
 * where a name belongs (`sk_live 4eC…`) is described, not shown.
 */
export function formatPath(path: readonly PropertyKey[]): string {
    let out = "";
    for (const p of path) {
        if (typeof p === "number") out += `[${p}]`;
        else {
            const key = typeof p === "string" ? bareName(p) : String(p);
            out += out ? `.${key}` : key;
        }
    }
    return out;
}

function zodReason(issue: z.core.$ZodIssue): string {
    if (issue.code === "invalid_type") {
        return issue.input === undefined ? `is required (${issue.expected})` : `expected ${issue.expected}, got ${describe(issue.input)}`;
    }
    // A number out of its range is that field's own kind of value (shown); a string or a list is described.
    if (issue.code === "too_small" && typeof issue.minimum !== "undefined") {
        return issue.origin === "string" ? "must not be empty" : `must be at least ${issue.minimum} (got ${numberText(issue.input)})`;
    }
    if (issue.code === "too_big") return `must be at most ${issue.maximum} (got ${numberText(issue.input)})`;
    // The allowed values are the schema's; what was given is described (zod's own message would echo it).
    if (issue.code === "invalid_value") return `must be ${issue.values.map((v) => JSON.stringify(v)).join(" or ")} (got ${describe(issue.input)})`;
    return issue.message;
}

/** Parses `value` with `schema`, reporting each issue against `subject`; returns undefined when invalid. */
export function parseWith<T>(schema: z.ZodType<T>, value: unknown, subject: string, problems: Problems, prefix = ""): T | undefined {
    const r = schema.safeParse(value, { reportInput: true });
    if (r.success) return r.data;
    for (const issue of r.error.issues) {
        const base = formatPath([...(prefix ? [prefix] : []), ...issue.path]);
        if (issue.code === "unrecognized_keys") {
            for (const k of issue.keys) problems.add(subject, base ? `${base}.${bareName(k)}` : bareName(k), "unknown key");
        } else {
            problems.add(subject, base, zodReason(issue));
        }
    }
    return undefined;
}

/** Validates a `rekey:` map section: a map from name to entry. */
export function parseMap<T>(
    raw: unknown,
    section: string,
    noun: string,
    schema: z.ZodType<T>,
    nameProblem: (n: string) => string | null,
    problems: Problems,
): Map<string, T> {
    const out = new Map<string, T>();
    if (raw === undefined || raw === null) return out;
    if (typeof raw !== "object" || Array.isArray(raw)) {
        problems.add(`rekey:${section}`, "", `expected a map of ${noun}s, got ${describe(raw)}`);
        return out;
    }
    for (const [name, entry] of Object.entries(raw as Record<string, unknown>)) {
        const subject = `${noun} ${bareName(name)}`;
        const np = nameProblem(name);
        if (np) problems.add(subject, "", np);
        const parsed = parseWith(schema, entry, subject, problems);
        if (parsed !== undefined && !np) out.set(name, parsed);
    }
    return out;
}

/** "a, b or c". */
export function oneOfText(keys: readonly string[]): string {
    return keys.length < 2 ? keys.join("") : `${keys.slice(0, -1).join(", ")} or ${keys[keys.length - 1]}`;
}

/**
 * The one of `keys` that `entry` sets (a one-of: a secret's source, a store's kind, a
 * hook's kind, a consumer's kind, a workload, a verify, a role). When it sets none or
 * several, adds one problem at `subject`/`field`: "needs exactly one of a, b or c", unless
 * the caller words the case of none or of several.
 */
export function exactlyOne<K extends string>(
    entry: Partial<Record<K, unknown>>,
    keys: readonly K[],
    at: { problems: Problems; subject: string; field: string; none?: string; several?: (found: K[]) => string },
): K | undefined {
    const found = keys.filter((k) => entry[k] !== undefined);
    if (found.length === 1) return found[0];
    const plain = `needs exactly one of ${oneOfText(keys)}`;
    at.problems.add(at.subject, at.field, found.length === 0 ? (at.none ?? plain) : (at.several?.(found) ?? plain));
    return undefined;
}
