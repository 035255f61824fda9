// The comment beside each secret's epoch, read from the text with js-yaml's node events
// instead of a composed yaml Document: composing one is ~0.45 s of CPU on a 1,000-secret
// stack file in a fresh process (two thirds of `rekey plan` with reasons), a js-yaml pass
// with a listener ~0.05 s. Only the plain layouts are answered here; anything the text
// alone cannot settle as the yaml package would (an anchor or alias, a comment line after
// the epoch that the yaml package may join to its comment, a multi-line flow entry, an
// epoch not found where expected) is left undefined, and edit.ts `epochReasons` asks the
// document for it, so the answer is the document's in every case.
import { CORE_SCHEMA, load } from "js-yaml";

interface Frame {
    /** The keys from the document's map down to this node. */
    path: readonly string[];
    /** Offset where js-yaml opened the node (before its leading blanks). */
    start: number;
    /** The key just read, whose value comes next (a scalar followed by ":"). */
    pendingKey?: string;
}

/** Where a secret's epoch comment is: after the epoch's value (block) or after the closing brace (flow). */
interface Spot {
    at: number;
    flow: boolean;
    /** The epoch's value as written (checked against what js-yaml read). */
    epochText?: string;
    epoch?: unknown;
}

const lineEnd = (text: string, from: number) => {
    const i = text.indexOf("\n", from);
    return i === -1 ? text.length : i;
};

/**
 * The comment (without its "#", as the yaml package gives `comment`) beside the epoch of each
 * of `names` in `config.<secretsKey>.<name>`: a string, null when there is none, undefined
 * when the text alone cannot say (the caller composes the document for those).
 */
export function epochCommentsOf(text: string, secretsKey: string, names: readonly string[]): Map<string, string | null | undefined> {
    const out = new Map<string, string | null | undefined>(names.map((n) => [n, undefined]));
    // Anchors and aliases: a node's text may be elsewhere (and the document refuses an aliased entry).
    if (/[&*]/.test(text)) return out;
    const wanted = new Set(names);
    const spots = new Map<string, Spot>();
    const stack: Frame[] = [];
    const isEntry = (path: readonly string[]) => path.length === 3 && path[0] === "config" && path[1] === secretsKey && wanted.has(path[2]);
    const nextChar = (from: number) => {
        let i = from;
        while (text[i] === " " || text[i] === "\t") i++;
        return text[i];
    };
    try {
        load(text, {
            schema: CORE_SCHEMA,
            listener(event, state) {
                if (event === "open") {
                    const parent = stack[stack.length - 1];
                    const path = parent ? (parent.pendingKey !== undefined ? [...parent.path, parent.pendingKey] : [...parent.path, "\0"]) : [];
                    stack.push({ path, start: state.position });
                    return;
                }
                const frame = stack.pop()!;
                const parent = stack[stack.length - 1];
                if (!parent) return;
                const collection = state.kind === "mapping" || state.kind === "sequence";
                if (!collection && parent.pendingKey === undefined && nextChar(state.position) === ":" && (typeof state.result === "string" || typeof state.result === "number")) {
                    parent.pendingKey = String(state.result);
                    return;
                }
                const key = parent.pendingKey;
                parent.pendingKey = undefined;
                if (key === undefined) return;
                if (state.kind === "mapping" && isEntry(frame.path)) {
                    const open = text.slice(frame.start, state.position).trimStart();
                    if (open.startsWith("{")) spots.set(frame.path[2], { at: state.position, flow: true });
                } else if (key === "epoch" && !collection && isEntry(parent.path)) {
                    const spot = spots.get(parent.path[2]);
                    // js-yaml's position may be past blanks and line breaks after the value: the comment spot is right after its text.
                    const raw = text.slice(frame.start, state.position);
                    const epochText = raw.trim();
                    const at = frame.start + (raw.length - raw.trimStart().length) + epochText.length;
                    if (!spot?.flow) spots.set(parent.path[2], { at, flow: false, epochText, epoch: state.result });
                }
            },
        });
    } catch {
        return out; // the document says what is wrong
    }
    for (const [name, spot] of spots) {
        // The epoch as written must be what js-yaml read (a plain number on its line); else ask the document.
        if (!spot.flow && (spot.epochText !== String(spot.epoch) || typeof spot.epoch !== "number")) continue;
        if (spot.flow && text[spot.at - 1] !== "}") continue;
        const end = lineEnd(text, spot.at);
        const m = /^[ \t]*(?:#(.*))?$/.exec(text.slice(spot.at, end).replace(/\r$/, ""));
        if (!m) continue;
        // A comment-only line right after: the yaml package may join it to this comment.
        const next = text.slice(end + 1, lineEnd(text, end + 1));
        if (/^[ \t]*#/.test(next)) continue;
        // A flow entry over several lines: the document says which comment is the map's.
        if (spot.flow && !isOneLineFlow(text, spot.at)) continue;
        out.set(name, m[1] ?? null);
    }
    return out;
}

/** Whether the flow map closing at `close` opened on the same line (no other brace between). */
function isOneLineFlow(text: string, close: number): boolean {
    const start = text.lastIndexOf("\n", close - 1) + 1;
    const line = text.slice(start, close);
    return line.indexOf("{") !== -1 && !/[[\]]/.test(line) && line.split("{").length === 2 && line.split("}").length === 2;
}
