// The scheduled rotation (rekey-rotate.yml, and rekey-<project>-rotate.yml as rekey init writes
// it): its step run for real, as the runner runs it, in a fresh clone of a bare remote on each
// run, with `npx pulumi-rekey` this checkout's CLI and `gh` a stand-in that records its calls
// and keeps the pull requests (it refuses what GitHub refuses: a second pull request for one
// branch, one whose head is missing or holds no commit).
import { spawnSync } from "child_process";
import { readFileSync, rmSync, writeFileSync } from "fs";
import { join } from "path";
import { parse } from "yaml";
import { rotationBranch } from "../cli/init";
import { fixture, git, rekey, rekeyOn, removeWorkdirs, workdir } from "./harness/cli";
import { parseMermaid, parsedOk } from "./harness/mermaid";
import { remote } from "./harness/rotateRemote";
import { ROOT } from "./harness/stackFile";

afterAll(removeWorkdirs);

/** The CLI's clock is the real one in the step (bin/rekey.js): dates are relative to today, UTC. */
const day = (offset: number) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);
const TODAY = day(0);

// SESSION_SECRET overdue (cadence 90, rotated 100 days ago), CACHE_PASSWORD undated (cadence 30,
// no rotatedAt), DB_PASSWORD due in 4 days (cadence 180), ADOPTED_KEY adopted and overdue,
// STRIPE_API_KEY supplied and overdue, WEBHOOK_KEY due in 20 days (not within the week).
const ADOPTED = `
    ADOPTED_KEY:
      epoch: 0
      adopt: true   # the value in use before rekey
      rotatedAt: "${day(-200)}"
      cadenceDays: 90
      generate: { encoding: hex, bytes: 16 }
      stores: [ { ssm: {} } ]
      consumers: [mailer]

  rekey:supplied:
    ADOPTED_KEY:
      secure: v1:7Rz1mXgk0eZ2Yq9A:3mB1pXh6cWQe4y8sT2Zk9uLr0vN5aD7fG1hJ3kL5mN7pQ9
`;
const SHOP = fixture("Pulumi.shop.yaml")
    .replace('rotatedAt: "2026-08-01"', `rotatedAt: "${day(-100)}"`)
    .replace("rotatedAt: '2026-10-20'", `rotatedAt: '${day(-176)}'`)
    .replace('rotatedAt: "2026-01-15"', `rotatedAt: "${day(-370)}"`)
    .replace("WEBHOOK_KEY: { epoch: 1,", `WEBHOOK_KEY: { epoch: 1, rotatedAt: "${day(-70)}", cadenceDays: 90,`)
    .replace("\n\n  rekey:supplied:\n", ADOPTED);
const CALM = `config:\n  rekey:secrets:\n    A: { epoch: 1, rotatedAt: "${TODAY}", cadenceDays: 90, generate: { encoding: hex, bytes: 16 } }\n`;

const OWN = join(ROOT, ".github", "workflows", "rekey-rotate.yml");
const BRANCH = "rekey/rotate-rekey";
const epochs = (text: string) => Object.fromEntries(Object.entries<any>(parse(text).config["rekey:secrets"]).map(([k, v]) => [k, v.epoch]));

