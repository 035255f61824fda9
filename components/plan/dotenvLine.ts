// The .env quoting rule: which line carries a value exactly for the dotenv npm parser,
// docker compose's env_file and POSIX sourcing, and what a value must not contain for that,
// as traits the planner can know without the value.
import type { DotenvTraits } from "./model";

export type { DotenvTraits } from "./model";

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
