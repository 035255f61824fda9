// What each command loads: the compiled bin (dist/, built by npm test) loads a command's
// module only when that command runs (cli/main.ts), so --version and help load no planner
// and the read-only commands no yaml document package. Start-up is most of what a read-only
// command costs; npm run bench prints the seconds, this holds which modules.
import { execFileSync } from "child_process";
import { readFileSync, writeFileSync } from "fs";
import { join } from "path";
import { fixture, removeWorkdirs, workdir } from "../harness/cli";
import { ROOT } from "../harness/stackFile";

afterAll(removeWorkdirs);

/** The packages (under node_modules) a run of the bin loaded, sorted. */
function packagesLoaded(dir: string, ...args: string[]): string[] {
    const hook = join(dir, "loaded-hook.js");
    const out = join(dir, "loaded.txt");
    writeFileSync(hook, `process.on("exit", () => require("fs").writeFileSync(${JSON.stringify(out)}, Object.keys(require.cache).join("\\n")));\n`);
    try {
        execFileSync(process.execPath, ["-r", hook, join(ROOT, "bin", "rekey.js"), ...args], { cwd: dir, stdio: "ignore" });
    } catch (e) {
        if ((e as { status?: number }).status !== 1) throw e;
    }
    const names = readFileSync(out, "utf8")
        .split("\n")
        .flatMap((p) => {
            const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(p);
            return m ? [m[1]] : [];
        });
    return [...new Set(names)].sort();
}

test.each([
    [["--version"], ["commander"]],
    [["help", "bump"], ["commander"]],
    [["status", "--stack", "shop"], ["commander", "js-yaml", "zod"]],
    [["due", "--all-stacks"], ["commander", "js-yaml", "zod"]],
    // plan of a file without a reason comment composes no yaml document: the yaml package is not loaded.
    [["plan", "--stack", "shop", "--base-file", "Pulumi.shop.yaml", "--json"], ["commander", "js-yaml", "zod"]],
    // An edit of plain layouts reads its entries' positions from the parse itself (entryNodes.ts): no yaml document.
    [["bump", "SESSION_SECRET", "--stack", "shop", "--base-file", "Pulumi.shop.yaml", "--date", "2026-11-22"], ["commander", "js-yaml", "zod"]],
    // Control: with an anchor in the file, the edit is made on the yaml document (its positions and comments).
    [["bump", "SESSION_SECRET", "--stack", "anchored", "--base-file", "Pulumi.anchored.yaml", "--date", "2026-11-22"], ["commander", "js-yaml", "yaml", "zod"]],
    // plan of a file with a reason comment reads it from the parse too: no yaml document.
    [["plan", "--stack", "reasons", "--base-file", "Pulumi.shop.yaml", "--json"], ["commander", "js-yaml", "zod"]],
])("rekey %j loads exactly %j", (args, expected) => {
    const shop = fixture("Pulumi.shop.yaml");
    const dir = workdir(
        {
            "Pulumi.shop.yaml": shop,
            "Pulumi.anchored.yaml": shop.replace("  aws:region: eu-west-1", "  aws:region: &region eu-west-1"),
            "Pulumi.reasons.yaml": shop.replace(/(\n\s+epoch: )(\d+)/, (_, e, n) => `${e}${Number(n) + 1} # reason: scheduled`),
        },
        false,
    );
    expect(packagesLoaded(dir, ...args)).toEqual(expected);
});
