// The proof helpers users paste into a service (docs/proof/: Node, Python, Go, POSIX sh) each
// compute exactly rekey's proof fingerprint (components/fingerprint.ts proofFingerprint) for
// the same key, name and value: values with line breaks, quotes, printf directives, non-ASCII
// and keys past SHA-256's block size included. Each helper runs for real, in its language.
import { spawnSync } from "child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { proofFingerprint } from "../../components/fingerprint";
import { commandExists, describeNeeding } from "../harness/requirements";
import { ROOT } from "../harness/stackFile";

const HELPERS = join(ROOT, "docs", "proof");

interface Case {
    key: string;
    name: string;
    value: string;
}

const CASES: Case[] = [
    { key: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", name: "DB_PASSWORD", value: "s3cr3t" },
    { key: "k", name: "MULTILINE", value: "line one\nline two\n\n" },
    { key: "k", name: "CRLF", value: "a\r\nb\r\n" },
    { key: "quote'key\"", name: "QUOTES", value: `it's "quoted" \\ $HOME \`id\` $(id)` },
    { key: "k", name: "PRINTF", value: "100%s\\n%d\\0 %%" },
    { key: "k", name: "DASH", value: "-n" },
    { key: "k", name: "EMPTY", value: "" },
    { key: "schlüssel-é", name: "NON_ASCII", value: "pässwörd ✓ 日本語 😀" },
    // Exactly SHA-256's block, and past it (hashed first).
    { key: "x".repeat(64), name: "KEY_64", value: "v" },
    { key: "y".repeat(65) + "ü", name: "KEY_LONG", value: "v" },
    { key: "z".repeat(200), name: "_LONG_VALUE_1", value: "0123456789abcdef".repeat(256) },
];

const expected = CASES.map((c) => proofFingerprint(c.key, c.name, c.value));

let dir: string;
beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "rekey-proof-helpers-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("rekey's proof fingerprint: HMAC-SHA256 of rekey-proof:NAME:VALUE, 128 bits as hex, distinct per name and key", () => {
    for (const f of expected) expect(f).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(expected).size).toBe(expected.length);
    expect(proofFingerprint("k", "A", "v")).not.toBe(proofFingerprint("k", "B", "v"));
    expect(proofFingerprint("k", "A", "v")).not.toBe(proofFingerprint("k2", "A", "v"));
    // The test vector in docs/proof.md, for whoever writes a helper of their own.
    const doc = readFileSync(join(ROOT, "docs", "proof.md"), "utf8");
    const vector = /key `([^`]+)`, name `([^`]+)`, value `([^`]+)` \(JSON\) → `([0-9a-f]{32})`/.exec(doc);
    expect(vector).not.toBeNull();
    expect(proofFingerprint(vector![1], vector![2], JSON.parse(vector![3]))).toBe(vector![4]);
});

test("Node.js: rekey-proof.js", () => {
    const { rekeyProof } = require(join(HELPERS, "rekey-proof.js"));
    expect(CASES.map((c) => rekeyProof(c.key, { [c.name]: c.value })[c.name])).toEqual(expected);
    // Several values at once; a missing value (undefined) is left out, never fingerprinted.
    expect(rekeyProof("k", { A: "1", B: "2", C: undefined })).toEqual({ A: proofFingerprint("k", "A", "1"), B: proofFingerprint("k", "B", "2") });
    expect(() => rekeyProof("", { A: "1" })).toThrow(/proof key is missing/);
});

describeNeeding("python3", commandExists("python3"), "install Python 3", "Python", () => {
    test("rekey_proof.py", () => {
        const script = [
            "import json, sys",
            `sys.path.insert(0, ${JSON.stringify(HELPERS)})`,
            "from rekey_proof import rekey_proof",
            "cases = json.load(sys.stdin)",
            "out = [rekey_proof(c['key'], {c['name']: c['value']})[c['name']] for c in cases]",
            "out.append(rekey_proof('k', {'A': '1', 'B': '2', 'C': None}))",
            "print(json.dumps(out))",
        ].join("\n");
        const r = spawnSync("python3", ["-B", "-c", script], { input: JSON.stringify(CASES), encoding: "utf8" });
        expect(r.stderr).toBe("");
        const out = JSON.parse(r.stdout);
        expect(out.slice(0, CASES.length)).toEqual(expected);
        expect(out[CASES.length]).toEqual({ A: proofFingerprint("k", "A", "1"), B: proofFingerprint("k", "B", "2") });
    });
});

describeNeeding("go", commandExists("go"), "install Go (apt-get install golang-go)", "Go", () => {
    test("rekeyproof.go", () => {
        const mod = join(dir, "go");
        mkdirSync(join(mod, "rekeyproof"), { recursive: true });
        copyFileSync(join(HELPERS, "rekeyproof.go"), join(mod, "rekeyproof", "rekeyproof.go"));
        writeFileSync(join(mod, "go.mod"), "module rekeyprooftest\n\ngo 1.19\n");
        writeFileSync(
            join(mod, "main.go"),
            [
                "package main",
                'import ("encoding/json"; "fmt"; "os"; "rekeyprooftest/rekeyproof")',
                "type c struct { Key, Name, Value string }",
                "func main() {",
                "  var cases []c",
                "  if err := json.NewDecoder(os.Stdin).Decode(&cases); err != nil { panic(err) }",
                "  out := []string{}",
                "  for _, x := range cases { out = append(out, rekeyproof.Proof(x.Key, map[string]string{x.Name: x.Value})[x.Name]) }",
                "  b, _ := json.Marshal(out)",
                "  fmt.Println(string(b))",
                "}",
            ].join("\n"),
        );
        // Its own caches, no network: nothing of the user's Go setup is read or written.
        const env = { ...process.env, GOCACHE: join(dir, "gocache"), GOPATH: join(dir, "gopath"), GOPROXY: "off", GOFLAGS: "-mod=mod", GO111MODULE: "on" };
        const r = spawnSync("go", ["run", "."], { cwd: mod, env, input: JSON.stringify(CASES.map((x) => ({ Key: x.key, Name: x.name, Value: x.value }))), encoding: "utf8", timeout: 240000 });
        expect(r.stderr).toBe("");
        expect(JSON.parse(r.stdout)).toEqual(expected);
    }, 300000);
});

/**
 * Runs the sh helper under `shell` for every case (key, name and value in the environment,
 * as a service's shell has them), with PATH starting at a directory of wrappers that log
 * the argv of every program the helper runs: neither the key nor a value may be in one.
 */
function runShell(shell: string[], label: string): { fingerprints: string[]; json: string; argvLog: string } {
    const wrappers = join(dir, `bin-${label}`);
    mkdirSync(wrappers, { recursive: true });
    const log = join(dir, `argv-${label}.log`);
    for (const program of ["openssl", "sha256sum", "od", "tr", "cut", "printf", "cat"]) {
        const real = spawnSync("sh", ["-c", `command -v ${program}`], { encoding: "utf8" }).stdout.trim();
        if (!real.startsWith("/")) continue;
        writeFileSync(join(wrappers, program), `#!/bin/sh\nprintf '%s\\n' "${program} $*" >> '${log}'\nexec ${real} "$@"\n`);
        chmodSync(join(wrappers, program), 0o755);
    }
    const env: NodeJS.ProcessEnv = { PATH: `${wrappers}:${process.env.PATH}`, HOME: dir, N_CASES: String(CASES.length), A: "1", B: "two\nlines" };
    CASES.forEach((c, i) => Object.assign(env, { [`K${i}`]: c.key, [`N${i}`]: c.name, [`V${i}`]: c.value }));
    const script = [
        `. '${join(HELPERS, "rekey-proof.sh")}'`,
        'i=0; while [ "$i" -lt "$N_CASES" ]; do',
        '  eval "k=\\$K$i n=\\$N$i v=\\$V$i"',
        '  rekey_proof "$k" "$n" "$v" || exit 1',
        "  i=$((i + 1))",
        "done",
        'rekey_proof_json "$K0" A B',
    ].join("\n");
    // stdin not a socket (Node's pipes are): bash would read ~/.bashrc as if run by rshd.
    const r = spawnSync(shell[0], [...shell.slice(1), "-c", script], { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const lines = r.stdout.split("\n");
    let argvLog = "";
    try {
        argvLog = readFileSync(log, "utf8");
    } catch {
        // no program ran through a wrapper
    }
    return { fingerprints: lines.slice(0, CASES.length), json: lines[CASES.length], argvLog };
}

const SHELLS: [string, string[], boolean][] = [
    ["dash (sh)", ["sh"], true],
    ["bash --posix", ["bash", "--posix"], commandExists("bash")],
    ["busybox sh", ["busybox", "sh"], commandExists("busybox")],
];

describe.each(SHELLS)("POSIX sh helper under %s", (label, shell, has) => {
    const run = () => {
        const out = runShell(shell, label.replace(/\W+/g, "-"));
        expect(out.fingerprints).toEqual(expected);
        expect(JSON.parse(out.json)).toEqual({ A: proofFingerprint(CASES[0].key, "A", "1"), B: proofFingerprint(CASES[0].key, "B", "two\nlines") });
        // Programs ran (the hashing), and none was handed the key or a value in its argv.
        expect(out.argvLog).toMatch(/^(openssl|sha256sum) /m);
        for (const c of CASES) {
            if (c.key.length > 1) expect(out.argvLog).not.toContain(c.key);
            if (c.value.length > 2) expect(out.argvLog).not.toContain(c.value);
        }
    };
    if (label.startsWith("busybox")) describeNeeding("busybox", has, "install busybox", "busybox", () => test("rekey-proof.sh", run));
    else test("rekey-proof.sh", run);
});
