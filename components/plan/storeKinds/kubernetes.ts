// Keys of a Kubernetes Secret. Several rekey secrets may share one Secret: it is one
// resource holding every managed key, so they must agree on its type.
import * as fieldRules from "../fieldRules";
import { StoreKindPlanner, writesOf } from "./kind";
import { nameText } from "../shown";

/** The keys a typed Secret may hold (the API server refuses others). */
export const TYPED_SECRET_KEYS: Record<string, string[]> = {
    "kubernetes.io/tls": ["tls.crt", "tls.key"],
    "kubernetes.io/dockerconfigjson": [".dockerconfigjson"],
    "kubernetes.io/basic-auth": ["username", "password"],
    "kubernetes.io/ssh-auth": ["ssh-privatekey"],
};

export const kubernetes: StoreKindPlanner<"kubernetes"> = {
    recordsEpoch: true,
    writerFollowsIncident: false,
    resolve(e, ctx) {
        const namespace = e.namespace ?? ctx.defaults.kubernetes?.namespace ?? "default";
        const key = e.key ?? ctx.secret;
        const type = e.type ?? null;
        ctx.check("kubernetes.namespace", fieldRules.kubernetesNamespaceProblem(namespace));
        ctx.check("kubernetes.secret", fieldRules.kubernetesObjectNameProblem("Secret", e.secret));
        const writes = writesOf(ctx, key);
        for (const w of writes) ctx.check("kubernetes.key", fieldRules.kubernetesSecretKeyProblem(w.target));
        const allowed = type ? TYPED_SECRET_KEYS[type] : undefined;
        for (const w of writes) {
            if (allowed && !allowed.includes(w.target)) ctx.check("kubernetes.key", `a ${type} Secret holds only ${allowed.join(", ")}, not ${nameText(w.target)}`);
        }
        return { kind: "kubernetes", label: `kubernetes:${namespace}/${e.secret}#${key}`, namespace, secret: e.secret, type, writes };
    },
    writeLocation: (store, w) => `key ${w.target} of Kubernetes Secret ${store.namespace}/${store.secret}`,
    group: (store) => `kubernetes:${store.namespace}/${store.secret}`,
    groupConflict: (first, by, store) =>
        first.type === store.type
            ? null
            : { field: "kubernetes.type", reason: `Secret ${first.namespace}/${first.secret} is given type ${nameText(store.type ?? "Opaque")} here and ${nameText(first.type ?? "Opaque")} by secret ${by}` },
};
