// `rekey bump`: epoch + 1 and rotatedAt for the secrets named (or --all), written into the
// stack file; an incident bump writes `incident:` (and `revokeFirst:`) beside the epoch.
// `rekey bump --due`: the same bump for every secret `rekey due` lists, in one or every stack.
import { consumerChanges } from "../components/plan/consumerChanges";
import { DueEntry, dueEntries, dueSecrets, newValueBy } from "../components/plan/due";
import type { BaseOptions } from "./baseRevision";
import { Today, checkDate, checkDays } from "./dates";
import { EpochEdit, applyEpochEdits } from "./edit";
import { movedSinceBase, openBase, restartSummary, secretOf, write } from "./epochCommands";
import { CliError } from "./errors";
import type { Output } from "./output";
import type { Project } from "./project";
import { stackFlag } from "./shell";
import { Stack, StackChoice, StackFile, chosenStacks, eachStack, noSecretsNote, openStack, openStackFile, planOf } from "./stackFile";

export interface BumpOptions extends BaseOptions, Today {
    all?: boolean;
    date: string;
    reason?: string;
    /** The old value leaked: written as `incident:` beside the new epoch. */
    incident?: string;
    /** With incident: written as `revokeFirst: true`, the leaked credential is revoked before the consumers restart. */
    revokeFirst?: boolean;
}

export function bump(project: Project, stack: string, names: string[], o: BumpOptions): Output {
    if (names.length && o.all) throw new CliError("give secret names or --all, not both");
    if (!names.length && !o.all) throw new CliError("name the secrets to bump, or give --all");
    if (o.revokeFirst && o.incident === undefined) throw new CliError("--revoke-first needs --incident REASON: it revokes a leaked credential before the consumers restart");
    const date = checkDate("--date", o.date);
    if (date > o.today) throw new CliError(`--date "${date}" is in the future (today is ${o.today}, UTC)`);
    const s = openStack(project, stack, o);
    const notes: string[] = [];
    let base: { label: string; file: StackFile | null } | undefined;
    const baseFile = () => (base ??= openBase(s, o));
    const candidates = o.all ? s.plan.secrets.filter((x) => x.source.kind !== "derive").map((x) => x.name) : [...new Set(names)];
    const chosen: { name: string; epoch: number }[] = [];
    for (const name of candidates) {
        const secret = secretOf(s, name);
        if (secret.source.kind === "derive") {
            throw new CliError(`${name} is derived from ${secret.source.inputs.join(", ")}: it has no epoch and follows its inputs; bump those`);
        }
        if (secret.source.kind === "supplied") {
            let b: ReturnType<typeof baseFile>;
            try {
                b = baseFile();
            } catch (e) {
                if (!o.all || !(e instanceof CliError)) throw e;
                notes.push(`not bumped: ${name} (supplied): cannot tell whether its value changed: ${e.message}`);
                continue;
            }
            const before = b.file?.ciphertexts.get(name);
            if (before !== undefined && before === s.file.ciphertexts.get(name)) {
                const how = `set the new value first with pulumi config set --secret --path 'rekey:supplied.${name}', then bump it`;
                if (!o.all) throw new CliError(`${name} is supplied and its encrypted value is the same as at ${b.label}: ${how}`);
                notes.push(`not bumped: ${name} (supplied), whose encrypted value is the same as at ${b.label}; to rotate it, ${how}`);
                continue;
            }
        }
        chosen.push({ name, epoch: secret.epoch! });
    }
    const moved = movedSinceBase(s, baseFile, chosen.map((c) => c.name), notes);
    if (moved.size && !o.all) throw new CliError([...moved.values()].join("\n"));
    for (const [name, why] of moved) notes.push(`not bumped: ${name}, already moved in this change (${why})`);
    chosen.splice(0, chosen.length, ...chosen.filter((c) => !moved.has(c.name)));
    if (!chosen.length) throw new CliError("nothing to bump");
    const { lines, diff } = applyBumps(s, chosen.map(({ name, epoch }) => ({ name, epoch, reason: o.reason })), date, o);
    lines.push(`${restartSummary(diff)}; rekey plan ${stackFlag(stack)} shows the whole rotation`);
    return { stdout: lines.join("\n") + "\n", notes, exitCode: 0 };
}

