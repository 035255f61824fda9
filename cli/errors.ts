/** A failure the user can fix (bad arguments, an unreadable or invalid stack file): exit 2. */
export class CliError extends Error {
    constructor(message: string, readonly exitCode = 2) {
        super(message);
        this.name = "CliError";
    }
}

/** The environment variable that adds an internal error's stack trace to its message. */
export const DEBUG_VARIABLE = "REKEY_DEBUG";

/**
 * What rekey says of an error that is not a CliError (a bug, or a limit of the runtime that
 * no check foresaw): one line naming it as internal, its kind and the first line of its
 * message, never the stack trace unless REKEY_DEBUG is set (to anything but "" or "0").
 */
export function internalErrorMessage(e: unknown, env: NodeJS.ProcessEnv = process.env): string {
    const what =
        e instanceof Error
            ? `${e.name}: ${withoutQuoted((e.message.split("\n")[0] ?? "").replace(/^rekey: /, "")).slice(0, 300)}`
            : `a thrown ${e === null ? "null" : typeof e}`;
    const debug = env[DEBUG_VARIABLE] !== undefined && env[DEBUG_VARIABLE] !== "" && env[DEBUG_VARIABLE] !== "0";
    const trace = debug && e instanceof Error && e.stack ? `\n${e.stack}` : "";
    return `internal error (${what}): a bug in rekey, please report it with the command that failed; ${DEBUG_VARIABLE}=1 shows where it happened${trace}`;
}

/**
 * A library's message with what it quotes from its input left out: a quoted string, a tag
 * (`!<…>`) or what follows "…: " in the messages that end with the offending text. An
 * internal error's message and js-yaml's reasons quote the input (js-yaml lib/loader.js:
 * `unidentified alias "` + alias + `"`, `unknown tag !<` + tag + `>`, `tag name is malformed: ` +
 * name), and an unquoted plaintext value starting with `*` or `!` is read as an alias or a
 * tag: a pasted password would be printed.
 */
export function withoutQuoted(message: string): string {
    return message
        .replace(/!<[^>]*>/g, "!<…>")
        .replace(/"[^"]*"?/g, '"…"')
        .replace(/'[^']*'?/g, "'…'")
        .replace(/`[^`]*`?/g, "`…`")
        .replace(/^((?:tag prefix is malformed|tag name cannot contain such characters|tag name is malformed): ).*$/, "$1…");
}
