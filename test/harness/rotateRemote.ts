// The rotate workflow's step (templates/init/workflows/rekey-rotate.yml) run as the runner runs
// it: in a fresh clone of a bare remote on each run, with `gh` a stand-in that records its
// calls and keeps the pull requests (it refuses what GitHub refuses: a second pull request
// for one branch, one whose head is missing or holds no commit, a body over 65536 characters), and `npx pulumi-rekey` this
// checkout's CLI unless the caller puts the installed package in each clone (`prepare`).
// Every directory it makes is a harness workdir (removeWorkdirs).
import { spawnSync } from "child_process";
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from "fs";
import { join } from "path";
import { parse } from "yaml";
import { git, workdir } from "./cli";
import { ROOT } from "./stackFile";

const GH = `#!${process.execPath}
// gh, as the rotate step calls it: pr list / pr create / pr edit, against a JSON file of pull requests.
const fs = require("fs");
const { execFileSync } = require("child_process");
const args = process.argv.slice(2);
const file = process.env.GH_STANDIN_STATE;
const s = JSON.parse(fs.readFileSync(file, "utf8"));
const opt = (name) => { const i = args.indexOf(name); return i < 0 ? undefined : args[i + 1]; };
const call = { args, cwdIsRepo: true };
if (opt("--body-file") !== undefined) call.body = fs.readFileSync(opt("--body-file"), "utf8");
s.calls.push(call);
const done = (code, out, err) => { fs.writeFileSync(file, JSON.stringify(s)); if (out) process.stdout.write(out); if (err) process.stderr.write(err); process.exit(code); };
if (!process.env.GH_TOKEN || !process.env.GH_REPO) done(4, "", "gh: no GH_TOKEN or GH_REPO\\n");
// GitHub refuses a pull request body over 65536 characters.
if (call.body !== undefined && [...call.body].length > 65536) done(1, "", "GraphQL: Body is too long (maximum is 65536 characters) (createPullRequest)\\n");
const sha = (ref) => execFileSync("git", ["ls-remote", process.env.GH_STANDIN_ORIGIN, "refs/heads/" + ref], { encoding: "utf8" }).split("\\t")[0];
// One open pull request per head branch of this repository (a fork's pull request from a branch of the same name is another head).
const open = (head) => s.prs.find((p) => p.head === head && p.state === "open" && !p.isCrossRepository);
if (args[0] === "pr" && args[1] === "list") {
    // --head matches the branch's name only, a fork's pull request too (cli/cli#10945: no owner:branch): the two jq filters the step may use.
    const jq = { ".[0].number // empty": (l) => l, "[.[] | select(.isCrossRepository | not)][0].number // empty": (l) => l.filter((p) => !p.isCrossRepository) }[opt("--jq")];
    if (opt("--state") !== "open" || !["number", "number,isCrossRepository"].includes(opt("--json")) || !jq) done(1, "", "gh stand-in: unexpected " + args.join(" ") + "\\n");
    const pr = jq(s.prs.filter((p) => p.head === opt("--head") && p.base === opt("--base") && p.state === "open"))[0];
    done(0, pr ? pr.number + "\\n" : "");
}
if (args[0] === "pr" && args[1] === "create") {
    const [head, base] = [opt("--head"), opt("--base")];
    if (!sha(head)) done(1, "", "pull request create failed: head branch " + head + " not found\\n");
    if (sha(head) === sha(base)) done(1, "", "pull request create failed: No commits between " + base + " and " + head + "\\n");
    if (open(head)) done(1, "", "a pull request for branch " + head + " into branch " + base + " already exists\\n");
    const pr = { number: s.prs.length + 1, head, base, title: opt("--title"), body: call.body, state: "open" };
    s.prs.push(pr);
    done(0, "https://github.invalid/o/r/pull/" + pr.number + "\\n");
}
if (args[0] === "pr" && args[1] === "edit") {
    const pr = s.prs.find((p) => p.number === Number(args[2]) && p.state === "open");
    if (!pr) done(1, "", "no open pull request " + args[2] + "\\n");
    if (opt("--title") !== undefined) pr.title = opt("--title");
    if (call.body !== undefined) pr.body = call.body;
    done(0, "https://github.invalid/o/r/pull/" + pr.number + "\\n");
}
done(1, "", "gh stand-in: unexpected " + args.join(" ") + "\\n");
`;

