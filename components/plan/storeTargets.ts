// Store writes grouped by the resource that performs them. A kind with a group key (a
// Kubernetes Secret, a .env file) makes one resource for every store with that key, holding
// every managed key, so rotating one key updates it in place and two writers never race on
// one file; every other store is a resource of its own, under its secret. What each write
// holds and records, and what it waits for: schedule.ts.
import type { PlannedSecret, RotationPlan, StoreKind, Variant } from "./model";
import { StoreOf, plannerOf } from "./storeKinds";

export interface WriteRef {
    secret: PlannedSecret;
    variant: Variant;
    /** The Kubernetes or .env key, SSM / Key Vault name, or file path. */
    target: string;
}

export interface StoreGroup<K extends StoreKind = StoreKind> {
    kind: K;
    /** The resource's name: the kind's group key, else the store's label. */
    name: string;
    /** Shared by the stores of a group key (it then has no single secret as its parent). */
    shared: boolean;
    /** Each store the resource performs, with its secret, in plan order. */
    members: { secret: PlannedSecret; store: StoreOf<K> }[];
    /** Every write of the members, in plan order. */
    writes: WriteRef[];
}

export function storeGroups(plan: RotationPlan): StoreGroup[] {
    const out: StoreGroup[] = [];
    const shared = new Map<string, StoreGroup>();
    for (const secret of plan.secrets) {
        for (const store of secret.stores) {
            const key = plannerOf(store).group?.(store);
            let group = key === undefined ? undefined : shared.get(key);
            if (!group) {
                group = { kind: store.kind, name: key ?? store.label, shared: key !== undefined, members: [], writes: [] };
                out.push(group);
                if (key !== undefined) shared.set(key, group);
            }
            group.members.push({ secret, store });
            group.writes.push(...store.writes.map((w) => ({ secret, variant: w.variant, target: w.target })));
        }
    }
    return out;
}

/** The groups of one kind, typed. */
export function groupsOf<K extends StoreKind>(groups: StoreGroup[], kind: K): StoreGroup<K>[] {
    return groups.filter((g) => g.kind === kind) as unknown as StoreGroup<K>[];
}

/** The date a value should be rotated by (rotatedAt + cadenceDays), as Unix seconds. */
export function expiresAt(secret: PlannedSecret): number | null {
    if (!secret.rotatedAt || !secret.cadenceDays) return null;
    return Date.parse(`${secret.rotatedAt}T00:00:00Z`) / 1000 + secret.cadenceDays * 86400;
}
