// One consumer resolved: its kind (kubernetes or restart), its verify, its after list.
import {
    ConsumerAction,
    DEFAULT_ROLLOUT_TIMEOUT_SECONDS,
    DEFAULT_VERIFY_INTERVAL_SECONDS,
    DEFAULT_VERIFY_TIMEOUT_SECONDS,
    PlannedConsumer,
    PlannedVerify,
} from "./model";
import * as fieldRules from "./fieldRules";
import { Problems, exactlyOne, } from "./problems";
import { ConsumerConfig, DefaultsConfig, HostConfig } from "./schema";
import { nameText } from "./shown";

export function resolveConsumer(name: string, c: ConsumerConfig, ctx: { defaults: DefaultsConfig; hosts: Map<string, HostConfig>; problems: Problems }): PlannedConsumer | undefined {
    const subject = `consumer ${name}`;
    const { problems } = ctx;
    const before = problems.list.length;
    let action: ConsumerAction | undefined;
    const kind = exactlyOne(c, ["kubernetes", "restart"] as const, { problems, subject, field: "" });
    if (kind === undefined) {
        // named by exactlyOne
    } else if (c.kubernetes) {
        const k = c.kubernetes;
        if (c.host !== undefined) problems.add(subject, "host", "is for restart commands; a kubernetes consumer uses the cluster of rekey:defaults.kubernetes");
        const workload = exactlyOne(k, ["deployment", "statefulset", "daemonset"] as const, { problems, subject, field: "kubernetes" });
        if (workload === undefined) {
            // named by exactlyOne
        } else {
            const namespace = k.namespace ?? ctx.defaults.kubernetes?.namespace ?? "default";
            const np = fieldRules.kubernetesNamespaceProblem(namespace);
            if (np) problems.add(subject, "kubernetes.namespace", np);
            const wp = fieldRules.kubernetesObjectNameProblem(workload, k[workload]!);
            if (wp) problems.add(subject, `kubernetes.${workload}`, wp);
            action = {
                kind: "kubernetes",
                namespace,
                workload: workload,
                name: k[workload]!,
                timeoutSeconds: k.timeoutSeconds ?? DEFAULT_ROLLOUT_TIMEOUT_SECONDS,
            };
        }
    } else {
        if (c.host !== undefined && !ctx.hosts.has(c.host)) problems.add(subject, "host", `unknown host ${nameText(c.host)} (not in rekey:hosts)`);
        action = { kind: "restart", host: c.host ?? null, command: c.restart! };
    }
    let verify: PlannedVerify | null = null;
    if (c.verify) {
        const v = c.verify;
        const timeoutSeconds = v.timeoutSeconds ?? DEFAULT_VERIFY_TIMEOUT_SECONDS;
        const intervalSeconds = v.intervalSeconds ?? DEFAULT_VERIFY_INTERVAL_SECONDS;
        if (exactlyOne(v, ["url", "command"] as const, { problems, subject, field: "verify" }) === undefined) {
            // named by exactlyOne
        } else if (v.url !== undefined) {
            const up = fieldRules.verifyUrlProblem(v.url);
            if (up) problems.add(subject, "verify.url", up);
            verify = { kind: "url", url: v.url, expectStatus: v.expectStatus ?? 200, timeoutSeconds, intervalSeconds, ...(v.proof ? { proof: { key: v.proof.key, secrets: [] } } : {}) };
        } else {
            if (v.expectStatus !== undefined) problems.add(subject, "verify.expectStatus", "is for url checks; a command passes by exiting 0");
            if (v.proof !== undefined) problems.add(subject, "verify.proof", "is for url checks: the service's JSON answer carries the fingerprints (docs/proof.md); a command check proves what it checks itself");
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
