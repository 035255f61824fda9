import { execFileSync } from "child_process";
import { readFileSync, writeFileSync } from "fs";
import { join } from "path";
import { TODAY, fixture, git, rekey, rekeyBuilt, rekeyOn, removeWorkdirs, workdir } from "../harness/cli";
import { describeNeeding, isRoot } from "../harness/requirements";

const SHOP = "Pulumi.shop.yaml";
afterAll(removeWorkdirs);

describe("bad arguments and unreadable files exit 2 with one message", () => {
    test.each([
        [[], "rekey: name a command: bump, rollback, plan, due, status, import or init (rekey --help)\n"],
        [["rotate", "X"], "rekey: unknown command 'rotate'\n"],
        [["plan"], "rekey: name the stack with --stack <stack>, or give --all-stacks\n"],
        [["plan", "--stack", "shop", "--frobnicate"], "rekey: unknown option '--frobnicate'\n"],
        [["rollback", "--stack", "shop"], "rekey: missing required argument 'NAME'\n"],
        [["plan", "--stack", "../etc/passwd"], 'rekey: --stack "../etc/passwd" is not a stack name (letters, digits, "_", "." and "-")\n'],
        [["due", "--stack", "nosuch"], expect.stringMatching(/^rekey: cannot read \/.*\/Pulumi\.nosuch\.yaml: no such file \(the stacks here: shop\)\n$/)],
        [["due", "--stack", "shop", "--today", "22/11/2026"], "rekey: --today (a string of 10 characters, not shown) is not a date written YYYY-MM-DD\n"],
        [["due", "--stack", "shop", "--today", "2026-02-30"], 'rekey: --today "2026-02-30" is a date that does not exist\n'],
        [["bump", "SESSION_SECRET", "--stack", "shop", "--date", "2026-13-01"], 'rekey: --date "2026-13-01" is a date that does not exist\n'],
        [["bump", "SESSION_SECRET", "--stack", "shop", "--date", "2999-01-01"], 'rekey: --date "2999-01-01" is in the future (today is 2026-11-22, UTC)\n'],
        [["bump", "SESSION_SECRET", "--stack", "shop", "--reason", ""], "rekey: --reason needs text: leave it out to write no reason\n"],
        [["due", "--stack", "shop", "--within", "soon"], "rekey: --within (a string of 4 characters, not shown) is not a number of days\n"],
        [["due", "--stack", "shop", "--within", "-3"], 'rekey: --within "-3" is not a number of days\n'],
        [["plan", "--stack", "shop", "--base", "HEAD", "--base-file", "x.yaml"], "rekey: give --base or --base-file, not both\n"],
        [["plan", "--stack", "shop", "--base", "no-such-branch"], "rekey: --base no-such-branch is not a commit in this repository\n"],
        [["plan", "--stack", "shop", "--base-file", "missing.yaml"], "rekey: cannot read --base-file missing.yaml: no such file\n"],
    ])("%j", (args, message) => {
        const dir = workdir({ [SHOP]: fixture(SHOP) });
        expect(rekey(dir, ...(args as string[]))).toEqual({ code: 2, stdout: "", stderr: message });
    });

    test("outside a git repository, plan without --base plans the stack file as new, saying why; --base is refused", () => {
        const dir = workdir({ [SHOP]: fixture(SHOP) }, false);
        const r = rekey(dir, "plan", "--stack", "shop");
        expect([r.code, r.stderr]).toEqual([0, ""]);
        expect(r.stdout).toContain("New stack: no base to compare with (the stack file's directory is not in a git repository: nothing is committed, so every stack file is new (--base-file <path> compares with a file)).");
        expect(r.stdout).toMatch(/^- \*\*SESSION_SECRET\*\* added/m);
        expect(rekey(dir, "plan", "--all-stacks").stdout).toContain("### rekey plan: shop");
        expect(rekey(dir, "plan", "--stack", "shop", "--base", "main")).toEqual({ code: 2, stdout: "", stderr: `rekey: ${dir} is not in a git repository: --base names a git commit; give the base version with --base-file <path>\n` });
    });

    test("in a git repository without a commit yet, plan without --base plans every stack file as new; bump says it could not check", () => {
        const dir = workdir({ [SHOP]: fixture(SHOP) }, false);
        git(dir, "init", "-q", "-b", "main");
        const r = rekey(dir, "plan", "--all-stacks");
        expect([r.code, r.stderr]).toEqual([0, ""]);
        expect(r.stdout).toContain("New stack: no base to compare with (the git repository has no commit yet: nothing is committed, so every stack file is new).");
        const bump = rekey(dir, "bump", "SESSION_SECRET", "--stack", "shop");
        expect(bump.code).toBe(0);
        expect(bump.stderr).toContain("could not check the epochs against a base, so a second step in one change is not caught here (pulumi up still refuses it): the git repository has no commit yet");
    });

    /** A repository with one commit of the stack file on main, and the epoch moved two steps since (what plan must catch). */
    const movedTwice = () => {
        const dir = workdir({ [SHOP]: fixture(SHOP) }, false);
        git(dir, "init", "-q", "-b", "main");
        git(dir, "add", SHOP);
        git(dir, "commit", "-q", "-m", "shop");
        writeFileSync(join(dir, SHOP), fixture(SHOP).replace(/(SESSION_SECRET:\n\s+epoch: )(\d+)/, (_m, head: string, n: string) => `${head}${Number(n) + 2}`));
        return dir;
    };

    test("the fixture's epoch edit is one plan refuses against the committed base (the cases below hide it from git)", () => {
        const dir = movedTwice();
        expect(rekeyBuilt(dir, "", ["plan", "--stack", "shop"]).code).toBe(1);
    });

    // Any git failure but "not a git repository" stops plan and bump (exit 2, naming git's
    // error): taken for "no repository", it called every stack new and hid the epoch jump.
    const refusedWith = (dir: string, env: string, message: RegExp) => {
        for (const args of [["plan", "--stack", "shop"], ["plan", "--all-stacks"], ["bump", "MAIL_API_KEY", "--stack", "shop"]]) {
            const r = rekeyBuilt(dir, env, args);
            expect({ args, code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ args, code: 2, stdout: "", stderr: expect.stringMatching(message) });
        }
        expect(readFileSync(join(dir, SHOP), "utf8")).not.toContain(`rotatedAt: "${TODAY}"`);
    };
    test.each([
        ["git is not on PATH", "PATH=/nonexistent-rekey-test", /^rekey: cannot run git \(not found on PATH\): the base stack file is read from git; install git, or give the base with --base-file <path>\n$/],
        ["GIT_DIR names no repository", "GIT_DIR=/nonexistent-rekey-test", /^rekey: git cannot read the repository around \/.* \(fatal: not a git repository: '\/nonexistent-rekey-test'\): fix that, or give the base with --base-file <path>\n$/],
    ])("%s: plan and bump exit 2 naming the git error, never \"new stack\"", (_what, env, message) => {
        refusedWith(movedTwice(), env, message);
    });
    describeNeeding("root", isRoot, "run the tests as root (the repository is chowned to another user)", "a repository git refuses", () => {
        test("owned by another user (dubious ownership): plan and bump exit 2 naming the git error", () => {
            const dir = movedTwice();
            execFileSync("chown", ["-R", "65534:65534", dir]);
            refusedWith(dir, "GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1", /^rekey: git cannot read the repository around \/.* \(fatal: detected dubious ownership in repository at '.*'\): fix that, or give the base with --base-file <path>\n$/);
        });
    });

    test("an orphan branch in a repository with commits is no repository without commits: plan asks for --base; --base works", () => {
        const dir = workdir({ [SHOP]: fixture(SHOP) }, false);
        git(dir, "init", "-q", "-b", "trunk");
        git(dir, "add", SHOP);
        git(dir, "commit", "-q", "-m", "shop");
        git(dir, "checkout", "-q", "--orphan", "feature");
        writeFileSync(join(dir, SHOP), fixture(SHOP).replace(/(SESSION_SECRET:\n\s+epoch: )(\d+)/, (_m, head: string, n: string) => `${head}${Number(n) + 2}`));
        // No default branch found (trunk is none of origin/HEAD, main, master).
        expect(rekey(dir, "plan", "--stack", "shop")).toEqual({ code: 2, stdout: "", stderr: "rekey: cannot find the default branch (no origin/HEAD, main or master): give --base <git-ref>\n" });
        // A default branch, and HEAD an orphan: no merge base to find.
        git(dir, "branch", "-m", "trunk", "main");
        expect(rekey(dir, "plan", "--all-stacks")).toEqual({ code: 2, stdout: "", stderr: "rekey: HEAD has no commit yet (a new or orphan branch) and so no merge base with main: give --base <git-ref>\n" });
        // An orphan commit: unrelated histories.
        git(dir, "commit", "-q", "--allow-empty", "-m", "orphan");
        expect(rekey(dir, "plan", "--stack", "shop")).toEqual({ code: 2, stdout: "", stderr: "rekey: HEAD and main have no merge base (unrelated histories): give --base <git-ref>\n" });
        expect(rekey(dir, "plan", "--stack", "shop", "--base", "main").code).toBe(1);
    });

    test("a stack file that is not YAML names the line", () => {
        const dir = workdir({ [SHOP]: "config:\n  rekey:secrets: [\n" }, false);
        expect(rekey(dir, "due", "--stack", "shop")).toEqual({ code: 2, stdout: "", stderr: expect.stringMatching(/^rekey: Pulumi\.shop\.yaml is not valid YAML: line \d+, column \d+: .+\n$/) });
    });

    test("an invalid configuration lists every problem in the one message", () => {
        const broken = fixture(SHOP).replace("      cadenceDays: 90\n", "      cadenceDays: ninety\n").replace("consumers: [mailer]", "consumers: [mailman]");
        const dir = workdir({ [SHOP]: broken }, false);
        expect(rekey(dir, "due", "--stack", "shop")).toEqual({
            code: 2,
            stdout: "",
            stderr:
                "rekey: Pulumi.shop.yaml: invalid rekey configuration, 2 problems:\n" +
                '  - secret SESSION_SECRET, field cadenceDays: expected number, got a string of 6 characters\n' +
                '  - secret MAIL_API_KEY, field consumers: unknown consumer "mailman" (not in rekey:consumers)\n',
        });
    });

    test("a rotatedAt after today (the clock's, UTC) is a validation problem for every command that plans the file", () => {
        const future = fixture(SHOP).replace('rotatedAt: "2026-08-01"', 'rotatedAt: "2026-11-23"');
        const message =
            "rekey: Pulumi.shop.yaml: invalid rekey configuration, 1 problem:\n" +
            '  - secret SESSION_SECRET, field rotatedAt: "2026-11-23" is in the future (today is 2026-11-22, UTC): it is the day the current epoch was rotated, and a later one puts off when the secret is due; rekey bump writes today\n';
        for (const args of [
            ["status", "--stack", "shop"],
            ["status", "--all-stacks"],
            ["due", "--stack", "shop"],
            // --today is the day to check against, not the clock: a later one does not excuse the date.
            ["due", "--all-stacks", "--today", "2027-01-01"],
            ["plan", "--stack", "shop", "--base-file", SHOP],
            ["bump", "MAIL_API_KEY", "--stack", "shop", "--base-file", SHOP],
            ["import", "--stack", "shop"],
        ]) {
            const dir = workdir({ [SHOP]: future }, false);
            const r = rekey(dir, ...args);
            // --all-stacks reports the refused stack as a section of its own (stackFile.ts eachStack).
            const stdout = args.includes("--all-stacks") ? expect.stringContaining("Refused (exit 2):\n\n    Pulumi.shop.yaml: invalid rekey configuration, 1 problem:\n") : "";
            expect([args, r]).toEqual([args, { code: 2, stdout, stderr: message }]);
            expect(readFileSync(join(dir, SHOP), "utf8")).toBe(future);
        }
        // On 2026-11-23 the same file is valid.
        const dir = workdir({ [SHOP]: future }, false);
        expect(rekeyOn("2026-11-23", dir, "status", "--stack", "shop").code).toBe(0);
        expect(rekeyOn("2026-11-23", dir, "bump", "SESSION_SECRET", "--stack", "shop", "--base-file", SHOP).code).toBe(0);
        expect(readFileSync(join(dir, SHOP), "utf8")).toContain('epoch: 4\n      rotatedAt: "2026-11-23"');
    });

    test("a rotatedAt in the base version is not compared with today: plan shows the fix", () => {
        const future = fixture(SHOP).replace('rotatedAt: "2026-08-01"', 'rotatedAt: "2026-12-25"');
        const dir = workdir({ [SHOP]: fixture(SHOP), "base.yaml": future }, false);
        const r = rekey(dir, "plan", "--stack", "shop", "--base-file", "base.yaml");
        expect(r.code).toBe(0);
        expect(r.stderr).toBe("");
    });

    test("rekey:supplied encrypted as one value cannot be listed without decrypting", () => {
        const oneBlob = fixture(SHOP).replace(/  rekey:supplied:\n[\s\S]*$/, "  rekey:supplied:\n    secure: v1:AAAAAAAAAAAAAAAA:AAAA\n");
        const dir = workdir({ [SHOP]: oneBlob }, false);
        expect(rekey(dir, "due", "--stack", "shop").stderr).toBe(
            "rekey: Pulumi.shop.yaml: rekey:supplied is encrypted as one value, so its names cannot be read without decrypting; set each entry with pulumi config set --secret --path 'rekey:supplied.NAME'\n",
        );
    });

    test("--help and --version-free usage exit 0", () => {
        const r = rekey(workdir({}, false), "--help");
        expect(r.code).toBe(0);
        expect(r.stdout).toContain("Usage: rekey [options] [command]");
        expect(r.stdout).toMatch(/bump .*\n[\s\S]*rollback[\s\S]*plan[\s\S]*due/);
    });
});

