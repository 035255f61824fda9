// The four commands of the public contract (section 3), on one stack file. Each returns what
// it prints and its exit code; main.ts wires them to the argument parser.
import { execFileSync } from "child_process";
import { basename, dirname } from "path";
import { RotationDiff, diffPlans } from "../components/plan/diff";
import { PREVIOUS_SUFFIX, RotationPlan, isCalendarDate, planRotation } from "../components/plan/plan";
import { NAMESPACE, rawConfigOf } from "../components/plan/rawConfig";
import { bareName } from "../components/plan/shown";
import { BaseOptions, BaseText, readBase } from "./base";
import { Today, checkDate } from "./dates";
import { EpochEdit, applyEpochEdits, epochReasons } from "./edit";
import { CliError } from "./errors";
import { PlanReport, refusedSection, renderPlan } from "./render";
import { Project, stackFileName, stackPath } from "./project";
import { StackFile, chosenStacks, eachStack, noSecretsNote, openStackFile, parseStackFile, planOf, readStackText } from "./stackFile";
import { replaceFile } from "./writeFiles";

export interface Output {
    stdout: string;
    /** Notes for the person at the terminal (stderr). */
    notes: string[];
    exitCode: number;
}

interface Stack {
    project: Project;
    stack: string;
    path: string;
    file: StackFile;
    plan: RotationPlan;
    /** Today (UTC): a rotatedAt after it is a validation problem. */
    today: string;
}

function openStack(project: Project, stack: string, { today }: Today): Stack {
    const { path, file } = openStackFile(project, stack);
    return { project, stack, path, file, plan: planOf(file, today), today };
}

