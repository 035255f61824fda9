// How the CLI writes files: never half, never through a symlink that leads out of where it
// was asked to write, and never a Pulumi project or stack file it was not asked to edit.
//
// - One file (`writeOneFile`, `rekey import --out`): written to a temporary file beside it,
//   then moved into place (rename(2), or link(2) when it must not replace anything: link
//   fails when the name exists, so a file made meanwhile is not replaced either). A reader
//   sees the old file or the whole new one. Never a Pulumi file, a symlink, or over a file
//   unless asked.
// - The stack file `rekey bump` and `rollback` edit (`replaceFile`): the same move, over it.
// - A set of new files under one directory (`writeNewFiles`, `rekey init`): every path is
//   checked first (nothing in the way, no symlink out of the directory, writable), then each
//   directory and file is made with O_EXCL; on any failure what was made is removed again.
import { randomBytes } from "crypto";
import {
    accessSync,
    closeSync,
    constants,
    fchmodSync,
    fchownSync,
    fsyncSync,
    linkSync,
    lstatSync,
    mkdirSync,
    openSync,
    readdirSync,
    realpathSync,
    renameSync,
    rmdirSync,
    statSync,
    unlinkSync,
    writeSync,
} from "fs";
import type { Stats } from "fs";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "path";
import { CliError } from "./errors";

/**
 * Pulumi's own files: Pulumi.yaml, Pulumi.yml, Pulumi.json (the CLI tries Pulumi.json first:
 * sdk/go/common/encoding/marshal.go `Exts`, workspace/paths.go `findProjectInDir`, so a
 * Pulumi.json written beside Pulumi.yaml would become the project), every
 * Pulumi.<stack>.yaml/.yml/.json, and the PulumiPlugin/PulumiPolicy project files; any case,
 * since a case-insensitive file system (macOS, Windows) opens Pulumi.yaml for PULUMI.YAML.
 */
export const PULUMI_FILE = /^pulumi[^/\\]*\.(ya?ml|json)$/i;

const errno = (e: unknown) => (e as NodeJS.ErrnoException).code;

function lstatOrNull(path: string): Stats | null {
    try {
        return lstatSync(path);
    } catch (e) {
        if (errno(e) === "ENOENT") return null;
        throw e;
    }
}

/** Whether `path` is `root` or below it (both real paths). */
export function isWithin(root: string, path: string): boolean {
    const rel = relative(root, path);
    return rel === "" || (!rel.startsWith(".." + sep) && rel !== ".." && !isAbsolute(rel));
}

/** The kind of a thing that is not a regular file, for messages. */
function kindOf(st: Stats): string {
    return st.isDirectory() ? "a directory" : st.isSymbolicLink() ? "a symlink" : st.isFIFO() ? "a named pipe" : st.isSocket() ? "a socket" : st.isFile() ? "a file" : "a device";
}

function writeAll(fd: number, text: string): void {
    const bytes = Buffer.from(text, "utf8");
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
}

/**
 * Creates `path` (O_CREAT|O_EXCL: refused when anything, a dangling symlink included, has the
 * name) holding `text`; with `like`, the mode and, where the user may give it, the owner of
 * the file it will replace (a rename would otherwise give the file the umask and the writer).
 */
function createExclusive(path: string, text: string, like?: Stats): void {
    const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, like ? 0o600 : 0o666);
    try {
        if (like) {
            try {
                fchownSync(fd, like.uid, like.gid);
            } catch {
                // not permitted (another user's file): the file becomes the writer's, as an editor's save makes it
            }
            fchmodSync(fd, like.mode & 0o7777);
        }
        writeAll(fd, text);
        fsyncSync(fd);
    } finally {
        closeSync(fd);
    }
}

/**
 * Writes `text` to a temporary file beside `target` (in its directory `dir`) and moves it
 * there in one step, so a reader sees the old file or the whole new one: over the existing
 * file `was` by rename(2), else by `linkNew` (never over a file that appeared meanwhile).
 */
