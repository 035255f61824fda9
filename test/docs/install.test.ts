// How users install and run the package (issue 22, item 5). pulumi-rekey is not on the npm
// registry yet, and the registry's `rekey` is an unrelated package: every `npx` command rekey
// shows a user (README, docs, the init scaffold and workflow templates, this repository's
// workflows, messages compiled from cli/ and components/) runs `pulumi-rekey`, and every
// install from git or a tarball names package.json's `repository` and the current version.
import { readFileSync, readdirSync, statSync } from "fs";
import { join, relative } from "path";
import { ROOT } from "../harness/stackFile";

const PKG = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));

function walk(dir: string, keep: (p: string) => boolean): string[] {
    return readdirSync(dir).flatMap((f) => {
        const p = join(dir, f);
        return statSync(p).isDirectory() ? walk(p, keep) : keep(p) ? [p] : [];
    });
}

function scannedFiles(): string[] {
    return [
        join(ROOT, "README.md"),
        ...walk(join(ROOT, "docs"), (p) => p.endsWith(".md")),
        ...walk(join(ROOT, "templates"), () => true),
        ...walk(join(ROOT, ".github", "workflows"), () => true),
        ...walk(join(ROOT, "components"), (p) => p.endsWith(".ts")),
        ...walk(join(ROOT, "cli"), (p) => p.endsWith(".ts")),
    ];
}

/** npx's own flags: those that take a value, then those that do not. */
const NPX_VALUED = new Set(["--package", "-p", "-c", "--call", "--workspace", "-w"]);

