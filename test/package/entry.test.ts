// Which file Pulumi runs, and what a user's require gets. The Node.js language host runs
// Pulumi.yaml's `main` when it is set, and otherwise package.json's `exports` / `main`
// (@pulumi/pulumi cmd/run/run.js `run`, hasEntrypoint): this project's program is
// standalone.ts, and the package's entry (the library, which registers nothing) is what
// `exports` names.
import { existsSync, readFileSync } from "fs";
import { join } from "path";
import { parse } from "yaml";
import { ROOT } from "../harness/stackFile";

const pulumiYaml = parse(readFileSync(join(ROOT, "Pulumi.yaml"), "utf8"));
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));

test("Pulumi.yaml names the standalone program as main, so Pulumi never runs the library as the program", () => {
    expect(pulumiYaml.main).toBe("standalone.ts");
    expect(existsSync(join(ROOT, pulumiYaml.main))).toBe(true);
    const program = require(join(ROOT, "standalone.ts"));
    expect(typeof program).toBe("function");
});

test("package.json exports the library, its declarations and the planner; the bin runs the CLI", () => {
    expect(pkg.name).toBe("pulumi-rekey");
    expect(pkg.private).toBeUndefined();
    expect(pkg.exports["."]).toEqual({ types: "./dist/index.d.ts", default: "./dist/index.js" });
    expect(pkg.exports["./plan"]).toEqual({ types: "./dist/components/plan/index.d.ts", default: "./dist/components/plan/index.js" });
    expect(pkg.bin).toEqual({ rekey: "bin/rekey.js", "pulumi-rekey": "bin/rekey.js" });
    // One copy of the SDK in a user's project: theirs.
    expect(pkg.peerDependencies["@pulumi/pulumi"]).toMatch(/^\^3\./);
    expect(pkg.dependencies["@pulumi/pulumi"]).toBeUndefined();
    const lib = require(join(ROOT, "index.ts"));
    expect(Object.keys(lib).sort()).toEqual(["RekeyConfigError", "RekeyEpochError", "Rotation", "fromStackConfig"]);
});