function secretOf(s: Stack, name: string) {
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
function openBase(s: Stack, options: BaseOptions): { label: string; file: StackFile | null } {
    const base = readBase(s.project.cwd, s.path, options);
    // No base to find (no git repository, no commit yet): the epochs cannot be checked (bump says so).
    if (base.none !== undefined) throw new CliError(base.none);
    return parsedBase(s.project, s.stack, base);
}

/** What plan compares with: the base's file, or why it cannot be read (then every secret is listed as added). */
interface PlanBase {
    label: string;
    file: StackFile | null;
    refused?: string;
    /** Why there is no base at all (readBase `none`): every stack file is new. */
    none?: string;
}

/**
 * The base for `rekey plan`. A base file rekey now refuses (a merge key, an unquoted date
 * that Pulumi deployed as it read them) must not stop the plan of the change that fixes it:
 * it is planned against nothing, as an invalid base configuration is, and says so.
 */
function planBase(project: Project, stack: string, base: BaseText): PlanBase {
    try {
        return { ...parsedBase(project, stack, base), none: base.none };
    } catch (e) {
        if (!(e instanceof CliError)) throw e;
        return { label: base.label, file: null, refused: e.message };
    }
}

function parsedBase(project: Project, stack: string, base: { label: string; text: string | null }): { label: string; file: StackFile | null } {
    return { label: base.label, file: base.text === null ? null : parseStackFile(base.text, `${stackFileName(project, stack)} at ${base.label}`, project.name) };
}

/** Supplied secrets whose ciphertext differs from the base (present in both). */
function suppliedChanged(head: StackFile, base: StackFile | null): Set<string> {
    const out = new Set<string>();
    if (!base) return out;
    for (const [name, cipher] of head.ciphertexts) {
        const before = base.ciphertexts.get(name);
        if (before !== undefined && before !== cipher) out.add(name);
    }
    return out;
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
 * it once. Without a base to compare with (no git, no default branch), a note says the
 * check was not made and nothing is refused.
 */
function movedSinceBase(s: Stack, base: () => { label: string; file: StackFile | null }, names: string[], notes: string[]): Map<string, string> {
    let b: { label: string; file: StackFile | null };
    try {
        b = base();
    } catch (e) {
        if (!(e instanceof CliError)) throw e;
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

function restartSummary(diff: RotationDiff): string {
    return diff.consumers.length ? `consumers to restart, in order: ${diff.consumers.map((c) => c.name).join(", ")}` : "no consumer restarts";
}

/** Checks the edited text plans, writes it, and returns its plan. */
function write(s: Stack, text: string): RotationPlan {
    const plan = planOf(parseStackFile(text, s.file.label, s.project.name), s.today);
    replaceFile(s.path, text);
    return plan;
}

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
    // adopt is valid only at epoch 0: the bump from it removes the line (the adopted value becomes the previous one).
    const edits: EpochEdit[] = chosen.map(({ name, epoch }) => ({ name, epoch: epoch + 1, rotatedAt: date, reason: o.reason, dropAdopt: epoch === 0, incident: o.incident, revokeFirst: o.revokeFirst }));
    const text = applyEpochEdits(s.file, edits);
    const diff = diffPlans(s.plan, write(s, text), new Set());
    const adopted = new Set(s.plan.secrets.filter((x) => x.adopt).map((x) => x.name));
    const lines = edits.flatMap((e) => [
        `${e.name}: epoch ${e.epoch - 1} → ${e.epoch}, rotatedAt ${date}${e.incident === undefined ? "" : e.revokeFirst ? ", incident: no overlap, revoked first (before the consumers restart: they fail until then)" : ", incident: no overlap (rekey plan says when the old value stops working)"}`,
        ...(adopted.has(e.name)
            ? [`${e.name}: adopt removed (epoch ${e.epoch} is generated; the stack's state keeps the adopted value): rekey:supplied.${e.name} is no longer read, delete it with pulumi config rm --path 'rekey:supplied.${e.name}'`]
            : []),
    ]);
    lines.push(`${restartSummary(diff)}; rekey plan --stack ${stack} shows the whole rotation`);
    return { stdout: lines.join("\n") + "\n", notes, exitCode: 0 };
}

/**
 * A secret's epoch and rotatedAt in each commit of the stack file's history, newest first (up
 * to 200 commits). Git runs in the file's directory, where `-- <name>` and `<commit>:./<name>`
 * are relative to it (a project below the repository's top, a stackConfigDir).
 */
function epochHistory(s: Stack, name: string): { commit: string; epoch: number | undefined; rotatedAt: unknown }[] {
    const dir = dirname(s.path);
    const fileName = basename(s.path);
    const git = (args: string[]) => execFileSync("git", ["-C", dir, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], maxBuffer: 256 << 20 });
    let commits: string[];
    try {
        commits = git(["log", "--format=%H", "-n", "200", "--", fileName]).split("\n").filter(Boolean);
    } catch {
        return [];
    }
    return commits.flatMap((commit) => {
        try {
            // Read as every stack file is (foreign line breaks, alias bombs refused); an unreadable version is passed over.
            const secrets = parseStackFile(git(["show", `${commit}:./${fileName}`]), `${fileName} at ${commit}`, s.project.name).raw.secrets as Record<string, { epoch?: unknown; rotatedAt?: unknown } | undefined> | undefined;
            const entry = secrets && Object.hasOwn(secrets, name) ? secrets[name] : undefined;
            return [{ commit, epoch: Number.isInteger(entry?.epoch) ? (entry!.epoch as number) : undefined, rotatedAt: entry?.rotatedAt }];
        } catch {
            return [];
        }
    });
}

export function rollback(project: Project, stack: string, name: string, o: BaseOptions & Today & { reason?: string }): Output {
    const s = openStack(project, stack, o);
    const secret = secretOf(s, name);
    if (secret.source.kind !== "generate") throw new CliError(`${name} is ${secret.source.kind === "supplied" ? "supplied" : "derived"}: rekey keeps no earlier value of it to restore`);
    if (secret.epoch === 0) throw new CliError(`${name} is at epoch 0: there is no earlier epoch`);
    if (!secret.keepPrevious) {
        throw new CliError(`${name} does not have keepPrevious: true, so the value of epoch ${secret.epoch! - 1} was not kept and cannot be restored`);
    }
    if (secret.incident !== null) {
        throw new CliError(`${name}'s epoch ${secret.epoch} is an incident rotation (${JSON.stringify(secret.incident)}): rolling back would restore the leaked value of epoch ${secret.epoch! - 1}. Bump it for a fresh value instead`);
    }
    const from = secret.epoch!;
    const to = from - 1;
    const notes: string[] = [];
    const moved = movedSinceBase(s, () => openBase(s, o), [name], notes);
    if (moved.size) throw new CliError(moved.get(name)!);
    // How the stack file reached `from`: a bump from `to` left `to`'s value as the previous one.
    const history = epochHistory(s, name);
    const reached = history.find((h) => h.epoch !== undefined && h.epoch !== from);
    if (reached?.epoch === from + 1) {
        throw new CliError(
            `${name} reached epoch ${from} by a rollback from ${from + 1} (commit ${reached.commit.slice(0, 7)}): its previous value is epoch ${from + 1}'s, so epoch ${to}'s cannot be restored. Bump it for a fresh value instead`,
        );
    }
    const dated = history.find((h) => h.epoch === to && typeof h.rotatedAt === "string" && isCalendarDate(h.rotatedAt));
    if (dated) notes.push(`rotatedAt ${dated.rotatedAt} is epoch ${to}'s, from commit ${dated.commit.slice(0, 7)}`);
    else notes.push(`epoch ${to}'s rotatedAt is not in this repository's history: rotatedAt left as it was; correct it by hand if it matters for rekey due`);
    const text = applyEpochEdits(s.file, [{ name, epoch: to, rotatedAt: dated?.rotatedAt as string | undefined, reason: o.reason }]);
    const diff = diffPlans(s.plan, write(s, text), new Set());
    const restores =
        reached?.epoch === to
            ? `pulumi up restores exactly the value of epoch ${to}, which ${name}${PREVIOUS_SUFFIX} has held since the bump to ${from}.`
            : `pulumi up restores exactly the value of epoch ${to} if the stack's last completed rotation was the bump from ${to} to ${from}; otherwise it refuses and changes nothing.`;
    const stdout = [
        `${name}: epoch ${from} → ${to}. ${restores}`,
        `${name}${PREVIOUS_SUFFIX} then holds epoch ${from}'s value, the one rolled back from, until the next bump, which makes a fresh value.`,
        `Stores written: ${secret.stores.map((st) => st.label).join(", ") || "none"}; ${restartSummary(diff)}.`,
    ];
    return { stdout: stdout.join("\n") + "\n", notes, exitCode: 0 };
}

export function plan(project: Project, stack: string, o: BaseOptions & Today & { json?: boolean }): Output {
    const { path, file } = openStackFile(project, stack);
    if (!file.hasRekeyKeys) {
        const base = planBase(project, stack, readBase(project.cwd, path, o));
        // What pulumi stack init leaves, here and at the base: nothing rotates, never a failure.
        // A base that had secrets falls through to the planner, which names what is missing.
        if (!base.file?.hasRekeyKeys) {
            const empty = planRotation(rawConfigOf({ [`${NAMESPACE}:secrets`]: {} }, { suppliedNames: [], hostKeyNames: [] }));
            const report: PlanReport = { stack, base: base.label, newStack: base.file === null, noBase: base.none, rotates: false, ...diffPlans(null, empty, new Set()) };
            report.notes.push(noSecretsNote(project, stack));
            return { stdout: o.json ? JSON.stringify(report, null, 2) + "\n" : renderPlan(report), notes: [noSecretsNote(project, stack)], exitCode: 0 };
        }
    }
    const s: Stack = { project, stack, path, file, plan: planOf(file, o.today), today: o.today };
    return planReport(s, planBase(project, stack, readBase(project.cwd, path, o)), o);
}

function planReport(s: Stack, base: PlanBase, o: { json?: boolean }): Output {
    const stack = s.stack;
    const notes: string[] = [];
    if (base.refused) notes.push(`the stack file at ${base.label} cannot be read as it is now, so every secret is listed as added: ${base.refused}`);
    let basePlan: RotationPlan | null = null;
    if (base.file) {
        try {
            basePlan = planOf(base.file);
        } catch (e) {
            if (!(e instanceof CliError)) throw e;
            notes.push(`the configuration at ${base.label} is invalid, so every secret is listed as added: ${e.message}`);
        }
    }
    const diff = diffPlans(basePlan, s.plan, suppliedChanged(s.file, base.file));
    const rotates = [diff.secrets.added, diff.secrets.removed, diff.secrets.rotated, diff.secrets.suppliedChanged, diff.secrets.derived, diff.secrets.redefined, diff.stores, diff.storesRemoved, diff.consumers, diff.consumersRemoved, diff.hooks].some((l) => l.length > 0);
    const reasons = epochReasons(s.file, diff.secrets.rotated.map((r) => r.name));
    for (const r of diff.secrets.rotated) {
        const reason = reasons.get(r.name);
        if (reason) r.reason = reason;
    }
    diff.warnings.push(...notes);
    const report: PlanReport = { stack, base: base.label, newStack: base.file === null && !base.refused, noBase: base.none, rotates, ...diff };
    // Exit 1 when pulumi up would refuse the change, so that the PR check fails.
    return { stdout: o.json ? JSON.stringify(report, null, 2) + "\n" : renderPlan(report), notes: [], exitCode: diff.errors.length ? 1 : 0 };
}

/**
 * `rekey plan --all-stacks`: the plan of every stack whose file changed from the base (a
 * --base-file is one file, so it takes --stack). One Markdown section per stack, or JSON
 * `{ stacks: [...] }`; exit 1 when pulumi up would refuse any of them, 2 when a stack file
 * was refused (listed with its error, the others planned).
 */
export function planAll(project: Project, o: BaseOptions & Today & { json?: boolean }): Output {
    if (o.baseFile !== undefined) throw new CliError("--base-file is one stack's file: give --stack with it, or --base <git-ref> with --all-stacks");
    const notes: string[] = [];
    // The bases first: a --base that is no commit, or no git repository, is the command's error.
    const stacks = chosenStacks(project, { allStacks: true });
    const bases = new Map(stacks.map((stack) => [stack, readBase(project.cwd, stackPath(project, stack), o)]));
    const outcomes = eachStack(project, stacks, true, (stack): Output | null => {
        // Each file and its base read once: unchanged ones are passed over.
        const { path, text } = readStackText(project, stack);
        const base = bases.get(stack)!;
        if (base.text === text) return null;
        const file = parseStackFile(text, stackFileName(project, stack), project.name);
        if (!file.hasRekeyKeys) {
            notes.push(`${stackFileName(project, stack)} changed but has no rekey:* keys: no secrets to rotate`);
            return null;
        }
        return planReport({ project, stack, path, file, plan: planOf(file, o.today), today: o.today }, planBase(project, stack, base), o);
    });
    // A refused file is listed with its error (exit 2), so the PR workflow still gives it a
    // plan job, which fails with the message, while every other stack is planned.
    const outputs: Output[] = outcomes.flatMap((x) =>
        x.error !== undefined
            ? [{ stdout: o.json ? JSON.stringify({ stack: x.stack, error: x.error }) : refusedSection(`### rekey plan: ${x.stack}`, x.error), notes: [x.error], exitCode: 2 }]
            : x.result
              ? [x.result]
              : [],
    );
    const exitCode = Math.max(0, ...outputs.map((x) => x.exitCode));
    notes.push(...outputs.flatMap((x) => x.notes));
    if (o.json) return { stdout: JSON.stringify({ stacks: outputs.map((x) => JSON.parse(x.stdout)) }, null, 2) + "\n", notes, exitCode };
    const stdout = outputs.length ? outputs.map((x) => x.stdout).join("\n") : "No stack file changed: nothing rotates.\n";
    return { stdout, notes, exitCode };
}
