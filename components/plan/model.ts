// The plan's model: what the planner takes (RawConfig), what it produces (RotationPlan and
// its parts), its error, and the constants the program, the CLI and the tests share. Types
// and small pure helpers only: every planner module imports from here, and this module
// imports no other planner module, so the planner has no import cycle.
import { GenerateSpec, GeneratorArgs } from "./encodings";
import { TemplatePart } from "./template";

/**
 * What decides whether a value fits a .env line, without the value itself: whether it
 * (may) contain a line break or NUL, a single quote, one of `"` `\\` `$` and a backtick, and
 * whether it (may) end with a backslash (see dotenvLine.ts).
 */
export interface DotenvTraits {
    lineBreak: boolean;
    singleQuote: boolean;
    doubleQuoteSpecial: boolean;
    endsWithBackslash: boolean;
}

/** The `rekey:*` configuration as read from a stack, before validation. */
export interface RawConfig {
    secrets?: unknown;
    consumers?: unknown;
    hosts?: unknown;
    defaults?: unknown;
    /** Names present in `rekey:supplied` (values are never given to the planner). */
    suppliedNames?: readonly string[];
    /** Names present in `rekey:hostKeys`. */
    hostKeyNames?: readonly string[];
    /** Keys in the `rekey` namespace that rekey does not know (typos). */
    unknownKeys?: readonly string[];
    /** Keys that must hold only encrypted values but hold plaintext (`supplied`, `hostKeys`). */
    plaintextKeys?: readonly string[];
    /** Other `rekey:*` keys that hold an encrypted value somewhere (set with --secret). */
    encryptedKeys?: readonly string[];
    /**
     * For each supplied value, whether it fits a .env line (never the value itself). Absent
     * when the caller cannot know (the CLI does not decrypt): the checks that need them are
     * then listed in the plan's `unchecked`, not made.
     */
    suppliedTraits?: Readonly<Record<string, DotenvTraits>>;
}

/** A check the planner could not make with what it was given; `pulumi up` makes it. */
export interface UncheckedProblem {
    subject: string;
    field: string;
    /** What was not checked, and why. */
    check: string;
}

export const KNOWN_CONFIG_KEYS = ["defaults", "hosts", "hostKeys", "consumers", "secrets", "supplied"] as const;

/**
 * Why a setting may not be secret (an encrypted `rekey:*` section, a Rotation arg given as a
 * secret Output): `held` says what it holds, `suppliedAt` where secret values go instead.
 */
export function secretSettingsReason(held: string, suppliedAt: string): string {
    return `holds ${held}: its settings go into command lines, plans and logs, which are not secret, so rekey would unwrap it. Keep secret values in ${suppliedAt} (a verify URL cannot carry a token: use a verify command that reads it on the host)`;
}

export interface ConfigProblem {
    /** What the problem is about: `secret JWT_SECRET`, `consumer api`, `host web1`, `rekey:defaults`. */
    subject: string;
    /** The field within it, dotted (`generate.bytes`, `stores[1].ssm.name`), or "" for the whole. */
    field: string;
    reason: string;
}

export class RekeyConfigError extends Error {
    constructor(public readonly problems: ConfigProblem[]) {
        super(
            `invalid rekey configuration, ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n` +
                problems.map((p) => `  - ${p.subject}${p.field ? `, field ${p.field}` : ""}: ${p.reason}`).join("\n"),
        );
        this.name = "RekeyConfigError";
    }
}

export type SecretSource =
    | { kind: "generate"; spec: GenerateSpec; generator: GeneratorArgs }
    | { kind: "supplied" }
    | { kind: "derive"; template: TemplatePart[]; inputs: string[] }
    | { kind: "issue"; issue: PlannedIssue };

/**
 * A value a provider issues (components/plan/issueKinds/): one credential per slot, the slots
 * taking turns by epoch as generators do (GeneratorSlot), each published as the value and its
 * id (`<NAME>`, `<NAME>_ID`). An issued secret always keeps its previous slot once deployed:
 * the previous credential stays valid until the next bump re-issues that slot.
 */
export type PlannedIssue =
    | { kind: "awsAccessKey"; user: string }
    /** `applicationId`: the app registration's object ID; `validDays`: each client secret's lifetime (two cadences). */
    | { kind: "azureAppSecret"; applicationId: string; validDays: number };
export type IssueKind = PlannedIssue["kind"];
export const ISSUE_KINDS: readonly IssueKind[] = ["awsAccessKey", "azureAppSecret"];

