// `rekey plan`: what the change to a stack file (from its base: a git ref, the merge base
// with the default branch, or a file) rotates, as Markdown for a PR comment or JSON; with
// --all-stacks, every stack whose file changed. Exit 1 when pulumi up would refuse it.
import { diffPlans } from "../components/plan/diff";
import type { StackPlan } from "../components/plan/mermaid";
import { RotationPlan, planRotation } from "../components/plan/plan";
import { NAMESPACE, rawConfigOf } from "../components/plan/rawConfig";
import { BaseOptions, BaseText, parsedBase, readBase } from "./baseRevision";
import type { Today } from "./dates";
import { epochReasons, mayHoldReason } from "./edit";
import { CliError } from "./errors";
import type { Output } from "./output";
import type { PlanReport } from "./render";
import { Project, stackFileName, stackPath } from "./project";
import { Stack, StackFile, chosenStacks, eachStack, noSecretsNote, openStackFile, parseStackFile, planOf, readStackText } from "./stackFile";

// The renderers (Markdown, the Mermaid diagram) are loaded when a format needs them: --json needs neither.
const renders = () => require("./render") as typeof import("./render");
const diagrams = () => require("../components/plan/mermaid") as typeof import("../components/plan/mermaid");

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
function planBase(project: Project, stack: string, base: BaseText, head: StackFile): PlanBase {
    try {
        return { ...parsedBase(project, stack, base, head), none: base.none };
    } catch (e) {
        if (!(e instanceof CliError)) throw e;
        return { label: base.label, file: null, refused: e.message };
    }
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

/** What plan prints: Markdown (a PR comment, with the diagram), JSON, or only the Mermaid diagram. */
export type PlanFormat = "markdown" | "json" | "mermaid";
export interface PlanOptions extends BaseOptions, Today {
    format: PlanFormat;
}

/** A stack's plan, and what it prints. */
interface Planned {
    report: PlanReport;
    head: RotationPlan;
    exitCode: number;
}

function printed(p: Planned, format: PlanFormat, notes: string[] = []): Output {
    const drawn: StackPlan = { stack: p.report.stack, diff: p.report, head: p.head };
    const stdout =
        format === "json" ? JSON.stringify(p.report, null, 2) + "\n" : format === "mermaid" ? diagrams().planFlowchart([drawn]) : renders().renderPlan(p.report, p.report.rotates ? diagrams().planFlowchart([drawn]) : undefined);
    return { stdout, notes, exitCode: p.exitCode };
}

export function plan(project: Project, stack: string, o: PlanOptions): Output {
    // A file that may hold a reason is read with its entries' positions: the reasons come from that one parse (edit.ts epochReasons).
    const { path, file } = openStackFile(project, stack, mayHoldReason);
    if (!file.hasRekeyKeys) {
        const base = planBase(project, stack, readBase(project.cwd, path, o), file);
        // What pulumi stack init leaves, here and at the base: nothing rotates, never a failure.
        // A base that had secrets falls through to the planner, which names what is missing.
        if (!base.file?.hasRekeyKeys) {
            const empty = planRotation(rawConfigOf({ [`${NAMESPACE}:secrets`]: {} }, { suppliedNames: [], hostKeyNames: [] }));
            const report: PlanReport = { stack, base: base.label, newStack: base.file === null, noBase: base.none, rotates: false, ...diffPlans(null, empty, new Set()) };
            report.notes.push(noSecretsNote(project, stack));
            return printed({ report, head: empty, exitCode: 0 }, o.format, [noSecretsNote(project, stack)]);
        }
    }
    const s: Stack = { project, stack, path, file, plan: planOf(file, o.today), today: o.today };
    return printed(planReport(s, planBase(project, stack, readBase(project.cwd, path, o), file)), o.format);
}

function planReport(s: Stack, base: PlanBase): Planned {
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
    const rotates = [diff.secrets.added, diff.secrets.removed, diff.secrets.rotated, diff.secrets.suppliedChanged, diff.secrets.derived, diff.secrets.redefined, diff.stores, diff.storesRemoved, diff.consumers, diff.consumersRemoved, diff.hooks, diff.issued, diff.verifies, diff.order].some((l) => l.length > 0);
    const reasons = epochReasons(s.file, diff.secrets.rotated.map((r) => r.name));
    for (const r of diff.secrets.rotated) {
        const reason = reasons.get(r.name);
        if (reason) r.reason = reason;
    }
    diff.warnings.push(...notes);
    const report: PlanReport = { stack, base: base.label, newStack: base.file === null && !base.refused, noBase: base.none, rotates, ...diff };
    // Exit 1 when pulumi up would refuse the change, so that the PR check fails.
    return { report, head: s.plan, exitCode: diff.errors.length ? 1 : 0 };
}

/**
 * `rekey plan --all-stacks`: the plan of every stack whose file changed from the base (a
 * --base-file is one file, so it takes --stack). One Markdown section per stack, or JSON
 * `{ stacks: [...] }`; exit 1 when pulumi up would refuse any of them, 2 when a stack file
 * was refused (listed with its error, the others planned).
 */
export function planAll(project: Project, o: PlanOptions): Output {
    if (o.baseFile !== undefined) throw new CliError("--base-file is one stack's file: give --stack with it, or --base <git-ref> with --all-stacks");
    const notes: string[] = [];
    // The bases first: a --base that is no commit, or no git repository, is the command's error.
    const stacks = chosenStacks(project, { allStacks: true });
    const bases = new Map(stacks.map((stack) => [stack, readBase(project.cwd, stackPath(project, stack), o)]));
    const outcomes = eachStack(project, stacks, true, (stack): Planned | null => {
        // Each file and its base read once: unchanged ones are passed over.
        const { path, text } = readStackText(project, stack);
        const base = bases.get(stack)!;
        if (base.text === text) return null;
        const file = parseStackFile(text, stackFileName(project, stack), project.name, undefined, mayHoldReason(text));
        if (!file.hasRekeyKeys) {
            notes.push(`${stackFileName(project, stack)} changed but has no rekey:* keys: no secrets to rotate`);
            return null;
        }
        return planReport({ project, stack, path, file, plan: planOf(file, o.today), today: o.today }, planBase(project, stack, base, file));
    });
    const json = o.format === "json";
    if (o.format === "mermaid") {
        // Only the diagram: one flowchart, a subgraph per stack; a refused file is said on stderr (exit 2).
        const planned = outcomes.flatMap((x) => (x.result ? [x.result] : []));
        const refused = outcomes.flatMap((x) => (x.error !== undefined ? [x.error] : []));
        notes.push(...refused);
        if (!planned.length) notes.push("no stack file changed: nothing rotates");
        const stdout = planned.length ? diagrams().planFlowchart(planned.map((p) => ({ stack: p.report.stack, diff: p.report, head: p.head }))) : "";
        return { stdout, notes, exitCode: refused.length ? 2 : Math.max(0, ...planned.map((p) => p.exitCode)) };
    }
    // A refused file is listed with its error (exit 2), so the PR workflow still gives it a
    // plan job, which fails with the message, while every other stack is planned.
    const outputs: Output[] = outcomes.flatMap((x) =>
        x.error !== undefined
            ? [{ stdout: json ? JSON.stringify({ stack: x.stack, error: x.error }) : renders().refusedSection(`### rekey plan: ${x.stack}`, x.error), notes: [x.error], exitCode: 2 }]
            : x.result
              ? [printed(x.result, o.format)]
              : [],
    );
    const exitCode = Math.max(0, ...outputs.map((x) => x.exitCode));
    notes.push(...outputs.flatMap((x) => x.notes));
    if (json) return { stdout: JSON.stringify({ stacks: outputs.map((x) => JSON.parse(x.stdout)) }, null, 2) + "\n", notes, exitCode };
    const stdout = outputs.length ? outputs.map((x) => x.stdout).join("\n") : "No stack file changed: nothing rotates.\n";
    return { stdout, notes, exitCode };
}
