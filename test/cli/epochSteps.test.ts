// One change moves an epoch once: `pulumi up` moves an epoch one step per completed
// rotation (components/plan/deployed.ts), so bump and rollback refuse a secret whose epoch
// this change already moved, rollback refuses to go back past a rollback, and plan marks a
// larger move as an error and exits 1 so that the PR check fails.
import { fixture, git, read, rekey, removeWorkdirs, workdir, write } from "../harness/cli";

const SHOP = "Pulumi.shop.yaml";
afterAll(removeWorkdirs);
const base = () => fixture(SHOP);
const mergeBase = (stderr: string) => stderr.match(/merge base ([0-9a-f]{7})/)?.[1];

describe("rekey bump", () => {
    test("a second bump of a secret in one change is refused (exit 2), naming the secret and the base epoch; the file is unchanged", () => {
        const dir = workdir({ [SHOP]: base() });
        expect(rekey(dir, "bump", "SESSION_SECRET", "--stack", "shop").code).toBe(0);
        const once = read(dir, SHOP);
        const r = rekey(dir, "bump", "SESSION_SECRET", "--stack", "shop");
        expect(r.code).toBe(2);
        expect(r.stdout).toBe("");
        expect(r.stderr).toBe(
            `rekey: SESSION_SECRET is at epoch 4 here and 3 at main (merge base ${mergeBase(r.stderr)}): this change already moves it, and pulumi up moves an epoch one step per completed rotation. Deploy this change first, then change the epoch again in a new one\n`,
        );
        expect(read(dir, SHOP)).toBe(once);
        // Once merged (and deployed), the next bump is a new change.
        git(dir, "commit", "-q", "-am", "rotate");
        expect(rekey(dir, "bump", "SESSION_SECRET", "--stack", "shop").code).toBe(0);
    });

    test("every secret already moved is named in one refusal", () => {
        const dir = workdir({ [SHOP]: base() });
        rekey(dir, "bump", "SESSION_SECRET", "DB_PASSWORD", "--stack", "shop");
        const r = rekey(dir, "bump", "SESSION_SECRET", "DB_PASSWORD", "CACHE_PASSWORD", "--stack", "shop");
        expect(r.code).toBe(2);
        expect(r.stderr.split("\n").filter(Boolean).map((l) => l.split(" is at")[0])).toEqual(["rekey: SESSION_SECRET", "DB_PASSWORD"]);
    });

    test("--all skips the secrets this change already moved, and says so", () => {
        const dir = workdir({ [SHOP]: base() });
        rekey(dir, "bump", "SESSION_SECRET", "--stack", "shop");
        const r = rekey(dir, "bump", "--all", "--stack", "shop");
        expect(r.code).toBe(0);
        expect(r.stdout).not.toMatch(/^SESSION_SECRET:/m);
        expect(r.stdout).toMatch(/^DB_PASSWORD: epoch 5 → 6/m);
        expect(r.stderr).toMatch(/^rekey: not bumped: SESSION_SECRET, already moved in this change \(SESSION_SECRET is at epoch 4 here and 3 at main/m);
        expect(read(dir, SHOP)).toContain("      epoch: 4\n");
    });

    test("without git, bump proceeds and says it could not check", () => {
        const dir = workdir({ [SHOP]: base() }, false);
        const r = rekey(dir, "bump", "SESSION_SECRET", "--stack", "shop");
        expect(r.code).toBe(0);
        expect(r.stderr).toMatch(/^rekey: could not check the epochs against a base, so a second step in one change is not caught here \(pulumi up still refuses it\): .* is not in a git repository/);
        expect(rekey(dir, "bump", "SESSION_SECRET", "--stack", "shop").code).toBe(0);
        expect(read(dir, SHOP)).toContain("      epoch: 5\n");
    });
});

describe("rekey rollback", () => {
    test("a rollback after a bump in the same change is refused", () => {
        const dir = workdir({ [SHOP]: base() });
        rekey(dir, "bump", "SESSION_SECRET", "--stack", "shop");
        const r = rekey(dir, "rollback", "SESSION_SECRET", "--stack", "shop");
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/^rekey: SESSION_SECRET is at epoch 4 here and 3 at main .*: this change already moves it/);
    });

    test("a second rollback in a row is refused: the previous value is the one rolled back from", () => {
        const dir = workdir({ [SHOP]: base() });
        rekey(dir, "bump", "SESSION_SECRET", "--stack", "shop");
        git(dir, "commit", "-q", "-am", "rotate");
        expect(rekey(dir, "rollback", "SESSION_SECRET", "--stack", "shop").code).toBe(0);
        git(dir, "commit", "-q", "-am", "roll back");
        const before = read(dir, SHOP);
        const r = rekey(dir, "rollback", "SESSION_SECRET", "--stack", "shop");
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/^rekey: SESSION_SECRET reached epoch 3 by a rollback from 4 \(commit [0-9a-f]{7}\): its previous value is epoch 4's, so epoch 2's cannot be restored. Bump it for a fresh value instead\n$/);
        expect(read(dir, SHOP)).toBe(before);
    });

    test("when history does not show how the epoch was reached, the promise is conditional on what the stack deployed", () => {
        const dir = workdir({ [SHOP]: base() });
        const r = rekey(dir, "rollback", "SESSION_SECRET", "--stack", "shop");
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/^SESSION_SECRET: epoch 3 → 2. pulumi up restores exactly the value of epoch 2 if the stack's last completed rotation was the bump from 2 to 3; otherwise it refuses and changes nothing.\n/);
    });
});

describe("rekey plan", () => {
    test("an epoch that moves more than one step is an error, in Markdown and JSON, and plan exits 1", () => {
        const dir = workdir({ [SHOP]: base() });
        write(dir, SHOP, base().replace("      epoch: 3\n", "      epoch: 5\n"));
        const md = rekey(dir, "plan", "--stack", "shop");
        expect(md.code).toBe(1);
        const error = "SESSION_SECRET: epoch 3 → 5 moves 2 steps; pulumi up refuses more than one per completed rotation. Set it to 4 in this change, and move on in a later one";
        expect(md.stdout).toContain(`#### Errors (pulumi up will refuse this change)\n- ${error}\n`);
        const json = rekey(dir, "plan", "--stack", "shop", "--json");
        expect(json.code).toBe(1);
        expect(JSON.parse(json.stdout).errors).toEqual([error]);
        // Back: 3 -> 1 likewise; one step either way is no error.
        write(dir, SHOP, base().replace("      epoch: 3\n", "      epoch: 1\n"));
        expect(JSON.parse(rekey(dir, "plan", "--stack", "shop", "--json").stdout).errors).toEqual([expect.stringMatching(/^SESSION_SECRET: epoch 3 → 1 moves 2 steps; .* Set it to 2 in this change/)]);
        write(dir, SHOP, base().replace("      epoch: 3\n", "      epoch: 4\n"));
        const ok = rekey(dir, "plan", "--stack", "shop", "--json");
        expect([ok.code, JSON.parse(ok.stdout).errors]).toEqual([0, []]);
    });
});
