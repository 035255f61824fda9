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
