// The inventory's shapes as named interfaces: what a Rotation takes (`RotationArgs`), in the
// shapes of the `rekey:*` stack configuration (docs/configuration.md). Pulumi's component
// schema inference (@pulumi/pulumi provider/experimental/analyzer.js) needs named
// interfaces, no unions but `T | undefined` and no functions, so that `pulumi package add`
// gives other languages the same component. The zod schemas (plan/schema.ts) validate them;
// test/package/componentSchema.test.ts holds the two in step and runs the SDK's analyzer.
// Every field is an Input (the analyzer's schema then marks none `plain`): any arg, at any
// depth, may be an Output or a promise, as other languages' programs hand them; the Rotation
// resolves them before planning (readArgs.ts).
import type { Input } from "@pulumi/pulumi";

/** The inventory, in the shapes of the `rekey:*` stack configuration (docs/configuration.md). */
export interface RotationArgs {
    /** `rekey:secrets`: one entry per secret. */
    secrets: Input<{ [name: string]: Input<SecretArgs> }>;
    /** `rekey:consumers`: the services that read them, how to restart and verify each. */
    consumers?: Input<{ [name: string]: Input<ConsumerArgs> }>;
    /** `rekey:hosts`: SSH targets (each with its pinned `hostKey`). */
    hosts?: Input<{ [name: string]: Input<HostArgs> }>;
    /** `rekey:defaults`: what store entries inherit. */
    defaults?: Input<DefaultsArgs>;
    /** `rekey:supplied`: the values of `supplied: true` secrets and of adopted ones (secret inputs). */
    supplied?: Input<{ [name: string]: Input<string> }>;
    /** `rekey:hostKeys`: each host's SSH private key (secret inputs). */
    hostKeys?: Input<{ [name: string]: Input<string> }>;
    /**
     * The stack output under which the program exports this Rotation's `rotation` (default
     * `rotation`). The Rotation reads it back to hold every epoch to one step from the last
     * completed rotation: export it, and give each Rotation of a stack its own.
     */
    stackOutput?: Input<string>;
}


