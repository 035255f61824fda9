// What rekey prints, made safe to read: text from a stack file (a --reason comment, an
// incident, a command, a name) may hold Unicode bidirectional controls, which reorder what a
// terminal or a PR comment shows ("Trojan Source"): `# reason: routine‮ … ‬` can display as
// something else than what the file says. Every byte rekey prints passes here (main.ts).

/** The bidirectional formatting characters: embeddings and overrides, isolates, marks. */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g;

/**
 * `text` with each bidi control written as `\uXXXX`. rekey's own words hold none, so it is
 * applied to whole outputs. In JSON output the control can only stand inside a string (the
 * syntax is ASCII), where `\u202E` is JSON's own escape: the JSON still decodes to the exact
 * text, and shows the escape to whoever reads it raw. In Markdown the escape is shown as is.
 */
export function escapeBidi(text: string): string {
    return text.replace(BIDI_CONTROLS, (ch) => `\\u${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`);
}
