// A Rotation's args as programs hand them. A program in another language reaches the
// Rotation through the component provider: @pulumi/pulumi provider/server.js
// `deserializeInputs` hands a top-level input that is secret, or has dependencies, as one
// Output (runtime/rpc.js `deserializeProperty` pushes a nested secret up to the top level),
// an output value at any depth as an Output, and, in a preview, an unknown value as
// pulumi.unknown. These tests build the inputs exactly that way, from the wire form, and
// run the Rotation on them under mocks; then the plain args a program could get wrong.
import * as pulumi from "@pulumi/pulumi";
import { MockEngine, RunResult, ofType } from "../harness/mockEngine";
import type { RotationArgs } from "../../index";

const rpc = require("@pulumi/pulumi/runtime/rpc") as { specialSigKey: string; specialSecretSig: string; specialOutputValueSig: string; unknownValue: string };
const { deserializeInputs } = require("@pulumi/pulumi/provider/server") as {
    deserializeInputs(inputs: unknown, deps: Map<string, { getUrnsList(): string[] }>): Promise<Record<string, unknown>>;
};
const { Struct } = require("google-protobuf/google/protobuf/struct_pb") as { Struct: { fromJavaScript(v: unknown): unknown } };

/** A secret on the wire, as another language's SDK serializes a secret Output. */
const secretWire = (value: unknown) => ({ [rpc.specialSigKey]: rpc.specialSecretSig, value });
/** An output value on the wire (what a monitor that accepts output values gets); no value: unknown. */
const outputWire = (value?: unknown, dependencies: string[] = []) => ({
    [rpc.specialSigKey]: rpc.specialOutputValueSig,
    ...(value === undefined ? {} : { value }),
    dependencies,
});

/** The inputs a Construct request carries, as the component provider hands them to the Rotation. */
function handed(wire: Record<string, unknown>, dependencies: Record<string, string[]> = {}): Promise<RotationArgs> {
    const deps = new Map(Object.entries(dependencies).map(([k, urns]) => [k, { getUrnsList: () => urns }]));
    return deserializeInputs(Struct.fromJavaScript(wire), deps) as Promise<unknown> as Promise<RotationArgs>;
}

const OTHER = "urn:pulumi:test::rekey::my:index:Thing::elsewhere";

/** The inventory of the tests: a generated secret and a supplied one, both in one Kubernetes Secret. */
const secretsWire = (epoch: unknown = 2) => ({
    DB_PASSWORD: { epoch, generate: { encoding: "hex", bytes: 16 }, stores: [{ kubernetes: { secret: "app", namespace: "shop" } }] },
    API_KEY: { supplied: true, stores: [{ kubernetes: { secret: "app", namespace: "shop" } }] },
});

function program(args: () => Promise<RotationArgs> | RotationArgs, name = "py") {
    return async () => {
        const { Rotation } = require("../../index") as typeof import("../../index");
        const r = new Rotation(name, await args());
        await r.ready();
        return { rotation: r.rotation };
    };
}

/** What a run registered, without the stack: `type::name`, sorted. */
const registered = (run: RunResult) => [...run.resources.values()].filter((r) => r.type !== "pulumi:pulumi:Stack").map((r) => `${r.type}::${r.name}`).sort();

const plainArgs = (): RotationArgs => ({ secrets: secretsWire() as RotationArgs["secrets"], supplied: { API_KEY: pulumi.secret("key-from-python") } });

