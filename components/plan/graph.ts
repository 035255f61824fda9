// Ordering of named nodes by their dependencies (derive inputs, consumer `after`).

/**
 * Orders `nodes` so that every node comes after its dependencies, keeping the input order
 * among independent nodes. Dependencies outside `nodes` are ignored (reported elsewhere).
 * Returns the order and every cycle found, each as a path "A -> B -> A".
 *
 * A depth-first walk with an explicit stack, not recursion: a chain of `after` or derive
 * inputs is as long as the stack file makes it, and a few thousand nested calls overflow
 * the JavaScript stack (a RangeError instead of a plan). It visits in the order the
 * recursive walk did (test/plan/graph.test.ts holds the two equal over random graphs).
 */
export function topologicalOrder(
    nodes: readonly string[],
    depsOf: (n: string) => readonly string[],
): { order: string[]; cycles: string[] } {
    const known = new Set(nodes);
    const state = new Map<string, "visiting" | "done">();
    const order: string[] = [];
    const cycles: string[] = [];
    /** The nodes being visited, outermost first, each with its dependencies and the next one to visit. */
    const path: string[] = [];
    const frames: { deps: readonly string[]; next: number }[] = [];
    const enter = (n: string) => {
        state.set(n, "visiting");
        path.push(n);
        frames.push({ deps: depsOf(n), next: 0 });
    };
    for (const root of nodes) {
        if (state.has(root)) continue;
        enter(root);
        while (frames.length) {
            const top = frames[frames.length - 1];
            if (top.next < top.deps.length) {
                const d = top.deps[top.next++];
                if (!known.has(d)) continue;
                const s = state.get(d);
                if (s === undefined) enter(d);
                else if (s === "visiting") cycles.push([...path.slice(path.indexOf(d)), d].join(" -> "));
                continue;
            }
            frames.pop();
            const n = path.pop()!;
            state.set(n, "done");
            order.push(n);
        }
    }
    return { order, cycles };
}
