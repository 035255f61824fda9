// Where store writes land, grouped by the resource that performs them. A Kubernetes Secret
// or a .env file shared by several rekey secrets is one resource with every managed key,
// so rotating one key updates it in place and two writers never race on one file.
import type { FileStore, KeyVaultStore, PlannedSecret, RotationPlan, SsmStore, Variant } from "./model";

export interface WriteRef {
    secret: PlannedSecret;
    variant: Variant;
    /** The Kubernetes or .env key, SSM / Key Vault name, or file path. */
    target: string;
}

export interface KubernetesSecretTarget {
    namespace: string;
    name: string;
    type: string | null;
    keys: WriteRef[];
}

export interface DotenvFileTarget {
    host: string | null;
    path: string;
    keys: WriteRef[];
}

export interface StoreTargets {
    ssm: { secret: PlannedSecret; store: SsmStore }[];
    keyVault: { secret: PlannedSecret; store: KeyVaultStore }[];
    kubernetesSecrets: KubernetesSecretTarget[];
    dotenvFiles: DotenvFileTarget[];
    files: { secret: PlannedSecret; store: FileStore }[];
}

export function storeTargets(plan: RotationPlan): StoreTargets {
    const out: StoreTargets = { ssm: [], keyVault: [], kubernetesSecrets: [], dotenvFiles: [], files: [] };
    const k8s = new Map<string, KubernetesSecretTarget>();
    const dotenv = new Map<string, DotenvFileTarget>();
    for (const secret of plan.secrets) {
        for (const store of secret.stores) {
            const refs = store.writes.map((w) => ({ secret, variant: w.variant, target: w.target }));
            switch (store.kind) {
                case "ssm":
                    out.ssm.push({ secret, store });
                    break;
                case "keyVault":
                    out.keyVault.push({ secret, store });
                    break;
                case "file":
                    out.files.push({ secret, store });
                    break;
                case "kubernetes": {
                    const id = `${store.namespace}/${store.secret}`;
                    const t = k8s.get(id) ?? { namespace: store.namespace, name: store.secret, type: store.type, keys: [] };
                    t.keys.push(...refs);
                    k8s.set(id, t);
                    break;
                }
                case "dotenv": {
                    const id = `${store.host ?? ""}:${store.path}`;
                    const t = dotenv.get(id) ?? { host: store.host, path: store.path, keys: [] };
                    t.keys.push(...refs);
                    dotenv.set(id, t);
                    break;
                }
            }
        }
    }
    const byKey = (a: WriteRef, b: WriteRef) => (a.target < b.target ? -1 : a.target > b.target ? 1 : 0);
    out.kubernetesSecrets = [...k8s.values()].map((t) => ({ ...t, keys: [...t.keys].sort(byKey) }));
    out.dotenvFiles = [...dotenv.values()];
    return out;
}

/** What a store records about the value it holds: epoch and date where config knows them. */
export function writeRecord(ref: { secret: PlannedSecret; variant: Variant }): { epoch: number | null; rotatedAt: string | null } {
    const s = ref.secret;
    if (ref.variant === "previous") return { epoch: s.slots.find((slot) => slot.role === "previous")?.epoch ?? null, rotatedAt: null };
    return { epoch: s.epoch, rotatedAt: s.rotatedAt };
}

/** The date a value should be rotated by (rotatedAt + cadenceDays), as Unix seconds. */
export function expiresAt(secret: PlannedSecret): number | null {
    if (!secret.rotatedAt || !secret.cadenceDays) return null;
    return Date.parse(`${secret.rotatedAt}T00:00:00Z`) / 1000 + secret.cadenceDays * 86400;
}
