// The shape of the source (issue 11's rules, held so they cannot come back): no import
// cycle among rekey's own modules, type-only imports included, and no source file much over
// 400 lines.
import { readFileSync, readdirSync, statSync } from "fs";
import { dirname, join, relative, resolve } from "path";
import { ROOT } from "../harness/stackFile";

function sources(dir: string): string[] {
    return readdirSync(dir).flatMap((f) => {
        const p = join(dir, f);
        return statSync(p).isDirectory() ? sources(p) : p.endsWith(".ts") ? [p] : [];
    });
}
const files = ["components", "cli"].flatMap((d) => sources(join(ROOT, d)));

function importsOf(file: string): string[] {
    const text = readFileSync(file, "utf8");
    const specs = [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+"(\.[^"]+)";/gms)].map((m) => m[1]);
    return specs.map((s) => {
        const base = resolve(dirname(file), s);
        return [`${base}.ts`, join(base, "index.ts")].find((c) => files.includes(c)) ?? `${base}.ts`;
    });
}

/** Every cycle found by a depth-first walk, as the files in it. */
function cycles(graph: Map<string, string[]>): string[][] {
    const found: string[][] = [];
    const state = new Map<string, "open" | "done">();
    const stack: string[] = [];
    const visit = (f: string) => {
        if (state.get(f) === "done") return;
        if (state.get(f) === "open") {
            found.push(stack.slice(stack.indexOf(f)).map((x) => relative(ROOT, x)));
            return;
        }
        state.set(f, "open");
        stack.push(f);
        for (const d of graph.get(f) ?? []) visit(d);
        stack.pop();
        state.set(f, "done");
    };
    for (const f of graph.keys()) visit(f);
    return found;
}

test("no import cycle among components/ and cli/, type-only imports included", () => {
    const graph = new Map(files.map((f) => [f, importsOf(f)]));
    expect(cycles(graph)).toEqual([]);
    // The check bites: a cycle added by hand is found (control).
    const [a, b] = [files[0], files[1]];
    expect(cycles(new Map([[a, [b]], [b, [a]]]))).toEqual([[relative(ROOT, a), relative(ROOT, b)]]);
});

test("no source file over about 400 lines", () => {
    const long = files.map((f) => [relative(ROOT, f), readFileSync(f, "utf8").split("\n").length] as const).filter(([, n]) => n > 420);
    expect(long).toEqual([]);
});
