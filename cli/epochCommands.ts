// What bump and rollback share: a secret named on the command line, the one-step check
// against the base, and the checked write of the edited text.
import type { RotationDiff } from "../components/plan/diff";
import type { RotationPlan } from "../components/plan/plan";
import { bareName } from "../components/plan/shown";
import { BaseOptions, GitFailure, parsedBase, readBase } from "./baseRevision";
import type { EditedText } from "./edit";
import { CliError } from "./errors";
import { Stack, StackFile, parseStackFile, planOf } from "./stackFile";
import { replaceFile } from "./writeFiles";

export function secretOf(s: Stack, name: string) {
    const secret = s.plan.secrets.find((x) => x.name === name);
    if (!secret) {
        const known = s.plan.secrets.map((x) => x.name);
        const near = closest(name, known);
        // What was typed is shown only with a name's shape: `rekey bump TOKEN <value>` gives a value here.
        throw new CliError(`unknown secret ${bareName(name)} in ${s.file.label}${near ? `: did you mean ${near}?` : ""}${known.length ? ` (it has: ${known.join(", ")})` : ""}`);
    }
    return secret;
}

/** The name nearest to `name` (case aside, at most 2 edits, or a third of its length), if one is. */
export function closest(name: string, names: readonly string[]): string | null {
    const distance = (a: string, b: string): number => {
        let row = Array.from({ length: b.length + 1 }, (_, j) => j);
        for (let i = 1; i <= a.length; i++) {
            const next = [i];
            for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
            row = next;
        }
        return row[b.length];
    };
    const limit = Math.max(2, Math.floor(name.length / 3));
    let best: { n: string; d: number } | null = null;
    for (const n of names) {
        const d = distance(name.toUpperCase(), n.toUpperCase());
        if (d <= limit && (!best || d < best.d)) best = { n, d };
    }
    return best?.n ?? null;
}

/** The base version of the stack file, parsed; null for a new stack. */
export function openBase(s: Stack, options: BaseOptions): { label: string; file: StackFile | null } {
    const base = readBase(s.project.cwd, s.path, options);
    // No base to find (no git repository, no commit yet): the epochs cannot be checked (bump says so).
    if (base.none !== undefined) throw new CliError(base.none);
    return parsedBase(s.project, s.stack, base, s.file);
}

/** A secret's epoch as a stack file writes it (before validation), or undefined. */
function rawEpoch(file: StackFile, name: string): number | undefined {
    const secrets = file.raw.secrets;
    const entry = secrets && typeof secrets === "object" ? (secrets as Record<string, unknown>)[name] : undefined;
    const epoch = entry && typeof entry === "object" ? (entry as Record<string, unknown>).epoch : undefined;
    return Number.isInteger(epoch) ? (epoch as number) : undefined;
}

/**
 * The secrets (of `names`) whose epoch already differs from the base: `pulumi up` moves an
 * epoch one step per completed rotation (components/plan/deployed.ts), so one change moves
 * it once. Without a base to compare with (no git, no commit, no default branch), a note
 * says the check was not made and nothing is refused; a git failure stops the command.
 */
export function movedSinceBase(s: Stack, base: () => { label: string; file: StackFile | null }, names: string[], notes: string[]): Map<string, string> {
    let b: { label: string; file: StackFile | null };
    try {
        b = base();
    } catch (e) {
        // A git failure (git missing, a repository it refuses) is no "no base": it stops the command.
        if (!(e instanceof CliError) || e instanceof GitFailure) throw e;
        notes.push(`could not check the epochs against a base, so a second step in one change is not caught here (pulumi up still refuses it): ${e.message}`);
        return new Map();
    }
    const out = new Map<string, string>();
    for (const name of names) {
        const was = b.file ? rawEpoch(b.file, name) : undefined;
        const now = s.plan.secrets.find((x) => x.name === name)?.epoch;
        if (was === undefined || now === null || now === undefined || was === now) continue;
        out.set(name, `${name} is at epoch ${now} here and ${was} at ${b.label}: this change already moves it, and pulumi up moves an epoch one step per completed rotation. Deploy this change first, then change the epoch again in a new one`);
    }
    return out;
}

export function restartSummary(diff: Pick<RotationDiff, "consumers">): string {
    return diff.consumers.length ? `consumers to restart, in order: ${diff.consumers.map((c) => c.name).join(", ")}` : "no consumer restarts";
}

/** Checks the edited text as every stack file is read, and that it plans; writes it, and returns its plan. */
export function write(s: Stack, { text, values }: EditedText): RotationPlan {
    const plan = planOf(parseStackFile(text, s.file.label, s.project.name, values), s.today);
    replaceFile(s.path, text);
    return plan;
}
