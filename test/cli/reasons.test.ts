// rekey plan reads a rotated secret's reason from the comment beside its epoch: from the text
// where it alone settles it (epochComments.ts), else from the yaml document, and neither when
// the text cannot hold a reason at all (edit.ts mayHoldReason). The shortcut is sound when every reason the
// document gives comes from a text mayHoldReason accepts: held here over random comments.
import fc from "fast-check";
import { epochReasons, mayHoldReason, splitEpochComment } from "../../cli/edit";
import { epochCommentsOf } from "../../cli/epochComments";
import { parseStackFile, scalarIn, secretNode } from "../../cli/stackFile";

/** The reason as rekey plan reads it through the document, without the shortcut (edit.ts epochReasons). */
function documentReason(text: string): string | null {
    const node = secretNode(parseStackFile(text, "Pulumi.t.yaml", "rekey"), "A");
    const comment = (node.flow ? node.comment : scalarIn(node, "epoch")?.value?.comment)?.trim();
    return comment ? splitEpochComment(comment).reason : null;
}

const stack = (epochLine: string, after: string) => `config:\n  rekey:secrets:\n    A:\n${epochLine}${after}      generate: { encoding: hex, bytes: 16 }\n`;

test("a reason beside the epoch is found, and mayHoldReason accepts its text (control)", () => {
    for (const line of ["      epoch: 4 # reason: leaked in a log\n", "      epoch: 4  # keep in sync  #reason: leaked\n", "      epoch: 4 #\treason:leaked\n"]) {
        const text = stack(line, "");
        expect(documentReason(text)).toMatch(/^leaked/);
        expect(mayHoldReason(text)).toBe(true);
    }
    expect(mayHoldReason(stack("      epoch: 4 # keep in sync with the api\n", ""))).toBe(false);
    expect(documentReason(stack("      epoch: 4 # keep in sync with the api\n", ""))).toBeNull();
});

test("whenever the document gives a reason, mayHoldReason accepted the text", () => {
    const piece = fc.constantFrom("#", " ", "\t", "reason", ":", "reason:", "x", "\n      # ", "\n#", "r", "eason");
    const comment = fc.array(piece, { maxLength: 12 }).map((a) => a.join(""));
    fc.assert(
        fc.property(comment, comment, (beside, after) => {
            const text = stack(`      epoch: 4 #${beside.replace(/\n(?!      #|#)/g, " ")}\n`, after.includes("\n") ? "" : `      #${after}\n`);
            let reason: string | null;
            try {
                reason = documentReason(text);
            } catch {
                return true; // not a stack file the CLI reads (rekey refuses it before any reason)
            }
            return reason === null || mayHoldReason(text);
        }),
        { numRuns: 2000 },
    );
});

test("a flow entry's reason (after the brace) is found the same way, and epochReasons agrees with the document everywhere", () => {
    const piece = fc.constantFrom("#", " ", "\t", "reason", ":", "reason:", "x", "r", "eason", "}", ",");
    const comment = fc.array(piece, { maxLength: 12 }).map((a) => a.join(""));
    fc.assert(
        fc.property(comment, fc.boolean(), (c, flow) => {
            const text = flow
                ? `config:\n  rekey:secrets:\n    A: { epoch: 4, generate: { encoding: hex, bytes: 16 } } #${c}\n`
                : stack(`      epoch: 4 #${c}\n`, "");
            let reason: string | null;
            try {
                reason = documentReason(text);
            } catch {
                return true;
            }
            const file = parseStackFile(text, "Pulumi.t.yaml", "rekey");
            return (reason === null || mayHoldReason(text)) && (epochReasons(file, ["A"]).get("A") ?? null) === reason;
        }),
        { numRuns: 1000 },
    );
    const flowText = "config:\n  rekey:secrets:\n    A: { epoch: 4, generate: { encoding: hex, bytes: 16 } }  # keep  # reason: leaked\n";
    expect(epochReasons(parseStackFile(flowText, "Pulumi.t.yaml", "rekey"), ["A"]).get("A")).toBe("leaked");
});

