// `rekey status` and the --all-stacks form of `rekey due`: the state of every secret of a
// stack file, or of every stack file of the project, without a Pulumi backend (the stack
// file is the record: epochs, dates, cadences). A stack file without `rekey:*` keys (one
// `pulumi stack init` just made holds only `encryptionsalt`) has no secrets: a note, never
// a failure.
import { DueReport, anythingOverdue, dueOn, dueSecrets } from "../components/plan/due";
import { PlannedSecret, RotationPlan } from "../components/plan/plan";
import { describe } from "../components/plan/shown";
import type { Output } from "./commands";
import { Today, checkDate } from "./dates";
import { CliError } from "./errors";
import { code, refusedSection, renderDue } from "./render";
import type { Project } from "./project";
import { StackChoice, chosenStacks, eachStack, noSecretsNote, openStackFile, planOf } from "./stackFile";

/** A stack's plan, or null when its file has no `rekey:*` keys. */
function planOfStack(project: Project, stack: string, today: string): RotationPlan | null {
    const { file } = openStackFile(project, stack);
    return file.hasRekeyKeys ? planOf(file, today) : null;
}

export interface SecretStatus {
    name: string;
    source: "generate" | "supplied" | "derive" | "adopted";
    epoch: number | null;
    rotatedAt: string | null;
    cadenceDays: number | null;
    /** rotatedAt + cadenceDays; null without a cadence or a date. */
    nextDue: string | null;
    stores: string[];
    consumers: string[];
    hook: "postgres" | "redis" | "command" | null;
    keepPrevious: boolean;
    incident: string | null;
}

export function secretStatus(s: PlannedSecret): SecretStatus {
    // As rekey due counts it: derived secrets have no schedule of their own.
    const nextDue = s.cadenceDays !== null && s.rotatedAt !== null && s.source.kind !== "derive" ? dueOn(s.rotatedAt, s.cadenceDays) : null;
    return {
        name: s.name,
        source: s.adopt ? "adopted" : s.source.kind,
        epoch: s.epoch,
        rotatedAt: s.changedAt,
        cadenceDays: s.cadenceDays,
        nextDue,
        stores: s.stores.map((st) => st.label),
        consumers: s.consumers,
        hook: s.apply?.kind ?? null,
        keepPrevious: s.keepPrevious,
        incident: s.incident,
    };
}

export function statusTable(rows: SecretStatus[]): string[] {
    const due = (r: SecretStatus) => (r.cadenceDays === null ? "no cadence" : r.nextDue ?? `every ${r.cadenceDays} days, never recorded`);
    return [
        "| secret | source | epoch | rotatedAt | next due | stores | consumers | hook | keepPrevious | incident |",
        "|---|---|---|---|---|---|---|---|---|---|",
        ...rows.map((r) =>
            [
                r.name,
                r.source,
                r.epoch === null ? "(follows inputs)" : String(r.epoch),
                r.rotatedAt ?? "",
                due(r),
                r.stores.map(code).join(", ") || "none",
                r.consumers.join(", ") || "none",
                r.hook ?? "",
                r.keepPrevious ? "yes" : "",
                r.incident === null ? "" : code(r.incident),
            ].map((c) => c.replace(/\|/g, "\\|")).join(" | "),
        ).map((l) => `| ${l} |`),
    ];
}

export function status(project: Project, o: StackChoice & Today & { json?: boolean }): Output {
    const notes: string[] = [];
    const report = eachStack(project, chosenStacks(project, o), o.allStacks, (stack) => {
        const plan = planOfStack(project, stack, o.today);
        if (!plan) notes.push(noSecretsNote(project, stack));
        return plan ? plan.secrets.map(secretStatus) : null;
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
        else if (r.result.length) out.push(heading, "", ...statusTable(r.result), "");
        else out.push(heading, "", "No secrets (rekey:secrets is empty).", "");
    }
    return { stdout: out.join("\n"), notes: [...notes, ...refused], exitCode };
}

/**
 * `asOf`: the day to check against (--today); `today`: the clock's, for the rotatedAt check.
 * Exit 1 when anything is overdue, 2 when a stack file was refused (--all-stacks still
 * reports every other stack).
 */
export function dueAll(project: Project, o: StackChoice & Today & { asOf: string; within: string; json?: boolean }): Output {
    const today = checkDate("--today", o.asOf);
    if (!/^\d{1,5}$/.test(o.within)) {
        // Shown when it is written as a number ("-3", "1.5"); anything else typed there is described.
        const shown = /^[-+.\d]{1,12}$/.test(o.within) ? JSON.stringify(o.within) : `(${describe(o.within)}, not shown)`;
        throw new CliError(`--within ${shown} is not a number of days`);
    }
    const notes: string[] = [];
    const reports = eachStack(project, chosenStacks(project, o), o.allStacks, (stack): DueReport | null => {
        const plan = planOfStack(project, stack, o.today);
        if (!plan) notes.push(noSecretsNote(project, stack));
        return plan ? dueSecrets(plan, today, Number(o.within)) : null;
    });
    const refused = reports.flatMap((r) => (r.error === undefined ? [] : [r.error]));
    const overdue = reports.some((r) => r.result && anythingOverdue(r.result));
    const exitCode = refused.length ? 2 : overdue ? 1 : 0;
    let stdout: string;
    if (o.json) {
        const none = { today, within: Number(o.within), overdue: [], undated: [], dueSoon: [] };
        const entries = reports.map((r) =>
            r.error !== undefined ? { stack: r.stack, ...none, error: r.error } : r.result ? { stack: r.stack, ...r.result } : { stack: r.stack, ...none, noSecrets: true },
        );
        stdout = JSON.stringify(o.allStacks ? { stacks: entries } : entries[0], null, 2) + "\n";
    } else {
        const heading = (stack: string) => `### rekey due: ${stack} (today ${today})`;
        stdout = reports
            .map((r) =>
                r.error !== undefined ? refusedSection(heading(r.stack), r.error) : r.result ? renderDue(r.stack, r.result) : `${heading(r.stack)}\n\nNo secrets (no rekey:* keys in the stack file).\n`,
            )
            .join("\n");
    }
    return { stdout, notes: [...notes, ...refused], exitCode };
}
