// The table of issue kinds (`issue:` on a secret): each kind's planner module, found by the
// one key its entry sets (`issue: { awsAccessKey: {...} }`). Adding a kind: its schema
// (schema.ts issueSchema), its shape (model.ts PlannedIssue, ISSUE_KINDS), a module here,
// and its component in components/issuers/index.ts.
import { slotsAfter } from "../deployed";
import { ISSUE_KINDS, IssueKind, PlannedIssue, PlannedSecret, RotationPlan } from "../model";
import { Problems, exactlyOne } from "../problems";
import type { IssueConfig } from "../schema";
import { awsAccessKey } from "./awsAccessKey";
import { azureAppSecret } from "./azureAppSecret";
import { IssueKindPlanner } from "./kind";

export type { IssueKindPlanner, IssueOf } from "./kind";

export const ISSUE_KIND_PLANNERS: { readonly [K in IssueKind]: IssueKindPlanner<K> } = { awsAccessKey, azureAppSecret };

/** The planner of an issued secret's kind, typed for it. */
export function issuerOf<I extends PlannedIssue>(issue: I): IssueKindPlanner<I["kind"]> {
    return ISSUE_KIND_PLANNERS[issue.kind] as unknown as IssueKindPlanner<I["kind"]>;
}

/** The fields of a secret that an issued one refuses, and why (the issuer decides its value). */
export const ISSUE_REFUSED: Record<"minLength" | "apply" | "revokeFirst", string> = {
    minLength: "the provider decides an issued value's length",
    apply: "the provider that issues the value is where it is checked: an issued secret takes no apply hook",
    revokeFirst: "an issued credential is revoked after the consumers verified: revokeFirst is for postgres and redis hooks",
};

/** One `issue:` entry: exactly one kind, resolved by its planner; undefined when it has a problem. */
export function resolveIssue(entry: IssueConfig, subject: string, cadenceDays: number | null, problems: Problems): PlannedIssue | undefined {
    const kind = exactlyOne(entry, ISSUE_KINDS, { problems, subject, field: "issue" });
    if (kind === undefined) return undefined;
    const before = problems.list.length;
    const planner = ISSUE_KIND_PLANNERS[kind] as IssueKindPlanner<IssueKind>;
    const issue = planner.resolve(entry[kind]!, {
        check: (field, reason) => reason !== null && problems.add(subject, `issue.${kind}.${field}`, reason),
        secretCheck: (field, reason) => problems.add(subject, field, reason),
        cadenceDays,
    });
    return problems.list.length === before ? issue : undefined;
}

/** One secret per issuing owner, for kinds that have one (an IAM user has room for two keys: one secret's two slots). */
export function checkIssueOwners(issued: { secret: string; issue: PlannedIssue }[], problems: Problems): void {
    const owners = new Map<string, { secret: string; shown: string }>();
    for (const { secret, issue } of issued) {
        const owner = issuerOf(issue).owner(issue);
        if (owner === null) continue;
        const key = `${issue.kind}:${owner.key}`;
        const other = owners.get(key);
        const room = "and the provider allows two credentials there: one secret per issuer";
        if (!other) owners.set(key, { secret, shown: owner.shown });
        else if (other.shown === owner.shown) problems.add(`secret ${secret}`, `issue.${issue.kind}`, `${owner.shown} already issues the two slots of secret ${other.secret}, ${room}`);
        else problems.add(`secret ${secret}`, `issue.${issue.kind}`, `${owner.shown} is ${other.shown} of secret ${other.secret}${owner.why ? ` (${owner.why})` : ""}, which already issues its two slots, ${room}`);
    }
}

/** Whether a secret's value is issued (its previous slot stays valid until the next bump re-issues it). */
export const isIssued = (source: { kind: string }): boolean => source.kind === "issue";

/**
 * `rekey plan`'s warnings when an issued secret's settings changed (another user or
 * application: both slots are re-issued there, each kind says how); none for the same ones.
 */
