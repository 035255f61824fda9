// What rekey plan lists as running against what a replayed pulumi up runs (and its order): the
// steps of the mock engine's resources, mapped to schedule ids. Used by test/forReal/planVsUp.test.ts
// and test/forReal/scheduleReplay.test.ts.
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { diffPlans } from "../../components/plan/diff";
import { planRotation } from "../../components/plan/plan";
import { schedule } from "../../components/plan/schedule";
import { Config } from "./configs";
import { CapturedResource, MockEngine, RunResult, waitsFor } from "./mockEngine";
import { rawConfig } from "./rawConfig";
import { replay } from "./replay";
import { runWithValues } from "./values";

/** psql and redis-cli stubs on PATH: psql takes the statements on stdin; redis-cli answers OK (and, after CLIENT KILL, the number of clients killed). */
export function stubEnv() {
    const dir = mkdtempSync(join(tmpdir(), "rekey-planvsup-"));
    const bin = join(dir, "bin");
    mkdirSync(bin);
    writeFileSync(join(bin, "psql"), "#!/bin/sh\ncat >/dev/null\n");
    writeFileSync(join(bin, "redis-cli"), '#!/bin/sh\nin=$(cat)\ncase $in in *"CLIENT KILL"*) printf \'OK\\n0\\n\' ;; *) echo OK ;; esac\n');
    for (const f of ["psql", "redis-cli"]) chmodSync(join(bin, f), 0o755);
    return { dir, env: { PATH: `${bin}:${process.env.PATH}` } as NodeJS.ProcessEnv };
}
const STORE_TYPES = ["SsmParameters", "KubernetesSecret", "DotenvFile", "SecretFiles", "KeyVaultSecrets"].map((t) => `rekey:index:${t}`);
function stepOf(r: CapturedResource, revokes: Map<string, string>): string | undefined {
    const name = r.name.replace(/^rekey-/, "");
    const type = r.type.replace(/^rekey:index:/, "");
    if (STORE_TYPES.includes(r.type)) return `store:${name}`;
    if (type === "Restart") return `restart:${name}`;
    // A read-back step is its one command (components/stores/readBack.ts).
    if (/^command:(local|remote):Command$/.test(r.type) && name.startsWith("readback:")) return `readBack:${name.slice("readback:".length)}`;
    if (type === "Verify") return `verify:${name}`;
    const hook = /^(.*)-(postgres|redis|command)$/.exec(name);
    if (hook && ["PostgresPassword", "RedisAclPassword", "CommandHook"].includes(type)) return `hook:${hook[1]}`;
    if (type === "RedisAclFinalize") return `finalize:${name.replace(/-redis-finalize$/, "")}`;
    if (type === "RedisAclRevoke") return `revoke:${name.replace(/-redis-revoke$/, "")}`;
    if (type === "PostgresRevoke") return revokes.get(name.replace(/-postgres-revoke$/, ""));
    return undefined;
}
/** Each custom resource's schedule step (through its parents), for the resources that belong to one. */
export function stepsByResource(run: RunResult, revokes: Map<string, string>): Map<string, string> {
    const out = new Map<string, string>();
    for (const [key, r] of run.resources) {
        if (!r.custom) continue;
        for (let k: string | undefined = key; k; k = run.resources.get(k)?.parent) {
            const step = stepOf(run.resources.get(k)!, revokes);
            if (step) { out.set(key, step); break; }
        }
    }
    return out;
}
export interface Outcome { run?: RunResult; depends?: (a: string, b: string) => boolean; planned: string[]; ran: string[]; onlyPlan: string[]; onlyRan: string[]; restartsPlan: string[]; restartsRan: string[]; orderViolations: string[]; failed: unknown[]; executedSteps: string[]; warnings: string[]; order: unknown }
export async function compare(base: Config, head: Config, ctx: { dir: string; env: NodeJS.ProcessEnv }, engine = new MockEngine(), suppliedChangedOverride?: Set<string>): Promise<Outcome> {
    await runWithValues(engine, base);
    const { run } = await runWithValues(engine, head);
    const replayed = await replay(engine, run, { env: ctx.env, cwd: ctx.dir });
    const headPlan = planRotation(rawConfig(head));
    const suppliedChanged = suppliedChangedOverride ?? new Set(Object.keys(head["rekey:supplied"] ?? {}).filter((n) => head["rekey:supplied"][n] !== base["rekey:supplied"]?.[n] && base["rekey:supplied"]?.[n] !== undefined));
    const d = diffPlans(planRotation(rawConfig(base)), headPlan, suppliedChanged);
    const revokes = new Map(schedule(headPlan).revokes.map((r) => [r.secret, r.id]));
    const stepOfKey = stepsByResource(run, revokes);
    // An update whose script is a no-op (a restart's or verify's, consumers/triggeredCommand.ts) runs nothing of the user's.
    const executed = new Set(replayed.executed.filter((e) => !(e.phase === "update" && run.resources.get(e.key)!.inputs.update === "true")).map((e) => e.key));
    const changed = (key: string) => (run.resources.get(key)!.type.startsWith("command:") ? executed.has(key) : run.resources.get(key)!.change !== "same");
    const ran = [...new Set([...stepOfKey].filter(([key]) => changed(key)).map(([, step]) => step))].sort();
    const planned = d.order.map((o) => o.step).sort();
    const restartsRan = replayed.executed.map((e) => stepOfKey.get(e.key)).filter((s): s is string => !!s?.startsWith("restart:"));
    const direct = waitsFor(run.resources);
    const waits = (key: string): Set<string> => {
        const out = new Set<string>(); const todo = [...direct(key)];
        while (todo.length) { const k = todo.pop()!; if (out.has(k)) continue; out.add(k); todo.push(...direct(k)); }
        return out;
    };
    const keysOf = (step: string) => [...stepOfKey].filter(([key, s]) => s === step && changed(key)).map(([key]) => key);
    const position = new Map(replayed.executed.map((e, i) => [e.key, i]));
    const orderViolations: string[] = [];
    for (const o of d.order) for (const key of keysOf(o.step)) {
        const before = waits(key);
        for (const w of o.after) for (const k of keysOf(w)) {
            if (!before.has(k)) orderViolations.push(`${o.step} (${key}) does not depend on ${w} (${k})`);
            if (position.has(key) && position.has(k) && position.get(k)! > position.get(key)!) orderViolations.push(`${o.step} ran before ${w}`);
        }
    }
    return {
        planned, ran,
        onlyPlan: planned.filter((s) => !ran.includes(s)), onlyRan: ran.filter((s) => !planned.includes(s)),
        restartsPlan: d.consumers.map((c) => `restart:${c.name}`), restartsRan, orderViolations, failed: replayed.failed,
        run, depends: (a: string, b: string) => keysOf(a).length > 0 && keysOf(a).every((ka) => [...stepOfKey].filter(([, s]) => s === b).some(([kb]) => waits(ka).has(kb))),
        executedSteps: replayed.executed.map((e) => `${stepOfKey.get(e.key) ?? "?"}:${e.key}`), warnings: d.warnings, order: d.order,
    };
}