/**
 * Writes epoch + 1 and rotatedAt `date` for each secret (one splice pass, edit.ts), checked
 * and written as every edit is (epochCommands.ts `write`). Returns a line per bump (and per
 * adopt removed) and the rotation the edit makes.
 */
function applyBumps(s: Stack, chosen: { name: string; epoch: number; reason?: string }[], date: string, o: { incident?: string; revokeFirst?: boolean }) {
    // A bump never adopts: it removes the adopt line (a generated secret's is valid only at epoch 0,
    // and the adopted value becomes the previous one; a supplied secret's bump rotates to its new value).
    const edits: EpochEdit[] = chosen.map(({ name, epoch, reason }) => ({ name, epoch: epoch + 1, rotatedAt: date, reason, dropAdopt: true, incident: o.incident, revokeFirst: o.revokeFirst }));
    const edited = applyEpochEdits(s.file, edits);
    // Only the restarts are printed: the rule of the plan's diff without its two schedules.
    const diff = { consumers: consumerChanges(s.plan, write(s, edited), new Set()) };
    const adopted = new Map(s.plan.secrets.filter((x) => x.adopt).map((x) => [x.name, x.source.kind]));
    const lines = edits.flatMap((e) => [
        `${e.name}: epoch ${e.epoch - 1} → ${e.epoch}, rotatedAt ${date}${e.incident === undefined ? "" : e.revokeFirst ? ", incident: no overlap, revoked first (before the consumers restart: they fail until then)" : ", incident: no overlap (rekey plan says when the old value stops working)"}`,
        ...(adopted.has(e.name) ? [adoptRemovedLine(e.name, e.epoch, adopted.get(e.name)!)] : []),
    ]);
    return { lines, diff, adopted };
}

const adoptRemovedLine = (name: string, epoch: number, kind: string) =>
    kind === "supplied"
        ? `${name}: adopt removed (epoch ${epoch} is a rotation to the value in rekey:supplied.${name}: pulumi up runs its hook and restarts its consumers)`
        : `${name}: adopt removed (epoch ${epoch} is generated; the stack's state keeps the adopted value): rekey:supplied.${name} is no longer read, delete it with pulumi config rm --path 'rekey:supplied.${name}'`;

/** What `bump` refuses without --due (the flags that go with it), and the stack it needs; the stack named. */
export function stackToBump(o: BumpOptions & DueFlags): string {
    const dueOnly = (["within", "asOf", "json", "allStacks"] as const).filter((k) => o[k] !== undefined && o[k] !== false);
    const flag = { within: "--within", asOf: "--today", json: "--json", allStacks: "--all-stacks" } as const;
    if (dueOnly.length) throw new CliError(`${dueOnly.map((k) => flag[k]).join(", ")} ${dueOnly.length > 1 ? "go" : "goes"} with --due (the secrets that are due); --date sets the rotatedAt a bump writes`);
    if (o.stack === undefined) throw new CliError("name the stack with --stack <stack>");
    return o.stack;
}

/** The flags of `bump --due` (cli/main.ts). */
export interface DueFlags extends StackChoice {
    /** --today: the day the due dates are checked against (as `rekey due --today`). */
    asOf?: string;
    within?: string;
    json?: boolean;
}

/** A due secret `bump --due` bumped. */
export interface DueBumped {
    name: string;
    source: DueEntry["source"];
    from: number;
    to: number;
    dueOn: string | null;
    daysLeft: number | null;
    cadenceDays: number;
    /** The reason written beside the new epoch. */
    reason: string;
    /** It was adopted (epoch 0): the bump removed `adopt:` and rekey:supplied.NAME is no longer read. */
    adoptRemoved: boolean;
}

