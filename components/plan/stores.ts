// Where store writes land, grouped by the resource that performs them. A Kubernetes Secret
// or a .env file shared by several rekey secrets is one resource with every managed key,
// so rotating one key updates it in place and two writers never race on one file.
import type { DotenvStore, DotenvTraits, FileStore, KeyVaultStore, KubernetesStore, PlannedSecret, RotationPlan, SsmStore, Variant } from "./model";

export type { DotenvTraits } from "./model";

export interface WriteRef {
    secret: PlannedSecret;
    variant: Variant;
    /** The Kubernetes or .env key, SSM / Key Vault name, or file path. */
    target: string;
}

export interface KubernetesSecretTarget {
    namespace: string;
    name: string;
    type: string | null;
    keys: WriteRef[];
}

export interface DotenvFileTarget {
    host: string | null;
    path: string;
    keys: WriteRef[];
}

export interface StoreTargets {
    ssm: { secret: PlannedSecret; store: SsmStore }[];
    keyVault: { secret: PlannedSecret; store: KeyVaultStore }[];
    kubernetesSecrets: KubernetesSecretTarget[];
    dotenvFiles: DotenvFileTarget[];
    files: { secret: PlannedSecret; store: FileStore }[];
}

export function storeTargets(plan: RotationPlan): StoreTargets {
    const out: StoreTargets = { ssm: [], keyVault: [], kubernetesSecrets: [], dotenvFiles: [], files: [] };
    const k8s = new Map<string, KubernetesSecretTarget>();
    const dotenv = new Map<string, DotenvFileTarget>();
    for (const secret of plan.secrets) {
        for (const store of secret.stores) {
            const refs = store.writes.map((w) => ({ secret, variant: w.variant, target: w.target }));
            switch (store.kind) {
                case "ssm":
                    out.ssm.push({ secret, store });
                    break;
                case "keyVault":
                    out.keyVault.push({ secret, store });
                    break;
                case "file":
                    out.files.push({ secret, store });
                    break;
                case "kubernetes": {
                    const id = `${store.namespace}/${store.secret}`;
                    const t = k8s.get(id) ?? { namespace: store.namespace, name: store.secret, type: store.type, keys: [] };
                    t.keys.push(...refs);
                    k8s.set(id, t);
                    break;
                }
                case "dotenv": {
                    const id = `${store.host ?? ""}:${store.path}`;
                    const t = dotenv.get(id) ?? { host: store.host, path: store.path, keys: [] };
                    t.keys.push(...refs);
                    dotenv.set(id, t);
                    break;
                }
            }
        }
    }
    const byKey = (a: WriteRef, b: WriteRef) => (a.target < b.target ? -1 : a.target > b.target ? 1 : 0);
    out.kubernetesSecrets = [...k8s.values()].map((t) => ({ ...t, keys: [...t.keys].sort(byKey) }));
    out.dotenvFiles = [...dotenv.values()];
    return out;
}

/** What a store records about the value it holds: epoch and date where config knows them. */
export function writeRecord(ref: { secret: PlannedSecret; variant: Variant }): { epoch: number | null; rotatedAt: string | null } {
    const s = ref.secret;
    if (ref.variant === "previous") return { epoch: s.slots.find((slot) => slot.role === "previous")?.epoch ?? null, rotatedAt: null };
    return { epoch: s.epoch, rotatedAt: s.rotatedAt };
}

/** The date a value should be rotated by (rotatedAt + cadenceDays), as Unix seconds. */
export function expiresAt(secret: PlannedSecret): number | null {
    if (!secret.rotatedAt || !secret.cadenceDays) return null;
    return Date.parse(`${secret.rotatedAt}T00:00:00Z`) / 1000 + secret.cadenceDays * 86400;
}

/**
 * A .env line that three readers take back as exactly `value`, and that runs nothing when
 * sourced: the `dotenv` npm parser, docker compose v2's env_file (compose-go
 * dotenv/parser.go extractVarValue), and POSIX `set -a; . FILE` under dash, bash and
 * busybox sh.
 *
 * - Single quotes are literal in all three. dotenv and compose both take `\'` as an escaped
 *   quote, so the value must not end with a backslash (the closing quote would be escaped),
 *   and it cannot hold a `'`.
 * - Double quotes are literal in all three only without `"`, `\`, `$` and a backtick
 *   (dotenv expands `\n`; compose expands escapes and variables; sh expands `$`, runs
 *   backticks and takes `\` as an escape).
 *
 * A value that fits neither (see dotenvTraitsProblem) cannot be written: the reason is
 * returned, never the value.
 */
export function dotenvLine(key: string, value: string): { line: string } | { problem: string } {
    const traits = dotenvTraits(value);
    const problem = dotenvTraitsProblem(traits);
    if (problem) return { problem };
    return { line: traits.singleQuote || traits.endsWithBackslash ? `${key}="${value}"` : `${key}='${value}'` };
}

const LINE_BREAK = /[\n\r\0\u0085\u2028\u2029]/;

export function dotenvTraits(text: string): DotenvTraits {
    return {
        lineBreak: LINE_BREAK.test(text),
        singleQuote: text.includes("'"),
        doubleQuoteSpecial: /["\\$`]/.test(text),
        endsWithBackslash: text.endsWith("\\"),
    };
}

/** The traits of any value drawn from these characters (a generator's alphabet). */
export function alphabetTraits(chars: string): DotenvTraits {
    return { ...dotenvTraits(chars), endsWithBackslash: chars.includes("\\") };
}

/** The traits of the concatenation of values with these traits, in this order. */
export function concatTraits(...parts: DotenvTraits[]): DotenvTraits {
    return {
        lineBreak: parts.some((t) => t.lineBreak),
        singleQuote: parts.some((t) => t.singleQuote),
        doubleQuoteSpecial: parts.some((t) => t.doubleQuoteSpecial),
        endsWithBackslash: parts.length > 0 && parts[parts.length - 1].endsWithBackslash,
    };
}

/** The rule of dotenvLine, over traits: why a value with them cannot be written, or null. */
export function dotenvTraitsProblem(t: DotenvTraits): string | null {
    if (t.lineBreak) return "its value can contain a line break, which a .env line cannot hold";
    if (t.singleQuote && t.doubleQuoteSpecial) {
        return "its value can contain a single quote together with one of \" \\ $ or a backtick, which no .env quoting reads back exactly in dotenv, docker compose and a POSIX shell (and sourcing must run nothing)";
    }
    if (t.endsWithBackslash) {
        return "its value can end with a backslash, which escapes a closing single quote in dotenv and docker compose and is special inside double quotes";
    }
    return null;
}
