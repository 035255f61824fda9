// The store writer (components/stores/scripts/write-file.sh), run for real on temporary
// directories under /bin/sh, dash and busybox sh (with only busybox applets on PATH).
import { spawn, spawnSync } from "child_process";
import { chmodSync, chownSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { parse } from "dotenv";
import { dotenvLine } from "../../components/plan/dotenvLine";
import { WRITE_FILE_SCRIPT, writeFileCommand } from "../../components/stores/writeFileCommand";
import { commandExists, describeNeeding, isRoot } from "../harness/requirements";

interface Shell {
    name: string;
    argv: string[];
    env: NodeJS.ProcessEnv;
}

const work = mkdtempSync(join(tmpdir(), "rekey-writer-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function busyboxShell(): Shell {
    const bin = join(work, "busybox-bin");
    mkdirSync(bin, { recursive: true });
    for (const applet of ["sh", "awk", "cat", "cp", "mv", "ln", "rm", "cmp", "chmod", "chown", "mkdir"]) {
        symlinkSync(spawnSync("sh", ["-c", "command -v busybox"]).stdout.toString().trim(), join(bin, applet));
    }
    return { name: "busybox sh", argv: [join(bin, "sh")], env: { PATH: bin } };
}

const shells: Shell[] = [
    { name: "/bin/sh", argv: ["/bin/sh"], env: { PATH: process.env.PATH } },
    { name: "dash", argv: ["dash"], env: { PATH: process.env.PATH } },
];

function write(shell: Shell, kind: "dotenv" | "file", path: string, stdin: string, extra: string[] = [], incident = false) {
    // At an incident, the command line the program runs (writeFileCommand): the writer, then the backup's removal.
    const argv = incident
        ? ["-c", writeFileCommand(kind, path, { mode: extra[0], owner: extra[1], incident: true })]
        : ["-c", WRITE_FILE_SCRIPT, "rekey-write", kind, path, ...extra];
    const r = spawnSync(shell.argv[0], [...shell.argv.slice(1), ...argv], {
        input: stdin,
        env: shell.env,
        encoding: "utf8",
    });
    if (r.status !== 0) throw new Error(`writer failed (${r.status}): ${r.stderr}`);
    return r.stdout;
}

const dotenvInput = (entries: [string, string][]) =>
    ["rekey-dotenv-v1", ...entries.map(([k, v]) => {
        const r = dotenvLine(k, v);
        if ("problem" in r) throw new Error(r.problem);
        return r.line;
    }), ""].join("\n");

const HOSTILE: [string, string][] = [
    ["SINGLE_QUOTE", "it's a value"],
    ["DOUBLE_QUOTE", 'say "hi"'],
    ["HASH", "abc#def # not a comment"],
    ["DOLLAR", "$HOME ${USER} $(id)"],
    ["SPACES", "a b  c"],
    ["EQUALS", "a=b==c="],
    ["BACKSLASH", "C:\\path\\n\\t\\\\x"],
    ["LEADING_TRAILING", "  padded  "],
    ["UNICODE", "päss—wörd ✓ 密码"],
    ["BACKTICK", "`cmd` and `more`"],
    ["EMPTY", ""],
    ["ONLY_QUOTE_AND_SPACE", "' "],
];

const ORIGINAL = `# BirdLense settings
BIRDLENSE_ENV=production

export FLASK_SECRET_KEY="old-flask"
GO2RTC_URL=http://127.0.0.1:1984  # inline comment
CERT="-----BEGIN-----
PROCESSOR_SECRET=inside-a-multiline-value
-----END-----"
PROCESSOR_SECRET=old-processor
MQTT_HOST=mqtt.local
PROCESSOR_SECRET=stale-duplicate
`;

function describeShell(shell: Shell) {
    describe(`under ${shell.name}`, () => {
        let dir: string;
        beforeEach(() => {
            dir = mkdtempSync(join(work, "case-"));
        });

        test("updates only the managed keys, keeps every other line, comment and the order", () => {
            const env = join(dir, ".env");
            writeFileSync(env, ORIGINAL);
            write(shell, "dotenv", env, dotenvInput([["FLASK_SECRET_KEY", "new-flask"], ["PROCESSOR_SECRET", "new-processor"], ["MCP_TOKEN", "new-mcp"]]));
            expect(readFileSync(env, "utf8")).toBe(`# BirdLense settings
BIRDLENSE_ENV=production

export FLASK_SECRET_KEY='new-flask'
GO2RTC_URL=http://127.0.0.1:1984  # inline comment
CERT="-----BEGIN-----
PROCESSOR_SECRET=inside-a-multiline-value
-----END-----"
PROCESSOR_SECRET='new-processor'
MQTT_HOST=mqtt.local
MCP_TOKEN='new-mcp'
`);
            const parsed = parse(readFileSync(env));
            expect(parsed).toMatchObject({ FLASK_SECRET_KEY: "new-flask", PROCESSOR_SECRET: "new-processor", MCP_TOKEN: "new-mcp", MQTT_HOST: "mqtt.local" });
            expect(parsed.CERT).toBe("-----BEGIN-----\nPROCESSOR_SECRET=inside-a-multiline-value\n-----END-----");
        });

        test("hostile values read back exactly with the dotenv parser", () => {
            const env = join(dir, ".env");
            writeFileSync(env, "KEEP=1\n");
            write(shell, "dotenv", env, dotenvInput(HOSTILE));
            const parsed = parse(readFileSync(env));
            for (const [k, v] of HOSTILE) expect({ [k]: parsed[k] }).toEqual({ [k]: v });
            expect(parsed.KEEP).toBe("1");
        });

        test("keeps mode; a new file is 0600 (in a new 0700 directory); the backup holds the previous file", () => {
            const env = join(dir, ".env");
            writeFileSync(env, "A=1\n");
            chmodSync(env, 0o640);
            write(shell, "dotenv", env, dotenvInput([["A", "2"]]));
            expect(statSync(env).mode & 0o777).toBe(0o640);
            expect(readFileSync(`${env}.rekey-backup`, "utf8")).toBe("A=1\n");
            write(shell, "dotenv", env, dotenvInput([["A", "3"]]));
            expect(readFileSync(`${env}.rekey-backup`, "utf8")).toBe("A='2'\n");
            const created = join(dir, "missing", "dir", "new.env");
            write(shell, "dotenv", created, dotenvInput([["B", "x"]]));
            expect(statSync(created).mode & 0o777).toBe(0o600);
            expect(statSync(join(dir, "missing")).mode & 0o777).toBe(0o700);
            expect(readFileSync(created, "utf8")).toBe("B='x'\n");
        });

        test("an unchanged run does not touch the file", () => {
            const env = join(dir, ".env");
            writeFileSync(env, "A='same'\n# note\n");
            const past = new Date("2026-01-01T00:00:00Z");
            utimesSync(env, past, past);
            const before = statSync(env);
            expect(write(shell, "dotenv", env, dotenvInput([["A", "same"]]))).toContain("unchanged");
            const after = statSync(env);
            expect(after.mtimeMs).toBe(before.mtimeMs);
            expect(after.ino).toBe(before.ino);
        });

        test("file stores hold exactly the value, with the given mode", () => {
            const f = join(dir, "jwt_secret");
            const value = "line one\nline two ✓ 'quoted' \"$x\" no trailing newline";
            write(shell, "file", f, value, ["0400"]);
            expect(readFileSync(f, "utf8")).toBe(value);
            expect(statSync(f).mode & 0o777).toBe(0o400);
            write(shell, "file", f, "v2", ["0400"]);
            expect(readFileSync(f, "utf8")).toBe("v2");
            expect(readFileSync(`${f}.rekey-backup`, "utf8")).toBe(value);
        });

        test("at an incident (writeFileCommand) no backup is left, and the one an earlier run kept is removed the one an earlier run kept, also when the content is already the new one", () => {
            const env = join(dir, ".env");
            writeFileSync(env, "A='before'\nKEEP=1\n");
            write(shell, "dotenv", env, dotenvInput([["A", "leaked"]]));
            expect(readFileSync(`${env}.rekey-backup`, "utf8")).toContain("before");
            write(shell, "dotenv", env, dotenvInput([["A", "fresh"]]), [], true);
            expect(readFileSync(env, "utf8")).toBe("A='fresh'\nKEEP=1\n");
            const left = () => readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), "utf8")] as const).filter(([, c]) => c.includes("leaked") || c.includes("before"));
            expect(left()).toEqual([]);
            // A backup made by hand (or by a run that failed later) before the re-run of an unchanged incident write.
            writeFileSync(`${env}.rekey-backup`, "A='leaked'\n");
            expect(write(shell, "dotenv", env, dotenvInput([["A", "fresh"]]), [], true)).toContain("unchanged");
            expect(left()).toEqual([]);
            const f = join(dir, "token");
            write(shell, "file", f, "before", ["0400"]);
            write(shell, "file", f, "leaked", ["0400"]);
            write(shell, "file", f, "fresh", ["0400"], true);
            expect(readFileSync(f, "utf8")).toBe("fresh");
            expect(statSync(f).mode & 0o777).toBe(0o400);
            expect(left()).toEqual([]);
        });

        test("a writer killed with SIGKILL at any point leaves the complete old or the complete new file (200 trials)", async () => {
            const env = join(dir, ".env");
            const old = ORIGINAL.repeat(50);
            const input = dotenvInput([["PROCESSOR_SECRET", "n".repeat(64)], ["FLASK_SECRET_KEY", "f".repeat(64)]]);
            writeFileSync(env, old);
            write(shell, "dotenv", env, input);
            const expectedNew = readFileSync(env, "utf8");
            const t0 = process.hrtime.bigint();
            writeFileSync(env, old);
            write(shell, "dotenv", env, input);
            const runMs = Number(process.hrtime.bigint() - t0) / 1e6;
            const outcomes = { old: 0, new: 0 };
            for (let i = 0; i < 200; i++) {
                writeFileSync(env, old);
                const child = spawn(shell.argv[0], [...shell.argv.slice(1), "-c", WRITE_FILE_SCRIPT, "rekey-write", "dotenv", env], {
                    env: shell.env,
                    detached: true,
                    stdio: ["pipe", "ignore", "ignore"],
                });
                child.stdin.end(input);
                const delay = ((i % 40) / 40) * runMs * 1.2;
                await new Promise<void>((resolve) => {
                    const timer = setTimeout(() => {
                        try {
                            process.kill(-child.pid!, "SIGKILL");
                        } catch {
                            // already finished
                        }
                    }, delay);
                    child.on("exit", () => {
                        clearTimeout(timer);
                        resolve();
                    });
                });
                const now = readFileSync(env, "utf8");
                if (now === old) outcomes.old++;
                else if (now === expectedNew) outcomes.new++;
                else throw new Error(`trial ${i}: the file is neither the old nor the new one (${now.length} bytes)`);
            }
            // The kills landed both before and after the rename.
            expect(outcomes.old).toBeGreaterThan(0);
            expect(outcomes.new).toBeGreaterThan(0);
            // Killed writers may leave their temporary file, with the target's mode; the next run removes them.
            const temps = () => readdirSync(dir).filter((f) => f.startsWith(".env.rekey-tmp.") || f.startsWith("..env.rekey-tmp."));
            for (const t of temps()) expect((statSync(join(dir, t)).mode & 0o777).toString(8)).toBe((statSync(env).mode & 0o777).toString(8));
            writeFileSync(join(dir, "..env.rekey-tmp.99999"), "stale new value");
            write(shell, "dotenv", env, input);
            expect(temps()).toEqual([]);
        });
    });
}

