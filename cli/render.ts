// Markdown for a PR comment or a terminal. Every line comes from configuration (names,
// labels, commands, URLs, epochs, dates): no value and no ciphertext ever reaches here, and
// a verify URL comes as the diff holds it (components/plan/shown.ts `urlText`: no userinfo, no query value).
import { DueEntry, DueReport, newValueBy } from "../components/plan/due";
import { dueGantt, fenced } from "../components/plan/mermaid";
import { stackFlag } from "./shell";
import { RotationDiff } from "../components/plan/diff";
import { ConsumerAction, PlannedApply, PlannedVerify } from "../components/plan/plan";

export interface PlanReport extends RotationDiff {
    stack: string;
    base: string;
    /** The stack file does not exist at the base. */
    newStack: boolean;
    /** Why there is no base at all (no git repository, no commit yet): every stack file is new. */
    noBase?: string;
    /** Whether anything changes at all (secrets, hooks, stores or consumers). */
    rotates: boolean;
}

/** A section for a stack whose file was refused: the message as an indented block (it may list several problems). */
export function refusedSection(heading: string, message: string): string {
    return `${heading}\n\nRefused (exit 2):\n\n${message.split("\n").map((l) => `    ${l}`).join("\n")}\n`;
}

/**
 * User-supplied text as an inline code span, so that nothing in it renders as Markdown or
 * HTML (a `<!--` in a hook command would otherwise hide the rest of a PR comment): the
 * fence is one backtick longer than the longest run in the text, and line breaks become
 * spaces (a code span cannot cross a paragraph).
 */
export function code(text: string): string {
    const flat = text.replace(/[\r\n\u0085\u2028\u2029]+/g, " ");
    if (flat === "") return "(empty)";
    const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
    const fence = "`".repeat(longest + 1);
    const pad = longest > 0 ? " " : "";
    return `${fence}${pad}${flat}${pad}${fence}`;
}

const where = (host: string | null) => (host ? `on ${host}` : "locally");

export function describeAction(a: ConsumerAction): string {
    return a.kind === "kubernetes"
        ? `rollout restart ${a.workload}/${a.name} in namespace ${a.namespace} (waits up to ${a.timeoutSeconds} s for the rollout)`
        : `${code(a.command)} ${where(a.host)}`;
}

export function describeVerify(v: PlannedVerify | null): string {
    if (!v) return "no verify";
    return v.kind === "url"
        ? `GET ${code(v.url)} expects ${v.expectStatus}${v.proof ? ` and proof of ${v.proof.secrets.join(", ")} under ${v.proof.key}` : ""} within ${v.timeoutSeconds} s`
        : `${code(v.command)} ${where(v.host)} succeeds within ${v.timeoutSeconds} s`;
}

export function describeHook(a: PlannedApply): string {
    switch (a.kind) {
        case "postgres": {
            const roles = a.roles.length === 2 ? `role ${a.role} (of ${a.roles.join(" and ")}, alternating by epoch; the other keeps its password until the next rotation)` : `role ${a.roles[0]}`;
            return `postgres: new password (SCRAM verifier) for ${roles} on ${a.host}:${a.port}/${a.database}, as ${a.adminUser}`;
        }
        case "redis":
            return `redis: ACL user ${a.user} on ${a.host}:${a.port} gets the new password beside the old one`;
        case "mysql": {
            const users =
                a.users.length === 2
                    ? `user ${a.user}@${a.userHost} (of ${a.users.join(" and ")}, alternating by epoch; the other keeps its password until the next rotation)`
                    : `user ${a.user}@${a.userHost} (the old password retained beside it where the server has dual passwords: MySQL 8.0.14+)`;
            return `mysql: new password for ${users} on ${a.host}:${a.port}, as ${a.adminUser}`;
        }
        case "command":
            return `command: ${code(a.run)} ${where(a.host)}, with OLD_VALUE and NEW_VALUE in its environment`;
    }
}

