// The GitHub workflows of the PR flow: valid against the workflow schema, wired to the rekey
// command, and the scheduled `rekey due` loop run for real on fixture stacks.
import { validateWorkflow } from "@action-validator/core";
import { execFileSync, spawnSync } from "child_process";
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import { join } from "path";
import { parse } from "yaml";
import { fixture, git, rekey, removeWorkdirs, workdir } from "./harness/cli";
import { ROOT } from "./harness/stackFile";

const DIR = join(ROOT, ".github", "workflows");
const workflow = (name: string) => parse(readFileSync(join(DIR, name), "utf8"));
afterAll(removeWorkdirs);

describe("workflow files", () => {
    test.each(readdirSync(DIR))("%s is valid against the GitHub workflow schema", (name) => {
        expect(validateWorkflow(readFileSync(join(DIR, name), "utf8")).errors).toEqual([]);
    });

    test("the validator rejects a broken workflow (control)", () => {
        const errors = validateWorkflow("on: pull_request\njobs:\n  plan:\n    runs-on: ubuntu-latest\n    step:\n      - run: npx rekey plan\n").errors;
        expect(errors.length).toBeGreaterThan(0);
    });

    // GitHub pastes a `${{ }}` value into a run script's text before the shell reads it: a
    // value that holds shell syntax runs as code. Values reach scripts through env only.
    test.each(readdirSync(DIR))("%s: no run script holds a ${{ }} expression (values come in through env)", (name) => {
        const w = workflow(name);
        const runs = Object.values(w.jobs as Record<string, { steps: { run?: string }[] }>).flatMap((j) => j.steps.map((st) => st.run).filter((r): r is string => r !== undefined));
        expect(runs.length).toBeGreaterThan(1);
        expect(runs.filter((r) => r.includes("${{"))).toEqual([]);
    });

    test("pull requests touching a stack file get rekey plan and pulumi preview --diff in one comment", () => {
        const w = workflow("rekey-plan.yml");
        expect(w.on.pull_request.paths).toEqual(["Pulumi.*.yaml"]);
        const steps = w.jobs.plan.steps;
        const planStep = steps.find((s: any) => s.name === "rekey plan");
        expect(planStep.run).toContain('npx pulumi-rekey plan --stack "$STACK" --base "$BASE_SHA" > rekey-plan.md');
        const preview = steps.find((s: any) => String(s.uses).startsWith("pulumi/actions@"));
        expect(preview.with).toMatchObject({ command: "preview", diff: true, "comment-on-pr": true, "edit-pr-comment": true });
        const merge = steps.find((s: any) => s.name === "add the rotation plan to the preview comment");
        expect(steps.indexOf(merge)).toBeGreaterThan(steps.indexOf(preview));
        expect(merge.with.script).toContain('readFileSync(path.join(process.env.PROJECT_DIR, "rekey-plan.md")');
        expect(merge.env.PROJECT_DIR).toBe(".");
        expect(w.permissions["pull-requests"]).toBe("write");
    });

    test("the plan step posts a refused change's plan and records the refusal; a bad stack file fails it", () => {
        const w = workflow("rekey-plan.yml");
        const steps = w.jobs.plan.steps;
        const run: string = steps.find((s: any) => s.name === "rekey plan").run;
        const dir = workdir({ "Pulumi.shop.yaml": fixture("Pulumi.shop.yaml") });
        const baseSha = execFileSync("git", ["-C", dir, "rev-parse", "HEAD"], { encoding: "utf8" }).trim();
        mkdirSync(join(dir, "bin"));
        writeFileSync(join(dir, "bin", "npx"), `#!/bin/sh\n[ "$1" = pulumi-rekey ] || exit 127\nshift\nexec node ${JSON.stringify(join(ROOT, "bin", "rekey.js"))} "$@"\n`);
        chmodSync(join(dir, "bin", "npx"), 0o755);
        const step = (text: string) => {
            writeFileSync(join(dir, "Pulumi.shop.yaml"), text);
            const [summary, output] = [join(dir, "summary.md"), join(dir, "output")];
            writeFileSync(output, "");
            const r = spawnSync("bash", ["-e", "-c", run], {
                cwd: dir,
                encoding: "utf8",
                env: { ...process.env, PATH: `${join(dir, "bin")}:${process.env.PATH}`, STACK: "shop", BASE_SHA: baseSha, GITHUB_STEP_SUMMARY: summary, GITHUB_OUTPUT: output },
            });
            return { status: r.status, output: readFileSync(output, "utf8"), plan: readFileSync(join(dir, "rekey-plan.md"), "utf8") };
        };
        const jump = step(fixture("Pulumi.shop.yaml").replace("      epoch: 3\n", "      epoch: 5\n"));
        expect(jump).toMatchObject({ status: 0, output: "refused=true\n" });
        expect(jump.plan).toContain("#### Errors (pulumi up will refuse this change)");
        expect(step(fixture("Pulumi.shop.yaml").replace("      epoch: 3\n", "      epoch: 4\n"))).toMatchObject({ status: 0, output: "refused=false\n" });
        expect(step("config: [not, a, map]\n").status).toBe(1);
        const last = steps[steps.length - 1];
        expect(last.if).toBe("${{ steps.plan.outputs.refused == 'true' }}");
        expect(steps.find((s: any) => s.name === "pulumi preview --diff")["continue-on-error"]).toBe("${{ steps.plan.outputs.refused == 'true' }}");
    });

    test("the stacks job lists the changed stack files with rekey plan --all-stacks, leaving out files without rekey:* keys", () => {
        const w = workflow("rekey-plan.yml");
        const run: string = w.jobs.stacks.steps.find((s: any) => s.id === "changed").run;
        const calm = "config:\n  rekey:secrets:\n    A: { epoch: 1, generate: { encoding: hex, bytes: 16 } }\n";
        const dir = workdir({ "Pulumi.shop.yaml": fixture("Pulumi.shop.yaml"), "Pulumi.calm.yaml": calm });
        const baseSha = execFileSync("git", ["-C", dir, "rev-parse", "HEAD"], { encoding: "utf8" }).trim();
        mkdirSync(join(dir, "bin"));
        writeFileSync(join(dir, "bin", "npx"), `#!/bin/sh\n[ "$1" = pulumi-rekey ] || exit 127\nshift\nexec node ${JSON.stringify(join(ROOT, "bin", "rekey.js"))} "$@"\n`);
        chmodSync(join(dir, "bin", "npx"), 0o755);
        const list = (files: Record<string, string>) => {
            for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
            const output = join(dir, "output");
            writeFileSync(output, "");
            const r = spawnSync("bash", ["-e", "-c", run], { cwd: dir, encoding: "utf8", env: { ...process.env, PATH: `${join(dir, "bin")}:${process.env.PATH}`, BASE_SHA: baseSha, GITHUB_OUTPUT: output } });
            return { status: r.status, output: readFileSync(output, "utf8"), stderr: r.stderr };
        };
        // shop bumped, a new stack file from pulumi stack init, calm unchanged.
        const bumped = list({ "Pulumi.shop.yaml": fixture("Pulumi.shop.yaml").replace("      epoch: 3\n", "      epoch: 4\n"), "Pulumi.fresh.yaml": "encryptionsalt: v1:noENydNMQ0w=:v1:haYMLYFq3HTmggM3:Q0hbY5dkSlUWX4P6VAiwNQhbPLY4Sw==\n" });
        expect(bumped).toMatchObject({ status: 0, output: 'stacks=["shop"]\n' });
        expect(bumped.stderr).toContain("rekey: Pulumi.fresh.yaml changed but has no rekey:* keys: no secrets to rotate");
        // A jump pulumi up refuses (rekey plan exit 1) still lists the stack, and calm joins when it changes.
        expect(list({ "Pulumi.shop.yaml": fixture("Pulumi.shop.yaml").replace("      epoch: 3\n", "      epoch: 5\n"), "Pulumi.calm.yaml": calm.replace("epoch: 1", "epoch: 2") })).toMatchObject({ status: 0, output: 'stacks=["calm","shop"]\n' });
        // A stack file rekey refuses is still listed (its plan job fails with the message); the others too.
        const bad = list({ "Pulumi.calm.yaml": "config: [not, a, map]\n" });
        expect(bad).toMatchObject({ status: 0, output: 'stacks=["calm","shop"]\n' });
        expect(bad.stderr).toContain("rekey: Pulumi.calm.yaml: config is not a map");
        // A base that is no commit fails the job, listing nothing.
        const noBase = spawnSync("bash", ["-e", "-c", run], { cwd: dir, encoding: "utf8", env: { ...process.env, PATH: `${join(dir, "bin")}:${process.env.PATH}`, BASE_SHA: "0".repeat(40), GITHUB_OUTPUT: join(dir, "output2") } });
        expect(noBase.status).not.toBe(0);
        expect(noBase.stderr).toContain("is not a commit in this repository");
    });

    test("the schedule runs rekey due for every stack and fails when one is overdue", () => {
        const w = workflow("rekey-due.yml");
        expect(w.on.schedule).toHaveLength(1);
        const run: string = w.jobs.due.steps.find((s: any) => s.name === "rekey due, every stack").run;
        // Run the step's script as the runner would, with `npx rekey` being this checkout's rekey.
        const dir = workdir(
            {
                "Pulumi.shop.yaml": fixture("Pulumi.shop.yaml"),
                "Pulumi.calm.yaml": "config:\n  rekey:secrets:\n    A: { epoch: 1, generate: { encoding: hex, bytes: 16 } }\n",
                // What pulumi stack init leaves: no rekey:* keys, no secrets, no failure.
                "Pulumi.fresh.yaml": "encryptionsalt: v1:noENydNMQ0w=:v1:haYMLYFq3HTmggM3:Q0hbY5dkSlUWX4P6VAiwNQhbPLY4Sw==\n",
            },
            false,
        );
        mkdirSync(join(dir, "bin"));
        writeFileSync(join(dir, "bin", "npx"), `#!/bin/sh\n[ "$1" = pulumi-rekey ] || exit 127\nshift\nexec node ${JSON.stringify(join(ROOT, "bin", "rekey.js"))} "$@"\n`);
        chmodSync(join(dir, "bin", "npx"), 0o755);
        const summary = join(dir, "summary.md");
        const r = spawnSync("bash", ["-e", "-c", run], {
            cwd: dir,
            encoding: "utf8",
            env: { ...process.env, PATH: `${join(dir, "bin")}:${process.env.PATH}`, WITHIN: "14", GITHUB_STEP_SUMMARY: summary },
        });
        expect(r.status).toBe(1);
        expect(r.stdout).toContain("::error title=rekey due::secrets are overdue for rotation (see the run's summary)");
        expect(r.stderr).toContain("rekey: Pulumi.fresh.yaml has no rekey:* keys: no secrets to rotate");
        const written = readFileSync(summary, "utf8");
        expect(written).toContain("### rekey due: calm");
        expect(written).toContain("### rekey due: fresh");
        expect(written).toContain("### rekey due: shop");
        expect(written).toContain("- **SESSION_SECRET**: due 2026-10-30");
        // Without the overdue stack, the fresh one does not fail the morning run.
        rmSync(join(dir, "Pulumi.shop.yaml"));
        const calm = spawnSync("bash", ["-e", "-c", run], { cwd: dir, encoding: "utf8", env: { ...process.env, PATH: `${join(dir, "bin")}:${process.env.PATH}`, WITHIN: "14", GITHUB_STEP_SUMMARY: summary } });
        expect(calm.status).toBe(0);
        expect(calm.stdout).not.toContain("::error");
    });
});

