// Changes where rekey plan and a replayed pulumi up disagreed (issue 23's attack): each
// asserts that what the plan lists as running is exactly what the up runs, in an order the
// plan allows. scheduleReplay.test.ts draws random changes; these are the ones it missed.
import { rmSync } from "fs";
import { Config } from "../harness/configs";
import { compare, stubEnv } from "../harness/planVsUp";

let ctx: { dir: string; env: NodeJS.ProcessEnv };
beforeAll(() => (ctx = stubEnv()));
afterAll(() => rmSync(ctx.dir, { recursive: true, force: true }));
const gen = { encoding: "hex", bytes: 16 };
const cfg = (secrets: Config, consumers: Config, supplied: Config = {}): Config => ({ "rekey:secrets": secrets, "rekey:consumers": consumers, "rekey:supplied": supplied });
const bump = (c: Config, name: string, extra: Config = {}) => {
    const h = structuredClone(c);
    h["rekey:secrets"][name].epoch += 1;
    Object.assign(h["rekey:secrets"][name], extra);
    return h;
};
const edit = (c: Config, f: (h: Config) => void) => {
    const h = structuredClone(c);
    f(h);
    return h;
};
const ssm = [{ ssm: { prefix: "/p/" } }];
const dotenv = [{ dotenv: { path: "@ENV@" } }];
const c0 = { c0: { restart: "true" } };