export function issueSettingsChanged(name: string, before: PlannedSecret["source"], after: PlannedIssue): string[] {
    if (before.kind !== "issue") return [];
    if (before.issue.kind !== after.kind) return [`${name}: its issue kind changed (${before.issue.kind} → ${after.kind}): pulumi up issues both slots afresh and deletes the old credentials`];
    const changed = (issuerOf(after).settingsChanged as (b: PlannedIssue, a: PlannedIssue) => string | null)(before.issue, after);
    return changed ? [`${name}: ${changed}`] : [];
}

/** The same, in the few words of its node in `rekey plan`'s diagram (mermaid.ts): no name, only rekey's words. */
export function issuedLines(s: PlannedSecret, from: number | null): string[] {
    if (s.source.kind !== "issue" || s.epoch === null) return [];
    if (from !== null && s.epoch < from) return ["nothing issued"];
    const issues = `issues a new credential in slot ${s.epoch % 2 === 0 ? "even" : "odd"}`;
    return from !== null && s.incident !== null ? [issues, `the leaked one: ${issuerOf(s.source.issue).revoked} after the verifies`] : [issues];
}

/** What `rekey plan` says each issued secret whose epoch moved from `epochFrom` (null: new) issues, in words and in its diagram. */
export function issuedList(head: RotationPlan, epochFrom: ReadonlyMap<string, number | null>): { secret: string; what: string; drawn: string[] }[] {
    return head.secrets.flatMap((h) => {
        const what = epochFrom.has(h.name) ? issuedWords(h, epochFrom.get(h.name)!) : null;
        return what ? [{ secret: h.name, what, drawn: issuedLines(h, epochFrom.get(h.name)!) }] : [];
    });
}

/** What an issued secret's credential is, in words (`an access key of IAM user "ci"`). */
export function issuedCredential(issue: PlannedIssue): string {
    return issuerOf(issue).credential(issue);
}

/**
 * What `pulumi up` issues for an issued secret whose epoch moved from `from` (null: new), in
 * words for `rekey plan`: the slot of the new epoch is re-issued, the credential that slot
 * held (two epochs back) deleted first, the other slot's kept valid until the next bump.
 */
export function issuedWords(s: PlannedSecret, from: number | null): string | null {
    if (s.source.kind !== "issue" || s.epoch === null) return null;
    const what = issuedCredential(s.source.issue);
    const e = s.epoch;
    const parity = e % 2 === 0 ? "even" : "odd";
    if (from === null) return `issues ${what} for epoch ${e} (slot ${parity})${s.keepPrevious ? `, and one for the previous slot (${s.name}_PREVIOUS)` : ""}`;
    if (e < from) return `nothing is issued: epoch ${e}'s credential, still in slot ${parity}, becomes the current one again`;
    const leaked = s.incident !== null ? `; epoch ${from}'s, leaked, is ${issuerOf(s.source.issue).revoked} once the consumers verified` : `; epoch ${from}'s stays valid until the next bump`;
    return `issues ${what} for epoch ${e} in slot ${parity}, ${issuerOf(s.source.issue).replaced(e - 2)}${leaked}`;
}

/**
 * `plan`'s issued secrets with the slots a stack that deployed `deployedFrom`'s epochs holds
 * (deployed.ts slotsAfter: both, once deployed): what `rekey plan` schedules, so that the
 * slot an incident revokes is there as in the program. Without a base, a first deployment's.
 */
export function withIssuedSlots(plan: RotationPlan, deployedFrom: RotationPlan | null): RotationPlan {
    const deployed = new Map(
        (deployedFrom?.secrets ?? []).flatMap((b) => (b.source.kind === "issue" && b.epoch !== null ? [[b.name, { epoch: b.epoch, round: 1, fingerprint: null, previous: null }] as const] : [])),
    );
    return { ...plan, secrets: plan.secrets.map((s) => (s.source.kind === "issue" ? { ...s, slots: slotsAfter(s, deployed) } : s)) };
}
