// The GitHub workflows of the PR flow: valid against the workflow schema, wired to the rekey
// command, and the scheduled `rekey due` loop run for real on fixture stacks.
import { validateWorkflow } from "@action-validator/core";
import { execFileSync, spawnSync } from "child_process";
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import { join } from "path";
import { parse } from "yaml";
import { fixture, removeWorkdirs, workdir } from "./harness/cli";
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

    test("pull requests touching a stack file get rekey plan and pulumi preview --diff in one comment", () => {
        const w = workflow("rekey-plan.yml");
        expect(w.on.pull_request.paths).toEqual(["Pulumi.*.yaml"]);
        const steps = w.jobs.plan.steps;
        const planStep = steps.find((s: any) => s.name === "rekey plan");
        expect(planStep.run).toContain('npx rekey plan --stack "$STACK" --base "$BASE_SHA" > rekey-plan.md');
        const preview = steps.find((s: any) => String(s.uses).startsWith("pulumi/actions@"));
        expect(preview.with).toMatchObject({ command: "preview", diff: true, "comment-on-pr": true, "edit-pr-comment": true });
        const merge = steps.find((s: any) => s.name === "add the rotation plan to the preview comment");
        expect(steps.indexOf(merge)).toBeGreaterThan(steps.indexOf(preview));
        expect(merge.with.script).toContain('readFileSync("rekey-plan.md"');
        expect(w.permissions["pull-requests"]).toBe("write");
    });

    test("the plan step posts a refused change's plan and records the refusal; a bad stack file fails it", () => {
        const w = workflow("rekey-plan.yml");
        const steps = w.jobs.plan.steps;
        const run: string = steps.find((s: any) => s.name === "rekey plan").run;
        const dir = workdir({ "Pulumi.shop.yaml": fixture("Pulumi.shop.yaml") });
        const baseSha = execFileSync("git", ["-C", dir, "rev-parse", "HEAD"], { encoding: "utf8" }).trim();
        mkdirSync(join(dir, "bin"));
        writeFileSync(join(dir, "bin", "npx"), `#!/bin/sh\n[ "$1" = rekey ] || exit 127\nshift\nexec node ${JSON.stringify(join(ROOT, "bin", "rekey.js"))} "$@"\n`);
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
        writeFileSync(join(dir, "bin", "npx"), `#!/bin/sh\n[ "$1" = rekey ] || exit 127\nshift\nexec node ${JSON.stringify(join(ROOT, "bin", "rekey.js"))} "$@"\n`);
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
        writeFileSync(join(dir, "bin", "npx"), `#!/bin/sh\n[ "$1" = rekey ] || exit 127\nshift\nexec node ${JSON.stringify(join(ROOT, "bin", "rekey.js"))} "$@"\n`);
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
