// Tests that need something from the machine (busybox, root, PostgreSQL, Redis). Where it
// is missing they fail with what to install, unless the user names it in REKEY_SKIP
// (comma-separated); the run then lists them as skipped. In CI, REKEY_SKIP is ignored: a
// missing requirement is a failure.
import { execFileSync } from "child_process";

export type Requirement = "busybox" | "root" | "postgres" | "mariadb" | "redis" | "ssh" | "go" | "python3";

export function skipAllowed(req: Requirement): boolean {
    if (process.env.CI) return false;
    return (process.env.REKEY_SKIP ?? "").split(",").map((s) => s.trim()).includes(req);
}

export function describeNeeding(req: Requirement, available: boolean, hint: string, title: string, fn: () => void): void {
    if (available) {
        describe(title, fn);
    } else if (skipAllowed(req)) {
        describe.skip(`${title} (needs ${req}; REKEY_SKIP=${req})`, fn);
    } else {
        describe(title, () => {
            test(`needs ${req}`, () => {
                throw new Error(`${req} is not available: ${hint}. To skip these tests on this machine, set REKEY_SKIP=${req}${process.env.CI ? " (not honoured in CI)" : ""}.`);
            });
        });
    }
}

export function commandExists(cmd: string): boolean {
    try {
        execFileSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" });
        return true;
    } catch {
        return false;
    }
}

export const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
