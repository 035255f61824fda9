// The plan and the due dates as Mermaid diagrams, which GitHub draws in a PR comment, an
// issue and a job summary: the steps a change runs (diff.ts `order`, the schedule's steps) as
// a flowchart, the due dates (due.ts) as a gantt. Pure.
//
// Every label is made of rekey's own words, numbers, dates and names from the configuration,
// each name shown as shown.ts shows one (`bareName`: a name that has not the shape of a name
// is described), then written for Mermaid by `mermaidText`: every character that Mermaid's
// grammar or its Markdown and HTML handling could read as syntax (quotes, brackets, `#`, `;`,
// `:`, `%`, backticks, `<`, line breaks) becomes an entity code (`#35;`), which Mermaid draws
// as the character itself. No name can end a label, start a statement (`click … href`), or
// add a node; node ids are rekey's own (`n0`, `s0`).
import type { RotationDiff } from "./diff";
import { DueEntry, DueReport, newValueBy } from "./due";
import type { RotationPlan } from "./model";
import { StepId } from "./schedule";
import { bareName } from "./shown";
import { storeGroups } from "./storeTargets";

/** What a drawn diagram may hold before it is cut (the rest is said in a note): readable, and far within Mermaid's own limits (500 edges, 50,000 characters). */
export interface DiagramBudget {
    steps: number;
    /** Changed secrets drawn (a bump of every secret would otherwise draw one node each). */
    secrets: number;
    edges: number;
    /**
     * Characters of the node lines drawn. A name may have 1,024 characters and each `:`, `[` or
     * `%` in it takes four or five as an entity code, so 60 steps can pass the 50,000 characters
     * past which Mermaid draws nothing (its maxTextSize, mermaidAPI.ts render): 40,000 leaves
     * room for the arrows (150 of at most ~20), classes and notes.
     */
    chars: number;
}
export const DEFAULT_BUDGET: DiagramBudget = { steps: 60, secrets: 20, edges: 150, chars: 40000 };
/** At most this many secrets in a due gantt; the Markdown list below it has every one. */
export const GANTT_ROWS = 40;

/** Characters written as they are: letters, digits, space and punctuation with no meaning to Mermaid inside a label or a task name. */
const PLAIN = /^[\p{L}\p{N} _.,/@+~()=-]$/u;
/** What is never drawn as itself: control characters, bidirectional controls, line breaks (shown as `\uXXXX`, as shownText.ts shows them). */
const INVISIBLE = /^[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]$/u;
const entity = (ch: string) => `#${ch.codePointAt(0)};`;

/** One line of a label, written for Mermaid: each character that is not plain as an entity code, each invisible one as the visible text `\uXXXX`. */
export function mermaidText(line: string): string {
    let out = "";
    for (const ch of line) {
        if (PLAIN.test(ch)) out += ch;
        else if (INVISIBLE.test(ch)) out += [...`\\u${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`].map((c) => (PLAIN.test(c) ? c : entity(c))).join("");
        else out += entity(ch);
    }
    return out;
}

/** A label of several lines, quoted: `"line one<br/>line two"`. */
const label = (lines: string[]) => `"${lines.map(mermaidText).join("<br/>")}"`;

/** A Markdown code block GitHub draws. */
export const fenced = (diagram: string) => "```mermaid\n" + diagram + "```\n";

const CLASSES = [
    "classDef secret fill:#e8f0fe,stroke:#1a73e8",
    "classDef incident fill:#fde2e1,stroke:#c62828,stroke-width:2px",
    "classDef rollback fill:#fff4ce,stroke:#b7791f,stroke-width:2px",
    "classDef refused fill:#fde2e1,stroke:#c62828,stroke-dasharray:4",
    "classDef note fill:#f1f3f4,stroke:#9aa0a6,stroke-dasharray:4",
];

export interface StackPlan {
    stack: string;
    diff: RotationDiff;
    /** The head plan: which secrets each store step writes (storeTargets.ts groups). */
    head: RotationPlan;
}

