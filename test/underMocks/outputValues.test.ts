// applyAll and outputOfRecord (components/outputValues.ts) build one Output where the SDK's
// pulumi.all / secret / unsecret / output build several: each must give what the SDK's own
// composition gives (value with unknowns in place, known, secret, resources, allResources),
// for every mix of known, unknown, secret and plain inputs, and the same failure.
import * as pulumi from "@pulumi/pulumi";
import { applyAll, outputOfRecord, readOutput } from "../../components/outputValues";

type Internals = { resources(): Set<unknown>; allResources(): Promise<Set<unknown>> };
const OutputImpl = pulumi.Output as unknown as new (r: Set<unknown>, p: Promise<unknown>, k: Promise<boolean>, s: Promise<boolean>, a: Promise<Set<unknown>>) => pulumi.Output<string>;

/** An Output as a resource's output is: its value, known or not, secret or not, with its resource and a transitive one. */
function out(value: string, opts: { known?: boolean; secret?: boolean; res?: string; dep?: string } = {}): pulumi.Output<string> {
    const known = opts.known ?? true;
    const res = opts.res ? new Set<unknown>([{ name: opts.res }]) : new Set<unknown>();
    const all = new Set<unknown>([...res, ...(opts.dep ? [{ name: opts.dep }] : [])]);
    return new OutputImpl(res, Promise.resolve(known ? value : pulumi.unknown), Promise.resolve(known), Promise.resolve(opts.secret ?? false), Promise.resolve(all));
}

async function describeOutput(o: pulumi.Output<unknown>) {
    const i = o as unknown as Internals;
    const names = (s: Set<unknown>) => [...s].map((r) => (r as { name: string }).name).sort();
    return { ...(await readOutput(o)), resources: names(i.resources()), allResources: names(await i.allResources()) };
}

const cases: [string, () => pulumi.Output<string>[]][] = [
    ["known plain", () => [out("a", { res: "r1" }), out("b", { res: "r2", dep: "d" })]],
    ["one secret", () => [out("a", { secret: true, res: "r1" }), out("b")]],
    ["one unknown", () => [out("a", { res: "r1" }), out("b", { known: false, res: "r2" })]],
    ["unknown and secret", () => [out("a", { known: false, secret: true }), out("b", { secret: true, dep: "d" })]],
    ["SDK-made", () => [pulumi.output("a"), pulumi.secret("b"), pulumi.output(pulumi.unknown) as pulumi.Output<string>]],
    // What rekey's records are in a preview: an apply over an unknown value, whose value is
    // undefined, not pulumi.unknown (output.js applyHelperAsync).
    ["apply-made unknown", () => [out("a", { res: "r1" }), out("b", { known: false, res: "r2" }).apply((v) => `${v}!`)]],
    ["none", () => []],
];

describe("applyAll gives what pulumi.all(...).apply(f) gives, and with secret what secret/unsecret of it gives", () => {
    const f = (vs: readonly string[]) => vs.join("+");
    test.each(cases)("%s", async (_, make) => {
        expect(await describeOutput(applyAll(make(), f))).toEqual(await describeOutput(pulumi.all(make()).apply(f)));
        expect(await describeOutput(applyAll(make(), f, true))).toEqual(await describeOutput(pulumi.secret(pulumi.all(make()).apply(f))));
        expect(await describeOutput(applyAll(make(), f, false))).toEqual(await describeOutput(pulumi.unsecret(pulumi.all(make()).apply(f))));
    });

    test("f does not run while an input is unknown", async () => {
        const f = jest.fn((vs: readonly string[]) => vs.join());
        await readOutput(applyAll([out("a"), out("b", { known: false })], f));
        expect(f).not.toHaveBeenCalled();
    });

    test("a failing input or f fails it as it fails the SDK's", async () => {
        const failing = () => new OutputImpl(new Set(), Promise.reject(new Error("boom")), Promise.resolve(true), Promise.resolve(false), Promise.resolve(new Set()));
        await expect(readOutput(applyAll([out("a"), failing()], f))).rejects.toThrow("boom");
        await expect(readOutput(pulumi.all([out("a"), failing()]).apply(f))).rejects.toThrow("boom");
        const thrower = () => {
            throw new Error("f failed");
        };
        await expect(readOutput(applyAll([out("a")], thrower))).rejects.toThrow("f failed");
    });
});

describe("outputOfRecord gives what pulumi.output(record) gives", () => {
    test.each(cases)("%s", async (_, make) => {
        const record = () => Object.fromEntries(make().map((o, i) => [`K${i}`, o]));
        expect(await describeOutput(outputOfRecord(record()))).toEqual(await describeOutput(pulumi.output(record())));
    });

    test("a value's unknown stays in place, the others known", async () => {
        const { value, known } = await readOutput(outputOfRecord({ A: out("a"), B: out("b", { known: false }) }));
        expect(known).toBe(false);
        expect(value).toEqual({ A: "a", B: pulumi.unknown });
    });

    test("an apply's unknown is pulumi.unknown in place, so the value read without unknowns is none (not a partial record)", async () => {
        const o = outputOfRecord({ A: out("a"), B: out("b", { known: false }).apply((v) => v) });
        expect((await readOutput(o)).value).toEqual({ A: "a", B: pulumi.unknown });
        expect(await (o as unknown as { promise(): Promise<unknown> }).promise()).toBeUndefined();
    });
});
