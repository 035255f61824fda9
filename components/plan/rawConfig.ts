// The `rekey:*` keys of a stack's configuration, gathered for the planner. The program
// (values from the Pulumi engine), the `rekey` CLI (values from Pulumi.<stack>.yaml) and the
// tests all build the planner's input here.
import { DotenvTraits, KNOWN_CONFIG_KEYS, RawConfig } from "./model";

export const NAMESPACE = "rekey";
/** Sections that hold only encrypted values; the planner learns only their names. */
export const SECRET_ONLY_KEYS = ["supplied", "hostKeys"] as const;

/** What the caller knows of the secret-only sections (never their values). */
export interface SecretSectionFacts {
    suppliedNames: readonly string[];
    hostKeyNames: readonly string[];
    plaintextKeys?: readonly string[];
    /** Sections other than those that hold an encrypted value (set with --secret). */
    encryptedKeys?: readonly string[];
    suppliedTraits?: Readonly<Record<string, DotenvTraits>>;
}

/** `config` maps full keys (`rekey:secrets`) to parsed values; other namespaces are ignored. */
export function rawConfigOf(config: Readonly<Record<string, unknown>>, secrets: SecretSectionFacts): RawConfig {
    const sections: Record<string, unknown> = {};
    const unknownKeys: string[] = [];
    // An encrypted section's content never reaches the planner: it is refused by its key
    // (planRotation), and nothing read from it may end up in a message.
    const encrypted = new Set(secrets.encryptedKeys ?? []);
    for (const [fullKey, value] of Object.entries(config)) {
        if (!fullKey.startsWith(`${NAMESPACE}:`)) continue;
        const key = fullKey.slice(NAMESPACE.length + 1);
        if (!(KNOWN_CONFIG_KEYS as readonly string[]).includes(key)) unknownKeys.push(key);
        else if (!encrypted.has(key)) sections[key] = value;
    }
    return {
        secrets: sections.secrets,
        consumers: sections.consumers,
        hosts: sections.hosts,
        defaults: sections.defaults,
        unknownKeys,
        ...secrets,
    };
}