// A password pasted where a boolean belongs (issue 21): every command that plans the file
// describes it by type and length and never prints it, in one stack's message and in an
// --all-stacks section alike (components/plan/shown.ts).
// What is typed where a secret's name, a stack, a project name, a date, a number or a flag
// belongs is shown only when it has that thing's shape (components/plan/shown.ts): a value
// typed in the wrong place (`rekey bump TOKEN <value>`) is most often a password.
describe("a password typed where a name, a date or a flag belongs is described, never printed", () => {
    const PASTED = "Hunter2 pw sk_live 4eC39HqLyjWDarjtT1zdp7dc";
    const SHAPED = "Hunter2pwXYZsk4eC39HqLyjWDarjtT1zdp7dc";
    test.each([
        [["bump", PASTED, "--stack", "shop"], "rekey: unknown secret (a string of 43 characters, not shown) in Pulumi.shop.yaml"],
        [["bump", "SESSION_SECRET", PASTED, "--stack", "shop"], "rekey: unknown secret (a string of 43 characters, not shown) in Pulumi.shop.yaml"],
        [["rollback", PASTED, "--stack", "shop"], "rekey: unknown secret (a string of 43 characters, not shown) in Pulumi.shop.yaml"],
        [["plan", "--stack", PASTED], 'rekey: --stack (a string of 43 characters, not shown) is not a stack name (letters, digits, "_", "." and "-")\n'],
        [["due", "--stack", `org/${PASTED}`], 'rekey: --stack (a string of 47 characters, not shown) is not a stack name (letters, digits, "_", "." and "-")\n'],
        [["init", "--stack", PASTED], 'rekey: --stack (a string of 43 characters, not shown) is not a stack name (letters, digits, "_", "." and "-")\n'],
        [["init", "--name", PASTED], "rekey: --name (a string of 43 characters, not shown) is not a Pulumi project name"],
        [["due", "--stack", "shop", "--today", SHAPED], "rekey: --today (a string of 38 characters, not shown) is not a date written YYYY-MM-DD\n"],
        [["bump", "SESSION_SECRET", "--stack", "shop", "--date", SHAPED], "rekey: --date (a string of 38 characters, not shown) is not a date written YYYY-MM-DD\n"],
        [["due", "--stack", "shop", "--within", SHAPED], "rekey: --within (a string of 38 characters, not shown) is not a number of days\n"],
        [["due", "--stack", "shop", `--stak=${SHAPED}`], "rekey: unknown option (a string of 45 characters, not shown)\n"],
        [["bump", "SESSION_SECRET", "--stack", "shop", `-${SHAPED}`], "rekey: unknown option (a string of 39 characters, not shown)\n"],
        [[PASTED, "--stack", "shop"], "rekey: unknown command (a string of 43 characters, not shown)\n"],
        [["plan", "--stack", "shop", "--base", PASTED], "rekey: --base (a string of 43 characters, not shown) is not a commit in this repository\n"],
        [["plan", "--stack", "shop", "--base-file", PASTED], "rekey: cannot read --base-file (a string of 43 characters, not shown): no such file\n"],
    ])("%j", (args, start) => {
        const dir = workdir({ [SHOP]: fixture(SHOP) });
        const r = rekey(dir, ...(args as string[]));
        expect(r.code).toBe(2);
        expect(r.stderr.startsWith(start)).toBe(true);
        for (const out of [r.stdout, r.stderr]) {
            expect(out).not.toContain("4eC39HqLyjWDarjtT1zdp7dc");
            expect(out).not.toContain("Hunter2");
        }
    });
});

