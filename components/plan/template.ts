// `derive` templates: literal text with `{{NAME}}` or `{{NAME | filter}}` placeholders
// that are replaced by other secrets' values.
import { nameText } from "./shown";

export const TEMPLATE_FILTERS = {
    /** Percent-encodes the value, for user info, paths and query strings of URLs. */
    urlencode: (v: string) => encodeURIComponent(v),
    base64: (v: string) => Buffer.from(v, "utf8").toString("base64"),
} as const;
export type TemplateFilter = keyof typeof TEMPLATE_FILTERS;

export type TemplatePart = { text: string } | { ref: string; filter?: TemplateFilter };

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\|\s*([A-Za-z0-9_]+)\s*)?\}\}/y;

/** Parses a template; throws an Error whose message is the reason (no value is involved). */
export function parseTemplate(template: string): TemplatePart[] {
    const parts: TemplatePart[] = [];
    let text = "";
    let i = 0;
    while (i < template.length) {
        if (template.startsWith("{{", i)) {
            PLACEHOLDER.lastIndex = i;
            const m = PLACEHOLDER.exec(template);
            if (!m) {
                throw new Error(`malformed placeholder at character ${i + 1}: expected {{NAME}} or {{NAME | filter}}`);
            }
            const filter = m[2];
            // Own properties only: `toString` or `constructor` is no filter.
            if (filter !== undefined && !Object.prototype.hasOwnProperty.call(TEMPLATE_FILTERS, filter)) {
                throw new Error(
                    `unknown filter ${nameText(filter)} (known: ${Object.keys(TEMPLATE_FILTERS).join(", ")})`,
                );
            }
            if (text) parts.push({ text });
            text = "";
            parts.push(filter ? { ref: m[1], filter: filter as TemplateFilter } : { ref: m[1] });
            i = PLACEHOLDER.lastIndex;
        } else if (template.startsWith("}}", i)) {
            throw new Error(`unmatched "}}" at character ${i + 1}`);
        } else {
            text += template[i];
            i++;
        }
    }
    if (text) parts.push({ text });
    if (!parts.some((p) => "ref" in p)) throw new Error("names no secret: a derived value needs at least one {{NAME}}");
    return parts;
}

export function templateRefs(parts: TemplatePart[]): string[] {
    return [...new Set(parts.flatMap((p) => ("ref" in p ? [p.ref] : [])))];
}

export function renderTemplate(parts: TemplatePart[], values: Record<string, string>): string {
    return parts
        .map((p) => {
            if ("text" in p) return p.text;
            const v = Object.prototype.hasOwnProperty.call(values, p.ref) ? values[p.ref] : undefined;
            if (v === undefined) throw new Error(`template input ${p.ref} has no value`);
            return p.filter ? TEMPLATE_FILTERS[p.filter](v) : v;
        })
        .join("");
}
