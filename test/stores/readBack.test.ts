// The store read-back (components/stores/scripts/read-back.sh), run for real after the
// writer (write-file.sh) under dash, bash and busybox sh (with only busybox applets on PATH):
// a file holding what was written passes, another value, a missing key or file fails naming
// store, secret and key, and nothing of a value or fingerprint is printed.
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { dotenvLine } from "../../components/plan/dotenvLine";
import { READ_BACK_SCRIPT } from "../../components/stores/readBack";
import { WRITE_FILE_SCRIPT } from "../../components/stores/writeFileCommand";

const work = mkdtempSync(join(tmpdir(), "rekey-readback-sh-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function busybox() {
    const bin = join(work, "busybox-bin");
    mkdirSync(bin, { recursive: true });
    const busyboxPath = spawnSync("sh", ["-c", "command -v busybox"]).stdout.toString().trim();
    if (!busyboxPath) throw new Error("busybox is needed (apt-get install busybox)");
    for (const applet of ["sh", "awk", "cat", "cp", "mv", "ln", "rm", "cmp", "chmod", "mkdir", "mktemp", "sha256sum"]) symlinkSync(busyboxPath, join(bin, applet));
    return { name: "busybox sh", sh: join(bin, "sh"), env: { PATH: bin, TMPDIR: work } };
}
const shells = () => [
    { name: "dash", sh: "dash", env: { PATH: process.env.PATH, TMPDIR: work } },
    // (--norc: bash reads ~/.bashrc when its stdin is a socket, as node's pipes are.)
    { name: "bash", sh: "bash", pre: ["--norc"], env: { PATH: process.env.PATH, TMPDIR: work } },
    busybox(),
];

const KEY = "a-check-key-for-the-test";
const fp = (text: string) => createHash("sha256").update(`${KEY}\n${text}`, "utf8").digest("hex");
const line = (k: string, v: string) => {
    const r = dotenvLine(k, v);
    if ("problem" in r) throw new Error(r.problem);
    return r.line;
};
const run = (shell: { sh: string; pre?: string[]; env: NodeJS.ProcessEnv }, args: string[], stdin: string, script = READ_BACK_SCRIPT) =>
    spawnSync(shell.sh, [...(shell.pre ?? []), "-c", script, "rekey-step", ...args], { input: stdin, env: shell.env, encoding: "utf8" });

describe.each(shells())("$name", (shell) => {
    const values: [string, string][] = [["API_TOKEN", "it's a value # with = signs"], ["SESSION", "0123abcd"]];
    const setup = () => {
        const dir = mkdtempSync(join(work, "d-"));
        const env = join(dir, "app.env");
        writeFileSync(env, "# kept\nexport API_TOKEN=old\nOTHER=1\n");
        const w = run(shell, ["dotenv", env], ["rekey-dotenv-v1", ...values.map(([k, v]) => line(k, v)), ""].join("\n"), WRITE_FILE_SCRIPT);
        expect(w.status).toBe(0);
        return { dir, env };
    };
    const words = (env: string) => values.flatMap(([k]) => [k, `S_${k}`, env]);
    const want = (vs: [string, string][]) => [KEY, ...vs.map(([k, v]) => fp(`${line(k, v)}\n`)), ""].join("\n");

    test(".env: what the writer wrote reads back (an `export ` line too); another value fails naming store, secret and key", () => {
        const { env } = setup();
        const ok = run(shell, ["dotenv", "STORE", ...words(env)], want(values));
        expect([ok.status, ok.stdout, ok.stderr]).toEqual([0, "rekey: store STORE read back: it holds the values written\n", ""]);
        writeFileSync(env, readFileSync(env, "utf8").replace(/^SESSION=.*$/m, "SESSION='ffff'"));
        const bad = run(shell, ["dotenv", "STORE", ...words(env)], want(values));
        expect([bad.status, bad.stdout, bad.stderr]).toEqual([1, "", "rekey: read-back failed: store STORE holds another value than the one written for secret S_SESSION (SESSION); another writer may have changed it\n"]);
        // A key the file has no line for fails the same way.
        writeFileSync(env, "API_TOKEN=x\n");
        const gone = run(shell, ["dotenv", "STORE", ...words(env)], want(values));
        expect(gone.status).toBe(1);
        expect(gone.stderr.split("\n").filter(Boolean)).toHaveLength(2);
        for (const out of [ok, bad, gone]) for (const [, v] of values) expect(out.stdout + out.stderr).not.toContain(v);
    });

    test(".env: a managed key on a second line (another writer appended it after the write) fails: a reader such as dotenv.parse keeps the last", () => {
        const { env } = setup();
        // The writer keeps one line per managed key (later duplicates dropped), so a second line is another writer's.
        writeFileSync(env, readFileSync(env, "utf8") + "SESSION=ffff\n");
        const dup = run(shell, ["dotenv", "STORE", ...words(env)], want(values));
        expect([dup.status, dup.stdout, dup.stderr]).toEqual([1, "", "rekey: read-back failed: store STORE holds another value than the one written for secret S_SESSION (SESSION); another writer may have changed it\n"]);
        // The same line twice is no other value, but still not what the writer left: it fails too.
        writeFileSync(env, readFileSync(env, "utf8").replace("SESSION=ffff\n", `export ${line("SESSION", "0123abcd")}\n`));
        expect(run(shell, ["dotenv", "STORE", ...words(env)], want(values)).status).toBe(1);
        for (const [, v] of values) expect(dup.stdout + dup.stderr).not.toContain(v);
    });

    test(".env: a `KEY=` line inside another key's quoted multi-line value is that value, as for the writer: neither a false mismatch nor a false match", () => {
        const dir = mkdtempSync(join(work, "m-"));
        const env = join(dir, "app.env");
        // Before the managed keys: a double-quoted value (with an escaped quote) and a
        // single-quoted one over several lines, holding lines that look like the keys.
        const cert = `CERT="-----\nsays \\" API_TOKEN=no\nAPI_TOKEN=zzz\n${line("SESSION", "0123abcd")}\n-----"\n`;
        const note = `export NOTE='first\nSESSION=stale\nlast'\n`;
        writeFileSync(env, `${cert}${note}# kept\n`);
        const w = run(shell, ["dotenv", env], ["rekey-dotenv-v1", ...values.map(([k, v]) => line(k, v)), ""].join("\n"), WRITE_FILE_SCRIPT);
        expect(w.status).toBe(0);
        // The writer kept both values whole and appended the keys after them.
        expect(readFileSync(env, "utf8")).toBe(`${cert}${note}# kept\n${values.map(([k, v]) => line(k, v)).join("\n")}\n`);
        // Read back: the keys' own lines hold what was written (the earlier look-alikes would differ).
        const ok = run(shell, ["dotenv", "STORE", ...words(env)], want(values));
        expect([ok.status, ok.stderr]).toEqual([0, ""]);
        // The key's own line changed by hand: it fails, though a line inside CERT holds the written text.
        writeFileSync(env, readFileSync(env, "utf8").replace(/^SESSION='0123abcd'$(?![\s\S]*-----")/m, "SESSION='ffff'"));
        expect(readFileSync(env, "utf8")).toContain(`\n${line("SESSION", "0123abcd")}\n-----"`);
        const bad = run(shell, ["dotenv", "STORE", ...words(env)], want(values));
        expect([bad.status, bad.stderr]).toEqual([1, "rekey: read-back failed: store STORE holds another value than the one written for secret S_SESSION (SESSION); another writer may have changed it\n"]);
    });

    test("file: the whole content reads back; another content or a missing file fails; the temporary texts are removed", () => {
        const { dir } = setup();
        const f = join(dir, "token");
        writeFileSync(f, "the value\n");
        const args = ["file", "file:TOKEN", f, "S_TOKEN", f];
        expect(run(shell, args, [KEY, fp("the value\n"), ""].join("\n")).status).toBe(0);
        const bad = run(shell, args, [KEY, fp("another value"), ""].join("\n"));
        expect([bad.status, bad.stderr]).toEqual([1, `rekey: read-back failed: store file:TOKEN holds another value than the one written for secret S_TOKEN (${f}); another writer may have changed it\n`]);
        const missing = run(shell, ["file", "file:TOKEN", join(dir, "nope"), "S_TOKEN", join(dir, "nope")], [KEY, fp("x"), ""].join("\n"));
        expect([missing.status, missing.stderr]).toEqual([1, `rekey: read-back failed: store file:TOKEN: ${join(dir, "nope")} does not exist (secret S_TOKEN)\n`]);
        expect(spawnSync("sh", ["-c", `ls -d '${work}'/rekey-read-back.* 2>/dev/null`]).stdout.toString()).toBe("");
    });
});

test("the read-back's rule for a quoted multi-line value is the writer's, character for character (each script ships alone: a changed writer would update every deployed one)", () => {
    // The awk function, from its line to the closing brace at its own indentation.
    const closes = (script: string) => script.match(/^( *)function closes\(s, q, +i, c\) \{\n[\s\S]*?\n\1\}\n/m)?.[0].replace(/^ +/gm, "");
    expect(closes(READ_BACK_SCRIPT)).toBeDefined();
    expect(closes(READ_BACK_SCRIPT)).toBe(closes(WRITE_FILE_SCRIPT));
});
