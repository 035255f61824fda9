// The order the program registers the schedule's steps in (issue 26, the wall time of a
// rotation). The engine starts a step's operation once its registration arrives and what it
// depends on finished (pkg/resource/deploy/source_eval.go RegisterResource, step_executor.go),
// so registering a step late can delay everything after it while the program is still
// building other resources. Each registration costs the program real time (the SDK's
// constructors, stack traces, serialisation), so the steps at the head of the longest
// chains are registered first: by the length of the longest chain of steps that wait on them,
// longest first, ties in the schedule's order. Every step still comes after each step it
// waits for: a step's chain is at least one step longer than any of its dependents'.
import { Schedule, Step, StepId } from "./schedule";

/** Notional length of a step's operation, for ordering only: a restart takes much longer than a write or a check. */
const WEIGHT: Record<Step["kind"], number> = { hook: 2, store: 1, readBack: 1, revoke: 1, restart: 5, verify: 2 };

/** The steps of `s`, longest chain (a step, then the steps waiting on it, weighted) first; each after what it waits for. */
export function registrationOrder(s: Schedule): Step[] {
    const dependents = new Map<StepId, StepId[]>(s.steps.map((st) => [st.id, []]));
    for (const st of s.steps) for (const w of st.waitsFor) dependents.get(w)?.push(st.id);
    const chain = new Map<StepId, number>();
    for (let i = s.steps.length - 1; i >= 0; i--) {
        const st = s.steps[i];
        chain.set(st.id, WEIGHT[st.kind] + Math.max(0, ...dependents.get(st.id)!.map((d) => chain.get(d)!)));
    }
    const index = new Map(s.steps.map((st, i) => [st.id, i]));
    return [...s.steps].sort((a, b) => chain.get(b.id)! - chain.get(a.id)! || index.get(a.id)! - index.get(b.id)!);
}
