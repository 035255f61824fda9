// The pulumi-rekey package: `import { Rotation } from "pulumi-rekey"`. Importing it
// registers nothing; a Rotation registers its resources when it is constructed.
export { Rotation } from "./components/rotation";
export { fromStackConfig } from "./components/stackConfig";
export type { RotationRecord } from "./components/plan/record";
export { RekeyConfigError } from "./components/plan/model";
export { RekeyEpochError } from "./components/plan/deployed";
export type { ConfigProblem, RotationPlan, PlannedSecret } from "./components/plan/model";
export type * from "./components/args";
