// The yaml nodes of some secrets' entries (config.<secrets key>.<name>), built from js-yaml's
// node events instead of composing the whole yaml Document: composing one is ~0.45 s of CPU
// on a 1,000-secret stack file in a fresh process (40% of `rekey bump --all`), a js-yaml pass
// with a listener ~0.05 s. Each entry is a YAMLMap of Pairs of Scalars with the source ranges
// the edits read (edit.ts: keys, values, flow or block, the map's range); its values are
// nodes only as far as the edits look (a nested collection is a YAMLMap/YAMLSeq with a range
// and no items). Only plain layouts are built: an anchor or alias anywhere, a tag, a key
// without a value, an entry whose text does not read back as its values, and the entry is
// left out (undefined), and the caller uses the composed document for it. edit.ts also checks
// every edited text reads back as the expected values and redoes it on the document if not.
import { CORE_SCHEMA, load } from "js-yaml";
import type { Scalar, YAMLMap, YAMLSeq } from "yaml";
import { yamlDocuments } from "./engineYaml";

/** A scalar of an entry as read from the text: its value and where it is written. */
export interface EntryScalar {
    kind: "scalar";
    value: unknown;
    range: [number, number];
}

/** One secret's entry as read from the text: its pairs (a nested collection only as its kind and range), flow or block, and where it is written. */
export interface EntryText {
    flow: boolean;
    range: [number, number];
    items: { key: EntryScalar; value: EntryScalar | { kind: "mapping" | "sequence"; range: [number, number] } }[];
}

interface Frame {
    path: readonly string[];
    /** Where the node's text starts (js-yaml's open position, past blanks and comments); set for an entry and its children. */
    start: number;
    /** The entry being built, when this frame is a wanted secret's entry. */
    entry?: { map: EntryText; key?: EntryScalar; ok: boolean };
    pendingKey?: string;
    /** Whether its children are followed (key by key): the document's map, config, the secrets' map, a wanted entry. */
    watch: boolean;
}

/**
 * A node under a map whose children are not followed (another config key's value, the inside
 * of an entry's value): nothing is recorded for it, only its place on the stack. Most nodes
 * of a stack file are such, and the listener is called twice for each.
 */
const PASSED: Frame = { path: [], start: 0, watch: false };

/** Past blanks, line breaks and comments (a node's text starts after them). */
function skipSpace(text: string, from: number): number {
    let i = from;
    for (;;) {
        const c = text[i];
        if (c === " " || c === "\t" || c === "\n" || c === "\r") i++;
        else if (c === "#") {
            const nl = text.indexOf("\n", i);
            i = nl === -1 ? text.length : nl;
        } else return i;
    }
}

