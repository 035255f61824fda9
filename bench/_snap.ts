// One benchmark case, run in its own process so that peak memory is its own:
//   node -r ts-node/register/transpile-only bench/cases.ts <case> <n | type counts JSON>
// Prints one JSON line: { seconds, peakRssMb, resources, types }.
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
const FLOOR_FACTORIES: Record<string, (name: string) => void> = {
    "random:index/randomPassword:RandomPassword": (name) =>
        new random.RandomPassword(name, { length: 64, keepers: { epoch: "1" } }),
    "aws:ssm/parameter:Parameter": (name) =>
        new aws.ssm.Parameter(name, { name: `/floor/${name}`, type: "SecureString", value: "constant", description: "floor", tags: { a: "b" } }),
    "kubernetes:core/v1:Secret": (name) =>
        new k8s.core.v1.Secret(name, { metadata: { name, namespace: "floor", annotations: { a: "b" } }, type: "Opaque", data: { K: "dg==" } }),
    "command:local:Command": (name) => new command.local.Command(name, { create: "true", update: "true", stdin: "constant" }),
    "pulumi:providers:kubernetes": (name) => new k8s.Provider(name, { enableSecretMutable: true }),
    "pulumi:pulumi:StackReference": (name) => new pulumi.StackReference(name, { name: `organization/rekey/${name}` }),
};
for (const component of ["RotatedSecret", "SsmParameters", "KubernetesSecret", "DotenvFile", "ReadBack"]) {
    FLOOR_FACTORIES[`rekey:index:${component}`] = (name) => new pulumi.ComponentResource(`rekey:index:${component}`, name, {});
}
FLOOR_FACTORIES["pulumi-rekey:index:Rotation"] = (name) => new pulumi.ComponentResource("pulumi-rekey:index:Rotation", name, {});

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

async function main() {
    const [kind, arg] = process.argv.slice(2);
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
    if (kind === "floor") {
        const counts: Record<string, number> = JSON.parse(arg);
        for (const t of Object.keys(counts)) if (!FLOOR_FACTORIES[t]) throw new Error(`no floor factory for ${t}`);
        init = () => {
            for (const [t, count] of Object.entries(counts)) for (let i = 0; i < count; i++) FLOOR_FACTORIES[t](`floor-${i}`);
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
            const { runRekey } = require("../components/rotation") as typeof import("../components/rotation");
            const d = await runRekey();
            return { rotation: d.rotation };
        };
    }
    const t0 = process.hrtime.bigint();
    await pulumi.runtime.runInPulumiStack(async () => init());
    await waitForRPCs();
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const peakRssMb = process.resourceUsage().maxRSS / 1024; require("v8").writeHeapSnapshot(`/tmp/h26prof/${kind}.heapsnapshot`);
    // The stack resource itself is not the program's.
    delete types["pulumi:pulumi:Stack"];
    process.stdout.write(JSON.stringify({ seconds, peakRssMb, resources: resources - 1, types }) + "\n");
}

if (require.main === module) {
    main().catch((e) => {
        console.error(e);
        process.exit(1);
    });
}
