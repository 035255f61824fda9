// The table of issue kinds' components (components/plan/issueKinds/ is the planner side).
import type { IssueKind } from "../plan/plan";
import { awsAccessKeySlot } from "./awsAccessKey";
import { azureAppSecretSlot } from "./azureAppSecret";
import type { Issuer } from "./kind";

export type { IssuedSlot, Issuer, IssueSlotArgs } from "./kind";

export const ISSUERS: { readonly [K in IssueKind]: Issuer<K> } = { awsAccessKey: awsAccessKeySlot, azureAppSecret: azureAppSecretSlot };
