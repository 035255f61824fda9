// `rekey due`: the secrets past rotatedAt + cadenceDays (and, with --within, those due
// soon) of a stack file, or of every stack file of the project (--all-stacks). A stack file
// without `rekey:*` keys has none: a note, never a failure.
import { DueReport, anythingOverdue, dueSecrets } from "../components/plan/due";
import { Today, checkDate, checkDays } from "./dates";
import type { Output } from "./output";
import type { Project } from "./project";
import { refusedSection, renderDue } from "./render";
import { StackChoice, chosenStacks, eachStack, noSecretsNote, planOfStack } from "./stackFile";

/**
 * `asOf`: the day to check against (--today); `today`: the clock's, for the rotatedAt check.
 * Exit 1 when anything is overdue, 2 when a stack file was refused (--all-stacks still
 * reports every other stack).
 */
export function dueAll(project: Project, o: StackChoice & Today & { asOf: string; within: string; json?: boolean }): Output {
    const today = checkDate("--today", o.asOf);
    const within = checkDays("--within", o.within);
    const notes: string[] = [];
    const reports = eachStack(project, chosenStacks(project, o), o.allStacks, (stack): DueReport | null => {
        const plan = planOfStack(project, stack, o.today);
        if (!plan) notes.push(noSecretsNote(project, stack));
        return plan ? dueSecrets(plan, today, within) : null;
    });
    const refused = reports.flatMap((r) => (r.error === undefined ? [] : [r.error]));
    const overdue = reports.some((r) => r.result && anythingOverdue(r.result));
    const exitCode = refused.length ? 2 : overdue ? 1 : 0;
    let stdout: string;
    if (o.json) {
        const none = { today, within, overdue: [], undated: [], dueSoon: [] };
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
