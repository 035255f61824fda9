// The rotation plan: the `rekey:*` stack configuration, validated and resolved into what
// the Pulumi program creates and in which order. Pure (no Pulumi, no I/O, no clock): the
// program, the `rekey` CLI and the tests share it.
import { z } from "zod";
import {
    BYTES_RANGE,
    BYTE_ENCODINGS,
    DEFAULT_SPECIAL,
    ENCODINGS,
    Encoding,
    GenerateSpec,
    GeneratorArgs,
    HTPASSWD_LENGTH_RANGE,
    LENGTH_RANGE,
    encodedLength,
    generatorArgs,
    valueAlphabet,
} from "./encodings";
import { topologicalOrder } from "./graph";
import * as names from "./names";
import {
    ConsumerConfig,
    DefaultsConfig,
    GenerateConfig,
    HostConfig,
    SecretConfig,
    StoreConfig,
    consumerSchema,
    defaultsSchema,
    hostSchema,
    secretSchema,
} from "./schema";
import { DotenvTraits, alphabetTraits, concatTraits, dotenvTraits, dotenvTraitsProblem } from "./stores";
import { TEMPLATE_FILTERS, TemplatePart, parseTemplate, templateRefs } from "./template";

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
    /** For each supplied value, whether it fits a .env line (never the value itself). */
    suppliedTraits?: Readonly<Record<string, DotenvTraits>>;
}

export const KNOWN_CONFIG_KEYS = ["defaults", "hosts", "hostKeys", "consumers", "secrets", "supplied"] as const;

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
    | { kind: "derive"; template: TemplatePart[]; inputs: string[] };

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
}

/** Which value of a secret a store write carries. */
export type Variant = "current" | "previous" | "user";

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
    | { kind: "command"; run: string; host: string | null };

export interface PlannedSecret {
    name: string;
    source: SecretSource;
    /** null for derived secrets, whose value follows their inputs. */
    epoch: number | null;
    rotatedAt: string | null;
    cadenceDays: number | null;
    keepPrevious: boolean;
    /** Generator slots, current first (generated secrets only). */
    slots: GeneratorSlot[];
    minLength: number | null;
    stores: PlannedStore[];
    consumers: string[];
    impact: string | null;
    apply: PlannedApply | null;
    /** The postgres role the current epoch logs in as, when the apply hook alternates roles. */
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
    | { kind: "url"; url: string; expectStatus: number; timeoutSeconds: number; intervalSeconds: number }
    | { kind: "command"; command: string; host: string | null; timeoutSeconds: number; intervalSeconds: number };

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
}

export const DEFAULT_VERIFY_TIMEOUT_SECONDS = 120;
export const DEFAULT_VERIFY_INTERVAL_SECONDS = 2;
export const DEFAULT_ROLLOUT_TIMEOUT_SECONDS = 300;
export const PREVIOUS_SUFFIX = "_PREVIOUS";
export const USER_SUFFIX = "_USER";

const RESOURCE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

class Problems {
    readonly list: ConfigProblem[] = [];
    add(subject: string, field: string, reason: string) {
        this.list.push({ subject, field, reason });
    }
}

function formatPath(path: readonly PropertyKey[]): string {
    let out = "";
    for (const p of path) {
        if (typeof p === "number") out += `[${p}]`;
        else out += out ? `.${String(p)}` : String(p);
    }
    return out;
}

function zodReason(issue: z.core.$ZodIssue): string {
    if (issue.code === "invalid_type") {
        return issue.input === undefined ? `is required (${issue.expected})` : `expected ${issue.expected}, got ${describe(issue.input)}`;
    }
    if (issue.code === "too_small" && typeof issue.minimum !== "undefined") {
        return issue.origin === "string" ? "must not be empty" : `must be at least ${issue.minimum} (got ${describe(issue.input)})`;
    }
    if (issue.code === "too_big") return `must be at most ${issue.maximum} (got ${describe(issue.input)})`;
    if (issue.code === "invalid_value") return `must be ${issue.values.map((v) => JSON.stringify(v)).join(" or ")}`;
    return issue.message;
}