/** A due secret `bump --due` left: supplied (a person gets its new value), or its epoch already moved in this change. */
export interface DueSkipped {
    name: string;
    source: DueEntry["source"];
    dueOn: string | null;
    daysLeft: number | null;
    cadenceDays: number;
    why: "supplied" | "moved";
    /** What to do, or why it is left (one line). */
    detail: string;
    /** The commands a person runs for it, in order (supplied); empty otherwise. */
    commands: string[];
}

export interface DueBumpReport {
    today: string;
    within: number;
    /** The rotatedAt written (--date, default today UTC). */
    rotatedAt: string;
    bumped: DueBumped[];
    skipped: DueSkipped[];
    /** The consumers the bumps restart, in order (none when nothing was bumped). */
    consumers: string[];
}

/**
 * The reason written beside a due secret's new epoch: when it was due (from the same
 * DueEntry `rekey due` lists), so the stack file's history says why it rotated.
 */
export function dueReason(e: Pick<DueEntry, "dueOn" | "daysLeft" | "cadenceDays">): string {
    if (e.dueOn === null) return `due: cadence ${e.cadenceDays} days and no rotatedAt recorded`;
    return `${e.daysLeft! < 0 ? "due since" : "due on"} ${e.dueOn} (cadence ${e.cadenceDays} days)`;
}

/**
 * `rekey bump --due`: in each stack, every secret `rekey due` lists as due (overdue, undated,
 * or due within --within days of --today, components/plan/due.ts) whose new value rekey makes
 * (`newValueBy`) is bumped with its reason. Left, and listed with why: a supplied secret (its
 * new value comes from a person: the exact commands), and one whose epoch already moved in
 * this change (the one-step rule, epochCommands.ts `movedSinceBase`, as `bump` refuses it;
 * an adopted secret bumped once is such a one). Derived secrets are never due. Exit 0 when it
 * ran, 2 when a stack file was refused (--all-stacks still bumps every other stack).
 */
export function bumpDue(project: Project, names: string[], o: BumpOptions & DueFlags): Output {
    if (names.length || o.all) throw new CliError(`--due chooses the secrets that are due: give ${names.length ? "secret names" : "--all"} or --due, not both`);
    if (o.reason !== undefined) throw new CliError("--due writes each secret's reason (when it was due): --reason goes with secret names or --all");
    if (o.incident !== undefined || o.revokeFirst) throw new CliError("--incident and --revoke-first rotate a leaked secret now, not on schedule: bump it by name");
    if (o.baseFile !== undefined && o.allStacks) throw new CliError("--base-file is one stack's file: give --stack with it, or --base <git-ref> with --all-stacks");
    const asOf = checkDate("--today", o.asOf ?? o.today);
    const within = checkDays("--within", o.within ?? "0");
    const date = checkDate("--date", o.date);
    if (date > o.today) throw new CliError(`--date "${date}" is in the future (today is ${o.today}, UTC)`);
    const notes: string[] = [];
    const outcomes = eachStack(project, chosenStacks(project, o), o.allStacks, (stack): DueBumpReport | null => {
        const { path, file } = openStackFile(project, stack);
        if (!file.hasRekeyKeys) {
            notes.push(noSecretsNote(project, stack));
            return null;
        }
        const s: Stack = { project, stack, path, file, plan: planOf(file, o.today), today: o.today };
        const stackNotes: string[] = [];
        const r = bumpDueStack(s, asOf, within, date, o, stackNotes);
        notes.push(...stackNotes.map((n) => (o.allStacks ? `${stack}: ${n}` : n)));
        return r;
    });
    const refused = outcomes.flatMap((r) => (r.error === undefined ? [] : [r.error]));
    let stdout: string;
    if (o.json) {
        const none = { today: asOf, within, rotatedAt: date, bumped: [], skipped: [], consumers: [] };
        const entries = outcomes.map((r) =>
            r.error !== undefined ? { stack: r.stack, ...none, error: r.error } : r.result ? { stack: r.stack, ...r.result } : { stack: r.stack, ...none, noSecrets: true },
        );
        stdout = JSON.stringify(o.allStacks ? { stacks: entries } : entries[0], null, 2) + "\n";
    } else {
        const heading = (stack: string) => `### rekey bump --due: ${stack} (today ${asOf}${within ? `, within ${within} days` : ""})`;
        stdout = outcomes
            .map((r) =>
                r.error !== undefined
                    ? (require("./render") as typeof import("./render")).refusedSection(heading(r.stack), r.error)
                    : r.result
                      ? renderDueBump(heading(r.stack), r.stack, r.result)
                      : `${heading(r.stack)}\n\nNo secrets (no rekey:* keys in the stack file).\n`,
            )
            .join("\n");
    }
    return { stdout, notes: [...notes, ...refused], exitCode: refused.length ? 2 : 0 };
}

