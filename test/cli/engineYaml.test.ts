// The stack file as Pulumi's YAML reader (gopkg.in/yaml.v3, pulumi/pulumi
// sdk/go/common/workspace/loaders.go `LoadProjectStackBytes` through sdk/go/common/encoding
// `YAML.Unmarshal`) reads it, or refused by name (cli/engineYaml.ts): control characters its
// reader refuses, merge keys where they change rekey's inventory; edits through aliases; and
// bidi controls in what rekey prints.
import { writeFileSync } from "fs";
import { join } from "path";
import { fixture, git, read, rekey, removeWorkdirs, workdir } from "../harness/cli";

const SHOP = "Pulumi.shop.yaml";
afterAll(removeWorkdirs);

/** The shop fixture with `extra` lines after `config:`'s first line (aws:region). */
const withConfigLines = (extra: string) => fixture(SHOP).replace("  aws:region: eu-west-1         # another namespace: rekey leaves it alone\n", (l) => l + extra);

const READ_COMMANDS = [["plan", "--stack", "shop"], ["due", "--stack", "shop"], ["status", "--stack", "shop"], ["bump", "SESSION_SECRET", "--stack", "shop"]];

describe("characters yaml.v3's reader refuses (go-yaml v3 readerc.go yaml_parser_update_buffer: \"control characters are not allowed\")", () => {
    test.each([
        ["U+0001 (C0) in a value", "  app:note: a\u0001b\n", "U+0001", 14],
        ["U+007F (DEL) in a comment", "  # a\u007f\n", "U+007F", 6],
        ["U+0090 (C1, which js-yaml accepts in a comment) in a comment", "  # x\u0090\n", "U+0090", 6],
        ["U+001B (ESC) in a quoted value", '  app:note: "\u001b[2J"\n', "U+001B", 14],
        ["U+FFFE in a comment", "  # \uFFFE\n", "U+FFFE", 5],
    ])("%s is refused naming line and column by every command, the file untouched", (_, line, name, column) => {
        const text = withConfigLines(line);
        const dir = workdir({ [SHOP]: text });
        for (const args of READ_COMMANDS) {
            expect(rekey(dir, ...args)).toEqual({
                code: 2,
                stdout: "",
                stderr: `rekey: Pulumi.shop.yaml: line 6, column ${column}: ${name} is a control character, which Pulumi's YAML reader (yaml.v3) refuses: every pulumi command fails on this file; remove it\n`,
            });
        }
        expect(read(dir, SHOP)).toBe(text);
    });

    test("a tab, CR LF line ends, a no-break space and an emoji are read as before (control)", () => {
        const dir = workdir({ [SHOP]: withConfigLines("  app:note: \"a\tb\u00a0c \u{1F511}\"   # \t tab\n").replace(/\n/g, "\r\n") });
        expect(rekey(dir, "status", "--stack", "shop").code).toBe(0);
    });

    test("a byte order mark starting a line (yaml.v3 skips it: scannerc.go yaml_parser_scan_to_next_token) is refused; one inside a line is read (control)", () => {
        const dir = workdir({ [SHOP]: withConfigLines("\uFEFF  app:note: x\n") });
        expect(rekey(dir, "due", "--stack", "shop").stderr).toBe(
            "rekey: Pulumi.shop.yaml: line 6, column 1: U+FEFF BYTE ORDER MARK at the start of a line is skipped by Pulumi's YAML reader (yaml.v3) but not by rekey's, so the two would read different keys; remove it\n",
        );
        expect(rekey(workdir({ [SHOP]: withConfigLines("  app:note: x\uFEFFy\n") }), "due", "--stack", "shop").code).toBe(1);
    });

    test.each([
        ["--reason", "U+0007", "quarterly\u0007"],
        ["--reason", "U+007F", "quarterly\u007f"],
        ["--reason", "U+009B", "quarterly \u009b2J"],
        ["--incident", "U+0090", "leaked \u0090 in a log"],
        ["--incident", "U+FFFF", "leaked \uffff"],
    ])("bump %s with %s is refused naming the flag, the file untouched", (flag, name, value) => {
        const dir = workdir({ [SHOP]: fixture(SHOP) });
        const r = rekey(dir, "bump", "SESSION_SECRET", "WEBHOOK_KEY", "--stack", "shop", flag, value);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(
            new RegExp(`^rekey: ${flag} holds ${name.replace("+", "\\+")} at character \\d+, a control character Pulumi's YAML reader refuses: the stack file would be unreadable by every pulumi command; nothing was written\\n$`),
        );
        expect(read(dir, SHOP)).toBe(fixture(SHOP));
    });
});