function describe(v: unknown): string {
    if (v === null) return "null";
    if (Array.isArray(v)) return "a list";
    if (typeof v === "object") return "a map";
    if (typeof v === "string") return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v)}`;
    return `${typeof v} ${String(v)}`;
}

/** Parses `value` with `schema`, reporting each issue against `subject`; returns undefined when invalid. */
function parseWith<T>(schema: z.ZodType<T>, value: unknown, subject: string, problems: Problems, prefix = ""): T | undefined {
    const r = schema.safeParse(value, { reportInput: true });
    if (r.success) return r.data;
    for (const issue of r.error.issues) {
        const base = formatPath([...(prefix ? [prefix] : []), ...issue.path]);
        if (issue.code === "unrecognized_keys") {
            for (const k of issue.keys) problems.add(subject, base ? `${base}.${k}` : k, "unknown key");
        } else {
            problems.add(subject, base, zodReason(issue));
        }
    }
    return undefined;
}

/** Validates a `rekey:` map section: a map from name to entry. */
function parseMap<T>(
    raw: unknown,
    section: string,
    noun: string,
    schema: z.ZodType<T>,
    nameProblem: (n: string) => string | null,
    problems: Problems,
): Map<string, T> {
    const out = new Map<string, T>();
    if (raw === undefined || raw === null) return out;
    if (typeof raw !== "object" || Array.isArray(raw)) {
        problems.add(`rekey:${section}`, "", `expected a map of ${noun}s, got ${describe(raw)}`);
        return out;
    }
    for (const [name, entry] of Object.entries(raw as Record<string, unknown>)) {
        const subject = `${noun} ${name}`;
        const np = nameProblem(name);
        if (np) problems.add(subject, "", np);
        const parsed = parseWith(schema, entry, subject, problems);
        if (parsed !== undefined && !np) out.set(name, parsed);
    }
    return out;
}

const resourceNameProblem = (noun: string) => (n: string) =>
    RESOURCE_NAME.test(n) ? names.reservedNameProblem(n) : `a ${noun} name is 1-63 letters, digits, "_", "." and "-", starting alphanumeric`;

export function isCalendarDate(s: string): boolean {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

function checkGenerate(g: GenerateConfig, subject: string, problems: Problems): GenerateSpec | undefined {
    const f = (k: string) => `generate.${k}`;
    if (!(ENCODINGS as readonly string[]).includes(g.encoding)) {
        problems.add(subject, f("encoding"), `unknown encoding "${g.encoding}" (known: ${ENCODINGS.join(", ")})`);
        return undefined;
    }
    const encoding = g.encoding as Encoding;
    const before = problems.list.length;
    const allowed: Record<Encoding, string[]> = {
        hex: ["bytes"],
        base64: ["bytes"],
        base64url: ["bytes"],
        fernet: [],
        alphanumeric: ["length"],
        password: ["length", "minUpper", "minLower", "minNumeric", "minSpecial", "overrideSpecial"],
        htpasswd: ["user", "length"],
    };
    for (const k of Object.keys(g) as (keyof GenerateConfig)[]) {
        if (k === "encoding" || g[k] === undefined || allowed[encoding].includes(k)) continue;
        const why = encoding === "fernet" && k === "bytes" ? `a Fernet key is always ${32} bytes` : `takes ${allowed[encoding].join(", ") || "no other field"}`;
        problems.add(subject, f(k), `not used by encoding ${encoding}: ${why}`);
    }
    const range = (k: "bytes" | "length", r: { min: number; max: number }, unit: string) => {
        const v = g[k];
        if (v === undefined) problems.add(subject, f(k), `is required for encoding ${encoding} (${unit}, ${r.min}-${r.max})`);
        else if (v < r.min || v > r.max) problems.add(subject, f(k), `must be ${r.min}-${r.max} ${unit} (got ${v})`);
    };
    if ((BYTE_ENCODINGS as string[]).includes(encoding) && encoding !== "fernet") range("bytes", BYTES_RANGE, "bytes");
    if (encoding === "alphanumeric" || encoding === "password") range("length", LENGTH_RANGE, "characters");
    if (encoding === "htpasswd") {
        range("length", HTPASSWD_LENGTH_RANGE, "characters; bcrypt ignores anything past 72");
        if (g.user === undefined) problems.add(subject, f("user"), "is required for encoding htpasswd");
        else if (!/^[^:\s]{1,255}$/.test(g.user)) {
            problems.add(subject, f("user"), "an htpasswd user is 1-255 characters without ':' or white space");
        }
    }
    if (encoding === "password") {
        const special = g.overrideSpecial ?? DEFAULT_SPECIAL;
        if (g.overrideSpecial !== undefined) {
            if (!/^[\x21-\x7e]+$/.test(g.overrideSpecial)) {
                problems.add(subject, f("overrideSpecial"), "must be printable ASCII characters without spaces");
            } else if (new Set(g.overrideSpecial).size !== g.overrideSpecial.length) {
                problems.add(subject, f("overrideSpecial"), "lists a character twice");
            } else if (/[A-Za-z0-9]/.test(g.overrideSpecial)) {
                problems.add(subject, f("overrideSpecial"), "must list only non-alphanumeric characters");
            }
        }
        const mins = (g.minUpper ?? 0) + (g.minLower ?? 0) + (g.minNumeric ?? 0) + (g.minSpecial ?? 0);
        if (g.length !== undefined && mins > g.length) {
            problems.add(subject, "generate", `the minimums add up to ${mins}, more than length ${g.length}`);
        }
        if ((g.minSpecial ?? 0) > 0 && special.length === 0) {
            problems.add(subject, f("minSpecial"), "needs a non-empty special set");
        }
    }
    if (problems.list.length !== before) return undefined;
    const spec: GenerateSpec = { encoding };
    for (const k of ["bytes", "length", "user", "minUpper", "minLower", "minNumeric", "minSpecial", "overrideSpecial"] as const) {
        if (g[k] !== undefined) (spec as unknown as Record<string, unknown>)[k] = g[k];
    }
    return spec;
}

/** What the values of a derived secret can contain, from its template and inputs. */
function templateTraits(template: TemplatePart[], inputs: (ref: string) => DotenvTraits): DotenvTraits {
    return concatTraits(
        ...template.map((p) => {
            if ("text" in p) return dotenvTraits(p.text);
            if (!p.filter) return inputs(p.ref);
            // The filters' output alphabets: encodeURIComponent keeps A-Z a-z 0-9 - _ . ! ~ * ' ( ).
            return alphabetTraits(TEMPLATE_FILTERS[p.filter](p.filter === "urlencode" ? "'" : ""));
        }),
    );
}

/** Rejects .env stores that some value of their secret could not be written to. */
function checkDotenvValues(
    order: string[],
    secrets: Map<string, PlannedSecret>,
    supplied: Readonly<Record<string, DotenvTraits>>,
    problems: Problems,
): void {
    const traits = new Map<string, DotenvTraits>();
    const none: DotenvTraits = { lineBreak: false, singleQuote: false, doubleQuoteSpecial: false, endsWithBackslash: false };
    for (const name of order) {
        const s = secrets.get(name);
        if (!s) continue;
        const src = s.source;
        const t =
            src.kind === "generate"
                ? alphabetTraits(valueAlphabet(src.spec))
                : src.kind === "supplied"
                  ? (supplied[name] ?? none)
                  : templateTraits(src.template, (ref) => traits.get(ref) ?? none);
        traits.set(name, t);
        const problem = dotenvTraitsProblem(t);
        if (!problem) continue;
        s.stores.forEach((st, i) => {
            if (st.kind === "dotenv") problems.add(`secret ${name}`, `stores[${i}].dotenv`, `cannot hold this secret: ${problem}`);
        });
    }
}

export const slotParity = (epoch: number): GeneratorSlot["parity"] => ((((epoch % 2) + 2) % 2) === 0 ? "even" : "odd");

/** The slots of a first deployment: the current epoch's, and (keepPrevious) a fresh previous one. */
function generatorSlots(epoch: number, keepPrevious: boolean): GeneratorSlot[] {
    const slots: GeneratorSlot[] = [{ parity: slotParity(epoch), epoch, round: 1, role: "current" }];
    if (keepPrevious) slots.push({ parity: slotParity(epoch - 1), epoch: epoch - 1, round: 1, role: "previous" });
    return slots;
}

interface StoreContext {
    secret: string;
    subject: string;
    defaults: DefaultsConfig;
    hosts: Map<string, HostConfig>;
    keepPrevious: boolean;
    withUser: boolean;
    problems: Problems;
}

function variantsOf(ctx: StoreContext): Variant[] {
    return ["current", ...(ctx.keepPrevious ? (["previous"] as const) : []), ...(ctx.withUser ? (["user"] as const) : [])];
}

function resolveStore(entry: StoreConfig, index: number, ctx: StoreContext): PlannedStore | undefined {
    const { subject, problems, defaults, secret } = ctx;
    const field = `stores[${index}]`;
    const kinds = STORE_KINDS.filter((k) => entry[k] !== undefined);
    if (kinds.length !== 1) {
        problems.add(
            subject,
            field,
            kinds.length === 0
                ? `names no store kind (one of ${STORE_KINDS.join(", ")})`
                : `names ${kinds.join(" and ")}: one entry is one store, list each separately`,
        );
        return undefined;
    }
    const before = problems.list.length;
    const check = (f: string, reason: string | null) => {
        if (reason) problems.add(subject, `${field}.${f}`, reason);
    };
    const checkHost = (f: string, host: string | undefined) => {
        if (host !== undefined && !ctx.hosts.has(host)) check(f, `unknown host "${host}" (not in rekey:hosts)`);
    };
    const suffix = { current: "", previous: PREVIOUS_SUFFIX, user: USER_SUFFIX } as const;
    const writes = (base: string, suffixFor: (v: Variant) => string): StoreWrite[] =>
        variantsOf(ctx).map((variant) => ({ variant, target: base + suffixFor(variant) }));
    let store: PlannedStore;
    switch (kinds[0]) {
        case "ssm": {
            const e = entry.ssm!;
            const prefix = e.prefix ?? defaults.ssm?.prefix ?? "";
            const name = e.name ?? `${prefix}${secret}`;
            store = {
                kind: "ssm",
                label: `ssm:${name}`,
                region: e.region ?? defaults.ssm?.region ?? null,
                keyId: e.keyId ?? defaults.ssm?.keyId ?? null,
                writes: writes(name, (v) => suffix[v]),
            };
            for (const w of store.writes) check(e.name ? "ssm.name" : "ssm.prefix", names.ssmParameterNameProblem(w.target));
            break;
        }
        case "keyVault": {
            const e = entry.keyVault!;
            const vault = e.vault ?? defaults.keyVault?.vault;
            const resourceGroup = e.resourceGroup ?? defaults.keyVault?.resourceGroup;
            if (!vault) check("keyVault.vault", "is required (here or in rekey:defaults.keyVault.vault)");
            else check("keyVault.vault", names.keyVaultNameProblem(vault));
            if (!resourceGroup) {
                check("keyVault.resourceGroup", "is required (here or in rekey:defaults.keyVault.resourceGroup)");
            }
            const name = e.name ?? names.defaultKeyVaultSecretName(secret);
            const kvSuffix = (v: Variant) => suffix[v].toLowerCase().replace(/_/g, "-");
            store = {
                kind: "keyVault",
                label: `keyVault:${vault}/${name}`,
                vault: vault ?? "",
                resourceGroup: resourceGroup ?? "",
                contentType: e.contentType ?? null,
                writes: writes(name, kvSuffix),
            };
            for (const w of store.writes) check("keyVault.name", names.keyVaultSecretNameProblem(w.target));
            break;
        }
        case "kubernetes": {
            const e = entry.kubernetes!;
            const namespace = e.namespace ?? defaults.kubernetes?.namespace ?? "default";
            const key = e.key ?? secret;
            check("kubernetes.namespace", names.kubernetesNamespaceProblem(namespace));
            check("kubernetes.secret", names.kubernetesObjectNameProblem("Secret", e.secret));
            store = {
                kind: "kubernetes",
                label: `kubernetes:${namespace}/${e.secret}#${key}`,
                namespace,
                secret: e.secret,
                type: e.type ?? null,
                writes: writes(key, (v) => suffix[v]),
            };
            for (const w of store.writes) check("kubernetes.key", names.kubernetesSecretKeyProblem(w.target));
            break;
        }
        case "dotenv": {
            const e = entry.dotenv!;
            const host = e.host ?? defaults.dotenv?.host ?? null;
            checkHost("dotenv.host", host ?? undefined);
            check("dotenv.path", names.absolutePathProblem(e.path));
            const key = e.key ?? secret;
            const path = names.normalPath(e.path);
            store = {
                kind: "dotenv",
                label: `dotenv:${host ? `${host}:` : ""}${path}#${key}`,
                host,
                path,
                writes: writes(key, (v) => suffix[v]),
            };
            for (const w of store.writes) check("dotenv.key", names.dotenvKeyProblem(w.target));
            break;
        }
        case "file": {
            const e = entry.file!;
            const host = e.host ?? defaults.file?.host ?? null;
            checkHost("file.host", host ?? undefined);
            check("file.path", names.absolutePathProblem(e.path));
            const fileSuffix = (v: Variant) => suffix[v].toLowerCase().replace("_", ".");
            const path = names.normalPath(e.path);
            const owner = e.owner ?? defaults.file?.owner ?? null;
            if (owner !== null) check("file.owner", names.ownerProblem(owner));
            store = {
                kind: "file",
                label: `file:${host ? `${host}:` : ""}${path}`,
                host,
                mode: (e.mode ?? defaults.file?.mode)?.padStart(4, "0") ?? null,
                owner,
                writes: writes(path, fileSuffix),
            };
            break;
        }
    }
    return problems.list.length === before ? store : undefined;
}