function moveIntoPlace(dir: string, target: string, text: string, was: Stats | null): void {
    const temp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
    try {
        createExclusive(temp, text, was ?? undefined);
        if (was) renameSync(temp, target);
        else linkNew(temp, target);
    } finally {
        rmQuietly(temp);
    }
}

/**
 * Replaces the stack file `rekey bump` and `rollback` edit, atomically: a failure (a full
 * disk, a size limit, an interrupt) leaves it as it was, where writing it in place left it
 * truncated. A symlinked stack file is replaced at its target, keeping the link; its mode
 * and owner are kept. A second hard link to it keeps the old text (rename makes a new inode).
 */
export function replaceFile(path: string, text: string): void {
    try {
        const real = realpathSync(path);
        moveIntoPlace(dirname(real), real, text, statSync(real));
    } catch (e) {
        throw new CliError(`could not write ${path} (${errno(e) ?? (e as Error).message}): it is left as it was`);
    }
}

/** The (device, inode) pairs of the Pulumi files in `dirs`: a hard link to one is that file. */
function pulumiFileIds(dirs: string[]): Map<string, string> {
    const ids = new Map<string, string>();
    for (const dir of dirs) {
        let names: string[];
        try {
            names = readdirSync(dir);
        } catch {
            continue; // not a readable directory: no Pulumi file of it can be reached by name here
        }
        for (const n of names.filter((x) => PULUMI_FILE.test(x))) {
            try {
                const st = statSync(join(dir, n));
                ids.set(`${st.dev}:${st.ino}`, join(dir, n));
            } catch {
                // a dangling entry is no file to protect
            }
        }
    }
    return ids;
}

export interface OneFileOptions {
    /** Replace an existing regular file (never a Pulumi file, a symlink, or a hard link to a Pulumi file). */
    replace: boolean;
    /** Directories whose Pulumi files are refused through hard links too, beside the target's own. */
    projectDirs: string[];
    /** How the path is named in messages (`--out import.json`). */
    label: string;
}

/**
 * Writes `text` to `path`, or refuses (CliError, exit 2) leaving the file as it was: a Pulumi
 * file by its name or its inode (a hard link), a symlink, anything not a regular file, and
 * without `replace` any existing file. The path's directories are resolved (symlinks, `..`)
 * before the name is checked.
 */
export function writeOneFile(path: string, text: string, o: OneFileOptions): void {
    const refuse = (why: string) => new CliError(`${o.label} ${why}`);
    let dir: string;
    try {
        dir = realpathSync(dirname(resolve(path)));
    } catch (e) {
        throw refuse(errno(e) === "ENOENT" ? "is in a directory that does not exist" : `cannot be reached: ${errno(e) ?? (e as Error).message}`);
    }
    const target = join(dir, basename(path));
    if (PULUMI_FILE.test(basename(target))) throw refuse("is named like a Pulumi project or stack file (Pulumi*.yaml, Pulumi*.yml, Pulumi*.json, any case), which rekey never writes");
    const st = lstatOrNull(target);
    if (st) {
        if (st.isSymbolicLink()) throw refuse(`is a symlink (to ${resolveLink(target)}): rekey writes no file through a symlink; name the file itself`);
        if (!st.isFile()) throw refuse(`is ${kindOf(st)}, not a regular file`);
        const same = pulumiFileIds([dir, ...o.projectDirs]).get(`${st.dev}:${st.ino}`);
        if (same) throw refuse(`is a hard link to ${same}, which rekey never writes`);
        if (!o.replace) throw refuse("exists: give --force to replace it");
    }
    try {
        moveIntoPlace(dir, target, text, st);
    } catch (e) {
        throw refuse(errno(e) === "EEXIST" ? "appeared while rekey wrote it, and is left as it is" : `could not be written: ${errno(e) ?? (e as Error).message}`);
    }
}