/** The comment beside A's epoch as the yaml document gives it (what epochReasons used to ask it for every secret). */
function documentComment(text: string): string | null {
    const node = secretNode(parseStackFile(text, "Pulumi.t.yaml", "rekey"), "A");
    return (node.flow ? node.comment : scalarIn(node, "epoch")?.value?.comment) ?? null;
}

test("the comment read from the text (epochComments.ts) is the document's, and the text answers for the plain layouts", () => {
    const entry = (body: string) => `config:\n  rekey:secrets:\n    B:\n      epoch: 1 # reason: b\n      generate: { encoding: hex, bytes: 16 }\n${body}`;
    const answered = [
        entry("    A:\n      epoch: 4 # reason: leaked\n      generate: { encoding: hex, bytes: 16 }\n"),
        entry("    A:\n      generate: { encoding: hex, bytes: 16 }\n      epoch: 4   #  keep  # reason: leaked  \n"),
        entry("    A:\n      epoch: 4\n      generate: { encoding: hex, bytes: 16 }\n"),
        entry("    A:\n      \"epoch\": 4 #reason:x\n      generate: { encoding: hex, bytes: 16 }\n"),
        entry("    A: { epoch: 4, keepPrevious: true } # reason: flow\n"),
        entry("    A: {epoch: 4}\n").replace(/\n/g, "\r\n"),
        entry("    A:\n      epoch: 4 # reason: crlf\n      generate: { encoding: hex, bytes: 16 }\n").replace(/\n/g, "\r\n"),
    ];
    const left = [
        // A comment line after the epoch: the yaml package joins it to the epoch's comment.
        entry("    A:\n      epoch: 4 # reason: leaked\n        # more\n      generate: { encoding: hex, bytes: 16 }\n"),
        entry("    A:\n      epoch: 4\n          # reason: below\n      generate: { encoding: hex, bytes: 16 }\n"),
        // A flow entry over lines, one holding another flow map, an anchor, a tagged epoch.
        entry("    A: { epoch: 4,\n      keepPrevious: true } # reason: flow\n"),
        entry("    A: { epoch: 4, generate: { encoding: hex, bytes: 16 } } # reason: nested\n"),
        entry("    A: &a\n      epoch: 4 # reason: anchored\n      generate: { encoding: hex, bytes: 16 }\n"),
        entry("    A:\n      epoch: !!int 4 # reason: tagged\n      generate: { encoding: hex, bytes: 16 }\n"),
    ];
    for (const text of [...answered, ...left]) {
        const fromText = epochCommentsOf(text, "rekey:secrets", ["A", "B"]);
        const doc = documentComment(text);
        if (answered.includes(text)) expect([text, fromText.get("A")]).toEqual([text, doc]);
        else expect([text, fromText.get("A")]).toEqual([text, undefined]);
        // An anchor or a tag anywhere leaves every secret to the document (entryNodes.ts: an alias could name any node).
        expect(fromText.get("B")).toBe(/[&!]/.test(text) ? undefined : " reason: b");
        expect(epochReasons(parseStackFile(text, "Pulumi.t.yaml", "rekey"), ["A"]).get("A") ?? null).toBe(doc === null ? null : splitEpochComment(doc.trim()).reason);
        // The same from the entries the file was read with (rekey plan on a file that may hold a reason).
        expect(epochCommentsOf(text, "rekey:secrets", ["A", "B"], parseStackFile(text, "Pulumi.t.yaml", "rekey", undefined, true).entries)).toEqual(fromText);
        expect(epochReasons(parseStackFile(text, "Pulumi.t.yaml", "rekey", undefined, true), ["A"]).get("A") ?? null).toBe(doc === null ? null : splitEpochComment(doc.trim()).reason);
    }
});