/** Identity of the place a write lands, to find two secrets writing the same one. */
function writeLocation(store: PlannedStore, w: StoreWrite): string {
    switch (store.kind) {
        case "ssm":
            return `SSM parameter ${w.target}${store.region ? ` in ${store.region}` : ""}`;
        case "keyVault":
            return `Key Vault secret ${store.vault}/${w.target}`;
        case "kubernetes":
            return `key ${w.target} of Kubernetes Secret ${store.namespace}/${store.secret}`;
        case "dotenv":
            return `key ${w.target} of ${store.host ? `${store.host}:` : ""}${store.path}`;
        case "file":
            return `file ${store.host ? `${store.host}:` : ""}${w.target}`;
    }
}

const TYPED_SECRET_KEYS: Record<string, string[]> = {
    "kubernetes.io/tls": ["tls.crt", "tls.key"],
    "kubernetes.io/dockerconfigjson": [".dockerconfigjson"],
    "kubernetes.io/basic-auth": ["username", "password"],
    "kubernetes.io/ssh-auth": ["ssh-privatekey"],
};

function resolveApply(s: SecretConfig, subject: string, ctx: { hosts: Map<string, HostConfig>; secrets: Map<string, SecretConfig>; problems: Problems }): PlannedApply | null | undefined {
    const a = s.apply;
    if (!a) return null;
    const { problems } = ctx;
    const kinds = (["postgres", "redis", "command"] as const).filter((k) => a[k] !== undefined);
    if (kinds.length !== 1) {
        problems.add(subject, "apply", kinds.length ? `names ${kinds.join(" and ")}: one hook per secret` : "names no hook (postgres, redis or command)");
        return undefined;
    }
    const before = problems.list.length;
    const adminSecret = (field: string, name: string | undefined) => {
        if (name === undefined) return null;
        const ref = ctx.secrets.get(name);
        if (!ref) problems.add(subject, field, `unknown secret "${name}"`);
        else if (!ref.supplied) problems.add(subject, field, `"${name}" must be a supplied secret (the admin password is not rotated by rekey)`);
        return name;
    };
    let out: PlannedApply;
    if (a.postgres) {
        const p = a.postgres;
        let roles: string[] = [];
        if ((p.role === undefined) === (p.roles === undefined)) {
            problems.add(subject, "apply.postgres", "needs exactly one of role or roles");
        } else if (p.roles && (p.roles.length !== 2 || p.roles[0] === p.roles[1])) {
            problems.add(subject, "apply.postgres.roles", "lists exactly two different roles, which alternate by epoch");
        } else {
            roles = p.role !== undefined ? [p.role] : p.roles!;
        }
        for (const r of roles) {
            const rp = names.postgresIdentifierProblem("role", r);
            if (rp) problems.add(subject, "apply.postgres", rp);
        }
        const hp = names.hostNameProblem(p.host);
        if (hp) problems.add(subject, "apply.postgres.host", hp);
        const dp = p.database === undefined ? null : names.postgresDatabaseProblem(p.database);
        if (dp) problems.add(subject, "apply.postgres.database", dp);
        const ap = p.adminUser === undefined ? null : names.postgresIdentifierProblem("adminUser", p.adminUser);
        if (ap) problems.add(subject, "apply.postgres.adminUser", ap);
        out = {
            kind: "postgres",
            host: p.host,
            port: p.port ?? 5432,
            database: p.database ?? "postgres",
            roles,
            adminUser: p.adminUser ?? "postgres",
            adminPasswordSecret: adminSecret("apply.postgres.adminPasswordSecret", p.adminPasswordSecret),
            createRoles: p.createRoles ?? false,
        };
    } else if (a.redis) {
        const r = a.redis;
        const hp = r.host === undefined ? null : names.hostNameProblem(r.host);
        if (hp) problems.add(subject, "apply.redis.host", hp);
        if (r.adminUser !== undefined && !/^[A-Za-z0-9_.:@-]{1,128}$/.test(r.adminUser)) {
            problems.add(subject, "apply.redis.adminUser", `ACL user "${r.adminUser}" must be 1-128 letters, digits and _ . : @ -`);
        }
        out = {
            kind: "redis",
            host: r.host ?? "127.0.0.1",
            port: r.port ?? 6379,
            user: r.user,
            adminUser: r.adminUser ?? null,
            adminPasswordSecret: adminSecret("apply.redis.adminPasswordSecret", r.adminPasswordSecret),
        };
        if (s.generate && s.generate.encoding === "htpasswd") problems.add(subject, "apply.redis", "a Redis password cannot be an htpasswd line");
        if (!/^[A-Za-z0-9_.:@-]{1,128}$/.test(r.user)) {
            problems.add(subject, "apply.redis.user", `ACL user "${r.user}" must be 1-128 letters, digits and _ . : @ -`);
        }
    } else {
        const c = a.command!;
        if (!s.keepPrevious) {
            problems.add(subject, "apply.command", "gets OLD_VALUE, which rekey has only with keepPrevious: true");
        }
        if (c.host !== undefined && !ctx.hosts.has(c.host)) problems.add(subject, "apply.command.host", `unknown host "${c.host}" (not in rekey:hosts)`);
        out = { kind: "command", run: c.run, host: c.host ?? null };
    }
    return problems.list.length === before ? out : undefined;
}

