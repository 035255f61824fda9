// `rekey bump --due`: the secrets `rekey due` lists as due are bumped, each with its reason,
// except the supplied ones (listed with the commands for a person) and those whose epoch
// already moved in this change (the one-step rule). The last test holds `due` and
// `bump --due` to each other on random stack files.
import { fixture, git, lineChanges, read, rekey, removeWorkdirs, workdir, TODAY } from "../harness/cli";

const SHOP = "Pulumi.shop.yaml";
afterAll(removeWorkdirs);

// The fixture on 2026-12-20, within 30 days: SESSION_SECRET overdue (due 2026-10-30),
// CACHE_PASSWORD undated (cadence 30, no rotatedAt), STRIPE_API_KEY (supplied) due
// 2027-01-15; DB_PASSWORD is due 2027-04-18, CACHE_URL is derived, the others have no cadence.
const AS_OF = ["--today", "2026-12-20", "--within", "30"];

// An adopted generated secret (epoch 0, its value in use in rekey:supplied), overdue.
const CIPHER = "v1:7Rz1mXgk0eZ2Yq9A:3mB1pXh6cWQe4y8sT2Zk9uLr0vN5aD7fG1hJ3kL5mN7pQ9";
const WITH_ADOPTED = fixture(SHOP)
    .replace(
        "\n  rekey:supplied:\n",
        `
    ADOPTED_KEY:
      epoch: 0
      adopt: true   # the value in use before rekey
      rotatedAt: "2026-06-01"
      cadenceDays: 90
      generate: { encoding: hex, bytes: 16 }
      stores: [ { ssm: {} } ]
      consumers: [mailer]

  rekey:supplied:
    ADOPTED_KEY:
      secure: ${CIPHER}
`,
    )
    .replace("\n\n  rekey:supplied:", "\n  rekey:supplied:");

