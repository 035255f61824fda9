// The plan and the due dates as Mermaid diagrams (components/plan/mermaid.ts), parsed by
// mermaid itself (test/harness/mermaid.ts): every diagram the tests make must parse, its
// nodes are exactly the steps drawn with the labels meant, and no name from the
// configuration adds a node, an arrow, a link or a click handler.
import fc from "fast-check";
import { diffPlans } from "../../components/plan/diff";
import { DueEntry, DueReport, dueSecrets } from "../../components/plan/due";
import { DiagramBudget, StackPlan, dueGantt, ganttText, mermaidText, planFlowchart } from "../../components/plan/mermaid";
import { RotationPlan, planRotation } from "../../components/plan/plan";
import { schedule, scheduleOutline } from "../../components/plan/schedule";
import { bareName } from "../../components/plan/shown";
import { Config } from "../harness/configs";
import { Parsed, parseMermaid, parsedOk } from "../harness/mermaid";
import { rawConfig } from "../harness/rawConfig";

const plan = (c: Config): RotationPlan => planRotation(rawConfig(c));
const stackPlan = (stack: string, base: Config | null, head: Config): StackPlan => {
    const h = plan(head);
    return { stack, diff: diffPlans(base ? plan(base) : null, h, new Set()), head: h };
};

/** What a reader sees of a label line: invisible characters as `\uXXXX` (mermaid.ts), everything else as itself. */
const visible = (s: string) => s.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, (ch) => `\\u${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`);

/** Text built to break a diagram: quotes, brackets, statement ends, comments, directives, links, HTML, Markdown, line breaks. */
const HOSTILE = [
    'a"] --> evil["x',
    "x]\nclick n0 href \"javascript:alert(1)\"",
    "a; click n0 call alert()",
    "%%{init: {'securityLevel': 'loose'}}%%",
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "```\n</details>",
    "#quot; #35; &amp; &#60;",
    "end",
    "subgraph x\nend",
    "a|b|c {d} (e) [f] <g> `h`",
    "title: x\nsection y\nclick d0 href http://evil",
    "café ☕ 日本語 𝒳",
    "\u202Eevil\u2066 \u0007\r\n\u2028",
    "ﬂ°°35¶ß",
    "",
];

describe("mermaidText: mermaid reads back exactly the text, as one label", () => {
    test("hostile lines and random Unicode, in a flowchart label and as a gantt task", () => {
        const lines = [...HOSTILE, ...fc.sample(fc.string({ unit: "binary", maxLength: 40 }), { numRuns: 120, seed: 25 }), ...fc.sample(fc.string({ unit: fc.constantFrom(...'"[](){}<>#;:%`|&\n\\ab-=*_~'), maxLength: 30 }), { numRuns: 150, seed: 3 })];
        // Between two letters: Mermaid refuses an empty label and trims a label's ends (rekey's have neither).
        const flow = lines.map((l) => `flowchart TD\n    n0["${mermaidText(`x${l}x`)}"]\n`);
        const gantt = lines.map((l) => `gantt\ndateFormat YYYY-MM-DD\nsection s\n${ganttText(`x${l}`)} :d0, 2026-01-01, 2026-01-02\n`);
        const parsed = parseMermaid([...flow, ...gantt]);
        lines.forEach((l, i) => {
            const f = parsedOk(flow[i], parsed[i]);
            expect(f.nodes).toEqual([{ id: "n0", text: visible(`x${l}x`), link: null, callback: false, classes: [] }]);
            expect(f.edges).toEqual([]);
            const g = parsedOk(gantt[i], parsed[lines.length + i]);
            expect(g.tasks.map((t) => [t.task, t.start, t.end, t.crit])).toEqual([[visible(`x${l}`).trim(), "2026-01-01", "2026-01-02", false]]);
        });
    });

    test("the parser check can fail: an unescaped quote breaks the label", () => {
        const [p] = parseMermaid(['flowchart TD\n    n0["a"] --> evil["x"]\n']);
        // Without escaping, one name makes two nodes and an arrow.
        expect(parsedOk("", p).nodes.map((n) => n.id)).toEqual(["n0", "evil"]);
        expect(parseMermaid(['flowchart TD\n    n0["a"b"]\n'])[0].ok).toBe(false);
    });
});

