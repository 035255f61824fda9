// The modules of a rotation's steps, loaded on first use (components/program.ts).
/**
 * The modules of the steps an inventory may not have (hooks, stores, read-backs, consumers,
 * revocations) load on first use. Under ts-node, as Pulumi runs a TypeScript program, each
 * module of the program is transpiled as it loads: these are a quarter of rekey's source
 * (issue 26). The CLI and the planner never load them.
 */
function onFirstUse<T>(load: () => T): () => T {
    let loaded: T | undefined;
    return () => (loaded ??= load());
}
export const steps = {
    commandHook: onFirstUse(() => require("./hooks/command") as typeof import("./hooks/command")),
    postgres: onFirstUse(() => require("./hooks/postgres") as typeof import("./hooks/postgres")),
    mysql: onFirstUse(() => require("./hooks/mysql") as typeof import("./hooks/mysql")),
    redis: onFirstUse(() => require("./hooks/redis") as typeof import("./hooks/redis")),
    revoke: onFirstUse(() => require("./revoke") as typeof import("./revoke")),
    stores: onFirstUse(() => require("./stores") as typeof import("./stores")),
    readBack: onFirstUse(() => require("./stores/readBack") as typeof import("./stores/readBack")),
    kubernetes: onFirstUse(() => require("./stores/kubernetes") as typeof import("./stores/kubernetes")),
    restart: onFirstUse(() => require("./consumers/restart") as typeof import("./consumers/restart")),
    kubernetesRestart: onFirstUse(() => require("./consumers/kubernetes") as typeof import("./consumers/kubernetes")),
    verify: onFirstUse(() => require("./consumers/verify") as typeof import("./consumers/verify")),
};