describe("rekey bump --due", () => {
    test("bumps the due generated secrets with their reasons; lists the supplied one with the commands; exit 0", () => {
        const dir = workdir({ [SHOP]: fixture(SHOP) });
        const r = rekey(dir, "bump", "--due", "--stack", "shop", ...AS_OF);
        expect([r.code, r.stderr]).toEqual([0, ""]);
        expect(r.stdout).toBe(
            [
                "### rekey bump --due: shop (today 2026-12-20, within 30 days)",
                "",
                `#### Bumped (2), rotatedAt ${TODAY}`,
                "- SESSION_SECRET: epoch 3 → 4, reason: due since 2026-10-30 (cadence 90 days)",
                "- CACHE_PASSWORD: epoch 2 → 3, reason: due: cadence 30 days and no rotatedAt recorded",
                "",
                "Consumers to restart, in order: cache, api, worker; rekey plan --stack shop shows the whole rotation.",
                "",
                "#### Not bumped (1)",
                "- STRIPE_API_KEY, due on 2027-01-15 (cadence 365 days): supplied: its new value comes from a person (its issuer); set it, then bump it",
                "  - `pulumi config set --secret --path 'rekey:supplied.STRIPE_API_KEY' --stack shop`",
                '  - `rekey bump STRIPE_API_KEY --stack shop --reason "due on 2027-01-15 (cadence 365 days)"`',
                "",
            ].join("\n"),
        );
        // Every other byte stays (the splice editor); the reasons are written as bump --reason writes them.
        expect(lineChanges(fixture(SHOP), read(dir, SHOP))).toEqual({
            removed: ["      epoch: 3", '      rotatedAt: "2026-08-01"', "      epoch: 2"],
            added: [
                "      epoch: 4  # reason: due since 2026-10-30 (cadence 90 days)",
                `      rotatedAt: "${TODAY}"`,
                "      epoch: 3  # reason: due: cadence 30 days and no rotatedAt recorded",
                `      rotatedAt: "${TODAY}"`,
            ],
        });
        const plan = JSON.parse(rekey(dir, "plan", "--stack", "shop", "--json").stdout);
        expect(plan.secrets.rotated.map((x: any) => [x.name, x.reason])).toEqual([
            ["SESSION_SECRET", "due since 2026-10-30 (cadence 90 days)"],
            ["CACHE_PASSWORD", "due: cadence 30 days and no rotatedAt recorded"],
        ]);
    });

    test("--json: the bumped and the skipped, with why and the commands", () => {
        const dir = workdir({ [SHOP]: fixture(SHOP) });
        const r = rekey(dir, "bump", "--due", "--stack", "shop", ...AS_OF, "--json");
        expect([r.code, r.stderr]).toEqual([0, ""]);
        expect(JSON.parse(r.stdout)).toEqual({
            stack: "shop",
            today: "2026-12-20",
            within: 30,
            rotatedAt: TODAY,
            bumped: [
                { name: "SESSION_SECRET", source: "generate", from: 3, to: 4, dueOn: "2026-10-30", daysLeft: -51, cadenceDays: 90, reason: "due since 2026-10-30 (cadence 90 days)", adoptRemoved: false },
                { name: "CACHE_PASSWORD", source: "generate", from: 2, to: 3, dueOn: null, daysLeft: null, cadenceDays: 30, reason: "due: cadence 30 days and no rotatedAt recorded", adoptRemoved: false },
            ],
            skipped: [
                {
                    name: "STRIPE_API_KEY",
                    source: "supplied",
                    dueOn: "2027-01-15",
                    daysLeft: 26,
                    cadenceDays: 365,
                    why: "supplied",
                    detail: "supplied: its new value comes from a person (its issuer); set it, then bump it",
                    commands: ["pulumi config set --secret --path 'rekey:supplied.STRIPE_API_KEY' --stack shop", 'rekey bump STRIPE_API_KEY --stack shop --reason "due on 2027-01-15 (cadence 365 days)"'],
                },
            ],
            consumers: ["cache", "api", "worker"],
        });
    });

    test("an adopted secret bumps once (adopt removed); run again in the same change, it and the others are skipped as moved", () => {
        const dir = workdir({ [SHOP]: WITH_ADOPTED });
        const first = JSON.parse(rekey(dir, "bump", "--due", "--stack", "shop", "--today", "2026-12-20", "--json").stdout);
        expect(first.bumped.map((b: any) => [b.name, b.from, b.to, b.adoptRemoved])).toEqual([
            ["ADOPTED_KEY", 0, 1, true],
            ["SESSION_SECRET", 3, 4, false],
            ["CACHE_PASSWORD", 2, 3, false],
        ]);
        expect(lineChanges(WITH_ADOPTED, read(dir, SHOP)).removed).toContain("      adopt: true   # the value in use before rekey");
        // The same day again: what was bumped is no longer due (rotatedAt is today), nothing else is.
        expect(rekey(dir, "bump", "--due", "--stack", "shop", "--today", "2026-12-20").stdout).toBe("### rekey bump --due: shop (today 2026-12-20)\n\nNothing is due.\n");
        const afterFirst = read(dir, SHOP);
        // Checked against a day when they are due again: each already moved in this change.
        const again = rekey(dir, "bump", "--due", "--stack", "shop", "--today", "2027-03-01", "--json");
        expect(again.code).toBe(0);
        const second = JSON.parse(again.stdout);
        expect(second.bumped).toEqual([]);
        expect(second.skipped.map((k: any) => [k.name, k.why])).toEqual([
            ["CACHE_PASSWORD", "moved"],
            ["STRIPE_API_KEY", "supplied"],
            ["ADOPTED_KEY", "moved"],
            ["SESSION_SECRET", "moved"],
        ]);
        expect(second.skipped.find((k: any) => k.name === "ADOPTED_KEY").detail).toMatch(/^already moved in this change: ADOPTED_KEY is at epoch 1 here and 0 at main \(merge base [0-9a-f]{7}\)/);
        expect(read(dir, SHOP)).toBe(afterFirst);
        // Once merged (deployed), the next due run bumps them again.
        git(dir, "commit", "-q", "-am", "rotate");
        const merged = JSON.parse(rekey(dir, "bump", "--due", "--stack", "shop", "--today", "2027-12-20", "--json").stdout);
        expect(merged.bumped.map((b: any) => [b.name, b.from, b.to, b.adoptRemoved])).toContainEqual(["ADOPTED_KEY", 1, 2, false]);
    });

    test("nothing due: exit 0, says so, the file is left as it was", () => {
        const dated = fixture(SHOP).replace("      epoch: 2\n      cadenceDays: 30\n", '      epoch: 2\n      rotatedAt: "2026-08-20"\n      cadenceDays: 30\n');
        const dir = workdir({ [SHOP]: dated });
        const r = rekey(dir, "bump", "--due", "--stack", "shop", "--today", "2026-09-01");
        expect(r).toEqual({ code: 0, stdout: "### rekey bump --due: shop (today 2026-09-01)\n\nNothing is due.\n", stderr: "" });
        expect(JSON.parse(rekey(dir, "bump", "--due", "--stack", "shop", "--today", "2026-09-01", "--within", "3", "--json").stdout)).toMatchObject({ bumped: [], skipped: [], consumers: [] });
        expect(read(dir, SHOP)).toBe(dated);
        // The due day itself is due (as rekey due lists it): "due on", not "due since".
        const onDay = JSON.parse(rekey(dir, "bump", "--due", "--stack", "shop", "--today", "2026-09-19", "--json").stdout);
        expect(onDay.bumped.map((b: any) => [b.name, b.daysLeft, b.reason])).toEqual([["CACHE_PASSWORD", 0, "due on 2026-09-19 (cadence 30 days)"]]);
    });

    test("--all-stacks: every stack bumped; a refused stack file and one without rekey keys do not stop the others; exit 2", () => {
        const other = fixture(SHOP).replace('rotatedAt: "2026-08-01"', 'rotatedAt: "2026-11-01"');
        const dir = workdir({ [SHOP]: fixture(SHOP), "Pulumi.eu.yaml": other, "Pulumi.new.yaml": "encryptionsalt: v1:abc\n", "Pulumi.bad.yaml": "config:\n  rekey:secrets: 3\n" });
        const r = rekey(dir, "bump", "--due", "--all-stacks", "--today", "2026-12-20", "--json");
        expect(r.code).toBe(2);
        const out = JSON.parse(r.stdout);
        expect(out.stacks.map((s: any) => [s.stack, s.bumped.map((b: any) => b.name), !!s.error, !!s.noSecrets])).toEqual([
            ["bad", [], true, false],
            ["eu", ["CACHE_PASSWORD"], false, false],
            ["new", [], false, true],
            ["shop", ["SESSION_SECRET", "CACHE_PASSWORD"], false, false],
        ]);
        expect(r.stderr).toContain("rekey: Pulumi.new.yaml has no rekey:* keys: no secrets to rotate\n");
        expect(r.stderr).toContain("rekey: Pulumi.bad.yaml:");
        expect(read(dir, "Pulumi.eu.yaml")).toContain("      epoch: 3  # reason: due: cadence 30 days and no rotatedAt recorded\n");
        expect(read(dir, "Pulumi.eu.yaml")).toContain('      epoch: 3\n      rotatedAt: "2026-11-01"\n');
        const md = rekey(workdir({ [SHOP]: fixture(SHOP), "Pulumi.bad.yaml": "config:\n  rekey:secrets: 3\n" }), "bump", "--due", "--all-stacks", "--today", "2026-12-20");
        expect(md.stdout).toMatch(/^### rekey bump --due: bad \(today 2026-12-20\)\n\nRefused \(exit 2\)/);
        expect(md.stdout).toContain("### rekey bump --due: shop (today 2026-12-20)\n\n#### Bumped (2)");
    });

    test("the commands it prints for a stack named -x pass the name as --stack=-x, never as a flag", () => {
        const dir = workdir({ "Pulumi.-x.yaml": fixture(SHOP) });
        const r = rekey(dir, "bump", "--due", "--stack=-x", "--today", "2027-02-01");
        expect(r.code).toBe(0);
        expect(r.stdout).toContain("rekey plan --stack=-x shows the whole rotation.");
        expect(r.stdout).toContain("  - `pulumi config set --secret --path 'rekey:supplied.STRIPE_API_KEY' --stack=-x`\n");
        expect(r.stdout).toContain('  - `rekey bump STRIPE_API_KEY --stack=-x --reason "due since 2027-01-15 (cadence 365 days)"`\n');
        expect(rekey(dir, "due", "--stack=-x", "--today", "2027-02-01").stdout).toContain("then rekey bump STRIPE_API_KEY --stack=-x\n");
    });

    test.each([
        [["--due", "SESSION_SECRET", "--stack", "shop"], "rekey: --due chooses the secrets that are due: give secret names or --due, not both\n"],
        [["--due", "--all", "--stack", "shop"], "rekey: --due chooses the secrets that are due: give --all or --due, not both\n"],
        [["--due", "--stack", "shop", "--reason", "x"], "rekey: --due writes each secret's reason (when it was due): --reason goes with secret names or --all\n"],
        [["--due", "--stack", "shop", "--incident", "x"], "rekey: --incident and --revoke-first rotate a leaked secret now, not on schedule: bump it by name\n"],
        [["--due", "--stack", "shop", "--within", "-3"], 'rekey: --within "-3" is not a number of days\n'],
        [["--due", "--stack", "shop", "--within", "hunter2hunter2"], "rekey: --within (a string of 14 characters, not shown) is not a number of days\n"],
        [["--due", "--stack", "shop", "--today", "2026-02-30"], 'rekey: --today "2026-02-30" is a date that does not exist\n'],
        [["--due", "--stack", "shop", "--date", "2099-01-01"], `rekey: --date "2099-01-01" is in the future (today is ${TODAY}, UTC)\n`],
        [["--due"], "rekey: name the stack with --stack <stack>, or give --all-stacks\n"],
        [["--due", "--stack", "shop", "--all-stacks"], "rekey: give --stack or --all-stacks, not both\n"],
        [["--due", "--all-stacks", "--base-file", "x.yaml"], "rekey: --base-file is one stack's file: give --stack with it, or --base <git-ref> with --all-stacks\n"],
        [["SESSION_SECRET", "--stack", "shop", "--within", "3"], "rekey: --within goes with --due (the secrets that are due); --date sets the rotatedAt a bump writes\n"],
        [["--all", "--all-stacks", "--today", "2026-11-01", "--json"], "rekey: --today, --json, --all-stacks go with --due (the secrets that are due); --date sets the rotatedAt a bump writes\n"],
        [["SESSION_SECRET"], "rekey: name the stack with --stack <stack>\n"],
    ])("refuses bump %j with exit 2 and one message, writing nothing", (args, message) => {
        const dir = workdir({ [SHOP]: fixture(SHOP) });
        expect(rekey(dir, "bump", ...args)).toEqual({ code: 2, stdout: "", stderr: message });
        expect(read(dir, SHOP)).toBe(fixture(SHOP));
    });
});

describe("due and bump --due agree", () => {
    // On random stack files, days and windows: what `rekey due --json` lists (overdue, undated,
    // due soon) is exactly what `rekey bump --due` bumps, plus what it lists as skipped: the
    // supplied ones, and those whose epoch differs from the base. The file then has exactly the
    // bumped secrets one epoch up.
    // "adoptedSupplied": a supplied secret whose value in rekey:supplied is the one in use (adopt: true).
    type Kind = "generate" | "supplied" | "adopted" | "adoptedSupplied" | "derive";
    interface Spec {
        kind: Kind;
        epoch: number;
        rotatedAt: string | null;
        cadenceDays: number | null;
        moved: boolean;
    }
    const day = (n: number) => new Date(Date.parse("2025-01-01T00:00:00Z") + n * 86_400_000).toISOString().slice(0, 10);
    const UP_TO_TODAY = (Date.parse(`${TODAY}T00:00:00Z`) - Date.parse("2025-01-01T00:00:00Z")) / 86_400_000;

    function stackText(specs: Spec[], base: boolean): string {
        const lines = ["config:", "  rekey:defaults:", "    ssm: { prefix: /t/, region: eu-west-1 }", "  rekey:consumers:", '    api: { restart: "systemctl restart api" }', "  rekey:secrets:"];
        const supplied: string[] = [];
        specs.forEach((s, i) => {
            const name = `S${i}`;
            lines.push(`    ${name}:`);
            if (s.kind === "derive") {
                lines.push('      derive: "x-{{G}}"');
            } else {
                const epoch = base && s.moved ? s.epoch - 1 : s.epoch;
                lines.push(`      epoch: ${epoch}`);
                if (s.kind === "adopted" || s.kind === "adoptedSupplied") lines.push("      adopt: true");
                if (s.rotatedAt) lines.push(`      rotatedAt: "${s.rotatedAt}"`);
                if (s.cadenceDays !== null) lines.push(`      cadenceDays: ${s.cadenceDays}`);
                if (s.kind === "supplied" || s.kind === "adoptedSupplied") lines.push("      supplied: true");
                else lines.push("      generate: { encoding: hex, bytes: 16 }");
                if (s.kind !== "generate") supplied.push(`    ${name}:`, `      secure: ${CIPHER}`);
            }
            lines.push("      stores: [ { ssm: {} } ]", "      consumers: [api]");
        });
        lines.push("    G: { epoch: 1, generate: { encoding: hex, bytes: 16 } }");
        if (supplied.length) lines.push("  rekey:supplied:", ...supplied);
        return lines.join("\n") + "\n";
    }

    test("any stack file, any day, any window", () => {
        const fc: typeof import("fast-check") = require("fast-check");
        // Each outcome must come up, or the property held nothing.
        const seen = { bumped: 0, adoptedBumped: 0, supplied: 0, adoptedSupplied: 0, moved: 0, notDue: 0 };
        const spec: import("fast-check").Arbitrary<Spec> = fc
            .record({
                kind: fc.constantFrom<Kind>("generate", "generate", "supplied", "adopted", "adoptedSupplied", "derive"),
                epoch: fc.integer({ min: 1, max: 6 }),
                rotatedAt: fc.option(fc.integer({ min: 0, max: UP_TO_TODAY }).map(day), { freq: 4 }),
                cadenceDays: fc.option(fc.integer({ min: 1, max: 400 }), { freq: 5 }),
                moved: fc.boolean(),
            })
            // adopt is valid only at epoch 0, whose base (one step before) does not exist: not moved.
            .map((s) => (s.kind === "adopted" ? { ...s, epoch: 0, moved: false } : s));
        fc.assert(
            fc.property(fc.array(spec, { minLength: 1, maxLength: 6 }), fc.integer({ min: 0, max: 1100 }).map(day), fc.integer({ min: 0, max: 90 }), (specs, asOf, within) => {
                const dir = workdir({ [SHOP]: stackText(specs, false), "base.yaml": stackText(specs, true) }, false);
                const window = ["--stack", "shop", "--today", asOf, "--within", String(within)];
                const due = rekey(dir, "due", ...window, "--json");
                expect(due.code === 0 || due.code === 1).toBe(true);
                const d = JSON.parse(due.stdout);
                const listed = [...d.overdue, ...d.undated, ...d.dueSoon].map((e: any) => e.name);
                const bump = rekey(dir, "bump", "--due", ...window, "--base-file", "base.yaml", "--json");
                expect([bump.code, bump.stderr]).toEqual([0, ""]);
                const b = JSON.parse(bump.stdout);
                const at = (name: string) => specs[Number(name.slice(1))];
                expect([...b.bumped, ...b.skipped].map((e: any) => e.name).sort()).toEqual([...listed].sort());
                for (const k of b.skipped) expect(k.why).toBe(at(k.name).moved ? "moved" : "supplied");
                seen.bumped += b.bumped.length;
                seen.adoptedBumped += b.bumped.filter((x: any) => x.adoptRemoved).length;
                seen.supplied += b.skipped.filter((k: any) => k.why === "supplied").length;
                seen.adoptedSupplied += b.skipped.filter((k: any) => k.why === "supplied" && at(k.name).kind === "adoptedSupplied").length;
                seen.moved += b.skipped.filter((k: any) => k.why === "moved").length;
                seen.notDue += specs.filter((s) => s.kind !== "derive").length - listed.length;
                for (const x of b.bumped) {
                    expect(at(x.name).moved).toBe(false);
                    expect(at(x.name).kind === "generate" || at(x.name).kind === "adopted").toBe(true);
                    expect([x.from, x.to, x.adoptRemoved]).toEqual([at(x.name).epoch, at(x.name).epoch + 1, at(x.name).kind === "adopted"]);
                }
                for (const name of listed) {
                    const s = at(name);
                    const bumped = !s.moved && s.kind !== "supplied" && s.kind !== "adoptedSupplied";
                    expect(b.bumped.some((x: any) => x.name === name)).toBe(bumped);
                }
                const status = JSON.parse(rekey(dir, "status", "--stack", "shop", "--json").stdout);
                for (const s of status.secrets) {
                    if (s.name === "G" || at(s.name).kind === "derive") continue;
                    const wasBumped = b.bumped.some((x: any) => x.name === s.name);
                    expect(s.epoch).toBe(at(s.name).epoch + (wasBumped ? 1 : 0));
                }
                if (!b.bumped.length) expect(read(dir, SHOP)).toBe(stackText(specs, false));
            }),
            { numRuns: 80 },
        );
        for (const n of Object.values(seen)) expect(n).toBeGreaterThan(0);
    });
});
