// Where a Rotation puts its resources: every name after the Rotation's prefix, every
// resource under the Rotation (or under its secret), so that two Rotations in one stack
// never share a URN (a URN is the parent types and the name, never the parent's name).
import * as pulumi from "@pulumi/pulumi";

export interface Scope {
    /** Before every resource name: `<rotation name>-`. */
    prefix: string;
    /** The Rotation: the parent of every resource that has no secret as its parent. */
    parent: pulumi.Resource | undefined;
    /**
     * Also answer to the URNs the standalone program of rekey 0.1 gave its resources
     * (unprefixed, at the stack's root): set for the Rotation named "rekey", which the
     * standalone program now is, so upgrading it replaces nothing.
     */
    legacy: boolean;
    /** The user's providers, by package (`aws`, `azure-native`, `kubernetes`); rekey makes its own for the rest. */
    providers: Readonly<Record<string, pulumi.ProviderResource>>;
}

/**
 * The name and options of a resource directly under the Rotation, named `base` (in 0.1:
 * `legacyName` at the stack's root). Resources under a secret need no alias of their own
 * when their name starts with the secret's: the engine derives it from the parent's
 * (pkg/resource/deploy/step_generator.go inheritedChildAlias).
 */
export function topLevel(scope: Scope, base: string, legacyName = base): { name: string; opts: pulumi.CustomResourceOptions } {
    return {
        name: `${scope.prefix}${base}`,
        opts: {
            parent: scope.parent,
            ...(scope.legacy ? { aliases: [{ name: legacyName, parent: pulumi.rootStackResource }] } : {}),
        },
    };
}

/**
 * A name under a component that does not start with the component's: the Rotation's
 * `prefix` before it, and an alias to `base`, which the engine multiplies by the parent's
 * former URN (0.1's name under 0.1's parent).
 */
export function nested(prefix: string, base: string): { name: string; aliases: pulumi.Alias[] } {
    return { name: `${prefix}${base}`, aliases: prefix ? [{ name: base }] : [] };
}

/** The providers of `opts.providers` by package, whether given as a map or a list. */
export function providersByPackage(providers: pulumi.ComponentResourceOptions["providers"]): Record<string, pulumi.ProviderResource> {
    if (!providers) return {};
    if (!Array.isArray(providers)) return { ...providers };
    return Object.fromEntries(providers.map((p) => [(p as unknown as { getPackage(): string }).getPackage(), p]));
}
