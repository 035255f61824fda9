// Shapes of the `rekey:*` stack configuration (docs/configuration.md is their reference). Only
// types, required fields and unknown keys are checked here; rules that relate fields to each
// other live in plan.ts and the resolve*.ts modules, so that every problem is reported with
// the secret and field it concerns.
import { z } from "zod";

const name = z.string().min(1);
const int = z.number().int();
const port = int.min(1).max(65535);

export const ssmStoreSchema = z.strictObject({
    name: name.optional(),
    prefix: z.string().optional(),
    keyId: name.optional(),
    region: name.optional(),
});

export const keyVaultStoreSchema = z.strictObject({
    name: name.optional(),
    vault: name.optional(),
    resourceGroup: name.optional(),
    contentType: name.optional(),
    subscriptionId: name.optional(),
});

export const kubernetesStoreSchema = z.strictObject({
    secret: name,
    key: name.optional(),
    namespace: name.optional(),
    type: name.optional(),
});

export const dotenvStoreSchema = z.strictObject({
    path: name,
    host: name.optional(),
    key: name.optional(),
});

export const fileStoreSchema = z.strictObject({
    path: name,
    host: name.optional(),
    mode: z.string().regex(/^0?[0-7]{3}$/, "a file mode is three octal digits, e.g. \"0400\"").optional(),
    owner: name.optional(),
});

export const storeSchema = z.strictObject({
    ssm: ssmStoreSchema.optional(),
    keyVault: keyVaultStoreSchema.optional(),
    kubernetes: kubernetesStoreSchema.optional(),
    dotenv: dotenvStoreSchema.optional(),
    file: fileStoreSchema.optional(),
});

export const generateSchema = z.strictObject({
    encoding: z.string(),
    bytes: int.optional(),
    length: int.optional(),
    user: z.string().optional(),
    minUpper: int.min(0).optional(),
    minLower: int.min(0).optional(),
    minNumeric: int.min(0).optional(),
    minSpecial: int.min(0).optional(),
    overrideSpecial: z.string().optional(),
});

export const postgresApplySchema = z.strictObject({
    host: name,
    port: port.optional(),
    database: name.optional(),
    role: name.optional(),
    roles: z.array(name).optional(),
    adminUser: name.optional(),
    adminPasswordSecret: name.optional(),
    createRoles: z.boolean().optional(),
});

export const redisApplySchema = z.strictObject({
    host: name.optional(),
    port: port.optional(),
    user: name,
    adminUser: name.optional(),
    adminPasswordSecret: name.optional(),
});

export const mysqlApplySchema = z.strictObject({
    host: name,
    port: port.optional(),
    user: name.optional(),
    users: z.array(name).optional(),
    userHost: name.optional(),
    adminUser: name.optional(),
    adminPasswordSecret: name.optional(),
    createUsers: z.boolean().optional(),
});

export const commandApplySchema = z.strictObject({
    run: name,
    host: name.optional(),
});

export const applySchema = z.strictObject({
    postgres: postgresApplySchema.optional(),
    redis: redisApplySchema.optional(),
    mysql: mysqlApplySchema.optional(),
    command: commandApplySchema.optional(),
});

/** `issue:`: a value a provider issues (components/plan/issueKinds/), one key per kind. */
export const issueSchema = z.strictObject({
    awsAccessKey: z.strictObject({ user: name }).optional(),
    azureAppSecret: z.strictObject({ applicationId: name }).optional(),
});

export const secretSchema = z.strictObject({
    epoch: int.min(0).optional(),
    rotatedAt: z.string().optional(),
    cadenceDays: int.min(1).max(3650).optional(),
    generate: generateSchema.optional(),
    supplied: z.literal(true).optional(),
    /** The value in rekey:supplied.NAME is the one in use today: a generated secret's epoch 0, or a supplied secret's current epoch. */
    adopt: z.boolean().optional(),
    /** Written by `rekey bump --incident`: this epoch replaces a leaked value, with no overlap. */
    incident: z.string().optional(),
    /** Written by `rekey bump --incident --revoke-first`: revoke the leaked credential before the consumers restart. */
    revokeFirst: z.boolean().optional(),
    derive: z.string().optional(),
    issue: issueSchema.optional(),
    keepPrevious: z.boolean().optional(),
    minLength: int.min(1).optional(),
    stores: z.array(storeSchema).optional(),
    consumers: z.array(name).optional(),
    impact: z.string().optional(),
    apply: applySchema.optional(),
});

export const verifySchema = z.strictObject({
    url: name.optional(),
    command: name.optional(),
    expectStatus: int.min(100).max(599).optional(),
    timeoutSeconds: int.min(1).max(3600).optional(),
    intervalSeconds: int.min(1).max(300).optional(),
    /** The service proves the values it loaded: keyed fingerprints under the generated secret `key` (docs/proof.md). */
    proof: z.strictObject({ key: name }).optional(),
});

export const consumerSchema = z.strictObject({
    kubernetes: z
        .strictObject({
            namespace: name.optional(),
            deployment: name.optional(),
            statefulset: name.optional(),
            daemonset: name.optional(),
            timeoutSeconds: int.min(1).max(3600).optional(),
        })
        .optional(),
    host: name.optional(),
    restart: name.optional(),
    after: z.array(name).optional(),
    verify: verifySchema.optional(),
});

export const hostSchema = z.strictObject({
    host: name,
    port: port.optional(),
    user: name,
    /** The host's public key, one OpenSSH line (`ssh-keyscan -t ed25519 HOST`); every remote command pins it. */
    hostKey: z.string(),
});

export const defaultsSchema = z.strictObject({
    ssm: z.strictObject({ prefix: z.string().optional(), keyId: name.optional(), region: name.optional() }).optional(),
    keyVault: z.strictObject({ vault: name.optional(), resourceGroup: name.optional(), subscriptionId: name.optional() }).optional(),
    kubernetes: z
        .strictObject({ namespace: name.optional(), context: name.optional(), kubeconfig: name.optional() })
        .optional(),
    dotenv: z.strictObject({ host: name.optional() }).optional(),
    file: z.strictObject({ host: name.optional(), mode: fileStoreSchema.shape.mode, owner: name.optional() }).optional(),
    /**
     * A drift check on request (docs/proof.md): a new date re-runs every store read-back and
     * every proof verify, with no bump and no restart.
     */
    proveAt: z.string().optional(),
});

export type StoreConfig = z.infer<typeof storeSchema>;
export type GenerateConfig = z.infer<typeof generateSchema>;
export type SecretConfig = z.infer<typeof secretSchema>;
export type ConsumerConfig = z.infer<typeof consumerSchema>;
export type HostConfig = z.infer<typeof hostSchema>;
export type DefaultsConfig = z.infer<typeof defaultsSchema>;
export type ApplyConfig = z.infer<typeof applySchema>;
export type IssueConfig = z.infer<typeof issueSchema>;
export type VerifyConfig = z.infer<typeof verifySchema>;