/** The command each `npx …` in `text` runs (after npx's flags), with its line. */
export function npxCommands(text: string): { command: string; line: number }[] {
    const out: { command: string; line: number }[] = [];
    text.split("\n").forEach((lineText, i) => {
        for (const m of lineText.matchAll(/\bnpx((?:\s+\S+){1,6})/g)) {
            const words = m[1].trim().split(/\s+/);
            let k = 0;
            while (k < words.length && words[k].startsWith("-")) k += NPX_VALUED.has(words[k].split("=")[0]) && !words[k].includes("=") ? 2 : 1;
            if (k < words.length) out.push({ command: words[k].replace(/[`'",.;:)]+$/, ""), line: i + 1 });
        }
    });
    return out;
}

test("the scanner finds the command after npx's flags (control)", () => {
    expect(npxCommands("run `npx rekey bump X`\nnpx --package github:a/b#v1 pulumi-rekey init\nnpx --no-install pulumi-rekey due").map((c) => c.command)).toEqual(["rekey", "pulumi-rekey", "pulumi-rekey"]);
});

test("every npx command shown to users runs pulumi-rekey (the registry's rekey is another package)", () => {
    const wrong: string[] = [];
    let seen = 0;
    for (const file of scannedFiles()) {
        for (const { command, line } of npxCommands(readFileSync(file, "utf8"))) {
            seen++;
            if (command !== "pulumi-rekey") wrong.push(`${relative(ROOT, file)}:${line}: npx ${command}`);
        }
    }
    expect(wrong).toEqual([]);
    expect(seen).toBeGreaterThan(20);
});

test("package.json names the repository; every install from git, pulumi package add and tarball in the docs uses it and this version", () => {
    expect(PKG.repository).toBe("github:rekey-dev/pulumi-rekey");
    const repo = PKG.repository.slice("github:".length);
    const tag = `v${PKG.version}`;
    const wrong: string[] = [];
    const found = { git: 0, packageAdd: 0, tarball: 0 };
    for (const file of scannedFiles().filter((f) => f.endsWith(".md") || f.endsWith(".ts"))) {
        const text = readFileSync(file, "utf8");
        const where = relative(ROOT, file);
        for (const m of text.matchAll(/github:([\w.-]+\/[\w.-]+)(#[\w.-]+)?/g)) {
            found.git++;
            if (m[1] !== repo || m[2] !== `#${tag}`) wrong.push(`${where}: ${m[0]}`);
        }
        for (const m of text.matchAll(/github\.com\/([\w.<>-]+\/[\w.<>-]+)@([\w.-]+)/g)) {
            found.packageAdd++;
            if (m[1] !== repo || m[2] !== tag) wrong.push(`${where}: ${m[0]}`);
        }
        for (const m of text.matchAll(/pulumi-rekey-([\d.]+)\.tgz/g)) {
            found.tarball++;
            if (m[1] !== PKG.version) wrong.push(`${where}: ${m[0]}`);
        }
    }
    expect(wrong).toEqual([]);
    expect(found.git).toBeGreaterThan(0);
    expect(found.packageAdd).toBeGreaterThan(0);
    expect(found.tarball).toBeGreaterThan(0);
});

test("the README's install works before the registry has the package: from git and from a tarball, not a bare npm install pulumi-rekey", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    expect(readme).toContain(`npm install github:rekey-dev/pulumi-rekey#v${PKG.version}`);
    expect(readme).toContain(`npm install ./pulumi-rekey-${PKG.version}.tgz`);
    for (const file of scannedFiles()) expect([relative(ROOT, file), /npm (install|i) pulumi-rekey(\s|$|`)/m.test(readFileSync(file, "utf8"))]).toEqual([relative(ROOT, file), false]);
    // A git install builds dist/ through prepare (held by test/package/pack.test.ts, from a clean clone).
    expect(PKG.scripts.prepare).toBe("npm run build");
});

/**
 * Each command line in `text` that runs bare `rekey` (which resolves only inside a project
 * that installed the package; `npx rekey` would fetch the registry's unrelated `rekey`): a
 * code-block line starting with `rekey ` (or `$ rekey `), and an inline code span that is a
 * command line, `rekey` with a subcommand and arguments or with a flag. A span naming a
 * command alone (`rekey plan` in prose) is prose, and so is a heading (docs/cli.md's
 * synopses).
 */
export function bareRekeyCommands(text: string): { command: string; line: number }[] {
    const out: { command: string; line: number }[] = [];
    let fenced = false;
    text.split("\n").forEach((lineText, i) => {
        if (/^\s*```/.test(lineText)) {
            fenced = !fenced;
            return;
        }
        if (fenced) {
            if (/^\s*(\$\s+)?rekey\s/.test(lineText)) out.push({ command: lineText.trim(), line: i + 1 });
            return;
        }
        if (/^\s*#/.test(lineText)) return;
        for (const m of lineText.matchAll(/`(rekey (?:[a-z][a-z-]* +[^`]+|--?[a-z][^`]*))`/g)) out.push({ command: m[1], line: i + 1 });
    });
    return out;
}

test("the bare-rekey scanner (control): command lines in blocks and spans, not a command named in prose or a heading", () => {
    const text = [
        "run `rekey plan --stack S`, or `rekey --version`; `rekey plan` says so",
        "```sh",
        "rekey bump X --stack S",
        "$ rekey due --all-stacks",
        "npx pulumi-rekey plan --stack S",
        "```",
        "## `rekey import --stack <stack>`",
        "then `npx pulumi-rekey bump NAME`",
    ].join("\n");
    expect(bareRekeyCommands(text)).toEqual([
        { command: "rekey plan --stack S", line: 1 },
        { command: "rekey --version", line: 1 },
        { command: "rekey bump X --stack S", line: 3 },
        { command: "$ rekey due --all-stacks", line: 4 },
    ]);
});

test("no command a user copies from the README or docs runs bare rekey: each is npx pulumi-rekey", () => {
    const docs = [join(ROOT, "README.md"), ...walk(join(ROOT, "docs"), (p) => p.endsWith(".md"))];
    const wrong = docs.flatMap((file) => bareRekeyCommands(readFileSync(file, "utf8")).map(({ command, line }) => `${relative(ROOT, file)}:${line}: ${command}`));
    expect(wrong).toEqual([]);
    // The docs do show commands (a scanner that finds nothing would pass anything).
    const npx = docs.reduce((n, file) => n + (readFileSync(file, "utf8").match(/npx pulumi-rekey [a-z]/g)?.length ?? 0), 0);
    expect(npx).toBeGreaterThan(20);
});
