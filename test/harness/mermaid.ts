// Mermaid's own parser on the diagrams rekey writes (test/harness/mermaidParse.mjs, in a
// child Node process: mermaid is an ES module that needs a DOM, jest 29 runs CommonJS).
import { execFileSync } from "child_process";
import { join } from "path";

export interface ParsedNode {
    id: string;
    /** The label as drawn: entity codes decoded, `<br/>` a line break. */
    text: string;
    link: string | null;
    callback: boolean;
    classes: string[];
}
export interface ParsedTask {
    id: string;
    task: string;
    section: string;
    start: string;
    end: string;
    milestone: boolean;
    crit: boolean;
}
export type Parsed =
    | { ok: false; error: string }
    | { ok: true; type: string; nodes: ParsedNode[]; edges: { start: string; end: string }[]; subgraphs: { id: string; title: string; nodes: string[] }[]; tasks: ParsedTask[]; title?: string };

const SCRIPT = join(__dirname, "mermaidParse.mjs");

/** Every text parsed by mermaid, in one process (it takes about a second to load). */
export function parseMermaid(texts: string[]): Parsed[] {
    const out = execFileSync(process.execPath, [SCRIPT], { input: JSON.stringify(texts), maxBuffer: 256 * 1024 * 1024, encoding: "utf8" });
    const results = JSON.parse(out) as Parsed[];
    if (results.length !== texts.length) throw new Error(`mermaidParse.mjs answered ${results.length} of ${texts.length} diagrams`);
    return results;
}

/** The parsed diagram, or a failure that shows mermaid's error and the text. */
export function parsedOk(text: string, parsed: Parsed): Extract<Parsed, { ok: true }> {
    if (!parsed.ok) throw new Error(`mermaid refused the diagram: ${parsed.error}\n--- diagram ---\n${text}`);
    return parsed;
}

/** The Mermaid code blocks of a Markdown text. */
export function mermaidBlocks(markdown: string): string[] {
    return [...markdown.matchAll(/^```mermaid\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
}
