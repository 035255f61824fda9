import { ConsumerAction, KubernetesProviderConfig } from "../plan/plan";
import { shellQuote } from "../commands/hostCommand";

type KubernetesAction = Extract<ConsumerAction, { kind: "kubernetes" }>;

export const RESTARTED_FOR_ANNOTATION = "rekey.dev/restarted-for";

/** kubectl with the cluster of rekey:defaults.kubernetes. */
export function kubectl(cluster: KubernetesProviderConfig, namespace: string): string {
    return [
        "kubectl",
        ...(cluster.kubeconfig ? [`--kubeconfig ${shellQuote(cluster.kubeconfig)}`] : []),
        ...(cluster.context ? [`--context ${shellQuote(cluster.context)}`] : []),
        `-n ${shellQuote(namespace)}`,
    ].join(" ");
}

/**
 * The restart script of a Kubernetes workload: record on the workload which secret epochs
 * caused the restart, `rollout restart`, then wait for `rollout status`.
 */
export function kubernetesRestartScript(action: KubernetesAction, cluster: KubernetesProviderConfig, causes: string[]): string {
    const k = kubectl(cluster, action.namespace);
    const workload = shellQuote(`${action.workload}/${action.name}`);
    return [
        `${k} annotate ${workload} ${shellQuote(`${RESTARTED_FOR_ANNOTATION}=${causes.join(" ")}`)} --overwrite`,
        `${k} rollout restart ${workload}`,
        `${k} rollout status ${workload} --timeout=${action.timeoutSeconds}s`,
    ].join(" && ");
}