describe("merge keys, which yaml.v3 applies (decode.go (*decoder).mapping, (*decoder).merge) and js-yaml's core schema reads as a key named <<", () => {
    const mergeMessage = (line: number, column: number, within: string) =>
        `rekey: Pulumi.shop.yaml: line ${line}, column ${column}: a merge key "<<" in ${within}: Pulumi's YAML reader merges it (yaml.v3 decode.go (*decoder).merge) and rekey does not, so rekey would show other secrets, stores or epochs than pulumi up deploys; write the merged keys out in place\n`;

    test("a secret merged into rekey:secrets (pulumi up would deploy it, rekey plan would not show it) is refused by every command", () => {
        const text = fixture(SHOP).replace("  rekey:secrets:\n", "  rekey:secrets:\n    <<: { EXTRA: { epoch: 1, generate: { encoding: hex, bytes: 16 }, stores: [ { ssm: {} } ] } }\n");
        const dir = workdir({ [SHOP]: text });
        for (const args of READ_COMMANDS) expect(rekey(dir, ...args)).toEqual({ code: 2, stdout: "", stderr: mergeMessage(26, 5, "config.rekey:secrets") });
        expect(read(dir, SHOP)).toBe(text);
    });

    test("a << around the whole config (rekey due said: no secrets) is refused", () => {
        const body = fixture(SHOP).split("config:\n")[1];
        const text = `shared: &all\n${body}config:\n  <<: *all\n`;
        const dir = workdir({ [SHOP]: text });
        expect(rekey(dir, "due", "--stack", "shop")).toEqual({ code: 2, stdout: "", stderr: mergeMessage(text.split("\n").length - 1, 3, "config") });
    });

    test("a store moved by a merge inside a secret, from an anchor in another namespace, is refused naming the secret's path", () => {
        const text = withConfigLines("  app:stores: &moved { stores: [ { ssm: { prefix: /elsewhere/ } } ] }\n").replace(
            "    WEBHOOK_KEY: { epoch: 1, generate: { encoding: hex, bytes: 16 }, stores: [ { ssm: {} } ], consumers: [api] }",
            "    WEBHOOK_KEY:\n      <<: *moved\n      epoch: 1\n      generate: { encoding: hex, bytes: 16 }\n      consumers: [api]",
        );
        const line = text.split("\n").indexOf("      <<: *moved") + 1;
        expect(rekey(workdir({ [SHOP]: text }), "plan", "--stack", "shop").stderr).toBe(mergeMessage(line, 7, "config.rekey:secrets.WEBHOOK_KEY"));
    });

    test("a merge inside an anchored map that a rekey:* key uses through an alias is found there, and named by the path rekey reads", () => {
        const text = withConfigLines("  app:defaults: &d\n    ssm: { prefix: /shop/, region: eu-west-1 }\n    <<: { kubernetes: { namespace: other } }\n").replace(
            "  rekey:defaults:\n    ssm: { prefix: /shop/, region: eu-west-1 }\n    kubernetes: { namespace: shop }\n",
            "  rekey:defaults: *d\n",
        );
        expect(rekey(workdir({ [SHOP]: text }), "status", "--stack", "shop").stderr).toBe(mergeMessage(8, 5, "config.rekey:defaults"));
    });

    test('merge keys in another namespace are left alone, and a quoted "<<" is no merge key for yaml.v3 either (control)', () => {
        const text = withConfigLines('  app:base: &b { a: 1 }\n  app:tags: { <<: *b, x: 1 }\n  app:other: { "<<": literal }\n');
        const dir = workdir({ [SHOP]: text });
        expect(rekey(dir, "status", "--stack", "shop").code).toBe(0);
        expect(rekey(dir, "bump", "SESSION_SECRET", "--stack", "shop").code).toBe(0);
    });
});