/**
 * A generated secret is backed by one generator per epoch parity. The slot whose parity
 * matches the epoch holds the current value; with keepPrevious the other slot holds the
 * previous value. A generator is keyed by its slot's epoch (and round): a bump n -> n+1
 * re-keys only the slot of n+1's parity, so the previous value is exactly epoch n's. The
 * planner gives the slots of a first deployment; given what the stack deployed,
 * components/plan/deployed.ts `slotsAfter` gives the slots that never re-key the deployed
 * value (a rollback re-keys nothing and keeps the value it leaves as the previous one).
 */
export interface GeneratorSlot {
    parity: "even" | "odd";
    epoch: number;
    /**
     * 1, or more when a bump returns to an epoch whose value was rolled back from: the
     * generator needs a fresh value although its epoch is the same.
     */
    round: number;
    role: "current" | "previous";
    /**
     * The slot holds the adopted value (the one in use before rekey, `adopt: true` at epoch
     * 0), not a generator's: from rekey:supplied while the configuration adopts it, from the
     * stack's state after that (see RotatedSecret).
     */
    adopted?: true;
}

/** Which value of a secret a store write carries (`id`, `previousId`: an issued credential's id, issueKinds/). */
export type Variant = "current" | "previous" | "user" | "id" | "previousId";

export interface StoreWrite {
    variant: Variant;
    /** The SSM parameter name, Key Vault secret name, Kubernetes or .env key, or file path. */
    target: string;
}

interface StoreBase {
    /** Human-readable, value-free location, used in the `rotation` output and the CLI. */
    label: string;
    writes: StoreWrite[];
}
export interface SsmStore extends StoreBase {
    kind: "ssm";
    region: string | null;
    keyId: string | null;
}
export interface KeyVaultStore extends StoreBase {
    kind: "keyVault";
    vault: string;
    resourceGroup: string;
    contentType: string | null;
    /** Only for `rekey import` (Key Vault ids); the program does not need it. */
    subscriptionId: string | null;
}
export interface KubernetesStore extends StoreBase {
    kind: "kubernetes";
    namespace: string;
    secret: string;
    type: string | null;
}
export interface DotenvStore extends StoreBase {
    kind: "dotenv";
    host: string | null;
    path: string;
}
export interface FileStore extends StoreBase {
    kind: "file";
    host: string | null;
    /** Enforced mode; null keeps an existing file's mode (0600 for a new file). */
    mode: string | null;
    owner: string | null;
}
export type PlannedStore = SsmStore | KeyVaultStore | KubernetesStore | DotenvStore | FileStore;
export type StoreKind = PlannedStore["kind"];
export const STORE_KINDS: readonly StoreKind[] = ["ssm", "keyVault", "kubernetes", "dotenv", "file"];

export type PlannedApply =
    | {
          kind: "postgres";
          host: string;
          port: number;
          database: string;
          /** One role, or two that alternate by epoch parity. */
          roles: string[];
          /** The role whose password this epoch sets (and, with two roles, the one the stores name as `<NAME>_USER`). */
          role: string;
          adminUser: string;
          adminPasswordSecret: string | null;
          /** Create missing roles (LOGIN, no other privilege). */
          createRoles: boolean;
      }
    | {
          kind: "redis";
          host: string;
          port: number;
          user: string;
          adminUser: string | null;
          adminPasswordSecret: string | null;
      }
    | {
          kind: "mysql";
          host: string;
          port: number;
          /** One user, or two that alternate by epoch parity. */
          users: string[];
          /** The user whose password this epoch sets (and, with two users, the one the stores name as `<NAME>_USER`). */
          user: string;
          /** The host part of every account rekey sets (`'user'@'userHost'`); `%` by default. */
          userHost: string;
          adminUser: string;
          adminPasswordSecret: string | null;
          /** Create missing accounts (no privilege). */
          createUsers: boolean;
      }
    | { kind: "command"; run: string; host: string | null };

