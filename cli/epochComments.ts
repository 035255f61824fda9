// The comment beside each secret's epoch (`rekey plan`'s reasons), read from the entries'
// nodes built from the text (entryNodes.ts) instead of a composed yaml Document: composing one
// is ~0.45 s of CPU on a 1,000-secret stack file in a fresh process (two thirds of `rekey plan`
// with reasons). Only the plain layouts are answered here; anything the text
// alone cannot settle as the yaml package would (an anchor or alias, a comment line after
// the epoch that the yaml package may join to its comment, a multi-line flow entry, an
// epoch not found where expected) is left undefined, and edit.ts `epochReasons` asks the
// document for it, so the answer is the document's in every case.
import { EntryText, entryTextsOf } from "./entryNodes";

const lineEnd = (text: string, from: number) => {
    const i = text.indexOf("\n", from);
    return i === -1 ? text.length : i;
};

/**
 * The comment (without its "#", as the yaml package gives `comment`) beside the epoch of each
 * of `names` in `config.<secretsKey>.<name>`: a string, null when there is none, undefined
 * when the text alone cannot say (the caller composes the document for those). The entries'
 * nodes come from the text (entryNodes.ts); the comment is the rest of the line after the
 * epoch's value (block) or after the closing brace (flow), as bump writes it (edit.ts).
 */
export function epochCommentsOf(text: string, secretsKey: string, names: readonly string[], read?: ReadonlyMap<string, EntryText>): Map<string, string | null | undefined> {
    const out = new Map<string, string | null | undefined>();
    // The entries from the parse the file was read with (stackFile.ts, when it may hold a reason), else one js-yaml pass for these names.
    const entries = read ?? entryTextsOf(text, secretsKey, names);
    for (const name of names) {
        out.set(name, undefined);
        const map = entries.get(name);
        if (!map) continue;
        const epoch = map.items.find((p) => p.key.value === "epoch")?.value;
        let at: number;
        if (map.flow) {
            // A flow entry over several lines, or holding another flow collection: the document says which comment is the map's.
            const [start, end] = map.range;
            if (/[\n{}[\]]/.test(text.slice(start + 1, end - 1))) continue;
            at = end;
        } else {
            if (epoch?.kind !== "scalar" || typeof epoch.value !== "number") continue;
            at = epoch.range[1];
        }
        const end = lineEnd(text, at);
        const m = /^[ \t]*(?:#(.*))?$/.exec(text.slice(at, end).replace(/\r$/, ""));
        if (!m) continue;
        // A comment-only line right after: the yaml package may join it to this comment.
        if (/^[ \t]*#/.test(text.slice(end + 1, lineEnd(text, end + 1)))) continue;
        out.set(name, m[1] ?? null);
    }
    return out;
}
