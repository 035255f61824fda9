// The version of a stack file a change is compared with: a file (--base-file), a git ref
// (--base), or by default the merge base of HEAD with the repository's default branch.
import { execFileSync } from "child_process";
import { basename, dirname, resolve } from "path";
import { bareName } from "../components/plan/shown";
import { CliError } from "./errors";
import { stackFileName } from "./project";
import type { Project } from "./project";
import { StackFile, parseStackFile, readRegularFile } from "./stackFile";

export interface BaseOptions {
    base?: string;
    baseFile?: string;
}

export interface BaseText {
    /** `origin/main (merge base 1a2b3c4)`, `HEAD`, or the file path. */
    label: string;
    /** null: the stack file does not exist at the base (a new stack). */
    text: string | null;
    /**
     * Set when no base was named and there is none to find: no git repository around the
     * stack file, or one without a commit yet (`git init`, nothing committed). Nothing was
     * committed, so every stack file is new (`text` null); `rekey plan` plans it so, and says
     * why, while `bump` and `rollback`, which check epochs against the base, say they could not.
     */
    none?: string;
}

function git(dir: string, args: string[]): string | null {
    try {
        return execFileSync("git", ["-C", dir, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
    } catch {
        return null;
    }
}

/** The default branch as a ref this clone has: origin/HEAD, else origin/main, origin/master, main, master. */
function defaultBranch(dir: string): string | null {
    const head = git(dir, ["symbolic-ref", "-q", "--short", "refs/remotes/origin/HEAD"]);
    if (head) return head;
    for (const ref of ["origin/main", "origin/master", "main", "master"]) {
        if (git(dir, ["rev-parse", "-q", "--verify", `${ref}^{commit}`])) return ref;
    }
    return null;
}

/**
 * The base version of the stack file at `stackPath`. `cwd` (where rekey runs) is what a
 * --base-file is relative to. Git is run in the stack file's directory and names the file
 * `<commit>:./<name>`, a path git takes relative to that directory (gitrevisions(7)), so a
 * project in a subdirectory of the repository, a stackConfigDir, or a path through a symlink
 * (where the repository's top level, which git gives with symlinks resolved, is not a prefix
 * of the path) all find the file as committed.
 */
export function readBase(cwd: string, stackPath: string, options: BaseOptions): BaseText {
    if (options.base !== undefined && options.baseFile !== undefined) throw new CliError("give --base or --base-file, not both");
    if (options.baseFile !== undefined) {
        try {
            return { label: options.baseFile, text: readRegularFile(resolve(cwd, options.baseFile)).toString("utf8") };
        } catch (e) {
            throw new CliError(`cannot read --base-file ${bareName(options.baseFile)}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`);
        }
    }
    const dir = dirname(stackPath);
    const top = git(dir, ["rev-parse", "--show-toplevel"]);
    if (top === null) {
        if (options.base !== undefined) throw new CliError(`${dir} is not in a git repository: --base names a git commit; give the base version with --base-file <path>`);
        return { label: "no git repository", text: null, none: "the stack file's directory is not in a git repository: nothing is committed, so every stack file is new (--base-file <path> compares with a file)" };
    }
    let ref = options.base;
    let label: string;
    let commit: string | null;
    if (ref === undefined) {
        // A repository without a commit (HEAD names a branch with none yet) has no base either.
        if (git(dir, ["rev-parse", "-q", "--verify", "HEAD^{commit}"]) === null && !defaultBranch(dir)) {
            return { label: "no commit yet", text: null, none: "the git repository has no commit yet: nothing is committed, so every stack file is new" };
        }
        const branch = defaultBranch(dir);
        if (!branch) throw new CliError("cannot find the default branch (no origin/HEAD, main or master): give --base <git-ref>");
        commit = git(dir, ["merge-base", "HEAD", branch]);
        if (!commit) throw new CliError(`HEAD and ${branch} have no merge base: give --base <git-ref>`);
        ref = commit;
        label = `${branch} (merge base ${commit.slice(0, 7)})`;
    } else {
        commit = git(dir, ["rev-parse", "-q", "--verify", `${ref}^{commit}`]);
        if (!commit) throw new CliError(`--base ${bareName(ref)} is not a commit in this repository`);
        label = ref;
    }
    const path = `./${basename(stackPath)}`;
    const exists = git(dir, ["cat-file", "-e", `${commit}:${path}`]) !== null;
    if (!exists) return { label, text: null };
    try {
        return { label, text: execFileSync("git", ["-C", dir, "show", `${commit}:${path}`], { encoding: "utf8", maxBuffer: 256 << 20 }) };
    } catch (e) {
        throw new CliError(`cannot read ${path} at ${label}: ${(e as Error).message.split("\n")[0]}`);
    }
}

/** The base version, parsed as every stack file is; `file` is null for a new stack. */
export function parsedBase(project: Project, stack: string, base: { label: string; text: string | null }): { label: string; file: StackFile | null } {
    return { label: base.label, file: base.text === null ? null : parseStackFile(base.text, `${stackFileName(project, stack)} at ${base.label}`, project.name) };
}
