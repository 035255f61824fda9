// The incident banner (components/plan/incident.ts) says, per hook and mode, when the
// leaked credential stops working, what keeps it after the pulumi up (SSM history, Key
// Vault versions) with the command that removes it, and the downtime revokeFirst costs.
import { diffPlans } from "../../components/plan/diff";
import { IncidentReport } from "../../components/plan/incident";
import { planRotation } from "../../components/plan/plan";
import { Config, apiThenWorker } from "../harness/configs";
import { rawConfig } from "../harness/rawConfig";

const HOOKS: Record<string, unknown> = {
    PAIR: { postgres: { host: "db", roles: ["app_blue", "app_green"] } },
    ONE: { postgres: { host: "db", role: "report" } },
    CACHE: { redis: { host: "cache", user: "app" } },
    SIGNING: { command: { run: "reencrypt" } },
};

function config(epoch: number, incident: boolean, revokeFirst: boolean, stores: unknown[] = [{ dotenv: { path: "/srv/app/.env" } }]): Config {
    const secret = (name: string) => ({
        epoch,
        ...(incident ? { incident: "leaked in a CI log", ...(revokeFirst && name !== "SIGNING" ? { revokeFirst: true } : {}) } : {}),
        generate: { encoding: "hex", bytes: 16 },
        keepPrevious: name === "SIGNING",
        apply: HOOKS[name],
        stores: stores.map((st) => JSON.parse(JSON.stringify(st).replace(/NAME/g, name))),
        consumers: name === "CACHE" ? ["api"] : ["api", "worker"],
    });
    return { "rekey:consumers": apiThenWorker(), "rekey:secrets": Object.fromEntries(Object.keys(HOOKS).map((n) => [n, secret(n)])) };
}

function incidents(revokeFirst: boolean, stores?: unknown[]): Map<string, IncidentReport> {
    const plan = (c: Config) => planRotation(rawConfig(c));
    const d = diffPlans(plan(config(3, false, false, stores)), plan(config(4, true, revokeFirst, stores)), new Set());
    return new Map(d.incidents.map((i) => [i.secret, i]));
}

test("without revokeFirst: when each hook's leaked credential stops working, and what a failed verify leaves", () => {
    const r = incidents(false);
    expect(r.get("PAIR")!.revoked[0]).toBe(
        "Postgres role app_blue gets the new password first; role app_green, which holds the leaked one, keeps LOGIN until api, worker verified, then loses it and its sessions end; a failed verify stops the pulumi up before it, and the leaked value keeps working until a later pulumi up completes",
    );
    expect(r.get("ONE")!.revoked[0]).toBe(
        "Postgres role report: the hook replaces the leaked password first, before any store: new logins with it fail from then on, but sessions already open with it (the consumers', and anyone's who used the leak) stay until they end: rekey does not end them (revokeFirst does, before the restarts)",
    );
    expect(r.get("CACHE")!.revoked.slice(0, 2)).toEqual([
        "Redis ACL user app keeps the leaked password beside the new one until api verified, then only the new one is left; a failed verify stops the pulumi up before it, and the leaked value keeps working until a later pulumi up completes",
        "Redis connections already authenticated with the leaked password stay authenticated until they close (ACL SETUSER resetpass ends no connection); to end them: redis-cli -h cache -p 6379 CLIENT KILL USER app (the restarted consumers reconnect with the new password), or bump with --incident and --revoke-first",
    ]);
    expect(r.get("SIGNING")!.revoked[0]).toMatch(/when the leaked value stops working is up to that hook; rekey cannot know$/);
    for (const i of r.values()) {
        expect(i.summary).toBe("No overlap: when the leaked value stops working depends on the hook, below.");
        expect(i.revokeFirst).toBe(false);
        expect(i.impact).toEqual(["No overlap: once revoked (above), anything still holding the leaked value is refused; nothing falls back to a previous value."]);
        // Nothing claims the old value stops working "in this pulumi up" regardless of the outcome.
        expect(JSON.stringify(i)).not.toContain("in this pulumi up");
    }
    // The .env writer keeps nothing.
    expect(r.get("PAIR")!.remains).toEqual(["dotenv:/srv/app/.env#PAIR: nothing; at an incident the writer keeps no backup and removes the one kept before (no temporary file outlives a write)"]);
});

