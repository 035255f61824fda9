// A throwaway PostgreSQL cluster for password tests: the machine's own server trusts every
// login, so it cannot tell a right password from a wrong one. This one has scram-sha-256
// for every TCP login, trust only on its private Unix socket (used to set it up).
import { execFileSync, spawnSync } from "child_process";
import { chmodSync, chownSync, mkdtempSync, rmSync } from "fs";
import { join } from "path";
import { freePort } from "./net";

export interface PostgresCluster {
    port: number;
    adminPassword: string;
    /** Runs SQL over the Unix socket as the superuser (setup and checks, not the code under test). */
    sql(statement: string, database?: string): string;
    stop(): void;
}

function binDir(): string | null {
    for (const probe of [["pg_config", ["--bindir"]], ["sh", ["-c", "dirname $(ls -d /usr/lib/postgresql/*/bin/initdb | tail -1)"]]] as const) {
        const r = spawnSync(probe[0], [...probe[1]], { encoding: "utf8" });
        const dir = r.status === 0 ? r.stdout.trim() : "";
        if (dir && spawnSync("test", ["-x", join(dir, "initdb")]).status === 0) return dir;
    }
    return null;
}

export const POSTGRES_BIN = binDir();

const asRoot = typeof process.getuid === "function" && process.getuid() === 0;

function runAsOwner(cmd: string, args: string[], input?: string): string {
    const [file, argv] = asRoot ? ["runuser", ["-u", "postgres", "--", cmd, ...args]] : [cmd, args];
    return execFileSync(file, argv, { encoding: "utf8", input, stdio: ["pipe", "pipe", "pipe"] });
}

export async function startPostgres(): Promise<PostgresCluster> {
    if (!POSTGRES_BIN) throw new Error("PostgreSQL server binaries (initdb, pg_ctl) not found");
    const dir = mkdtempSync("/tmp/rekey-pg-");
    chmodSync(dir, 0o700);
    if (asRoot) chownSync(dir, Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" })), Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" })));
    const data = join(dir, "data");
    const port = await freePort();
    runAsOwner(join(POSTGRES_BIN, "initdb"), ["-D", data, "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-instructions"]);
    runAsOwner(join(POSTGRES_BIN, "pg_ctl"), ["-D", data, "-l", join(dir, "log"), "-w", "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, "start"]);
    const sql = (statement: string, database = "postgres") =>
        runAsOwner("psql", ["-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-h", dir, "-p", String(port), "-U", "postgres", "-d", database, "-f", "-"], statement);
    const adminPassword = `admin-${Math.random().toString(36).slice(2)}`;
    sql(`ALTER ROLE postgres PASSWORD '${adminPassword}';`);
    return {
        port,
        adminPassword,
        sql,
        stop() {
            try {
                runAsOwner(join(POSTGRES_BIN!, "pg_ctl"), ["-D", data, "-m", "immediate", "stop"]);
            } finally {
                rmSync(dir, { recursive: true, force: true });
            }
        },
    };
}

/** Logs in over TCP with a password: "ok", or the server's refusal. */
export async function pgLogin(port: number, user: string, password: string): Promise<string> {
    const { Client } = require("pg") as typeof import("pg");
    const c = new Client({ host: "127.0.0.1", port, database: "postgres", user, password });
    try {
        await c.connect();
        await c.end();
        return "ok";
    } catch (e) {
        return (e as Error).message;
    }
}
