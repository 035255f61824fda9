// Loads a Pulumi.<stack>.yaml the way the Pulumi CLI hands it to a program: every config
// value, with `secure:` values decrypted and their top-level keys listed as secret.
import { readFileSync } from "fs";
import { join } from "path";
import { parse } from "yaml";
import { SAMPLE_PASSPHRASE, decrypt, passphraseKey } from "./passphrase";

export const ROOT = join(__dirname, "..", "..");

export interface LoadedStack {
    config: Record<string, unknown>;
    secretKeys: string[];
}

const keys = new Map<string, Buffer>();

export function loadStackFile(stack: string, passphrase = SAMPLE_PASSPHRASE): LoadedStack {
    return loadStackText(readFileSync(join(ROOT, `Pulumi.${stack}.yaml`), "utf8"), passphrase);
}

/** The key of a stack file's secure values (its encryptionsalt and the passphrase). */
export function stackKey(text: string, passphrase = SAMPLE_PASSPHRASE): Buffer {
    const salt: string | undefined = parse(text).encryptionsalt;
    if (!salt) throw new Error("the stack file has secure values but no encryptionsalt");
    if (!keys.has(salt)) keys.set(salt, passphraseKey(passphrase, salt));
    return keys.get(salt)!;
}

/**
 * `project`: the project's name. A key without a namespace is the project's, as the engine
 * reads it (pulumi/pulumi sdk/go/common/workspace/loaders.go stackConfigNamespacedWithProject).
 */
export function loadStackText(text: string, passphrase = SAMPLE_PASSPHRASE, project = "rekey"): LoadedStack {
    const doc = parse(text);
    let key: Buffer | undefined;
    const keyFor = () => (key ??= stackKey(text, passphrase));
    const secretKeys: string[] = [];
    const reveal = (v: unknown, top: string): unknown => {
        if (Array.isArray(v)) return v.map((x) => reveal(x, top));
        if (v && typeof v === "object") {
            const o = v as Record<string, unknown>;
            if (Object.keys(o).length === 1 && typeof o.secure === "string") {
                if (!secretKeys.includes(top)) secretKeys.push(top);
                return decrypt(keyFor(), o.secure);
            }
            return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, reveal(x, top)]));
        }
        return v;
    };
    const config: Record<string, unknown> = {};
    for (const [written, v] of Object.entries(doc.config ?? {})) {
        const k = written.includes(":") ? written : `${project}:${written}`;
        config[k] = reveal(v, k);
    }
    return { config, secretKeys };
}
