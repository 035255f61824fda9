// The .env guarantee (README, "`.env` files on a host": exact values, and nothing runs when
// sourced): a value rekey writes reads back exactly with the dotenv npm parser, docker
// compose v2's env_file rules and POSIX `set -a; . FILE` under dash, bash and busybox sh,
// and sourcing the file runs nothing; a value no quoting carries that way is refused, for
// generated, supplied and derived values alike, naming the secret and the store.
import { spawnSync } from "child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { parse } from "dotenv";
import { planRotation } from "../../components/plan/plan";
import { dotenvLine, dotenvTraits } from "../../components/plan/dotenvLine";
import { WRITE_FILE_SCRIPT } from "../../components/stores/writeFileCommand";
import { parseComposeEnv } from "../harness/composeEnv";
import { rawConfig } from "../harness/rawConfig";
import { commandExists, describeNeeding } from "../harness/requirements";

const work = mkdtempSync(join(tmpdir(), "rekey-envreaders-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const CANARY = join(work, "CANARY");

/** Values, each written or refused (with the start of the reason). */
const CASES: [string, string, string | null][] = [
    ["plain", "abcDEF123", null],
    ["single quote", "it's a value", null],
    ["double quote", 'say "hi"', null],
    ["dollar", "$HOME ${USER}", null],
    ["command substitution", `$(touch ${CANARY})`, null],
    ["backticks", `\`touch ${CANARY}\``, null],
    ["semicolon", `x; touch ${CANARY}`, null],
    ["and-and", `x && touch ${CANARY}`, null],
    ["pipe", `x | touch ${CANARY}`, null],
    ["redirect", `x > ${CANARY}`, null],
    ["glob", "*", null],
    ["tilde", "~root", null],
    ["hash", "abc#def # not a comment", null],
    ["equals", "a=b==c=", null],
    ["backslashes inside", "C:\\path\\n\\t\\\\x", null],
    ["leading and trailing spaces", "  padded  ", null],
    ["tab", "a\tb", null],
    ["unicode", "päss—wörd ✓ 密码", null],
    ["empty", "", null],
    ["only a quote and a space", "' ", null],
    ["quote then dollar", `it's $(touch ${CANARY})`, "its value can contain a single quote together with"],
    ["quote then backtick", `it's \`touch ${CANARY}\``, "its value can contain a single quote together with"],
    ["quote then backslash", "it's C:\\x", "its value can contain a single quote together with"],
    ["quote then double quote", `it's "x"`, "its value can contain a single quote together with"],
    ["ends with a backslash", "abc\\", "its value can end with a backslash"],
    ["only a backslash", "\\", "its value can end with a backslash"],
    ["ends with two backslashes", "abc\\\\", "its value can end with a backslash"],
    ["line feed", "a\nb", "its value can contain a line break"],
    ["carriage return", "a\rb", "its value can contain a line break"],
    ["NUL", "a\0b", "its value can contain a line break"],
    ["next line U+0085", "a\u0085b", "its value can contain a line break"],
    ["line separator U+2028", "a\u2028b", "its value can contain a line break"],
    ["paragraph separator U+2029", "a\u2029b", "its value can contain a line break"],
    ["export in the value", "export X=1", null],
    ["a fake second assignment", `x' ; touch ${CANARY}; '`, null],
    ["brace expansion", "{a,b}", null],
    ["history bang", "!!", null],
    ["percent and caret", "%PATH%^", null],
    ["leading dash", "-e", null],
    ["a dotenv-style escaped quote", "\\'", "its value can contain a single quote together with"],
    ["a backslash before a double quote", '\\"', null],
];

interface Shell {
    name: string;
    path: string;
}

function busybox(): Shell {
    const bin = join(work, "bb");
    mkdirSync(bin, { recursive: true });
    const real = spawnSync("sh", ["-c", "command -v busybox"]).stdout.toString().trim();
    for (const applet of ["sh", "awk", "cat", "cp", "mv", "ln", "rm", "cmp", "chmod", "chown", "mkdir", "printf", "touch"]) symlinkSync(real, join(bin, applet));
    return { name: "busybox sh", path: join(bin, "sh") };
}

/** Sources the file as a runbook does and prints each key's value, NUL-terminated. */
function source(shell: Shell, file: string, keys: string[]): Record<string, string> {
    const script = `set -a; . "$1"; for k in ${keys.join(" ")}; do eval "printf '%s\\\\0' \\"\\$$k\\""; done`;
    const r = spawnSync(shell.path, ["-c", script, "source", file], { encoding: "utf8", cwd: work, env: { PATH: `${join(work, "bb")}:${process.env.PATH}`, HOME: "/nonexistent-home", USER: "nobody" } });
    if (r.status !== 0) throw new Error(`${shell.name} could not source ${file}: ${r.stderr}`);
    const values = r.stdout.split("\0");
    return Object.fromEntries(keys.map((k, i) => [k, values[i]]));
}

const written = CASES.filter(([, , refused]) => refused === null);
const key = (i: number) => `K${i}`;

test("each value is written, or refused with the named reason; the traits the planner sees agree", () => {
    for (const [title, value, refused] of CASES) {
        const r = dotenvLine("K", value);
        if (refused === null) expect({ title, r }).toEqual({ title, r: { line: expect.stringMatching(/^K=/) } });
        else expect({ title, problem: "problem" in r ? r.problem.slice(0, refused.length) : r }).toEqual({ title, problem: refused });
    }
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    expect(dotenvTraits("abc\\")).toMatchObject({ endsWithBackslash: true });
});

/** The file the writer makes (as the provider runs it) from every writable value. */
function writtenFile(shell: string): string {
    const file = join(work, `all-${shell.replace(/\W/g, "_")}.env`);
    writeFileSync(file, "# kept\nOTHER=1\n");
    const stdin = ["rekey-dotenv-v1", ...written.map(([, v], i) => (dotenvLine(key(i), v) as { line: string }).line), ""].join("\n");
    const r = spawnSync(shell, ["-c", WRITE_FILE_SCRIPT, "rekey-write", "dotenv", file], { input: stdin, encoding: "utf8" });
    if (r.status !== 0) throw new Error(r.stderr);
    return file;
}

test("the dotenv npm parser and docker compose's env_file rules read every written value back exactly", () => {
    const text = readFileSync(writtenFile("/bin/sh"), "utf8");
    const dotenv = parse(text);
    const compose = parseComposeEnv(text);
    written.forEach(([title, value], i) => {
        expect({ title, dotenv: dotenv[key(i)] }).toEqual({ title, dotenv: value });
        expect({ title, compose: compose[key(i)] }).toEqual({ title, compose: value });
    });
    expect(compose.OTHER).toBe("1");
});

test("the compose-rules reader bites: a value ending in a backslash in single quotes is an error for the whole file (control)", () => {
    expect(() => parseComposeEnv("A='abc\\'\nB=1\n")).toThrow(/unterminated quoted value/);
    expect(parseComposeEnv('A="x$HOME"\n').A).toBe("x");
});

const shells: Shell[] = [
    { name: "dash", path: "dash" },
    { name: "bash", path: "bash" },
];
for (const shell of shells) {
    test(`set -a; . FILE under ${shell.name} reads every written value back exactly and runs nothing`, () => {
        const file = writtenFile("/bin/sh");
        rmSync(CANARY, { force: true });
        const values = source(shell, file, written.map((_, i) => key(i)));
        written.forEach(([title, value], i) => expect({ title, value: values[key(i)] }).toEqual({ title, value }));
        expect(existsSync(CANARY)).toBe(false);
    });
}
describeNeeding("busybox", commandExists("busybox"), "install it (apt-get install busybox)", "busybox", () => {
    test("set -a; . FILE under busybox sh reads every written value back exactly and runs nothing", () => {
        const sh = busybox();
        const file = writtenFile(sh.path);
        rmSync(CANARY, { force: true });
        const values = source(sh, file, written.map((_, i) => key(i)));
        written.forEach(([title, value], i) => expect({ title, value: values[key(i)] }).toEqual({ title, value }));
        expect(existsSync(CANARY)).toBe(false);
    });
});

test("the canary bites: double quotes around a value with a quote and a backtick run it when sourced (control)", () => {
    const file = join(work, "unsafe.env");
    writeFileSync(file, `K="it's \`touch ${CANARY}\`"\n`);
    rmSync(CANARY, { force: true });
    source({ name: "dash", path: "dash" }, file, ["K"]);
    expect(existsSync(CANARY)).toBe(true);
    rmSync(CANARY, { force: true });
});

describe("refused at validation, naming the secret and the store, whatever the source", () => {
    const dotenv = [{ dotenv: { path: "/srv/app/.env" } }];
    const problems = (config: Record<string, unknown>, suppliedTraits?: Record<string, ReturnType<typeof dotenvTraits>>) => {
        try {
            planRotation({ ...rawConfig(config), suppliedTraits });
            return [];
        } catch (e) {
            return (e as Error).message.split("\n").slice(1).map((l) => l.trim());
        }
    };
    test("a supplied value with a quote and a backtick, or ending in a backslash (the planner sees only traits)", () => {
        const config = { "rekey:secrets": { A: { supplied: true, stores: dotenv }, B: { supplied: true, stores: dotenv } }, "rekey:supplied": { A: "x", B: "y" } };
        expect(problems(config, { A: dotenvTraits("it's `id`"), B: dotenvTraits("abc\\") })).toEqual([
            expect.stringMatching(/^- secret A, field stores\[0\]\.dotenv: cannot hold this secret: its value can contain a single quote together with/),
            expect.stringMatching(/^- secret B, field stores\[0\]\.dotenv: cannot hold this secret: its value can end with a backslash/),
        ]);
    });
    test("a generated password whose special characters hold a quote and a backtick, or a backslash", () => {
        const gen = (overrideSpecial: string) => ({ epoch: 0, generate: { encoding: "password", length: 32, overrideSpecial }, stores: dotenv });
        expect(problems({ "rekey:secrets": { P: gen("'`"), Q: gen("\\-"), R: gen("'-_") } })).toEqual([
            expect.stringMatching(/^- secret P, field stores\[0\]\.dotenv: cannot hold this secret: its value can contain a single quote together with/),
            expect.stringMatching(/^- secret Q, field stores\[0\]\.dotenv: cannot hold this secret: its value can end with a backslash/),
        ]);
    });
    test("a derive template with a backtick over an input that can hold a quote, or ending in a backslash", () => {
        const config = {
            "rekey:secrets": {
                P: { epoch: 0, generate: { encoding: "password", length: 32, overrideSpecial: "'-" } },
                T: { derive: "x`{{P}}`", stores: dotenv },
                H: { epoch: 0, generate: { encoding: "hex", bytes: 16 } },
                U: { derive: "{{H}}\\", stores: dotenv },
                V: { derive: "{{P | urlencode}}", stores: dotenv },
            },
        };
        expect(problems(config)).toEqual([
            expect.stringMatching(/^- secret T, field stores\[0\]\.dotenv: cannot hold this secret: its value can contain a single quote together with/),
            expect.stringMatching(/^- secret U, field stores\[0\]\.dotenv: cannot hold this secret: its value can end with a backslash/),
        ]);
    });
});
