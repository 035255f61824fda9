// Stack files read as Pulumi reads them, or refused: line breaks that Pulumi's Go YAML
// reader sees and js-yaml does not, alias bombs, bytes that are not UTF-8. Each is refused
// with exit 2 naming where, and the file is left as it was.
import { execFileSync } from "child_process";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "fs";
import { join } from "path";
import { fixture, rekey, removeWorkdirs, workdir } from "../harness/cli";

const SHOP = "Pulumi.shop.yaml";
afterAll(removeWorkdirs);

test.each([
    ["U+2028", "\u2028", "U+2028 LINE SEPARATOR"],
    ["U+2029", "\u2029", "U+2029 PARAGRAPH SEPARATOR"],
    ["U+0085", "\u0085", "U+0085 NEXT LINE"],
])("a stack file with %s (a line break for Pulumi, which could hide a key from rekey) is refused naming line and column", (_, ch, name) => {
    // Pulumi would read "apply:" as a key of DB_PASSWORD; js-yaml reads one long comment.
    const text = fixture(SHOP).replace("    SESSION_SECRET:\n", `    SESSION_SECRET:\n      # note${ch}      apply: { command: { run: "curl evil" } }\n`);
    const dir = workdir({ [SHOP]: text });
    for (const args of [["plan", "--stack", "shop"], ["bump", "SESSION_SECRET", "--stack", "shop"], ["due", "--stack", "shop"]]) {
        const r = rekey(dir, ...args);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(new RegExp(`^rekey: Pulumi.shop.yaml: line \\d+, column 13: ${name.replace("+", "\\+")} is a line break for Pulumi's YAML reader but not for rekey's`));
    }
    expect(readFileSync(join(dir, SHOP), "utf8")).toBe(text);
});

test("--reason with a line separator is refused", () => {
    const dir = workdir({ [SHOP]: fixture(SHOP) });
    const r = rekey(dir, "bump", "SESSION_SECRET", "--stack", "shop", "--reason", "quarterly\u2028      apply: x");
    expect(r).toMatchObject({ code: 2, stderr: "rekey: --reason must be one line (no line break, also none of U+0085, U+2028, U+2029)\n" });
    expect(readFileSync(join(dir, SHOP), "utf8")).toBe(fixture(SHOP));
});

test("an alias bomb in an unrelated key is refused in well under a second", () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x]", ...Array.from({ length: 9 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(", ")}]`)].join("\n  ");
    const text = fixture(SHOP).replace("config:\n", `config:\n  app:bomb:\n    ${bomb.replace(/\n  /g, "\n    ")}\n`);
    expect(text.length - fixture(SHOP).length).toBeLessThan(1500);
    const dir = workdir({ [SHOP]: text });
    const t0 = Date.now();
    const r = rekey(dir, "bump", "SESSION_SECRET", "--stack", "shop");
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^rekey: Pulumi.shop.yaml expands to more than 200000 values \(YAML aliases\?\): refused\n$/);
});

