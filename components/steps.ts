// When a rekey component's work is done. A component's own URN resolves as soon as it is
// registered; a custom resource's `id` resolves only when the engine answers its
// RegisterResource, and the engine answers once the step (create, update, same) finished:
// pulumi/pulumi pkg/resource/deploy/source_eval.go, (*resmon).RegisterResource "block
// waiting for the operation to finish" on step.done; a failed step answers with an error.
import * as pulumi from "@pulumi/pulumi";

/** A component whose work is done by these custom resources (commands, store resources). */
export interface HasSteps {
    readonly steps: readonly pulumi.CustomResource[];
}

function hasSteps(r: pulumi.Resource): r is pulumi.Resource & HasSteps {
    return Array.isArray((r as Partial<HasSteps>).steps);
}

/** The custom resources behind these resources (a component's steps, a custom resource itself). */
export function stepsOf(resources: Iterable<pulumi.Resource>): pulumi.CustomResource[] {
    const out = new Set<pulumi.CustomResource>();
    for (const r of resources) {
        if (hasSteps(r)) for (const s of r.steps) out.add(s);
        else if (pulumi.CustomResource.isInstance(r)) out.add(r);
    }
    return [...out];
}

/**
 * Resolves to true once every step behind these resources has completed; never before. With
 * no step, plain true: no Outputs for a secret with nothing to wait for (issue 26).
 */
export function completion(resources: Iterable<pulumi.Resource>): pulumi.Input<true> {
    const ids = stepsOf(resources).map((s) => s.id);
    return ids.length ? pulumi.all(ids).apply(() => true as const) : true;
}
