// `rekey status`: the state of every secret of a stack file, or of every stack file of the
// project, without a Pulumi backend (the stack file is the record: epochs, dates, cadences).
// A stack file without `rekey:*` keys (one `pulumi stack init` just made holds only
// `encryptionsalt`) has no secrets: a note, never a failure.
import { issuedCredential } from "../components/plan/issueKinds";
import { dueOn } from "../components/plan/due";
import type { PlannedSecret, RotationPlan } from "../components/plan/plan";
import { PROVED, READ_BACK, proofRecords } from "../components/plan/proofRecord";
import type { ProofRecord } from "../components/plan/record";
import { consumerRestarts } from "../components/plan/restarts";
import type { Output } from "./output";
import type { Today } from "./dates";
import { code, refusedSection } from "./render";
import type { Project } from "./project";
import { StackChoice, chosenStacks, eachStack, noSecretsNote, planOfStack } from "./stackFile";

export interface SecretStatus {
    name: string;
    /** `adopted`: a generated secret whose epoch 0 is the value in use; `supplied (adopted)`: a supplied one whose value is. */
    source: "generate" | "supplied" | "derive" | "issue" | "adopted" | "supplied (adopted)";
    epoch: number | null;
    rotatedAt: string | null;
    cadenceDays: number | null;
    /** rotatedAt + cadenceDays; null without a cadence or a date. */
    nextDue: string | null;
    stores: string[];
    consumers: string[];
    hook: "postgres" | "redis" | "mysql" | "command" | null;
    /** What an issued secret's slots hold (`an access key of IAM user "ci"`), else null. */
    issues: string | null;
    keepPrevious: boolean;
    incident: string | null;
    /**
     * What a completed rotation of it proves, as its `rotation` record says (CONTRACT
     * "Proof"): each store read back or why not, each consumer proving the value or why not.
     */
    proof: ProofRecord;
}

/** Every secret's status, with what its rotations prove. */
export function secretStatuses(plan: RotationPlan): SecretStatus[] {
    const proofs = proofRecords(plan, consumerRestarts(plan));
    return plan.secrets.map((s) => secretStatus(s, proofs.get(s.name)!));
}

export function secretStatus(s: PlannedSecret, proof: ProofRecord): SecretStatus {
    // As rekey due counts it: derived secrets have no schedule of their own.
    const nextDue = s.cadenceDays !== null && s.rotatedAt !== null && s.source.kind !== "derive" ? dueOn(s.rotatedAt, s.cadenceDays) : null;
    return {
        name: s.name,
        source: s.adopt ? (s.source.kind === "supplied" ? "supplied (adopted)" : "adopted") : s.source.kind,
        epoch: s.epoch,
        rotatedAt: s.changedAt,
        cadenceDays: s.cadenceDays,
        nextDue,
        stores: s.stores.map((st) => st.label),
        consumers: s.consumers,
        hook: s.apply?.kind ?? null,
        issues: s.source.kind === "issue" ? issuedCredential(s.source.issue) : null,
        keepPrevious: s.keepPrevious,
        incident: s.incident,
        proof,
    };
}

/** `2/3 stores read back, 1/2 consumers prove`: the proof column. */
function proofSummary(p: ProofRecord): string {
    const stores = Object.values(p.stores);
    const consumers = Object.values(p.consumers);
    const parts = [
        stores.length ? `${stores.filter((v) => v === READ_BACK).length}/${stores.length} stores read back` : "",
        consumers.length ? `${consumers.filter((v) => v === PROVED).length}/${consumers.length} consumers prove` : "",
    ].filter(Boolean);
    return parts.join(", ") || "nothing to prove";
}

/** What is not read back or not proved, and why: one line each under the table. */
export function proofGaps(rows: SecretStatus[]): string[] {
    const gaps = rows.flatMap((r) => [
        ...Object.entries(r.proof.stores).filter(([, v]) => v !== READ_BACK).map(([store, v]) => `- ${r.name}: store ${code(store)} ${v}`),
        ...Object.entries(r.proof.consumers).filter(([, v]) => v !== PROVED).map(([c, v]) => `- ${r.name}: consumer ${c} ${v}`),
    ]);
    return gaps.length ? ["Not proved by a rotation:", "", ...gaps, ""] : [];
}

export function statusTable(rows: SecretStatus[]): string[] {
    const due = (r: SecretStatus) => (r.cadenceDays === null ? "no cadence" : r.nextDue ?? `every ${r.cadenceDays} days, never recorded`);
    return [
        "| secret | source | epoch | rotatedAt | next due | stores | consumers | hook | keepPrevious | incident | proof |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        ...rows.map((r) =>
            [
                r.name,
                r.issues ? `${r.source}: ${r.issues}` : r.source,
                r.epoch === null ? "(follows inputs)" : String(r.epoch),
                r.rotatedAt ?? "",
                due(r),
                r.stores.map(code).join(", ") || "none",
                r.consumers.join(", ") || "none",
                r.hook ?? "",
                r.keepPrevious ? "yes" : "",
                r.incident === null ? "" : code(r.incident),
                proofSummary(r.proof),
            ].map((c) => c.replace(/\|/g, "\\|")).join(" | "),
        ).map((l) => `| ${l} |`),
    ];
}

export function status(project: Project, o: StackChoice & Today & { json?: boolean }): Output {
    const notes: string[] = [];
    const report = eachStack(project, chosenStacks(project, o), o.allStacks, (stack) => {
        const plan = planOfStack(project, stack, o.today);
        if (!plan) notes.push(noSecretsNote(project, stack));
        return plan ? secretStatuses(plan) : null;
    });
    const refused = report.flatMap((r) => (r.error === undefined ? [] : [r.error]));
    const exitCode = refused.length ? 2 : 0;
    if (o.json) {
        const entries = report.map((r) => (r.error === undefined ? { stack: r.stack, secrets: r.result ?? [] } : { stack: r.stack, secrets: [], error: r.error }));
        return { stdout: JSON.stringify(o.allStacks ? { stacks: entries } : entries[0], null, 2) + "\n", notes: [...notes, ...refused], exitCode };
    }
    const out: string[] = [];
    for (const r of report) {
        const heading = `### rekey status: ${r.stack}`;
        if (r.error !== undefined) out.push(refusedSection(heading, r.error));
        else if (r.result === null) out.push(heading, "", "No secrets (no rekey:* keys in the stack file).", "");
        else if (r.result.length) out.push(heading, "", ...statusTable(r.result), "", ...proofGaps(r.result));
        else out.push(heading, "", "No secrets (rekey:secrets is empty).", "");
    }
    return { stdout: out.join("\n"), notes: [...notes, ...refused], exitCode };
}
