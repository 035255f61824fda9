// Replays the command resources of a mock run as the command provider would: each through
// `/bin/sh -c` with its environment and stdin, in dependency order (explicit dependsOn,
// expanded through components, and inherited from ancestors); created or replaced
// resources run `create`, updated ones `update` (or `create` without one), unchanged ones
// nothing. A failed command fails the resources that depend on it, which then do not run;
// the engine forgets all of them, so the next `pulumi up` tries them again.
import { spawn } from "child_process";
import { CapturedResource, MockEngine, RunResult, waitsFor } from "./mockEngine";

const LOCAL = "command:local:Command";
const REMOTE = "command:remote:Command";

export interface Executed {
    key: string;
    phase: "create" | "update";
    code: number | null;
    stdout: string;
    stderr: string;
}

export interface ReplayResult {
    executed: Executed[];
    failed: string[];
    skipped: string[];
    /** Names (`restart:api`) of the commands that ran, in order. */
    ran: string[];
}

export interface ReplayOptions {
    /** Added to (and overriding) the environment the provider would inherit. */
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    /** Print each command's output as it finishes. */
    verbose?: boolean;
}

function run(cmd: string, stdin: string | undefined, env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
        const child = spawn("/bin/sh", ["-c", cmd], { env, cwd, stdio: ["pipe", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        child.on("error", reject);
        // "exit", not "close": a restart may leave a background process holding the pipes.
        child.on("exit", (code) => setTimeout(() => resolve({ code, stdout, stderr }), 20));
        child.stdin.on("error", () => undefined);
        child.stdin.end(stdin ?? "");
    });
}

export async function replay(engine: MockEngine, result: RunResult, options: ReplayOptions = {}): Promise<ReplayResult> {
    const all = result.resources;
    const isCommand = (key: string) => [LOCAL, REMOTE].includes(all.get(key)?.type ?? "");
    const waits = waitsFor(all);
    const depsOf = (key: string): Set<string> => new Set([...waits(key)].filter(isCommand));
    const commands = [...all.entries()].filter(([, r]) => r.type === LOCAL || r.type === REMOTE);
    const remote = commands.filter(([, r]) => r.type === REMOTE && r.change !== "same");
    if (remote.length) throw new Error(`replay runs local commands only; changed remote: ${remote.map(([k]) => k).join(", ")}`);

    const status = new Map<string, "ok" | "failed" | "skipped">();
    const out: ReplayResult = { executed: [], failed: [], skipped: [], ran: [] };
    const visit = async (key: string, r: CapturedResource, stack: string[] = []): Promise<void> => {
        if (status.has(key)) return;
        if (stack.includes(key)) throw new Error(`dependency cycle: ${[...stack, key].join(" -> ")}`);
        const deps = depsOf(key);
        for (const d of deps) await visit(d, all.get(d)!, [...stack, key]);
        if ([...deps].some((d) => status.get(d) !== "ok")) {
            status.set(key, "skipped");
            if (r.change !== "same") out.skipped.push(key);
            return;
        }
        if (r.change === "same") {
            status.set(key, "ok");
            return;
        }
        const phase = r.change === "updated" && r.inputs.update !== undefined ? "update" : "create";
        const cmd = r.change === "updated" ? (r.inputs.update ?? r.inputs.create) : r.inputs.create;
        const env = { ...process.env, ...(r.inputs.environment ?? {}), ...(options.env ?? {}) };
        const res = await run(cmd, r.inputs.stdin, env, r.inputs.dir ?? options.cwd ?? process.cwd());
        out.executed.push({ key, phase, ...res });
        out.ran.push(r.name);
        if (options.verbose) process.stderr.write(`[replay] ${r.name} ${phase} -> ${res.code}\n${res.stdout}${res.stderr}`);
        status.set(key, res.code === 0 ? "ok" : "failed");
        if (res.code !== 0) out.failed.push(key);
    };
    for (const [key, r] of commands) await visit(key, r);
    engine.revert([...out.failed, ...out.skipped]);
    return out;
}
