// `npm run bench`: program evaluation under Pulumi mocks against the SDK floor (the same
// number of bare resources with constant inputs, timed the same way in the same run).
import { execFileSync } from "child_process";
import { join, sep } from "path";
import { allStacksBench, cliPlanBench } from "./cliPlan";
import { restartBench } from "./restarts";
import { wallTimeBench } from "./wallTime";
import { proofCriticalPathBench } from "./proof";

interface Sample {
    seconds: number;
    /** CPU seconds of the same window (user + system). */
    cpuSeconds: number;
    peakRssMb: number;
    resources: number;
    types: Record<string, number>;
    /** By type, how many the program registered with an alias (the floor's carry the same). */
    aliased: Record<string, number>;
}

const REPEAT = Number(process.env.REKEY_BENCH_REPEAT ?? 3);

/**
 * How a case runs: under ts-node, as Pulumi runs a TypeScript program (the program's modules
 * are transpiled as they load), or compiled (dist/, `npm run build`) under plain node, as a
 * package user's program loads rekey. The floor runs under the same runtime as its program.
 */
export type Runtime = "ts-node" | "node";
const ROOT = join(__dirname, __dirname.split(sep).includes("dist") ? "../.." : "..");

function runCase(kind: string, arg: string, runtime: Runtime = "ts-node", aliased?: Record<string, number>): Sample {
    const args = runtime === "ts-node" ? ["-r", "ts-node/register/transpile-only", join(ROOT, "bench", "cases.ts")] : [join(ROOT, "dist", "bench", "cases.js")];
    const out = execFileSync(process.execPath, [...args, kind, arg, ...(aliased ? [JSON.stringify(aliased)] : [])], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
    });
    return JSON.parse(out.trim().split("\n").pop()!);
}

/** Median of REPEAT runs, alternating program and floor so that machine noise hits both. */
function measure(kind: string, n: number, runtime: Runtime = "ts-node"): { program: Sample; floor: Sample; programCpu: number; floorCpu: number } {
    const programs: Sample[] = [];
    const floors: Sample[] = [];
    for (let i = 0; i < REPEAT; i++) {
        const p = runCase(kind, String(n), runtime);
        programs.push(p);
        floors.push(runCase("floor", JSON.stringify(p.types), runtime, p.aliased));
    }
    const median = (xs: Sample[]) => [...xs].sort((a, b) => a.seconds - b.seconds)[Math.floor(xs.length / 2)];
    const medianCpu = (xs: Sample[]) => [...xs].map((x) => x.cpuSeconds).sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    return { program: median(programs), floor: median(floors), programCpu: medianCpu(programs), floorCpu: medianCpu(floors) };
}

function line(cells: (string | number)[]): string {
    return cells.map((c) => String(c).padEnd(14)).join("");
}

const GENERATOR = "random:index/randomPassword:RandomPassword";

function programBench(title: string, kind: string, sizes: number[], target: { ratio: number; rss: number; scaling?: number; generators?: number }) {
    for (const runtime of ["ts-node", "node"] as const) programBenchUnder(runtime, title, kind, sizes, target);
}

function programBenchUnder(runtime: Runtime, title: string, kind: string, sizes: number[], target: { ratio: number; rss: number; scaling?: number; generators?: number }) {
    console.log(`\n## ${title}: ${runtime === "ts-node" ? "under ts-node (as Pulumi runs a TypeScript program)" : "compiled JS (dist/) under plain node (as a package user's program loads rekey)"}`);
    console.log(line(["secrets", "seconds", "floor s", "ratio", "CPU ratio", "peak RSS MB", "floor RSS MB", "resources", "res/secret", "gen/secret"]));
    const results: { n: number; seconds: number; ratio: number; rss: number; perSecret: number; generators: number }[] = [];
    for (const n of sizes) {
        const { program, floor, programCpu, floorCpu } = measure(kind, n, runtime);
        const ratio = program.seconds / floor.seconds;
        // Per secret, without the one stack-level fingerprint key.
        const perSecret = (program.resources - 1) / n;
        const generators = ((program.types[GENERATOR] ?? 0) - 1) / n;
        const rss = program.peakRssMb / floor.peakRssMb;
        results.push({ n, seconds: program.seconds, ratio, rss, perSecret, generators });
        console.log(line([n, program.seconds.toFixed(2), floor.seconds.toFixed(2), ratio.toFixed(2), (programCpu / floorCpu).toFixed(2), program.peakRssMb.toFixed(0), floor.peakRssMb.toFixed(0), program.resources, perSecret.toFixed(2), generators.toFixed(2)]));
    }
    const verdicts = [
        `ratio to floor <= ${target.ratio}: ${results.every((r) => r.ratio <= target.ratio) ? "met" : "MISSED"}`,
        `peak RSS <= ${target.rss} × floor's: ${results.map((r) => r.rss.toFixed(2)).join(", ")} ${results.every((r) => r.rss <= target.rss) ? "met" : "MISSED"}`,
    ];
    if (target.scaling && results.length === 2) {
        const s = results[1].seconds / results[0].seconds;
        verdicts.push(`${results[1].n}/${results[0].n} time ${s.toFixed(2)} (<= ${target.scaling}): ${s <= target.scaling ? "met" : "MISSED"}`);
    }
    if (target.generators !== undefined) {
        verdicts.push(`generators per secret = ${target.generators}: ${results.every((r) => r.generators === target.generators) ? "met" : "MISSED"}`);
    }
    console.log(verdicts.join("; "));
}

async function main() {
    console.log(`rekey benchmarks (median of ${REPEAT}; REKEY_BENCH_REPEAT to change)`);
    const only = process.env.REKEY_BENCH_ONLY;
    if (only !== "wall") {
        cliPlanBench();
        allStacksBench();
    }
    if (only === "cli") return;
    await wallTimeBench(REPEAT);
    if (only === "wall") return;
    console.log("\nfloor: the same resources (types and counts) registered with constant inputs, no rekey logic, under the program's runtime");
    programBench("Generated secrets", "program", [1000, 2000], { ratio: 1.15, rss: 1.15, scaling: 2.05, generators: 1 });
    programBench("Generated secrets with keepPrevious", "program-keepPrevious", [1000], { ratio: 1.15, rss: 1.15, generators: 2 });
    programBench(
        "Generated secrets with three stores each (SSM; one of 20 shared Kubernetes Secrets; one of 10 shared .env files)",
        "program-stores",
        [1000],
        { ratio: 1.15, rss: 1.15, generators: 1 },
    );
    proofProgramBench();
    proofCriticalPathBench();
    await restartBench();
}

/** The 1,000-secret, three-store program with its read-backs, against the same program without them. */
function proofProgramBench() {
    console.log("\n## What proof adds to a 1,000-secret program (three stores each, as above)");
    console.log(line(["variant", "seconds", "peak RSS MB", "resources", "read-backs"]));
    const withProof = measure("program-stores", 1000).program;
    const without = measure("program-stores-noproof", 1000).program;
    for (const [name, s] of [["with proof", withProof], ["without", without]] as const) {
        console.log(line([name, s.seconds.toFixed(2), s.peakRssMb.toFixed(0), s.resources, (s.types["command:local:Command"] ?? 0) - (without.types["command:local:Command"] ?? 0)]));
    }
    console.log(`proof adds ${(withProof.seconds - without.seconds).toFixed(2)} s (${((withProof.seconds / without.seconds - 1) * 100).toFixed(0)}%) and ${withProof.resources - without.resources} resources (one command per store group)`);
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