describe("plain timestamps, which yaml.v3 types (resolve.go parseTimestamp) and pulumi/pulumi config/object.go unmarshalObject turns into Go's time text", () => {
    test("an unquoted rotatedAt (a date to rekey due, \"2026-08-01 00:00:00 +0000 UTC\" to pulumi up) is refused naming line and column", () => {
        const text = fixture(SHOP).replace('rotatedAt: "2026-08-01"', "rotatedAt: 2026-08-01");
        const dir = workdir({ [SHOP]: text });
        for (const args of READ_COMMANDS) {
            expect(rekey(dir, ...args)).toEqual({
                code: 2,
                stdout: "",
                stderr:
                    'rekey: Pulumi.shop.yaml: line 29, column 18: 2026-08-01 in config.rekey:secrets.SESSION_SECRET.rotatedAt is written without quotes: Pulumi\'s YAML reader reads a timestamp (yaml.v3 resolve.go parseTimestamp) and pulumi up gets "2026-08-01 00:00:00 +0000 UTC", not what rekey reads; quote it ("2026-08-01") so both read the text\n',
            });
        }
        expect(read(dir, SHOP)).toBe(text);
        // Under a %YAML 1.1 directive (the yaml package then types dates itself) the same.
        expect(rekey(workdir({ [SHOP]: `%YAML 1.1\n---\n${text}` }), "due", "--stack", "shop").stderr).toContain("line 31, column 18: 2026-08-01 in config.rekey:secrets.SESSION_SECRET.rotatedAt is written without quotes");
        const flow = fixture(SHOP).replace("WEBHOOK_KEY: { epoch: 1,", "WEBHOOK_KEY: { epoch: 1, rotatedAt: 2026-1-5,");
        expect(rekey(workdir({ [SHOP]: flow }), "due", "--stack", "shop").stderr).toMatch(/^rekey: Pulumi.shop.yaml: line 79, column 41: 2026-1-5 in config.rekey:secrets.WEBHOOK_KEY.rotatedAt is written without quotes: .* pulumi up gets "2026-01-05 00:00:00 \+0000 UTC"/);
    });

    test("a key pasted as a secret's name is described in the path (shown.ts bareName), for an unquoted date and for a merge key beneath it", () => {
        const PASTED = "sk_live 4eC39HqLyjWDarjtT1zdp7dc";
        const keyed = fixture(SHOP).replace("SESSION_SECRET:", `"${PASTED}":`);
        const date = rekey(workdir({ [SHOP]: keyed.replace('rotatedAt: "2026-08-01"', "rotatedAt: 2026-08-01") }), "due", "--stack", "shop");
        expect(date.stderr).toContain("2026-08-01 in config.rekey:secrets.(a string of 32 characters, not shown).rotatedAt is written without quotes");
        const merged = rekey(workdir({ [SHOP]: keyed.replace('rotatedAt: "2026-08-01"', 'rotatedAt: "2026-08-01"\n      <<: { cadenceDays: 30 }') }), "due", "--stack", "shop");
        expect(merged.stderr).toContain('a merge key "<<" in config.rekey:secrets.(a string of 32 characters, not shown):');
        for (const r of [date, merged]) {
            expect(r.code).toBe(2);
            expect(r.stdout + r.stderr).not.toContain("4eC39HqLyjWDarjtT1zdp7dc");
        }
    });

    test("quoted dates, a day that does not exist (a string for yaml.v3 too) and plain dates in another namespace are read as before (control)", () => {
        const text = withConfigLines("  app:launch: 2026-01-05\n").replace("rotatedAt: '2026-10-20'", "rotatedAt: 2026-02-30");
        expect(rekey(workdir({ [SHOP]: text }), "due", "--stack", "shop").stderr).toContain("is a date that does not exist");
        expect(rekey(workdir({ [SHOP]: withConfigLines("  app:launch: 2026-01-05\n") }), "status", "--stack", "shop").code).toBe(0);
    });
});