function bumpDueStack(s: Stack, asOf: string, within: number, date: string, o: BaseOptions, notes: string[]): DueBumpReport {
    const due = dueEntries(dueSecrets(s.plan, asOf, within));
    let base: { label: string; file: StackFile | null } | undefined;
    const moved = due.length ? movedSinceBase(s, () => (base ??= openBase(s, o)), due.map((e) => e.name), notes) : new Map<string, string>();
    const skipped: DueSkipped[] = [];
    const chosen: { entry: DueEntry; epoch: number }[] = [];
    for (const e of due) {
        const entry = { name: e.name, source: e.source, dueOn: e.dueOn, daysLeft: e.daysLeft, cadenceDays: e.cadenceDays };
        const why = moved.get(e.name);
        if (why !== undefined) {
            skipped.push({ ...entry, why: "moved", detail: `already moved in this change: ${why}`, commands: [] });
        } else if (newValueBy(e.source) === "person") {
            skipped.push({
                ...entry,
                why: "supplied",
                detail: "supplied: its new value comes from a person (its issuer); set it, then bump it",
                commands: [`pulumi config set --secret --path 'rekey:supplied.${e.name}' ${stackFlag(s.stack)}`, `rekey bump ${e.name} ${stackFlag(s.stack)} --reason "${dueReason(e)}"`],
            });
        } else {
            chosen.push({ entry: e, epoch: s.plan.secrets.find((x) => x.name === e.name)!.epoch! });
        }
    }
    const report: DueBumpReport = { today: asOf, within, rotatedAt: date, bumped: [], skipped, consumers: [] };
    if (!chosen.length) return report;
    const { diff, adopted } = applyBumps(s, chosen.map(({ entry, epoch }) => ({ name: entry.name, epoch, reason: dueReason(entry) })), date, {});
    report.bumped = chosen.map(({ entry: e, epoch }) => ({
        name: e.name,
        source: e.source,
        from: epoch,
        to: epoch + 1,
        dueOn: e.dueOn,
        daysLeft: e.daysLeft,
        cadenceDays: e.cadenceDays,
        reason: dueReason(e),
        adoptRemoved: adopted.has(e.name),
    }));
    report.consumers = diff.consumers.map((c) => c.name);
    return report;
}

function renderDueBump(heading: string, stack: string, r: DueBumpReport): string {
    const out = [heading, ""];
    if (r.bumped.length) {
        out.push(
            `#### Bumped (${r.bumped.length}), rotatedAt ${r.rotatedAt}`,
            ...r.bumped.flatMap((b) => [`- ${b.name}: epoch ${b.from} → ${b.to}, reason: ${b.reason}`, ...(b.adoptRemoved ? [`  ${adoptRemovedLine(b.name, b.to, b.source)}`] : [])]),
            "",
            `${r.consumers.length ? `Consumers to restart, in order: ${r.consumers.join(", ")}` : "No consumer restarts"}; rekey plan ${stackFlag(stack)} shows the whole rotation.`,
            "",
        );
    }
    if (r.skipped.length) {
        out.push(`#### Not bumped (${r.skipped.length})`, ...r.skipped.flatMap((k) => [`- ${k.name}, ${dueReason(k)}: ${k.detail}`, ...k.commands.map((c) => `  - \`${c}\``)]), "");
    }
    if (!r.bumped.length && !r.skipped.length) out.push(`Nothing is due${r.within ? ` within ${r.within} days` : ""}.`, "");
    return out.join("\n");
}