test("revokeFirst: revoked before the restarts, with the downtime it costs", () => {
    const r = incidents(true);
    expect(r.get("PAIR")!.revoked[0]).toBe("Postgres role app_blue gets the new password first; right after the store writes, before any consumer restarts, role app_green, which holds the leaked one, loses LOGIN and every session of app_green ends");
    expect(r.get("ONE")!.revoked[0]).toBe("Postgres role report: the hook replaces the leaked password first, before any store (new logins with it fail from then on); right after the store writes, before any consumer restarts, every session of report ends");
    expect(r.get("CACHE")!.revoked[0]).toBe("Redis ACL user app: right after the hook and the store writes, before any consumer restarts, only the new password is left and every connection of app is killed (CLIENT KILL USER)");
    for (const name of ["PAIR", "ONE", "CACHE"]) {
        const i = r.get(name)!;
        expect(i.revokeFirst).toBe(true);
        expect(i.summary).toBe("No overlap, revoked first: the leaked credential stops working before the consumers restart, which fail until then.");
        expect(i.record).toContain(`- Hook: ${name === "CACHE" ? "redis" : "postgres"} (revoked first, before the restarts); consumers restarted, in order: `);
    }
    expect(r.get("PAIR")!.impact).toEqual([
        "Downtime: from the revocation (after the hook and the store writes) until each consumer restarted (api, worker, in order, each after the verify of those before it), the consumers still holding the leaked credential fail: new logins refused, open sessions ended.",
    ]);
    expect(r.get("CACHE")!.impact[0]).toMatch(/^Downtime: from the revocation .* until each consumer restarted \(api, in order/);
});

test("SSM history and Key Vault versions: named, per parameter and secret, with the command that removes them and no value", () => {
    const r = incidents(false, [{ ssm: { prefix: "/app/", region: "eu-west-1" } }, { keyVault: { vault: "kv-app", resourceGroup: "rg" } }]);
    const signing = r.get("SIGNING")!;
    expect(signing.remains).toEqual([
        "SSM parameter /app/SIGNING: its history (the last 100 versions) keeps the leaked value as an older version (GetParameterHistory, or GetParameter of /app/SIGNING:<version>, return it to anyone allowed to read the parameter). SSM cannot delete one version: aws ssm delete-parameter --name /app/SIGNING --region eu-west-1 removes the whole history, then pulumi up --refresh writes the parameter again (consumers reading it in between fail)",
        "SSM parameter /app/SIGNING_PREVIOUS: its history (the last 100 versions) keeps the leaked value as an older version (GetParameterHistory, or GetParameter of /app/SIGNING_PREVIOUS:<version>, return it to anyone allowed to read the parameter). SSM cannot delete one version: aws ssm delete-parameter --name /app/SIGNING_PREVIOUS --region eu-west-1 removes the whole history, then pulumi up --refresh writes the parameter again (consumers reading it in between fail)",
        'Key Vault kv-app secret signing: the version holding the leaked value stays enabled (readable by its id). Disable every version but the current one: current=$(az keyvault secret show --vault-name kv-app --name signing --query id -o tsv); for id in $(az keyvault secret list-versions --vault-name kv-app --name signing --query "[?attributes.enabled].id" -o tsv); do [ "$id" = "$current" ] || az keyvault secret set-attributes --id "$id" --enabled false; done',
        'Key Vault kv-app secret signing-previous: the version holding the leaked value stays enabled (readable by its id). Disable every version but the current one: current=$(az keyvault secret show --vault-name kv-app --name signing-previous --query id -o tsv); for id in $(az keyvault secret list-versions --vault-name kv-app --name signing-previous --query "[?attributes.enabled].id" -o tsv); do [ "$id" = "$current" ] || az keyvault secret set-attributes --id "$id" --enabled false; done',
    ]);
    expect(signing.record).toContain("- Old versions removed or disabled (ssm:/app/SIGNING, keyVault:kv-app/signing): (fill in: when, by whom)\n");
    // The pair's USER entries hold a role name, not a value: not listed.
    expect(r.get("PAIR")!.remains.filter((x) => x.includes("USER") || x.includes("-user"))).toEqual([]);
});

test("a secret without a hook: the impact says that rekey revokes nothing, not that the leaked value is refused", () => {
    const cfg = (epoch: number, incident: boolean): Config => ({
        "rekey:consumers": apiThenWorker(),
        "rekey:secrets": { TOKEN: { epoch, ...(incident ? { incident: "leaked" } : {}), generate: { encoding: "hex", bytes: 16 }, stores: [{ dotenv: { path: "/srv/app/.env" } }], consumers: ["api"] } },
    });
    const d = diffPlans(planRotation(rawConfig(cfg(1, false))), planRotation(rawConfig(cfg(2, true))), new Set());
    const impact = d.incidents[0].impact.join("\n");
    expect(impact).toContain("with no hook rekey revokes nothing");
    expect(impact).not.toContain("is refused");
});
