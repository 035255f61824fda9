import { chmodSync, lstatSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from "fs";
import { join } from "path";
import { git, lineChanges, fixture, read, rekey, rekeyBuilt, removeWorkdirs, workdir, write, TODAY } from "../harness/cli";
import { ROOT } from "../harness/stackFile";

const SHOP = "Pulumi.shop.yaml";
const shop = () => workdir({ [SHOP]: fixture(SHOP) });
afterAll(removeWorkdirs);

describe("rekey bump", () => {
    test("changes only the epoch and rotatedAt lines, with the reason beside the epoch", () => {
        const dir = shop();
        const r = rekey(dir, "bump", "SESSION_SECRET", "DB_PASSWORD", "--stack", "shop", "--date", "2026-11-20", "--reason", "quarterly rotation");
        expect(r).toMatchObject({ code: 0, stderr: "" });
        expect(r.stdout).toContain("SESSION_SECRET: epoch 3 → 4, rotatedAt 2026-11-20");
        expect(r.stdout).toContain("consumers to restart, in order: api, worker");
        expect(lineChanges(fixture(SHOP), read(dir, SHOP))).toEqual({
            removed: ["      epoch: 3", '      rotatedAt: "2026-08-01"', "      epoch: 5", "      rotatedAt: '2026-10-20'"],
            added: ["      epoch: 4  # reason: quarterly rotation", '      rotatedAt: "2026-11-20"', "      epoch: 6  # reason: quarterly rotation", "      rotatedAt: '2026-11-20'"],
        });
    });

    test("adds rotatedAt under the epoch when the entry has none; the date defaults to today (UTC)", () => {
        const dir = shop();
        expect(rekey(dir, "bump", "CACHE_PASSWORD", "--stack", "shop").code).toBe(0);
        expect(lineChanges(fixture(SHOP), read(dir, SHOP))).toEqual({
            removed: ["      epoch: 2"],
            added: ["      epoch: 3", `      rotatedAt: "${TODAY}"`],
        });
    });

    test("edits a flow-style entry in place, the reason after it", () => {
        const dir = shop();
        expect(rekey(dir, "bump", "WEBHOOK_KEY", "--stack", "shop", "--reason", "leaked in a log").code).toBe(0);
        expect(lineChanges(fixture(SHOP), read(dir, SHOP))).toEqual({
            removed: ["    WEBHOOK_KEY: { epoch: 1, generate: { encoding: hex, bytes: 16 }, stores: [ { ssm: {} } ], consumers: [api] }"],
            added: [`    WEBHOOK_KEY: { epoch: 2, rotatedAt: "${TODAY}", generate: { encoding: hex, bytes: 16 }, stores: [ { ssm: {} } ], consumers: [api] }  # reason: leaked in a log`],
        });
    });

    test("a later bump replaces the reason, or drops it when none is given; other comments stay", () => {
        const dir = shop();
        // Each bump is its own change, deployed before the next (merged to main here).
        const merged = () => git(dir, "commit", "-q", "-am", "rotate");
        rekey(dir, "bump", "SESSION_SECRET", "--stack", "shop", "--reason", "first");
        merged();
        rekey(dir, "bump", "SESSION_SECRET", "--stack", "shop", "--reason", "second");
        expect(read(dir, SHOP)).toContain("      epoch: 5  # reason: second\n");
        merged();
        rekey(dir, "bump", "SESSION_SECRET", "--stack", "shop");
        expect(read(dir, SHOP)).toContain("      epoch: 6\n");
        write(dir, SHOP, read(dir, SHOP).replace("      epoch: 6\n", "      epoch: 6   # keep in step with the API's release\n"));
        merged();
        rekey(dir, "bump", "SESSION_SECRET", "--stack", "shop");
        expect(read(dir, SHOP)).toContain("      epoch: 7   # keep in step with the API's release\n");
        // A reason goes beside the user's own comment, and the next bump drops only the reason.
        merged();
        rekey(dir, "bump", "SESSION_SECRET", "--stack", "shop", "--reason", "leaked in a log");
        expect(read(dir, SHOP)).toContain("      epoch: 8   # keep in step with the API's release  # reason: leaked in a log\n");
        expect(JSON.parse(rekey(dir, "plan", "--stack", "shop", "--json").stdout).secrets.rotated[0].reason).toBe("leaked in a log");
        merged();
        rekey(dir, "bump", "SESSION_SECRET", "--stack", "shop");
        expect(read(dir, SHOP)).toContain("      epoch: 9   # keep in step with the API's release\n");
    });

    test("a supplied secret is bumped only once its encrypted value changed", () => {
        const dir = shop();
        const refused = rekey(dir, "bump", "STRIPE_API_KEY", "--stack", "shop");
        expect(refused.code).toBe(2);
        expect(refused.stderr).toBe(
            "rekey: STRIPE_API_KEY is supplied and its encrypted value is the same as at main (merge base " +
                refused.stderr.match(/merge base ([0-9a-f]{7})/)![1] +
                "): set the new value first with pulumi config set --secret --path 'rekey:supplied.STRIPE_API_KEY', then bump it\n",
        );
        expect(read(dir, SHOP)).toBe(fixture(SHOP));
        const oldCipher = fixture(SHOP).match(/STRIPE_API_KEY:\n\s+secure: (\S+)/)![1];
        write(dir, SHOP, fixture(SHOP).replace(oldCipher, fixture("stripe-rotated.txt").trim()));
        const before = read(dir, SHOP);
        expect(rekey(dir, "bump", "STRIPE_API_KEY", "--stack", "shop").code).toBe(0);
        expect(lineChanges(before, read(dir, SHOP))).toEqual({
            removed: ["      epoch: 1", '      rotatedAt: "2026-01-15"'],
            added: ["      epoch: 2", `      rotatedAt: "${TODAY}"`],
        });
    });

    test("a supplied secret without an epoch line gets epoch 1 as the entry's first line", () => {
        const dir = shop();
        const cipher = fixture(SHOP).match(/MAIL_API_KEY:\n\s+secure: (\S+)/)![1];
        write(dir, SHOP, fixture(SHOP).replace(cipher, fixture("stripe-rotated.txt").trim()));
        const before = read(dir, SHOP);
        expect(rekey(dir, "bump", "MAIL_API_KEY", "--stack", "shop", "--reason", "vendor rotated it").code).toBe(0);
        expect(lineChanges(before, read(dir, SHOP))).toEqual({
            removed: [],
            added: ["      epoch: 1  # reason: vendor rotated it", `      rotatedAt: "${TODAY}"`],
        });
    });

    test("--all bumps every generated secret and says which supplied ones it skipped", () => {
        const dir = shop();
        const r = rekey(dir, "bump", "--all", "--stack", "shop", "--date", "2026-11-21");
        expect(r.code).toBe(0);
        expect(r.stdout.split("\n").filter((l) => l.includes("epoch"))).toEqual([
            "SESSION_SECRET: epoch 3 → 4, rotatedAt 2026-11-21",
            "CACHE_PASSWORD: epoch 2 → 3, rotatedAt 2026-11-21",
            "DB_PASSWORD: epoch 5 → 6, rotatedAt 2026-11-21",
            "WEBHOOK_KEY: epoch 1 → 2, rotatedAt 2026-11-21",
        ]);
        expect(r.stderr).toMatch(/^rekey: not bumped: STRIPE_API_KEY \(supplied\), whose encrypted value is the same as at .*; to rotate it, set the new value first with pulumi config set --secret --path 'rekey:supplied\.STRIPE_API_KEY', then bump it\nrekey: not bumped: MAIL_API_KEY \(supplied\), .*\n$/);
        expect(lineChanges(fixture(SHOP), read(dir, SHOP)).added).toEqual([
            "      epoch: 4",
            '      rotatedAt: "2026-11-21"',
            "      epoch: 3",
            '      rotatedAt: "2026-11-21"',
            "      epoch: 6",
            "      rotatedAt: '2026-11-21'",
            '    WEBHOOK_KEY: { epoch: 2, rotatedAt: "2026-11-21", generate: { encoding: hex, bytes: 16 }, stores: [ { ssm: {} } ], consumers: [api] }',
        ]);
    });

    test.each([
        [["bump", "CACHE_URL", "--stack", "shop"], "rekey: CACHE_URL is derived from CACHE_PASSWORD: it has no epoch and follows its inputs; bump those\n"],
        [["bump", "NOPE", "--stack", "shop"], "rekey: unknown secret NOPE in Pulumi.shop.yaml (it has: SESSION_SECRET, CACHE_PASSWORD, CACHE_URL, DB_PASSWORD, STRIPE_API_KEY, MAIL_API_KEY, WEBHOOK_KEY)\n"],
        [["bump", "SESSION_SECRET", "--stack", "shop", "--date", "2026-02-30"], 'rekey: --date "2026-02-30" is a date that does not exist\n'],
        [["bump", "--stack", "shop"], "rekey: name the secrets to bump, or give --all\n"],
        [["bump", "SESSION_SECRET", "--all", "--stack", "shop"], "rekey: give secret names or --all, not both\n"],
        [["bump", "SESSION_SECRET", "--stack", "shop", "--reason", "two\nlines"], "rekey: --reason must be one line (no line break, also none of U+0085, U+2028, U+2029)\n"],
    ])("refuses %j with exit 2 and one message, writing nothing", (args, message) => {
        const dir = shop();
        expect(rekey(dir, ...args)).toEqual({ code: 2, stdout: "", stderr: message });
        expect(read(dir, SHOP)).toBe(fixture(SHOP));
    });
});

describe("one bump of several secrets writes what bumping them one at a time writes", () => {
    // applyEpochEdits (edit.ts) splices every edit of the file in one pass; the property holds
    // it to the one-edit-per-run result, over the fixture's block and flow entries, with and
    // without a reason or an incident.
    const NAMES = ["SESSION_SECRET", "CACHE_PASSWORD", "DB_PASSWORD", "WEBHOOK_KEY"];
    test("any subset, any order, any flags", () => {
        const fc: typeof import("fast-check") = require("fast-check");
        fc.assert(
            fc.property(
                fc.shuffledSubarray(NAMES, { minLength: 1 }),
                fc.constantFrom([], ["--reason", "quarterly"], ["--incident", "leaked in a log"], ["--reason", "r", "--incident", "i"]),
                (names, flags) => {
                    const together = workdir({ [SHOP]: fixture(SHOP), "base.yaml": fixture(SHOP) }, false);
                    const oneByOne = workdir({ [SHOP]: fixture(SHOP), "base.yaml": fixture(SHOP) }, false);
                    const args = ["--stack", "shop", "--base-file", "base.yaml", "--date", "2026-11-20", ...flags];
                    expect(rekey(together, "bump", ...names, ...args).code).toBe(0);
                    for (const n of names) expect(rekey(oneByOne, "bump", n, ...args).code).toBe(0);
                    expect(read(together, SHOP)).toBe(read(oneByOne, SHOP));
                    expect(read(together, SHOP)).not.toBe(fixture(SHOP));
                },
            ),
            { numRuns: 60 },
        );
    });
});

describe("how bump writes the stack file", () => {
    const PRODUCTION = readFileSync(join(ROOT, "Pulumi.production.yaml"), "utf8");

    test("a write that cannot complete (a file size limit below the file's 8 KiB) leaves the stack file whole, as it was, and no temporary file", () => {
        expect(PRODUCTION.length).toBeGreaterThan(4096);
        const dir = workdir({ "Pulumi.production.yaml": PRODUCTION, "base.yaml": PRODUCTION }, false);
        // bash's ulimit -f counts 1,024-byte blocks; node ignores SIGXFSZ, so write(2) fails with EFBIG.
        const r = rekeyBuilt(dir, "ulimit -f 4 &&", ["bump", "JWT_SECRET", "--stack", "production", "--base-file", "base.yaml"]);
        expect([r.code, r.stderr]).toEqual([2, `rekey: could not write ${join(dir, "Pulumi.production.yaml")} (EFBIG): it is left as it was\n`]);
        expect(readFileSync(join(dir, "Pulumi.production.yaml"), "utf8")).toBe(PRODUCTION);
        expect(readdirSync(dir).sort()).toEqual(["Pulumi.production.yaml", "Pulumi.yaml", "base.yaml"]);
    });

    test("a symlinked stack file stays a symlink and its target gets the edit, with the target's mode", () => {
        const dir = workdir({ "Pulumi.yaml": "name: rekey\nruntime: nodejs\n", "base.yaml": PRODUCTION }, false);
        mkdirSync(join(dir, "stacks"));
        writeFileSync(join(dir, "stacks", "production.yaml"), PRODUCTION);
        chmodSync(join(dir, "stacks", "production.yaml"), 0o640);
        symlinkSync("stacks/production.yaml", join(dir, "Pulumi.production.yaml"));
        expect(rekey(dir, "bump", "JWT_SECRET", "--stack", "production", "--base-file", "base.yaml").code).toBe(0);
        expect(lstatSync(join(dir, "Pulumi.production.yaml")).isSymbolicLink()).toBe(true);
        expect(lineChanges(PRODUCTION, readFileSync(join(dir, "stacks", "production.yaml"), "utf8")).added.some((l) => /epoch: \d+/.test(l))).toBe(true);
        expect(statSync(join(dir, "stacks", "production.yaml")).mode & 0o777).toBe(0o640);
        expect(readdirSync(join(dir, "stacks"))).toEqual(["production.yaml"]);
    });
});