const cases: [string, () => [Config, Config], string[]][] = [
    // 1. A revocation new in a change runs whether or not the hook does.
    ["supplied Redis secret: incident and revokeFirst at a bump with the same value", () => {
        const b = cfg({ S: { epoch: 1, supplied: true, apply: { redis: { host: "cache", user: "s" } }, stores: ssm, consumers: ["c0"] } }, c0, { S: "v1" });
        return [b, bump(b, "S", { incident: "x", revokeFirst: true })];
    }, ["revoke:S"]],
    ["supplied Postgres one role: incident and revokeFirst at a bump with the same value", () => {
        const b = cfg({ S: { epoch: 1, supplied: true, apply: { postgres: { host: "db", role: "s" } }, stores: ssm, consumers: ["c0"] } }, c0, { S: "v1" });
        return [b, bump(b, "S", { incident: "x", revokeFirst: true })];
    }, ["revoke:S"]],
    ["revokeFirst added (Redis) after the incident epoch deployed, no bump", () => {
        const b = cfg({ A: { epoch: 2, incident: "x", generate: gen, keepPrevious: true, apply: { redis: { host: "cache", user: "a" } }, stores: ssm, consumers: ["c0"] } }, c0);
        return [b, edit(b, (h) => (h["rekey:secrets"].A.revokeFirst = true))];
    }, ["revoke:A"]],
    ["revokeFirst added (Postgres one role) after the incident epoch deployed, no bump", () => {
        const b = cfg({ A: { epoch: 2, incident: "x", generate: gen, keepPrevious: true, apply: { postgres: { host: "db", role: "a" } }, stores: ssm, consumers: ["c0"] } }, c0);
        return [b, edit(b, (h) => (h["rekey:secrets"].A.revokeFirst = true))];
    }, ["revoke:A"]],
    ["revokeFirst added (Postgres role pair) after the incident epoch deployed, no bump: the finalize's resource, nothing runs", () => {
        const b = cfg({ A: { epoch: 2, incident: "x", generate: gen, keepPrevious: true, apply: { postgres: { host: "db", roles: ["a_blue", "a_green"] } }, stores: ssm, consumers: ["c0"] } }, c0);
        return [b, edit(b, (h) => (h["rekey:secrets"].A.revokeFirst = true))];
    }, []],
    ["Postgres one role: a second incident bump with revokeFirst ends the sessions again", () => {
        const b = cfg({ A: { epoch: 2, incident: "x", revokeFirst: true, generate: gen, apply: { postgres: { host: "db", role: "a" } }, stores: ssm, consumers: ["c0"] } }, c0);
        return [b, bump(b, "A", { incident: "y" })];
    }, ["hook:A", "revoke:A"]],
    // 2. A store write whose content changes with the same value (the user slot follows the epoch).
    ["supplied Postgres role pair, dotenv store, bump with the same value", () => {
        const b = cfg({ S: { epoch: 1, supplied: true, apply: { postgres: { host: "db", roles: ["s_blue", "s_green"] } }, stores: dotenv, consumers: ["c0"] } }, c0, { S: "v1" });
        return [b, bump(b, "S")];
    }, ["hook:S", "store:dotenv:*"]],
    // 3. A read of a value in use is no restart trigger, added or dropped.
    ["a consumer stops reading an adopted secret (in use) and still reads another", () => {
        const b = cfg({ S0: { epoch: 0, adopt: true, generate: gen, keepPrevious: true, stores: ssm, consumers: ["c0"] }, S3: { epoch: 1, generate: gen, stores: ssm, consumers: ["c0"] } }, c0, { S0: "adoptedS0" });
        return [b, edit(b, (h) => (h["rekey:secrets"].S0.consumers = []))];
    }, []],
    // 4. A new verify runs its check once; an edited one runs nothing until its triggers change.
    ["a verify added, nothing rotates", () => {
        const b = cfg({ A: { epoch: 1, generate: gen, stores: ssm, consumers: ["c0"] } }, c0);
        return [b, edit(b, (h) => (h["rekey:consumers"].c0.verify = { command: "true" }))];
    }, ["verify:c0"]],
    ["a verify edited, nothing rotates", () => {
        const b = cfg({ A: { epoch: 1, generate: gen, stores: ssm, consumers: ["c0"] } }, { c0: { restart: "true", verify: { command: "true" } } });
        return [b, edit(b, (h) => (h["rekey:consumers"].c0.verify = { command: "exit 0" }))];
    }, []],
    // 5. A rotatedAt edit rewrites the records (tags) of the stores that keep one: listed.
    ["rotatedAt edited only", () => {
        const b = cfg({ A: { epoch: 1, rotatedAt: "2026-01-01", generate: gen, apply: { postgres: { host: "db", role: "a" } }, stores: ssm, consumers: ["c0"] } }, c0);
        return [b, edit(b, (h) => (h["rekey:secrets"].A.rotatedAt = "2026-02-01"))];
    }, ["store:ssm:*"]],
    ["rotatedAt edited on the input of a derived secret kept in Kubernetes", () => {
        const b = cfg({ A: { epoch: 1, rotatedAt: "2026-01-01", generate: gen }, U: { derive: "x{{A}}", stores: [{ kubernetes: { secret: "app", namespace: "ns" } }], consumers: ["c0"] } }, c0);
        return [b, edit(b, (h) => (h["rekey:secrets"].A.rotatedAt = "2026-02-01"))];
    }, []],
    // 6. adopt removed with neither a bump nor a new value: the hook runs, the consumers restart.
    ["a supplied secret's adopt removed, no bump, same value", () => {
        const b = cfg({ A: { epoch: 3, adopt: true, supplied: true, apply: { postgres: { host: "db", role: "a" } }, stores: ssm, consumers: ["c0"] } }, c0, { A: "v1" });
        return [b, edit(b, (h) => delete h["rekey:secrets"].A.adopt)];
    }, ["hook:A", "restart:c0"]],
];
for (const [name, make, expected] of cases) {
    test(name, async () => {
        const fix = (c: Config): Config => JSON.parse(JSON.stringify(c).replaceAll("@ENV@", `${ctx.dir}/app.env`));
        const [b, h] = make();
        const o = await compare(fix(b), fix(h), ctx);
        expect(o.failed).toEqual([]);
        expect({ onlyPlan: o.onlyPlan, onlyRan: o.onlyRan, orderViolations: o.orderViolations }).toEqual({ onlyPlan: [], onlyRan: [], orderViolations: [] });
        for (const step of expected) expect(o.planned.filter((s) => (step.endsWith("*") ? s.startsWith(step.slice(0, -1)) : s === step))).not.toEqual([]);
        if (!expected.length) expect(o.planned).toEqual([]);
    }, 120_000);
}
