// What rekey prints, made safe to read. Text from a stack file (a --reason comment, an
// incident, an impact line, a command, a name) may hold characters that change what a
// terminal or a PR comment shows instead of what the file says:
// - Unicode bidirectional controls reorder text ("Trojan Source"): `# reason: routine‮ … ‬`
//   can display as something else;
// - C0 and C1 controls, which a double-quoted YAML string writes with escapes (`"\e[2J"`,
//   `"\r"`, `"\x9b"`) that both YAML readers accept: an escape sequence can clear the screen
//   or recolour and overwrite what a reviewer reads in a terminal, a carriage return can
//   hide the start of a line.
// Every byte rekey prints passes here (main.ts).

/** The bidirectional formatting characters: embeddings and overrides, isolates, marks. */
const BIDI_CONTROLS = "\\u202A-\\u202E\\u2066-\\u2069\\u200E\\u200F\\u061C";
/** C0 controls but tab and line feed (rekey's own output is made of those), DEL, C1 controls. */
const TERMINAL_CONTROLS = "\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F";
const UNSAFE = new RegExp(`[${BIDI_CONTROLS}${TERMINAL_CONTROLS}]`, "g");

/**
 * `text` with each bidi control and each control character but tab and line feed written as
 * `\uXXXX`. rekey's own words hold none, so it is applied to whole outputs. In JSON output
 * such a character can only stand inside a string (the syntax is ASCII, and JSON.stringify
 * already escapes C0 controls), where `\u202E` or `\u009B` is JSON's own escape: the JSON
 * still decodes to the exact text, and shows the escape to whoever reads it raw. In Markdown
 * the escape is shown as is.
 */
export function escapeUnsafe(text: string): string {
    return text.replace(UNSAFE, (ch) => `\\u${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`);
}