// A random inventory and a change to it: generated secrets (some with a redis, postgres or
// command hook), derived ones, consumers in a random `after` DAG with hostile names, dotenv
// stores (two shared files); the change bumps some, at an incident (revokeFirst on some),
// rolls some back, adds a secret.
// Consumer names are 1-63 letters, digits, "_", "." and "-": Mermaid's own words among them.
const CONSUMER_NAMES = ["api", "click", "end", "subgraph", "classDef", "style", "x.y-z", "graph", "call"];
// A .env path is a store's name in the diagram: brackets, `%`, `@`, `:`, quotes, spaces.
const DOTENV_PATHS = ["/srv/a/.env", "/srv/a[1]/%x@y:z.env", '/srv/a"]; click n0 href "javascript:alert(1)"/.env', "/srv/日本/<b>.env", "/srv/end/#x;.env"];
/** A hook of each kind, on a user or role of the secret's own (one secret per user). */
const HOOKS = [
    () => undefined,
    (n: string) => ({ redis: { host: "cache", user: `u_${n}` } }),
    (n: string) => ({ postgres: { host: "db", role: `r_${n}` } }),
    (n: string) => ({ postgres: { host: "db", roles: [`b_${n}`, `g_${n}`] } }),
    () => ({ command: { run: "reencrypt" } }),
];
const change = fc
    .record({ secrets: fc.integer({ min: 1, max: 10 }), consumers: fc.integer({ min: 1, max: CONSUMER_NAMES.length }), seed: fc.array(fc.nat(1000), { minLength: 200, maxLength: 200 }) })
    .map(({ secrets, consumers, seed }) => {
        let i = 0;
        const next = (n: number) => seed[i++ % seed.length] % n;
        const cNames = CONSUMER_NAMES.slice(0, consumers);
        const base: Config = { "rekey:consumers": {}, "rekey:secrets": {} };
        cNames.forEach((c, k) => {
            const after = cNames.slice(0, k).filter(() => next(3) === 0);
            base["rekey:consumers"][c] = { restart: `restart ${k}`, ...(next(2) ? { verify: { command: "true" } } : {}), ...(after.length ? { after } : {}) };
        });
        const reads = () => cNames.filter(() => next(3) === 0);
        const store = () => [{ dotenv: { path: DOTENV_PATHS[next(DOTENV_PATHS.length)] } }];
        const generated: string[] = [];
        for (let k = 0; k < secrets; k++) {
            const name = `S${k}`;
            if (generated.length && next(4) === 0) {
                base["rekey:secrets"][name] = { derive: `{{${generated[next(generated.length)]}}}:{{${generated[next(generated.length)]}}}`, consumers: reads(), stores: store() };
                continue;
            }
            generated.push(name);
            const apply = HOOKS[next(HOOKS.length)](name);
            base["rekey:secrets"][name] = { epoch: 2, generate: { encoding: "hex", bytes: 16 }, keepPrevious: true, consumers: reads(), ...(next(3) ? { stores: store() } : {}), ...(apply ? { apply } : {}) };
        }
        const head: Config = structuredClone(base);
        for (const name of generated) {
            const s = head["rekey:secrets"][name];
            const what = next(5);
            if (what === 0 || what === 1) s.epoch = 3;
            if (what === 1) Object.assign(s, { incident: "leaked in a log" }, s.apply && !s.apply.command && next(2) ? { revokeFirst: true } : {});
            if (what === 2) s.epoch = 1;
        }
        if (next(3) === 0) head["rekey:secrets"].NEW = { epoch: 0, generate: { encoding: "hex", bytes: 16 }, consumers: reads(), stores: store() };
        return { base, head };
    });

// Here for `change` (hooks of each kind, incidents, revokeFirst, verifies): the base's side of
// the plan's diff reads only this outline of its schedule (diff.ts diffPlans).
test("scheduleOutline is the schedule's hooks, revocations and consumers' verifies", () => {
    fc.assert(
        fc.property(change, ({ base, head }) => {
            for (const p of [plan(base), plan(head)]) {
                const s = schedule(p);
                expect(scheduleOutline(p)).toEqual({
                    hooks: s.hooks.map((h) => ({ id: h.id })),
                    revokes: s.revokes.map((r) => ({ resource: r.resource, action: r.action })),
                    consumers: s.consumers.map((c) => ({ consumer: c.consumer, verify: c.verify })),
                });
            }
        }),
        { numRuns: 200 },
    );
});

