// No value in any message (issue 21): random inventories with a fresh marker in every
// free-form field and in wrong-typed positions, across every problem kind (the hostile
// corpus as seeds too), read the way `rekey` reads a stack file, planned, diffed and
// rendered as plan, status and due: the marker is in no error, warning, note, plan, status
// or due text. The rule is components/plan/shown.ts.
//
// What is shown by design is left out of the injection: commands (`restart`, a verify's
// `command`, a command hook's `run`), which reviewers read in the plan, and prose written
// for the reader (`impact`, `incident`). A name the planner accepts is shown too, so the
// marker always carries a character no name has (the planner refuses it as a name).
import fc from "fast-check";
import { CORE_SCHEMA, load } from "js-yaml";
import { diffPlans } from "../../components/plan/diff";
import { dueSecrets } from "../../components/plan/due";
import { RekeyConfigError, RotationPlan, planRotation } from "../../components/plan/plan";
import { rawConfigOf } from "../../components/plan/rawConfig";
import { renderDue, renderPlan } from "../../cli/render";
import { proofGaps, secretStatuses, statusTable } from "../../cli/status";
import { parseStackFile, planOf } from "../../cli/stackFile";
import { CliError } from "../../cli/errors";
import { TODAY, fixture } from "../harness/cli";
import { INVALID_CASES } from "../harness/invalidConfigs";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

interface Marker {
    /** Letters and digits only, so it survives percent-encoding: what is searched for. */
    core: string;
    /** What is injected: the core, a space (no name accepted by rekey has one) and another odd character. */
    text: string;
}

const markerArb: fc.Arbitrary<Marker> = fc
    .tuple(fc.stringMatching(/^[A-Za-z0-9]{14}$/), fc.constantFrom("!", " ", "'", "$", "#", ";", "*", ",", '"', "\\", "&", "?"))
    // White space is in no name rekey accepts (a database name is the most permissive: no
    // white space, no "=", no "://"); the other character varies.
    .map(([core, odd]) => ({ core: `Mk${core}`, text: `Mk${core} ${odd}z` }));

/** Keys whose text is shown by design (see above). */
const SHOWN = new Set(["restart", "command", "run", "impact", "incident"]);

/** The shop fixture's config: every kind of secret, hook, store and consumer. */
const SHOP = (load(fixture("Pulumi.shop.yaml"), { schema: CORE_SCHEMA }) as { config: Record<string, Json> }).config;

/**
 * The config with the marker injected where `pick` says: a number or boolean becomes the
 * marker (wrong type); a string becomes the marker (a name, an enum, a date: refused), a
 * verify URL gets it as a password or a query token, a template as literal text; a map or
 * list sometimes becomes the marker as a whole; a key sometimes becomes the marker.
 */
type Picker = ((n: number) => boolean) & { index: (n: number) => number };

function inject(v: Json, key: string, pick: Picker, m: Marker): Json {
    if (SHOWN.has(key)) return v;
    if (v !== null && typeof v === "object") {
        if (pick(17)) return m.text;
        if (Array.isArray(v)) return [...v.map((x) => inject(x, key, pick, m)), ...(pick(9) ? [m.text] : [])];
        const out: Record<string, Json> = {};
        for (const [k, x] of Object.entries(v)) out[pick(23) ? `${k}${m.text}` : k] = inject(x, k, pick, m);
        // A pasted password on a line of its own (adopt: "<password>" and the like).
        if (pick(13)) out[["adopt", "keepPrevious", "epoch", "supplied", "rotatedAt", "expectStatus", "port", "createRoles"][pick.index(8)]] = m.text;
        return out;
    }
    if (!pick(3)) return v;
    if (key === "url") return pick(2) ? `https://monitor:${m.text}@api.example/health` : `https://api.example/health?token=${encodeURIComponent(m.text)}#${m.core}`;
    if (key === "derive" && typeof v === "string") return `${m.text}${v}`;
    if (key === "database" && pick(2)) return `postgresql://app:${encodeURIComponent(m.text)}@db/app`;
    return m.text;
}

/** A deterministic picker over fast-check's seed. */
function picker(seed: number[]): Picker {
    let i = 0;
    const next = () => seed[i++ % seed.length] + i;
    const pick = ((n: number) => next() % n === 0) as Picker;
    pick.index = (n: number) => next() % n;
    return pick;
}

/** Every text rekey prints for this stack file: the refusal, or the plan (Markdown and JSON), status and due. */
function texts(config: Record<string, Json>, base: Record<string, Json> | null): string[] {
    let file;
    try {
        file = parseStackFile(JSON.stringify({ config }), "Pulumi.t.yaml", "shop");
    } catch (e) {
        if (e instanceof CliError) return [e.message];
        throw e;
    }
    let plan: RotationPlan;
    try {
        plan = planOf(file, TODAY);
    } catch (e) {
        if (e instanceof CliError) return [e.message];
        throw e;
    }
    const out: string[] = [];
    let basePlan: RotationPlan | null = null;
    if (base) {
        try {
            basePlan = planOf(parseStackFile(JSON.stringify({ config: base }), "Pulumi.t.yaml at base", "shop"));
        } catch (e) {
            if (!(e instanceof CliError)) throw e;
            out.push(e.message);
        }
    }
    for (const b of [basePlan, null]) {
        const diff = diffPlans(b, plan, new Set(plan.secrets.map((s) => s.name)));
        const report = { stack: "t", base: "main", newStack: b === null, rotates: true, ...diff };
        out.push(renderPlan(report), JSON.stringify(report));
    }
    const rows = secretStatuses(plan);
    out.push(statusTable(rows).join("\n"), proofGaps(rows).join("\n"), JSON.stringify(rows));
    const due = dueSecrets(plan, TODAY, 30);
    out.push(renderDue("t", due), JSON.stringify(due));
    return out;
}