function resolveConsumer(name: string, c: ConsumerConfig, ctx: { defaults: DefaultsConfig; hosts: Map<string, HostConfig>; problems: Problems }): PlannedConsumer | undefined {
    const subject = `consumer ${name}`;
    const { problems } = ctx;
    const before = problems.list.length;
    let action: ConsumerAction | undefined;
    if ((c.kubernetes === undefined) === (c.restart === undefined)) {
        problems.add(subject, "", "needs exactly one of kubernetes or restart");
    } else if (c.kubernetes) {
        const k = c.kubernetes;
        const workloads = (["deployment", "statefulset", "daemonset"] as const).filter((w) => k[w] !== undefined);
        if (c.host !== undefined) problems.add(subject, "host", "is for restart commands; a kubernetes consumer uses the cluster of rekey:defaults.kubernetes");
        if (workloads.length !== 1) {
            problems.add(subject, "kubernetes", "needs exactly one of deployment, statefulset or daemonset");
        } else {
            const namespace = k.namespace ?? ctx.defaults.kubernetes?.namespace ?? "default";
            const np = names.kubernetesNamespaceProblem(namespace);
            if (np) problems.add(subject, "kubernetes.namespace", np);
            const wp = names.kubernetesObjectNameProblem(workloads[0], k[workloads[0]]!);
            if (wp) problems.add(subject, `kubernetes.${workloads[0]}`, wp);
            action = {
                kind: "kubernetes",
                namespace,
                workload: workloads[0],
                name: k[workloads[0]]!,
                timeoutSeconds: k.timeoutSeconds ?? DEFAULT_ROLLOUT_TIMEOUT_SECONDS,
            };
        }
    } else {
        if (c.host !== undefined && !ctx.hosts.has(c.host)) problems.add(subject, "host", `unknown host "${c.host}" (not in rekey:hosts)`);
        action = { kind: "restart", host: c.host ?? null, command: c.restart! };
    }
    let verify: PlannedVerify | null = null;
    if (c.verify) {
        const v = c.verify;
        const timeoutSeconds = v.timeoutSeconds ?? DEFAULT_VERIFY_TIMEOUT_SECONDS;
        const intervalSeconds = v.intervalSeconds ?? DEFAULT_VERIFY_INTERVAL_SECONDS;
        if ((v.url === undefined) === (v.command === undefined)) {
            problems.add(subject, "verify", "needs exactly one of url or command");
        } else if (v.url !== undefined) {
            const up = names.verifyUrlProblem(v.url);
            if (up) problems.add(subject, "verify.url", up);
            verify = { kind: "url", url: v.url, expectStatus: v.expectStatus ?? 200, timeoutSeconds, intervalSeconds };
        } else {
            if (v.expectStatus !== undefined) problems.add(subject, "verify.expectStatus", "is for url checks; a command passes by exiting 0");
            verify = {
                kind: "command",
                command: v.command!,
                host: action?.kind === "restart" ? action.host : null,
                timeoutSeconds,
                intervalSeconds,
            };
        }
    }
    if (problems.list.length !== before || !action) return undefined;
    return { name, action, after: [...new Set(c.after ?? [])], verify, secrets: [] };
}

