import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { KubernetesProviderConfig } from "../plan/plan";
import { StoreGroup } from "../plan/storeTargets";
import { writeRecord } from "../plan/schedule";
import type { StoreComponent } from "./kind";
import { KUBERNETES_PROVIDER_NAME } from "../plan/resourceNames";
import { Scope, topLevel } from "../scope";
import { HasSteps } from "../steps";
import { SecretValues } from "./values";
import { outputOfRecord } from "../outputValues";

export const ROTATION_ANNOTATION = "rekey.dev/rotation";

/**
 * The provider for every Kubernetes resource rekey manages. `enableSecretMutable` makes a
 * change to a Secret's data an in-place update: without it the provider replaces the
 * Secret, and a Secret with a fixed name is deleted before it is created again, leaving
 * pods that mount it without it.
 */
export function kubernetesProvider(config: KubernetesProviderConfig, scope: Scope): k8s.Provider {
    const at = topLevel(scope, KUBERNETES_PROVIDER_NAME, "rekey-kubernetes");
    return new k8s.Provider(
        at.name,
        {
            context: config.context ?? undefined,
            kubeconfig: config.kubeconfig ?? undefined,
            enableSecretMutable: true,
        },
        at.opts,
    );
}

export interface KubernetesSecretArgs {
    /** The stores of every rekey secret kept in this Secret. */
    group: StoreGroup<"kubernetes">;
    values: Map<string, SecretValues>;
    provider: k8s.Provider;
}

/**
 * One Kubernetes Secret holding the keys of every rekey secret stored in it. Rotating one
 * key updates the Secret in place and leaves the other keys byte-identical. The annotation
 * rekey.dev/rotation records, per key, the secret, epoch and date of its value.
 */
export class KubernetesSecret extends pulumi.ComponentResource implements HasSteps {
    public readonly secret: k8s.core.v1.Secret;
    public readonly steps: k8s.core.v1.Secret[];

    constructor(name: string, args: KubernetesSecretArgs, opts?: pulumi.ComponentResourceOptions) {
        super("rekey:index:KubernetesSecret", name, {}, opts);
        // Namespace, name and type are the group's (the planner refuses stores that disagree on type).
        const { namespace, secret: secretName, type } = args.group.members[0].store;
        const byKey = [...args.group.writes].sort((a, b) => (a.target < b.target ? -1 : a.target > b.target ? 1 : 0));
        const record: Record<string, { secret: string; epoch: number | null; rotatedAt: string | null }> = {};
        const data: Record<string, pulumi.Output<string>> = {};
        for (const ref of byKey) {
            record[ref.target] = { secret: ref.secret.name, ...writeRecord(ref) };
            data[ref.target] = args.values.get(ref.secret.name)!.of(ref.variant).apply((v) => Buffer.from(v, "utf8").toString("base64"));
        }
        // Named as the component: the engine derives its 0.1 name from the component's.
        this.secret = new k8s.core.v1.Secret(
            name,
            {
                metadata: {
                    name: secretName,
                    namespace,
                    labels: { "app.kubernetes.io/managed-by": "rekey" },
                    annotations: { [ROTATION_ANNOTATION]: JSON.stringify(record) },
                },
                type: type ?? "Opaque",
                // One Output over the keys (outputValues.ts outputOfRecord), not the SDK's two copies of each.
                data: pulumi.secret(outputOfRecord(data)),
            },
            { parent: this, provider: args.provider },
        );
        this.steps = [this.secret];
        this.registerOutputs({});
    }
}

export const kubernetesStore: StoreComponent<"kubernetes"> = (group, ctx, opts) =>
    new KubernetesSecret(group.name, { group, values: ctx.values, provider: ctx.kubernetesProvider() }, opts);