describe("a deeply nested value (a deep graph of another kind) is refused with its reason, never a stack overflow", () => {
    const secret = (value: string) => `    SESSION_SECRET:\n      apply: ${value}\n`;
    test.each([
        ["10,000 nested flow lists", secret("[".repeat(10_000) + "]".repeat(10_000))],
        ["10,000 nested block lists", `    SESSION_SECRET:\n      apply:\n        ${"- ".repeat(10_000)}x\n`],
    ])("%s: js-yaml's maxDepth (100) refuses the text", (_, nested) => {
        const dir = workdir({ [SHOP]: fixture(SHOP).replace("    SESSION_SECRET:\n", nested) });
        for (const args of [["status", "--stack", "shop"], ["plan", "--stack", "shop"], ["bump", "SESSION_SECRET", "--stack", "shop"]]) {
            expect(rekey(dir, ...args)).toEqual({ code: 2, stdout: "", stderr: expect.stringMatching(/^rekey: Pulumi\.shop\.yaml is not valid YAML: line \d+, column \d+: nesting exceeded maxDepth \(100\)\n$/) });
        }
    });

    // An anchor defined in a mapping key holds a value found nowhere else in the tree, so a
    // chain of them nests 12,000 deep in 12,000 small values: under the alias budget, past the
    // text's depth limit. The key test of rekey:* sections for encrypted values recursed into
    // it (RangeError), and so would the equality check of an edit on any key.
    const chain = (n: number) => Array.from({ length: n }, (_, i) => `  x:d${i}: { ? &a${i} { k: ${i ? `*a${i - 1}` : "z"} } : 0 }\n`).join("");
    test.each([
        ["a rekey:* key", "  rekey:notes: *a11999\n"],
        ["another namespace's key", "  app:notes: *a11999\n"],
        ["a secret's field", ""],
    ])("12,000 deep through aliases in %s is refused by depth", (where, key) => {
        const shop = fixture(SHOP);
        const text = where === "a secret's field" ? shop.replace("config:\n", `config:\n${chain(12_000)}`).replace("    SESSION_SECRET:\n", secret("*a11999")) : shop.replace("config:\n", `config:\n${chain(12_000)}${key}`);
        const dir = workdir({ [SHOP]: text });
        for (const args of [["status", "--stack", "shop"], ["bump", "SESSION_SECRET", "--stack", "shop"]]) {
            expect(rekey(dir, ...args)).toEqual({ code: 2, stdout: "", stderr: "rekey: Pulumi.shop.yaml nests values more than 100 deep (through YAML aliases): refused\n" });
        }
        expect(readFileSync(join(dir, SHOP), "utf8")).toBe(text);
    });

    test("a value nested 97 deep in the text is read: the depth limit refuses only what aliases build", () => {
        const deep = "[".repeat(95) + "]".repeat(95);
        const dir = workdir({ [SHOP]: fixture(SHOP).replace("config:\n", `config:\n  app:deep: ${deep}\n`) });
        expect(rekey(dir, "status", "--stack", "shop")).toMatchObject({ code: 0, stderr: "" });
    });
});

test("a stack file that is not UTF-8 (Latin-1 in a comment) is refused and left byte for byte", () => {
    const bytes = Buffer.concat([Buffer.from("# caf"), Buffer.from([0xe9]), Buffer.from(" notes\n"), Buffer.from(fixture(SHOP))]);
    const dir = workdir({ [SHOP]: "" });
    writeFileSync(join(dir, SHOP), bytes);
    const r = rekey(dir, "bump", "SESSION_SECRET", "--stack", "shop");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not UTF-8 \(line 1, byte 6\): Pulumi reads stack files as UTF-8/);
    expect(readFileSync(join(dir, SHOP)).equals(bytes)).toBe(true);
});

test("rekey due names reserved secret names and filters (exit 2), never a stack trace", () => {
    const text = 'config:\n  rekey:secrets:\n    __proto__: { epoch: 1, rotatedAt: "2026-01-01", cadenceDays: 30, generate: { encoding: hex, bytes: 16 } }\n    constructor: { epoch: 1, generate: { encoding: hex, bytes: 16 } }\n    U: { derive: "{{constructor | toString}}" }\n';
    const dir = workdir({ "Pulumi.x.yaml": text });
    expect(rekey(dir, "due", "--stack", "x")).toEqual({
        code: 2,
        stdout: "",
        stderr:
            "rekey: Pulumi.x.yaml: invalid rekey configuration, 3 problems:\n" +
            '  - secret __proto__: "__proto__" is reserved (every JavaScript object has it); choose another name\n' +
            '  - secret constructor: "constructor" is reserved (every JavaScript object has it); choose another name\n' +
            '  - secret U, field derive: unknown filter "toString" (known: urlencode, base64)\n',
    });
});