/**
 * Moves `temp` to the new name `target` without replacing anything: link(2) fails with EEXIST
 * when something took the name since the check. A file system without hard links (FAT, some
 * network mounts) gets rename(2) after one more check.
 */
function linkNew(temp: string, target: string): void {
    try {
        linkSync(temp, target);
    } catch (e) {
        if (!["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS"].includes(errno(e) ?? "") || lstatOrNull(target)) throw e;
        renameSync(temp, target);
    }
}

function resolveLink(path: string): string {
    try {
        return realpathSync(path);
    } catch {
        return "a missing path";
    }
}

function rmQuietly(path: string): void {
    try {
        unlinkSync(path);
    } catch {
        // already gone (renamed into place, or never made)
    }
}

/** What stops `writeNewFiles` from writing: each problem, named by its path relative to the root. */
function newFileProblems(root: string, realRoot: string, files: string[]): { existing: string[]; problems: string[]; makeDirs: string[] } {
    const existing: string[] = [];
    const problems: string[] = [];
    const makeDirs: string[] = [];
    const checked = new Map<string, "dir" | "missing" | "bad">();
    const inWay = (rel: string, what: string) => problems.push(`${rel} is ${what} where rekey makes a directory`);
    /** The state of the directory `rel` (relative to root), checked once: a directory inside the root, to be made, or a problem. */
    const dirState = (rel: string): "dir" | "missing" | "bad" => {
        if (rel === "") return "dir";
        const known = checked.get(rel);
        if (known) return known;
        const up = dirState(dirname(rel) === "." ? "" : dirname(rel));
        let state: "dir" | "missing" | "bad";
        if (up === "bad") state = up;
        else if (up === "missing") {
            state = "missing";
            makeDirs.push(rel);
        } else {
            const st = lstatOrNull(join(root, rel));
            if (!st) {
                state = "missing";
                makeDirs.push(rel);
                writable(dirname(rel) === "." ? "" : dirname(rel));
            } else if (st.isSymbolicLink()) {
                const real = (() => {
                    try {
                        return realpathSync(join(root, rel));
                    } catch {
                        return null;
                    }
                })();
                state = "bad";
                if (real === null) problems.push(`${rel} is a symlink to a missing path`);
                else if (!isWithin(realRoot, real)) problems.push(`${rel} is a symlink out of the directory (to ${real})`);
                else if (!statSync(real).isDirectory()) inWay(rel, "a symlink to a file");
                else state = "dir";
            } else if (!st.isDirectory()) {
                inWay(rel, kindOf(st));
                state = "bad";
            } else state = "dir";
        }
        checked.set(rel, state);
        return state;
    };
    const notWritable = new Set<string>();
    const writable = (rel: string) => {
        if (notWritable.has(rel)) return;
        try {
            accessSync(join(root, rel), constants.W_OK | constants.X_OK);
        } catch {
            notWritable.add(rel);
            problems.push(`${rel || "the directory"} is not writable`);
        }
    };
    for (const f of files) {
        const parent = dirname(f) === "." ? "" : dirname(f);
        const state = dirState(parent);
        if (state === "bad") continue;
        if (state === "dir") {
            if (lstatOrNull(join(root, f))) existing.push(f);
            else writable(parent);
        }
    }
    return { existing, problems, makeDirs };
}

/**
 * Makes `root` (when missing) and each of `files` (paths relative to it, `/`-separated) with
 * its text, all or nothing. Refused with every problem named, before anything is written: a
 * file that exists (in any form, a dangling symlink too), a file, pipe or symlink where a
 * directory must be, a symlink leading out of `root` or nowhere, a directory not writable.
 * A failure while writing (a full disk, a size limit) removes what was written and throws.
 * `label` names the root in messages, `who` the command (`rekey init`).
 */