describe("rekey-rotate.yml, run as the runner runs it", () => {
    test("the step's branch is the project's rotation branch; its permissions are contents and pull-requests write, nothing else", () => {
        const w = parse(readFileSync(OWN, "utf8"));
        expect(w.permissions).toEqual({ contents: "write", "pull-requests": "write" });
        expect(w.on.schedule).toHaveLength(1);
        expect(w.on.workflow_dispatch.inputs.within.default).toBe("7");
        const step = w.jobs.rotate.steps.find((s: any) => s.name === "bump the secrets due, open or update the pull request");
        expect(step.env).toMatchObject({ BRANCH, GH_TOKEN: "${{ github.token }}", WITHIN: "${{ inputs.within || '7' }}" });
        // No third-party action holds the token: the only actions are GitHub's checkout and setup-node.
        expect(w.jobs.rotate.steps.filter((s: any) => s.uses).map((s: any) => s.uses)).toEqual(["actions/checkout@v4", "actions/setup-node@v4"]);
        expect(w.jobs.rotate.steps[0].with["fetch-depth"]).toBe(0);
    });

    test("overdue, due within a week, supplied and adopted: the first run opens one pull request bumping exactly the due generated secrets; the second updates it; a run with nothing new pushes nothing", () => {
        const r = remote({ "Pulumi.shop.yaml": SHOP, "Pulumi.calm.yaml": CALM }, OWN);
        const first = r.run();
        expect([first.status, first.stderr]).toEqual([0, expect.not.stringContaining("::error")]);
        expect(first.calls.map((c) => c.args.slice(0, 2).join(" "))).toEqual(["pr list", "pr create"]);
        expect(first.calls[1].args).toEqual(["pr", "create", "--base", "main", "--head", BRANCH, "--title", "rekey: rotate the secrets due", "--body-file", expect.any(String)]);
        // Exactly the due generated secrets moved, one step each; supplied, not-yet-due, derived and calm untouched.
        const shop = r.show(BRANCH, "Pulumi.shop.yaml");
        expect(epochs(shop)).toEqual({ ...epochs(SHOP), SESSION_SECRET: 4, CACHE_PASSWORD: 3, DB_PASSWORD: 6, ADOPTED_KEY: 1 });
        expect(r.show(BRANCH, "Pulumi.calm.yaml")).toBe(CALM);
        expect(shop).not.toContain("adopt: true");
        for (const reason of [`due since ${day(-10)} (cadence 90 days)`, "due: cadence 30 days and no rotatedAt recorded", `due on ${day(4)} (cadence 180 days)`, `due since ${day(-110)} (cadence 90 days)`]) {
            expect(shop).toContain(reason);
        }
        expect(git(ROOT, "--git-dir", r.origin, "log", "-1", "--format=%an <%ae>%n%B", BRANCH)).toBe(
            [
                "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>",
                "rekey: bump 4 secrets due by " + TODAY + " or within 7 days",
                "",
                `shop: ADOPTED_KEY epoch 0 → 1, due since ${day(-110)} (cadence 90 days)`,
                `shop: SESSION_SECRET epoch 3 → 4, due since ${day(-10)} (cadence 90 days)`,
                "shop: CACHE_PASSWORD epoch 2 → 3, due: cadence 30 days and no rotatedAt recorded",
                `shop: DB_PASSWORD epoch 5 → 6, due on ${day(4)} (cadence 180 days)`,
                "",
                "",
            ].join("\n"),
        );
        // The body: the plan of the changed stack, as rekey plan --all-stacks prints it, and the supplied one for a person.
        const [pr] = r.gh().prs;
        expect(pr).toMatchObject({ number: 1, head: BRANCH, base: "main", state: "open" });
        const plan = rekeyOn(TODAY, seedOf(r), "plan", "--all-stacks", "--base", "origin/main").stdout.trim();
        expect(pr.body).toContain(plan);
        expect(pr.body).toContain("### rekey plan: shop");
        expect(pr.body).not.toContain("rekey plan: calm");
        expect(pr.body).toContain(
            `- [ ] **STRIPE_API_KEY** (stack shop), due since ${day(-5)}: \`pulumi config set --secret --path 'rekey:supplied.STRIPE_API_KEY' --stack shop\`, then \`npx pulumi-rekey bump STRIPE_API_KEY --stack shop --reason "due since ${day(-5)} (cadence 365 days)"\``,
        );
        expect(pr.body).toContain("Bumped by this run: ADOPTED_KEY (shop), SESSION_SECRET (shop), CACHE_PASSWORD (shop), DB_PASSWORD (shop).");
        expect(first.summary).toBe(pr.body);

        // A week later WEBHOOK_KEY is due too (its rotatedAt moved back on main): the run updates pull request 1.
        r.push("main", "dev@rekey.invalid", (dir) => writeFileSync(join(dir, "Pulumi.shop.yaml"), SHOP.replace(`rotatedAt: "${day(-70)}", cadenceDays: 90,`, `rotatedAt: "${day(-95)}", cadenceDays: 90,`)));
        const second = r.run();
        expect(second.status).toBe(0);
        expect(second.calls.map((c) => c.args.slice(0, 3).join(" "))).toEqual(["pr list --head", "pr edit 1"]);
        expect(r.gh().prs).toHaveLength(1);
        expect(epochs(r.show(BRANCH, "Pulumi.shop.yaml"))).toEqual({ ...epochs(SHOP), SESSION_SECRET: 4, CACHE_PASSWORD: 3, DB_PASSWORD: 6, ADOPTED_KEY: 1, WEBHOOK_KEY: 2 });
        // Rebuilt on main's new head: one commit of the workflow's on top of it.
        expect(git(ROOT, "--git-dir", r.origin, "rev-list", "--count", `main..${BRANCH}`).trim()).toBe("1");
        expect(r.gh().prs[0].body).toContain("- **WEBHOOK_KEY** rotated");

        // Nothing new: the same tree is not pushed again; the body is refreshed.
        const sha = r.branchSha(BRANCH);
        const third = r.run();
        expect([third.status, third.calls.map((c) => c.args[1])]).toEqual([0, ["list", "edit"]]);
        expect(r.branchSha(BRANCH)).toBe(sha);
    });

    test("nothing due: no branch, no pull request, only the lookup", () => {
        const r = remote({ "Pulumi.calm.yaml": CALM }, OWN);
        const run = r.run();
        expect([run.status, run.stdout.trim()]).toEqual([0, "nothing is due: no branch, no pull request"]);
        expect(run.calls.map((c) => c.args.slice(0, 2))).toEqual([["pr", "list"]]);
        expect(r.heads().map(([ref]) => ref)).toEqual(["refs/heads/main"]);
        expect(r.gh().prs).toEqual([]);
        expect(run.summary).toContain(`Nothing to bump: no generated secret is due by ${TODAY} or within 7 days.`);
    });

    test("an open pull request whose secrets were rotated on main meanwhile is updated (it says so), not duplicated; its branch is left", () => {
        const r = remote({ "Pulumi.shop.yaml": SHOP, "Pulumi.calm.yaml": CALM }, OWN);
        expect(r.run().status).toBe(0);
        const sha = r.branchSha(BRANCH);
        // Someone bumps the same secrets on main (and sets the supplied one's value).
        r.push("main", "dev@rekey.invalid", (dir) => {
            expect(rekeyOn(TODAY, dir, "bump", "--due", "--within", "7", "--all-stacks").code).toBe(0);
        });
        const run = r.run();
        expect([run.status, run.stdout]).toEqual([0, "https://github.invalid/o/r/pull/1\nnothing is due any more: pull request #1 says so\n"]);
        expect(run.calls.map((c) => c.args.slice(0, 3))).toEqual([expect.arrayContaining(["pr", "list"]), ["pr", "edit", "1"]]);
        expect(r.gh().prs).toHaveLength(1);
        expect(r.gh().prs[0].body).toContain(`Nothing is due by ${TODAY} or within 7 days any more`);
        expect(r.gh().prs[0].body).toContain("**STRIPE_API_KEY** (stack shop)");
        expect(r.branchSha(BRANCH)).toBe(sha);
    });

    test("a person's commit on the branch (the supplied secret's new value) is kept: main is merged in, the checklist empties, nothing is bumped twice", () => {
        const r = remote({ "Pulumi.shop.yaml": SHOP }, OWN);
        expect(r.run().status).toBe(0);
        // The checklist's commands, done by a person on the branch (a new ciphertext stands for pulumi config set).
        r.push(BRANCH, "ops@rekey.invalid", (dir) => {
            const file = join(dir, "Pulumi.shop.yaml");
            writeFileSync(file, readFileSync(file, "utf8").replace("secure: v1:hVdTL8MtrBa0dC2t:", "secure: v1:AAAAAAAAAAAAAAAA:"));
            expect(rekeyOn(TODAY, dir, "bump", "STRIPE_API_KEY", "--stack", "shop", "--reason", "due").code).toBe(0);
        });
        const mine = r.branchSha(BRANCH)!;
        r.push("main", "dev@rekey.invalid", (dir) => writeFileSync(join(dir, "Pulumi.yaml"), readFileSync(join(dir, "Pulumi.yaml"), "utf8") + "# a change on main\n"));
        const run = r.run();
        expect(run.status).toBe(0);
        expect(run.calls.map((c) => c.args[1])).toEqual(["list", "edit"]);
        // The person's commit is on the branch, with main merged in; each secret moved one step.
        expect(git(ROOT, "--git-dir", r.origin, "merge-base", "--is-ancestor", mine, BRANCH)).toBe("");
        expect(git(ROOT, "--git-dir", r.origin, "merge-base", "--is-ancestor", "main", BRANCH)).toBe("");
        expect(epochs(r.show(BRANCH, "Pulumi.shop.yaml"))).toEqual({ ...epochs(SHOP), SESSION_SECRET: 4, CACHE_PASSWORD: 3, DB_PASSWORD: 6, ADOPTED_KEY: 1, STRIPE_API_KEY: 2 });
        const body = r.gh().prs[0].body;
        expect(body).toContain("This run bumped nothing new.");
        expect(body).toMatch(/### Supplied secrets due: their new values come from a person\nNone\./);
        expect(body).toContain("- **STRIPE_API_KEY** rotated");
    });

    test("a person's commit that conflicts with main: the run fails saying so, and changes neither the branch nor the pull request", () => {
        const r = remote({ "Pulumi.shop.yaml": SHOP }, OWN);
        expect(r.run().status).toBe(0);
        const note = (text: string) => (dir: string) => writeFileSync(join(dir, "Pulumi.yaml"), readFileSync(join(dir, "Pulumi.yaml"), "utf8") + text);
        r.push(BRANCH, "ops@rekey.invalid", note("# the branch's note\n"));
        r.push("main", "dev@rekey.invalid", note("# main's note\n"));
        const [sha, body] = [r.branchSha(BRANCH), r.gh().prs[0].body];
        const run = r.run();
        expect(run.status).toBe(1);
        expect(run.stdout).toContain(`::error title=rekey rotate::${BRANCH} (pull request #1) holds a person's commits and conflicts with main: merge main into it by hand`);
        expect(run.calls.map((c) => c.args[1])).toEqual(["list"]);
        expect([r.branchSha(BRANCH), r.gh().prs[0].body]).toEqual([sha, body]);
    });

    test("a stack file rekey refuses: the other stacks' pull request still opens, and the run fails naming why", () => {
        const r = remote({ "Pulumi.shop.yaml": SHOP, "Pulumi.bad.yaml": "config: [not, a, map]\n" }, OWN);
        const run = r.run();
        expect(run.status).toBe(1);
        expect(run.stderr).toContain("Pulumi.bad.yaml: config is not a map");
        expect(run.stdout).toContain("::error title=rekey rotate::a stack file was refused");
        expect(r.gh().prs).toHaveLength(1);
        expect(epochs(r.show(BRANCH, "Pulumi.shop.yaml")).SESSION_SECRET).toBe(4);
    });
});

describe("rekey-<project>-rotate.yml as rekey init writes it, in a subdirectory", () => {
    test("valid as the others; its step bumps in the project's directory and opens the pull request on the project's branch", () => {
        const repo = workdir({}, false);
        git(repo, "init", "-q", "-b", "main");
        expect(rekey(repo, "init", "infra/secrets", "--stack", "prod", "--name", "secrets").code).toBe(0);
        const stack = join(repo, "infra", "secrets", "Pulumi.prod.yaml");
        writeFileSync(stack, readFileSync(stack, "utf8").replace("      # cadenceDays: 90 ", "      cadenceDays: 90  "));
        expect(readFileSync(stack, "utf8")).toContain("      cadenceDays: 90  ");
        const files = Object.fromEntries(git(repo, "ls-files", "--others", "--exclude-standard").trim().split("\n").map((f) => [f, readFileSync(join(repo, f), "utf8")]));
        const r = remote(files, join(repo, ".github", "workflows", "rekey-secrets-rotate.yml"), "infra/secrets");
        expect(r.step.env.BRANCH).toBe("rekey/rotate-secrets");
        const run = r.run();
        expect([run.status, run.calls.map((c) => c.args[1])]).toEqual([0, ["list", "create"]]);
        expect(git(ROOT, "--git-dir", r.origin, "diff", "--name-only", "main", "rekey/rotate-secrets").trim()).toBe("infra/secrets/Pulumi.prod.yaml");
        expect(epochs(r.show("rekey/rotate-secrets", "infra/secrets/Pulumi.prod.yaml"))).toEqual({ APP_SECRET: 1 });
        expect(r.step.env.PROJECT_DIR).toBe("infra/secrets");
        // The plan as rekey plan prints it: the diagram first (b25mm), then the secrets.
        expect(r.gh().prs[0].body).toContain("### rekey plan: prod\n\nCompared with `origin/main`.\n\n#### The rotation, drawn\n\n```mermaid\n");
        expect(r.gh().prs[0].body).toContain("\n#### Secrets\n- **APP_SECRET** rotated: epoch 0 → 1 (reason: `due: cadence 90 days and no rotatedAt recorded`)");
    });

    test.each(["secrets", "a..b", "x.", "my.lock", "v1.2"])("the rotation branch of project %s is a name git takes", (name) => {
        const branch = rotationBranch(name);
        expect(spawnSync("git", ["check-ref-format", "--branch", branch], { encoding: "utf8" })).toMatchObject({ status: 0, stdout: `${branch}\n` });
    });
});

/** The directory the remote was seeded from (main as first committed): where the plan is computed for comparison. */
function seedOf(r: { origin: string }): string {
    const dir = workdir({}, false);
    rmSync(dir, { recursive: true });
    git(ROOT, "clone", "-q", r.origin, dir);
    git(dir, "checkout", "-q", BRANCH);
    return dir;
}

// Attacks on the body's size and on who counts as a person (issue 25's review).
describe("rekey-rotate.yml: a body past GitHub's limit, a person's amend", () => {
    /** `n` secrets due (cadence, no rotatedAt): generated with an SSM store each, or supplied. */
    const many = (n: number, supplied: boolean) =>
        "config:\n  rekey:secrets:\n" +
        Array.from({ length: n }, (_, i) => `    ${supplied ? "VENDOR" : "GEN"}_${i}: { epoch: 1, cadenceDays: 30, ${supplied ? "supplied: true" : "generate: { encoding: hex, bytes: 16 }"}, stores: [ { ssm: {} } ] }\n`).join("") +
        (supplied ? "  rekey:supplied:\n" + Array.from({ length: n }, (_, i) => `    VENDOR_${i}: { secure: v1:AAAAAAAAAAAAAAAA:${"B".repeat(24)} }\n`).join("") : "");

    test("the body stays within GitHub's 65,536 characters with its fences closed and each diagram whole; the summary has the whole plan", () => {
        const files: Record<string, string> = { "Pulumi.vendors.yaml": many(300, true) };
        for (let s = 0; s < 5; s++) files[`Pulumi.big${s}.yaml`] = many(70, false);
        const r = remote(files, OWN);
        const run = r.run();
        expect([run.status, run.stderr]).toEqual([0, expect.not.stringContaining("::error")]);
        const body = r.gh().prs[0].body;
        expect(body.length).toBeLessThanOrEqual(65536);
        const fences = body.split("\n").filter((l) => l.startsWith("```"));
        expect(fences.length % 2).toBe(0);
        const diagrams = [...body.matchAll(/^```mermaid\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
        parseMermaid(diagrams).forEach((p, i) => parsedOk(diagrams[i], p));
        expect(body).toMatch(/the run's summary has all of it/);
        // The summary (a step summary holds 1 MiB) has every stack's plan, uncut.
        const plan = rekeyOn(TODAY, seedOf(r), "plan", "--all-stacks", "--base", "origin/main").stdout.trim();
        expect(plan.length).toBeGreaterThan(65536);
        expect(run.summary).toContain(plan);
        expect(run.summary).toContain("**VENDOR_299**");
    });

    test("a fork's pull request from a branch named like the rotation branch is neither edited nor taken for the rotation pull request", () => {
        const fork = { number: 1, head: BRANCH, base: "main", title: "innocent", body: "from a fork", state: "open", isCrossRepository: true };
        const r = remote({ "Pulumi.shop.yaml": SHOP }, OWN, ".", { prs: [fork] });
        const run = r.run();
        expect([run.status, run.calls.map((c) => c.args[1])]).toEqual([0, ["list", "create"]]);
        expect(r.gh().prs).toEqual([fork, expect.objectContaining({ number: 2, head: BRANCH, title: "rekey: rotate the secrets due" })]);
        // The second run edits its own pull request, never the fork's.
        expect(r.run().calls.map((c) => c.args.slice(0, 3).join(" "))).toEqual(["pr list --head", "pr edit 2"]);
        expect(r.gh().prs[0]).toEqual(fork);
    });

    test("a person's amend of the workflow's commit (author still the bot, committer the person) is kept, not rebuilt away", () => {
        const r = remote({ "Pulumi.shop.yaml": SHOP }, OWN);
        expect(r.run().status).toBe(0);
        const dir = workdir({}, false);
        rmSync(dir, { recursive: true });
        git(ROOT, "clone", "-q", r.origin, dir);
        git(dir, "checkout", "-q", BRANCH);
        const file = join(dir, "Pulumi.shop.yaml");
        writeFileSync(file, readFileSync(file, "utf8").replace("secure: v1:hVdTL8MtrBa0dC2t:", "secure: v1:AAAAAAAAAAAAAAAA:"));
        expect(rekeyOn(TODAY, dir, "bump", "STRIPE_API_KEY", "--stack", "shop", "--reason", "due").code).toBe(0);
        git(dir, "-c", "user.email=ops@rekey.invalid", "commit", "-q", "-a", "--amend", "--no-edit");
        expect(git(dir, "log", "-1", "--format=%ae %ce").trim()).toBe("41898282+github-actions[bot]@users.noreply.github.com ops@rekey.invalid");
        git(dir, "push", "-q", "--force", "origin", BRANCH);
        const mine = r.branchSha(BRANCH)!;
        expect(r.run().status).toBe(0);
        expect(git(ROOT, "--git-dir", r.origin, "merge-base", "--is-ancestor", mine, BRANCH)).toBe("");
        expect(epochs(r.show(BRANCH, "Pulumi.shop.yaml")).STRIPE_API_KEY).toBe(2);
    });
});