test("a bad byte late in a large stack file is located (line and byte) without decoding every prefix", () => {
    const big = Buffer.concat([Buffer.from(fixture(SHOP)), Buffer.from("# filler line\n".repeat(20000)), Buffer.from("# caf"), Buffer.from([0xe9]), Buffer.from("\n")]);
    const dir = workdir({ [SHOP]: "" });
    writeFileSync(join(dir, SHOP), big);
    const r = rekey(dir, "plan", "--stack", "shop");
    const lines = fixture(SHOP).split("\n").length + 20000;
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`is not UTF-8 (line ${lines}, byte ${big.length - 1})`);
});

test("a pipe, a device, a directory or a dangling symlink named like a stack file is refused before any read (a FIFO would block, /dev/zero never end); --all-stacks lists regular files only", () => {
    const dir = workdir({ [SHOP]: fixture(SHOP) }, false);
    execFileSync("mkfifo", [join(dir, "Pulumi.pipe.yaml")]);
    symlinkSync("/dev/zero", join(dir, "Pulumi.zero.yaml"));
    mkdirSync(join(dir, "Pulumi.dir.yaml"));
    symlinkSync(join(dir, "no-such-file"), join(dir, "Pulumi.dangling.yaml"));
    symlinkSync(join(dir, SHOP), join(dir, "Pulumi.linked.yaml"));
    for (const [stack, what] of [["pipe", "a named pipe"], ["zero", "a device"], ["dir", "a directory"]]) {
        expect(rekey(dir, "status", "--stack", stack)).toEqual({ code: 2, stdout: "", stderr: `rekey: cannot read ${join(dir, `Pulumi.${stack}.yaml`)}: it is ${what}, not a regular file\n` });
        expect(rekey(dir, "plan", "--stack", "shop", "--base-file", `Pulumi.${stack}.yaml`).stderr).toBe(`rekey: cannot read --base-file Pulumi.${stack}.yaml: it is ${what}, not a regular file\n`);
    }
    expect(rekey(dir, "status", "--stack", "dangling").stderr).toBe(`rekey: cannot read ${join(dir, "Pulumi.dangling.yaml")}: no such file (the stacks here: linked, shop)\n`);
    const all = rekey(dir, "status", "--all-stacks", "--json");
    expect(all.code).toBe(0);
    expect(JSON.parse(all.stdout).stacks.map((s: { stack: string }) => s.stack)).toEqual(["linked", "shop"]);
});

// js-yaml's reasons quote the input (lib/loader.js: `unidentified alias "…"`, `unknown tag !<…>`,
// `tag name is malformed: …`), and an unquoted value starting with `*` or `!` is an alias or a
// tag: a pasted password was printed in the refusal, in every command and in --json.
test.each([
    ["an alias", "  app:dbPassword: *Xk9-live-Pa55w0rdMARK\n", /line \d+, column \d+: unidentified alias "…"$/],
    ["a tag", "  rekey:supplied:\n    API_TOKEN: !ghp_R3alT0kenValueMARK\n", /line \d+, column \d+: unknown tag !<…>$/],
    ["a verbatim tag", "  app:x: !<Hunter2pwMARK> x\n", /unknown tag !<…>$/],
    ["a malformed tag name", "  app:x: !a%zzMARK x\n", /column \d+: /],
])("a YAML error on %s names line and column, never the text it quotes", (_, line, reason) => {
    const dir = workdir({ [SHOP]: fixture(SHOP).replace("config:\n", `config:\n${line}`), "Pulumi.other.yaml": fixture(SHOP) });
    for (const args of [["status", "--stack", "shop"], ["due", "--all-stacks"], ["status", "--all-stacks", "--json"], ["plan", "--stack", "shop", "--json"]]) {
        const r = rekey(dir, ...args);
        expect(r.code).toBe(2);
        expect(r.stdout + r.stderr).not.toMatch(/MARK/);
        expect(r.stderr).toMatch(/Pulumi\.shop\.yaml is not valid YAML: line \d+, column \d+: /);
    }
    expect(rekey(dir, "status", "--stack", "shop").stderr.trim()).toMatch(reason);
});
