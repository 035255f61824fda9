import { ConfigProblem, PlanOptions, RekeyConfigError, planRotation } from "../../components/plan/plan";
import { INVALID_CASES } from "../harness/invalidConfigs";
import { rawConfig } from "../harness/rawConfig";

function problemsOf(config: Record<string, unknown>, options: PlanOptions = {}): ConfigProblem[] {
    try {
        planRotation(rawConfig(config), options);
    } catch (e) {
        expect(e).toBeInstanceOf(RekeyConfigError);
        return (e as RekeyConfigError).problems;
    }
    throw new Error("configuration was accepted");
}

describe("invalid configurations are rejected with a named problem", () => {
    test("there are at least 20 cases", () => expect(INVALID_CASES.length).toBeGreaterThanOrEqual(20));

    test.each(INVALID_CASES.map((c) => [c.title, c] as const))("%s: exactly the expected problems", (_title, c) => {
        const problems = problemsOf(c.config);
        const expected = [c.expect, ...(c.also ?? [])];
        const unmatched = [...problems];
        for (const e of expected) {
            const i = unmatched.findIndex((p) => p.subject === e.subject && p.field === e.field && e.reason.test(p.reason));
            if (i < 0) throw new Error(`expected ${JSON.stringify(e, (_k, v) => (v instanceof RegExp ? String(v) : v))}, got ${JSON.stringify(problems, null, 1)}`);
            unmatched.splice(i, 1);
        }
        expect(unmatched).toEqual([]);
    });
});

describe("a rotatedAt in the future is a problem when the caller gives today (the planner reads no clock)", () => {
    const dated = (rotatedAt: string) => ({
        "rekey:secrets": {
            A: { epoch: 2, rotatedAt, cadenceDays: 90, generate: { encoding: "hex", bytes: 32 } },
            B: { epoch: 1, rotatedAt: "2026-11-01", supplied: true },
        },
        "rekey:supplied": { B: "x" },
    });

    test("the day after today is refused, naming the secret, the date and today", () => {
        expect(problemsOf(dated("2026-12-03"), { today: "2026-12-02" })).toEqual([
            {
                subject: "secret A",
                field: "rotatedAt",
                reason: '"2026-12-03" is in the future (today is 2026-12-02, UTC): it is the day the current epoch was rotated, and a later one puts off when the secret is due; rekey bump writes today',
            },
        ]);
    });

    test.each(["2026-12-02", "2026-12-01", "2019-01-01"])("%s (today or before) is accepted", (d) => {
        expect(planRotation(rawConfig(dated(d)), { today: "2026-12-02" }).secrets.find((s) => s.name === "A")?.rotatedAt).toBe(d);
    });

    test("without today no date is compared (a library caller planning a past or future version)", () => {
        expect(planRotation(rawConfig(dated("2999-01-01"))).secrets[0].rotatedAt).toBe("2999-01-01");
    });

    test("a supplied secret's date is checked too, and a date that does not exist is named as such, not as future", () => {
        const config = dated("2026-11-01");
        (config["rekey:secrets"].B as { rotatedAt: string }).rotatedAt = "2027-02-29";
        expect(problemsOf(config, { today: "2026-12-02" })).toEqual([{ subject: "secret B", field: "rotatedAt", reason: '"2027-02-29" is a date that does not exist' }]);
        (config["rekey:secrets"].B as { rotatedAt: string }).rotatedAt = "2028-02-29";
        expect(problemsOf(config, { today: "2026-12-02" })).toEqual([expect.objectContaining({ subject: "secret B", field: "rotatedAt", reason: expect.stringMatching(/^"2028-02-29" is in the future/) })]);
    });
});

test("every problem is reported in one error, each line naming secret, field and reason", () => {
    const err = (() => {
        try {
            planRotation(
                rawConfig({
                    "rekey:secrets": {
                        A: { epoch: 1, generate: { encoding: "hex", bytes: 2 } },
                        B: { epoch: 1, generate: { encoding: "rot13", bytes: 32 } },
                        C: { epoch: 1, supplied: true },
                    },
                }),
            );
        } catch (e) {
            return e as RekeyConfigError;
        }
        throw new Error("accepted");
    })();
    expect(err.problems).toHaveLength(3);
    expect(err.message).toContain("invalid rekey configuration, 3 problems:");
    expect(err.message).toContain("  - secret A, field generate.bytes: must be 16-1024 bytes (got 2)");
    expect(err.message).toContain('  - secret B, field generate.encoding: unknown encoding (a string of 5 characters; known: hex');
    expect(err.message).toContain("  - secret C, field supplied: no value in rekey:supplied.C");
});

test("a config with no rekey:secrets is rejected", () => {
    expect(() => planRotation({})).toThrow(/rekey:secrets: is required/);
});

test("plaintext in rekey:supplied is rejected", () => {
    expect(() =>
        planRotation({ ...rawConfig({ "rekey:secrets": { K: { epoch: 1, supplied: true } }, "rekey:supplied": { K: "v" } }), plaintextKeys: ["supplied"] }),
    ).toThrow(/rekey:supplied: holds plaintext/);
});

test("the README's sample error is the planner's message for that inventory, word for word", () => {
    const readme = require("fs").readFileSync(require("path").join(__dirname, "..", "..", "README.md"), "utf8") as string;
    const sample = /```\n(invalid rekey configuration, [^`]*)```/.exec(readme)![1];
    expect(() => planRotation(rawConfig({ "rekey:secrets": { DB_PASSWORD: { epoch: 1, generate: { encoding: "hex", bytes: 8 } }, "2FA_SEED": { epoch: 1, generate: { encoding: "hex", bytes: 16 } } } }))).toThrow(
        new RekeyConfigError([
            { subject: "secret 2FA_SEED", field: "", reason: "a secret name is letters, digits and underscores, not starting with a digit (it is also the env key)" },
            { subject: "secret DB_PASSWORD", field: "generate.bytes", reason: "must be 16-1024 bytes (got 8)" },
        ]).message,
    );
    expect(sample.trimEnd()).toBe(
        (() => {
            try {
                planRotation(rawConfig({ "rekey:secrets": { DB_PASSWORD: { epoch: 1, generate: { encoding: "hex", bytes: 8 } }, "2FA_SEED": { epoch: 1, generate: { encoding: "hex", bytes: 16 } } } }));
            } catch (e) {
                return (e as Error).message;
            }
            return "accepted";
        })(),
    );
});
