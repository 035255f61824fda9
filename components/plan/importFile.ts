// `rekey import`: the file `pulumi import --file` takes, for every store resource the stack
// would create that can exist before rekey (SSM parameters, Key Vault secrets, Kubernetes
// Secrets), with the type, name, parent and provider the program registers, and each
// provider's import id. Components that parent them are declared as components and the
// providers rekey makes as providers, so the import creates them too (pulumi/pulumi
// pkg/cmd/pulumi/operations/import.go importSpec: `component`, providers declared in
// `resources` with their `inputs`; a parent is another entry's `name`). Pure.
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
    /** What the user must fill in before importing (a Key Vault id without a subscription). */
    placeholders: string[];
}

export const SUBSCRIPTION_PLACEHOLDER = "{subscriptionId}";

export function importFile(plan: RotationPlan, o: ImportOptions): ImportResult {
    const prefix = rotationPrefix(o.rotation);
    const resources: ImportSpec[] = [];
    const placeholders = new Set<string>();
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
    const groups = storeGroups(plan);
    for (const g of groupsOf(groups, "ssm")) {
        const { secret, store } = g.members[0];
        const parent = add({ type: COMPONENT_TYPES.ssm, logicalName: `${prefix}${g.name}`, parent: secretComponent(secret.name), component: true });
        // The inputs as @pulumi/aws provider.js sends them: its defaults, JSON-encoded.
        const via = store.region
            ? provider("aws", `${prefix}${awsProviderName(store.region)}`, { region: store.region, skipCredentialsValidation: "false", skipRegionValidation: "true" })
            : undefined;
        for (const w of store.writes) {
            add({ type: "aws:ssm/parameter:Parameter", logicalName: `${prefix}${ssmParameterName(store, w.target)}`, id: w.target, parent, ...(via ? { provider: via } : {}) });
        }
    }
    for (const g of groupsOf(groups, "keyVault")) {
        const { secret, store } = g.members[0];
        const parent = add({ type: COMPONENT_TYPES.keyVault, logicalName: `${prefix}${g.name}`, parent: secretComponent(secret.name), component: true });
        const subscription = store.subscriptionId ?? SUBSCRIPTION_PLACEHOLDER;
        if (!store.subscriptionId) placeholders.add(`Key Vault ${store.vault}: its ids need the subscription (set rekey:defaults.keyVault.subscriptionId, or replace ${SUBSCRIPTION_PLACEHOLDER})`);
        for (const w of store.writes) {
            const id = `/subscriptions/${subscription}/resourceGroups/${store.resourceGroup}/providers/Microsoft.KeyVault/vaults/${store.vault}/secrets/${w.target}`;
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
            add({ type: "kubernetes:core/v1:Secret", logicalName: `${prefix}${g.name}`, id: `${store.namespace}/${store.secret}`, parent, provider: via });
        }
    }
    return { file: { resources }, placeholders: [...placeholders] };
}
