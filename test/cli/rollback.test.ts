import { fixture, git, lineChanges, read, rekey, removeWorkdirs, workdir } from "../harness/cli";

const SHOP = "Pulumi.shop.yaml";
afterAll(removeWorkdirs);

describe("rekey rollback", () => {
    test("goes back one epoch, restores that epoch's rotatedAt from history, and says what it restores", () => {
        const dir = workdir({ [SHOP]: fixture(SHOP) });
        rekey(dir, "bump", "SESSION_SECRET", "--stack", "shop", "--date", "2026-11-20", "--reason", "quarterly");
        git(dir, "commit", "-q", "-am", "rotate SESSION_SECRET");
        const bumped = read(dir, SHOP);
        const r = rekey(dir, "rollback", "SESSION_SECRET", "--stack", "shop", "--reason", "API rejected new sessions");
        expect(r.code).toBe(0);
        expect(r.stdout).toBe(
            "SESSION_SECRET: epoch 4 → 3. pulumi up restores exactly the value of epoch 3, which SESSION_SECRET_PREVIOUS has held since the bump to 4.\n" +
                "SESSION_SECRET_PREVIOUS then holds epoch 4's value, the one rolled back from, until the next bump, which makes a fresh value.\n" +
                "Stores written: ssm:/shop/SESSION_SECRET, kubernetes:shop/shop-secrets#SESSION_SECRET; consumers to restart, in order: api, worker.\n",
        );
        expect(r.stderr).toMatch(/^rekey: rotatedAt 2026-08-01 is epoch 3's, from commit [0-9a-f]{7}\n$/);
        expect(lineChanges(bumped, read(dir, SHOP))).toEqual({
            removed: ["      epoch: 4  # reason: quarterly", '      rotatedAt: "2026-11-20"'],
            added: ["      epoch: 3  # reason: API rejected new sessions", '      rotatedAt: "2026-08-01"'],
        });
    });

    test("without that epoch in history, rotatedAt stays and the user is told", () => {
        const dir = workdir({ [SHOP]: fixture(SHOP) });
        const r = rekey(dir, "rollback", "SESSION_SECRET", "--stack", "shop");
        expect(r.code).toBe(0);
        expect(r.stderr).toBe("rekey: epoch 2's rotatedAt is not in this repository's history: rotatedAt left as it was; correct it by hand if it matters for rekey due\n");
        expect(lineChanges(fixture(SHOP), read(dir, SHOP))).toEqual({ removed: ["      epoch: 3"], added: ["      epoch: 2"] });
    });

    test.each([
        ["DB_PASSWORD", "rekey: DB_PASSWORD does not have keepPrevious: true, so the value of epoch 4 was not kept and cannot be restored\n"],
        ["STRIPE_API_KEY", "rekey: STRIPE_API_KEY is supplied: rekey keeps no earlier value of it to restore\n"],
        ["CACHE_URL", "rekey: CACHE_URL is derived: rekey keeps no earlier value of it to restore\n"],
        ["NOPE", expect.stringMatching(/^rekey: unknown secret NOPE in Pulumi.shop.yaml \(it has: SESSION_SECRET, .*\)\n$/)],
    ])("refuses %s with exit 2", (name, message) => {
        const dir = workdir({ [SHOP]: fixture(SHOP) });
        expect(rekey(dir, "rollback", name, "--stack", "shop")).toEqual({ code: 2, stdout: "", stderr: message });
        expect(read(dir, SHOP)).toBe(fixture(SHOP));
    });

    test("refuses epoch 0", () => {
        const dir = workdir({ [SHOP]: fixture(SHOP).replace("      epoch: 3\n", "      epoch: 0\n") });
        expect(rekey(dir, "rollback", "SESSION_SECRET", "--stack", "shop")).toEqual({ code: 2, stdout: "", stderr: "rekey: SESSION_SECRET is at epoch 0: there is no earlier epoch\n" });
        // Without keepPrevious too: not "epoch -1 was not kept".
        const plain = workdir({ [SHOP]: fixture(SHOP).replace("      epoch: 2\n", "      epoch: 0\n") });
        expect(rekey(plain, "rollback", "CACHE_PASSWORD", "--stack", "shop").stderr).toBe("rekey: CACHE_PASSWORD is at epoch 0: there is no earlier epoch\n");
    });
});
