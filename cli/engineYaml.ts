// Where Pulumi's YAML reader and rekey's would read one stack file differently. Pulumi reads
// Pulumi.<stack>.yaml with gopkg.in/yaml.v3 (pulumi/pulumi sdk/go/common/workspace/loaders.go
// `LoadProjectStackBytes`: encoding.YAML's `Unmarshal`, sdk/go/common/encoding/marshal.go, into
// `any`, then marshalled again and read into `ProjectStack`); rekey reads it with js-yaml
// (values) and the yaml package (positions, edits). What the readers would read differently
// is refused with its line and column, so that `rekey plan`, `due` and `status` never show an
// inventory other than the one `pulumi up` deploys, and a bump never writes a file Pulumi
// cannot read.
import type { Document } from "yaml";
import { formatPath } from "../components/plan/problems";

/** The yaml package, loaded when a document is first needed (status and due never need it). */
export function yamlDocuments(): typeof import("yaml") {
    return require("yaml") as typeof import("yaml");
}

/** Line and column (from 1) of an offset of `text`. */
export function lineColumn(text: string, at: number): { line: number; column: number } {
    const before = text.slice(0, at).split("\n");
    return { line: before.length, column: before[before.length - 1].length + 1 };
}

export function codePoint(ch: string): string {
    return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * The characters yaml.v3's reader refuses anywhere in the stream ("control characters are
 * not allowed", go-yaml/yaml v3 readerc.go `yaml_parser_update_buffer`): it accepts only
 * tab, LF, CR, U+0020–U+007E, U+0085, U+00A0–U+D7FF, U+E000–U+FFFD and U+10000 up. So C0
 * controls but tab, LF and CR; DEL; C1 controls but NEL; U+FFFE and U+FFFF. (Surrogates
 * cannot reach here: the text is valid UTF-8, stackFile.ts `utf8Text`.) js-yaml refuses C0
 * controls only inside scalars and at a wrong position, and C1 controls in comments not at all.
 */
const REFUSED_BY_READER = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F\uFFFE\uFFFF]/;

/** The first character of `text` that yaml.v3's reader refuses, or null. */
export function controlCharacterIn(text: string): { ch: string; at: number } | null {
    const m = REFUSED_BY_READER.exec(text);
    return m ? { ch: m[0], at: m.index } : null;
}

/** Line breaks for yaml.v3 (yamlprivateh.go `is_break`) that js-yaml reads as ordinary characters. */
const FOREIGN_BREAKS: Record<string, string> = { "\u0085": "U+0085 NEXT LINE", "\u2028": "U+2028 LINE SEPARATOR", "\u2029": "U+2029 PARAGRAPH SEPARATOR" };

/**
 * One pass over the text for every character the two readers take differently: the first is
 * the problem, with its line and column. A byte order mark after the file's start is one of
 * them only at the start of a line, where yaml.v3 skips it (scannerc.go
 * `yaml_parser_scan_to_next_token`: "Allow the BOM mark to start a line") and js-yaml keeps
 * it in the key that follows.
 */
const READER_DIFFERENCE = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\u2028\u2029\uFFFE\uFFFF]|(?<=\n)\uFEFF/;

export function readerProblem(text: string): string | null {
    const m = READER_DIFFERENCE.exec(text);
    if (!m) return null;
    const { line, column } = lineColumn(text, m.index);
    const where = `line ${line}, column ${column}`;
    const ch = m[0];
    if (FOREIGN_BREAKS[ch]) return `${where}: ${FOREIGN_BREAKS[ch]} is a line break for Pulumi's YAML reader but not for rekey's, so the two would read different keys; remove it`;
    if (ch === "\uFEFF") return `${where}: U+FEFF BYTE ORDER MARK at the start of a line is skipped by Pulumi's YAML reader (yaml.v3) but not by rekey's, so the two would read different keys; remove it`;
    return `${where}: ${codePoint(ch)} is a control character, which Pulumi's YAML reader (yaml.v3) refuses: every pulumi command fails on this file; remove it`;
}

/**
 * yaml.v3's merge key (decode.go `isMerge`): a scalar key `<<` written plain, or tagged `!` or
 * `!!merge` (a quoted "<<" is a string key, the parser giving it !!str: decode.go
 * `(*parser).scalar`).
 */
