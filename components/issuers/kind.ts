import type * as pulumi from "@pulumi/pulumi";
import type { GeneratorSlot, IssueKind } from "../plan/plan";
import type { IssueOf } from "../plan/issueKinds";

/** One slot's issued credential: its value and id, secret. */
export interface IssuedSlot {
    value: pulumi.Output<string>;
    id: pulumi.Output<string>;
    resource: pulumi.CustomResource;
}

export interface IssueSlotArgs {
    slot: GeneratorSlot;
    /** The slot holds the leaked credential of an incident: revoked once `dependsOn` (every consumer verified) completed. */
    revoked: boolean;
    parent: pulumi.Resource;
    dependsOn?: pulumi.Resource[];
}

/**
 * Registers one slot of an issued secret, named `<name>-<parity>` like a generator: a stable
 * name per slot, re-issued in place when the slot's epoch (or round) changes.
 */
export type Issuer<K extends IssueKind> = (name: string, issue: IssueOf<K>, args: IssueSlotArgs) => IssuedSlot;