/** What each changed secret's node says: its change, an incident, a rollback. */
function secretNodes(d: RotationDiff): Map<string, { lines: string[]; cls: "secret" | "incident" | "rollback" }> {
    const out = new Map<string, { lines: string[]; cls: "secret" | "incident" | "rollback" }>();
    const incident = new Set(d.incidents.map((i) => i.secret));
    const add = (name: string, line: string, cls: "secret" | "incident" | "rollback" = "secret") => {
        const node = out.get(name) ?? { lines: [bareName(name)], cls: "secret" };
        node.lines.push(line);
        if (cls !== "secret") node.cls = cls;
        out.set(name, node);
    };
    for (const r of d.secrets.rotated) {
        if (r.to < r.from) add(r.name, `↩ rollback: epoch ${r.from} → ${r.to}`, "rollback");
        else if (incident.has(r.name)) add(r.name, `⚠ incident: epoch ${r.from} → ${r.to}`, "incident");
        else add(r.name, `epoch ${r.from} → ${r.to}`);
    }
    for (const s of d.secrets.suppliedChanged) add(s.name, "new supplied value");
    for (const s of d.secrets.derived) add(s.name, `follows ${s.inputs.map(bareName).join(", ")}`);
    for (const s of d.secrets.redefined) add(s.name, s.what);
    for (const s of d.secrets.added) add(s.name, s.adopted ? "added, adopted: the value in use" : "added");
    for (const s of d.issued) for (const line of s.drawn) add(s.secret, line);
    return out;
}

/** A step's node: its shape and label, from its schedule id (schedule.ts). */
function stepNode(id: StepId, d: RotationDiff, restartNumber: Map<string, number>): { open: string; close: string; lines: string[]; cls?: "incident" } {
    const colon = id.indexOf(":");
    const kind = id.slice(0, colon);
    const name = id.slice(colon + 1);
    const incident = new Set(d.incidents.map((i) => i.secret));
    const cls = incident.has(name) ? ("incident" as const) : undefined;
    switch (kind) {
        case "hook": {
            const apply = d.hooks.find((h) => h.secret === name)?.apply.kind;
            return { open: "[[", close: "]]", lines: [`apply hook${apply ? ` (${apply})` : ""}`, bareName(name)], cls };
        }
        case "store":
            return { open: "[(", close: ")]", lines: ["store", bareName(name)] };
        case "readBack":
            // Its name is its store group's (a path, a Secret): shown as a name, like the store's, never raw.
            return { open: "[/", close: "/]", lines: ["read back", bareName(name)] };
        case "revoke":
            return { open: "[/", close: "\\]", lines: ["⚠ revoke first", bareName(name)], cls: "incident" };
        case "restart": {
            const n = restartNumber.get(name);
            return { open: "[", close: "]", lines: [`restart${n === undefined ? "" : ` ${n}`}`, bareName(name)] };
        }
        case "verify":
            return { open: "{{", close: "}}", lines: ["verify", bareName(name)] };
        case "finalize": {
            const f = d.finalize.find((x) => x.secret === name);
            const what =
                f?.kind === "redis"
                    ? `user ${bareName(f.user)} keeps only the new password`
                    : f?.kind === "postgres"
                      ? `role ${bareName(f.role)} loses LOGIN`
                      : f?.kind === "mysql"
                        ? f.lock
                            ? `user ${bareName(f.user)} locked`
                            : `user ${bareName(f.user)}: old password discarded`
                        : "old credential revoked";
            return { open: "([", close: "])", lines: ["finalize", bareName(name), what], cls };
        }
        default:
            return { open: "[", close: "]", lines: [bareName(id)] };
    }
}

/**
 * The waits to draw: each step's waits (diff `order`: the running steps it waits for) less
 * those that another of its waits already waits for, transitively; the order they imply is
 * the same, with fewer arrows.
 */