/** Checks a parsed plan diagram against the stacks drawn: one node per step drawn and per changed secret, the arrows meant, nothing clickable. */
function checkFlowchart(stacks: StackPlan[], budget: DiagramBudget, p: Parsed, text: string): void {
    const f = parsedOk(text, p);
    expect(f.type).toBe("flowchart-v2");
    for (const n of f.nodes) expect([n.link, n.callback, n.classes.includes("clickable")]).toEqual([null, false, false]);
    const steps = f.nodes.filter((n) => /^(k\d+)?n\d+$/.test(n.id));
    const drawn = stacks.flatMap((s) => s.diff.order).slice(0, budget.steps);
    expect(steps).toHaveLength(drawn.length);
    // Each step's node names what its id names, as shown.ts shows a name.
    steps.forEach((n, i) => expect(n.text).toContain(bareName(drawn[i].step.slice(drawn[i].step.indexOf(":") + 1))));
    expect(f.edges.length).toBeLessThanOrEqual(budget.edges);
    expect(f.subgraphs.map((s) => s.title)).toEqual(stacks.map((s) => `rekey plan: ${bareName(s.stack)}`));
    expect(f.nodes.filter((n) => /^(k\d+)?s\d+$/.test(n.id)).length).toBeLessThanOrEqual(budget.secrets);
    let stepsLeft = budget.steps;
    stacks.forEach((s, j) => {
        const prefix = stacks.length === 1 ? "" : `k${j}`;
        const more = f.nodes.find((n) => n.id === `${prefix}more`);
        // The budget is spent stack by stack: what one stack could not draw, its note counts.
        const notDrawn = s.diff.order.length - Math.min(s.diff.order.length, stepsLeft);
        stepsLeft -= s.diff.order.length - notDrawn;
        if (notDrawn) expect(more?.text).toContain(`${notDrawn} more step`);
        else expect(more?.text ?? "").not.toContain("step");
        // Incidents and rollbacks are marked on their secret.
        const secretNodes = f.nodes.filter((n) => new RegExp(`^${prefix}s\\d+$`).test(n.id));
        for (const r of s.diff.secrets.rotated) {
            const node = secretNodes.find((n) => n.text.startsWith(`${r.name}\n`));
            // Not drawn only when the budget ran out, and then the note says so.
            if (!node) {
                expect(more?.text).toMatch(/more secrets?\b/);
                continue;
            }
            const incident = s.diff.incidents.some((x) => x.secret === r.name);
            if (r.to < r.from) expect([node.text, node.classes]).toEqual([expect.stringContaining(`↩ rollback: epoch ${r.from} → ${r.to}`), ["rollback"]]);
            else if (incident) expect([node.text, node.classes]).toEqual([expect.stringContaining(`⚠ incident: epoch ${r.from} → ${r.to}`), ["incident"]]);
            else expect(node.classes).toEqual(["secret"]);
        }
    });
}

test("property: mermaid parses the plan diagram of every random change, one node per step, nothing clickable", () => {
    const samples = fc.sample(change, { numRuns: 120, seed: 2025 });
    const cases = samples.map(({ base, head }, i) => ({ stacks: [stackPlan(`stack-${i}`, base, head)], budget: { steps: 60, secrets: 20, edges: 150, chars: 40000 } }));
    // A few cut ones: small budgets, and several stacks in one diagram (--all-stacks --format mermaid).
    cases.push(...samples.slice(0, 20).map(({ base, head }, i) => ({ stacks: [stackPlan("a", base, head), stackPlan("b[1]", null, head)], budget: { steps: 3 + i, secrets: 1 + (i % 4), edges: 2 + i, chars: 40000 } })));
    const texts = cases.map((c) => planFlowchart(c.stacks, { ...c.budget }));
    const parsed = parseMermaid(texts);
    cases.forEach((c, i) => checkFlowchart(c.stacks, c.budget, parsed[i], texts[i]));
    // The generator reaches what the diagram marks.
    expect(cases.some((c) => c.stacks[0].diff.incidents.length)).toBe(true);
    expect(cases.some((c) => c.stacks[0].diff.secrets.rotated.some((r) => r.to < r.from))).toBe(true);
    expect(cases.some((c) => c.stacks[0].diff.order.some((o) => o.step.startsWith("revoke:")))).toBe(true);
    expect(cases.some((c) => c.stacks[0].diff.order.some((o) => o.step.startsWith("finalize:")))).toBe(true);
});