export function writeNewFiles(root: string, files: [string, string][], label: string, who: string): void {
    const refuse = (problems: string[], existing = false) => new CliError(`${problems.join("; ")}: ${who} writes nothing${existing ? " over an existing file" : ""}`);
    let plan: { missingRoot: string[]; makeDirs: string[] };
    try {
        plan = checkNewFiles(root, files.map(([f]) => f), label, refuse);
    } catch (e) {
        if (e instanceof CliError) throw e;
        throw refuse([`cannot check ${(e as NodeJS.ErrnoException).path ?? label}: ${errno(e) ?? (e as Error).message}`]);
    }
    const made: string[] = [];
    let current = label;
    try {
        for (const d of plan.missingRoot) {
            mkdirSync(d);
            made.push(d);
        }
        const realRoot = realpathSync(root);
        for (const d of plan.makeDirs) {
            current = d;
            mkdirSync(join(root, d));
            made.push(join(root, d));
        }
        for (const [f, text] of files) {
            current = f;
            // The directories were checked; one swapped for a symlink out of the root since is refused here.
            if (!isWithin(realRoot, realpathSync(dirname(join(root, f))))) throw Object.assign(new Error(`${dirname(f)} leads out of ${label}`), { code: "ESYMLINK" });
            const fd = openSync(join(root, f), constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o666);
            made.push(join(root, f));
            try {
                writeAll(fd, text);
                fsyncSync(fd);
            } finally {
                closeSync(fd);
            }
        }
    } catch (e) {
        const left = undo(made);
        throw new CliError(
            `writing ${current} failed (${errno(e) ?? (e as Error).message}); ` +
                (left.length ? `could not remove ${left.join(", ")}` : `removed what it had written, ${label} is as it was`),
        );
    }
}

/** `path`, which exists (as itself or a symlink), leads to a directory; else refused naming it as `label`. */
function existingDirectory(path: string, label: string, refuse: (problems: string[]) => CliError): void {
    let real: Stats;
    try {
        real = statSync(path);
    } catch {
        throw refuse([`${label} is a symlink to a missing path`]);
    }
    if (!real.isDirectory()) throw refuse([`${label} is ${kindOf(real)}, not a directory`]);
}

/** The checks of `writeNewFiles`: the directories to make, or a refusal naming every problem. */
function checkNewFiles(root: string, files: string[], label: string, refuse: (problems: string[], existing?: boolean) => CliError): { missingRoot: string[]; makeDirs: string[] } {
    const st = lstatOrNull(root);
    if (st) {
        // The root: a directory, or a symlink to one (the user named it).
        existingDirectory(root, label, refuse);
        const { existing, problems, makeDirs } = newFileProblems(root, realpathSync(root), files);
        const all = [...(existing.length ? [`${label} already has ${existing.join(", ")}`] : []), ...problems];
        if (all.length) throw refuse(all, existing.length > 0);
        return { missingRoot: [], makeDirs };
    }
    // A missing root is made with its missing parents, below the nearest that exists.
    const missingRoot: string[] = [];
    for (let d = root; !lstatOrNull(d); d = dirname(d)) missingRoot.unshift(d);
    const top = dirname(missingRoot[0]);
    existingDirectory(top, top, refuse);
    try {
        accessSync(top, constants.W_OK | constants.X_OK);
    } catch {
        throw refuse([`${top} is not writable`]);
    }
    return { missingRoot, makeDirs: [...new Set(files.flatMap((f) => parentsOf(dirname(f))))] };
}

/** `a/b/c` → `a`, `a/b`, `a/b/c`; `.` → none. */
function parentsOf(d: string): string[] {
    const out: string[] = [];
    for (let p = d; p !== "." && p !== ""; p = dirname(p)) out.unshift(p);
    return out;
}

/** Removes what `writeNewFiles` made, newest first; returns what could not be removed. */
function undo(made: string[]): string[] {
    const left: string[] = [];
    for (const p of made.reverse()) {
        try {
            if (lstatSync(p).isDirectory()) rmdirSync(p);
            else unlinkSync(p);
        } catch (e) {
            if (errno(e) !== "ENOENT") left.push(p);
        }
    }
    return left;
}
