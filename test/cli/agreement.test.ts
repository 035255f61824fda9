// `rekey plan` and the program agree: for changes to a stack file, the consumers the plan
// says restart are exactly those whose restart commands the program creates or replaces,
// and the hooks it says run are exactly those whose commands change (MockEngine, the base
// run then the head run, as two `pulumi up`s).
import { readFileSync } from "fs";
import { join } from "path";
import { parseDocument } from "yaml";
import { MockEngine, RunResult } from "../harness/mockEngine";
import { encrypt } from "../harness/passphrase";
import { rekey, removeWorkdirs, workdir } from "../harness/cli";
import { ROOT, loadStackText, stackKey } from "../harness/stackFile";

const FILE = "Pulumi.production.yaml";
const BASE = readFileSync(join(ROOT, FILE), "utf8");
afterAll(removeWorkdirs);

type Edit = (doc: ReturnType<typeof parseDocument>) => void;
const S = (name: string, ...path: string[]) => ["config", "rekey:secrets", name, ...path];
const C = (name: string, ...path: string[]) => ["config", "rekey:consumers", name, ...path];
const bump = (name: string, by = 1): Edit => (d) => d.setIn(S(name, "epoch"), (d.getIn(S(name, "epoch")) as number) + by);
const supply = (name: string, value: string): Edit => (d) => d.setIn(["config", "rekey:supplied", name, "secure"], encrypt(stackKey(BASE), value));

// [change, edits, the consumers that restart, the secrets whose apply hook runs]
const cases: [string, Edit[], string[], string[]][] = [
    ["nothing changes", [], [], []],
    ["bump a generated secret with keepPrevious", [bump("JWT_SECRET")], ["api", "worker"], []],
    ["bump the input of a derived secret", [bump("REDIS_PASSWORD")], ["api", "worker"], ["REDIS_PASSWORD"]],
    ["roll a keepPrevious secret back", [bump("NOTES_JWT_SECRET", -1)], ["notes"], []],
    ["bump two secrets that share consumers", [bump("JWT_SECRET"), bump("DB_PASSWORD")], ["api", "worker"], ["DB_PASSWORD"]],
    ["a new supplied value, bumped", [supply("OPENAI_API_KEY", "sk-new-from-vendor"), bump("OPENAI_API_KEY")], ["notes"], []],
    ["a new supplied value, not bumped", [supply("R2_SECRET_ACCESS_KEY", "r2-new-token")], ["api", "worker"], []],
    ["a supplied epoch bumped without a new value", [bump("HA_TOKEN")], ["edge"], []],
    ["the admin password of a hook", [supply("PG_ADMIN_PASSWORD", "new-admin-password"), bump("PG_ADMIN_PASSWORD")], [], ["DB_PASSWORD"]],
    ["generate settings change (same bytes, other encoding)", [(d) => d.setIn(S("RUNNER_TOKEN", "generate", "encoding"), "base64")], ["api", "runner"], []],
    ["a derived template changes", [(d) => d.setIn(S("REDIS_URL", "derive"), "redis://musehub:{{REDIS_PASSWORD}}@redis.musehub.internal:6380/0")], ["api", "worker"], []],
    ["keepPrevious turned on", [(d) => d.setIn(S("RUNNER_TOKEN", "keepPrevious"), true)], [], []],
    ["a restart command edited", [(d) => d.setIn(C("edge", "restart"), "cd /opt/birdlense/app && docker compose up -d --force-recreate")], [], []],
    ["the inventory reordered", [(d) => void (d.getIn(["config", "rekey:secrets"]) as { items: unknown[] }).items.reverse()], [], []],
    [
        "a secret added to existing consumers",
        [(d) => d.setIn(S("SEARCH_TOKEN"), d.createNode({ epoch: 0, generate: { encoding: "hex", bytes: 16 }, stores: [{ ssm: {} }], consumers: ["worker", "edge"] }))],
        ["edge", "worker"],
        [],
    ],
    [
        "a secret adopted into existing consumers, with a hook: its value is the one in use",
        [
            supply("SEARCH_TOKEN", "search-token-in-use"),
            (d) =>
                d.setIn(
                    S("SEARCH_TOKEN"),
                    d.createNode({ epoch: 0, adopt: true, generate: { encoding: "hex", bytes: 16 }, keepPrevious: true, apply: { command: { run: "true" } }, stores: [{ ssm: {} }], consumers: ["worker", "edge"] }),
                ),
        ],
        [],
        [],
    ],
    [
        "a new consumer that reads only an adopted secret",
        [
            supply("SEARCH_TOKEN", "search-token-in-use"),
            (d) => d.setIn(C("search"), d.createNode({ kubernetes: { deployment: "search" } })),
            (d) => d.setIn(S("SEARCH_TOKEN"), d.createNode({ epoch: 0, adopt: true, generate: { encoding: "hex", bytes: 16 }, stores: [{ ssm: {} }], consumers: ["search"] })),
        ],
        [],
        [],
    ],
    [
        "a supplied secret adopted into existing consumers, at its vendor's epoch: its value is the one in use",
        [
            supply("SEARCH_TOKEN", "search-token-in-use"),
            (d) => d.setIn(S("SEARCH_TOKEN"), d.createNode({ epoch: 5, adopt: true, supplied: true, stores: [{ ssm: {} }], consumers: ["worker", "edge"] })),
        ],
        [],
        [],
    ],
    [
        "a supplied secret added to existing consumers without adopt: its first deployment restarts them",
        [
            supply("SEARCH_TOKEN", "search-token-in-use"),
            (d) => d.setIn(S("SEARCH_TOKEN"), d.createNode({ epoch: 5, supplied: true, stores: [{ ssm: {} }], consumers: ["worker", "edge"] })),
        ],
        ["edge", "worker"],
        [],
    ],
    ["a secret removed", [(d) => d.deleteIn(S("WEBHOOK_SECRET_KEY"))], ["api", "worker"], []],
    ["a consumer stops reading a secret", [(d) => d.setIn(S("RUNNER_TOKEN", "consumers"), d.createNode(["runner"]))], ["api"], []],
    [
        "a new consumer reads an unchanged secret",
        [
            (d) => d.setIn(C("search"), d.createNode({ kubernetes: { deployment: "search" }, after: ["api"] })),
            (d) => d.setIn(S("RUNNER_TOKEN", "consumers"), d.createNode(["api", "runner", "search"])),
        ],
        ["search"],
        [],
    ],
];

