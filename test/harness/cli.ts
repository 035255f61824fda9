// Runs the rekey CLI in process (runCli) against stack files in throwaway git repositories.
import { execFileSync, spawnSync } from "child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { dirname, join } from "path";
import { runCli } from "../../cli/main";
import { ROOT } from "./stackFile";

export const FIXTURES = join(ROOT, "test", "cli", "fixtures");
export const TODAY = "2026-11-22";

export interface CliRun {
    code: number;
    stdout: string;
    stderr: string;
}

export function rekey(dir: string, ...args: string[]): CliRun {
    return rekeyOn(TODAY, dir, ...args);
}

/** The CLI as run on `today` (its clock's UTC date). */
export function rekeyOn(today: string, dir: string, ...args: string[]): CliRun {
    let stdout = "";
    let stderr = "";
    const code = runCli(args, { cwd: dir, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), today: () => today });
    return { code, stdout, stderr };
}

/**
 * The built CLI (bin/rekey.js → dist/, after npm run build) run by bash with a prefix of shell
 * commands (`ulimit -f 4 &&`: a limit on file sizes), as `uid` when given (the test runs as root).
 */
export function rekeyBuilt(dir: string, shellPrefix: string, args: string[], uid?: number): { code: number | null; stdout: string; stderr: string } {
    const r = spawnSync("bash", ["-c", `${shellPrefix} exec "$0" "$@"`, process.execPath, join(ROOT, "bin", "rekey.js"), ...args], {
        cwd: dir,
        encoding: "utf8",
        ...(uid === undefined ? {} : { uid, gid: uid }),
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function fixture(name: string): string {
    return readFileSync(join(FIXTURES, name), "utf8");
}

export function git(dir: string, ...args: string[]): string {
    return execFileSync("git", ["-C", dir, "-c", "user.name=rekey test", "-c", "user.email=test@rekey.invalid", ...args], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
    });
}

const made: string[] = [];

/** This repository's project file: stack files are read in a project (cli/project.ts), named rekey here. */
export const REKEY_PROJECT = "name: rekey\nruntime: nodejs\n";

/**
 * A new directory holding `files` (names may hold subdirectories); with `commit`, a git
 * repository on main with them committed. Stack files at its top get this repository's
 * Pulumi.yaml beside them unless `files` gives a project file.
 */
export function workdir(files: Record<string, string>, commit = true): string {
    const dir = mkdtempSync(join(tmpdir(), "rekey-cli-"));
    made.push(dir);
    const names = Object.keys(files);
    const project = names.some((n) => /^Pulumi\.(yaml|yml|json)$/.test(n.split("/").pop()!));
    const stackFiles = names.some((n) => /^Pulumi\..+\.yaml$/.test(n) && !n.includes("/"));
    if (stackFiles && !project) files = { "Pulumi.yaml": REKEY_PROJECT, ...files };
    for (const [name, text] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, name)), { recursive: true });
        writeFileSync(join(dir, name), text);
    }
    if (commit) {
        git(dir, "init", "-q", "-b", "main");
        git(dir, "add", ".");
        git(dir, "commit", "-q", "-m", "base");
    }
    return dir;
}

export function removeWorkdirs(): void {
    for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

export const read = (dir: string, name: string) => readFileSync(join(dir, name), "utf8");
export const write = (dir: string, name: string, text: string) => writeFileSync(join(dir, name), text);

/** The lines a change removes and adds (a line diff, as git shows it). */
export function lineChanges(before: string, after: string): { removed: string[]; added: string[] } {
    const a = before.split("\n");
    const b = after.split("\n");
    const removed: string[] = [];
    const added: string[] = [];
    // Longest common subsequence on lines: small files, exact answer.
    const n = a.length;
    const m = b.length;
    const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array(m + 1).fill(0));
    for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && a[i] === b[j]) {
            i++;
            j++;
        } else if (j < m && (i === n || lcs[i][j + 1] >= lcs[i + 1][j])) added.push(b[j++]);
        else removed.push(a[i++]);
    }
    return { removed, added };
}
