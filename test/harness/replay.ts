// Replays the command resources of a mock run as the command provider would: each through
// `/bin/sh -c` with its environment and stdin, in dependency order (explicit dependsOn,
// expanded through components, and inherited from ancestors); created or replaced
// resources run `create`, updated ones `update` (or `create` without one), unchanged ones
// nothing. A failed command fails the resources that depend on it, which then do not run;
// the engine forgets all of them, so the next `pulumi up` tries them again.
//
// Remote commands run through OpenSSH's client with the exact connection the program
// registered: host, port, user, private key, and the pinned host key as the only known
// key and host key algorithm (pulumi-command remote/connection.go: ssh.FixedHostKey and
// HostKeyAlgorithms of that key's type). The server runs the command with the user's login
// shell, as it does for the provider's session.Run.
import { spawn } from "child_process";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
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

interface Connection {
    host: string;
    port?: number;
    user: string;
    privateKey: string;
    hostKey?: string;
}

/** The ssh argv for a connection: its key and known host in `dir`, nothing from ~/.ssh. */
function sshArgv(c: Connection, dir: string): string[] {
    const key = join(dir, "key");
    writeFileSync(key, c.privateKey.endsWith("\n") ? c.privateKey : `${c.privateKey}\n`, { mode: 0o600 });
    const port = c.port ?? 22;
    const known = join(dir, "known_hosts");
    const pinned = c.hostKey ? [`-o`, `HostKeyAlgorithms=${c.hostKey.split(" ")[0]}`] : [];
    writeFileSync(known, c.hostKey ? `${port === 22 ? c.host : `[${c.host}]:${port}`} ${c.hostKey}\n` : "");
    return [
        "-F", "/dev/null", "-i", key, "-p", String(port),
        "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", `UserKnownHostsFile=${known}`, "-o", "GlobalKnownHostsFile=/dev/null",
        // No pinned key: the provider accepts any server (ssh.InsecureIgnoreHostKey).
        "-o", `StrictHostKeyChecking=${c.hostKey ? "yes" : "no"}`, ...pinned, "-o", "LogLevel=ERROR",
        `${c.user}@${c.host}`,
    ];
}

function run(cmd: string, stdin: string | undefined, env: NodeJS.ProcessEnv, cwd: string, connection?: Connection): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const dir = connection ? mkdtempSync(join(tmpdir(), "rekey-ssh-")) : undefined;
    const [file, argv] = connection ? ["ssh", [...sshArgv(connection, dir!), cmd]] : ["/bin/sh", ["-c", cmd]];
    return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
        const child = spawn(file, argv, { env, cwd, stdio: ["pipe", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        child.on("error", reject);
        // "exit", not "close": a restart may leave a background process holding the pipes.
        child.on("exit", (code) => setTimeout(() => resolve({ code, stdout, stderr }), 20));
        child.stdin.on("error", () => undefined);
        child.stdin.end(stdin ?? "");
    }).finally(() => dir && rmSync(dir, { recursive: true, force: true }));
}

export async function replay(engine: MockEngine, result: RunResult, options: ReplayOptions = {}): Promise<ReplayResult> {
    const all = result.resources;
    const isCommand = (key: string) => [LOCAL, REMOTE].includes(all.get(key)?.type ?? "");
    const waits = waitsFor(all);
    const depsOf = (key: string): Set<string> => new Set([...waits(key)].filter(isCommand));
    const commands = [...all.entries()].filter(([, r]) => r.type === LOCAL || r.type === REMOTE);

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
        const res = await run(cmd, r.inputs.stdin, env, r.inputs.dir ?? options.cwd ?? process.cwd(), r.type === REMOTE ? r.inputs.connection : undefined);
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