describe("plain numbers yaml.v3 reads otherwise (go-yaml v3.0.1 resolve.go resolve: \"_\" removed, then strconv.ParseInt(plain, 0, 64), ParseUint, ParseFloat)", () => {
    test.each([
        ["017", "which Pulumi reads as the octal number 15 and rekey as 17: write it without a leading zero (or quote it)"],
        ["010", "which Pulumi reads as the octal number 8 and rekey as 10: write it without a leading zero (or quote it)"],
        ["1_0", "which Pulumi reads as the number 10 and rekey as text: write it without underscores (or quote it)"],
        ["0x_1F", "which Pulumi reads as the number 31 and rekey as text: write it without underscores (or quote it)"],
        ["+017", "which Pulumi reads as the octal number 15 and rekey as 17: write it without a leading zero (or quote it)"],
        ["0x10000000000000000", "which Pulumi reads as text and rekey as 18446744073709552000: quote it"],
    ])("an epoch written %s is refused by name with line and column by every command, the file untouched", (written, says) => {
        const text = fixture(SHOP).replace("      epoch: 3\n", `      epoch: ${written}\n`);
        const dir = workdir({ [SHOP]: text });
        for (const args of READ_COMMANDS) {
            expect(rekey(dir, ...args)).toEqual({ code: 2, stdout: "", stderr: `rekey: Pulumi.shop.yaml: line 28, column 14: config.rekey:secrets.SESSION_SECRET.epoch is written ${written}, ${says}\n` });
        }
        expect(read(dir, SHOP)).toBe(text);
    });

    test("in a flow map too; a number written in more than 20 characters is described by its length, not shown", () => {
        const flow = fixture(SHOP).replace("WEBHOOK_KEY: { epoch: 1,", "WEBHOOK_KEY: { epoch: 0_1,");
        expect(rekey(workdir({ [SHOP]: flow }), "status", "--stack", "shop").stderr).toBe(
            "rekey: Pulumi.shop.yaml: line 79, column 27: config.rekey:secrets.WEBHOOK_KEY.epoch is written 0_1, which Pulumi reads as the octal number 1 and rekey as text: write it without a leading zero (or quote it)\n",
        );
        const long = fixture(SHOP).replace("      epoch: 3\n", "      epoch: 1_000_000_000_000_000_000\n");
        expect(rekey(workdir({ [SHOP]: long }), "due", "--stack", "shop").stderr).toBe(
            "rekey: Pulumi.shop.yaml: line 28, column 14: config.rekey:secrets.SESSION_SECRET.epoch is a number of 25 characters that Pulumi's YAML reader (yaml.v3) and rekey read differently: write it without underscores (or quote it)\n",
        );
    });

    // Found by a second review: the text hint before the document is composed missed these.
    test.each([["+.5"], ["-.5"], ["0X1F"], ["0O17"], ["0B101"], ["+0B1"], [".1_0"]])("an impact written %s (a number to yaml.v3, text to rekey) is refused with no other hint in the file", (written) => {
        const text = fixture(SHOP).replace("      impact: Sessions older than the previous rotation end.\n", `      impact: ${written}\n`);
        const r = rekey(workdir({ [SHOP]: text }), "status", "--stack", "shop");
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(new RegExp(`config\\.rekey:secrets\\.SESSION_SECRET\\.impact is written ${written.replace(/[.+]/g, "\\$&")}, which Pulumi reads as the number `));
    });

    test("numbers both read alike (07, 00, 08 (a float 8 to yaml.v3), 0x1F, 0o17, 0b11, 1.5e3, -0) and leading zeros in another namespace are read as before (control)", () => {
        for (const written of ["07", "00", "08", "0x1F", "0o17", "0b11", "1.5e3", "-0"]) {
            const text = withConfigLines("  app:port: 017\n  app:size: 1_000\n").replace("WEBHOOK_KEY: { epoch: 1,", `WEBHOOK_KEY: { epoch: 1, note: ${written},`);
            expect(rekey(workdir({ [SHOP]: text }), "due", "--stack", "shop").stderr).not.toContain("Pulumi reads as");
        }
    });
});

