// One benchmark case, run in its own process so that peak memory is its own:
//   node -r ts-node/register/transpile-only bench/cases.ts <case> <n | type counts JSON>
//   (the floor takes a second JSON: by type, how many of them carry an alias, as the program's do)
// Prints one JSON line: { seconds, cpuSeconds, peakRssMb, resources, types, aliased }.
//
// The floor registers the same resources the program registered (same types, same
// counts) with constant inputs and nothing else: no planning, no applies, no outputs. The
// SDK's cost per resource grows with the resource's number of properties (it captures a
// stack trace for each), so a floor of one-property resources would measure the provider
// classes, not rekey.
import * as aws from "@pulumi/aws";
import * as command from "@pulumi/command";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { randomBytes } from "crypto";

/** How the floor constructs each resource type with constant inputs. */
const FLOOR_FACTORIES: Record<string, (name: string, opts?: pulumi.CustomResourceOptions) => void> = {
    "random:index/randomPassword:RandomPassword": (name, opts) =>
        new random.RandomPassword(name, { length: 64, keepers: { epoch: "1" } }, opts),
    "aws:ssm/parameter:Parameter": (name, opts) =>
        new aws.ssm.Parameter(name, { name: `/floor/${name}`, type: "SecureString", value: "constant", description: "floor", tags: { a: "b" } }, opts),
    "kubernetes:core/v1:Secret": (name, opts) =>
        new k8s.core.v1.Secret(name, { metadata: { name, namespace: "floor", annotations: { a: "b" } }, type: "Opaque", data: { K: "dg==" } }, opts),
    "command:local:Command": (name, opts) => new command.local.Command(name, { create: "true", update: "true", stdin: "constant" }, opts),
    "pulumi:providers:kubernetes": (name, opts) => new k8s.Provider(name, { enableSecretMutable: true }, opts),
    "pulumi:pulumi:StackReference": (name, opts) => new pulumi.StackReference(name, { name: `organization/rekey/${name}` }, opts),
};
for (const component of ["RotatedSecret", "SsmParameters", "KubernetesSecret", "DotenvFile", "ReadBack"]) {
    FLOOR_FACTORIES[`rekey:index:${component}`] = (name, opts) => new pulumi.ComponentResource(`rekey:index:${component}`, name, {}, opts);
}
FLOOR_FACTORIES["pulumi-rekey:index:Rotation"] = (name, opts) => new pulumi.ComponentResource("pulumi-rekey:index:Rotation", name, {}, opts);

const RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword";
const waitForRPCs: () => Promise<void> =
    (pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> }).waitForRPCs ?? (async () => {});

/** Inventories for the program cases: n generated secrets, with the options each case adds. */
export function inventory(n: number, opts: { keepPrevious?: boolean; stores?: boolean } = {}): Record<string, unknown> {
    const secrets: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
        secrets[`SECRET_${i}`] = {
            epoch: 1 + (i % 5),
            rotatedAt: "2026-10-02",
            generate: { encoding: i % 3 === 0 ? "base64" : "hex", bytes: 32 },
            keepPrevious: opts.keepPrevious ?? false,
            ...(opts.stores
                ? {
                      stores: [
                          { ssm: {} },
                          { kubernetes: { secret: `app-secrets-${i % 20}` } },
                          { dotenv: { path: `/srv/app${i % 10}/.env` } },
                      ],
                  }
                : {}),
        };
    }
    return {
        "rekey:defaults": { ssm: { prefix: "/bench/" }, kubernetes: { namespace: "bench" } },
        "rekey:secrets": secrets,
    };
}

/**
 * With REKEY_BENCH_COUNT_OUTPUTS=1, count the Outputs the case makes: the SDK's Output
 * constructor sets `this.__pulumiOutput = true` on each (@pulumi/pulumi output.js OutputImpl),
 * which a setter on Object.prototype sees once per Output. Off by default: it slows the run.
 */
function countOutputs(): () => number {
    let outputs = 0;
    Object.defineProperty(Object.prototype, "__pulumiOutput", {
        configurable: true,
        get: () => undefined,
        set(this: object, v: unknown) {
            outputs++;
            Object.defineProperty(this, "__pulumiOutput", { value: v, writable: true, enumerable: true, configurable: true });
        },
    });
    return () => outputs;
}