describe("args as the component provider hands them from another language", () => {
    test("supplied as one secret Output (a map holding a secret): resolved, the Rotation deploys as with plain args, its values stay secret", async () => {
        const args = () => handed({ secrets: secretsWire(), supplied: { API_KEY: secretWire("key-from-python") } });
        const given = await new MockEngine().run({}, async () => ({ supplied: pulumi.output((await args()).supplied) }));
        expect(pulumi.Output.isInstance((await args()).supplied)).toBe(true);
        expect(given.outputLeaves).toEqual([{ path: "supplied.API_KEY", value: "key-from-python", secret: true }]);
        const run = await new MockEngine().run({}, program(args));
        expect(registered(run)).toEqual(registered(await new MockEngine().run({}, program(plainArgs))));
        const [secret] = ofType(run, "kubernetes:core/v1:Secret");
        expect(Buffer.from(secret.inputs.data.API_KEY, "base64").toString()).toBe("key-from-python");
        expect(secret.leaves.filter((l) => l.path.startsWith("data.")).every((l) => l.secret)).toBe(true);
        expect(Object.keys(run.outputs.rotation).sort()).toEqual(["API_KEY", "DB_PASSWORD"]);
        expect(JSON.stringify(run.outputs)).not.toContain("key-from-python");
    });

    test("secrets as an Output (an input with dependencies) is resolved and planned", async () => {
        const args = () => handed({ secrets: secretsWire(3), supplied: { API_KEY: secretWire("k") } }, { secrets: [OTHER] });
        const inputs = await new MockEngine().run({}, async () => ({ secretsIsOutput: pulumi.Output.isInstance((await args()).secrets) }));
        expect(inputs.outputs.secretsIsOutput).toBe(true);
        const run = await new MockEngine().run({}, program(args));
        expect(run.outputs.rotation.DB_PASSWORD.epoch).toBe(3);
    });

    test("an epoch as an Output at its place (an output value inside secrets) is resolved and planned, never 'got a map'", async () => {
        const args = () => handed({ secrets: secretsWire(outputWire(3, [OTHER])), supplied: { API_KEY: secretWire("k") } }, { secrets: [OTHER] });
        const inputs = await new MockEngine().run({}, async () => {
            const secrets = (await args()).secrets as Record<string, { epoch: unknown }>;
            return { secretsIsOutput: pulumi.Output.isInstance(secrets), epochIsOutput: pulumi.Output.isInstance(secrets.DB_PASSWORD.epoch) };
        });
        expect(inputs.outputs).toEqual({ secretsIsOutput: false, epochIsOutput: true });
        const run = await new MockEngine().run({}, program(args));
        expect(run.outputs.rotation.DB_PASSWORD.epoch).toBe(3);
        // The same in TypeScript, with the epoch an Output of an Output.
        const epoch = pulumi.output(pulumi.output(4)) as unknown as number;
        const ts = await new MockEngine().run({}, program(() => ({ ...plainArgs(), secrets: secretsWire(epoch) as RotationArgs["secrets"] })));
        expect(ts.outputs.rotation.DB_PASSWORD.epoch).toBe(4);
    });

    test("a Python None in a dict (sent as null) is absent, as a key a TypeScript program leaves out", async () => {
        const wire = secretsWire();
        Object.assign(wire.DB_PASSWORD, { rotatedAt: null, keepPrevious: null, apply: null });
        const run = await new MockEngine().run({}, program(() => handed({ secrets: wire, consumers: null, supplied: { API_KEY: secretWire("key-from-python"), UNUSED: null } })));
        expect(registered(run)).toEqual(registered(await new MockEngine().run({}, program(plainArgs))));
    });

    test.each([
        ["in a plain map", {}],
        ["in a map handed as one Output (it has dependencies)", { secrets: [OTHER] }],
    ])("an epoch unknown in a preview, %s, is refused by name, as must be known; only the Rotation was registered and the program fails with the one message", async (_where, dependencies) => {
        const engine = new MockEngine();
        const args = () => handed({ secrets: secretsWire(rpc.unknownValue), supplied: { API_KEY: secretWire("k") } }, dependencies);
        await expect(engine.run({}, program(args), undefined, { preview: true })).rejects.toThrow(
            /^invalid rekey configuration, 1 problem:\n  - args\.secrets, field DB_PASSWORD\.epoch: must be known to plan the Rotation, and is unknown in this preview/,
        );
        expect(engine.registered()).toEqual(["pulumi-rekey:index:Rotation::py"]);
    });

    test("a whole arg unknown in a preview is refused by its name; a supplied value unknown in a preview is not (it is checked in the update)", async () => {
        const engine = new MockEngine();
        await expect(
            engine.run({}, program(() => handed({ secrets: secretsWire(), supplied: outputWire(undefined, [OTHER]) })), undefined, { preview: true }),
        ).rejects.toThrow(/  - args\.supplied: must be known to plan the Rotation, and is unknown in this preview/);
        const preview = await new MockEngine().run({}, program(() => handed({ secrets: secretsWire(), supplied: { API_KEY: outputWire(undefined, [OTHER]) } })), undefined, { preview: true });
        expect(registered(preview)).toEqual(registered(await new MockEngine().run({}, program(plainArgs))));
    });

    test("a secret value among the settings is refused (they go into command lines, plans and logs), as an encrypted rekey:* section is", async () => {
        const engine = new MockEngine();
        const wire = secretsWire();
        (wire.DB_PASSWORD.stores[0].kubernetes as Record<string, unknown>).secret = secretWire("app");
        await expect(engine.run({}, program(() => handed({ secrets: wire, supplied: { API_KEY: secretWire("k") } })))).rejects.toThrow(
            /^invalid rekey configuration, 1 problem:\n  - args\.secrets: holds a secret value: its settings go into command lines, plans and logs, which are not secret, so rekey would unwrap it\. Keep secret values in args\.supplied/,
        );
        expect(engine.registered()).toEqual(["pulumi-rekey:index:Rotation::py"]);
    });

    test("refusals of args given as Outputs are one RekeyConfigError naming each; nothing but the Rotation is registered", async () => {
        const engine = new MockEngine();
        const args = async (): Promise<RotationArgs> => ({
            // A promise (pulumi.output would copy the Map into an empty plain object).
            secrets: Promise.resolve({ A: { epoch: 0, generate: { encoding: "hex", bytes: 16 }, stores: [new Map()] } }) as never,
            supplied: pulumi.output(["not", "a", "map"]) as never,
        });
        await expect(engine.run({}, program(args))).rejects.toThrow(
            /^invalid rekey configuration, 2 problems:\n  - args\.secrets, field A\.stores\[0\]: got a Map[^\n]*\n  - args\.supplied: expected a map of names to secret strings, got a list$/,
        );
        expect(engine.registered()).toEqual(["pulumi-rekey:index:Rotation::py"]);
    });
});