describe("keys yaml.v3 types, which Pulumi refuses anywhere in the file (pulumi/pulumi sdk/go/common/workspace/project.go SimplifyMarshalledValue: \"expected only string keys\")", () => {
    test.each([
        ["an int", "  app:ports: { 8080: web }\n", "8080", 16],
        ["a bool", "  app:flags:\n    true: on\n", "true", 5],
        ["a Go octal with underscores", "  app:modes: { 0_755: x }\n", "0_755", 16],
        ["a date", "  app:launches: { 2026-01-05: v1 }\n", "2026-01-05", 19],
    ])("%s key, which js-yaml makes a string, is refused naming line and column", (_, lines, key, column) => {
        const dir = workdir({ [SHOP]: withConfigLines(lines) });
        const line = 5 + lines.split("\n").length - 1;
        expect(rekey(dir, "status", "--stack", "shop")).toEqual({
            code: 2,
            stdout: "",
            stderr: `rekey: Pulumi.shop.yaml: line ${line}, column ${column}: the key ${key} is not a string to Pulumi's YAML reader (yaml.v3 resolve.go resolve), and Pulumi reads only string keys (sdk/go/common/workspace/project.go SimplifyMarshalledValue): every pulumi command fails on this file; quote it ("${key}")\n`,
        });
    });

    test("quoted keys and keys that only start with a digit are read (control)", () => {
        const dir = workdir({ [SHOP]: withConfigLines('  app:ports: { "8080": web, 2fa: x, 1.2.3: y, 0x1G: z }\n') });
        expect(rekey(dir, "status", "--stack", "shop").code).toBe(0);
    });
});

describe("edits through anchors and aliases", () => {
    const secret = (name: string, rest: string) => `    ${name}: ${rest}\n`;
    const stack = (secrets: string) => `config:\n  rekey:secrets:\n${secrets}`;
    const GEN = "generate: { encoding: hex, bytes: 16 }";

    test("a secret written as an alias is refused by name, the file untouched", () => {
        const text = stack(secret("A", `&a { epoch: 1, ${GEN} }`) + secret("B", "*a"));
        const dir = workdir({ "Pulumi.t.yaml": text });
        expect(rekey(dir, "bump", "B", "--stack", "t")).toEqual({
            code: 2,
            stdout: "",
            stderr: "rekey: Pulumi.t.yaml: secret B is written as an alias (*a); rekey edits only what is written out in place: write it out\n",
        });
        expect(read(dir, "Pulumi.t.yaml")).toBe(text);
    });

    test.each([
        ["an entry", secret("A", `&a { epoch: 1, ${GEN} }`) + secret("B", "*a"), "its entry", "a"],
        ["an epoch", secret("A", `{ epoch: &e 1, ${GEN} }`) + secret("B", `{ epoch: *e, ${GEN} }`), "epoch", "e"],
        ["rekey:secrets", "", "rekey:secrets", "s"],
    ])("bumping %s that is anchored and used again through an alias (both would move) is refused by name, the file untouched", (_, secrets, what, anchor) => {
        const text = secrets ? stack(secrets) : `config:\n  rekey:secrets: &s\n${secret("A", `{ epoch: 1, ${GEN} }`)}  app:copy: *s\n`;
        const dir = workdir({ "Pulumi.t.yaml": text });
        expect(rekey(dir, "bump", "A", "--stack", "t")).toEqual({
            code: 2,
            stdout: "",
            stderr: `rekey: Pulumi.t.yaml: secret A: ${what} is anchored (&${anchor}) and used again through *${anchor}, so an edit here would change it there too; write it out in place\n`,
        });
        expect(read(dir, "Pulumi.t.yaml")).toBe(text);
    });

    test("an anchor nobody uses again, and aliases elsewhere, do not stop a bump (control)", () => {
        const text = stack(secret("A", `&a { epoch: 1, ${GEN} }`) + secret("B", `{ epoch: 1, ${GEN}, stores: &st [ { ssm: {} } ] }`) + secret("C", `{ epoch: 1, ${GEN}, stores: *st }`));
        const dir = workdir({ "Pulumi.t.yaml": text });
        expect(rekey(dir, "bump", "A", "B", "--stack", "t").code).toBe(0);
        expect(read(dir, "Pulumi.t.yaml")).toContain(`A: &a { epoch: 2,`);
    });
});