test("a large plan stays readable: cut at the default budget, the note counts what is not drawn, mermaid parses it", () => {
    const consumers = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`c${i}`, { restart: `restart ${i}`, verify: { command: "true" }, ...(i ? { after: [`c${i - 1}`] } : {}) }]));
    const cfg = (epoch: number): Config => ({
        "rekey:consumers": consumers,
        "rekey:secrets": Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`S${i}`, { epoch, generate: { encoding: "hex", bytes: 16 }, stores: [{ dotenv: { path: `/srv/${i}.env` } }], consumers: [`c${i % 30}`] }])),
    });
    const s = stackPlan("big", cfg(1), cfg(2));
    // 40 stores, their 40 read-backs, 30 restarts and their 30 verifies run.
    expect(s.diff.order).toHaveLength(140);
    const text = planFlowchart([s]);
    expect(text.length).toBeLessThan(50_000);
    const f = parsedOk(text, parseMermaid([text])[0]);
    expect(f.nodes.filter((n) => /^n\d+$/.test(n.id))).toHaveLength(60);
    expect(f.nodes.filter((n) => /^s\d+$/.test(n.id))).toHaveLength(20);
    expect(f.edges.length).toBeLessThanOrEqual(150);
    expect(f.nodes.find((n) => n.id === "more")!.text).toBe("20 more secrets, 80 more steps not drawn\nthe lists below have every one");
});

test("long names (a 969-character path, each `:` an entity code) stay within mermaid's 50,000 characters: the steps that do not fit are counted in the note", () => {
    // Without the characters' budget this diagram had 53,392 characters, which GitHub's Mermaid
    // replaces with "Maximum text size in diagram exceeded" (mermaidAPI.ts render, maxTextSize).
    const cfg = (epoch: number): Config => ({
        "rekey:secrets": Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`S_${i}`, { epoch, generate: { encoding: "hex", bytes: 16 }, stores: [{ dotenv: { path: `/srv/${i}/` + "a:b/".repeat(240) + ".env" } }] }])),
    });
    const s = stackPlan("long", cfg(1), cfg(2));
    const text = planFlowchart([s]);
    expect(text.length).toBeLessThanOrEqual(50_000);
    const f = parsedOk(text, parseMermaid([text])[0]);
    const steps = f.nodes.filter((n) => /^n\d+$/.test(n.id)).length;
    expect(steps).toBeGreaterThan(0);
    expect(steps).toBeLessThan(30);
    // Each store is read back too: 60 steps run, the first drawn (stores come before their read-backs).
    expect(s.diff.order).toHaveLength(60);
    expect(f.nodes.find((n) => n.id === "more")!.text).toContain(`${60 - steps} more steps`);
    // Each drawn step's path is whole, as the lists show it.
    f.nodes.filter((n) => /^n\d+$/.test(n.id)).forEach((n, i) => expect(n.text).toBe(`store\ndotenv:local:/srv/${i}/${"a:b/".repeat(240)}.env`));
});

test("a rotation drawn: secret → hook → store → its read-back → restarts in order with verify → finalize, arrows reduced", () => {
    const cfg = (epoch: number, incident = false): Config => ({
        "rekey:consumers": { cache: { restart: "restart cache" }, api: { restart: "restart api", after: ["cache"], verify: { command: "true" } } },
        "rekey:secrets": { CACHE_PASSWORD: { epoch, ...(incident ? { incident: "leaked" } : {}), generate: { encoding: "hex", bytes: 16 }, apply: { redis: { host: "cache", user: "shop" } }, stores: [{ dotenv: { path: "/srv/.env" } }], consumers: ["cache", "api"] } },
    });
    const s = stackPlan("shop", cfg(2), cfg(3, true));
    const text = planFlowchart([s]);
    const f = parsedOk(text, parseMermaid([text])[0]);
    const byId = new Map(f.nodes.map((n) => [n.id, n.text]));
    expect(f.edges.map((e) => `${byId.get(e.start)} → ${byId.get(e.end)}`)).toEqual([
        "CACHE_PASSWORD\n⚠ incident: epoch 2 → 3 → apply hook (redis)\nCACHE_PASSWORD",
        "apply hook (redis)\nCACHE_PASSWORD → store\ndotenv:local:/srv/.env",
        "store\ndotenv:local:/srv/.env → read back\ndotenv:local:/srv/.env",
        "read back\ndotenv:local:/srv/.env → restart 1\ncache",
        "restart 1\ncache → restart 2\napi",
        "restart 2\napi → verify\napi",
        "verify\napi → finalize\nCACHE_PASSWORD\nuser shop keeps only the new password",
    ]);
    expect(f.nodes.filter((n) => n.classes.includes("incident")).map((n) => n.id)).toEqual(["n0", "n6", "s0"]);
});

