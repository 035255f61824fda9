// `rekey import`: the file `pulumi import --file` takes, for every store resource the stack
// would create that can exist before rekey (SSM parameters, Key Vault secrets, Kubernetes
// Secrets), with the type, name, parent and provider the program registers, and each
// provider's import id. Components that parent them are declared as components and the
// providers rekey makes as providers, so the import creates them too (pulumi/pulumi
// pkg/cmd/pulumi/operations/import.go importSpec: `component`, providers declared in
// `resources` with their `inputs`; a parent is another entry's `name`). Pure.
//
// Only the stores of the current value can exist before rekey: `<NAME>_PREVIOUS` and
// `<NAME>_USER` are rekey's own, and an entry whose resource does not exist fails the
// `pulumi import` (pulumi/pulumi pkg/resource/deploy/step.go `(*ImportStep).Apply`: the
// provider's Read of the id returns no outputs → "resource '<id>' does not exist"). Those
// are listed as what the first `pulumi up` creates. An import id
// is never written with a placeholder in it: what is missing is a problem naming the
// configuration that supplies it.
import { issuedCredential, issuerOf } from "./issueKinds";
import type { RotationPlan } from "./model";
import { COMPONENT_TYPES, KUBERNETES_PROVIDER_NAME, ROTATION_TYPE, awsProviderName, rotationPrefix } from "./resourceNames";
import { keyVaultSecretName, ssmParameterName } from "./storeKinds";
import { groupsOf, storeGroups } from "./storeTargets";

export interface ImportSpec {
    type: string;
    /** The entry's key in this file (parents and providers name it); unique. */
    name: string;
    /** The resource's name in the program. */
    logicalName: string;
    id?: string;
    parent?: string;
    provider?: string;
    component?: boolean;
    version?: string;
    inputs?: Record<string, unknown>;
}

export interface ImportFile {
    resources: ImportSpec[];
}

export interface ImportOptions {
    /** The Rotation's name (the standalone program's is "rekey"). */
    rotation: string;
    /** The provider plugins' versions (aws, kubernetes), for the providers the file declares. */
    providerVersions: Readonly<Record<string, string>>;
    /** KUBECONFIG in the environment pulumi up runs in: the Kubernetes SDK sends it when no kubeconfig is configured. */
    kubeconfigFromEnv?: string;
}

export interface ImportResult {
    file: ImportFile;
    /**
     * What the first `pulumi up` creates beside the imported resources: the stores of values
     * that cannot exist before rekey (previous value, Postgres user), one line each.
     */
    creates: string[];
    /**
     * What an import id needs and the configuration does not give (a Key Vault without its
     * subscription id), one line each naming the key that supplies it. Not empty: the file
     * must not be used.
     */
    missing: string[];
}

