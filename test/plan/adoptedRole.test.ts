// `adopt` with a Postgres `roles` pair: rekey cannot see which role the value in use belongs
// to; it assumes the role of the epoch's parity and NAME_USER says that role. `rekey plan`
// names it (components/plan/diff.ts adoptedRole); docs/migration.md says how to choose.
import { diffPlans } from "../../components/plan/diff";
import { planRotation } from "../../components/plan/plan";
import { Config } from "../harness/configs";
import { rawConfig } from "../harness/rawConfig";

const ROLES = { postgres: { host: "db", roles: ["app_blue", "app_green"] } };

function config(secret: Record<string, unknown>): Config {
    return {
        "rekey:consumers": { api: { restart: "systemctl restart api" } },
        "rekey:secrets": { DB_PASSWORD: { apply: ROLES, stores: [{ ssm: {} }], consumers: ["api"], ...secret } },
        "rekey:supplied": { DB_PASSWORD: "in-use" },
    };
}
const warnings = (base: Config | null, head: Config) => diffPlans(base && planRotation(rawConfig(base)), planRotation(rawConfig(head)), new Set()).warnings;

test("an adopted generated secret: the first role, and how to pick the other", () => {
    expect(warnings(null, config({ epoch: 0, adopt: true, generate: { encoding: "hex", bytes: 16 } }))).toEqual([
        "DB_PASSWORD: adopt assumes the value in use is the password of role app_blue (epoch 0 picks roles[0]), and DB_PASSWORD_USER will say app_blue; if the services log in as app_green, list app_green first in roles (epoch 0 picks the first) (docs/migration.md)",
    ]);
});

test("an adopted supplied secret at an odd epoch: the second role; adopt added to a secret the base has says it too", () => {
    const head = config({ epoch: 3, adopt: true, supplied: true });
    const expected =
        "DB_PASSWORD: adopt assumes the value in use is the password of role app_green (epoch 3 picks roles[1]), and DB_PASSWORD_USER will say app_green; if the services log in as app_blue, set an epoch of the other parity, or swap the order of roles (docs/migration.md)";
    expect(warnings(null, head)).toEqual([expected]);
    expect(warnings(config({ epoch: 3, supplied: true }), head)).toContain(expected);
});

test("no warning without adopt, with one role, or once the base adopted it", () => {
    expect(warnings(null, config({ epoch: 0, generate: { encoding: "hex", bytes: 16 } }))).toEqual([]);
    const oneRole = config({ epoch: 0, adopt: true, generate: { encoding: "hex", bytes: 16 } });
    oneRole["rekey:secrets"].DB_PASSWORD.apply = { postgres: { host: "db", role: "app" } };
    expect(warnings(null, oneRole)).toEqual([]);
    const adopted = config({ epoch: 0, adopt: true, generate: { encoding: "hex", bytes: 16 } });
    expect(warnings(adopted, structuredClone(adopted))).toEqual([]);
});
