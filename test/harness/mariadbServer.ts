// A throwaway MariaDB server for the mysql hook's real tests: its own datadir, socket and
// free TCP port in a private temp dir (never the machine's 3306 server), password logins
// over TCP (mysql_native_password), the root account reachable only through its Unix socket
// (unix_socket authentication, used to set it up and to check, not by the code under test),
// and an `rekey_admin`@`%` account with a password that the hooks log in as.
import { execFileSync, spawn, spawnSync, ChildProcess } from "child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import { optionValue } from "../../components/hooks/mysql";
import { join } from "path";
import { freePort, sleep } from "./net";

export const MARIADBD = ["/usr/sbin/mariadbd", "/usr/sbin/mysqld"].find((p) => existsSync(p)) ?? null;
/** The client's absolute path (so a recorder first on PATH sees only the code under test). */
export const MARIADB_CLIENT = ["mariadb", "mysql"].map((c) => spawnSync("sh", ["-c", `command -v ${c}`], { encoding: "utf8" }).stdout.trim()).find((p) => p !== "") ?? null;
const INSTALL_DB = ["mariadb-install-db", "mysql_install_db"].find((c) => spawnSync("sh", ["-c", `command -v ${c}`]).status === 0) ?? null;

export const haveMariadb = MARIADBD !== null && MARIADB_CLIENT !== null && INSTALL_DB !== null;

const asRoot = typeof process.getuid === "function" && process.getuid() === 0;

export interface MariadbServer {
    port: number;
    socket: string;
    adminUser: string;
    adminPassword: string;
    /** Runs SQL as root over the Unix socket (setup and checks); tab-separated rows, no header. */
    sql(statement: string): string;
    stop(): Promise<void>;
}

/** A SQL string literal for the harness's own statements (the sql_mode it sets: NO_BACKSLASH_ESCAPES). */
export const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** serverArgs: more mariadbd options (e.g. `--version=8.0.36`, the VERSION() a MariaDB reports to clients). */
export async function startMariadb(o: { adminPassword?: string; serverArgs?: string[] } = {}): Promise<MariadbServer> {
    if (!haveMariadb) throw new Error("MariaDB server binaries (mariadbd, mariadb-install-db, mariadb) not found");
    const dir = mkdtempSync("/tmp/rekey-mariadb-");
    chmodSync(dir, 0o700);
    if (asRoot) {
        const id = (flag: string) => Number(execFileSync("id", [flag, "mysql"], { encoding: "utf8" }));
        chownSync(dir, id("-u"), id("-g"));
    }
    const data = join(dir, "data");
    const socket = join(dir, "sock");
    const port = await freePort();
    const user = asRoot ? ["--user=mysql"] : [];
    execFileSync(INSTALL_DB!, ["--no-defaults", ...user, `--datadir=${data}`, "--auth-root-authentication-method=socket", "--skip-test-db"], { stdio: ["ignore", "pipe", "pipe"] });
    const server: ChildProcess = spawn(
        MARIADBD!,
        ["--no-defaults", ...user, `--datadir=${data}`, `--socket=${socket}`, `--port=${port}`, "--bind-address=127.0.0.1", `--pid-file=${join(dir, "pid")}`, `--log-error=${join(dir, "error.log")}`, "--skip-log-bin", "--innodb-buffer-pool-size=16M", "--max-connections=500", ...(o.serverArgs ?? [])],
        { stdio: "ignore" },
    );
    const sql = (statement: string) =>
        execFileSync(MARIADB_CLIENT!, ["--no-defaults", `--socket=${socket}`, "-u", "root", "-N", "-B"], { input: `SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES');\n${statement}`, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] });
    const stop = async () => {
        if (server.exitCode === null) {
            const exited = new Promise((r) => server.once("exit", r));
            server.kill("SIGTERM");
            await Promise.race([exited, sleep(15000)]);
            if (server.exitCode === null) server.kill("SIGKILL");
        }
        rmSync(dir, { recursive: true, force: true });
    };
    for (let i = 0; ; i++) {
        try {
            sql("SELECT 1;");
            break;
        } catch (e) {
            if (i > 300 || server.exitCode !== null) {
                await stop();
                throw new Error(`mariadbd did not start: ${(e as Error).message}`);
            }
            await sleep(100);
        }
    }
    const adminUser = "rekey_admin";
    const adminPassword = o.adminPassword ?? `admin-${Math.random().toString(36).slice(2)}`;
    sql(`CREATE USER ${lit(adminUser)}@'%' IDENTIFIED BY ${lit(adminPassword)};\nGRANT ALL PRIVILEGES ON *.* TO ${lit(adminUser)}@'%' WITH GRANT OPTION;\n`);
    return { port, socket, adminUser, adminPassword, sql, stop };
}

/**
 * Logs in over TCP as `user` with `password`, given to the client in an option file written
 * by the hook's own rule (components/hooks/mysql.ts optionValue): "ok", or the server's refusal.
 */
export function mariadbLogin(port: number, user: string, password: string): string {
    const dir = mkdtempSync("/tmp/rekey-mariadb-login-");
    try {
        const file = join(dir, "my.cnf");
        writeFileSync(file, `[client]\nuser=${optionValue(user)}\npassword=${optionValue(password)}\n`, { mode: 0o600 });
        const r = spawnSync(MARIADB_CLIENT!, [`--defaults-file=${file}`, "--protocol=TCP", "-h", "127.0.0.1", "-P", String(port), "-N", "-B", "-e", "SELECT CURRENT_USER()"], { encoding: "utf8" });
        return r.status === 0 ? "ok" : r.stderr.trim();
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}
