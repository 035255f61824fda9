// Parses Mermaid diagrams with mermaid itself (its own parser, the one GitHub's renderer
// runs), under jsdom: mermaid's flowchart sanitizes labels with DOMPurify, which needs a
// window. An ES module run in a child process (test/harness/mermaid.ts), as mermaid is
// ESM-only and jest 29 runs tests as CommonJS.
// stdin: a JSON array of diagram texts. stdout: a JSON array, one result per text:
// { ok: false, error } or { ok: true, type, nodes, edges, subgraphs, tasks } with what the
// parsed diagram holds, so that tests check more than the shape of the text: each node's
// label as mermaid read it, and whether mermaid saw a link or a click handler on it.
import { JSDOM } from "jsdom";

const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const texts = JSON.parse(Buffer.concat(chunks).toString("utf8"));

/**
 * A label as the reader sees it: mermaid keeps an entity code (`#35;`, `#quot;`) as a
 * placeholder until the SVG is drawn (mermaid's encodeEntities), where it becomes an HTML
 * entity, that is text; `<br/>` is a line break.
 */
const NAMED = { quot: '"', amp: "&", lt: "<", gt: ">", nbsp: "\u00a0" };
const shown = (text) =>
    String(text)
        .replace(/\ufb02\u00b0\u00b0(\d+)\u00b6\u00df/g, (_, n) => String.fromCodePoint(Number(n)))
        .replace(/\ufb02\u00b0(\w+)\u00b6\u00df/g, (m, name) => NAMED[name] ?? m)
        .replace(/<br\s*\/?>/g, "\n");

const results = [];
for (const text of texts) {
    try {
        await mermaid.parse(text);
        const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
        const db = diagram.db;
        const type = diagram.type;
        if (type.startsWith("flowchart")) {
            const nodes = [...db.getVertices().values()].map((v) => ({ id: v.id, text: shown(v.text), link: v.link ?? null, callback: Boolean(v.haveCallback), classes: v.classes }));
            const edges = db.getEdges().map((e) => ({ start: e.start, end: e.end }));
            const subgraphs = db.getSubGraphs().map((s) => ({ id: s.id, title: shown(s.title), nodes: s.nodes }));
            results.push({ ok: true, type, nodes, edges, subgraphs, tasks: [] });
        } else if (type === "gantt") {
            const tasks = db.getTasks().map((t) => ({ id: t.id, task: shown(t.task).trim(), section: shown(t.section), start: t.startTime.toISOString().slice(0, 10), end: t.endTime.toISOString().slice(0, 10), classes: t.classes, milestone: Boolean(t.milestone), crit: Boolean(t.crit) }));
            results.push({ ok: true, type, nodes: [], edges: [], subgraphs: [], tasks, title: shown(db.getDiagramTitle()) });
        } else {
            results.push({ ok: true, type, nodes: [], edges: [], subgraphs: [], tasks: [] });
        }
    } catch (e) {
        results.push({ ok: false, error: String(e && e.message ? e.message : e).split("\n").slice(0, 3).join("\n") });
    }
}
process.stdout.write(JSON.stringify(results));