shells.forEach(describeShell);
describeNeeding("busybox", commandExists("busybox"), "install it (apt-get install busybox)", "busybox", () => describeShell(busyboxShell()));

describeNeeding("root", isRoot, "keeping a file's owner needs chown", "owner", () => {
    test("the writer keeps the file's owner, and sets the owner a file store names", () => {
        const dir = mkdtempSync(join(work, "owner-"));
        const env = join(dir, ".env");
        writeFileSync(env, "A=1\n");
        chownSync(env, 1234, 2345);
        write(shells[0], "dotenv", env, dotenvInput([["A", "2"]]));
        expect(statSync(env)).toMatchObject({ uid: 1234, gid: 2345 });
        const f = join(dir, "secret");
        write(shells[0], "file", f, "x", ["0440", "4321:5432"]);
        expect(statSync(f)).toMatchObject({ uid: 4321, gid: 5432 });
    });
});

test("the command line the provider runs (/bin/sh -c) carries no value and writes the file", () => {
    const dir = mkdtempSync(join(work, "provider-"));
    const env = join(dir, ".env");
    const cmd = writeFileCommand("dotenv", env);
    expect(cmd).not.toContain("s3cr3t");
    const r = spawnSync("/bin/sh", ["-c", cmd], { input: dotenvInput([["TOKEN", "s3cr3t value"]]), encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(parse(readFileSync(env)).TOKEN).toBe("s3cr3t value");
});

test("values that no .env quoting can hold are refused", () => {
    expect(dotenvLine("K", "it's $HOME")).toEqual({ problem: expect.stringContaining("single quote") });
    expect(dotenvLine("K", "a\nb")).toEqual({ problem: expect.stringContaining("line break") });
    expect(dotenvLine("K", `it's "x"`)).toHaveProperty("problem");
    expect(dotenvLine("K", "it's plain")).toEqual({ line: `K="it's plain"` });
});
