import { createHmac } from "crypto";
import { existsSync, readFileSync } from "fs";
import { join } from "path";
import { ROOT } from "./stackFile";

export const RESTART_SCRIPT = join(ROOT, "examples", "local", "restart.sh");

/** The `app` consumer of the real-rotation tests: the local service (examples/local) restarted on `port`, its /health verified. */
export function localServiceConsumer(state: string, env: string, port: number, timeoutSeconds: number) {
    return { restart: `sh ${RESTART_SCRIPT} ${state} ${env} ${port}`, verify: { url: `http://127.0.0.1:${port}/health`, timeoutSeconds, intervalSeconds: 1 } };
}

/** The fingerprint the local service reports for a value it loaded. */
export function serviceFingerprint(value: string): string {
    return "hmac-sha256:" + createHmac("sha256", "rekey-local-service").update(value).digest("hex").slice(0, 32);
}

export function restartCount(state: string): number {
    const log = join(state, "restarts.log");
    return existsSync(log) ? readFileSync(log, "utf8").trim().split("\n").length : 0;
}

export function stopService(state: string): void {
    const pidFile = join(state, "pid");
    if (!existsSync(pidFile)) return;
    const pid = Number(readFileSync(pidFile, "utf8"));
    try {
        process.kill(pid, "SIGTERM");
    } catch {
        // already gone
    }
}

export async function waitForExit(state: string, timeoutMs = 10000): Promise<void> {
    const pid = Number(readFileSync(join(state, "pid"), "utf8"));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        try {
            process.kill(pid, 0);
        } catch {
            return;
        }
        if (Date.now() > deadline) throw new Error(`service ${pid} did not exit`);
        await new Promise((r) => setTimeout(r, 50));
    }
}
