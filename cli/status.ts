// `rekey status` and the --all-stacks form of `rekey due`: the state of every secret of a
// stack file, or of every stack file of the project, without a Pulumi backend (the stack
// file is the record: epochs, dates, cadences). A stack file without `rekey:*` keys (one
// `pulumi stack init` just made holds only `encryptionsalt`) has no secrets: a note, never
// a failure.
import { DueReport, anythingOverdue, dueOn, dueSecrets } from "../components/plan/due";
import { PlannedSecret, RotationPlan } from "../components/plan/plan";
import type { Output } from "./commands";
import { Today, checkDate } from "./dates";
import { CliError } from "./errors";
import { code, renderDue } from "./render";
import { StackChoice, chosenStacks, noSecretsNote, parseStackFile, planOf, readStackText, stackFileName } from "./stackFile";

/** A stack's plan, or null when its file has no `rekey:*` keys. */
function planOfStack(dir: string, stack: string, today: string): RotationPlan | null {
    const { text } = readStackText(dir, stack);
    const file = parseStackFile(text, stackFileName(stack));
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

function statusTable(rows: SecretStatus[]): string[] {
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

export function status(dir: string, o: StackChoice & Today & { json?: boolean }): Output {
    const stacks = chosenStacks(dir, o);
    const notes: string[] = [];
    const report = stacks.map((stack) => {
        const plan = planOfStack(dir, stack, o.today);
        if (!plan) notes.push(noSecretsNote(stack));
        return { stack, secrets: plan ? plan.secrets.map(secretStatus) : [] };
    });
    if (o.json) return { stdout: JSON.stringify(o.allStacks ? { stacks: report } : report[0], null, 2) + "\n", notes, exitCode: 0 };
    const out: string[] = [];
    for (const r of report) {
        out.push(`### rekey status: ${r.stack}`, "");
        if (r.secrets.length) out.push(...statusTable(r.secrets), "");
        else out.push("No secrets (no rekey:* keys in the stack file).", "");
    }
    return { stdout: out.join("\n"), notes, exitCode: 0 };
}

/** `asOf`: the day to check against (--today); `today`: the clock's, for the rotatedAt check. */
export function dueAll(dir: string, o: StackChoice & Today & { asOf: string; within: string; json?: boolean }): Output {
    const today = checkDate("--today", o.asOf);
    if (!/^\d{1,5}$/.test(o.within)) throw new CliError(`--within "${o.within}" is not a number of days`);
    const stacks = chosenStacks(dir, o);
    const notes: string[] = [];
    const reports: { stack: string; report: DueReport | null }[] = stacks.map((stack) => {
        const plan = planOfStack(dir, stack, o.today);
        if (!plan) notes.push(noSecretsNote(stack));
        return { stack, report: plan ? dueSecrets(plan, today, Number(o.within)) : null };
    });
    const failing = reports.some((r) => r.report && anythingOverdue(r.report));
    let stdout: string;
    if (o.json) {
        const entries = reports.map((r) => ({ stack: r.stack, ...(r.report ?? { today, within: Number(o.within), overdue: [], undated: [], dueSoon: [] }), ...(r.report ? {} : { noSecrets: true }) }));
        stdout = JSON.stringify(o.allStacks ? { stacks: entries } : entries[0], null, 2) + "\n";
    } else {
        stdout = reports.map((r) => (r.report ? renderDue(r.stack, r.report) : `### rekey due: ${r.stack} (today ${today})\n\nNo secrets (no rekey:* keys in the stack file).\n`)).join("\n");
    }
    return { stdout, notes, exitCode: failing ? 1 : 0 };
}