export interface Gh {
    prs: { number: number; head: string; base: string; title: string; body: string; state: string; isCrossRepository?: boolean }[];
    calls: { args: string[]; body?: string }[];
}

/**
 * A bare remote holding `files` on main (its HEAD), a `bin` with npx and gh stand-ins, and
 * `run()`: the workflow's step in a fresh clone, its project directory as working directory.
 */
export function remote(files: Record<string, string>, workflowFile: string, projectDir = ".", o: { prepare?: (clone: string) => void; prs?: Gh["prs"] } = {}) {
    const seed = workdir(files);
    const origin = join(workdir({}, false), "origin.git");
    git(seed, "clone", "-q", "--bare", seed, origin);
    const bin = workdir({}, false);
    // With `prepare`, the real npx runs the package the caller installs into each clone.
    if (!o.prepare) writeFileSync(join(bin, "npx"), `#!/bin/sh\n[ "$1" = pulumi-rekey ] || exit 127\nshift\nexec node ${JSON.stringify(join(ROOT, "bin", "rekey.js"))} "$@"\n`);
    writeFileSync(join(bin, "gh"), GH);
    for (const f of o.prepare ? ["gh"] : ["npx", "gh"]) chmodSync(join(bin, f), 0o755);
    const state = join(bin, "gh.json");
    writeFileSync(state, JSON.stringify({ prs: o.prs ?? [], calls: [] }));
    const w = parse(readFileSync(workflowFile, "utf8"));
    const step = w.jobs.rotate.steps.find((s: any) => s.name === "bump the secrets due, open or update the pull request");
    expect(w.defaults.run["working-directory"]).toBe(projectDir);
    const gh = (): Gh => JSON.parse(readFileSync(state, "utf8"));
    /** A clone of the remote, as actions/checkout makes one (fetch-depth 0). */
    const clone = () => {
        const dir = workdir({}, false);
        rmSync(dir, { recursive: true });
        git(ROOT, "clone", "-q", origin, dir);
        return dir;
    };
    const run = (within = "7") => {
        const dir = clone();
        o.prepare?.(dir);
        const temp = workdir({}, false);
        const summary = join(temp, "summary.md");
        const before = gh().calls.length;
        // GitHub runs a bash step as `bash --noprofile --norc -eo pipefail {0}`.
        const r = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step.run], {
            cwd: join(dir, projectDir),
            encoding: "utf8",
            env: {
                ...process.env,
                PATH: `${bin}:${process.env.PATH}`,
                // The env the step gives itself (GitHub's expressions evaluated: a token, the repository, the input's default).
                ...step.env,
                GH_TOKEN: "not-a-token",
                GH_REPO: "o/r",
                WITHIN: within,
                RUNNER_TEMP: temp,
                GITHUB_STEP_SUMMARY: summary,
                GH_STANDIN_STATE: state,
                GH_STANDIN_ORIGIN: origin,
            },
        });
        return { status: r.status, stdout: r.stdout, stderr: r.stderr, calls: gh().calls.slice(before), summary: existsSync(summary) ? readFileSync(summary, "utf8") : "" };
    };
    const heads = () => git(ROOT, "ls-remote", "--heads", origin).trim().split("\n").map((l) => l.split("\t").reverse() as [string, string]);
    const branchSha = (b: string) => new Map(heads()).get(`refs/heads/${b}`);
    const show = (ref: string, path: string) => git(ROOT, "--git-dir", origin, "show", `${ref}:${path}`);
    /** Commits `edit` (run in a clone) to the remote's `branch`, as `who`. */
    const push = (branch: string, who: string, edit: (dir: string) => void) => {
        const dir = clone();
        git(dir, "checkout", "-q", branch);
        edit(dir);
        git(dir, "-c", `user.email=${who}`, "commit", "-q", "-am", `by ${who}`);
        git(dir, "push", "-q", "origin", branch);
    };
    return { origin, run, gh, heads, branchSha, show, push, step };
}

