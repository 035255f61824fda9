// A throwaway OpenSSH server for the tests' remote hosts: sshd (Debian openssh-server) on
// 127.0.0.1 and a free port, with its own host key, its own user (created for the test and
// removed after) and that user's own client key. The user's login shell records the
// argv of every command it is asked to run, before running it with /bin/sh.
import { ChildProcess, execFileSync, spawn } from "child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { connect } from "net";
import { join } from "path";
import { freePort, sleep } from "./net";

export const SSHD = "/usr/sbin/sshd";

export interface SshServer {
    port: number;
    user: string;
    home: string;
    /** The host's public key line (`ssh-ed25519 AAAA…`). */
    hostKey: string;
    /** A public key line of another host (for the wrong-key case). */
    otherHostKey: string;
    /** The user's private key (OpenSSH format). */
    clientKey: string;
    /** Every argv the login shell was started with, in order. */
    argv(): string[][];
    stop(): void;
}

function keygen(path: string): string {
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", path]);
    return readFileSync(`${path}.pub`, "utf8").trim().split(/\s+/).slice(0, 2).join(" ");
}

function listening(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const s = connect({ host: "127.0.0.1", port }, () => {
            s.destroy();
            resolve(true);
        });
        s.on("error", () => resolve(false));
    });
}

export async function startSshd(): Promise<SshServer> {
    const dir = mkdtempSync("/tmp/rekey-sshd-");
    chmodSync(dir, 0o755);
    const user = `rkt${Math.random().toString(36).slice(2, 8)}`;
    const home = join(dir, "home");
    const log = join(dir, "argv.log");
    const shell = join(dir, "shell");
    writeFileSync(log, "");
    chmodSync(log, 0o666);
    writeFileSync(shell, `#!/bin/sh\nprintf '%s\\0' "$@" >>'${log}'\nprintf '\\n' >>'${log}'\nexec /bin/sh "$@"\n`);
    chmodSync(shell, 0o755);
    // "*": no password login, and not a locked account ("!"), which sshd refuses even for keys without PAM.
    execFileSync("useradd", ["--create-home", "--home-dir", home, "--shell", shell, "--user-group", "--password", "*", user]);
    try {
        const hostKey = keygen(join(dir, "host"));
        const otherHostKey = keygen(join(dir, "other"));
        keygen(join(dir, "client"));
        const clientKey = readFileSync(join(dir, "client"), "utf8");
        const authorized = join(dir, "authorized_keys");
        writeFileSync(authorized, readFileSync(join(dir, "client.pub")));
        chmodSync(authorized, 0o644);
        const port = await freePort();
        const config = join(dir, "sshd_config");
        writeFileSync(
            config,
            [
                `Port ${port}`,
                "ListenAddress 127.0.0.1",
                `HostKey ${join(dir, "host")}`,
                `PidFile ${join(dir, "sshd.pid")}`,
                `AuthorizedKeysFile ${authorized}`,
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "UsePAM no",
                "StrictModes no",
                "PermitRootLogin no",
                `AllowUsers ${user}`,
                "LogLevel ERROR",
                "",
            ].join("\n"),
        );
        mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
        const sshd: ChildProcess = spawn(SSHD, ["-D", "-e", "-f", config], { stdio: ["ignore", "ignore", "pipe"] });
        let stderr = "";
        sshd.stderr!.on("data", (d) => (stderr += d));
        for (let i = 0; !(await listening(port)); i++) {
            if (i > 100 || sshd.exitCode !== null) throw new Error(`sshd did not start: ${stderr}`);
            await sleep(50);
        }
        return {
            port,
            user,
            home,
            hostKey,
            otherHostKey,
            clientKey,
            argv: () =>
                readFileSync(log, "utf8")
                    .split("\n")
                    .filter(Boolean)
                    .map((l) => l.split("\0").filter((a, i, all) => i < all.length - 1 || a !== "")),
            stop() {
                sshd.kill("SIGTERM");
                try {
                    execFileSync("pkill", ["-u", user]);
                } catch {
                    // no process left
                }
                try {
                    execFileSync("userdel", [user]);
                } catch {
                    // already gone
                }
                rmSync(dir, { recursive: true, force: true });
            },
        };
    } catch (e) {
        try {
            execFileSync("userdel", [user]);
        } catch {
            // not created
        }
        rmSync(dir, { recursive: true, force: true });
        throw e;
    }
}

/** Makes a directory in the test user's home, owned by the user. */
export function userDir(server: SshServer, name: string): string {
    const path = join(server.home, name);
    if (!existsSync(path)) mkdirSync(path, { recursive: true });
    const [uid, gid] = ["-u", "-g"].map((f) => Number(execFileSync("id", [f, server.user], { encoding: "utf8" })));
    chownSync(path, uid, gid);
    return path;
}
