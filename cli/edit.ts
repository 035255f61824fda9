// Epoch edits (bump, rollback) as splices of the stack file's text at the positions the
// yaml document API gives for each node, so that every other byte (comments, blank lines,
// key order, quoting, the encrypted `secure:` blobs) stays as it was. The result is parsed
// again and must differ from the original only in the edited values.
import { isDeepStrictEqual } from "util";
import { CORE_SCHEMA, load } from "js-yaml";
import type { YAMLMap } from "yaml";
import { EntryText, entryTextsOf } from "./entryNodes";
import { epochCommentsOf } from "./epochComments";
import { CliError } from "./errors";
import { codePoint, controlCharacterIn, yamlDocuments } from "./engineYaml";
import { StackFile, scalarIn, secretNode, secretPath, secretsKey } from "./stackFile";

/** A node of an entry as the edits read it: whether it is a scalar, its value (a scalar's) and where it is written. */
interface EditNode {
    scalar: boolean;
    value?: unknown;
    range?: readonly number[] | null;
}

/**
 * A secret's entry as the edits read it: from the text (entryNodes.ts EntryText, without
 * the yaml package) or from the composed document (a YAMLMap); the same fields either way.
 */
interface EditEntry {
    flow: boolean;
    range?: readonly number[] | null;
    items: { key: EditNode; value: EditNode | null }[];
}

function editEntryOfText(e: EntryText): EditEntry {
    return { flow: e.flow, range: e.range, items: e.items.map(({ key, value }) => ({ key: { scalar: true, value: key.value, range: key.range }, value: { scalar: value.kind === "scalar", value: value.kind === "scalar" ? value.value : undefined, range: value.range } })) };
}

function fromDocument(map: YAMLMap<unknown, unknown>): EditEntry {
    const { isScalar } = yamlDocuments();
    const node = (n: unknown): EditNode | null => (n === null || n === undefined ? null : { scalar: isScalar(n), value: isScalar(n) ? n.value : undefined, range: (n as { range?: readonly number[] | null }).range });
    return { flow: Boolean(map.flow), range: map.range, items: map.items.map((p) => ({ key: node(p.key) ?? { scalar: false }, value: node(p.value) })) };
}

/** The pair of `key` (a scalar key), and its value when a scalar: stackFile.ts scalarIn on an EditEntry. */
function pairOf(map: EditEntry, key: string) {
    const pair = map.items.find((p) => p.key.scalar && p.key.value === key);
    return pair ? { pair, value: pair.value?.scalar ? pair.value : null } : null;
}

export interface EpochEdit {
    name: string;
    epoch: number;
    /** The new rotatedAt (YYYY-MM-DD); undefined leaves it as it is. */
    rotatedAt?: string;
    /**
     * The comment beside the epoch: a reason replaces it; undefined drops a stale
     * `# reason:` comment (it explained the old epoch) and keeps any other comment.
     */
    reason?: string;
    /** Remove the entry's `adopt:` (a bump never adopts). */
    dropAdopt?: boolean;
    /**
     * The entry's `incident:` after the edit: a reason writes (or replaces) it on the line
     * after the epoch, undefined removes one (a normal bump: the incident was the old epoch's).
     */
    incident?: string;
    /** Write `revokeFirst: true` after the incident; otherwise a `revokeFirst:` line is removed, like `incident:`. */
    revokeFirst?: boolean;
}

export const REASON_PREFIX = "reason:";

interface Splice {
    at: number;
    end: number;
    text: string;
}

function lineEnd(text: string, from: number): number {
    const i = text.indexOf("\n", from);
    return i === -1 ? text.length : i;
}

function lineStart(text: string, at: number): number {
    return text.lastIndexOf("\n", at - 1) + 1;
}