export function importFile(plan: RotationPlan, o: ImportOptions): ImportResult {
    const prefix = rotationPrefix(o.rotation);
    const resources: ImportSpec[] = [];
    const creates: string[] = [];
    /** Per vault without a subscription id, the secrets whose stores name it. */
    const noSubscription = new Map<string, Set<string>>();
    const key = (type: string, logicalName: string) => `${type}::${logicalName}`;
    const add = (spec: Omit<ImportSpec, "name">) => {
        const name = key(spec.type, spec.logicalName);
        if (!resources.some((r) => r.name === name)) resources.push({ name, ...spec });
        return name;
    };
    const rotation = add({ type: ROTATION_TYPE, logicalName: o.rotation, component: true });
    const secretComponent = (secret: string) => add({ type: COMPONENT_TYPES.secret, logicalName: `${prefix}${secret}`, parent: rotation, component: true });
    const provider = (pkg: string, logicalName: string, inputs: Record<string, unknown>) =>
        add({ type: `pulumi:providers:${pkg}`, logicalName, parent: rotation, inputs, ...(o.providerVersions[pkg] ? { version: o.providerVersions[pkg] } : {}) });
    // An issued credential cannot be imported (its secret is given only when it is issued):
    // the first pulumi up issues it; a store holding the one in use today can be imported.
    for (const s of plan.secrets) if (s.source.kind === "issue") creates.push(`${issuedCredential(s.source.issue)} for ${s.name}: ${issuerOf(s.source.issue).importRefused}`);
    const groups = storeGroups(plan);
    for (const g of groupsOf(groups, "ssm")) {
        const { secret, store } = g.members[0];
        const parent = add({ type: COMPONENT_TYPES.ssm, logicalName: `${prefix}${g.name}`, parent: secretComponent(secret.name), component: true });
        // The inputs as @pulumi/aws provider.js sends them: its defaults, JSON-encoded.
        const via = store.region
            ? provider("aws", `${prefix}${awsProviderName(store.region)}`, { region: store.region, skipCredentialsValidation: "false", skipRegionValidation: "true" })
            : undefined;
        for (const w of store.writes) {
            if (w.variant !== "current") creates.push(`SSM parameter ${w.target} (${w.variant} value of ${secret.name})`);
            else add({ type: "aws:ssm/parameter:Parameter", logicalName: `${prefix}${ssmParameterName(store, w.target)}`, id: w.target, parent, ...(via ? { provider: via } : {}) });
        }
    }
    for (const g of groupsOf(groups, "keyVault")) {
        const { secret, store } = g.members[0];
        const parent = add({ type: COMPONENT_TYPES.keyVault, logicalName: `${prefix}${g.name}`, parent: secretComponent(secret.name), component: true });
        for (const w of store.writes) {
            if (w.variant !== "current") {
                creates.push(`Key Vault secret ${store.vault}/${w.target} (${w.variant} value of ${secret.name})`);
                continue;
            }
            if (!store.subscriptionId) {
                noSubscription.set(store.vault, (noSubscription.get(store.vault) ?? new Set()).add(secret.name));
                continue;
            }
            const id = `/subscriptions/${store.subscriptionId}/resourceGroups/${store.resourceGroup}/providers/Microsoft.KeyVault/vaults/${store.vault}/secrets/${w.target}`;
            add({ type: "azure-native:keyvault:Secret", logicalName: `${prefix}${keyVaultSecretName(store, w.target)}`, id, parent });
        }
    }
    const k8s = groupsOf(groups, "kubernetes");
    if (k8s.length) {
        // As @pulumi/kubernetes provider.js sends them: kubeconfig falls back to KUBECONFIG, booleans JSON-encoded.
        const kubeconfig = plan.kubernetes.kubeconfig ?? o.kubeconfigFromEnv;
        const via = provider("kubernetes", `${prefix}${KUBERNETES_PROVIDER_NAME}`, {
            ...(plan.kubernetes.context ? { context: plan.kubernetes.context } : {}),
            enableSecretMutable: "true",
            ...(kubeconfig ? { kubeconfig } : {}),
        });
        for (const g of k8s) {
            const { store } = g.members[0];
            const parent = add({ type: COMPONENT_TYPES.kubernetes, logicalName: `${prefix}${g.name}`, parent: rotation, component: true });
            // The Secret exists when the current values are in it; the keys of the others are rekey's to add.
            add({ type: "kubernetes:core/v1:Secret", logicalName: `${prefix}${g.name}`, id: `${store.namespace}/${store.secret}`, parent, provider: via });
            for (const m of g.members) {
                for (const w of m.store.writes) {
                    if (w.variant !== "current") creates.push(`key ${w.target} of Kubernetes Secret ${store.namespace}/${store.secret} (${w.variant} value of ${m.secret.name})`);
                }
            }
        }
    }
    const missing = [...noSubscription].map(
        ([vault, secrets]) =>
            `Key Vault ${vault} (secret ${[...secrets].join(", ")}): a Key Vault secret's import id needs the vault's subscription id; set rekey:defaults.keyVault.subscriptionId (pulumi config set --path 'rekey:defaults.keyVault.subscriptionId' ID), or subscriptionId on the store`,
    );
    return { file: { resources }, creates, missing };
}
