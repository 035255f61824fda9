import { proofFingerprint } from "../../components/fingerprint";
import { existsSync, readFileSync } from "fs";
import { join } from "path";
import { ROOT } from "./stackFile";

export const RESTART_SCRIPT = join(ROOT, "examples", "local", "restart.sh");

/** The proof key of the local service (examples/local/service.js): the .env key it proves its other values under. */
export const PROOF_KEY = "REKEY_PROOF_KEY";

/**
 * The `app` consumer of the real-rotation tests: the local service (examples/local) restarted
 * on `port`, its /health verified; with `proof`, its verify asks for proof under PROOF_KEY
 * (which the config must then have as a generated secret in the .env that app reads).
 */
export function localServiceConsumer(state: string, env: string, port: number, timeoutSeconds: number, o: { proof?: boolean } = {}) {
    return {
        restart: `sh ${RESTART_SCRIPT} ${state} ${env} ${port}`,
        verify: { url: `http://127.0.0.1:${port}/health`, timeoutSeconds, intervalSeconds: 1, ...(o.proof ? { proof: { key: PROOF_KEY } } : {}) },
    };
}

/** The fingerprint the local service reports (under "rekey") for the value of `name` it loaded, under its proof key. */
export function serviceFingerprint(proofKey: string, name: string, value: string): string {
    return proofFingerprint(proofKey, name, value);
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