export interface SsmStoreArgs {
    name?: Input<string>;
    prefix?: Input<string>;
    keyId?: Input<string>;
    region?: Input<string>;
}
export interface KeyVaultStoreArgs {
    name?: Input<string>;
    vault?: Input<string>;
    resourceGroup?: Input<string>;
    contentType?: Input<string>;
    /** The vault's Azure subscription: only `rekey import` needs it (for the secrets' ids). */
    subscriptionId?: Input<string>;
}
export interface KubernetesStoreArgs {
    secret: Input<string>;
    key?: Input<string>;
    namespace?: Input<string>;
    type?: Input<string>;
}
export interface DotenvStoreArgs {
    path: Input<string>;
    host?: Input<string>;
    key?: Input<string>;
}
export interface FileStoreArgs {
    path: Input<string>;
    host?: Input<string>;
    mode?: Input<string>;
    owner?: Input<string>;
}
/** One store: exactly one of its kinds. */
export interface StoreArgs {
    ssm?: Input<SsmStoreArgs>;
    keyVault?: Input<KeyVaultStoreArgs>;
    kubernetes?: Input<KubernetesStoreArgs>;
    dotenv?: Input<DotenvStoreArgs>;
    file?: Input<FileStoreArgs>;
}
export interface GenerateArgs {
    encoding: Input<string>;
    /** hex, base64, base64url; fernet is always 32. */
    bytes?: Input<number>;
    /** alphanumeric, password, htpasswd. */
    length?: Input<number>;
    /** htpasswd user name. */
    user?: Input<string>;
    minUpper?: Input<number>;
    minLower?: Input<number>;
    minNumeric?: Input<number>;
    minSpecial?: Input<number>;
    overrideSpecial?: Input<string>;
}
export interface PostgresApplyArgs {
    host: Input<string>;
    port?: Input<number>;
    database?: Input<string>;
    role?: Input<string>;
    roles?: Input<Input<string>[]>;
    adminUser?: Input<string>;
    adminPasswordSecret?: Input<string>;
    createRoles?: Input<boolean>;
}
export interface RedisApplyArgs {
    host?: Input<string>;
    port?: Input<number>;
    user: Input<string>;
    adminUser?: Input<string>;
    adminPasswordSecret?: Input<string>;
}
export interface MysqlApplyArgs {
    host: Input<string>;
    port?: Input<number>;
    user?: Input<string>;
    users?: Input<Input<string>[]>;
    userHost?: Input<string>;
    adminUser?: Input<string>;
    adminPasswordSecret?: Input<string>;
    createUsers?: Input<boolean>;
}
export interface CommandApplyArgs {
    run: Input<string>;
    host?: Input<string>;
}
/** The hook that puts a new credential where it is checked: exactly one of its kinds. */
export interface ApplyArgs {
    postgres?: Input<PostgresApplyArgs>;
    redis?: Input<RedisApplyArgs>;
    mysql?: Input<MysqlApplyArgs>;
    command?: Input<CommandApplyArgs>;
}
export interface AwsAccessKeyIssueArgs {
    /** The IAM user's name (not its ARN; IAM does not distinguish its case) whose two access keys the secret's two slots hold. */
    user: Input<string>;
}
export interface AzureAppSecretIssueArgs {
    /** The app registration's object ID (not its client ID). */
    applicationId: Input<string>;
}
/** A value a provider issues: exactly one of its kinds. */
export interface IssueArgs {
    awsAccessKey?: Input<AwsAccessKeyIssueArgs>;
    azureAppSecret?: Input<AzureAppSecretIssueArgs>;
}
/** One secret: exactly one of `generate`, `supplied` (true), `derive`, `issue`. */
export interface SecretArgs {
    epoch?: Input<number>;
    rotatedAt?: Input<string>;
    cadenceDays?: Input<number>;
    generate?: Input<GenerateArgs>;
    /** true: the value comes from `supplied` (rekey:supplied). */
    supplied?: Input<boolean>;
    /** true: `supplied[name]` is the value in use today (a generated secret at epoch 0, or a supplied secret), so the first deployment runs no hook and restarts nothing for it (see docs/migration.md). */
    adopt?: Input<boolean>;
    /** This epoch replaces a leaked value: no overlap (written by `rekey bump --incident`). */
    incident?: Input<string>;
    /** With `incident`: revoke the leaked credential before the consumers restart (written by `rekey bump --incident --revoke-first`). */
    revokeFirst?: Input<boolean>;
    derive?: Input<string>;
    /** The value is issued by a provider, one credential per slot (stores also get `<NAME>_ID`). */
    issue?: Input<IssueArgs>;
    keepPrevious?: Input<boolean>;
    minLength?: Input<number>;
    stores?: Input<Input<StoreArgs>[]>;
    consumers?: Input<Input<string>[]>;
    impact?: Input<string>;
    apply?: Input<ApplyArgs>;
}
export interface KubernetesWorkloadArgs {
    namespace?: Input<string>;
    deployment?: Input<string>;
    statefulset?: Input<string>;
    daemonset?: Input<string>;
    timeoutSeconds?: Input<number>;
}
export interface VerifyArgs {
    url?: Input<string>;
    command?: Input<string>;
    expectStatus?: Input<number>;
    timeoutSeconds?: Input<number>;
    intervalSeconds?: Input<number>;
    proof?: Input<ProofArgs>;
}
/** A verify's proof: the service reports keyed fingerprints of its values under the generated secret `key` (docs/proof.md). */
export interface ProofArgs {
    key: Input<string>;
}
/** A service that reads secrets: a Kubernetes workload, or a restart command (on `host`). */
export interface ConsumerArgs {
    kubernetes?: Input<KubernetesWorkloadArgs>;
    host?: Input<string>;
    restart?: Input<string>;
    after?: Input<Input<string>[]>;
    verify?: Input<VerifyArgs>;
}
export interface HostArgs {
    host: Input<string>;
    port?: Input<number>;
    user: Input<string>;
    /** The host's public key, one OpenSSH line (`ssh-keyscan -t ed25519 HOST`); every remote command pins it. */
    hostKey: Input<string>;
}
export interface SsmDefaultsArgs {
    prefix?: Input<string>;
    keyId?: Input<string>;
    region?: Input<string>;
}
export interface KeyVaultDefaultsArgs {
    vault?: Input<string>;
    resourceGroup?: Input<string>;
    subscriptionId?: Input<string>;
}
export interface KubernetesDefaultsArgs {
    namespace?: Input<string>;
    context?: Input<string>;
    kubeconfig?: Input<string>;
}
export interface DotenvDefaultsArgs {
    host?: Input<string>;
}
export interface FileDefaultsArgs {
    host?: Input<string>;
    mode?: Input<string>;
    owner?: Input<string>;
}
export interface DefaultsArgs {
    ssm?: Input<SsmDefaultsArgs>;
    keyVault?: Input<KeyVaultDefaultsArgs>;
    kubernetes?: Input<KubernetesDefaultsArgs>;
    dotenv?: Input<DotenvDefaultsArgs>;
    file?: Input<FileDefaultsArgs>;
    /** A drift check on request: a new date (YYYY-MM-DD) re-runs every store read-back and proof verify. */
    proveAt?: Input<string>;
}
