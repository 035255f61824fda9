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
/** C0 controls but tab and line feed (rekey's own output is made of those), DEL, C1 controls (NEL, U+0085, among them). */
const TERMINAL_CONTROLS = "\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F";
/**
 * The line breaks beyond LF, CR and NEL: LINE SEPARATOR and PARAGRAPH SEPARATOR. YAML 1.1
 * readers break lines on them and on NEL (PyYAML; YamlDotNet, which reads GitHub's
 * workflows), as JavaScript source does; a YAML 1.2 reader (yaml.v3, the `yaml` package)
 * does not: the same text is one line to one reader and two to another.
 */
const UNICODE_LINE_BREAKS = "\\u2028\\u2029";
const UNSAFE = new RegExp(`[${BIDI_CONTROLS}${TERMINAL_CONTROLS}${UNICODE_LINE_BREAKS}]`, "g");
/** What YAML (1.1 and 1.2, c-printable) does not allow in a file at all: lone surrogates, U+FFFE, U+FFFF; PyYAML refuses the file. */
const NOT_YAML = "\\uD800-\\uDFFF\\uFFFE\\uFFFF";
/** What may not stand inside one line of a file rekey writes: all of the above, and tab, LF and the byte order mark. */
const NOT_IN_A_LINE = new RegExp(`[${BIDI_CONTROLS}${TERMINAL_CONTROLS}${UNICODE_LINE_BREAKS}${NOT_YAML}\\t\\n\\uFEFF]`, "u");

/**
 * What in `text` keeps it from being written inside one line of a generated file (a YAML
 * value or comment, a workflow rekey init writes), or null: a line break of any YAML reader,
 * a control character, a bidirectional control. Named by its code point (`U+2028, a line
 * break`), never by the text around it.
 */
export function notOneLine(text: string): string | null {
    const m = NOT_IN_A_LINE.exec(text);
    if (!m) return null;
    const ch = m[0];
    const code = `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
    const what = /[\n\r\u0085\u2028\u2029]/.test(ch) ? "a line break" : new RegExp(`[${BIDI_CONTROLS}]`).test(ch) ? "a bidirectional control" : ch === "\uFEFF" ? "a byte order mark" : new RegExp(`[${NOT_YAML}]`, "u").test(ch) ? "a character YAML does not allow" : "a control character";
    return `${code}, ${what}`;
}

/**
 * `text` with each bidi control, each control character but tab and line feed, and each
 * Unicode line break written as `\uXXXX`. rekey's own words hold none, so it is applied to
 * whole outputs. In JSON output
 * such a character can only stand inside a string (the syntax is ASCII, and JSON.stringify
 * already escapes C0 controls), where `\u202E` or `\u009B` is JSON's own escape: the JSON
 * still decodes to the exact text, and shows the escape to whoever reads it raw. In Markdown
 * the escape is shown as is.
 */
export function escapeUnsafe(text: string): string {
    return text.replace(UNSAFE, (ch) => `\\u${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`);
}