describe("plain args a program can get wrong are refused naming the arg, before anything is registered", () => {
    class Inventory {
        readonly DB_PASSWORD = { epoch: 0, generate: { encoding: "hex", bytes: 16 } };
    }
    const cases: [string, () => unknown, RegExp][] = [
        ["a Map as secrets (it deployed an empty Rotation)", () => ({ secrets: new Map([["A", { epoch: 0, generate: { encoding: "hex", bytes: 16 } }]]) }), /  - args\.secrets: expected a map \(a plain object\) of secrets, got a Map/],
        ["a class instance as secrets", () => ({ secrets: new Inventory() }), /  - args\.secrets: expected a map \(a plain object\) of secrets, got an instance of Inventory/],
        ["a Date as defaults", () => ({ secrets: {}, defaults: new Date() }), /  - args\.defaults: expected a map \(a plain object\), got a Date/],
        ["a function as consumers", () => ({ secrets: {}, consumers: () => ({}) }), /  - args\.consumers: expected a map \(a plain object\) of consumers, got a function/],
        ["a list as secrets (named as the planner names a list in a stack file)", () => ({ secrets: [{ epoch: 0 }] }), /  - rekey:secrets: expected a map of secrets, got a list of 1 item/],
        ["a Map deep in a secret", () => ({ secrets: { A: { epoch: 0, generate: new Map([["encoding", "hex"]]) } } }), /  - args\.secrets, field A\.generate: got a Map: an arg holds strings, numbers, booleans, lists and plain objects only/],
        ["a list as supplied", () => ({ secrets: {}, supplied: ["x"] }), /  - args\.supplied: expected a map of names to secret strings, got a list/],
        ["a Map as supplied", () => ({ secrets: {}, supplied: new Map([["A", "x"]]) }), /  - args\.supplied: expected a map of names to secret strings, got a Map/],
        ["a number among supplied values (never shown)", () => ({ secrets: {}, supplied: { A: 123456 } }), /  - args\.supplied, field A: expected a string \(or an Output of one\), got a number/],
        ["a string as hostKeys (never shown)", () => ({ secrets: {}, hostKeys: "-----BEGIN OPENSSH PRIVATE KEY-----" }), /  - args\.hostKeys: expected a map of names to secret strings, got a string/],
        ["a number as stackOutput", () => ({ secrets: {}, stackOutput: 7 }), /  - args\.stackOutput: expected a string, got a number/],
        ["an unknown arg", () => ({ secrets: {}, stack_output: "x" }), /  - args\.stack_output: unknown arg \(known: secrets, consumers, hosts, defaults, supplied, hostKeys, stackOutput\)/],
        ["a map that holds itself", () => {
            const generate: Record<string, unknown> = { encoding: "hex" };
            generate.self = generate;
            return { secrets: { A: { epoch: 0, generate } } };
        }, /  - args\.secrets, field A\.generate\.self: holds itself \(a cycle\)/],
        ["a secret named __proto__ (read as an own key, not as the copy's prototype)", () => JSON.parse('{"secrets": {"__proto__": {"epoch": 0, "generate": {"encoding": "hex", "bytes": 16}}}, "supplied": {"__proto__": "x"}}'), /  - secret __proto__: "__proto__" is reserved/],
        // A key pasted where an arg's or a field's name belongs is described (shown.ts bareName), never shown.
        ["a pasted password as an arg's name", () => ({ secrets: {}, "p@ss w0rd! 4eC39HqLyjWDarjtT1zdp7dc": "x" }), /  - args\.\(a string of 35 characters, not shown\): unknown arg/],
        ["a pasted password as a key deep in a secret", () => ({ secrets: { A: { epoch: 0, generate: { "sk_live 4eC39HqLyjWDarjtT1zdp7dc": new Map() } } } }), /  - args\.secrets, field A\.generate\.\(a string of 32 characters, not shown\): got a Map/],
        ["no args at all", () => undefined, /  - args: expected the Rotation's args \(a plain object\), got undefined/],
    ];
    test.each(cases)("%s", async (_what, args, message) => {
        const engine = new MockEngine();
        let thrown: unknown;
        await expect(
            engine.run({}, async () => {
                const { Rotation } = require("../../index") as typeof import("../../index");
                try {
                    new Rotation("mine", args() as RotationArgs);
                } catch (e) {
                    thrown = e;
                }
                return {};
            }),
        ).resolves.toBeDefined();
        // Thrown by the constructor (the synchronous path): nothing registered, not even the Rotation.
        expect((thrown as Error)?.name).toBe("RekeyConfigError");
        expect((thrown as Error).message).toMatch(message);
        expect((thrown as Error).message).not.toMatch(/123456|BEGIN OPENSSH|4eC39HqLyjWDarjtT1zdp7dc/);
        expect(engine.registered()).toEqual([]);
    });
});
