import { topologicalOrder } from "../../components/plan/graph";
import { parseTemplate, renderTemplate, templateRefs } from "../../components/plan/template";

test("templates render each placeholder, with filters", () => {
    const t = parseTemplate("redis://{{USER}}:{{ PASS | urlencode }}@h/{{USER}}?b={{PASS|base64}}");
    expect(templateRefs(t)).toEqual(["USER", "PASS"]);
    expect(renderTemplate(t, { USER: "u", PASS: "a b/c" })).toBe(`redis://u:a%20b%2Fc@h/u?b=${Buffer.from("a b/c").toString("base64")}`);
});

test.each([
    ["no placeholder", "plain text", /names no secret/],
    ["unknown filter", "{{A | rot13}}", /unknown filter "rot13"/],
    ["unclosed", "x{{A", /malformed placeholder at character 2/],
    ["stray close", "a}}b{{A}}", /unmatched "}}" at character 2/],
    ["bad name", "{{1A}}", /malformed placeholder/],
])("template errors: %s", (_t, template, reason) => {
    expect(() => parseTemplate(template)).toThrow(reason);
});

test("topological order keeps input order among independent nodes and reports cycles", () => {
    const deps: Record<string, string[]> = { api: ["redis"], worker: ["redis"], redis: [], web: ["api"] };
    expect(topologicalOrder(["web", "api", "worker", "redis"], (n) => deps[n]).order).toEqual(["redis", "api", "web", "worker"]);
    const cyc: Record<string, string[]> = { a: ["b"], b: ["c"], c: ["a"], d: [] };
    expect(topologicalOrder(["a", "b", "c", "d"], (n) => cyc[n]).cycles).toEqual(["a -> b -> c -> a"]);
});