function reducedWaits(order: RotationDiff["order"]): Map<StepId, StepId[]> {
    const ancestors = new Map<StepId, Set<StepId>>();
    const out = new Map<StepId, StepId[]>();
    for (const o of order) {
        const all = new Set<StepId>();
        for (const a of o.after) {
            all.add(a);
            for (const x of ancestors.get(a) ?? []) all.add(x);
        }
        ancestors.set(o.step, all);
        out.set(o.step, o.after.filter((a) => !o.after.some((b) => b !== a && ancestors.get(b)?.has(a))));
    }
    return out;
}

/** One stack's diagram lines (inside its subgraph), drawing at most what the budget leaves. */
function stackLines(p: StackPlan, prefix: string, budget: DiagramBudget): { lines: string[]; classes: Map<string, string[]> } {
    const d = p.diff;
    const lines: string[] = [];
    const classes = new Map<string, string[]>();
    const classed = (cls: string, id: string) => classes.set(cls, [...(classes.get(cls) ?? []), id]);
    const ids = new Map<StepId, string>();
    const restartNumber = new Map(d.consumers.map((c, i) => [c.name, i + 1]));
    /** A node's line when the budget's characters hold it (it spends them), else null. */
    const fits = (line: string) => (line.length + 1 > budget.chars ? null : ((budget.chars -= line.length + 1), line));
    // The schedule lists each step after every step it waits for: any first part of it is whole.
    const drawn: typeof d.order = [];
    for (const o of d.order.slice(0, Math.max(0, budget.steps))) {
        const id = `${prefix}n${drawn.length}`;
        const node = stepNode(o.step, d, restartNumber);
        const line = fits(`${id}${node.open}${label(node.lines)}${node.close}`);
        if (line === null) break;
        drawn.push(o);
        ids.set(o.step, id);
        lines.push(line);
        if (node.cls) classed(node.cls, id);
    }
    budget.steps -= drawn.length;
    const edges: [string, string][] = [];
    const groups = storeGroups(p.head);
    const changed = [...secretNodes(d)];
    const secretsDrawn: typeof changed = [];
    for (const [name, node] of changed.slice(0, Math.max(0, budget.secrets))) {
        const id = `${prefix}s${secretsDrawn.length}`;
        const line = fits(`${id}(${label(node.lines)})`);
        if (line === null) break;
        secretsDrawn.push([name, node]);
        lines.push(line);
        classed(node.cls, id);
        // A secret leads to its hook, or, without one that runs, to the stores that write it.
        const hook = ids.get(`hook:${name}`);
        const stores = groups.filter((g) => g.members.some((m) => m.secret.name === name)).flatMap((g) => (ids.has(`store:${g.name}`) ? [ids.get(`store:${g.name}`)!] : []));
        for (const to of hook ? [hook] : stores) edges.push([id, to]);
    }
    const waits = reducedWaits(d.order);
    for (const o of drawn) for (const a of waits.get(o.step)!) edges.push([ids.get(a)!, ids.get(o.step)!]);
    const edgesDrawn = edges.slice(0, Math.max(0, budget.edges));
    budget.edges -= edgesDrawn.length;
    budget.secrets -= secretsDrawn.length;
    lines.push(...edgesDrawn.map(([a, b]) => `${a} --> ${b}`));
    const left = [
        [changed.length - secretsDrawn.length, "secret", "secrets"],
        [d.order.length - drawn.length, "step", "steps"],
        [edges.length - edgesDrawn.length, "arrow", "arrows"],
    ] as const;
    const what = left.filter(([n]) => n > 0).map(([n, one, many]) => `${n} more ${n === 1 ? one : many}`);
    if (what.length) {
        lines.push(`${prefix}more[${label([`${what.join(", ")} not drawn`, "the lists below have every one"])}]`);
        classed("note", `${prefix}more`);
    }
    if (!d.order.length && !changed.length) {
        lines.push(`${prefix}none[${label(["no rotation step runs"])}]`);
        classed("note", `${prefix}none`);
    }
    if (d.errors.length) {
        lines.push(`${prefix}refused[${label([`✖ pulumi up refuses this change`, `${d.errors.length} ${d.errors.length === 1 ? "error" : "errors"}: see Errors`])}]`);
        classed("refused", `${prefix}refused`);
    }
    return { lines, classes };
}

