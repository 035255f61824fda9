// Where the old credential stops working, as the schedule places it (components/plan/
// schedule.ts, RevokeStep): the finalize after every consumer verified (Redis drops the old
// password; Postgres at an incident takes LOGIN from the alternating role holding the
// leaked one), or, for an incident with revokeFirst, a revocation right after the hook and
// the store writes that every restart of the secret's consumers waits for.
// components/plan/incident.ts tells the same story in the plan's banner.
import * as pulumi from "@pulumi/pulumi";
import { PlannedSecret } from "./plan/plan";
import { RevokeStep } from "./plan/schedule";
import { PostgresRevoke } from "./hooks/postgres";
import { MysqlFinalize, MysqlRevoke } from "./hooks/mysql";
import { RedisAclFinalize, RedisAclRevoke } from "./hooks/redis";
import { RotatedSecret } from "./rotatedSecret";

/** The value of a hook's admin password secret, if it names one. */
export function adminPassword(secrets: Map<string, RotatedSecret>, name: string | null): pulumi.Output<string> | undefined {
    return name ? secrets.get(name)!.value : undefined;
}

/**
 * One revocation step, a child of its secret. revokeFirst's (Postgres: the alternating role
 * holding the leaked password loses LOGIN and its sessions end, or with one role its
 * sessions end; Redis: only the new password is left and the user's connections are
 * killed; MySQL: as Postgres, ACCOUNT LOCK for the pair's other user and KILL CONNECTION for
 * the sessions; a single MySQL user's finalize discards its retained old password). Named as the schedule says (RevokeStep.resource): a Postgres revokeFirst is the
 * resource of the finalize it replaces, so moving between them at the same epoch reruns nothing.
 * Each reruns when its secret's value changes (the redis ones carry its hash on stdin, the
 * one-role Postgres one and the MySQL ones its keyed fingerprint as a trigger; a pair's SQL names the other role,
 * which changes with every epoch): what rekey plan says (diff.ts, with the hook).
 */
export function deployRevoke(step: RevokeStep, s: PlannedSecret, secrets: Map<string, RotatedSecret>, fingerprint: pulumi.Output<string>, prefix: string, dependsOn: pulumi.Resource[]): pulumi.Resource {
    // An issued secret's leaked credential: its own slot's resource, registered revoked (components/issuers/).
    if (step.action.kind === "issuedRevoke") {
        const revoke = secrets.get(s.name)!.revokeLeaked;
        if (!revoke) throw new Error(`${s.name}: an issued revocation without a leaked slot`);
        return revoke(dependsOn).resource;
    }
    const apply = s.apply;
    if (apply?.kind !== "postgres" && apply?.kind !== "redis" && apply?.kind !== "mysql") throw new Error(`${s.name}: a revocation needs a postgres, redis or mysql hook`);
    const opts = { parent: secrets.get(s.name), dependsOn };
    const admin = adminPassword(secrets, apply.adminPasswordSecret);
    const action = step.action;
    if (action.kind === "postgresRevoke" && apply.kind === "postgres") {
        return new PostgresRevoke(`${prefix}${step.resource}`, { apply, role: action.role, nologin: action.nologin, adminPassword: admin, prefix, ...(action.nologin ? {} : { triggers: [fingerprint] }) }, opts);
    }
    if (apply.kind === "mysql") {
        // Their SQL does not change with the value: the fingerprint reruns them with every rotation.
        const args = { apply, user: action.kind === "mysqlRevoke" || action.kind === "mysqlFinalize" ? action.user : apply.user, adminPassword: admin, prefix, triggers: [fingerprint] };
        if (action.kind === "mysqlRevoke") return new MysqlRevoke(`${prefix}${step.resource}`, { ...args, lock: action.lock }, opts);
        if (action.kind === "mysqlFinalize") return new MysqlFinalize(`${prefix}${step.resource}`, args, opts);
    }
    if (apply.kind === "redis") {
        const args = { apply, value: secrets.get(s.name)!.value, adminPassword: admin, prefix };
        return action.kind === "redisRevoke" ? new RedisAclRevoke(`${prefix}${step.resource}`, args, opts) : new RedisAclFinalize(`${prefix}${step.resource}`, args, opts);
    }
    throw new Error(`${s.name}: a ${action.kind} step on a ${apply.kind} hook`);
}