function expectNoMarker(all: string[], m: Marker, what: unknown) {
    const found = all.find((t) => t.includes(m.core));
    if (found !== undefined) throw new Error(`marker ${m.core} shown in:\n${found}\n\nfor ${JSON.stringify(what)}`);
}

const seedArb = fc.array(fc.nat(1_000_000), { minLength: 64, maxLength: 64 });

describe("no marker in any message, plan, status or due text", () => {
    test("the shop inventory with markers injected (rekey's reading of the stack file)", () => {
        let refused = 0;
        fc.assert(
            fc.property(markerArb, seedArb, (m, seed) => {
                const pick = picker(seed);
                const config = inject(SHOP, "", pick, m) as Record<string, Json>;
                const all = texts(config, SHOP);
                if (all.length === 1) refused++;
                expectNoMarker(all, m, config);
            }),
            { numRuns: 300 },
        );
        // Most runs are refused (a marker anywhere is usually a problem); some still plan.
        expect(refused).toBeGreaterThan(100);
    });

    test("markers only where a valid inventory may hold them: the plan renders, with none shown", () => {
        fc.assert(
            fc.property(markerArb, (m) => {
                const config = structuredClone(SHOP) as Record<string, Record<string, Record<string, Json>>>;
                const api = config["rekey:consumers"].api as { verify: { url: string } };
                api.verify.url = `https://api.shop.example/health?token=${encodeURIComponent(m.text)}&probe=1#${m.core}`;
                (config["rekey:secrets"].CACHE_URL as { derive: string }).derive = `redis://shop:{{CACHE_PASSWORD}}@cache:6379/0?${m.core}`;
                (config["rekey:secrets"].WEBHOOK_KEY as { epoch: number }).epoch = 2;
                const all = texts(config as Record<string, Json>, SHOP);
                expect(all[0]).toMatch(/^### rekey plan: t/);
                expect(all[0]).toContain("GET `https://api.shop.example/health?token=…&probe=…#…` expects 200");
                expectNoMarker(all, m, config);
            }),
            { numRuns: 50 },
        );
    });

    test("every case of the hostile corpus with markers injected", () => {
        fc.assert(
            fc.property(fc.constantFrom(...INVALID_CASES), markerArb, seedArb, (c, m, seed) => {
                const config = inject(c.config as Json, "", picker(seed), m) as Record<string, Json>;
                expectNoMarker(texts(config, null), m, config);
            }),
            { numRuns: 400 },
        );
    });

    test("the corpus unchanged: the pasted password of SECRECY_CASES is in none of its messages", () => {
        for (const c of INVALID_CASES) {
            const [message] = texts(c.config as Record<string, Json>, null);
            expect(message).not.toContain("Hx7!pasted-pa55word");
            expect(message).not.toContain("pasted-pa55word");
        }
    });

    test("an encrypted section: markers anywhere in it, commands and names too, and only its key is named", () => {
        fc.assert(
            fc.property(markerArb, seedArb, fc.constantFrom("rekey:secrets", "rekey:consumers", "rekey:defaults", "rekey:hosts"), (m, seed, section) => {
                const pick = picker(seed);
                const everywhere = (v: Json): Json =>
                    v !== null && typeof v === "object"
                        ? Array.isArray(v)
                            ? v.map(everywhere)
                            : Object.fromEntries(Object.entries(v).map(([k, x]) => [pick(3) ? `${k}${m.text}` : k, everywhere(x)]))
                        : pick(2)
                          ? m.text
                          : v;
                const content = everywhere((SHOP[section] ?? { web1: { host: "10.0.0.1", user: "deploy" } }) as Json) as Record<string, Json>;
                const reason =
                    "holds an encrypted value: its settings go into command lines, plans and logs, which are not secret, so rekey would unwrap it. Keep secret values in rekey:supplied (a verify URL cannot carry a token: use a verify command that reads it on the host)";
                const expected = `invalid rekey configuration, 1 problem:\n  - ${section}: ${reason}`;

                // The CLI: one secure value somewhere in the section (the ciphertext stands in).
                const withSecure = { ...content, [`k${m.core.slice(0, 4)}`]: { secure: "v1:AAAA:BBBB" } };
                const cli = texts({ ...SHOP, [section]: withSecure }, SHOP);
                expect(cli).toEqual([`Pulumi.t.yaml: ${expected}`]);

                // The program: the engine hands the decrypted section; the key is secret.
                const raw = rawConfigOf({ ...SHOP, [section]: content }, { suppliedNames: ["STRIPE_API_KEY", "MAIL_API_KEY"], hostKeyNames: [], encryptedKeys: [section.slice(6)] });
                let message = "";
                try {
                    planRotation(raw);
                } catch (e) {
                    expect(e).toBeInstanceOf(RekeyConfigError);
                    message = (e as Error).message;
                }
                expect(message).toBe(expected);
            }),
            { numRuns: 100 },
        );
    });
});
