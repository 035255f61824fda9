// Encodings of generated secrets. Every value comes from one random.RandomPassword: the
// byte encodings (hex, base64, base64url, fernet) draw 2*bytes characters from a 16-letter
// hex alphabet, so each character carries exactly 4 bits and the decoded bytes carry the
// full entropy; the text encodings use the password alphabet the user asked for.

import type { Unwrap } from "@pulumi/pulumi";
import type { GenerateArgs } from "../args";
export const ENCODINGS = ["hex", "base64", "base64url", "fernet", "alphanumeric", "password", "htpasswd"] as const;
export type Encoding = (typeof ENCODINGS)[number];

export const BYTE_ENCODINGS: readonly Encoding[] = ["hex", "base64", "base64url", "fernet"];
export const FERNET_KEY_BYTES = 32;
export const BYTES_RANGE = { min: 16, max: 1024 } as const;
export const LENGTH_RANGE = { min: 16, max: 1024 } as const;
/** bcrypt reads only the first 72 bytes of a password; longer ones would be silently cut. */
export const HTPASSWD_LENGTH_RANGE = { min: 16, max: 72 } as const;
/** The random provider's own default special set. */
export const DEFAULT_SPECIAL = "!@#$%&*()-_=+[]{}<>:?";

/** A validated `generate` entry: the args' shape (components/args.ts), resolved, with a known encoding. */
export interface GenerateSpec extends Omit<Unwrap<GenerateArgs>, "encoding"> {
    encoding: Encoding;
}

/** The arguments of the random.RandomPassword that backs a generated secret. */
export interface GeneratorArgs {
    length: number;
    lower: boolean;
    upper: boolean;
    numeric: boolean;
    special: boolean;
    overrideSpecial?: string;
    minUpper?: number;
    minLower?: number;
    minNumeric?: number;
    minSpecial?: number;
}

const HEX_ALPHABET: Omit<GeneratorArgs, "length"> = {
    lower: false,
    upper: false,
    numeric: true,
    special: true,
    overrideSpecial: "abcdef",
};

export function byteCount(spec: GenerateSpec): number {
    return spec.encoding === "fernet" ? FERNET_KEY_BYTES : (spec.bytes as number);
}

export function generatorArgs(spec: GenerateSpec): GeneratorArgs {
    switch (spec.encoding) {
        case "hex":
        case "base64":
        case "base64url":
        case "fernet":
            return { length: 2 * byteCount(spec), ...HEX_ALPHABET };
        case "alphanumeric":
        case "htpasswd":
            return { length: spec.length as number, lower: true, upper: true, numeric: true, special: false };
        case "password": {
            const args: GeneratorArgs = {
                length: spec.length as number,
                lower: true,
                upper: true,
                numeric: true,
                special: true,
            };
            if (spec.overrideSpecial !== undefined) args.overrideSpecial = spec.overrideSpecial;
            for (const k of ["minUpper", "minLower", "minNumeric", "minSpecial"] as const) {
                if (spec[k] !== undefined) args[k] = spec[k];
            }
            return args;
        }
    }
}

/**
 * Turns the generator's output into the stored value. `bcryptHash` is the generator's
 * bcrypt hash of the same output (used by htpasswd only).
 */
export function encode(spec: GenerateSpec, generated: string, bcryptHash?: string): string {
    switch (spec.encoding) {
        case "hex":
        case "alphanumeric":
        case "password":
            return generated;
        case "base64":
            return Buffer.from(generated, "hex").toString("base64");
        case "base64url":
            return Buffer.from(generated, "hex").toString("base64url");
        case "fernet":
            // Fernet keys are url-safe base64 *with* padding (cryptography's Fernet.generate_key()).
            return Buffer.from(generated, "hex").toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
        case "htpasswd":
            if (bcryptHash === undefined) throw new Error("htpasswd needs the generator's bcrypt hash");
            return `${spec.user}:${bcryptHash}`;
    }
}

const BCRYPT_HASH_LENGTH = 60;

/** Length in characters of every value the encoding produces. */
export function encodedLength(spec: GenerateSpec): number {
    const n = byteCount(spec);
    switch (spec.encoding) {
        case "hex":
            return 2 * n;
        case "base64":
        case "fernet":
            return 4 * Math.ceil(n / 3);
        case "base64url":
            return Math.ceil((4 * n) / 3);
        case "alphanumeric":
        case "password":
            return spec.length as number;
        case "htpasswd":
            return (spec.user as string).length + 1 + BCRYPT_HASH_LENGTH;
    }
}

const DIGITS = "0123456789";
const LOWER = "abcdefghijklmnopqrstuvwxyz";
const UPPER = LOWER.toUpperCase();
const BCRYPT_ALPHABET = `./${DIGITS}${LOWER}${UPPER}$`;

/** Every character a value of this encoding can contain. */
export function valueAlphabet(spec: GenerateSpec): string {
    switch (spec.encoding) {
        case "hex":
            return DIGITS + "abcdef";
        case "base64":
            return DIGITS + LOWER + UPPER + "+/=";
        case "base64url":
            return DIGITS + LOWER + UPPER + "-_";
        case "fernet":
            return DIGITS + LOWER + UPPER + "-_=";
        case "alphanumeric":
            return DIGITS + LOWER + UPPER;
        case "password":
            return DIGITS + LOWER + UPPER + (spec.overrideSpecial ?? DEFAULT_SPECIAL);
        case "htpasswd":
            return `${spec.user}:${BCRYPT_ALPHABET}`;
    }
}
