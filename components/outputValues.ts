// Reading an Output's value in the program, with what the SDK knows of it: whether it is known
// (in a preview an output of a resource not yet created or updated is not) and whether it is
// secret. These are the SDK's Output internals (@pulumi/pulumi output.js `OutputImpl`:
// `promise(withUnknowns)`, `isKnown`, `isSecret`); `promise(true)` hands an unknown as
// `pulumi.unknown` at its place instead of hiding the whole value.
import * as pulumi from "@pulumi/pulumi";

export interface OutputReading<T> {
    /** The value, with unknowns in place (pulumi.unknown). */
    value: T;
    known: boolean;
    secret: boolean;
}

interface OutputInternals<T> {
    promise(withUnknowns?: boolean): Promise<T>;
    isKnown: Promise<boolean>;
    isSecret: Promise<boolean>;
}

/** An Output's value, whether it is known, and whether it is secret. */
export async function readOutput<T>(o: pulumi.Output<T>): Promise<OutputReading<T>> {
    const internal = o as unknown as OutputInternals<T>;
    const [value, known, secret] = await Promise.all([internal.promise(true), internal.isKnown, internal.isSecret]);
    return { value, known, secret };
}

/** An Output's value, or undefined while it is unknown (a preview). */
export async function knownValue<T>(o: pulumi.Output<T>): Promise<T | undefined> {
    const { value, known } = await readOutput(o);
    return known ? value : undefined;
}

/**
 * The SDK's Output constructor (@pulumi/pulumi output.js: `exports.Output = OutputImpl`,
 * `constructor(resources, promise, isKnown, isSecret, allResources)`), which `secret`,
 * `unsecret` and `all` themselves call.
 */
type OutputConstructor = new <T>(
    resources: Set<pulumi.Resource>,
    promise: Promise<T>,
    isKnown: Promise<boolean>,
    isSecret: Promise<boolean>,
    allResources: Promise<Set<pulumi.Resource>>,
) => pulumi.Output<T>;
const OutputImpl = pulumi.Output as unknown as OutputConstructor;

interface FullOutput<T> extends OutputInternals<T> {
    resources(): Set<pulumi.Resource>;
    allResources?: () => Promise<Set<pulumi.Resource>>;
}

function union(sets: Iterable<Set<pulumi.Resource>>): Set<pulumi.Resource> {
    const out = new Set<pulumi.Resource>();
    for (const s of sets) for (const r of s) out.add(r);
    return out;
}

/**
 * What `pulumi.all(outputs)` gives, as one Output: the SDK's `all` copies every Output twice
 * (output.js outputRec: a new OutputImpl, then an `apply` on it), so `all([a, b]).apply(f)`
 * makes five Outputs and `secret(o)` three, each a dozen promises and a Proxy; rekey makes
 * these per secret (issue 26: 40 Outputs per generated secret against the floor's 17).
 * Same resources (the union of the inputs'), known when every input is, secret when one is
 * (getResourcesAndDetails); the value holds unknowns in place, as `all`'s does. Outputs of
 * another SDK copy (no `allResources`) take the SDK's own path.
 */
function combined<T extends readonly unknown[]>(outputs: { [K in keyof T]: pulumi.Output<T[K]> }, secret?: boolean): { known: Promise<boolean>; values: Promise<T>; make<R>(value: Promise<R>): pulumi.Output<R> } | undefined {
    const os = outputs as unknown as FullOutput<unknown>[];
    if (!os.every((o) => typeof o.allResources === "function")) return undefined;
    const known = Promise.all(os.map((o) => o.isKnown)).then((ks) => ks.every((k) => k));
    const isSecret = secret !== undefined ? Promise.resolve(secret) : Promise.all(os.map((o) => o.isSecret)).then((ss) => ss.some((s) => s));
    const allResources = Promise.all(os.map((o) => o.allResources!())).then(union);
    const values = Promise.all(os.map((o) => o.promise(true))) as unknown as Promise<T>;
    const resources = union(os.map((o) => o.resources()));
    return { known, values, make: (value) => new OutputImpl(resources, value, known, isSecret, allResources) };
}

/**
 * `pulumi.all(outputs).apply(f)` as one Output (see `combined`); with `secret` set, also what
 * `pulumi.secret` (true) or `pulumi.unsecret` (false) of it gives. As `apply` does
 * (output.js applyHelperAsync), `f` does not run while an input is unknown: the Output is then
 * unknown. `f` returns a plain value (an Output it returned would not be lifted).
 */
export function applyAll<T extends readonly unknown[], R>(outputs: { [K in keyof T]: pulumi.Output<T[K]> }, f: (values: T) => R, secret?: boolean): pulumi.Output<R> {
    const c = combined<T>(outputs, secret);
    if (!c) {
        const applied = pulumi.all(outputs as unknown as pulumi.Output<unknown>[]).apply((vs) => f(vs as unknown as T));
        return (secret === undefined ? applied : secret ? pulumi.secret(applied) : pulumi.unsecret(applied)) as pulumi.Output<R>;
    }
    // Unknown: apply's value is undefined; pulumi.secret's copy of it (output.js outputRec, an
    // apply run with unknowns) turns that into pulumi.unknown; unsecret copies it as it is.
    const unknownValue = (secret === true ? pulumi.unknown : undefined) as unknown as R;
    return c.make(Promise.all([c.known, c.values]).then(([known, vs]) => (known ? f(vs) : unknownValue)));
}

/**
 * `pulumi.output(record)` of a record of Outputs, as one Output: its value keeps each unknown
 * in place, as `output` does. An unknown value that holds no pulumi.unknown (an `apply` over
 * an unknown value gives undefined: output.js applyHelperAsync) is pulumi.unknown there, as
 * `output` makes it (output.js outputRec: `apply(outputRec, runWithUnknowns)` collapses it);
 * left undefined, the record read without unknowns (`promise()`) would be a partial record
 * instead of none.
 */
export function outputOfRecord<T>(record: Record<string, pulumi.Output<T>>): pulumi.Output<Record<string, T>> {
    const keys = Object.keys(record);
    const outputs = keys.map((k) => record[k]);
    const c = combined<T[]>(outputs);
    if (!c) return pulumi.output(record) as pulumi.Output<Record<string, T>>;
    const knowns = Promise.all(outputs.map((o) => (o as unknown as FullOutput<T>).isKnown));
    return c.make(
        Promise.all([c.values, knowns]).then(([vs, ks]) =>
            Object.fromEntries(keys.map((k, i) => [k, ks[i] || pulumi.containsUnknowns(vs[i]) ? vs[i] : (pulumi.unknown as unknown as T)])) as Record<string, T>,
        ),
    );
}

/** An Input as an Output (a plain value: one known Output, as `pulumi.all` makes of it). */
export function asOutput<T>(v: pulumi.Input<T>): pulumi.Output<T> {
    return (pulumi.Output.isInstance(v) ? v : pulumi.output(v)) as pulumi.Output<T>;
}