/**
 * The plan of one or more stacks as one flowchart, a subgraph per stack: each changed
 * secret (incident and rollback marked), then the steps the change runs, each after the
 * steps it waits for: hooks, stores, an incident's revocation, restarts in order with their
 * verifies, finalizes. Drawn up to `budget` (shared by the stacks); a note says what was not.
 */
export function planFlowchart(stacks: StackPlan[], budget: DiagramBudget = { ...DEFAULT_BUDGET }): string {
    const out = ["flowchart TD"];
    const classes = new Map<string, string[]>();
    stacks.forEach((p, i) => {
        const prefix = stacks.length === 1 ? "" : `k${i}`;
        const body = stackLines(p, prefix, budget);
        out.push(`subgraph ${prefix}stack[${label([`rekey plan: ${bareName(p.stack)}`])}]`, "direction TB", ...body.lines.map((l) => `    ${l}`), "end");
        for (const [cls, ids] of body.classes) classes.set(cls, [...(classes.get(cls) ?? []), ...ids]);
    });
    for (const c of CLASSES) if (classes.has(c.split(" ")[1])) out.push(c);
    for (const [cls, ids] of classes) out.push(`class ${ids.join(",")} ${cls}`);
    return out.map((l) => `${l}\n`).join("");
}

/** A gantt line's text: its first character as an entity code too, so that no name starts a keyword (`click`, `section`, `title`). */
export const ganttText = (text: string) => {
    const [first, ...rest] = [...text];
    return first === undefined ? "" : entity(first) + mermaidText(rest.join(""));
};

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function ganttRow(e: DueEntry, i: number, state: "crit" | "active"): string | null {
    if (e.dueOn === null || e.rotatedAt === null || !DATE.test(e.rotatedAt) || !DATE.test(e.dueOn)) return null;
    const when = e.daysLeft! < 0 ? `due ${e.dueOn}, ${-e.daysLeft!} days ago` : e.daysLeft === 0 ? `due today` : `due ${e.dueOn}`;
    const who = newValueBy(e.source) === "person" ? ", supplied: a person sets the value" : "";
    return `${ganttText(`${bareName(e.name)}, ${when}${who}`)} :${state}, d${i}, ${e.rotatedAt}, ${e.dueOn}`;
}

/**
 * A stack's due secrets as a gantt: each from its last rotation to its due date, overdue
 * ones marked critical, those due soon active, and today (`report.today`, which --today
 * sets) as a milestone. Secrets without a date have no bar (the list says so). Null when
 * nothing has a bar.
 */
export function dueGantt(stack: string, r: DueReport, rows = GANTT_ROWS): string | null {
    const soon = r.within === 0 ? "today" : `within ${r.within} days`;
    const sections: [string, DueEntry[], "crit" | "active"][] = [
        ["Overdue", r.overdue, "crit"],
        [`Due ${soon}`, r.dueSoon, "active"],
    ];
    const out: string[] = [];
    let n = 0;
    let left = 0;
    for (const [title, entries, state] of sections) {
        const lines: string[] = [];
        for (const e of entries) {
            const row = ganttRow(e, n, state);
            if (row === null) continue;
            if (n >= rows) {
                left++;
                continue;
            }
            lines.push(row);
            n++;
        }
        if (lines.length) out.push(`section ${mermaidText(title)}`, ...lines);
    }
    if (!n) return null;
    const cut = left ? `; ${left} more not drawn, listed below` : "";
    return [
        "gantt",
        // rekey's own words start the title and the sections: no keyword. A task's name is a
        // gantt text whatever it starts with (a date as a task name does not parse).
        `title ${mermaidText(`rekey due: ${bareName(stack)} (today ${r.today}${cut})`)}`,
        "dateFormat YYYY-MM-DD",
        "axisFormat %Y-%m-%d",
        ...out,
        "section Today",
        `${ganttText(`today ${r.today}`)} :milestone, today, ${r.today}, 0d`,
    ]
        .map((l) => `${l}\n`)
        .join("");
}
