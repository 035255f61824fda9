// The inventory's shapes as named interfaces: what a Rotation takes (`RotationArgs`), in the
// shapes of the `rekey:*` stack configuration (docs/configuration.md). Pulumi's component
// schema inference (@pulumi/pulumi provider/experimental/analyzer.js) needs named
// interfaces, no unions but `T | undefined` and no functions, so that `pulumi package add`
// gives other languages the same component. The zod schemas (plan/schema.ts) validate them;
// test/package/componentSchema.test.ts holds the two in step and runs the SDK's analyzer.
import type { Input } from "@pulumi/pulumi";

/** The inventory, in the shapes of the `rekey:*` stack configuration (docs/configuration.md). */
export interface RotationArgs {
    /** `rekey:secrets`: one entry per secret. */
    secrets: { [name: string]: SecretArgs };
    /** `rekey:consumers`: the services that read them, how to restart and verify each. */
    consumers?: { [name: string]: ConsumerArgs };
    /** `rekey:hosts`: SSH targets (each with its pinned `hostKey`). */
    hosts?: { [name: string]: HostArgs };
    /** `rekey:defaults`: what store entries inherit. */
    defaults?: DefaultsArgs;
    /** `rekey:supplied`: the values of `supplied: true` secrets and of adopted ones (secret inputs). */
    supplied?: { [name: string]: Input<string> };
    /** `rekey:hostKeys`: each host's SSH private key (secret inputs). */
    hostKeys?: { [name: string]: Input<string> };
    /**
     * The stack output under which the program exports this Rotation's `rotation` (default
     * `rotation`). The Rotation reads it back to hold every epoch to one step from the last
     * completed rotation: export it, and give each Rotation of a stack its own.
     */
    stackOutput?: string;
}


export interface SsmStoreArgs {
    name?: string;
    prefix?: string;
    keyId?: string;
    region?: string;
}
export interface KeyVaultStoreArgs {
    name?: string;
    vault?: string;
    resourceGroup?: string;
    contentType?: string;
    /** The vault's Azure subscription: only `rekey import` needs it (for the secrets' ids). */
    subscriptionId?: string;
}
export interface KubernetesStoreArgs {
    secret: string;
    key?: string;
    namespace?: string;
    type?: string;
}
export interface DotenvStoreArgs {
    path: string;
    host?: string;
    key?: string;
}
export interface FileStoreArgs {
    path: string;
    host?: string;
    mode?: string;
    owner?: string;
}
/** One store: exactly one of its kinds. */
export interface StoreArgs {
    ssm?: SsmStoreArgs;
    keyVault?: KeyVaultStoreArgs;
    kubernetes?: KubernetesStoreArgs;
    dotenv?: DotenvStoreArgs;
    file?: FileStoreArgs;
}
export interface GenerateArgs {
    encoding: string;
    /** hex, base64, base64url; fernet is always 32. */
    bytes?: number;
    /** alphanumeric, password, htpasswd. */
    length?: number;
    /** htpasswd user name. */
    user?: string;
    minUpper?: number;
    minLower?: number;
    minNumeric?: number;
    minSpecial?: number;
    overrideSpecial?: string;
}
export interface PostgresApplyArgs {
    host: string;
    port?: number;
    database?: string;
    role?: string;
    roles?: string[];
    adminUser?: string;
    adminPasswordSecret?: string;
    createRoles?: boolean;
}
export interface RedisApplyArgs {
    host?: string;
    port?: number;
    user: string;
    adminUser?: string;
    adminPasswordSecret?: string;
}
export interface CommandApplyArgs {
    run: string;
    host?: string;
}
/** The hook that puts a new credential where it is checked: exactly one of its kinds. */
export interface ApplyArgs {
    postgres?: PostgresApplyArgs;
    redis?: RedisApplyArgs;
    command?: CommandApplyArgs;
}
/** One secret: exactly one of `generate`, `supplied` (true), `derive`. */
export interface SecretArgs {
    epoch?: number;
    rotatedAt?: string;
    cadenceDays?: number;
    generate?: GenerateArgs;
    /** true: the value comes from `supplied` (rekey:supplied). */
    supplied?: boolean;
    /** true at epoch 0 of a generated secret: epoch 0's value is the one in use today, `supplied[name]` (see docs/migration.md). */
    adopt?: boolean;
    /** This epoch replaces a leaked value: no overlap (written by `rekey bump --incident`). */
    incident?: string;
    /** With `incident`: revoke the leaked credential before the consumers restart (written by `rekey bump --incident --revoke-first`). */
    revokeFirst?: boolean;
    derive?: string;
    keepPrevious?: boolean;
    minLength?: number;
    stores?: StoreArgs[];
    consumers?: string[];
    impact?: string;
    apply?: ApplyArgs;
}
export interface KubernetesWorkloadArgs {
    namespace?: string;
    deployment?: string;
    statefulset?: string;
    daemonset?: string;
    timeoutSeconds?: number;
}
export interface VerifyArgs {
    url?: string;
    command?: string;
    expectStatus?: number;
    timeoutSeconds?: number;
    intervalSeconds?: number;
}
/** A service that reads secrets: a Kubernetes workload, or a restart command (on `host`). */
export interface ConsumerArgs {
    kubernetes?: KubernetesWorkloadArgs;
    host?: string;
    restart?: string;
    after?: string[];
    verify?: VerifyArgs;
}
export interface HostArgs {
    host: string;
    port?: number;
    user: string;
    /** The host's public key, one OpenSSH line (`ssh-keyscan -t ed25519 HOST`); every remote command pins it. */
    hostKey: string;
}
export interface SsmDefaultsArgs {
    prefix?: string;
    keyId?: string;
    region?: string;
}
export interface KeyVaultDefaultsArgs {
    vault?: string;
    resourceGroup?: string;
    subscriptionId?: string;
}
export interface KubernetesDefaultsArgs {
    namespace?: string;
    context?: string;
    kubeconfig?: string;
}
export interface DotenvDefaultsArgs {
    host?: string;
}
export interface FileDefaultsArgs {
    host?: string;
    mode?: string;
    owner?: string;
}
export interface DefaultsArgs {
    ssm?: SsmDefaultsArgs;
    keyVault?: KeyVaultDefaultsArgs;
    kubernetes?: KubernetesDefaultsArgs;
    dotenv?: DotenvDefaultsArgs;
    file?: FileDefaultsArgs;
}
