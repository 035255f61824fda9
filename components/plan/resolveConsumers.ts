// One consumer resolved: its kind (kubernetes or restart), its verify, its after list.
import {
    ConsumerAction,
    DEFAULT_ROLLOUT_TIMEOUT_SECONDS,
    DEFAULT_VERIFY_INTERVAL_SECONDS,
    DEFAULT_VERIFY_TIMEOUT_SECONDS,
    PlannedConsumer,
    PlannedVerify,
} from "./model";
import * as names from "./names";
import { Problems } from "./problems";
import { ConsumerConfig, DefaultsConfig, HostConfig } from "./schema";

export function resolveConsumer(name: string, c: ConsumerConfig, ctx: { defaults: DefaultsConfig; hosts: Map<string, HostConfig>; problems: Problems }): PlannedConsumer | undefined {
    const subject = `consumer ${name}`;
    const { problems } = ctx;
    const before = problems.list.length;
    let action: ConsumerAction | undefined;
    if ((c.kubernetes === undefined) === (c.restart === undefined)) {
        problems.add(subject, "", "needs exactly one of kubernetes or restart");
    } else if (c.kubernetes) {
        const k = c.kubernetes;
        const workloads = (["deployment", "statefulset", "daemonset"] as const).filter((w) => k[w] !== undefined);
        if (c.host !== undefined) problems.add(subject, "host", "is for restart commands; a kubernetes consumer uses the cluster of rekey:defaults.kubernetes");
        if (workloads.length !== 1) {
            problems.add(subject, "kubernetes", "needs exactly one of deployment, statefulset or daemonset");
        } else {
            const namespace = k.namespace ?? ctx.defaults.kubernetes?.namespace ?? "default";
            const np = names.kubernetesNamespaceProblem(namespace);
            if (np) problems.add(subject, "kubernetes.namespace", np);
            const wp = names.kubernetesObjectNameProblem(workloads[0], k[workloads[0]]!);
            if (wp) problems.add(subject, `kubernetes.${workloads[0]}`, wp);
            action = {
                kind: "kubernetes",
                namespace,
                workload: workloads[0],
                name: k[workloads[0]]!,
                timeoutSeconds: k.timeoutSeconds ?? DEFAULT_ROLLOUT_TIMEOUT_SECONDS,
            };
        }
    } else {
        if (c.host !== undefined && !ctx.hosts.has(c.host)) problems.add(subject, "host", `unknown host "${c.host}" (not in rekey:hosts)`);
        action = { kind: "restart", host: c.host ?? null, command: c.restart! };
    }
    let verify: PlannedVerify | null = null;
    if (c.verify) {
        const v = c.verify;
        const timeoutSeconds = v.timeoutSeconds ?? DEFAULT_VERIFY_TIMEOUT_SECONDS;
        const intervalSeconds = v.intervalSeconds ?? DEFAULT_VERIFY_INTERVAL_SECONDS;
        if ((v.url === undefined) === (v.command === undefined)) {
            problems.add(subject, "verify", "needs exactly one of url or command");
        } else if (v.url !== undefined) {
            const up = names.verifyUrlProblem(v.url);
            if (up) problems.add(subject, "verify.url", up);
            verify = { kind: "url", url: v.url, expectStatus: v.expectStatus ?? 200, timeoutSeconds, intervalSeconds };
        } else {
            if (v.expectStatus !== undefined) problems.add(subject, "verify.expectStatus", "is for url checks; a command passes by exiting 0");
            verify = {
                kind: "command",
                command: v.command!,
                host: action?.kind === "restart" ? action.host : null,
                timeoutSeconds,
                intervalSeconds,
            };
        }
    }
    if (problems.list.length !== before || !action) return undefined;
    return { name, action, after: [...new Set(c.after ?? [])], verify, secrets: [] };
}