/**
 * Whether GitHub's `paths:` filter `pattern` matches `path` (docs: "Filter pattern cheat
 * sheet"): `**` any characters, `*` any but `/`, `?` one character, `\\x` the character x.
 * The other specials (`+`, `[]`, a leading `!`) are refused unless escaped: rekey writes none.
 */
function pathFilterMatches(pattern: string, path: string): boolean {
    let re = "";
    for (let i = 0; i < pattern.length; i++) {
        const c = pattern[i];
        if (c === "\\") re += (pattern[++i] ?? "").replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
        else if (c === "*" && pattern[i + 1] === "*") (re += ".*"), i++;
        else if (c === "*") re += "[^/]*";
        else if (c === "?") re += "[^/]";
        else if ("+[]!".includes(c)) throw new Error(`an unescaped ${c} in ${pattern}`);
        else re += c.replace(/[.^${}()|/]/g, "\\$&");
    }
    return new RegExp(`^${re}$`).test(path);
}

describe("scaffolded workflows: rekey init in a subdirectory of a git repository", () => {
    /** A repository with `rekey init infra/secrets --stack prod` committed, and an npx that runs this checkout's CLI. */
    function scaffolded(sub = "infra/secrets") {
        const repo = workdir({}, false);
        git(repo, "init", "-q", "-b", "main");
        const r = rekey(repo, "init", sub, "--stack", "prod", "--name", "secrets");
        expect([r.code, r.stderr]).toEqual([0, ""]);
        git(repo, "add", ".");
        git(repo, "commit", "-q", "-m", "scaffold");
        const bin = workdir({}, false);
        writeFileSync(join(bin, "npx"), `#!/bin/sh\n[ "$1" = pulumi-rekey ] || exit 127\nshift\nexec node ${JSON.stringify(join(ROOT, "bin", "rekey.js"))} "$@"\n`);
        chmodSync(join(bin, "npx"), 0o755);
        const text = (kind: string) => readFileSync(join(repo, ".github", "workflows", `rekey-secrets-${kind}.yml`), "utf8");
        return { repo, bin, text, plan: parse(text("plan")), due: parse(text("due")), base: git(repo, "rev-parse", "HEAD").trim() };
    }

    test("the filter reads GitHub's patterns (control)", () => {
        expect(pathFilterMatches("infra/secrets/Pulumi.*.yaml", "infra/secrets/Pulumi.prod.yaml")).toBe(true);
        expect(pathFilterMatches("infra/secrets/Pulumi.*.yaml", "infra/secrets/sub/Pulumi.prod.yaml")).toBe(false);
        expect(pathFilterMatches("a\\[b\\]/Pulumi.*.yaml", "a[b]/Pulumi.x.yaml")).toBe(true);
        expect(pathFilterMatches("Pulumi.*.yaml", "infra/secrets/Pulumi.prod.yaml")).toBe(false);
    });

    test.each(["plan", "due", "rotate"])("rekey-<project>-%s.yml is valid, and works in the project's directory", (kind) => {
        const { repo, text, plan, due } = scaffolded();
        expect(validateWorkflow(text(kind)).errors).toEqual([]);
        const w = kind === "plan" ? plan : kind === "due" ? due : parse(text(kind));
        const dir: string = w.defaults.run["working-directory"];
        expect(dir).toBe("infra/secrets");
        expect(readdirSync(join(repo, dir))).toContain("Pulumi.yaml");
        for (const job of Object.values<any>(w.jobs)) {
            const node = job.steps.find((s: any) => String(s.uses).startsWith("actions/setup-node@"));
            expect(node.with["cache-dependency-path"]).toBe("infra/secrets/package-lock.json");
            // No step of its own overrides the directory.
            expect(job.steps.filter((s: any) => s["working-directory"] !== undefined)).toEqual([]);
        }
    });

    test("pull requests trigger it by the project's stack files only; two projects' runs do not cancel each other", () => {
        const { plan } = scaffolded();
        const [filter] = plan.on.pull_request.paths;
        expect(plan.on.pull_request.paths).toHaveLength(1);
        expect(pathFilterMatches(filter, "infra/secrets/Pulumi.prod.yaml")).toBe(true);
        expect(pathFilterMatches(filter, "infra/secrets/Pulumi.staging.yaml")).toBe(true);
        for (const other of ["Pulumi.prod.yaml", "infra/other/Pulumi.prod.yaml", "infra/secrets/index.ts"]) expect(pathFilterMatches(filter, other)).toBe(false);
        expect(plan.concurrency.group).toBe("rekey-plan-secrets-${{ github.event.pull_request.number }}");
        const preview = plan.jobs.plan.steps.find((s: any) => String(s.uses).startsWith("pulumi/actions@"));
        expect(preview.with["work-dir"]).toBe("infra/secrets");
    });

    test("its commands work where the runner runs them: the stacks list, the plan, the comment, and due", async () => {
        const { repo, bin, plan, due, base } = scaffolded();
        const cwd = join(repo, plan.defaults.run["working-directory"]);
        const env = (more: Record<string, string>) => ({ ...process.env, PATH: `${bin}:${process.env.PATH}`, ...more });
        // The PR bumps the secret.
        expect(rekey(cwd, "bump", "APP_SECRET", "--stack", "prod", "--date", "2026-11-20").code).toBe(0);
        const output = join(bin, "output");
        writeFileSync(output, "");
        const changed = spawnSync("bash", ["-e", "-c", plan.jobs.stacks.steps.find((s: any) => s.id === "changed").run], { cwd, encoding: "utf8", env: env({ BASE_SHA: base, GITHUB_OUTPUT: output }) });
        expect([changed.status, readFileSync(output, "utf8")]).toEqual([0, 'stacks=["prod"]\n']);
        writeFileSync(output, "");
        const summary = join(bin, "summary.md");
        const planStep = spawnSync("bash", ["-e", "-c", plan.jobs.plan.steps.find((s: any) => s.name === "rekey plan").run], {
            cwd,
            encoding: "utf8",
            env: env({ BASE_SHA: base, STACK: "prod", GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary }),
        });
        expect([planStep.status, readFileSync(output, "utf8")]).toEqual([0, "refused=false\n"]);
        expect(readFileSync(join(cwd, "rekey-plan.md"), "utf8")).toContain("- **APP_SECRET** rotated: epoch 0 → 1");
        // The comment step (actions/github-script) runs at the repository's root, as on the runner.
        const step = plan.jobs.plan.steps.find((s: any) => s.name === "add the rotation plan to the preview comment");
        const posted: string[] = [];
        const github = { paginate: async () => [], rest: { issues: { listComments: null, createComment: async (c: { body: string }) => void posted.push(c.body) } } };
        const context = { repo: { owner: "o", repo: "r" }, payload: { pull_request: { number: 7 } } };
        const saved = { cwd: process.cwd(), env: { ...process.env } };
        try {
            process.chdir(repo);
            Object.assign(process.env, { STACK: "prod", PROJECT_DIR: step.env.PROJECT_DIR });
            const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor;
            await new AsyncFunction("require", "github", "context", step.with.script)(require, github, context);
        } finally {
            process.chdir(saved.cwd);
            process.env = saved.env;
        }
        expect(posted).toHaveLength(1);
        expect(posted[0].startsWith("#### :tropical_drink: `preview` on secrets/prod\n\n### rekey plan: prod")).toBe(true);
        const dueStep = spawnSync("bash", ["-e", "-c", due.jobs.due.steps.find((s: any) => s.name === "rekey due, every stack").run], { cwd, encoding: "utf8", env: env({ WITHIN: "14", GITHUB_STEP_SUMMARY: summary }) });
        expect(dueStep.status).toBe(0);
        expect(readFileSync(summary, "utf8")).toContain("### rekey due: prod");
    });
});