describe("the due gantt", () => {
    const entry = (name: string, rotatedAt: string, dueOn: string, daysLeft: number, source: DueEntry["source"] = "generate"): DueEntry => ({ name, source, rotatedAt, cadenceDays: 30, dueOn, daysLeft });

    test("overdue bars critical, due soon active, today a milestone; hostile names stay one task each", () => {
        const names = ["click", "section", "title", "S_1", "a:b", "x%%y", 'q"];click d0 href "javascript:alert(1)'];
        const report: DueReport = {
            today: "2026-12-04",
            within: 7,
            overdue: names.map((n, i) => entry(n, "2026-10-01", "2026-10-31", -34 + i)),
            undated: [{ name: "NO_DATE", source: "generate", rotatedAt: null, cadenceDays: 30, dueOn: null, daysLeft: null }],
            dueSoon: [entry("SOON", "2026-11-06", "2026-12-06", 2, "supplied")],
        };
        const text = dueGantt("prod", report)!;
        const g = parsedOk(text, parseMermaid([text])[0]);
        expect(g.title).toBe("rekey due: prod (today 2026-12-04)");
        expect(g.tasks.map((t) => [t.task, t.section, t.start, t.end, t.crit, t.milestone])).toEqual([
            ...names.map((n, i) => [`${bareName(n)}, due 2026-10-31, ${34 - i} days ago`, "Overdue", "2026-10-01", "2026-10-31", true, false]),
            ["SOON, due 2026-12-06, supplied: a person sets the value", "Due within 7 days", "2026-11-06", "2026-12-06", false, false],
            ["today 2026-12-04", "Today", "2026-12-04", "2026-12-04", false, true],
        ]);
    });

    test("capped: the title says how many are not drawn; nothing with a date: no gantt", () => {
        const overdue = Array.from({ length: 45 }, (_, i) => entry(`S${i}`, "2026-10-01", "2026-10-31", -34));
        const text = dueGantt("prod", { today: "2026-12-04", within: 0, overdue, undated: [], dueSoon: [] })!;
        const g = parsedOk(text, parseMermaid([text])[0]);
        expect(g.title).toBe("rekey due: prod (today 2026-12-04; 5 more not drawn, listed below)");
        expect(g.tasks).toHaveLength(41);
        expect(dueGantt("prod", { today: "2026-12-04", within: 0, overdue: [], undated: [], dueSoon: [] })).toBeNull();
    });

    test("from a plan: dueSecrets' report drawn as it lists it", () => {
        const c: Config = {
            "rekey:secrets": {
                OLD: { epoch: 1, rotatedAt: "2026-01-01", cadenceDays: 90, generate: { encoding: "hex", bytes: 16 } },
                SOON: { epoch: 1, rotatedAt: "2026-11-10", cadenceDays: 30, generate: { encoding: "hex", bytes: 16 } },
                FRESH: { epoch: 1, rotatedAt: "2026-12-01", cadenceDays: 365, generate: { encoding: "hex", bytes: 16 } },
            },
        };
        const r = dueSecrets(planRotation(rawConfig(c), { today: "2026-12-04" }), "2026-12-04", 7);
        const text = dueGantt("dev", r)!;
        const g = parsedOk(text, parseMermaid([text])[0]);
        expect(g.tasks.map((t) => t.task)).toEqual(["OLD, due 2026-04-01, 247 days ago", "SOON, due 2026-12-10", "today 2026-12-04"]);
    });
});
