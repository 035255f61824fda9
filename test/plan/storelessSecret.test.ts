// A secret that names consumers but has no store: its epoch and value are in their restart
// triggers (components/program.ts deployConsumers), so they restart when it rotates, yet
// nothing writes it where they could read it. `rekey plan` warns (components/plan/diff.ts).
import { diffPlans } from "../../components/plan/diff";
import { planRotation } from "../../components/plan/plan";
import { Config, apiThenWorker, withEpoch } from "../harness/configs";
import { rawConfig } from "../harness/rawConfig";

const WARNING =
    "TOKEN: api, worker restart for it, but it has no store, so they restart for a value they cannot read; give it a store, or remove them from its consumers";

function config(token: Config): Config {
    return {
        "rekey:consumers": apiThenWorker(),
        "rekey:secrets": {
            TOKEN: { epoch: 1, generate: { encoding: "hex", bytes: 16 }, ...token },
            // An input with no store and no consumers: its value reaches api through URL's store.
            PASSWORD: { epoch: 1, generate: { encoding: "hex", bytes: 16 } },
            URL: { derive: "redis://:{{PASSWORD}}@cache:6379/0", stores: [{ dotenv: { path: "/srv/app/.env" } }], consumers: ["api"] },
        },
    };
}
const plan = (c: Config) => planRotation(rawConfig(c));
const warnings = (base: Config | null, head: Config) => diffPlans(base && plan(base), plan(head), new Set()).warnings;

test("a secret with consumers and no store, rotated: the warning names it and its consumers", () => {
    const c = config({ consumers: ["api", "worker"] });
    expect(warnings(c, withEpoch(c, "TOKEN", 2))).toEqual([WARNING]);
});

test("a new stack, and a consumer newly named on an existing secret without a store, warn too", () => {
    const c = config({ consumers: ["api", "worker"] });
    expect(warnings(null, c)).toEqual([WARNING]);
    expect(warnings(config({ consumers: ["api"] }), c)).toEqual([WARNING]);
});

test("no warning when it has a store, when nothing restarts for it, or for a derived secret's input without consumers", () => {
    const stored = config({ consumers: ["api", "worker"], stores: [{ dotenv: { path: "/srv/app/.env" } }] });
    expect(warnings(stored, withEpoch(stored, "TOKEN", 2))).toEqual([]);
    const c = config({ consumers: ["api", "worker"] });
    expect(warnings(c, structuredClone(c))).toEqual([]);
    // PASSWORD rotates: api restarts for URL, which it reads from the .env file.
    const d = diffPlans(plan(c), plan(withEpoch(c, "PASSWORD", 2)), new Set());
    expect(d.consumers.map((x) => x.name)).toEqual(["api"]);
    expect(d.warnings).toEqual([]);
});

test("one consumer: the warning says it restarts (singular)", () => {
    expect(warnings(null, config({ consumers: ["api"] }))).toEqual([
        "TOKEN: api restarts for it, but it has no store, so it restarts for a value it cannot read; give it a store, or remove it from its consumers",
    ]);
});