function isMergeKey(text: string, key: unknown): boolean {
    const { isScalar, Scalar } = yamlDocuments();
    if (!isScalar(key) || !key.range || key.type !== Scalar.PLAIN) return false;
    return text.slice(key.range[0], key.range[1]) === "<<" && (key.tag === undefined || key.tag === "!" || key.tag === "tag:yaml.org,2002:merge");
}

/**
 * A plain scalar yaml.v3 reads as a timestamp (resolve.go `resolve`, `parseTimestamp`: four
 * digits and "-", then one of `allowedTimestampFormats`, day and month in range) where the
 * core schema rekey reads with keeps a string. Pulumi reads the file into `any`, so the value
 * becomes a time.Time, and its config object the text `2026-08-01 00:00:00 +0000 UTC`
 * (pulumi/pulumi sdk/go/common/resource/config/object.go `unmarshalObject`: `v.String()`):
 * an unquoted `rotatedAt: 2026-08-01` is a date to rekey and not one to `pulumi up`.
 */
const GO_TIMESTAMP = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt]\d{1,2}:\d{1,2}:\d{1,2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2}))|(?: \d{1,2}:\d{1,2}:\d{1,2}(?:\.\d{1,9})?))?$/;

function isGoTimestamp(value: string): boolean {
    const m = GO_TIMESTAMP.exec(value);
    if (!m) return false;
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const day = new Date(Date.UTC(y, mo - 1, d));
    return mo >= 1 && mo <= 12 && day.getUTCDate() === d && day.getUTCMonth() === mo - 1;
}

/** What Pulumi makes of a plain timestamp: Go's time.Time String() of it. */
function timestampReading(value: string): string {
    const m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(value);
    const pad = (x: string) => x.padStart(2, "0");
    const text = m ? `"${m[1]}-${pad(m[2])}-${pad(m[3])} 00:00:00 +0000 UTC"` : "Go's text for that time";
    return `Pulumi's YAML reader reads a timestamp (yaml.v3 resolve.go parseTimestamp) and pulumi up gets ${text}, not what rekey reads`;
}

