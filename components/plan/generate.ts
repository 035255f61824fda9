// Generated secrets: the generate settings checked per encoding, and the generator slots of a first deployment.
import { BYTES_RANGE, BYTE_ENCODINGS, DEFAULT_SPECIAL, ENCODINGS, Encoding, GenerateSpec, HTPASSWD_LENGTH_RANGE, LENGTH_RANGE } from "./encodings";
import { GeneratorSlot, slotParity } from "./model";
import { Problems } from "./problems";
import { GenerateConfig } from "./schema";
import { describe } from "./shown";

export function checkGenerate(g: GenerateConfig, subject: string, problems: Problems): GenerateSpec | undefined {
    const f = (k: string) => `generate.${k}`;
    if (!(ENCODINGS as readonly string[]).includes(g.encoding)) {
        problems.add(subject, f("encoding"), `unknown encoding (${describe(g.encoding)}; known: ${ENCODINGS.join(", ")})`);
        return undefined;
    }
    const encoding = g.encoding as Encoding;
    const before = problems.list.length;
    const allowed: Record<Encoding, string[]> = {
        hex: ["bytes"],
        base64: ["bytes"],
        base64url: ["bytes"],
        fernet: [],
        alphanumeric: ["length"],
        password: ["length", "minUpper", "minLower", "minNumeric", "minSpecial", "overrideSpecial"],
        htpasswd: ["user", "length"],
    };
    for (const k of Object.keys(g) as (keyof GenerateConfig)[]) {
        if (k === "encoding" || g[k] === undefined || allowed[encoding].includes(k)) continue;
        const why = encoding === "fernet" && k === "bytes" ? `a Fernet key is always ${32} bytes` : `takes ${allowed[encoding].join(", ") || "no other field"}`;
        problems.add(subject, f(k), `not used by encoding ${encoding}: ${why}`);
    }
    const range = (k: "bytes" | "length", r: { min: number; max: number }, unit: string) => {
        const v = g[k];
        if (v === undefined) problems.add(subject, f(k), `is required for encoding ${encoding} (${unit}, ${r.min}-${r.max})`);
        else if (v < r.min || v > r.max) problems.add(subject, f(k), `must be ${r.min}-${r.max} ${unit} (got ${v})`);
    };
    if ((BYTE_ENCODINGS as string[]).includes(encoding) && encoding !== "fernet") range("bytes", BYTES_RANGE, "bytes");
    if (encoding === "alphanumeric" || encoding === "password") range("length", LENGTH_RANGE, "characters");
    if (encoding === "htpasswd") {
        range("length", HTPASSWD_LENGTH_RANGE, "characters; bcrypt ignores anything past 72");
        if (g.user === undefined) problems.add(subject, f("user"), "is required for encoding htpasswd");
        else if (!/^[^:\s]{1,255}$/.test(g.user)) {
            problems.add(subject, f("user"), "an htpasswd user is 1-255 characters without ':' or white space");
        }
    }
    if (encoding === "password") {
        const special = g.overrideSpecial ?? DEFAULT_SPECIAL;
        if (g.overrideSpecial !== undefined) {
            if (!/^[\x21-\x7e]+$/.test(g.overrideSpecial)) {
                problems.add(subject, f("overrideSpecial"), "must be printable ASCII characters without spaces");
            } else if (new Set(g.overrideSpecial).size !== g.overrideSpecial.length) {
                problems.add(subject, f("overrideSpecial"), "lists a character twice");
            } else if (/[A-Za-z0-9]/.test(g.overrideSpecial)) {
                problems.add(subject, f("overrideSpecial"), "must list only non-alphanumeric characters");
            }
        }
        const mins = (g.minUpper ?? 0) + (g.minLower ?? 0) + (g.minNumeric ?? 0) + (g.minSpecial ?? 0);
        if (g.length !== undefined && mins > g.length) {
            problems.add(subject, "generate", `the minimums add up to ${mins}, more than length ${g.length}`);
        }
        if ((g.minSpecial ?? 0) > 0 && special.length === 0) {
            problems.add(subject, f("minSpecial"), "needs a non-empty special set");
        }
    }
    if (problems.list.length !== before) return undefined;
    const spec: GenerateSpec = { encoding };
    for (const k of ["bytes", "length", "user", "minUpper", "minLower", "minNumeric", "minSpecial", "overrideSpecial"] as const) {
        if (g[k] !== undefined) (spec as unknown as Record<string, unknown>)[k] = g[k];
    }
    return spec;
}

/**
 * The slots of a first deployment: the current epoch's (the adopted value with `adopt`), and
 * (keepPrevious) a fresh previous one.
 */
export function generatorSlots(epoch: number, keepPrevious: boolean, adopt = false): GeneratorSlot[] {
    const slots: GeneratorSlot[] = [{ parity: slotParity(epoch), epoch, round: 1, role: "current", ...(adopt ? { adopted: true as const } : {}) }];
    if (keepPrevious) slots.push({ parity: slotParity(epoch - 1), epoch: epoch - 1, round: 1, role: "previous" });
    return slots;
}

/** A slot's keepers: its epoch, and its round when past the first (so that stacks keep their keepers). What re-keys a generator and re-issues an issued credential. */
export function slotKeepers(slot: GeneratorSlot): Record<string, string> {
    return slot.round > 1 ? { epoch: String(slot.epoch), round: String(slot.round) } : { epoch: String(slot.epoch) };
}
