// The table of store kinds: each kind's planner module, found by the one key its entry
// sets (`- ssm: {...}`). Adding a kind: its schema (schema.ts storeSchema), its shape
// (model.ts PlannedStore), a module here, and its component in components/stores/index.ts.
import { STORE_KINDS, StoreKind, StoreWrite } from "../model";
import { Problems, exactlyOne } from "../problems";
import type { DefaultsConfig, HostConfig, StoreConfig } from "../schema";
import { dotenv } from "./dotenv";
import { file } from "./file";
import { StoreContext, StoreKindPlanner, StoreOf } from "./kind";
import { keyVault } from "./keyVault";
import { kubernetes } from "./kubernetes";
import { ssm } from "./ssm";

export type { StoreKindPlanner, StoreOf } from "./kind";
export { TYPED_SECRET_KEYS } from "./kubernetes";
export { ssmParameterName } from "./ssm";
export { keyVaultSecretName } from "./keyVault";

export const STORE_KIND_PLANNERS: { readonly [K in StoreKind]: StoreKindPlanner<K> } = { ssm, keyVault, kubernetes, dotenv, file };

/** The planner of a store's kind, typed for that store. */
export function plannerOf<S extends StoreOf<StoreKind>>(store: S): StoreKindPlanner<S["kind"]> {
    return STORE_KIND_PLANNERS[store.kind] as unknown as StoreKindPlanner<S["kind"]>;
}

export interface StoreEntryContext {
    secret: string;
    subject: string;
    defaults: DefaultsConfig;
    hosts: Map<string, HostConfig>;
    variants: StoreContext["variants"];
    problems: Problems;
}

/** One `stores[i]` entry: exactly one kind, resolved by its planner; undefined when it has a problem. */
export function resolveStore(entry: StoreConfig, index: number, ctx: StoreEntryContext): StoreOf<StoreKind> | undefined {
    const { subject, problems } = ctx;
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
    const planner = STORE_KIND_PLANNERS[kind] as StoreKindPlanner<StoreKind>;
    const store = planner.resolve(entry[kind] as never, { ...ctx, check });
    return problems.list.length === before ? store : undefined;
}

/** Identity of the place a write lands, to find two secrets writing the same one. */
export function writeLocation(store: StoreOf<StoreKind>, w: StoreWrite): string {
    return plannerOf(store).writeLocation(store, w);
}
