// Which secrets are due for rotation on a given day: rotatedAt + cadenceDays. Pure; the
// `rekey due` and `rekey bump --due` commands and the scheduled workflow use it.
import { RotationPlan } from "./model";

export interface DueEntry {
    name: string;
    source: "generate" | "supplied" | "issue";
    rotatedAt: string | null;
    cadenceDays: number;
    /** rotatedAt + cadenceDays; null when rotatedAt is not recorded. */
    dueOn: string | null;
    /** Days from today to dueOn: negative when overdue; null when undated. */
    daysLeft: number | null;
}

export interface DueReport {
    today: string;
    within: number;
    /** Past their due date, most overdue first. */
    overdue: DueEntry[];
    /** With a cadence but no rotatedAt: when they were last rotated is unknown. */
    undated: DueEntry[];
    /** Due today or within `within` days, soonest first. */
    dueSoon: DueEntry[];
}

const DAY_MS = 86_400_000;
const dayNumber = (date: string) => Date.parse(`${date}T00:00:00Z`) / DAY_MS;
const dateOf = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** The day a secret rotated on `rotatedAt` is next due, every `cadenceDays` (YYYY-MM-DD, UTC). */
export function dueOn(rotatedAt: string, cadenceDays: number): string {
    return dateOf(dayNumber(rotatedAt) + cadenceDays);
}

/** `today` is YYYY-MM-DD (UTC); derived secrets have no schedule of their own and are left out. */
export function dueSecrets(plan: RotationPlan, today: string, within: number): DueReport {
    const report: DueReport = { today, within, overdue: [], undated: [], dueSoon: [] };
    for (const s of plan.secrets) {
        if (s.cadenceDays === null || s.source.kind === "derive") continue;
        const base = { name: s.name, source: s.source.kind, rotatedAt: s.rotatedAt, cadenceDays: s.cadenceDays };
        if (s.rotatedAt === null) {
            report.undated.push({ ...base, dueOn: null, daysLeft: null });
            continue;
        }
        const dueDay = dayNumber(s.rotatedAt) + s.cadenceDays;
        const entry = { ...base, dueOn: dateOf(dueDay), daysLeft: dueDay - dayNumber(today) };
        if (entry.daysLeft < 0) report.overdue.push(entry);
        else if (entry.daysLeft <= within) report.dueSoon.push(entry);
    }
    const byDays = (a: DueEntry, b: DueEntry) => a.daysLeft! - b.daysLeft! || a.name.localeCompare(b.name);
    report.overdue.sort(byDays);
    report.dueSoon.sort(byDays);
    return report;
}

/**
 * Who makes a due secret's next value: rekey (a generated secret, adopted or not, and any
 * source rekey has a value made for itself, as an issued one is), or a person (a supplied
 * value: it comes from its issuer, is set in rekey:supplied, then bumped).
 * `rekey due` words its reminder by it and `rekey bump --due` bumps only rekey's.
 */
export function newValueBy(source: DueEntry["source"]): "rekey" | "person" {
    return source === "supplied" ? "person" : "rekey";
}

/** Every entry of the report, in its order: overdue, undated, due soon (what `rekey due` lists as due). */
export function dueEntries(report: DueReport): DueEntry[] {
    return [...report.overdue, ...report.undated, ...report.dueSoon];
}

/** Whether `rekey due` fails: something is overdue, or has a cadence and no recorded date. */
export function anythingOverdue(report: DueReport): boolean {
    return report.overdue.length > 0 || report.undated.length > 0;
}
