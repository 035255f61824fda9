import { encode, encodedLength, generatorArgs, valueAlphabet } from "../../components/plan/encodings";
import { planRotation } from "../../components/plan/plan";
import { derivedFrom, derivedIndex } from "../../components/plan/graph";
import { generatePassword } from "../harness/mockEngine";
import { rawConfig } from "../harness/rawConfig";

test("generator slots of a first deployment: current slot by epoch parity, previous in the other, round 1", () => {
    const plan = planRotation(
        rawConfig({
            "rekey:secrets": {
                A: { epoch: 0, generate: { encoding: "hex", bytes: 16 }, keepPrevious: true },
                B: { epoch: 7, generate: { encoding: "hex", bytes: 16 } },
            },
        }),
    );
    expect(plan.secrets[0].slots).toEqual([
        { parity: "even", epoch: 0, round: 1, role: "current" },
        { parity: "odd", epoch: -1, round: 1, role: "previous" },
    ]);
    expect(plan.secrets[1].slots).toEqual([{ parity: "odd", epoch: 7, round: 1, role: "current" }]);
});

test("store defaults, variants and labels", () => {
    const plan = planRotation(
        rawConfig({
            "rekey:defaults": {
                ssm: { prefix: "/app/prod/", keyId: "alias/app" },
                keyVault: { vault: "kv-app-prod", resourceGroup: "rg-app" },
                kubernetes: { namespace: "app" },
            },
            "rekey:secrets": {
                DB_PASSWORD: {
                    epoch: 3,
                    generate: { encoding: "hex", bytes: 24 },
                    keepPrevious: true,
                    apply: { postgres: { host: "db", roles: ["app_a", "app_b"] } },
                    stores: [{ ssm: {} }, { keyVault: {} }, { kubernetes: { secret: "app-secrets", key: "PGPASSWORD" } }, { file: { path: "/run/secrets/db" } }],
                },
            },
        }),
    );
    const s = plan.secrets[0];
    expect(s.user).toBe("app_b");
    expect(s.stores.map((st) => st.label)).toEqual([
        "ssm:/app/prod/DB_PASSWORD",
        "keyVault:kv-app-prod/db-password",
        "kubernetes:app/app-secrets#PGPASSWORD",
        "file:/run/secrets/db",
    ]);
    expect(s.stores.map((st) => st.writes.map((w) => w.target))).toEqual([
        ["/app/prod/DB_PASSWORD", "/app/prod/DB_PASSWORD_PREVIOUS", "/app/prod/DB_PASSWORD_USER"],
        ["db-password", "db-password-previous", "db-password-user"],
        ["PGPASSWORD", "PGPASSWORD_PREVIOUS", "PGPASSWORD_USER"],
        ["/run/secrets/db", "/run/secrets/db.previous", "/run/secrets/db.user"],
    ]);
    expect(s.stores[0]).toMatchObject({ kind: "ssm", keyId: "alias/app" });
    expect(s.stores[3]).toMatchObject({ kind: "file", mode: null });
});

test("consumers are ordered by after and list the secrets that name them", () => {
    const plan = planRotation(
        rawConfig({
            "rekey:consumers": {
                api: { kubernetes: { deployment: "api" }, after: ["redis"] },
                worker: { kubernetes: { statefulset: "worker" }, after: ["redis"] },
                redis: { kubernetes: { deployment: "redis" } },
            },
            "rekey:secrets": {
                REDIS_PASSWORD: { epoch: 1, generate: { encoding: "hex", bytes: 32 }, consumers: ["redis", "api", "worker"] },
                JWT: { epoch: 1, generate: { encoding: "hex", bytes: 32 }, consumers: ["api"] },
            },
        }),
    );
    expect(plan.consumers.map((c) => c.name)).toEqual(["redis", "api", "worker"]);
    expect(plan.consumers.find((c) => c.name === "api")!.secrets).toEqual(["REDIS_PASSWORD", "JWT"]);
});