/**
 * Validates the configuration and resolves it into a plan. Throws RekeyConfigError naming
 * every problem found; never reports a secret value (it is never given one).
 */
export function planRotation(raw: RawConfig): RotationPlan {
    const problems = new Problems();
    for (const k of raw.unknownKeys ?? []) {
        problems.add(`rekey:${k}`, "", `unknown configuration key (known: ${KNOWN_CONFIG_KEYS.map((n) => `rekey:${n}`).join(", ")})`);
    }
    for (const k of raw.encryptedKeys ?? []) {
        problems.add(
            `rekey:${k}`,
            "",
            "holds an encrypted value: its settings go into command lines, plans and logs, which are not secret, so rekey would unwrap it. Keep secret values in rekey:supplied (a verify URL cannot carry a token: use a verify command that reads it on the host)",
        );
    }
    for (const k of raw.plaintextKeys ?? []) {
        problems.add(`rekey:${k}`, "", `holds plaintext: set every value with pulumi config set --secret --path '${k}.NAME'`);
    }
    const defaults =
        raw.defaults === undefined ? {} : (parseWith(defaultsSchema, raw.defaults, "rekey:defaults", problems) ?? {});
    const hosts = parseMap(raw.hosts, "hosts", "host", hostSchema, resourceNameProblem("host"), problems);
    for (const [name, h] of hosts) {
        const hp = names.hostNameProblem(h.host);
        if (hp) problems.add(`host ${name}`, "host", hp);
        if (!/^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/.test(h.user)) problems.add(`host ${name}`, "user", `user "${h.user}" must be a login name (letters, digits, _ . -, not starting with "-")`);
        const problem = names.hostKeyProblem(h.hostKey);
        if (problem) problems.add(`host ${name}`, "hostKey", problem);
    }
    const consumerCfgs = parseMap(raw.consumers, "consumers", "consumer", consumerSchema, resourceNameProblem("consumer"), problems);
    const secretCfgs = parseMap(raw.secrets, "secrets", "secret", secretSchema, names.secretNameProblem, problems);
    if (raw.secrets === undefined) problems.add("rekey:secrets", "", "is required: the inventory of secrets to rotate");

    const supplied = new Set(raw.suppliedNames ?? []);
    const hostKeys = new Set(raw.hostKeyNames ?? []);
    const usedHosts = new Set<string>();

    const consumers = new Map<string, PlannedConsumer>();
    for (const [name, c] of consumerCfgs) {
        const pc = resolveConsumer(name, c, { defaults, hosts, problems });
        if (pc) consumers.set(name, pc);
        if (c.host) usedHosts.add(c.host);
        for (const a of c.after ?? []) {
            if (!consumerCfgs.has(a)) problems.add(`consumer ${name}`, "after", `unknown consumer "${a}"`);
        }
    }
    const consumerOrder = topologicalOrder([...consumerCfgs.keys()], (n) => consumerCfgs.get(n)?.after ?? []);
    for (const cycle of consumerOrder.cycles) problems.add("rekey:consumers", "after", `cycle: ${cycle}`);

    const secrets = new Map<string, PlannedSecret>();
    const writers = new Map<string, string>();
    /** host:path of every file a store writes whole, with its kind and secret: one writer per file. */
    const files = new Map<string, { kind: StoreKind; secret: string }>();
    const typedSecrets = new Map<string, { type: string | null; secret: string }>();
    for (const [name, s] of secretCfgs) {
        const subject = `secret ${name}`;
        const before = problems.list.length;
        const sources = (["generate", "supplied", "derive"] as const).filter((k) => s[k] !== undefined);
        let source: SecretSource | undefined;
        if (sources.length !== 1) {
            problems.add(
                subject,
                "",
                sources.length === 0
                    ? "needs exactly one of generate, supplied or derive"
                    : `has ${sources.join(" and ")}: exactly one of generate, supplied or derive`,
            );
        } else if (s.generate) {
            const spec = checkGenerate(s.generate, subject, problems);
            if (spec) source = { kind: "generate", spec, generator: generatorArgs(spec) };
            if (s.epoch === undefined) problems.add(subject, "epoch", "is required for a generated secret (an integer >= 0; bump it to rotate)");
        } else if (s.supplied) {
            source = { kind: "supplied" };
            if (!supplied.has(name)) {
                problems.add(
                    subject,
                    "supplied",
                    `no value in rekey:supplied.${name}: set it with pulumi config set --secret --path 'supplied.${name}'`,
                );
            }
            if (s.keepPrevious) problems.add(subject, "keepPrevious", "a supplied secret has no previous value rekey could restore");
        } else {
            if (s.epoch !== undefined) problems.add(subject, "epoch", "a derived secret has no epoch: it changes when an input changes");
            if (s.keepPrevious) problems.add(subject, "keepPrevious", "is not supported on a derived secret");
            if (s.apply) problems.add(subject, "apply", "put the hook on the secret the value is derived from");
            try {
                const template = parseTemplate(s.derive!);
                const inputs = templateRefs(template);
                for (const ref of inputs) {
                    if (!secretCfgs.has(ref)) problems.add(subject, "derive", `names unknown secret "${ref}"`);
                }
                source = { kind: "derive", template, inputs };
            } catch (e) {
                problems.add(subject, "derive", (e as Error).message);
            }
        }
        if (s.rotatedAt !== undefined && !isCalendarDate(s.rotatedAt)) {
            problems.add(subject, "rotatedAt", `"${s.rotatedAt}" is not a date written YYYY-MM-DD`);
        }
        if (s.minLength !== undefined && source?.kind === "generate") {
            const len = encodedLength(source.spec);
            if (len < s.minLength) {
                problems.add(subject, "minLength", `encoding ${source.spec.encoding} gives ${len} characters, fewer than minLength ${s.minLength}`);
            }
        }
        const consumerNames = [...new Set(s.consumers ?? [])];
        for (const c of consumerNames) {
            if (!consumerCfgs.has(c)) problems.add(subject, "consumers", `unknown consumer "${c}" (not in rekey:consumers)`);
        }
        const apply = resolveApply(s, subject, { hosts, secrets: secretCfgs, problems });
        if (s.apply?.command?.host) usedHosts.add(s.apply.command.host);
        const keepPrevious = s.keepPrevious ?? false;
        const withUser = apply?.kind === "postgres" && apply.roles.length === 2;
        const stores: PlannedStore[] = [];
        (s.stores ?? []).forEach((entry, i) => {
            const store = resolveStore(entry, i, { secret: name, subject, defaults, hosts, keepPrevious, withUser, problems });
            if (!store) return;
            stores.push(store);
            if ((store.kind === "dotenv" || store.kind === "file") && store.host) usedHosts.add(store.host);
            if (store.kind === "dotenv" || store.kind === "file") {
                const paths = store.kind === "dotenv" ? [store.path] : store.writes.map((w) => w.target);
                for (const p of paths) {
                    const id = `${store.host ?? ""}:${p}`;
                    const other = files.get(id);
                    if (other && other.kind !== store.kind) {
                        problems.add(subject, `stores[${i}]`, `writes ${store.host ? `${store.host}:` : ""}${p} as a ${store.kind} store, which the ${other.kind} store of secret ${other.secret} writes too: one file has one writer`);
                    } else if (!other) files.set(id, { kind: store.kind, secret: name });
                }
            }
            for (const w of store.writes) {
                const where = writeLocation(store, w);
                const other = writers.get(where);
                if (other && other !== name) problems.add(subject, `stores[${i}]`, `writes the ${where}, which secret ${other} writes too`);
                else if (other) problems.add(subject, `stores[${i}]`, `writes the ${where} twice`);
                writers.set(where, name);
            }
            if (store.kind === "kubernetes") {
                const id = `${store.namespace}/${store.secret}`;
                const seen = typedSecrets.get(id);
                if (seen && seen.type !== store.type) {
                    problems.add(subject, `stores[${i}].kubernetes.type`, `Secret ${id} is given type ${store.type ?? "Opaque"} here and ${seen.type ?? "Opaque"} by secret ${seen.secret}`);
                } else if (!seen) typedSecrets.set(id, { type: store.type, secret: name });
                const keys = store.type ? TYPED_SECRET_KEYS[store.type] : undefined;
                for (const w of store.writes) {
                    if (keys && !keys.includes(w.target)) {
                        problems.add(subject, `stores[${i}].kubernetes.key`, `a ${store.type} Secret holds only ${keys.join(", ")}, not "${w.target}"`);
                    }
                }
            }
        });
        if (problems.list.length !== before || !source) continue;
        const epoch = source.kind === "derive" ? null : (s.epoch ?? 0);
        secrets.set(name, {
            name,
            source,
            epoch,
            rotatedAt: s.rotatedAt ?? null,
            cadenceDays: s.cadenceDays ?? null,
            keepPrevious,
            slots: source.kind === "generate" ? generatorSlots(epoch as number, keepPrevious) : [],
            minLength: s.minLength ?? null,
            stores,
            consumers: consumerNames,
            impact: s.impact ?? null,
            apply: apply ?? null,
            user: withUser && apply?.kind === "postgres" ? apply.roles[(epoch as number) % 2] : null,
        });
    }
    for (const name of supplied) {
        if (!secretCfgs.get(name)?.supplied) {
            problems.add(`rekey:supplied.${name}`, "", `has a value but no secret ${name} with supplied: true uses it`);
        }
    }
    for (const h of usedHosts) {
        if (hosts.has(h) && !hostKeys.has(h)) {
            problems.add(`host ${h}`, "", `no SSH private key: set it with pulumi config set --secret --path 'hostKeys.${h}' < key`);
        }
    }
    const deriveOrder = topologicalOrder([...secretCfgs.keys()], (n) => {
        const d = secretCfgs.get(n)?.derive;
        if (d === undefined) return [];
        try {
            return templateRefs(parseTemplate(d));
        } catch {
            return [];
        }
    });
    for (const cycle of deriveOrder.cycles) problems.add("rekey:secrets", "derive", `cycle: ${cycle}`);
    if (!deriveOrder.cycles.length) checkDotenvValues(deriveOrder.order, secrets, raw.suppliedTraits ?? {}, problems);

    if (problems.list.length) throw new RekeyConfigError(problems.list);

    const ordered = deriveOrder.order.map((n) => secrets.get(n)!);
    for (const s of ordered) for (const c of s.consumers) consumers.get(c)!.secrets.push(s.name);
    return {
        secrets: ordered,
        consumers: consumerOrder.order.map((n) => consumers.get(n)!),
        hosts: [...hosts].map(([name, h]) => ({ name, host: h.host, port: h.port ?? 22, user: h.user, hostKey: names.hostKeyOf(h.hostKey)! })),
        kubernetes: { context: defaults.kubernetes?.context ?? null, kubeconfig: defaults.kubernetes?.kubeconfig ?? null },
    };
}