/** `diagram`: the plan as a Mermaid flowchart (components/plan/mermaid.ts), drawn after the incidents. */
export function renderPlan(r: PlanReport, diagram?: string): string {
    const d = r;
    const out: string[] = [`### rekey plan: ${r.stack}`, ""];
    out.push(
        r.noBase !== undefined
            ? `New stack: no base to compare with (${r.noBase}).`
            : r.newStack
              ? `New stack: Pulumi.${r.stack}.yaml does not exist at ${code(r.base)}.`
              : `Compared with ${code(r.base)}.`,
        "",
    );
    if (!r.rotates) {
        out.push("This change rotates nothing: no secret value, store or consumer changes.");
        if (r.notes.length) out.push("", "#### Notes", ...r.notes.map((n) => `- ${n}`));
        return out.join("\n") + "\n";
    }
    if (d.errors.length) out.push("#### Errors (pulumi up will refuse this change)", ...d.errors.map((e) => `- ${e}`), "");
    for (const i of d.incidents) {
        out.push(
            `#### ⚠ Incident rotation: ${i.secret} (epoch ${i.from} → ${i.to}), reason: ${code(i.reason)}`,
            i.summary,
            // Names and labels come from the stack file: no HTML reaches the PR comment.
            ...i.revoked.map((x) => `- ${x.replace(/</g, "&lt;")}`),
            "",
            ...(i.remains.length ? ["What keeps the leaked value after this pulumi up, and how to remove it:", ...i.remains.map((x) => `- ${x.replace(/</g, "&lt;")}`), ""] : []),
            "Impact:",
            ...i.impact.map((x) => `- ${code(x)}`),
            "",
            "<details><summary>Incident record (copy, then fill in the rest)</summary>",
            "",
            "```markdown",
            i.record.replace(/```/g, "'''"),
            "```",
            "</details>",
            "",
        );
    }
    if (diagram) out.push("#### The rotation, drawn", "", fenced(diagram));
    const s = d.secrets;
    const secretLines = [
        ...s.rotated.map((x) => {
            const kind = x.to < x.from ? "rolled back" : "rotated";
            const reason = x.reason ? ` (reason: ${code(x.reason)})` : "";
            return `- **${x.name}** ${kind}: epoch ${x.from} → ${x.to}${reason}`;
        }),
        ...s.suppliedChanged.map((x) => `- **${x.name}**: new supplied value (its encrypted value changed)`),
        ...s.derived.map((x) => `- **${x.name}** follows ${x.inputs.join(", ")} (derived)`),
        ...s.redefined.map((x) => `- **${x.name}**: ${x.what}, so its value changes`),
        ...s.added.map((x) =>
            x.adopted
                ? `- **${x.name}** added, adopted: epoch ${x.epoch} is the value in use (rekey:supplied.${x.name}), written as it is; no hook runs and no consumer restarts for it`
                : `- **${x.name}** added (${x.source}${x.epoch === null ? "" : `, epoch ${x.epoch}`})`,
        ),
        ...s.removed.map((x) => `- **${x.name}** removed: rekey no longer manages it`),
    ];
    if (secretLines.length) out.push("#### Secrets", ...secretLines, "");
    if (d.hooks.length) {
        out.push("#### Apply hooks (run first)", ...d.hooks.map((h, i) => `${i + 1}. ${h.secret}: ${describeHook(h.apply)}`), "");
    }
    if (d.issued.length) out.push("#### Issued (before the stores are written)", ...d.issued.map((x) => `- ${x.secret}: ${x.what}`), "");
    if (d.stores.length) {
        out.push("#### Stores written");
        for (const st of d.stores) {
            const why = st.why === "value" ? "" : st.why === "epoch" ? " (its epoch record; the value is the same)" : st.why === "incident" ? " (at an incident: no backup kept; the value is the same)" : st.why === "new store" ? " (new store)" : st.why === "user" ? " (its user slot names the other role; the value is the same)" : st.why === "record" ? " (its rotatedAt record only; the value is the same)" : " (keys changed)";
            const fresh = st.freshPrevious ? `; ${st.freshPrevious.map(code).join(", ")} ${st.freshPrevious.length === 1 ? "holds" : "hold"} a fresh random value until the first bump (a first deployment has no previous value)` : "";
            out.push(`- ${st.secret} → ${code(st.store)}: ${st.keys.map(code).join(", ")}${why}${fresh}`);
        }
        out.push("");
    }
    if (d.storesRemoved.length) {
        out.push("#### Stores no longer written", ...d.storesRemoved.map((st) => `- ${st.secret} → ${code(st.store)} (pulumi up deletes what rekey wrote there)`), "");
    }
    if (d.consumers.length) {
        out.push("#### Consumers restarted, in order");
        d.consumers.forEach((c, i) => {
            const after = c.after.length ? `, after ${c.after.join(", ")}` : "";
            out.push(`${i + 1}. **${c.name}**: ${describeAction(c.action)}${after}`);
            out.push(`   - verify: ${describeVerify(c.verify)}`);
            out.push(`   - because: ${c.because.join("; ")}`);
        });
        out.push("");
    } else {
        out.push("No consumer restarts.", "");
    }
    if (d.verifies.length) {
        out.push("#### Verifies run once (new, no restart)", ...d.verifies.map((v) => `- **${v.name}**: ${describeVerify(v.verify)}`), "");
    }
    if (d.consumersRemoved.length) out.push("#### Consumers removed", ...d.consumersRemoved.map((c) => `- ${c}`), "");
    if (d.finalize.length) {
        out.push(
            "#### Finalize (after the consumers verified)",
            ...d.finalize.map((f) => {
                const what =
                    f.kind === "redis"
                        ? `redis ACL user ${f.user} loses the old password`
                        : f.kind === "mysql"
                          ? f.lock
                              ? `mysql user ${f.user}, which holds the leaked password, is locked (ACCOUNT LOCK) and its sessions end`
                              : `mysql user ${f.user}'s retained old password is discarded (DISCARD OLD PASSWORD, where the server has dual passwords)`
                          : f.kind === "issued"
                            ? f.what
                            : `postgres role ${f.role}, which holds the leaked password, loses LOGIN and its sessions end`;
                return `- ${f.secret}: ${what}${f.after.length ? ` after ${f.after.join(", ")}` : ""}`;
            }),
            "",
        );
    }
    if (d.order.length) {
        out.push("#### Order (pulumi up runs each step after the steps listed)", ...d.order.map((o) => `- ${code(o.step)}${o.after.length ? ` after ${o.after.map(code).join(", ")}` : ""}`), "");
    }
    if (d.impact.length) out.push("#### Impact", ...d.impact.map((x) => `- ${x.secret}: ${code(x.impact)}`), "");
    if (d.warnings.length) out.push("#### Warnings", ...d.warnings.map((w) => `- ${w}`), "");
    if (d.notes.length) out.push("#### Notes", ...d.notes.map((n) => `- ${n}`), "");
    if (d.unchecked.length) {
        out.push("#### Not checked here (pulumi up checks these before it writes anything)", ...d.unchecked.map((u) => `- ${u.subject}${u.field ? `, ${u.field}` : ""}: ${u.check}`), "");
    }
    return out.join("\n");
}

function dueRow(stack: string, e: DueEntry): string {
    const when = e.dueOn === null ? "no rotatedAt recorded" : e.daysLeft! < 0 ? `due ${e.dueOn}, ${-e.daysLeft!} days ago` : e.daysLeft === 0 ? `due today (${e.dueOn})` : `due ${e.dueOn}, in ${e.daysLeft} days`;
    const last = e.rotatedAt ? `rotated ${e.rotatedAt}` : "never recorded";
    const how =
        newValueBy(e.source) === "person"
            ? `reminder: get a new value from its issuer, pulumi config set --secret --path 'rekey:supplied.${e.name}', then rekey bump ${e.name} ${stackFlag(stack)}`
            : `rekey bump ${e.name} ${stackFlag(stack)}`;
    return `- **${e.name}**${e.source === "supplied" ? " (supplied)" : ""}: ${when} (${last}, every ${e.cadenceDays} days). ${how}`;
}

export function renderDue(stack: string, r: DueReport): string {
    const out = [`### rekey due: ${stack} (today ${r.today})`, ""];
    // The due dates drawn (overdue and due soon); the lists below have every secret and what to do.
    const gantt = dueGantt(stack, r);
    if (gantt) out.push(fenced(gantt));
    if (r.overdue.length) out.push(`#### Overdue (${r.overdue.length})`, ...r.overdue.map((e) => dueRow(stack, e)), "");
    if (r.undated.length) out.push(`#### Cadence without a date (${r.undated.length}): counted as overdue`, ...r.undated.map((e) => dueRow(stack, e)), "");
    const soon = r.within === 0 ? "today" : `within ${r.within} days`;
    if (r.dueSoon.length) out.push(`#### Due ${soon} (${r.dueSoon.length})`, ...r.dueSoon.map((e) => dueRow(stack, e)), "");
    if (!r.overdue.length && !r.undated.length) out.push(`Nothing is overdue${r.dueSoon.length ? "" : ` or due ${soon}`}.`, "");
    return out.join("\n");
}
