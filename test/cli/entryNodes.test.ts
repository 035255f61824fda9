// bump edits secrets' entries through their yaml nodes; entryNodes.ts builds them from js-yaml's
// node events without composing the document (its cost on a large stack file). Held here: every
// entry it builds has the document's keys, ranges and flow style where the edits read them, the
// plain layouts are built (so the shortcut is taken), and what it cannot settle is left out.
import fc from "fast-check";
import { isMap, isScalar } from "yaml";
import { entryNode, entryNodesOf } from "../../cli/entryNodes";
import { parseStackFile, secretNode } from "../../cli/stackFile";

type Map = ReturnType<typeof secretNode>;

/** What the edits read of an entry (edit.ts): flow or not, its range's start and end (flow), and each pair's key, key range, value range (scalars) and value. */
function shape(map: Map) {
    return {
        flow: Boolean(map.flow),
        range: map.flow ? [map.range![0], map.range![1]] : null,
        items: map.items.map((p) => {
            const key = p.key as { value: unknown; range: number[] };
            const value = p.value as { range?: number[]; value?: unknown } | null;
            return {
                key: key.value,
                keyRange: [key.range[0], key.range[1]],
                scalar: isScalar(p.value),
                value: isScalar(p.value) ? p.value.value : null,
                // A block collection's end is only read in a flow map (the item before one removed).
                valueRange: value?.range && (isScalar(p.value) || map.flow) ? [value.range[0], value.range[1]] : null,
                collection: isMap(p.value) ? "map" : isScalar(p.value) ? null : "seq",
            };
        }),
    };
}

const doc = (text: string, name: string) => shape(secretNode(parseStackFile(text, "Pulumi.t.yaml", "rekey"), name));

const pieces = {
    epoch: ["epoch: 4", '"epoch": 4', "epoch: 4   # keep  # reason: x", "epoch:   4"],
    rotatedAt: ['rotatedAt: "2026-10-02"', "rotatedAt: '2026-10-02'", 'rotatedAt: "2026-10-02" # when'],
    extra: ["adopt: true", 'incident: "leaked in a log"', "keepPrevious: true", "cadenceDays: 90", "# a comment line", ""],
    generate: ["generate: { encoding: hex, bytes: 16 }", "generate:\n        encoding: hex\n        bytes: 16", "stores: [{ ssm: {} }]", "stores:\n        - ssm: {}"],
};

test("every entry built from the text has the document's keys, ranges and style; the plain layouts are built", () => {
    const block = fc.tuple(fc.constantFrom(...pieces.epoch), fc.constantFrom(...pieces.rotatedAt), fc.constantFrom(...pieces.extra), fc.constantFrom(...pieces.generate), fc.boolean());
    fc.assert(
        fc.property(block, fc.boolean(), ([epoch, rotatedAt, extra, generate, crlf], flow) => {
            const lines = [epoch.replace(/ *#.*/, flow ? "" : "$&"), rotatedAt.replace(/ *#.*/, flow ? "" : "$&"), extra, generate].filter((l) => l !== "" && !(flow && (l.startsWith("#") || l.includes("\n"))));
            const entry = flow ? `    A: { ${lines.join(", ")} } # reason: flow\n` : `    A:\n${lines.map((l) => `      ${l}\n`).join("")}`;
            let text = `config:\n  rekey:secrets:\n${entry}    B:\n      epoch: 1\n      generate: { encoding: hex, bytes: 16 }\n`;
            if (crlf) text = text.replace(/\n/g, "\r\n");
            const built = entryNodesOf(text, "rekey:secrets", ["A", "B"]);
            expect(built.get("A")).toBeDefined();
            expect(shape(built.get("A")!)).toEqual(doc(text, "A"));
            expect(shape(built.get("B")!)).toEqual(doc(text, "B"));
            // The same entries from the parse a stack file is read with for an edit (stackFile.ts openStack), every secret's at once.
            const read = parseStackFile(text, "Pulumi.t.yaml", "rekey", undefined, true);
            expect(["A", "B"].map((n) => shape(entryNode(read.entries!.get(n)!)))).toEqual([doc(text, "A"), doc(text, "B")]);
        }),
        { numRuns: 300 },
    );
});

test.each([
    ["an anchor", "    A: &a\n      epoch: 4\n"],
    ["an alias", "    A: *b\n"],
    ["a tag", "    A:\n      epoch: !!int 4\n"],
    ["a key without a value", "    A: { epoch: 4, keepPrevious }\n"],
    ["an escaped string", '    A:\n      epoch: 4\n      incident: "a\\tb"\n'],
    ["a plain value over two lines", "    A:\n      epoch: 4\n      incident: leaked\n        in a log\n"],
    ["an empty value", "    A:\n      epoch: 4\n      adopt:\n"],
])("%s: the entry is left to the document", (_, entry) => {
    const text = `b: &b { epoch: 1 }\nconfig:\n  rekey:secrets:\n${entry}`.replace("b: &b { epoch: 1 }\n", entry.includes("*b") ? "b: &b { epoch: 1 }\n" : "");
    expect(entryNodesOf(text, "rekey:secrets", ["A"]).get("A")).toBeUndefined();
    expect(parseStackFile(text, "Pulumi.t.yaml", "rekey", undefined, true).entries!.get("A")).toBeUndefined();
});

test("in the project rekey, the entries of secrets written without the namespace are read too", () => {
    const text = "config:\n  secrets:\n    A:\n      epoch: 4\n";
    expect(parseStackFile(text, "Pulumi.t.yaml", "rekey", undefined, true).entries!.get("A")).toBeDefined();
    expect(parseStackFile(text, "Pulumi.t.yaml", "other", undefined, true).entries!.get("A")).toBeUndefined();
});

test("an entry not in the file, and another namespace's secrets key, are not built", () => {
    const text = "config:\n  rekey:secrets:\n    A:\n      epoch: 4\n  other:secrets:\n    B:\n      epoch: 2\n";
    const built = entryNodesOf(text, "rekey:secrets", ["A", "B", "C"]);
    expect(built.get("A")).toBeDefined();
    expect(built.get("B")).toBeUndefined();
    expect(built.get("C")).toBeUndefined();
});
