// What every store kind's planner module provides. The planner, the program and the CLI
// look a kind up in STORE_KIND_PLANNERS (./index.ts) and never switch on the kind.
import type { PlannedStore, StoreKind, StoreWrite, Variant } from "../model";
import { ID_SUFFIX, PREVIOUS_SUFFIX, USER_SUFFIX } from "../model";
import * as fieldRules from "../fieldRules";
import type { DefaultsConfig, HostConfig, StoreConfig } from "../schema";
import { nameText } from "../shown";

export type StoreOf<K extends StoreKind> = Extract<PlannedStore, { kind: K }>;

/** What resolving one store entry knows: the secret, the defaults, the hosts, where to put problems. */
export interface StoreContext {
    secret: string;
    subject: string;
    defaults: DefaultsConfig;
    hosts: Map<string, HostConfig>;
    /** The variants the secret publishes to every store: current, then previous and user when it has them. */
    variants: readonly Variant[];
    /** Adds a problem for a field of this entry (`ssm.name` becomes `stores[2].ssm.name`); null adds nothing. */
    check(field: string, reason: string | null): void;
}

export interface StoreKindPlanner<K extends StoreKind> {
    /** The entry's settings resolved from defaults, and the writes of each variant; problems go to ctx.check. */
    resolve(entry: NonNullable<StoreConfig[K]>, ctx: StoreContext): StoreOf<K>;
    /**
     * Whether the store records each value's epoch beside it (SSM and Key Vault tags, the
     * Kubernetes Secret's annotation: schedule.ts writeRecord): an epoch that moves with the
     * same value rewrites it; a store holding the value alone is not written then.
     */
    recordsEpoch: boolean;
    /**
     * Whether its writer differs at an incident (the .env and file writers keep no backup of
     * the leaked content: components/stores/writeFileCommand.ts): an incident with the same
     * value rewrites it.
     */
    writerFollowsIncident: boolean;
    /**
     * Why a store of this kind is written but not read back (Key Vault: its management API
     * never returns a value); absent: every write is read back after it and before any
     * restart of its readers (schedule.ts ReadBackStep, components/stores/readBack.ts).
     */
    notReadBack?: string;
    /** The place one write lands, in words: two writes to one place are refused, naming it. */
    writeLocation(store: StoreOf<K>, w: StoreWrite): string;
    /**
     * The resource that performs the writes, for kinds where several rekey secrets share one
     * (a Kubernetes Secret, a .env file): stores with one group key are one resource, so
     * rotating one key updates it in place and two writers never race. Kinds without it
     * give each store its own resource, under its secret.
     */
    group?(store: StoreOf<K>): string;
    /** Why this store cannot join the group that secret `by` began with `first`, or null. */
    groupConflict?(first: StoreOf<K>, by: string, store: StoreOf<K>): { field: string; reason: string } | null;
    /** Files the store writes whole (host-qualified), so that one file has one writer whatever its kind. */
    files?(store: StoreOf<K>): string[];
    /** The rekey:hosts entry its commands run on (null: locally). */
    host?(store: StoreOf<K>): string | null;
}

const SUFFIX: Record<Variant, string> = { current: "", previous: PREVIOUS_SUFFIX, user: USER_SUFFIX, id: ID_SUFFIX, previousId: PREVIOUS_SUFFIX + ID_SUFFIX };

/** One write per variant: `base` plus the variant's suffix (`_PREVIOUS`, `_USER`, `_ID`, `_PREVIOUS_ID`) as the kind spells it. */
export function writesOf(ctx: StoreContext, base: string, spell: (suffix: string) => string = (s) => s): StoreWrite[] {
    return ctx.variants.map((variant) => ({ variant, target: base + spell(SUFFIX[variant]) }));
}

/** The host (entry, else defaults, else local) and the one spelling of the path of a whole-file store, checked. */
export function hostFile(kind: "dotenv" | "file", e: { host?: string; path: string }, ctx: StoreContext) {
    const host = e.host ?? ctx.defaults[kind]?.host ?? null;
    if (host !== null && !ctx.hosts.has(host)) ctx.check(`${kind}.host`, `unknown host ${nameText(host)} (not in rekey:hosts)`);
    ctx.check(`${kind}.path`, fieldRules.absolutePathProblem(e.path));
    return { host, path: fieldRules.normalPath(e.path) };
}

/** `web1:` before a path on a host, nothing for a local one. */
export const onHost = (host: string | null) => (host ? `${host}:` : "");

export type { StoreConfig };
