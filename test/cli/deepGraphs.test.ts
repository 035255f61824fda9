// Deep graphs never crash a command: status, due and plan on stack files whose `after` and
// derive chains are 12,000 long (the recursive walks overflowed the stack: exit 1 and a stack
// trace), and an error rekey did not foresee in one stack of --all-stacks refuses that stack
// only (exit 2), the others still reported; no command prints a stack trace unless
// REKEY_DEBUG asks for it.
import { spawnSync } from "child_process";
import { writeFileSync } from "fs";
import { join } from "path";
import { afterChain, chainStackFile, deriveChain } from "../harness/chains";
import { TODAY, fixture, rekey, removeWorkdirs, workdir } from "../harness/cli";
import { ROOT } from "../harness/stackFile";

const N = 12_000;
const SHOP = "Pulumi.shop.yaml";
afterAll(removeWorkdirs);

// Built once: each 12,000 lines.
const AFTER = chainStackFile(afterChain(N));
const DERIVE = chainStackFile(deriveChain(N));

/** A project with the shop fixture committed, and the two chains written after (new stacks for plan). */
function project(): string {
    const dir = workdir({ [SHOP]: fixture(SHOP) });
    writeFileSync(join(dir, "Pulumi.after.yaml"), AFTER);
    writeFileSync(join(dir, "Pulumi.derive.yaml"), DERIVE);
    // shop changes too, so that plan --all-stacks plans it.
    writeFileSync(join(dir, SHOP), fixture(SHOP).replace("epoch: 3\n", "epoch: 4\n"));
    return dir;
}

const TRACE = /^\s+at /m;

describe(`chains ${N} long`, () => {
    const dir = project();

    test("status --stack: every secret, exit 0", () => {
        const after = rekey(dir, "status", "--stack", "after", "--json");
        expect(after).toMatchObject({ code: 0, stderr: "" });
        expect(JSON.parse(after.stdout).secrets.map((s: { name: string; consumers: string[] }) => [s.name, s.consumers])).toEqual([["KEY", ["c0"]]]);
        const derive = rekey(dir, "status", "--stack", "derive", "--json");
        expect(derive).toMatchObject({ code: 0, stderr: "" });
        expect(JSON.parse(derive.stdout).secrets).toHaveLength(N);
    });

    test("due --stack: the generated secret at the chain's end, exit 0 before its day and 1 after", () => {
        expect(rekey(dir, "due", "--stack", "derive", "--today", "2026-11-22")).toMatchObject({ code: 0, stderr: "" });
        const late = rekey(dir, "due", "--stack", "derive", "--today", "2027-01-01", "--json");
        expect(late.code).toBe(1);
        expect(JSON.parse(late.stdout).overdue.map((e: { name: string }) => e.name)).toEqual([`S${N - 1}`]);
    });

    test("plan --stack: a new stack's restarts in after order, deepest first", () => {
        const r = rekey(dir, "plan", "--stack", "after", "--json");
        expect(r.code).toBe(0);
        const report = JSON.parse(r.stdout);
        expect(report.newStack).toBe(true);
        expect(report.consumers.map((c: { name: string }) => c.name)).toEqual(["c0"]);
        const d = JSON.parse(rekey(dir, "plan", "--stack", "derive", "--json").stdout);
        expect(d.secrets.added).toHaveLength(N);
        expect(d.consumers.map((c: { name: string }) => c.name)).toEqual(["app"]);
    });

    test("--all-stacks: every stack reported", () => {
        const status = rekey(dir, "status", "--all-stacks", "--json");
        expect(status.code).toBe(0);
        expect(JSON.parse(status.stdout).stacks.map((s: { stack: string; secrets: unknown[] }) => [s.stack, s.secrets.length])).toEqual([["after", 1], ["derive", N], ["shop", 7]]);
        const due = rekey(dir, "due", "--all-stacks", "--today", TODAY);
        expect(due.code).toBe(1); // shop has overdue secrets
        expect(due.stdout).toContain("### rekey due: after (today 2026-11-22)");
        const plan = rekey(dir, "plan", "--all-stacks", "--json");
        expect(plan.code).toBe(0);
        expect(JSON.parse(plan.stdout).stacks.map((s: { stack: string }) => s.stack)).toEqual(["after", "derive", "shop"]);
    });
});

/**
 * The compiled bin (dist/, built by npm test) run as a process, with `inject` (a file
 * required first) to put back the recursive walk the planner had: a real RangeError, from a
 * real 12,000-long chain, in the one stack it reaches.
 */
