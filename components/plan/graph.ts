// Ordering of named nodes by their dependencies (derive inputs, consumer `after`).

/**
 * Orders `nodes` so that every node comes after its dependencies, keeping the input order
 * among independent nodes. Dependencies outside `nodes` are ignored (reported elsewhere).
 * Returns the order and every cycle found, each as a path "A -> B -> A".
 */
export function topologicalOrder(
    nodes: readonly string[],
    depsOf: (n: string) => readonly string[],
): { order: string[]; cycles: string[] } {
    const known = new Set(nodes);
    const state = new Map<string, "visiting" | "done">();
    const order: string[] = [];
    const cycles: string[] = [];
    const stack: string[] = [];
    const visit = (n: string) => {
        const s = state.get(n);
        if (s === "done") return;
        if (s === "visiting") {
            cycles.push([...stack.slice(stack.indexOf(n)), n].join(" -> "));
            return;
        }
        state.set(n, "visiting");
        stack.push(n);
        for (const d of depsOf(n)) if (known.has(d)) visit(d);
        stack.pop();
        state.set(n, "done");
        order.push(n);
    };
    for (const n of nodes) visit(n);
    return { order, cycles };
}