/** Whether `source` is how a plain or quoted scalar writes `value` (no escapes, no folding). */
function writes(source: string, value: unknown): boolean {
    if (typeof value === "string" && /^(".*"|'.*')$/s.test(source)) return source.slice(1, -1) === value;
    if (/[\n#]/.test(source)) return false;
    return source === String(value);
}

/**
 * The entries of config.<key>.<name> for each key of `secretsKeys` and each name `wanted`
 * takes, read from the text (undefined where left to the document), and the values js-yaml
 * read on the way: one js-yaml pass with a listener. A text js-yaml refuses throws its
 * YAMLException (the caller says what is wrong).
 */
export function readEntries(text: string, secretsKeys: readonly string[], wanted: (name: string) => boolean, filename?: string): { values: unknown; entries: Map<string, Map<string, EntryText>> } {
    const entries = new Map(secretsKeys.map((k) => [k, new Map<string, EntryText>()]));
    // Anchors, aliases and tags: a node's text may be elsewhere, or not read as written.
    if (/[&*!]/.test(text)) return { values: load(text, { schema: CORE_SCHEMA, filename }), entries };
    const isSecretsKey = new Set(secretsKeys);
    const built = new Map<string, { map: EntryText; ok: boolean }>();
    const stack: Frame[] = [];
    const nextChar = (from: number) => {
        let i = from;
        while (text[i] === " " || text[i] === "\t") i++;
        return text[i];
    };
    const values = load(text, {
        schema: CORE_SCHEMA,
        filename,
        listener(event, state) {
            if (event === "open") {
                const parent = stack[stack.length - 1];
                if (parent && !parent.watch) {
                    stack.push(PASSED);
                    return;
                }
                const path = parent ? [...parent.path, parent.pendingKey ?? "\0"] : [];
                const isEntry = path.length === 3 && path[0] === "config" && isSecretsKey.has(path[1]) && wanted(path[2]) && !built.has(`${path[1]}\0${path[2]}`);
                const watch = isEntry || path.length === 0 || (path[0] === "config" && (path.length === 1 || (path.length === 2 && isSecretsKey.has(path[1]))));
                const frame: Frame = { path, start: isEntry || parent?.entry ? skipSpace(text, state.position) : state.position, watch };
                if (isEntry) {
                    const map: EntryText = { flow: text[frame.start] === "{", range: [frame.start, frame.start], items: [] };
                    frame.entry = { map, ok: true };
                    built.set(`${path[1]}\0${path[2]}`, frame.entry);
                }
                stack.push(frame);
                return;
            }
            const frame = stack.pop()!;
            if (frame === PASSED) return;
            const parent = stack[stack.length - 1];
            // The node's text, blanks at its end left out (as String.prototype.trimEnd, whose blanks \s matches).
            let end = Math.max(frame.start, state.position);
            if (frame.entry || parent?.entry) while (end > frame.start && /\s/.test(text[end - 1])) end--;
            if (frame.entry) {
                frame.entry.map.range = [frame.start, end];
                if (state.kind !== "mapping" || (frame.entry.map.flow && text[end - 1] !== "}") || frame.entry.key) frame.entry.ok = false;
            }
            if (!parent) return;
            const collection = state.kind === "mapping" || state.kind === "sequence";
            const isKey = !collection && parent.pendingKey === undefined && nextChar(state.position) === ":" && (typeof state.result === "string" || typeof state.result === "number");
            const key = parent.pendingKey;
            parent.pendingKey = isKey ? String(state.result) : undefined;
            const entry = parent.entry;
            if (!entry) return;
            const range: [number, number] = [frame.start, end];
            let node: EntryText["items"][number]["value"];
            if (collection) {
                node = { kind: state.kind as "mapping" | "sequence", range };
            } else {
                if (!writes(text.slice(frame.start, end), state.result)) entry.ok = false;
                node = { kind: "scalar", value: state.result, range };
            }
            if (isKey) {
                if (entry.key) entry.ok = false;
                entry.key = node as EntryScalar;
            } else if (key === undefined || !entry.key) {
                entry.ok = false; // a value without a key (`{ a }`): the document says what it is
            } else {
                entry.map.items.push({ key: entry.key, value: node });
                entry.key = undefined;
            }
        },
    });
    for (const [id, entry] of built) {
        if (!entry.ok) continue;
        const at = id.indexOf("\0");
        entries.get(id.slice(0, at))!.set(id.slice(at + 1), entry.map);
    }
    return { values, entries };
}

/** An entry read from the text as the yaml nodes the edits read (edit.ts): a YAMLMap of Pairs of Scalars, a nested collection without items. */
export function entryNode(e: EntryText): YAMLMap<unknown, unknown> {
    const { Pair, Scalar, YAMLMap, YAMLSeq } = yamlDocuments();
    const nodeOf = (n: EntryText["items"][number]["value"]): Scalar | YAMLMap | YAMLSeq => {
        const node = n.kind === "scalar" ? new Scalar(n.value) : n.kind === "mapping" ? new YAMLMap() : new YAMLSeq();
        node.range = [n.range[0], n.range[1], n.range[1]];
        return node;
    };
    const map = new YAMLMap<unknown, unknown>();
    map.flow = e.flow;
    map.range = [e.range[0], e.range[1], e.range[1]];
    for (const { key, value } of e.items) map.items.push(new Pair(nodeOf(key), nodeOf(value)));
    return map;
}

/** The entries of `names` read from the text (none where left to the document, or where js-yaml refuses the text: the document says what is wrong). */
export function entryTextsOf(text: string, secretsKey: string, names: readonly string[]): Map<string, EntryText> {
    const wanted = new Set(names);
    try {
        return readEntries(text, [secretsKey], (n) => wanted.has(n)).entries.get(secretsKey)!;
    } catch {
        return new Map();
    }
}

/** The entries' nodes (undefined where left to the document), and the values js-yaml read on the way (undefined when it read none). */
export function entryNodesOf(text: string, secretsKey: string, names: readonly string[]): Map<string, YAMLMap<unknown, unknown> | undefined> & { valuesRead?: unknown } {
    const out: Map<string, YAMLMap<unknown, unknown> | undefined> & { valuesRead?: unknown } = new Map(names.map((n) => [n, undefined]));
    const wanted = new Set(names);
    let read: ReturnType<typeof readEntries>;
    try {
        read = readEntries(text, [secretsKey], (n) => wanted.has(n));
    } catch {
        return out; // the document says what is wrong
    }
    for (const [name, entry] of read.entries.get(secretsKey)!) out.set(name, entryNode(entry));
    // Left to the document with anchors, aliases or tags: no values read then, as before.
    if (!/[&*!]/.test(text)) out.valuesRead = read.values;
    return out;
}
