import { execFileSync, spawnSync } from "child_process";
import { connect } from "net";

export const REDIS_PORT = 6379;

export function redisAvailable(): boolean {
    const r = spawnSync("redis-cli", ["-p", String(REDIS_PORT), "ping"], { encoding: "utf8" });
    return r.status === 0 && r.stdout.trim() === "PONG";
}

/** Runs one admin command through redis-cli (test setup and cleanup only). */
export function redisAdmin(...args: string[]): string {
    return execFileSync("redis-cli", ["-p", String(REDIS_PORT), ...args], { encoding: "utf8" }).trim();
}

/** AUTH user password on a new connection: "+OK" or the error line. */
export function redisAuth(user: string, password: string): Promise<string> {
    return new Promise((resolve, reject) => {
        const arg = (s: string) => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
        const socket = connect({ host: "127.0.0.1", port: REDIS_PORT }, () => socket.write(`*3\r\n${arg("AUTH")}${arg(user)}${arg(password)}`));
        socket.on("data", (d) => {
            resolve(d.toString().trim());
            socket.destroy();
        });
        socket.on("error", reject);
    });
}