describe("a password pasted as adopt: is described, never printed, by status, due and plan", () => {
    const PASTED = "correct horse battery staple 9!";
    const pasted = fixture(SHOP).replace("WEBHOOK_KEY: { epoch: 1,", `WEBHOOK_KEY: { epoch: 1, adopt: "${PASTED}",`);
    const problem = `Pulumi.shop.yaml: invalid rekey configuration, 1 problem:\n  - secret WEBHOOK_KEY, field adopt: expected boolean, got a string of ${PASTED.length} characters`;

    test.each([
        [["status", "--stack", "shop"]],
        [["status", "--stack", "shop", "--json"]],
        [["due", "--stack", "shop"]],
        [["plan", "--stack", "shop", "--base-file", "base.yaml"]],
        [["plan", "--stack", "shop", "--base-file", "base.yaml", "--json"]],
        [["bump", "SESSION_SECRET", "--stack", "shop", "--base-file", "base.yaml"]],
    ])("%j", (args) => {
        const dir = workdir({ [SHOP]: pasted, "base.yaml": fixture(SHOP) }, false);
        const r = rekey(dir, ...args);
        expect(r).toEqual({ code: 2, stdout: "", stderr: `rekey: ${problem}\n` });
    });

    test.each([[["status", "--all-stacks"]], [["due", "--all-stacks"]], [["status", "--all-stacks", "--json"]]])("%j: the refused stack's section", (args) => {
        const dir = workdir({ [SHOP]: pasted, "Pulumi.other.yaml": fixture(SHOP) }, false);
        const r = rekey(dir, ...args);
        expect(r.code).toBe(2);
        expect(r.stdout + r.stderr).toContain(`expected boolean, got a string of ${PASTED.length} characters`);
        expect(r.stdout + r.stderr).not.toContain("horse");
    });

    test("the base version holds it: plan lists every secret as added, and says why without the value", () => {
        const dir = workdir({ [SHOP]: fixture(SHOP), "base.yaml": pasted }, false);
        const r = rekey(dir, "plan", "--stack", "shop", "--base-file", "base.yaml");
        expect(r.code).toBe(0);
        expect(r.stdout).toContain(`expected boolean, got a string of ${PASTED.length} characters`);
        expect(r.stdout + r.stderr).not.toContain("horse");
    });
});