describe("bidi controls (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C) are printed escaped", () => {
    const BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c";
    const ESCAPED = "\\u202A\\u202B\\u202C\\u202D\\u202E\\u2066\\u2067\\u2068\\u2069\\u200E\\u200F\\u061C";

    test("a --reason in rekey plan, Markdown and JSON (which still decodes to the exact text)", () => {
        const dir = workdir({ [SHOP]: fixture(SHOP) });
        expect(rekey(dir, "bump", "SESSION_SECRET", "--stack", "shop", "--reason", `routine ${BIDI} check`).code).toBe(0);
        const md = rekey(dir, "plan", "--stack", "shop");
        expect(md.stdout).toContain(`(reason: \`routine ${ESCAPED} check\`)`);
        const json = rekey(dir, "plan", "--stack", "shop", "--json");
        expect(json.stdout).not.toMatch(/[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/);
        expect(JSON.parse(json.stdout).secrets.rotated[0].reason).toBe(`routine ${BIDI} check`);
    });

    test("an incident in rekey plan and rekey status (Markdown and JSON), and in rollback's refusal", () => {
        const dir = workdir({ [SHOP]: fixture(SHOP) });
        expect(rekey(dir, "bump", "SESSION_SECRET", "--stack", "shop", "--incident", `leaked ${BIDI}`).code).toBe(0);
        const outputs = [rekey(dir, "plan", "--stack", "shop"), rekey(dir, "plan", "--stack", "shop", "--json"), rekey(dir, "status", "--stack", "shop"), rekey(dir, "status", "--stack", "shop", "--json")];
        for (const o of outputs) {
            expect(o.code).toBe(0);
            expect(o.stdout).toContain(`leaked ${ESCAPED}`);
            expect(o.stdout).not.toMatch(/[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/);
        }
        expect(JSON.parse(outputs[3].stdout).secrets.find((s: { name: string }) => s.name === "SESSION_SECRET").incident).toBe(`leaked ${BIDI}`);
        git(dir, "commit", "-qam", "incident");
        const rb = rekey(dir, "rollback", "SESSION_SECRET", "--stack", "shop");
        expect(rb.code).toBe(2);
        expect(rb.stderr).toContain(`leaked ${ESCAPED}`);
    });
});

// Double-quoted YAML escapes (`"\e[2J"`, `"\r"`, `"\x9b"`) write terminal controls that both
// YAML readers accept: printed raw, an impact line could clear or recolour what a reviewer
// reads, or hide the start of a line behind a carriage return.
test("terminal controls from a double-quoted impact (ESC, CR, BEL, BS, C1 CSI) are printed escaped by plan and status, and plan's JSON decodes to the exact text", () => {
    const text = fixture(SHOP).replace("      impact: Sessions older than the previous rotation end.\n", '      impact: "before\\e[2J\\e[31mFAKE\\rafter\\a\\b\\x9b1m end"\n');
    const dir = workdir({ [SHOP]: text });
    expect(rekey(dir, "bump", "SESSION_SECRET", "--stack", "shop").code).toBe(0);
    const outputs = [rekey(dir, "plan", "--stack", "shop"), rekey(dir, "plan", "--stack", "shop", "--json"), rekey(dir, "status", "--stack", "shop"), rekey(dir, "status", "--stack", "shop", "--json")];
    for (const o of outputs) {
        expect(o.code).toBe(0);
        expect(o.stdout + o.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    }
    // Markdown turns the carriage return into a space (one line per item); the rest is escaped.
    for (const o of [outputs[0]]) {
        expect(o.stdout).toContain("before\\u001B[2J\\u001B[31mFAKE");
        expect(o.stdout).toContain("after\\u0007\\u0008\\u009B1m end");
    }
    // The plan's JSON still decodes to the exact text.
    const found: string[] = [];
    JSON.parse(outputs[1].stdout, (_k, v) => (typeof v === "string" && v.includes("FAKE") && found.push(v), v));
    expect(found.some((v) => v.includes("before\u001b[2J\u001b[31mFAKE\rafter\u0007\b\u009b1m end"))).toBe(true);
});


test("a base that rekey now refuses (a merge key Pulumi deployed) does not stop the plan of the change that removes it: every secret is listed as added, with a note", () => {
    const merged = fixture(SHOP).replace("    SESSION_SECRET:\n", "    SESSION_SECRET:\n      <<: { cadenceDays: 90 }\n");
    const dir = workdir({ [SHOP]: merged });
    writeFileSync(join(dir, SHOP), fixture(SHOP));
    const r = rekey(dir, "plan", "--stack", "shop", "--base", "HEAD", "--json");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.newStack).toBe(false);
    expect(report.warnings.join("\n")).toMatch(/^the stack file at HEAD cannot be read as it is now, so every secret is listed as added: Pulumi\.shop\.yaml at HEAD: line \d+, column \d+: /m);
    expect(report.secrets.added.length).toBeGreaterThan(0);
});
