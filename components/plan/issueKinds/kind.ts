// What every issue kind's planner module provides (`issue:` on a secret: a value a provider
// issues, one credential per slot). The planner, the schedule and the CLI look a kind up in
// ISSUE_KIND_PLANNERS (./index.ts) and never switch on the kind.
import type { IssueKind, PlannedIssue } from "../model";
import type { IssueConfig } from "../schema";

export type IssueOf<K extends IssueKind> = Extract<PlannedIssue, { kind: K }>;

export interface IssueContext {
    /** Adds a problem for a field of this entry (`user` becomes `issue.awsAccessKey.user`); null adds nothing. */
    check(field: string, reason: string | null): void;
    /** Adds a problem for a field of the secret itself (`cadenceDays`). */
    secretCheck(field: string, reason: string): void;
    /** The secret's cadenceDays, if set. */
    cadenceDays: number | null;
}

/** Who issues a secret's credentials: `key` compares as the provider does (case-folded where it folds names, `why`). */
export interface IssueOwner {
    key: string;
    shown: string;
    why?: string;
}

export interface IssueKindPlanner<K extends IssueKind> {
    /** The entry's settings, checked; problems go to ctx.check. */
    resolve(entry: NonNullable<IssueConfig[K]>, ctx: IssueContext): IssueOf<K>;
    /**
     * The one thing that issues the credential (an IAM user, an app registration): two
     * secrets issuing through one would need four slots where the provider allows two.
     */
    owner(issue: IssueOf<K>): IssueOwner | null;
    /** What one slot is, in words: `an access key of IAM user "ci"`. */
    credential(issue: IssueOf<K>): string;
    /**
     * How an incident revokes the leaked credential (the previous slot's): `inPlace`, its slot
     * registered revoked by the finalize after every verify (an IAM key made Inactive);
     * `removal`, its slot no longer registered, so the engine deletes it once every step of
     * that pulumi up succeeded (an app registration's password removed).
     */
    revocation: "inPlace" | "removal";
    /**
     * What a change of the entry's settings does (every argument of both slots' resources is
     * ForceNew, so both slots are re-issued), in words for a `rekey plan` warning; null when
     * the settings are the same.
     */
    settingsChanged(before: IssueOf<K>, after: IssueOf<K>): string | null;
    /** What happens to the credential the re-issued slot held (epoch `held`'s), in words. */
    replaced(held: number): string;
    /** What an incident does to the leaked credential once the consumers verified, in words. */
    revoked: string;
    /**
     * Why `adopt` is refused: the credential in use cannot be taken over (the provider gives
     * its secret only when it issues it).
     */
    adoptRefused: string;
    /** Why `rekey import` lists no resource of this kind (the issued secret cannot be read back). */
    importRefused: string;
}
