// How a Rotation names the resources it registers, as plain facts: the program (components/scope.ts,
// program.ts, stores/*) and `rekey import` (importFile.ts) both follow them, and
// test/cli/import.test.ts holds the import file to what a mock run registers. (The rules
// for what the configuration gives, per store, host or tool, are ./fieldRules.ts.)
/** The Rotation's type token: the package's name, as `pulumi package add` names it. */
export const ROTATION_TYPE = "pulumi-rekey:index:Rotation";
/** Before every resource name of the Rotation called `rotation`. */
export const rotationPrefix = (rotation: string) => `${rotation}-`;
/** The providers rekey makes: one per AWS region an SSM store names, one for Kubernetes. */
export const awsProviderName = (region: string) => `aws-${region}`;
export const KUBERNETES_PROVIDER_NAME = "kubernetes";
/** The component types that hold store resources (0.1's types, kept). */
export const COMPONENT_TYPES = {
    secret: "rekey:index:RotatedSecret",
    ssm: "rekey:index:SsmParameters",
    keyVault: "rekey:index:KeyVaultSecrets",
    kubernetes: "rekey:index:KubernetesSecret",
} as const;
