// `rekey status`, `--all-stacks` for status and due (a stack file without rekey:* keys has
// no secrets: a note and exit 0), `--version`, `rekey help <command>`, and "did you mean".
import { fixture, git, read, rekey, removeWorkdirs, workdir, write } from "../harness/cli";

afterAll(removeWorkdirs);
const SHOP = "Pulumi.shop.yaml";
// What `pulumi stack init dev` leaves: only the salt.
const FRESH = "encryptionsalt: v1:noENydNMQ0w=:v1:haYMLYFq3HTmggM3:Q0hbY5dkSlUWX4P6VAiwNQhbPLY4Sw==\n";

test("rekey status: every secret's source, epoch, dates, next due, stores, consumers, hook, keepPrevious, incident", () => {
    const dir = workdir({ [SHOP]: fixture(SHOP) });
    const r = rekey(dir, "status", "--stack", "shop", "--json");
    expect(r).toMatchObject({ code: 0, stderr: "" });
    const json = JSON.parse(r.stdout);
    expect(json.stack).toBe("shop");
    expect(json.secrets.find((s: { name: string }) => s.name === "SESSION_SECRET")).toEqual({
        name: "SESSION_SECRET",
        source: "generate",
        epoch: 3,
        rotatedAt: "2026-08-01",
        cadenceDays: 90,
        nextDue: "2026-10-30",
        stores: ["ssm:/shop/SESSION_SECRET", "kubernetes:shop/shop-secrets#SESSION_SECRET"],
        consumers: ["api", "worker"],
        hook: null,
        issues: null,
        keepPrevious: true,
        incident: null,
        // What its rotations prove (docs/proof.md, "The record").
        proof: {
            stores: { "ssm:/shop/SESSION_SECRET": "read back", "kubernetes:shop/shop-secrets#SESSION_SECRET": "read back" },
            consumers: { api: "not proved: its verify asks no proof (verify.proof)", worker: "not proved: its verify is a command, which reports no fingerprints" },
        },
    });
    const text = rekey(dir, "status", "--stack", "shop").stdout;
    expect(text).toContain("| SESSION_SECRET | generate | 3 | 2026-08-01 | 2026-10-30 | `ssm:/shop/SESSION_SECRET`, `kubernetes:shop/shop-secrets#SESSION_SECRET` | api, worker |  | yes |  | 2/2 stores read back, 0/2 consumers prove |");
    expect(text).toContain("Not proved by a rotation:\n\n- SESSION_SECRET: consumer api not proved: its verify asks no proof (verify.proof)\n");
    expect(text).toMatch(/^### rekey status: shop\n\n\| secret \| source \| epoch \| rotatedAt \| next due \|/);
    expect(text).toContain("| SESSION_SECRET | generate | 3 | 2026-08-01 | 2026-10-30 | `ssm:/shop/SESSION_SECRET`, `kubernetes:shop/shop-secrets#SESSION_SECRET` | api, worker |  | yes |  |");
});

test("--all-stacks: one section per stack; a stack file without rekey:* keys is a note, never a failure", () => {
    const dir = workdir({ [SHOP]: fixture(SHOP), "Pulumi.dev.yaml": FRESH });
    const s = rekey(dir, "status", "--all-stacks", "--json");
    expect(s.code).toBe(0);
    expect(JSON.parse(s.stdout).stacks.map((x: { stack: string; secrets: unknown[] }) => [x.stack, x.secrets.length])).toEqual([["dev", 0], ["shop", 7]]);
    expect(s.stderr).toBe("rekey: Pulumi.dev.yaml has no rekey:* keys: no secrets to rotate\n");
    // due: the fresh stack alone is exit 0 (the daily workflow no longer fails on it); shop has overdue secrets.
    expect(rekey(dir, "due", "--stack", "dev")).toMatchObject({ code: 0, stderr: "rekey: Pulumi.dev.yaml has no rekey:* keys: no secrets to rotate\n" });
    const due = rekey(dir, "due", "--all-stacks", "--today", "2026-11-22");
    expect(due.code).toBe(1);
    expect(due.stdout).toContain("### rekey due: dev (today 2026-11-22)\n\nNo secrets (no rekey:* keys in the stack file).\n");
    expect(due.stdout).toContain("### rekey due: shop (today 2026-11-22)");
    const json = JSON.parse(rekey(dir, "due", "--all-stacks", "--today", "2026-11-22", "--json").stdout);
    expect(json.stacks.map((x: { stack: string; noSecrets?: boolean }) => [x.stack, x.noSecrets ?? false])).toEqual([["dev", true], ["shop", false]]);
    expect(rekey(dir, "due", "--stack", "shop", "--all-stacks").stderr).toBe("rekey: give --stack or --all-stacks, not both\n");
    expect(rekey(dir, "status").stderr).toBe("rekey: name the stack with --stack <stack>, or give --all-stacks\n");
});

test("plan --stack on a stack file without rekey:* keys: nothing rotates, exit 0; at a base that had secrets, the planner's refusal", () => {
    const dir = workdir({ "Pulumi.dev.yaml": FRESH, "had.yaml": fixture(SHOP) });
    for (const args of [["--base-file", "Pulumi.dev.yaml"], ["--base", "HEAD"]]) {
        const r = rekey(dir, "plan", "--stack", "dev", ...args);
        expect(r).toMatchObject({ code: 0, stderr: "rekey: Pulumi.dev.yaml has no rekey:* keys: no secrets to rotate\n" });
        expect(r.stdout).toContain("This change rotates nothing: no secret value, store or consumer changes.\n\n#### Notes\n- Pulumi.dev.yaml has no rekey:* keys: no secrets to rotate\n");
    }
    // A new stack file (not at the base): the same, and JSON has the report's shape.
    git(dir, "rm", "-q", "--cached", "Pulumi.dev.yaml");
    git(dir, "commit", "-qm", "no dev");
    const json = JSON.parse(rekey(dir, "plan", "--stack", "dev", "--base", "HEAD", "--json").stdout);
    expect(json).toMatchObject({ stack: "dev", base: "HEAD", newStack: true, rotates: false, errors: [], notes: ["Pulumi.dev.yaml has no rekey:* keys: no secrets to rotate"] });
    expect(json.secrets).toEqual({ added: [], removed: [], rotated: [], suppliedChanged: [], derived: [], redefined: [] });
    // Every rekey:* key removed from a stack that had secrets: pulumi up refuses it, and so does plan.
    expect(rekey(dir, "plan", "--stack", "dev", "--base-file", "had.yaml")).toEqual({
        code: 2,
        stdout: "",
        stderr: "rekey: Pulumi.dev.yaml: invalid rekey configuration, 1 problem:\n  - rekey:secrets: is required: the inventory of secrets to rotate\n",
    });
});

test("--all-stacks: a refused stack file is its own section and error (exit 2); every other stack is still reported", () => {
    const broken = fixture(SHOP).replace("      cadenceDays: 90\n", "      cadenceDays: ninety\n");
    const problem = 'Pulumi.broken.yaml: invalid rekey configuration, 1 problem:\n  - secret SESSION_SECRET, field cadenceDays: expected number, got a string of 6 characters';
    const dir = workdir({ [SHOP]: fixture(SHOP), "Pulumi.broken.yaml": broken, "Pulumi.dev.yaml": FRESH, "Pulumi.yaml.yaml": "config: [not, a, map]\n" });
    const notYaml = "Pulumi.yaml.yaml: config is not a map";
    const st = rekey(dir, "status", "--all-stacks");
    expect(st.code).toBe(2);
    expect(st.stdout).toContain(`### rekey status: broken\n\nRefused (exit 2):\n\n    ${problem.replace("\n", "\n    ")}\n`);
    expect(st.stdout).toContain("### rekey status: shop\n\n| secret |");
    expect(st.stderr).toBe(`rekey: Pulumi.dev.yaml has no rekey:* keys: no secrets to rotate\nrekey: ${problem}\nrekey: ${notYaml}\n`);
    const json = JSON.parse(rekey(dir, "status", "--all-stacks", "--json").stdout);
    expect(json.stacks.map((x: { stack: string; secrets: unknown[]; error?: string }) => [x.stack, x.secrets.length, x.error ?? null])).toEqual([["broken", 0, problem], ["dev", 0, null], ["shop", 7, null], ["yaml", 0, notYaml]]);
    // due: the overdue secrets of shop are still listed; the refusal makes it exit 2, not 1.
    const due = rekey(dir, "due", "--all-stacks", "--today", "2026-11-22");
    expect(due.code).toBe(2);
    expect(due.stdout).toContain("### rekey due: shop (today 2026-11-22)");
    expect(due.stdout).toContain("### rekey due: broken (today 2026-11-22)\n\nRefused (exit 2):");
    const dueJson = JSON.parse(rekey(dir, "due", "--all-stacks", "--today", "2026-11-22", "--json").stdout);
    expect(dueJson.stacks.find((x: { stack: string }) => x.stack === "broken")).toEqual({ stack: "broken", today: "2026-11-22", within: 0, overdue: [], undated: [], dueSoon: [], error: problem });
    // One named stack: its error is the command's, as before.
    expect(rekey(dir, "status", "--stack", "broken")).toEqual({ code: 2, stdout: "", stderr: `rekey: ${problem}\n` });
    // plan --all-stacks lists the refused file with its error, plans the others.
    write(dir, SHOP, read(dir, SHOP).replace("      epoch: 3\n", "      epoch: 4\n"));
    for (const f of ["Pulumi.broken.yaml", "Pulumi.yaml.yaml"]) write(dir, f, read(dir, f) + "# touched\n");
    const plan = JSON.parse(rekey(dir, "plan", "--all-stacks", "--base", "HEAD", "--json").stdout);
    expect(plan.stacks.map((x: { stack: string; error?: string }) => [x.stack, x.error ?? null])).toEqual([["broken", problem], ["shop", null], ["yaml", notYaml]]);
    expect(plan.stacks[1].secrets.rotated).toEqual([{ name: "SESSION_SECRET", source: "generate", from: 3, to: 4 }]);
    expect(rekey(dir, "plan", "--all-stacks", "--base", "HEAD").code).toBe(2);
    // A --base that is no commit is the command's one error, not one per stack.
    expect(rekey(dir, "plan", "--all-stacks", "--base", "no-such-ref")).toEqual({ code: 2, stdout: "", stderr: "rekey: --base no-such-ref is not a commit in this repository\n" });
});

test("an empty inventory is told apart from a file without rekey:* keys", () => {
    const dir = workdir({ "Pulumi.empty.yaml": "config:\n  rekey:secrets: {}\n", "Pulumi.dev.yaml": FRESH }, false);
    const r = rekey(dir, "status", "--all-stacks");
    expect(r).toMatchObject({ code: 0, stderr: "rekey: Pulumi.dev.yaml has no rekey:* keys: no secrets to rotate\n" });
    expect(r.stdout).toBe("### rekey status: dev\n\nNo secrets (no rekey:* keys in the stack file).\n\n### rekey status: empty\n\nNo secrets (rekey:secrets is empty).\n");
});

test("a stack that does not exist lists those that do; a secret name off by a letter gets a suggestion", () => {
    const dir = workdir({ [SHOP]: fixture(SHOP), "Pulumi.dev.yaml": FRESH });
    expect(rekey(dir, "status", "--stack", "prod").stderr).toMatch(/^rekey: cannot read \/.*\/Pulumi\.prod\.yaml: no such file \(the stacks here: dev, shop\)\n$/);
    expect(rekey(dir, "bump", "SESION_SECRET", "--stack", "shop").stderr).toMatch(/^rekey: unknown secret SESION_SECRET in Pulumi\.shop\.yaml: did you mean SESSION_SECRET\? \(it has: /);
});

test("--version and rekey help <command>", () => {
    const dir = workdir({}, false);
    const v = rekey(dir, "--version");
    expect(v).toEqual({ code: 0, stdout: `${require("../../package.json").version}\n`, stderr: "" });
    const h = rekey(dir, "help", "bump");
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/^Usage: rekey bump \[options\] \[NAME\.\.\.\]/);
    expect(h.stdout).toContain("--incident <reason>");
});

test("plan --all-stacks: a section for each stack whose file changed from the base, none for the others", () => {
    const dir = workdir({ [SHOP]: fixture(SHOP), "Pulumi.other.yaml": fixture(SHOP), "Pulumi.dev.yaml": FRESH });
    expect(rekey(dir, "plan", "--all-stacks")).toMatchObject({ code: 0, stdout: "No stack file changed: nothing rotates.\n" });
    write(dir, SHOP, read(dir, SHOP).replace("      epoch: 3\n", "      epoch: 4\n"));
    write(dir, "Pulumi.dev.yaml", FRESH + "config:\n  aws:region: eu-west-1\n");
    const r = rekey(dir, "plan", "--all-stacks");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^### rekey plan: shop\n/);
    expect(r.stdout).toContain("- **SESSION_SECRET** rotated: epoch 3 → 4");
    expect(r.stdout).not.toContain("### rekey plan: other");
    expect(r.stderr).toBe("rekey: Pulumi.dev.yaml changed but has no rekey:* keys: no secrets to rotate\n");
    const json = JSON.parse(rekey(dir, "plan", "--all-stacks", "--json").stdout);
    expect(json.stacks.map((x: { stack: string }) => x.stack)).toEqual(["shop"]);
    // A second step in one change makes the whole run fail, as for one stack.
    write(dir, "Pulumi.other.yaml", read(dir, "Pulumi.other.yaml").replace("      epoch: 3\n", "      epoch: 5\n"));
    expect(rekey(dir, "plan", "--all-stacks").code).toBe(1);
    expect(rekey(dir, "plan", "--all-stacks", "--base-file", "x.yaml").stderr).toBe("rekey: --base-file is one stack's file: give --stack with it, or --base <git-ref> with --all-stacks\n");
});