export interface PlannedSecret {
    name: string;
    source: SecretSource;
    /** null for derived secrets, whose value follows their inputs. */
    epoch: number | null;
    rotatedAt: string | null;
    /**
     * The date the `rotation` output records: rotatedAt, or for a derived secret without one
     * the latest rotatedAt of the secrets it is derived from (its value changed then).
     */
    changedAt: string | null;
    cadenceDays: number | null;
    keepPrevious: boolean;
    /** Generator slots, current first (generated secrets only). */
    slots: GeneratorSlot[];
    /**
     * `adopt: true` in the configuration: rekey:supplied.NAME is the value in use today (a
     * generated secret's epoch 0, or a supplied secret's current epoch).
     */
    adopt: boolean;
    /**
     * The reason of an incident rotation (`incident:` beside the epoch): the old value leaked,
     * so this epoch keeps no overlap. No store's previous value holds it (`_PREVIOUS` holds
     * the new value), the alternating Postgres role that has it loses LOGIN once the
     * consumers verified, and a command hook gets REKEY_INCIDENT=1.
     */
    incident: string | null;
    /**
     * `revokeFirst: true` beside `incident:`: the leaked credential is revoked right after
     * the hook and the store writes, before any consumer restarts (Postgres: NOLOGIN of the
     * alternating role and the sessions of the leaked role ended; Redis: the old password
     * removed and the user's connections killed). Consumers that still hold the leaked
     * value fail until their restart.
     */
    revokeFirst: boolean;
    /**
     * The current value is the adopted one and no rotation has changed it since: it is the
     * value the services already run with, so no apply hook runs for it and it causes no
     * restart. The planner knows only `adopt`; given what the stack deployed,
     * components/plan/deployed.ts `applyDeployed` knows the rest (`adoptedInUse`). A supplied
     * secret is in use while its configuration keeps `adopt` (rekey bump removes it).
     */
    inUse: boolean;
    minLength: number | null;
    stores: PlannedStore[];
    consumers: string[];
    impact: string | null;
    apply: PlannedApply | null;
    /** The Postgres role or MySQL user the current epoch logs in as, when the apply hook alternates two. */
    user: string | null;
}

export type ConsumerAction =
    | {
          kind: "kubernetes";
          namespace: string;
          workload: "deployment" | "statefulset" | "daemonset";
          name: string;
          timeoutSeconds: number;
      }
    | { kind: "restart"; host: string | null; command: string };

export type PlannedVerify =
    | { kind: "url"; url: string; expectStatus: number; timeoutSeconds: number; intervalSeconds: number; proof?: PlannedProof }
    | { kind: "command"; command: string; host: string | null; timeoutSeconds: number; intervalSeconds: number };

/**
 * A url verify's proof (docs/proof.md): the service's JSON answer holds, under `rekey`, the
 * keyed fingerprint (components/fingerprint.ts proofFingerprint) of each secret in `secrets`
 * under the value of the generated secret `key`, which the consumer reads like the others.
 */
export interface PlannedProof {
    key: string;
    /** Every secret that names the consumer but the key, in plan order. */
    secrets: string[];
}

export interface PlannedConsumer {
    name: string;
    action: ConsumerAction;
    after: string[];
    verify: PlannedVerify | null;
    /** Secrets that name this consumer, in plan order. */
    secrets: string[];
}

export interface PlannedHost {
    name: string;
    host: string;
    port: number;
    user: string;
    /** `type base64`, the host key every remote command pins. */
    hostKey: string;
}

export interface KubernetesProviderConfig {
    context: string | null;
    kubeconfig: string | null;
}

export interface RotationPlan {
    /** Every secret, inputs of derived secrets before the secrets derived from them. */
    secrets: PlannedSecret[];
    /** Every consumer, each after the consumers named in its `after`. */
    consumers: PlannedConsumer[];
    hosts: PlannedHost[];
    kubernetes: KubernetesProviderConfig;
    /**
     * `rekey:defaults.proveAt`: a drift check asked for on that day. A new value re-runs every
     * store read-back and proof verify (their triggers carry it), with nothing rotated.
     */
    proveAt: string | null;
    /** Checks left to `pulumi up` (empty for the program, which knows everything the planner needs). */
    unchecked: UncheckedProblem[];
    /**
     * Generated secrets without `adopt` that still have a value in rekey:supplied: the copy
     * of a value adopted before, which the program no longer reads (it keeps the adopted
     * value in the stack's state).
     */
    unusedSupplied: string[];
}

export const DEFAULT_VERIFY_TIMEOUT_SECONDS = 120;
export const DEFAULT_VERIFY_INTERVAL_SECONDS = 2;
export const DEFAULT_ROLLOUT_TIMEOUT_SECONDS = 300;
export const PREVIOUS_SUFFIX = "_PREVIOUS";
export const USER_SUFFIX = "_USER";
export const ID_SUFFIX = "_ID";

export const slotParity = (epoch: number): GeneratorSlot["parity"] => ((((epoch % 2) + 2) % 2) === 0 ? "even" : "odd");

export function isCalendarDate(s: string): boolean {
    return dateProblem(s) === null;
}

/** Why `s` is not a date written YYYY-MM-DD ("2026-02-30": one that does not exist), or null. */
export function dateProblem(s: string): string | null {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return "is not a date written YYYY-MM-DD";
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s ? null : "is a date that does not exist";
}
