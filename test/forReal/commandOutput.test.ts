// For real (replayed as the command provider runs them): a failing hook that prints every
// value it was handed reports nothing secret, where the same script bare would (control);
// a command hook runs on its first value and on each rotation, never on an unchanged or
// edited configuration.
import { spawnSync } from "child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { Config } from "../harness/configs";
import { MockEngine } from "../harness/mockEngine";
import { replay } from "../harness/replay";
import { runWithValues } from "../harness/values";

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), "rekey-cmdout-"))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LEAKY = `set -x; echo "old=$OLD_VALUE new=$NEW_VALUE"; env; echo "$NEW_VALUE" >&2; exit 3`;

test("a failing hook that prints its values: the provider's error text (stdout and stderr) holds none of them, and says which step failed", async () => {
    const env = join(dir, "leak.env");
    const config: Config = {
        "rekey:secrets": {
            KEY: { epoch: 1, generate: { encoding: "base64", bytes: 32 }, keepPrevious: true, apply: { command: { run: LEAKY } }, stores: [{ dotenv: { path: env } }] },
        },
    };
    const engine = new MockEngine();
    const r = await runWithValues(engine, config);
    const out = await replay(engine, r.run);
    expect(out.failed).toEqual(["command:local:Command::rekey-command-hook:KEY"]);
    expect(out.skipped).toEqual([`command:local:Command::rekey-dotenv:local:${env}`, `command:local:Command::rekey-readback:dotenv:local:${env}`]);
    expect(existsSync(env)).toBe(false);
    const hook = out.executed.find((e) => e.key.endsWith("rekey-command-hook:KEY"))!;
    expect(hook.code).toBe(3);
    expect(hook.stdout).toBe("");
    expect(hook.stderr).toBe(
        "rekey: step command-hook:KEY failed with exit code 3. Its output is withheld because it can contain secret values: to see it, run the step by hand with the inputs that pulumi preview --diff --show-secrets shows for it, then run pulumi up again.\n",
    );
    const values = [r.values.KEY, r.previous.KEY];
    for (const v of values) expect(hook.stdout + hook.stderr).not.toContain(v);

    // Control: the same script run bare prints both values.
    const bare = spawnSync("/bin/sh", ["-c", LEAKY], { env: { ...process.env, OLD_VALUE: r.previous.KEY, NEW_VALUE: r.values.KEY }, encoding: "utf8" });
    expect(bare.status).toBe(3);
    for (const v of values) expect(bare.stdout + bare.stderr).toContain(v);
});

test("a store writer that fails (its directory is a file) reports only the step and its exit code", async () => {
    const blocker = join(dir, "blocker");
    require("fs").writeFileSync(blocker, "");
    const config: Config = { "rekey:secrets": { TOKEN: { epoch: 0, generate: { encoding: "hex", bytes: 16 }, stores: [{ file: { path: join(blocker, "token") } }] } } };
    const engine = new MockEngine();
    const r = await runWithValues(engine, config);
    const out = await replay(engine, r.run);
    expect(out.failed).toHaveLength(1);
    const e = out.executed[0];
    expect(e.stdout).toBe("");
    expect(e.stderr).toMatch(/^rekey: step file:local:.*\/blocker\/token failed with exit code [1-9]\d*\. Its output is withheld/);
    expect(e.stderr).not.toContain(r.values.TOKEN);
});

test("a command hook runs on its first value and on each rotation, with OLD_VALUE, NEW_VALUE and REKEY_INITIAL; never on an unchanged or edited configuration", async () => {
    const log = join(dir, "hook.log");
    const run = (tag: string) => `printf '%s %s %s %s\\n' ${tag} "$REKEY_INITIAL" "$OLD_VALUE" "$NEW_VALUE" >>${log}`;
    const config = (epoch: number, tag = "a"): Config => ({
        "rekey:secrets": { KEY: { epoch, generate: { encoding: "hex", bytes: 16 }, keepPrevious: true, apply: { command: { run: run(tag) } } } },
    });
    const engine = new MockEngine();
    const up = async (c: Config) => {
        const r = await runWithValues(engine, c);
        const out = await replay(engine, r.run);
        expect(out.failed).toEqual([]);
        return r;
    };
    const lines = () => (existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : []);
    const first = await up(config(1));
    expect(lines()).toEqual([`a 1 ${first.previous.KEY} ${first.values.KEY}`]);
    await up(config(1));
    await up(config(1, "b"));
    expect(lines()).toHaveLength(1);
    const second = await up(config(2, "b"));
    expect(lines()).toEqual([`a 1 ${first.previous.KEY} ${first.values.KEY}`, `b 0 ${first.values.KEY} ${second.values.KEY}`]);
    await up(config(2, "b"));
    expect(lines()).toHaveLength(2);
});

test("a verify command runs as one shell script: a trailing comment and a line break work", async () => {
    const marker = join(dir, "healthy");
    require("fs").writeFileSync(marker, "");
    const config: Config = {
        "rekey:consumers": { app: { restart: "true", verify: { command: `test -f ${marker} # the service writes this once healthy\n`, timeoutSeconds: 2, intervalSeconds: 1 } } },
        "rekey:secrets": { KEY: { epoch: 1, generate: { encoding: "hex", bytes: 16 }, consumers: ["app"] } },
    };
    const engine = new MockEngine();
    const out = await replay(engine, (await runWithValues(engine, config)).run);
    expect(out.failed).toEqual([]);
    expect(out.ran).toContain("rekey-verify:app");
    // And it still fails when the check fails.
    rmSync(marker);
    const bumped = structuredClone(config);
    bumped["rekey:secrets"].KEY.epoch = 2;
    const again = await replay(engine, (await runWithValues(engine, bumped)).run);
    expect(again.failed).toEqual(["command:local:Command::rekey-verify:app"]);
});
