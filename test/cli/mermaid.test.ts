// The diagrams as the CLI prints them: the plan comment's flowchart, `plan --format mermaid`
// (only the diagram), the due gantt; each parsed by mermaid itself (test/harness/mermaid.ts).
import { readFileSync, readdirSync } from "fs";
import { join } from "path";
import { fixture, git, rekey, removeWorkdirs, workdir, write } from "../harness/cli";
import { mermaidBlocks, parseMermaid, parsedOk } from "../harness/mermaid";

const SHOP = "Pulumi.shop.yaml";
afterAll(removeWorkdirs);

const ROOT = join(__dirname, "..", "..");
/** The Mermaid blocks of a doc, a list item's indented ones too (dedented). */
const docBlocks = (path: string) =>
    [...readFileSync(join(ROOT, path), "utf8").matchAll(/^( *)```mermaid\n([\s\S]*?)^\1```$/gm)].map((m) => m[2].replace(new RegExp(`^${m[1]}`, "gm"), ""));

describe("rekey plan and due draw Mermaid diagrams that mermaid parses", () => {
    test("the plan comment holds the flowchart that --format mermaid prints alone; an incident is marked", () => {
        const dir = workdir({ [SHOP]: fixture(SHOP) });
        expect(rekey(dir, "bump", "CACHE_PASSWORD", "--stack", "shop", "--incident", "leaked in a CI log").code).toBe(0);
        expect(rekey(dir, "bump", "SESSION_SECRET", "--stack", "shop").code).toBe(0);
        const md = rekey(dir, "plan", "--stack", "shop");
        expect(md.code).toBe(0);
        const blocks = mermaidBlocks(md.stdout);
        expect(blocks).toHaveLength(1);
        expect(md.stdout).toContain("#### The rotation, drawn\n\n```mermaid\nflowchart TD\n");
        const only = rekey(dir, "plan", "--stack", "shop", "--format", "mermaid");
        expect([only.code, only.stderr]).toEqual([0, ""]);
        expect(only.stdout).toBe(blocks[0]);
        const f = parsedOk(only.stdout, parseMermaid([only.stdout])[0]);
        const texts = f.nodes.map((n) => n.text);
        expect(texts).toEqual(
            expect.arrayContaining([
                "CACHE_PASSWORD\n⚠ incident: epoch 2 → 3",
                "SESSION_SECRET\nepoch 3 → 4",
                "apply hook (redis)\nCACHE_PASSWORD",
                "finalize\nCACHE_PASSWORD\nuser shop keeps only the new password",
            ]),
        );
        // One node per step of the plan's Order list, and one per changed secret.
        const order = JSON.parse(rekey(dir, "plan", "--stack", "shop", "--json").stdout).order as unknown[];
        expect(f.nodes.filter((n) => /^n\d+$/.test(n.id))).toHaveLength(order.length);
        expect(f.nodes.filter((n) => n.classes.includes("incident")).length).toBeGreaterThan(1);
        // The example in the docs is this change's diagram, as rekey prints it today.
        expect(docBlocks("docs/ci.md")).toEqual([only.stdout]);
        expect(docBlocks("README.md")).toEqual([only.stdout]);
    });

    test("every Mermaid block in the README and docs parses", () => {
        const blocks = ["README.md", ...readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)].flatMap(docBlocks);
        expect(blocks.length).toBeGreaterThanOrEqual(2);
        parseMermaid(blocks).forEach((p, i) => parsedOk(blocks[i], p));
    });

    test("--all-stacks --format mermaid: one flowchart, a subgraph per changed stack; --json with another --format is refused", () => {
        const dir = workdir({ [SHOP]: fixture(SHOP), "Pulumi.other.yaml": fixture(SHOP) });
        rekey(dir, "bump", "SESSION_SECRET", "--stack", "shop");
        rekey(dir, "bump", "WEBHOOK_KEY", "--stack", "other", "--date", "2026-11-01");
        git(dir, "checkout", "-q", "-b", "change");
        const r = rekey(dir, "plan", "--all-stacks", "--format", "mermaid");
        expect(r.code).toBe(0);
        const f = parsedOk(r.stdout, parseMermaid([r.stdout])[0]);
        expect(f.subgraphs.map((s) => s.title).sort()).toEqual(["rekey plan: other", "rekey plan: shop"]);
        const both = rekey(dir, "plan", "--stack", "shop", "--json", "--format", "mermaid");
        expect([both.code, both.stderr]).toEqual([2, "rekey: --json and --format mermaid ask for two formats: give one\n"]);
        expect(rekey(dir, "plan", "--stack", "shop", "--format", "svg").code).toBe(2);
    });

    test("rekey due draws the overdue and due-soon secrets as a gantt; the lists stay below it", () => {
        const dir = workdir({ [SHOP]: fixture(SHOP) }, false);
        const md = rekey(dir, "due", "--stack", "shop", "--today", "2026-12-20", "--within", "30").stdout;
        const [gantt] = mermaidBlocks(md);
        const g = parsedOk(gantt, parseMermaid([gantt])[0]);
        expect(g.tasks.map((t) => [t.task, t.section, t.start, t.end, t.crit])).toEqual([
            ["SESSION_SECRET, due 2026-10-30, 51 days ago", "Overdue", "2026-08-01", "2026-10-30", true],
            ["STRIPE_API_KEY, due 2027-01-15, supplied: a person sets the value", "Due within 30 days", "2026-01-15", "2027-01-15", false],
            ["today 2026-12-20", "Today", "2026-12-20", "2026-12-20", false],
        ]);
        expect(md.indexOf("```mermaid")).toBeLessThan(md.indexOf("#### Overdue"));
        // Nothing with a date due: no gantt.
        write(dir, SHOP, fixture(SHOP));
        expect(mermaidBlocks(rekey(dir, "due", "--stack", "shop", "--today", "2026-08-02").stdout)).toEqual([]);
    });
});
