// `pulumi-rekey/plan`: the pure planner (no Pulumi, no I/O), the plan diff that `rekey plan`
// prints, and the due report of `rekey due`.
export { planRotation } from "./plan";
export type { PlanOptions } from "./plan";
export * from "./model";
export { rawConfigOf, NAMESPACE } from "./rawConfig";
export { diffPlans } from "./diff";
export type { RotationDiff, SecretsDiff } from "./diff";
export { dueSecrets, anythingOverdue } from "./due";