/** Where an unquoted timestamp may stand in the text: the document is composed only then (status and due read quoted dates). */
const PLAIN_TIMESTAMP_HINT = /(?:^|[\s:,[{])\d{4}-\d{1,2}-\d{1,2}(?=$|[\s,\]}Tt#])/m;

/**
 * Whether yaml.v3 types a plain scalar as other than a string (resolve.go `resolve`: the
 * `resolveMap` words, a timestamp, an int or float as Go parses it with "_" removed, base
 * prefixes and a leading 0 for octal included).
 */
function goTypesPlain(src: string): boolean {
    if (/^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/.test(src)) return true;
    if (!/^[-+0-9.]/.test(src)) return false;
    const plain = src.startsWith(".") ? src : src.replace(/_/g, "");
    return isGoTimestamp(src) || /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/.test(plain) || /^[-+]?0(?:[xX][0-9a-fA-F]+|[oO]?[0-7]+|[bB][01]+)$/.test(plain);
}

/**
 * The number yaml.v3 reads a plain scalar as, or null when it reads no number (go-yaml/yaml
 * v3.0.1 resolve.go `resolve`): a scalar starting with "." is strconv.ParseFloat of it as
 * written; one starting with a digit or sign (and no timestamp) has every "_" removed, then is
 * strconv.ParseInt(plain, 0, 64), else ParseUint(plain, 0, 64) (base 0: a sign, then "0x",
 * "0b", "0o" or a bare leading "0" for octal), else ParseFloat if it matches `yamlStyleFloat`
 * (an overflow is an error there, and the scalar stays a string). The later "0b"/"0o"
 * branches read what base 0 already read. Exact up to float64, which is how rekey compares.
 */
function goNumber(src: string): number | null {
    // resolve.go's '.' case: strconv.ParseFloat on the text as written, which takes `_` between
    // digits as Go's float literals do (`.1_0` is 0.1).
    if (src.startsWith(".")) return /^\.[0-9]+(?:_[0-9]+)*(?:[eE][-+]?[0-9]+(?:_[0-9]+)*)?$/.test(src) ? Number(src.replace(/_/g, "")) : null;
    if (!/^[-+0-9]/.test(src) || isGoTimestamp(src)) return null;
    const plain = src.replace(/_/g, "");
    const m = /^([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[bB]([01]+)|0[oO]([0-7]+)|0([0-7]*)|([1-9][0-9]*))$/.exec(plain);
    if (m) {
        const [, sign, hex, bin, oct, old, dec] = m;
        const magnitude = hex !== undefined ? BigInt(`0x${hex}`) : bin !== undefined ? BigInt(`0b${bin}`) : oct !== undefined ? BigInt(`0o${oct}`) : dec !== undefined ? BigInt(dec) : BigInt(`0o${old || "0"}`);
        const v = sign === "-" ? -magnitude : magnitude;
        const int64 = v >= -(BigInt(1) << BigInt(63)) && v < BigInt(1) << BigInt(63);
        const uint64 = sign === "" && v < BigInt(1) << BigInt(64); // ParseUint takes no sign
        if (int64 || uint64) return Number(v);
    }
    if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/.test(plain) && Number.isFinite(Number(plain))) return Number(plain);
    return null;
}

/** What js-yaml's core schema (rekey's reader) makes of a plain scalar alone. */
function rekeyReading(src: string): unknown {
    const { CORE_SCHEMA, load } = require("js-yaml") as typeof import("js-yaml");
    try {
        return load(src, { schema: CORE_SCHEMA });
    } catch {
        return src;
    }
}

/** Where a number the two readers may read differently can stand: the document is composed only then (status and due read plain epochs). */
// A leading zero, a "_", a base-prefixed number of 16 digits and up (past 64 bits: text to yaml.v3, a number to js-yaml), or a decimal of 20 digits and up.
const PLAIN_NUMBER_HINT = /(?:^|[\s:,[{])(?:[-+]?(?:0[0-9_]|[0-9.][0-9a-fA-FxXoObB.eE+-]*_|0[xXbBoO][0-9a-fA-F]{16}|[0-9]{20}|0[XBO])|[-+]\.[0-9])/m;

/**
 * A plain scalar yaml.v3 reads as another number than rekey, or as a number where rekey reads
 * text or the other way round: `017` (octal 15 to Pulumi, 17 to rekey), `1_0` (10 to Pulumi,
 * the text "1_0" to rekey), a whole number beyond float64 (a string to Pulumi, whose ParseFloat
 * overflows; Infinity to rekey). Null when both
 * read the same.
 */
function numberReadingProblem(src: string, what: string): string | null {
    const go = goNumber(src);
    const js = rekeyReading(src);
    if (go === null ? typeof js !== "number" : js === go) return null;
    const plain = src.replace(/_/g, "");
    const octal = go !== null && /^[-+]?0[0-7]+$/.test(plain);
    const fix = octal ? "write it without a leading zero (or quote it)" : src.includes("_") ? "write it without underscores (or quote it)" : "quote it";
    // The written number is shown only when short: a long one could be a pasted value.
    if (src.length > 20) return `${what} is a number of ${src.length} characters that Pulumi's YAML reader (yaml.v3) and rekey read differently: ${fix}`;
    const pulumi = go === null ? "text" : octal ? `the octal number ${go}` : `the number ${go}`;
    const rekey = typeof js === "number" ? `${js}` : "text";
    return `${what} is written ${src}, which Pulumi reads as ${pulumi} and rekey as ${rekey}: ${fix}`;
}

/** A key as js-yaml gives it (always a string) that may have been written as one yaml.v3 types: then the document is composed. */
export function mayBeTypedKey(key: string): boolean {
    // Every key such a one starts with one of these (checked on every key of the file first, before the patterns).
    if (!"-+.0123456789ntfIN".includes(key.charAt(0)) || key === "") return false;
    return /^(?:null|true|false|-?Infinity|NaN)$/.test(key) || /^[-+.0-9]/.test(key);
}

/**
 * A key yaml.v3 types as other than a string, anywhere in the file: Pulumi reads the file
 * into `any`, where such a key makes a map[any]any, and then refuses it ("expected only
 * string keys", pulumi/pulumi sdk/go/common/workspace/project.go `SimplifyMarshalledValue`,
 * called by loaders.go `LoadProjectStackBytes`), so every pulumi command fails on the file;
 * js-yaml makes the key a string and rekey would read on.
 */
export function typedKeyProblem(text: string, doc: Document.Parsed): string | null {
    const { isScalar, visit, Scalar } = yamlDocuments();
    let found: string | null = null;
    visit(doc, {
        Pair: (_, pair) => {
            const key = pair.key;
            if (!isScalar(key) || !key.range || key.type !== Scalar.PLAIN || key.tag !== undefined) return undefined;
            const src = text.slice(key.range[0], key.range[1]);
            if (src === "<<" || !goTypesPlain(src)) return undefined;
            const { line, column } = lineColumn(text, key.range[0]);
            found = `line ${line}, column ${column}: the key ${src} is not a string to Pulumi's YAML reader (yaml.v3 resolve.go resolve), and Pulumi reads only string keys (sdk/go/common/workspace/project.go SimplifyMarshalledValue): every pulumi command fails on this file; quote it ("${src}")`;
            return visit.BREAK;
        },
    });
    return found;
}

/**
 * What yaml.v3 reads differently from rekey where it changes what rekey reads: in the
 * document's map, in `config`, or anywhere in the value of a `rekey:*` key (an alias followed
 * to what it names). Merge keys and plain timestamps elsewhere (another namespace's values)
 * are left alone: rekey reads none of it.
 *
 * A merge key `<<` is applied by yaml.v3 when Pulumi reads the file into `any` (decode.go
 * `(*decoder).mapping` then `(*decoder).merge`: the map's own keys first, then each merged
 * map's keys not already set, the first map of a list winning), before the config is
 * namespaced or typed, so at any depth it can add a secret, a store or an epoch that rekey,
 * which reads `<<` as a plain key, would not see (and a `<<` around the whole config would
 * leave rekey no secrets at all). Refused rather than applied: a bump could not edit an epoch
 * that comes from a merge without changing every entry that shares it.
 */
export function engineReadingProblem(text: string, doc: () => Document.Parsed): string | null {
    const merges = text.includes("<<");
    const timestamps = PLAIN_TIMESTAMP_HINT.test(text);
    const numbers = PLAIN_NUMBER_HINT.test(text);
    if (!merges && !timestamps && !numbers) return null;
    const { isAlias, isMap, isScalar, isSeq, Scalar } = yamlDocuments();
    const d = doc();
    const keyText = (k: unknown): string | null => (isScalar(k) ? String(k.value) : isAlias(k) ? keyText(k.resolve(d)) : null);
    const at = (node: { range?: [number, number, number] | null }) => {
        const { line, column } = lineColumn(text, node.range![0]);
        return `line ${line}, column ${column}`;
    };
    const seen = new Set<unknown>();
    type Scope = "document" | "config" | "rekey";
    const walk = (node: unknown, scope: Scope, path: string): string | null => {
        if (isAlias(node)) return walk(node.resolve(d), scope, path);
        if (scope !== "rekey") {
            // The maps around the rekey:* values: only their merge keys change what rekey reads.
        } else if (seen.has(node)) {
            return null; // an anchored node used again: walked once
        } else {
            seen.add(node);
            // The source text, not the node's value: under a %YAML 1.1 directive the yaml package types dates itself.
            const plain = isScalar(node) && node.range && node.type === Scalar.PLAIN && node.tag === undefined ? text.slice(node.range[0], node.range[1]) : null;
            if (plain !== null && isGoTimestamp(plain)) {
                return `${at(node as { range: [number, number, number] })}: ${plain} in ${path} is written without quotes: ${timestampReading(plain)}; quote it ("${plain}") so both read the text`;
            }
            const number = plain !== null && /^[-+.0-9]/.test(plain) ? numberReadingProblem(plain, path) : null;
            if (number) return `${at(node as { range: [number, number, number] })}: ${number}`;
            if (isSeq(node)) {
                for (const [i, item] of node.items.entries()) {
                    const found = walk(item, scope, `${path}[${i}]`);
                    if (found) return found;
                }
            }
        }
        if (!isMap(node)) return null;
        for (const pair of node.items) {
            if (isMergeKey(text, pair.key)) {
                const within = path === "" ? "the document's map" : path;
                return (
                    `${at(pair.key as { range: [number, number, number] })}: a merge key "<<" in ${within}: Pulumi's YAML reader merges it (yaml.v3 decode.go (*decoder).merge) ` +
                    `and rekey does not, so rekey would show other secrets, stores or epochs than pulumi up deploys; write the merged keys out in place`
                );
            }
            const k = keyText(pair.key);
            const next: [Scope, string] | null =
                scope === "rekey" ? ["rekey", `${path}.${formatPath([String(k)])}`] : scope === "document" && k === "config" ? ["config", "config"] : scope === "config" && k?.startsWith("rekey:") ? ["rekey", formatPath(["config", k])] : null;
            const found = next ? walk(pair.value, ...next) : null;
            if (found) return found;
        }
        return null;
    };
    return walk(d.contents, "document", "");
}