/** The text after a value up to the end of its line: spaces, then an optional comment. */
function trailing(text: string, from: number, where: string): { space: string; comment: string | null; end: number } {
    const end = lineEnd(text, from);
    const m = /^([ \t]*)(#.*)?$/.exec(text.slice(from, end).replace(/\r$/, ""));
    if (!m) throw new CliError(`${where}: cannot place a comment after the epoch, the line goes on; write the secret in block style`);
    return { space: m[1], comment: m[2] ?? null, end: from + m[0].length };
}

/** The indentation of a block map key (its line holds nothing before it). */
function indentOf(text: string, key: EditNode, where: string): string {
    const at = key.scalar && key.range ? key.range[0] : -1;
    const indent = at < 0 ? null : text.slice(lineStart(text, at), at);
    if (indent === null || !/^ *$/.test(indent)) throw new CliError(`${where}: unexpected layout; write the secret as a block map`);
    return indent;
}

/**
 * Whether any epoch comment of `text` can hold a reason: splitEpochComment finds one only
 * where "reason:" follows a "#" and blanks, and every comment line starts with its "#", so
 * without that in the source there is none and `rekey plan` need not compose the yaml
 * document (a third of its time on a 1,000-secret stack).
 */
export function mayHoldReason(text: string): boolean {
    return /#\s*reason:/.test(text);
}

/**
 * The reasons `rekey bump --reason` wrote for these secrets (those with a reason comment).
 * Where bump writes one (epochSplices): beside the epoch in a block entry, after the closing
 * brace of a flow one (yaml gives that line's comment to the map). The text is searched
 * once, and the document composed only when it can hold a reason.
 */
export function epochReasons(file: StackFile, names: readonly string[]): Map<string, string> {
    const out = new Map<string, string>();
    if (!names.length || !mayHoldReason(file.text)) return out;
    // From the text where it can say (epochComments.ts), the document only for the rest.
    const fromText = epochCommentsOf(file.text, secretsKey(file), names, file.entries);
    for (const name of names) {
        const known = fromText.get(name);
        const node = known === undefined ? secretNode(file, name) : null;
        const comment = (node ? (node.flow ? node.comment : scalarIn(node, "epoch")?.value?.comment) : known)?.trim();
        const reason = comment ? splitEpochComment(comment).reason : null;
        if (reason !== null) out.set(name, reason);
    }
    return out;
}

/**
 * A comment beside the epoch as the user's part and rekey's `# reason:` part:
 * `# keep in step with the release  # reason: leaked`. Either may be absent.
 */
export function splitEpochComment(comment: string | null): { user: string | null; reason: string | null } {
    if (comment === null) return { user: null, reason: null };
    const m = /^(.*?)\s*#\s*reason:\s*(.*)$/.exec(comment.startsWith("#") ? comment : `#${comment}`);
    if (!m) return { user: comment.startsWith("#") ? comment : `#${comment}`, reason: null };
    return { user: m[1].trim() === "" ? null : m[1].trimEnd(), reason: m[2].trim() };
}

/** The comment after the edit: a reason replaces the old reason beside the user's comment; none drops the stale reason only. */
function reasonComment(existing: string | null, reason: string | undefined): string | null {
    const { user } = splitEpochComment(existing);
    if (reason !== undefined) return user ? `${user}  # ${REASON_PREFIX} ${reason}` : `# ${REASON_PREFIX} ${reason}`;
    return user;
}

function quoteLike(source: string, value: string): string {
    if (source.startsWith('"')) return `"${value}"`;
    if (source.startsWith("'")) return `'${value}'`;
    return value;
}

/** The splice that removes the entry's `key:` pair (`adopt`, `incident`, `revokeFirst`): its whole line in a block map (its own comment too), the item in a flow map. */
function pairRemoval(file: StackFile, map: EditEntry, key: string, where: string): Splice | null {
    const { text } = file;
    const found = pairOf(map, key);
    if (!found) return null;
    const index = map.items.indexOf(found.pair);
    const keyNode = found.pair.key;
    if (!found.value?.range || !keyNode.range) throw new CliError(`${where}: ${key} is not a plain value`);
    const [keyStart] = keyNode.range;
    const valueEnd = found.value.range[1];
    if (map.flow) {
        const next = map.items[index + 1]?.key;
        if (next?.range) return { at: keyStart, end: next.range[0], text: "" };
        const prev = map.items[index - 1];
        const prevEnd = prev?.value?.range?.[1];
        if (prevEnd === undefined) throw new CliError(`${where}: cannot remove ${key} from this entry's layout; remove the ${key} line by hand`);
        return { at: prevEnd, end: valueEnd, text: "" };
    }
    const start = lineStart(text, keyStart);
    if (!/^ *$/.test(text.slice(start, keyStart)) || lineStart(text, valueEnd) !== start) {
        throw new CliError(`${where}: cannot remove ${key} from this entry's layout; remove the ${key} line by hand`);
    }
    const { end } = trailing(text, valueEnd, where);
    return { at: start, end: end < text.length ? end + 1 : end, text: "" };
}

/** The anchors of the document that an alias uses again (`&a` … `*a`). */
function aliasedAnchors(file: StackFile): Set<string> {
    const out = new Set<string>();
    if (file.text.includes("*")) yamlDocuments().visit(file.doc, { Alias: (_, node) => void out.add(node.source) });
    return out;
}

/**
 * An edit of a node that is anchored and used again through an alias would change each use
 * (every reader, yaml.v3 too, gives the alias the anchored node's value): refused by name,
 * whether the node is the entry, one of the maps around it, or a value the edit rewrites.
 */
function sharedNodeProblem(file: StackFile, name: string, aliased: Set<string>, where: string): void {
    if (!aliased.size) return;
    const path = secretPath(file, name);
    const map = path[3];
    const values = ["epoch", "rotatedAt", "adopt", "incident"].map((k): [string, unknown] => [k, scalarIn(map, k)?.pair.value]);
    const nodes: [string, unknown][] = [["the document's map", path[0]], ["config", path[1]], [secretsKey(file), path[2]], ["its entry", map], ...values];
    for (const [what, node] of nodes) {
        const anchor = node && typeof node === "object" && !yamlDocuments().isAlias(node) ? (node as { anchor?: string }).anchor : undefined;
        if (anchor !== undefined && aliased.has(anchor)) {
            throw new CliError(`${where}: ${what} is anchored (&${anchor}) and used again through *${anchor}, so an edit here would change it there too; write it out in place`);
        }
    }
}

/** `entry`: the secret's node, from the text (entryNodes.ts) or, by default, the document. */
function splicesFor(file: StackFile, edit: EpochEdit, aliased: Set<string>, entry?: EntryText): Splice[] {
    const where = `${file.label}: secret ${edit.name}`;
    sharedNodeProblem(file, edit.name, aliased, where);
    const map = entry ? editEntryOfText(entry) : fromDocument(secretNode(file, edit.name));
    const removals = [edit.dropAdopt ? pairRemoval(file, map, "adopt", where) : null, pairRemoval(file, map, "incident", where), pairRemoval(file, map, "revokeFirst", where)].filter(
        (x): x is Splice => x !== null,
    );
    return [...removals, ...epochSplices(file, edit, map, where)];
}

function epochSplices(file: StackFile, edit: EpochEdit, map: EditEntry, where: string): Splice[] {
    const { text } = file;
    const epoch = pairOf(map, "epoch");
    const rotatedAt = pairOf(map, "rotatedAt");
    if (epoch && (!epoch.value || !epoch.value.range)) throw new CliError(`${where}: epoch is not a plain number`);
    if (rotatedAt && (!rotatedAt.value || !rotatedAt.value.range)) throw new CliError(`${where}: rotatedAt is not a plain date`);
    const quotedDate = `"${edit.rotatedAt}"`;
    const out: Splice[] = [];
    // The pairs written after the epoch, in every layout: a missing rotatedAt, the incident and its revokeFirst.
    const added = [
        ...(!rotatedAt && edit.rotatedAt !== undefined ? [`rotatedAt: ${quotedDate}`] : []),
        ...(edit.incident !== undefined ? [`incident: ${JSON.stringify(edit.incident)}`] : []),
        ...(edit.incident !== undefined && edit.revokeFirst ? ["revokeFirst: true"] : []),
    ];
    if (rotatedAt && edit.rotatedAt !== undefined) {
        const [s, e] = rotatedAt.value!.range!;
        out.push({ at: s, end: e, text: quoteLike(text.slice(s, e), edit.rotatedAt) });
    }
    if (map.flow) {
        const [mapStart, mapEnd] = map.range!;
        const commentSpot = () => {
            const close = text.lastIndexOf("}", mapEnd);
            if (lineStart(text, close) !== lineStart(text, mapStart)) {
                throw new CliError(`${where}: cannot place a comment beside the epoch of a multi-line flow entry; write the secret in block style`);
            }
            return { from: close + 1, ...trailing(text, close + 1, where) };
        };
        if (epoch) {
            const [s, e] = epoch.value!.range!;
            out.push({ at: s, end: e, text: String(edit.epoch) });
            if (added.length) out.push({ at: e, end: e, text: added.map((p) => `, ${p}`).join("") });
        } else {
            out.push({ at: mapStart + 1, end: mapStart + 1, text: ` ${[`epoch: ${edit.epoch}`, ...added].map((p) => `${p},`).join(" ")}` });
        }
        const spot = edit.reason !== undefined || text.slice(mapEnd, lineEnd(text, mapEnd)).includes("#") ? commentSpot() : null;
        if (spot) {
            const comment = reasonComment(spot.comment, edit.reason);
            if (comment !== spot.comment) out.push({ at: spot.from, end: spot.end, text: comment === null ? "" : `${spot.space || "  "}${comment}` });
        }
        return out;
    }

    if (epoch) {
        const [s, e] = epoch.value!.range!;
        const indentText = indentOf(text, epoch.pair.key, where);
        out.push({ at: s, end: e, text: String(edit.epoch) });
        const t = trailing(text, e, where);
        const comment = reasonComment(t.comment, edit.reason);
        if (comment !== t.comment) out.push({ at: e, end: t.end, text: comment === null ? "" : `${t.comment ? t.space : "  "}${comment}` });
        if (added.length) {
            const end = lineEnd(text, e);
            const lines = added.map((l) => `${indentText}${l}`);
            out.push(
                end === text.length
                    ? { at: end, end, text: lines.map((l) => `\n${l}`).join("") }
                    : { at: end + 1, end: end + 1, text: lines.map((l) => `${l}\n`).join("") },
            );
        }
        return out;
    }
    // No epoch yet (a supplied secret at its default 0): a new first line of the entry.
    if (!map.items.length) throw new CliError(`${where}: an empty entry cannot be edited`);
    const indentText = indentOf(text, map.items[0].key, where);
    const start = lineStart(text, map.items[0].key.range![0]);
    const comment = edit.reason !== undefined ? `  # ${REASON_PREFIX} ${edit.reason}` : "";
    const lines = [`${indentText}epoch: ${edit.epoch}${comment}`, ...added.map((p) => `${indentText}${p}`)];
    out.push({ at: start, end: start, text: lines.map((l) => `${l}\n`).join("") });
    return out;
}

/** An edited stack file: its text, and the values it reads as (js-yaml, core schema), read once to check the edit. */
export interface EditedText {
    text: string;
    values: unknown;
}

/** The stack file's text with these edits applied; checks that nothing else changed. */
export function applyEpochEdits(file: StackFile, edits: EpochEdit[]): EditedText {
    // Text the edit writes into the file: one line, not empty.
    const checkText = (flag: string, value: string | undefined, empty: string) => {
        if (value === undefined) return;
        if (value.trim() === "") throw new CliError(`${flag} ${empty}`);
        if (/[\r\n\u0085\u2028\u2029]/.test(value)) throw new CliError(`${flag} must be one line (no line break, also none of U+0085, U+2028, U+2029)`);
        // Written raw (a comment) or JSON-quoted (incident: C1 controls and U+FFFE stay raw):
        // Pulumi's YAML reader refuses the file then (engineYaml.ts REFUSED_BY_READER).
        const control = controlCharacterIn(value);
        if (control) {
            throw new CliError(`${flag} holds ${codePoint(control.ch)} at character ${[...value.slice(0, control.at)].length + 1}, a control character Pulumi's YAML reader refuses: the stack file would be unreadable by every pulumi command; nothing was written`);
        }
    };
    for (const e of edits) {
        checkText("--reason", e.reason, "needs text: leave it out to write no reason");
        checkText("--incident", e.incident, "needs the reason (what leaked, how): it goes into the rotation record");
    }
    // The entries' nodes from the text (entryNodes.ts), without composing the document: those
    // the file was read with (stackFile.ts openStack), else one js-yaml pass for them.
    const key = secretsKey(file);
    const textEntries: ReadonlyMap<string, EntryText> = file.entries ?? entryTextsOf(file.text, key, edits.map((e) => e.name));
    // The values the edited text must read as: the file's values (never changed) with copies
    // of the maps down to each edited entry, and the edits applied to the entries' copies.
    const values = file.values as { config: Record<string, Record<string, Record<string, unknown>>> };
    const expected = { ...values, config: { ...values.config, [key]: { ...values.config[key] } } };
    const copied = new Set<string>();
    for (const e of edits) {
        if (!copied.has(e.name)) expected.config[key][e.name] = { ...expected.config[key][e.name] };
        copied.add(e.name);
        const entry = expected.config[key][e.name];
        entry.epoch = e.epoch;
        if (e.rotatedAt !== undefined) entry.rotatedAt = e.rotatedAt;
        if (e.dropAdopt) delete entry.adopt;
        if (e.incident !== undefined) entry.incident = e.incident;
        else delete entry.incident;
        if (e.incident !== undefined && e.revokeFirst) entry.revokeFirst = true;
        else delete entry.revokeFirst;
    }
    // What the edited text reads as, kept for the check of the whole file (epochCommands.ts write), which need not read it again.
    let read: unknown;
    const readsAsExpected = (text: string) => {
        try {
            read = load(text, { schema: CORE_SCHEMA });
            return sameValues(read, expected);
        } catch {
            return false;
        }
    };
    // Where the text leaves an entry out, or its edit fails or does not read back as expected,
    // the edit is made again on the document, so that what is written and every refusal are the document's.
    // Each text is read back once: the text's edit, when it reads as expected, is final.
    let text: string | null = null;
    if (edits.every((e) => textEntries.get(e.name) !== undefined)) {
        try {
            text = spliced(file, edits, new Set(), (name) => textEntries.get(name));
        } catch {
            text = null;
        }
        if (text !== null && !readsAsExpected(text)) text = null;
    }
    if (text === null) {
        text = spliced(file, edits, aliasedAnchors(file), () => undefined);
        if (!readsAsExpected(text)) {
            throw new Error(`rekey: editing ${file.label} would change more than the epochs and the lines rekey writes beside them; nothing was written (please report this with the file's layout)`);
        }
    }
    return { text, values: read };
}

/**
 * isDeepStrictEqual for what js-yaml reads (plain objects and arrays of strings, numbers,
 * booleans and null), without its generality: on a 1,000-secret file it was 50 ms of
 * `rekey bump --all`. Anything else (another prototype) is left to isDeepStrictEqual.
 */
export function sameValues(a: unknown, b: unknown): boolean {
    if (Object.is(a, b)) return true;
    if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
    const proto = Object.getPrototypeOf(a);
    if (proto !== Object.getPrototypeOf(b)) return false;
    if (proto === Array.prototype) {
        const x = a as unknown[];
        const y = b as unknown[];
        if (x.length !== y.length || Object.keys(x).length !== Object.keys(y).length) return false;
        for (let i = 0; i < x.length; i++) if (!(i in x) || !(i in y) || !sameValues(x[i], y[i])) return false;
        return true;
    }
    if (proto !== Object.prototype && proto !== null) return isDeepStrictEqual(a, b);
    if (Object.getOwnPropertySymbols(a).length || Object.getOwnPropertySymbols(b).length) return isDeepStrictEqual(a, b);
    const x = a as Record<string, unknown>;
    const y = b as Record<string, unknown>;
    const keys = Object.keys(x);
    if (keys.length !== Object.keys(y).length) return false;
    for (const k of keys) if (!Object.prototype.propertyIsEnumerable.call(y, k) || !sameValues(x[k], y[k])) return false;
    return true;
}

/**
 * The text with every edit's splices applied, as if one by one from the end of the file
 * backwards (so that each splice's offsets still hold), in one pass from the start: the
 * reverse of that order, each unchanged stretch and replacement once. Splicing the whole text
 * per edit copied it twice per splice: 1.6 s for bump --all on 1,000 secrets.
 */
function spliced(file: StackFile, edits: EpochEdit[], aliased: Set<string>, entry: (name: string) => EntryText | undefined): string {
    const splices = edits
        .flatMap((e) => splicesFor(file, e, aliased, entry(e.name)))
        .sort((a, b) => b.at - a.at || b.end - a.end)
        .reverse();
    const pieces: string[] = [];
    let cursor = 0;
    for (const sp of splices) {
        if (sp.at < cursor) throw new Error(`rekey: editing ${file.label}: two edits overlap at offset ${sp.at}; nothing was written (please report this with the file's layout)`);
        pieces.push(file.text.slice(cursor, sp.at), sp.text);
        cursor = sp.end;
    }
    pieces.push(file.text.slice(cursor));
    return pieces.join("");
}