describe("encodings, as pure functions over generated text", () => {
    const specs = [
        { encoding: "hex", bytes: 16 },
        { encoding: "base64", bytes: 17 },
        { encoding: "base64url", bytes: 31 },
        { encoding: "fernet" },
        { encoding: "alphanumeric", length: 33 },
        { encoding: "password", length: 20, overrideSpecial: "#%" },
    ] as const;
    test.each(specs.map((s) => [s.encoding, s] as const))("%s: length and alphabet hold for 200 draws", (_e, spec) => {
        for (let i = 0; i < 200; i++) {
            const v = encode(spec, generatePassword(generatorArgs(spec)));
            expect(v).toHaveLength(encodedLength(spec));
            for (const ch of v) expect(valueAlphabet(spec)).toContain(ch);
        }
    });
    test("hex characters are drawn uniformly (chi-square over 64,000 characters)", () => {
        const counts = new Map<string, number>();
        const args = generatorArgs({ encoding: "hex", bytes: 1000 });
        for (let i = 0; i < 32; i++) for (const ch of generatePassword(args)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
        expect(counts.size).toBe(16);
        const expected = 64000 / 16;
        const chi = [...counts.values()].reduce((a, c) => a + (c - expected) ** 2 / expected, 0);
        expect(chi).toBeLessThan(50); // p < 1e-5 for 15 degrees of freedom
    });
});

test("derivedFrom follows derived secrets through other derived secrets", () => {
    const plan = planRotation(
        rawConfig({
            "rekey:secrets": {
                URL: { derive: "{{HOST}}/{{PASS}}" },
                PASS: { epoch: 1, generate: { encoding: "hex", bytes: 16 } },
                HOST: { derive: "h{{OTHER}}" },
                OTHER: { epoch: 1, generate: { encoding: "hex", bytes: 16 } },
                DSN: { derive: "dsn:{{URL}}" },
            },
        }),
    );
    expect(derivedFrom(plan, "PASS").sort()).toEqual(["DSN", "URL"]);
    expect(derivedFrom(plan, "OTHER").sort()).toEqual(["DSN", "HOST", "URL"]);
    expect(derivedFrom(plan, "DSN")).toEqual([]);
    // The schedule's index gives the same lists, in the same (plan) order.
    const index = derivedIndex(plan);
    for (const s of plan.secrets) expect({ s: s.name, derived: index(s.name) }).toEqual({ s: s.name, derived: derivedFrom(plan, s.name) });
});

test("one .env file has one writer however its path is spelled (// and /./ collapse)", () => {
    const { groupsOf, storeGroups } = require("../../components/plan/storeTargets") as typeof import("../../components/plan/storeTargets");
    const hex = { epoch: 0, generate: { encoding: "hex", bytes: 16 } };
    const plan = planRotation(
        rawConfig({
            "rekey:secrets": {
                A: { ...hex, stores: [{ dotenv: { path: "/x/app.env" } }] },
                B: { ...hex, stores: [{ dotenv: { path: "/x//app.env" } }] },
                C: { ...hex, stores: [{ dotenv: { path: "/x/./app.env" } }] },
            },
        }),
    );
    const targets = groupsOf(storeGroups(plan), "dotenv");
    expect(targets.map((t) => [t.name, t.members.map((m) => m.store.path), t.writes.map((k) => k.target)])).toEqual([["dotenv:local:/x/app.env", ["/x/app.env", "/x/app.env", "/x/app.env"], ["A", "B", "C"]]]);
    expect(() => planRotation(rawConfig({ "rekey:secrets": { A: { ...hex, stores: [{ dotenv: { path: "/x/app.env" } }] }, B: { ...hex, stores: [{ dotenv: { path: "/x//app.env", key: "A" } }] } } }))).toThrow(
        /secret B, field stores\[0\]: writes the key A of \/x\/app.env, which secret A writes too/,
    );
});

test("exactlyOne: the one key set, or one problem (default or the caller's wording for none and several)", () => {
    const { Problems, exactlyOne, oneOfText } = require("../../components/plan/problems") as typeof import("../../components/plan/problems");
    const problems = new Problems();
    const keys = ["a", "b", "c"] as const;
    expect(exactlyOne({ b: 1 }, keys, { problems, subject: "s", field: "f" })).toBe("b");
    expect(exactlyOne({}, keys, { problems, subject: "s", field: "f" })).toBeUndefined();
    expect(exactlyOne({ a: 1, c: 2 }, keys, { problems, subject: "s", field: "f" })).toBeUndefined();
    expect(exactlyOne({}, keys, { problems, subject: "s", field: "g", none: "names none" })).toBeUndefined();
    expect(exactlyOne({ a: 1, b: 2 }, keys, { problems, subject: "s", field: "g", several: (found) => `names ${found.join(" and ")}` })).toBeUndefined();
    expect(problems.list).toEqual([
        { subject: "s", field: "f", reason: "needs exactly one of a, b or c" },
        { subject: "s", field: "f", reason: "needs exactly one of a, b or c" },
        { subject: "s", field: "g", reason: "names none" },
        { subject: "s", field: "g", reason: "names a and b" },
    ]);
    expect([oneOfText(["x"]), oneOfText(["x", "y"])]).toEqual(["x", "x or y"]);
});

test("changedAt: a derived secret's date is the latest rotatedAt of the secrets it is derived from, through derived ones", () => {
    const hex = { generate: { encoding: "hex", bytes: 16 } };
    const plan = planRotation(
        rawConfig({
            "rekey:secrets": {
                DSN: { derive: "dsn:{{URL}}" },
                URL: { derive: "{{HOST}}/{{PASS}}" },
                HOST: { derive: "h{{OTHER}}" },
                PASS: { epoch: 1, rotatedAt: "2026-03-01", ...hex },
                OTHER: { epoch: 1, rotatedAt: "2026-05-09", ...hex },
                UNDATED: { epoch: 0, ...hex },
                PLAIN: { derive: "x{{UNDATED}}" },
                OWN: { derive: "{{PASS}}", rotatedAt: "2026-01-01" },
            },
        }),
    );
    const at = Object.fromEntries(plan.secrets.map((s) => [s.name, s.changedAt]));
    expect(at).toEqual({ PASS: "2026-03-01", OTHER: "2026-05-09", HOST: "2026-05-09", URL: "2026-05-09", DSN: "2026-05-09", UNDATED: null, PLAIN: null, OWN: "2026-01-01" });
});
