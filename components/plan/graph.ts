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

/** What a derive graph needs of a secret: its name and, when derived, its inputs. */
interface DeriveNode {
    name: string;
    source: { kind: string; inputs?: readonly string[] };
}

/**
 * The secrets `names` and every input of them, transitively (derive inputs). An explicit
 * stack, not recursion: a derive chain is as long as the stack file makes it.
 */
export function withInputs(byName: ReadonlyMap<string, DeriveNode>, names: Iterable<string>): Set<string> {
    const into = new Set<string>();
    const todo = [...names];
    while (todo.length) {
        const n = todo.pop()!;
        if (into.has(n)) continue;
        into.add(n);
        const s = byName.get(n);
        if (s?.source.kind === "derive") todo.push(...(s.source.inputs ?? []));
    }
    return into;
}

/**
 * Secrets derived from `secret`, directly or through other derived secrets. `secrets` lists
 * inputs before the secrets derived from them (a plan's order).
 */
export function derivedFrom(plan: { secrets: readonly DeriveNode[] }, secret: string): string[] {
    const found = new Set<string>([secret]);
    for (const s of plan.secrets) {
        if (s.source.kind === "derive" && (s.source.inputs ?? []).some((i) => found.has(i))) found.add(s.name);
    }
    found.delete(secret);
    return [...found];
}

/**
 * derivedFrom for every secret at once: each call walks only what derives from its secret
 * (the schedule asks for each secret's, several times: one pass over the plan per call was
 * quadratic in a 1,000-secret stack). An explicit stack, results in plan order.
 */
export function derivedIndex(plan: { secrets: readonly DeriveNode[] }): (secret: string) => string[] {
    const rank = new Map(plan.secrets.map((s, i) => [s.name, i]));
    const children = new Map<string, string[]>();
    for (const s of plan.secrets) {
        if (s.source.kind !== "derive") continue;
        for (const i of new Set(s.source.inputs ?? [])) children.set(i, [...(children.get(i) ?? []), s.name]);
    }
    const cache = new Map<string, string[]>();
    return (secret) => {
        let out = cache.get(secret);
        if (!out) {
            const found = new Set<string>();
            const todo = [...(children.get(secret) ?? [])];
            while (todo.length) {
                const n = todo.pop()!;
                if (found.has(n)) continue;
                found.add(n);
                todo.push(...(children.get(n) ?? []));
            }
            out = [...found].sort((a, b) => rank.get(a)! - rank.get(b)!);
            cache.set(secret, out);
        }
        return out;
    };
}
