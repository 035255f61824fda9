import { Config } from "./configs";
import { MockEngine, RunOptions, RunResult } from "./mockEngine";

export interface ValuesRun {
    run: RunResult;
    values: Record<string, string>;
    previous: Record<string, string>;
    credentials: Record<string, string>;
    /** Each RotatedSecret's exposed Outputs and the stack's, to inspect their secretness. */
    exposed: Record<string, unknown>;
}

/** Runs the rekey program and reads every secret's value through its secret wrapper. */
export async function runWithValues(engine: MockEngine, config: Config, options?: RunOptions): Promise<ValuesRun> {
    const values: Record<string, string> = {};
    const previous: Record<string, string> = {};
    let credentials: Record<string, string> = {};
    const exposed: Record<string, unknown> = {};
    const run = await engine.run(config, async () => {
        const { runRekey } = require("../../components/rotation") as typeof import("../../components/rotation");
        const d = await runRekey();
        for (const [name, s] of d.secrets) {
            s.value.apply((v) => (values[name] = v));
            s.previous?.apply((v) => (previous[name] = v));
            exposed[name] = { value: s.value, previous: s.previous, password: s.password };
        }
        d.credentials.apply((c) => (credentials = c));
        exposed["stack:credentials"] = d.credentials;
        return { rotation: d.rotation, credentials: d.credentials };
    }, undefined, options);
    return { run, values, previous, credentials, exposed };
}

/** Every resource's recorded inputs, by `type::name`, as JSON (to compare runs). */
export function inputsByResource(run: RunResult): Record<string, string> {
    return Object.fromEntries([...run.resources].map(([k, r]) => [k, JSON.stringify(r.inputs)]));
}