const restarted = (run: RunResult) =>
    [...run.resources.values()]
        .filter((r) => r.type.startsWith("command:") && r.name.startsWith("rekey-restart:") && (r.change === "created" || r.change === "replaced"))
        .map((r) => r.name.slice("rekey-restart:".length))
        .sort();
const HOOK = /^rekey:index:(PostgresPassword|RedisAclPassword|CommandHook)::rekey-(.*)-(postgres|redis|command)$/;
/** Secrets whose hook command runs: created, replaced or updated (hooks run on update too). */
const hooksRun = (run: RunResult) =>
    [...run.resources.values()]
        .filter((r) => r.type.startsWith("command:") && r.change !== "same" && HOOK.test(r.parent ?? ""))
        .map((r) => HOOK.exec(r.parent!)![2])
        .sort();

describe("rekey plan says restart exactly the consumers the program restarts, and run exactly its hooks", () => {
    test.each(cases)("%s", async (_, edits, restarts, hooks) => {
        const doc = parseDocument(BASE);
        for (const e of edits) e(doc);
        const head = String(doc);
        const dir = workdir({ [FILE]: head, "base.yaml": BASE }, false);
        const r = rekey(dir, "plan", "--stack", "production", "--base-file", "base.yaml", "--json");
        expect(r.stderr).toBe("");
        const plan = JSON.parse(r.stdout);

        const engine = new MockEngine("rekey", "production");
        const before = loadStackText(BASE);
        const after = loadStackText(head);
        // A rollback restores a value the stack deployed: the head's epoch was deployed before the base's.
        if (_.startsWith("roll")) await engine.run(after.config, undefined, after.secretKeys);
        await engine.run(before.config, undefined, before.secretKeys);
        const run = await engine.run(after.config, undefined, after.secretKeys);

        expect(plan.consumers.map((c: { name: string }) => c.name).sort()).toEqual(restarted(run));
        expect(restarted(run)).toEqual(restarts);
        expect(plan.hooks.map((h: { secret: string }) => h.secret).sort()).toEqual(hooksRun(run));
        expect(hooksRun(run)).toEqual(hooks);
        if (!edits.length) expect(plan.rotates).toBe(false);
    });
});

test("a supplied value the CLI cannot read: rekey plan lists the .env check it could not make, and pulumi up makes it before any resource", async () => {
    const doc = parseDocument(BASE);
    supply("HA_TOKEN", "line one\nline two")(doc);
    bump("HA_TOKEN")(doc);
    const head = String(doc);
    const dir = workdir({ [FILE]: head, "base.yaml": BASE }, false);
    const json = JSON.parse(rekey(dir, "plan", "--stack", "production", "--base-file", "base.yaml", "--json").stdout);
    expect(json.unchecked).toEqual([
        {
            subject: "secret HA_TOKEN",
            field: "stores[0].dotenv",
            check: "whether the supplied value fits a .env line: rekey reads no encrypted value here, pulumi up checks it before anything is written",
        },
    ]);
    expect(rekey(dir, "plan", "--stack", "production", "--base-file", "base.yaml").stdout).toContain(
        "#### Not checked here (pulumi up checks these before it writes anything)\n- secret HA_TOKEN, stores[0].dotenv: whether the supplied value fits a .env line",
    );
    // Unchanged, nothing is written, so there is nothing to list.
    expect(JSON.parse(rekey(workdir({ [FILE]: BASE, "base.yaml": BASE }, false), "plan", "--stack", "production", "--base-file", "base.yaml", "--json").stdout).unchecked).toEqual([]);

    const engine = new MockEngine("rekey", "production");
    const after = loadStackText(head);
    await expect(engine.run(after.config, undefined, after.secretKeys)).rejects.toThrow(
        /secret HA_TOKEN, field stores\[0\]\.dotenv: cannot hold this secret: its value can contain a line break/,
    );
    expect(engine.registered()).toEqual([]);
});