function bin(dir: string, args: string[], o: { recursiveWalk?: boolean; env?: Record<string, string> } = {}) {
    const hook = join(dir, "recursive-walk.js");
    writeFileSync(
        hook,
        `const graph = require(${JSON.stringify(join(ROOT, "dist", "components", "plan", "graph.js"))});\n` +
            `graph.topologicalOrder = (nodes, depsOf) => {\n` +
            `    const known = new Set(nodes), state = new Map(), order = [], cycles = [], stack = [];\n` +
            `    const visit = (n) => {\n` +
            `        const s = state.get(n);\n` +
            `        if (s === "done") return;\n` +
            `        if (s === "visiting") { cycles.push([...stack.slice(stack.indexOf(n)), n].join(" -> ")); return; }\n` +
            `        state.set(n, "visiting"); stack.push(n);\n` +
            `        for (const d of depsOf(n)) if (known.has(d)) visit(d);\n` +
            `        stack.pop(); state.set(n, "done"); order.push(n);\n` +
            `    };\n` +
            `    for (const n of nodes) visit(n);\n` +
            `    return { order, cycles };\n` +
            `};\n`,
    );
    const env = { ...process.env, REKEY_DEBUG: "", ...o.env };
    const r = spawnSync(process.execPath, [...(o.recursiveWalk ? ["-r", hook] : []), join(ROOT, "bin", "rekey.js"), ...args], { cwd: dir, env, encoding: "utf8", maxBuffer: 64 << 20 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const internal = (stack: string) =>
    `Pulumi.${stack}.yaml: internal error (RangeError: Maximum call stack size exceeded): a bug in rekey, please report it with the command that failed; REKEY_DEBUG=1 shows where it happened`;

describe("an unexpected error in one stack of --all-stacks refuses that stack only (the compiled bin, with the recursive walk put back)", () => {
    const dir = project();

    test("status, due and plan: the chains refused (exit 2), shop reported, no stack trace", () => {
        const status = bin(dir, ["status", "--all-stacks"], { recursiveWalk: true });
        expect(status.code).toBe(2);
        expect(status.stdout).toContain(`### rekey status: after\n\nRefused (exit 2):\n\n    ${internal("after")}\n`);
        expect(status.stdout).toContain(`### rekey status: derive\n\nRefused (exit 2):\n\n    ${internal("derive")}\n`);
        expect(status.stdout).toContain("| SESSION_SECRET | generate | 4 |");
        expect(status.stderr).toBe(`rekey: ${internal("after")}\nrekey: ${internal("derive")}\n`);

        const due = bin(dir, ["due", "--all-stacks", "--today", TODAY, "--json"], { recursiveWalk: true });
        expect(due.code).toBe(2);
        const stacks = JSON.parse(due.stdout).stacks;
        expect(stacks.map((s: { stack: string; error?: string }) => [s.stack, s.error ?? null])).toEqual([["after", internal("after")], ["derive", internal("derive")], ["shop", null]]);
        expect(stacks[2].overdue.length).toBeGreaterThan(0); // production's overdue list survives a broken stack

        const plan = bin(dir, ["plan", "--all-stacks"], { recursiveWalk: true });
        expect(plan.code).toBe(2);
        expect(plan.stdout).toContain(`### rekey plan: derive\n\nRefused (exit 2):\n\n    ${internal("derive")}\n`);
        expect(plan.stdout).toContain("SESSION_SECRET");
        for (const r of [status, due, plan]) expect(r.stdout + r.stderr).not.toMatch(TRACE);
        // Control: the same files without the recursive walk are all reported.
        expect(bin(dir, ["status", "--all-stacks"])).toMatchObject({ code: 0, stderr: "" });
    });

    test("one stack: one line naming the internal error, exit 2; REKEY_DEBUG=1 adds the trace", () => {
        const r = bin(dir, ["status", "--stack", "after"], { recursiveWalk: true });
        expect(r).toEqual({
            code: 2,
            stdout: "",
            stderr: "rekey: internal error (RangeError: Maximum call stack size exceeded): a bug in rekey, please report it with the command that failed; REKEY_DEBUG=1 shows where it happened\n",
        });
        const debug = bin(dir, ["status", "--stack", "after"], { recursiveWalk: true, env: { REKEY_DEBUG: "1" } });
        expect(debug.code).toBe(2);
        expect(debug.stderr).toMatch(/^rekey: internal error \(RangeError: Maximum call stack size exceeded\): .*\nRangeError: Maximum call stack size exceeded\n\s+at /);
    });
});