async function main() {
    const [kind, arg] = process.argv.slice(2);
    const outputs = process.env.REKEY_BENCH_COUNT_OUTPUTS === "1" ? countOutputs() : undefined;
    let resources = 0;
    const types: Record<string, number> = {};
    // What each SSM parameter was written with: the getParameter invoke of its read-back answers it.
    const parameters = new Map<string, unknown>();
    await pulumi.runtime.setMocks(
        {
            newResource(args) {
                resources++;
                types[args.type] = (types[args.type] ?? 0) + 1;
                if (args.type === "aws:ssm/parameter:Parameter") parameters.set(args.inputs.name, args.inputs.value);
                const state =
                    args.type === RANDOM_PASSWORD
                        ? { ...args.inputs, result: pulumi.secret(randomBytes(args.inputs.length / 2).toString("hex")) }
                        : args.type === "pulumi:pulumi:StackReference"
                          ? { ...args.inputs, outputs: {}, secretOutputNames: [] }
                          : args.inputs;
                return { id: `${args.name}-id`, state };
            },
            call: (args) => (args.token === "aws:ssm/getParameter:getParameter" ? { ...args.inputs, value: parameters.get(args.inputs.name) } : args.inputs),
        },
        "rekey",
        "bench",
        false,
        "organization",
    );
    let init: () => Record<string, unknown> | Promise<Record<string, unknown>>;
    // By type, how many resources the program registered with an alias of their own: the
    // Rotation named "rekey" answers to 0.1's root-level URNs (components/scope.ts topLevel),
    // so each resource directly under it carries one. The SDK turns each alias into a URN
    // Output at construction (@pulumi/pulumi resource.js Resource constructor,
    // collapseAliasToUrn: about nine Outputs), whatever the engine does with it: the floor's
    // resources of that type carry the same alias, so that the floor pays it too.
    const aliased: Record<string, number> = {};
    if (kind === "floor") {
        const counts: Record<string, number> = JSON.parse(arg);
        const aliasedCounts: Record<string, number> = JSON.parse(process.argv[4] ?? "{}");
        for (const t of Object.keys(counts)) if (!FLOOR_FACTORIES[t]) throw new Error(`no floor factory for ${t}`);
        init = () => {
            for (const [t, count] of Object.entries(counts)) {
                for (let i = 0; i < count; i++) {
                    const name = `floor-${i}`;
                    FLOOR_FACTORIES[t](name, i < (aliasedCounts[t] ?? 0) ? { aliases: [{ name: `legacy-${name}`, parent: pulumi.rootStackResource }] } : undefined);
                }
            }
            return {};
        };
    } else {
        const n = Number(arg);
        const config = inventory(n, { keepPrevious: kind === "program-keepPrevious", stores: kind.startsWith("program-stores") });
        if (kind === "program-stores-noproof") {
            // The same program without store read-backs (what it registered before them): every
            // kind marked as not read back, so the schedule has no read-back step.
            const { STORE_KIND_PLANNERS } = require("../components/plan/storeKinds") as typeof import("../components/plan/storeKinds");
            for (const planner of Object.values(STORE_KIND_PLANNERS)) (planner as { notReadBack?: string }).notReadBack = "bench: without proof";
        }
        pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(config).map(([k, v]) => [k, JSON.stringify(v)])), []);
        init = async () => {
            // Counting only: the transformation changes nothing (it returns undefined).
            pulumi.runtime.registerStackTransformation((a) => {
                if (a.opts.aliases?.length) aliased[a.type] = (aliased[a.type] ?? 0) + 1;
                return undefined;
            });
            const { runRekey } = require("../components/rotation") as typeof import("../components/rotation");
            const d = await runRekey();
            return { rotation: d.rotation };
        };
    }
    const t0 = process.hrtime.bigint();
    const cpu0 = process.cpuUsage();
    await pulumi.runtime.runInPulumiStack(async () => init());
    await waitForRPCs();
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    // CPU time of the same window (user + system, all threads: the GC's too): on a shared
    // machine, less of it is other processes' than of the wall time.
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    // The stack resource itself is not the program's.
    delete types["pulumi:pulumi:Stack"];
    process.stdout.write(JSON.stringify({ seconds, cpuSeconds, peakRssMb, resources: resources - 1, types, aliased, ...(outputs ? { outputs: outputs() } : {}) }) + "\n");
}

if (require.main === module) {
    main().catch((e) => {
        console.error(e);
        process.exit(1);
    });
}
