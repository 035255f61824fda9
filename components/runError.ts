/**
 * Pulumi prints an error it knows as a RunError without a stack trace
 * (@pulumi/pulumi cmd/run/run.js uncaughtHandler; RunError.isInstance reads this brand).
 */
export function asRunError<E extends Error>(e: E): E {
    Object.defineProperty(e, "__pulumiRunError", { value: true });
    return e;
}
