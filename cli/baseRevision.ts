// The version of a stack file a change is compared with: a file (--base-file), a git ref
// (--base), or by default the merge base of HEAD with the repository's default branch.
import { spawnSync } from "child_process";
import { basename, dirname, resolve } from "path";
import { bareName } from "../components/plan/shown";
import { CliError } from "./errors";
import { stackFileName } from "./project";
import type { Project } from "./project";
import { StackFile, parseStackFile, readRegularFile, relabelled } from "./stackFile";

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

/**
 * git failed in a way that says nothing about the stack file: it could not run (not on
 * PATH), or stopped with an error of its own (a repository it refuses to read, "detected
 * dubious ownership"; a GIT_DIR that is no repository; a corrupt object). plan and bump stop
 * on it (exit 2) rather than take it for "no repository" and call every stack new.
 */
export class GitFailure extends CliError {}

interface GitRun {
    status: number;
    stdout: string;
    stderr: string;
}

/**
 * Runs git in `dir`, in the C locale (its messages are matched below and translated
 * otherwise). Throws GitFailure when git cannot be run at all.
 */
function run(dir: string, args: string[]): GitRun {
    const r = spawnSync("git", ["-C", dir, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 256 << 20, env: { ...process.env, LC_ALL: "C", LANGUAGE: "C" } });
    if (r.error) {
        const code = (r.error as NodeJS.ErrnoException).code;
        throw new GitFailure(`cannot run git (${code === "ENOENT" ? "not found on PATH" : code ?? r.error.message}): the base stack file is read from git; install git, or give the base with --base-file <path>`);
    }
    return { status: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
}

/** git's own error, first line (it names a path or a ref of the repository, never a value of the stack file). */
function gitError(r: GitRun): string {
    const line = r.stderr.split("\n").find((l) => l.trim() !== "") ?? `exit ${r.status}`;
    return line.trim().slice(0, 300);
}

/** The output of a git query that must succeed; else GitFailure naming git's error. */
function must(dir: string, args: string[], what: string): string {
    const r = run(dir, args);
    if (r.status !== 0) throw new GitFailure(`git failed ${what} (git ${args[0]}: ${gitError(r)}); fix the repository, or give the base with --base-file <path>`);
    return r.stdout.trim();
}

/** The output of a git query whose "no" is a non-zero exit (a ref that does not exist), or null. */
function git(dir: string, args: string[]): string | null {
    const r = run(dir, args);
    return r.status === 0 ? r.stdout.trim() : null;
}

/**
 * Whether git positively says `dir` is in no repository: `rev-parse` exits 128 with "not a
 * git repository (or any of the parent directories)" or "(or any parent up to mount point
 * …)", the words git's discovery uses when it found nothing (git setup.c
 * `setup_git_directory_gently_1` / `die_not_a_git_repo`-style messages). With GIT_DIR set,
 * git says "not a git repository: '<dir>'" instead: a repository was named and is broken,
 * which is a failure, not "no repository".
 */
function notARepository(r: GitRun): boolean {
    return r.status === 128 && /^fatal: not a git repository \(or any (of the parent directories|parent up to mount point)/m.test(r.stderr);
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
    const top = run(dir, ["rev-parse", "--show-toplevel"]);
    if (top.status !== 0) {
        if (!notARepository(top)) throw new GitFailure(`git cannot read the repository around ${dir} (${gitError(top)}): fix that, or give the base with --base-file <path>`);
        if (options.base !== undefined) throw new CliError(`${dir} is not in a git repository: --base names a git commit; give the base version with --base-file <path>`);
        return { label: "no git repository", text: null, none: "the stack file's directory is not in a git repository: nothing is committed, so every stack file is new (--base-file <path> compares with a file)" };
    }
    let ref = options.base;
    let label: string;
    let commit: string | null;
    if (ref === undefined) {
        // A repository without any commit (`git init`, nothing committed on any branch) has no
        // base: every file is new. One with commits elsewhere (an orphan branch, HEAD not yet
        // born) has one to find, or the user names it.
        if (must(dir, ["rev-list", "-n", "1", "--all"], "listing the repository's commits") === "") {
            return { label: "no commit yet", text: null, none: "the git repository has no commit yet: nothing is committed, so every stack file is new" };
        }
        const branch = defaultBranch(dir);
        if (!branch) throw new CliError("cannot find the default branch (no origin/HEAD, main or master): give --base <git-ref>");
        if (git(dir, ["rev-parse", "-q", "--verify", "HEAD^{commit}"]) === null) {
            throw new CliError(`HEAD has no commit yet (a new or orphan branch) and so no merge base with ${branch}: give --base <git-ref>`);
        }
        const mb = run(dir, ["merge-base", "HEAD", branch]);
        // merge-base exits 1 when the two share no history; anything else is git's own failure.
        if (mb.status === 1) throw new CliError(`HEAD and ${branch} have no merge base (unrelated histories): give --base <git-ref>`);
        if (mb.status !== 0) throw new GitFailure(`git failed finding the merge base of HEAD and ${branch} (${gitError(mb)}): give --base <git-ref>`);
        commit = mb.stdout.trim();
        ref = commit;
        label = `${branch} (merge base ${commit.slice(0, 7)})`;
    } else {
        commit = git(dir, ["rev-parse", "-q", "--verify", `${ref}^{commit}`]);
        if (!commit) throw new CliError(`--base ${bareName(ref)} is not a commit in this repository`);
        label = ref;
    }
    const path = `./${basename(stackPath)}`;
    // ls-tree lists the path when the commit has it and nothing when not; a failure is git's.
    if (must(dir, ["ls-tree", "--name-only", commit, "--", path], `listing ${path} at ${label}`) === "") return { label, text: null };
    const shown = run(dir, ["show", `${commit}:${path}`]);
    if (shown.status !== 0) throw new GitFailure(`cannot read ${path} at ${label}: ${gitError(shown)}`);
    return { label, text: shown.stdout };
}

/**
 * The base version, parsed as every stack file is; `file` is null for a new stack. `head`,
 * the stack file as read now: when the base's text is the same (a branch that has not yet
 * changed the file, where `bump` usually runs), the head's parse is the base's, relabelled
 * (parseStackFile depends on the text and the project alone, the label naming it in messages).
 */
export function parsedBase(project: Project, stack: string, base: { label: string; text: string | null }, head?: StackFile): { label: string; file: StackFile | null } {
    const label = `${stackFileName(project, stack)} at ${base.label}`;
    if (base.text !== null && head !== undefined && head.text === base.text) return { label: base.label, file: relabelled(head, label) };
    return { label: base.label, file: base.text === null ? null : parseStackFile(base.text, label, project.name) };
}
