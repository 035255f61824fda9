// Reads the `rekey:*` stack configuration for the planner. Values of `rekey:supplied` and
// `rekey:hostKeys` are wrapped as secrets as soon as they are read; the planner only
// learns which names are present.
import * as pulumi from "@pulumi/pulumi";
import type { RotationArgs } from "./args";
import { RawConfig } from "./plan/plan";
import { NAMESPACE, SECRET_ONLY_KEYS, rawConfigOf } from "./plan/rawConfig";
import { DotenvTraits, dotenvTraits } from "./plan/dotenvLine";

export interface StackConfig {
    raw: RawConfig;
    supplied: Map<string, pulumi.Output<string>>;
    hostKeys: Map<string, pulumi.Output<string>>;
}

// The SDK exports isConfigSecret at run time but marks it internal in its typings. Without
// it (a future SDK), the plaintext check is skipped rather than failing every program.
const isConfigSecret: (key: string) => boolean =
    (pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean }).isConfigSecret ?? (() => true);

function parseValue(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

function secretMap(
    text: string | undefined,
    traits?: Record<string, DotenvTraits>,
): Map<string, pulumi.Output<string>> {
    const out = new Map<string, pulumi.Output<string>>();
    if (text === undefined) return out;
    const parsed = parseValue(text);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return out;
    for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
        if (typeof value !== "string" || value === "") continue;
        out.set(name, pulumi.secret(value));
        if (traits) traits[name] = dotenvTraits(value);
    }
    return out;
}

/** What reading the stack's config learned that the args of a Rotation cannot carry: keys and traits. */
export interface ConfigFacts {
    unknownKeys: readonly string[];
    plaintextKeys: readonly string[];
    encryptedKeys: readonly string[];
    suppliedTraits: Readonly<Record<string, DotenvTraits>>;
}

/** Where fromStackConfig's args carry those facts (a symbol: not an arg, invisible to schemas and JSON). */
export const CONFIG_FACTS = Symbol.for("rekey.configFacts");

/**
 * The `rekey:*` keys of this stack as a Rotation's args: the standalone program is
 * `new Rotation("rekey", fromStackConfig())`. Supplied values and host keys are secret
 * Outputs; what the configuration says beyond the args (unknown keys, plaintext where a
 * secret belongs, whether supplied values fit a .env line) travels with them, so the
 * Rotation names those problems too, before anything is registered.
 */
export function fromStackConfig(): RotationArgs {
    const { raw, supplied, hostKeys } = readStackConfig();
    const args = {
        secrets: raw.secrets,
        ...(raw.consumers !== undefined ? { consumers: raw.consumers } : {}),
        ...(raw.hosts !== undefined ? { hosts: raw.hosts } : {}),
        ...(raw.defaults !== undefined ? { defaults: raw.defaults } : {}),
        supplied: Object.fromEntries(supplied),
        hostKeys: Object.fromEntries(hostKeys),
    } as RotationArgs;
    const facts: ConfigFacts = {
        unknownKeys: raw.unknownKeys ?? [],
        plaintextKeys: raw.plaintextKeys ?? [],
        encryptedKeys: raw.encryptedKeys ?? [],
        suppliedTraits: raw.suppliedTraits ?? {},
    };
    // Enumerable, so that `{ ...fromStackConfig(), stackOutput }` keeps it (spread copies own
    // enumerable symbol keys; JSON and schemas ignore symbols).
    Object.defineProperty(args, CONFIG_FACTS, { value: facts, enumerable: true });
    return args;
}

export function readStackConfig(): StackConfig {
    const all = pulumi.runtime.allConfig();
    const secretOnly = new Set<string>(SECRET_ONLY_KEYS.map((k) => `${NAMESPACE}:${k}`));
    const config = Object.fromEntries(
        Object.entries(all).flatMap(([key, text]) => (secretOnly.has(key) ? [] : [[key, parseValue(text)]])),
    );
    const suppliedTraits: Record<string, DotenvTraits> = {};
    const supplied = secretMap(all[`${NAMESPACE}:supplied`], suppliedTraits);
    const hostKeys = secretMap(all[`${NAMESPACE}:hostKeys`]);
    const plaintextKeys = SECRET_ONLY_KEYS.filter(
        (k) => all[`${NAMESPACE}:${k}`] !== undefined && !isConfigSecret(`${NAMESPACE}:${k}`),
    );
    // A key set with --secret (or holding a --secret path) is secret as a whole.
    const encryptedKeys = Object.keys(all)
        .filter((k) => k.startsWith(`${NAMESPACE}:`) && !secretOnly.has(k) && isConfigSecret(k))
        .map((k) => k.slice(NAMESPACE.length + 1));
    return {
        raw: rawConfigOf(config, {
            suppliedNames: [...supplied.keys()],
            hostKeyNames: [...hostKeys.keys()],
            plaintextKeys,
            encryptedKeys,
            suppliedTraits,
        }),
        supplied,
        hostKeys,
    };
}
