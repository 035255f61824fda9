// The repository and the package stand alone: no file refers to a document outside them. The
// rules a comment leans on are in the repository's own docs (README, docs/*.md) or in the
// comment; a reference to a contract document in a sibling checkout (by its path, its file
// name, or as "the public ... §3") is a dead link to anyone who clones or installs rekey.
import { execFileSync } from "child_process";
import { existsSync, readFileSync, statSync } from "fs";
import { join } from "path";
import { ROOT } from "../harness/stackFile";

// Spelled in pieces, so that this file does not refer to what it looks for.
const OUTSIDE = new RegExp([["\\.\\.", "shared"].join("/"), ["CONTRACT", "md"].join("\\."), ["public", "contract"].join(" ")].join("|"), "i");

/** Each line of `text` that refers outside, as `path:line: text`. */
function outsideReferences(path: string, text: string): string[] {
    return text.split("\n").flatMap((line, i) => (OUTSIDE.test(line) ? [`${path}:${i + 1}: ${line.trim()}`] : []));
}

function referencesIn(paths: string[]): string[] {
    return paths.flatMap((p) => {
        const full = join(ROOT, p);
        return statSync(full).isFile() ? outsideReferences(p, readFileSync(full, "utf8")) : [];
    });
}

test("the check finds each spelling of a reference outside the repository (control)", () => {
    const contractFile = ["CONTRACT", "md"].join(".");
    for (const line of [`// see ${["..", "shared", contractFile].join("/")}`, `(${contractFile} section 2)`, `(the ${"public"} ${"contract"}, §1)`]) {
        expect(outsideReferences("x.ts", `ok\n${line}\n`)).toEqual([`x.ts:2: ${line}`]);
    }
    expect(outsideReferences("x.ts", "// docs/configuration.md, README \"Stores\"; a shared store\n")).toEqual([]);
});

test("no source, test, docs or template file of the repository refers outside it", () => {
    // Tracked files and new ones not ignored: what a commit of this checkout would hold.
    const files = execFileSync("git", ["-C", ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard"], { encoding: "utf8", maxBuffer: 64 << 20 })
        .split("\0")
        .filter((f) => f && existsSync(join(ROOT, f)));
    expect(files).toEqual(expect.arrayContaining(["README.md", "cli/main.ts", "components/plan/schema.ts", "docs/architecture.md"]));
    expect(referencesIn(files)).toEqual([]);
});

test("no file the package ships (package.json `files`, as npm pack lists them) refers outside it", () => {
    if (!existsSync(join(ROOT, "dist", "index.js"))) throw new Error("dist/ is not built: run npm run build (npm test does)");
    const packed = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--ignore-scripts", "--json"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20 }));
    const files = (packed[0].files as { path: string }[]).map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(["README.md", "dist/cli/main.js", "dist/components/plan/schema.js", "docs/architecture.md"]));
    expect(referencesIn(files)).toEqual([]);
});
