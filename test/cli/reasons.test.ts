// rekey plan reads a rotated secret's reason from the comment beside its epoch, which needs
// the yaml document (positions and comments), and only composes it when the text can hold
// a reason at all (edit.ts mayHoldReason). The shortcut is sound when every reason the
// document gives comes from a text mayHoldReason accepts: held here over random comments.
import fc from "fast-check";
import { epochReasons, mayHoldReason, splitEpochComment } from "../../cli/edit";
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
