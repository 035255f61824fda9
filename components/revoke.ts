// Where the old credential stops working: the finalize after every consumer verified
// (Redis drops the old password; Postgres at an incident takes LOGIN from the alternating
// role holding the leaked one), or, for an incident with revokeFirst, a revocation right
// after the hook and the store writes that every restart of the secret's consumers waits
// for. components/plan/incident.ts tells the same story in the plan's banner.
import * as pulumi from "@pulumi/pulumi";
import { PlannedSecret, RotationPlan } from "./plan/plan";
import { ConsumerDependencies, derivedFrom, readersOf } from "./plan/restarts";
import { incidentRevokedRole } from "./plan/incident";
import { PostgresRevoke } from "./hooks/postgres";
import { RedisAclFinalize, RedisAclRevoke } from "./hooks/redis";
import { RotatedSecret } from "./rotatedSecret";
import { Scope } from "./scope";

/** The value of a hook's admin password secret, if it names one. */
export function adminPassword(secrets: Map<string, RotatedSecret>, name: string | null): pulumi.Output<string> | undefined {
    return name ? secrets.get(name)!.value : undefined;
}

/** The resources of these secrets in a per-secret map (hooks, revocations), once each. */
export function resourcesOf(bySecret: Map<string, pulumi.Resource>, names: Iterable<string>): pulumi.Resource[] {
    return [...new Set(names)].flatMap((n) => (bySecret.has(n) ? [bySecret.get(n)!] : []));
}

/** The stores that hold a secret's value: its own and those of the secrets derived from it. */
function storesHolding(plan: RotationPlan, stores: Map<string, pulumi.Resource[]>, name: string): pulumi.Resource[] {
    return [name, ...derivedFrom(plan, name)].flatMap((n) => stores.get(n) ?? []);
}

/**
 * revokeFirst: the leaked credential is revoked once the hook set the new one and every
 * store holds it, and before any consumer restarts (the restarts wait for it). Postgres:
 * the alternating role holding the leaked password loses LOGIN and its sessions end; one
 * role: its sessions end (the hook already replaced the password). Redis: only the new
 * password is left and the user's connections are killed. Named like the finalize they
 * replace, so taking revokeFirst away at the same epoch reruns nothing.
 */
export function deployRevokeFirst(
    plan: RotationPlan,
    secrets: Map<string, RotatedSecret>,
    hooks: Map<string, pulumi.Resource>,
    stores: Map<string, pulumi.Resource[]>,
    scope: Scope,
): Map<string, pulumi.Resource> {
    const { prefix } = scope;
    const revokes = new Map<string, pulumi.Resource>();
    for (const s of plan.secrets) {
        const apply = s.apply;
        if (!s.revokeFirst || !apply || apply.kind === "command" || s.inUse) continue;
        const opts = { parent: secrets.get(s.name), dependsOn: [...resourcesOf(hooks, [s.name]), ...storesHolding(plan, stores, s.name)] };
        const admin = adminPassword(secrets, apply.adminPasswordSecret);
        if (apply.kind === "postgres") {
            // (The planner refuses revokeFirst on other hooks.)
            const other = incidentRevokedRole(s);
            const args = { apply, role: other ?? apply.role, nologin: other !== null, adminPassword: admin, prefix };
            revokes.set(s.name, new PostgresRevoke(`${prefix}${s.name}-postgres-revoke`, args, opts));
        } else if (apply.kind === "redis") {
            const args = { apply, value: secrets.get(s.name)!.value, adminPassword: admin, prefix };
            revokes.set(s.name, new RedisAclRevoke(`${prefix}${s.name}-redis-revoke`, args, opts));
        }
    }
    return revokes;
}

/**
 * The finalize of each secret that has one, after the verify of every consumer of the
 * secret (`done`: what a consumer's dependents wait for) and every store holding its value:
 * Redis keeps only the new password; Postgres at an incident (without revokeFirst, which
 * did it before the restarts) takes LOGIN from the alternating role holding the leaked one.
 */
export function deployFinalize(
    plan: RotationPlan,
    dependencies: ConsumerDependencies[],
    done: Map<string, pulumi.Resource[]>,
    stores: Map<string, pulumi.Resource[]>,
    secrets: Map<string, RotatedSecret>,
    scope: Scope,
): Map<string, pulumi.Resource> {
    const { prefix } = scope;
    const finalize = new Map<string, pulumi.Resource>();
    for (const s of plan.secrets) {
        const apply = s.apply;
        if (!apply || apply.kind === "command" || s.inUse || !hasFinalize(s)) continue;
        const dependsOn = [...readersOf(dependencies, s.name).flatMap((c) => done.get(c.name)!), ...storesHolding(plan, stores, s.name)];
        const opts = { parent: secrets.get(s.name), dependsOn };
        const admin = adminPassword(secrets, apply.adminPasswordSecret);
        if (apply.kind === "redis") {
            finalize.set(s.name, new RedisAclFinalize(`${prefix}${s.name}-redis-finalize`, { apply, value: secrets.get(s.name)!.value, adminPassword: admin, prefix }, opts));
        } else if (apply.kind === "postgres") {
            finalize.set(s.name, new PostgresRevoke(`${prefix}${s.name}-postgres-revoke`, { apply, role: incidentRevokedRole(s)!, nologin: true, adminPassword: admin, prefix }, opts));
        }
    }
    return finalize;
}

/** Redis always; Postgres at an incident with two alternating roles, unless revokeFirst revoked before the restarts. */
function hasFinalize(s: PlannedSecret): boolean {
    if (s.apply?.kind === "redis") return true;
    return incidentRevokedRole(s) !== null && !s.revokeFirst;
}
