// One store entry resolved: kind, names from defaults, the writes of each variant, and where each write lands.
import { PREVIOUS_SUFFIX, PlannedStore, STORE_KINDS, StoreWrite, USER_SUFFIX, Variant } from "./model";
import * as names from "./names";
import { Problems, exactlyOne, } from "./problems";
import { DefaultsConfig, HostConfig, StoreConfig } from "./schema";

export interface StoreContext {
    secret: string;
    subject: string;
    defaults: DefaultsConfig;
    hosts: Map<string, HostConfig>;
    keepPrevious: boolean;
    withUser: boolean;
    problems: Problems;
}

export function variantsOf(ctx: StoreContext): Variant[] {
    return ["current", ...(ctx.keepPrevious ? (["previous"] as const) : []), ...(ctx.withUser ? (["user"] as const) : [])];
}

export function resolveStore(entry: StoreConfig, index: number, ctx: StoreContext): PlannedStore | undefined {
    const { subject, problems, defaults, secret } = ctx;
    const field = `stores[${index}]`;
    const kind = exactlyOne(entry, STORE_KINDS, {
        problems,
        subject,
        field,
        none: `names no store kind (one of ${STORE_KINDS.join(", ")})`,
        several: (found) => `names ${found.join(" and ")}: one entry is one store, list each separately`,
    });
    if (kind === undefined) return undefined;
    const before = problems.list.length;
    const check = (f: string, reason: string | null) => {
        if (reason) problems.add(subject, `${field}.${f}`, reason);
    };
    /** The host (entry, else defaults, else local) and the one spelling of the path of a whole-file store, checked. */
    const hostFile = (kind: "dotenv" | "file", e: { host?: string; path: string }) => {
        const host = e.host ?? defaults[kind]?.host ?? null;
        if (host !== null && !ctx.hosts.has(host)) check(`${kind}.host`, `unknown host "${host}" (not in rekey:hosts)`);
        check(`${kind}.path`, names.absolutePathProblem(e.path));
        return { host, path: names.normalPath(e.path) };
    };
    const suffix = { current: "", previous: PREVIOUS_SUFFIX, user: USER_SUFFIX } as const;
    const writes = (base: string, suffixFor: (v: Variant) => string): StoreWrite[] =>
        variantsOf(ctx).map((variant) => ({ variant, target: base + suffixFor(variant) }));
    let store: PlannedStore;
    switch (kind) {
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
            const { host, path } = hostFile("dotenv", e);
            const key = e.key ?? secret;
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
            const { host, path } = hostFile("file", e);
            const fileSuffix = (v: Variant) => suffix[v].toLowerCase().replace("_", ".");
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
export function writeLocation(store: PlannedStore, w: StoreWrite): string {
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

export const TYPED_SECRET_KEYS: Record<string, string[]> = {
    "kubernetes.io/tls": ["tls.crt", "tls.key"],
    "kubernetes.io/dockerconfigjson": [".dockerconfigjson"],
    "kubernetes.io/basic-auth": ["username", "password"],
    "kubernetes.io/ssh-auth": ["ssh-privatekey"],
};
