// One apply hook resolved (postgres, redis, command), with the values that reach a command line checked.
import { PlannedApply } from "./model";
import * as fieldRules from "./fieldRules";
import { Problems, exactlyOne, oneOfText } from "./problems";
import { HostConfig, SecretConfig } from "./schema";
import { nameText } from "./shown";

export function resolveApply(s: SecretConfig, subject: string, ctx: { hosts: Map<string, HostConfig>; secrets: Map<string, SecretConfig>; problems: Problems }): PlannedApply | null | undefined {
    const a = s.apply;
    if (!a) return null;
    const { problems } = ctx;
    const HOOKS = ["postgres", "redis", "command"] as const;
    const kind = exactlyOne(a, HOOKS, { problems, subject, field: "apply", none: `names no hook (${oneOfText(HOOKS)})`, several: (found) => `names ${found.join(" and ")}: one hook per secret` });
    if (kind === undefined) return undefined;
    const before = problems.list.length;
    const adminSecret = (field: string, name: string | undefined) => {
        if (name === undefined) return null;
        const ref = ctx.secrets.get(name);
        if (!ref) problems.add(subject, field, `unknown secret ${nameText(name)}`);
        else if (!ref.supplied) problems.add(subject, field, `${nameText(name)} must be a supplied secret (the admin password is not rotated by rekey)`);
        return name;
    };
    let out: PlannedApply;
    if (a.postgres) {
        const p = a.postgres;
        let roles: string[] = [];
        if (exactlyOne(p, ["role", "roles"] as const, { problems, subject, field: "apply.postgres" }) === undefined) {
            // named by exactlyOne
        } else if (p.roles && (p.roles.length !== 2 || p.roles[0] === p.roles[1])) {
            problems.add(subject, "apply.postgres.roles", "lists exactly two different roles, which alternate by epoch");
        } else {
            roles = p.role !== undefined ? [p.role] : p.roles!;
        }
        for (const r of roles) {
            const rp = fieldRules.postgresIdentifierProblem("role", r);
            if (rp) problems.add(subject, "apply.postgres", rp);
        }
        const hp = fieldRules.hostNameProblem(p.host);
        if (hp) problems.add(subject, "apply.postgres.host", hp);
        const dp = p.database === undefined ? null : fieldRules.postgresDatabaseProblem(p.database);
        if (dp) problems.add(subject, "apply.postgres.database", dp);
        const ap = p.adminUser === undefined ? null : fieldRules.postgresIdentifierProblem("adminUser", p.adminUser);
        if (ap) problems.add(subject, "apply.postgres.adminUser", ap);
        out = {
            kind: "postgres",
            host: p.host,
            port: p.port ?? 5432,
            database: p.database ?? "postgres",
            roles,
            role: roles.length === 2 ? roles[(((s.epoch ?? 0) % 2) + 2) % 2] : (roles[0] ?? ""),
            adminUser: p.adminUser ?? "postgres",
            adminPasswordSecret: adminSecret("apply.postgres.adminPasswordSecret", p.adminPasswordSecret),
            createRoles: p.createRoles ?? false,
        };
    } else if (a.redis) {
        const r = a.redis;
        const hp = r.host === undefined ? null : fieldRules.hostNameProblem(r.host);
        if (hp) problems.add(subject, "apply.redis.host", hp);
        if (r.adminUser !== undefined && !/^[A-Za-z0-9_.:@-]{1,128}$/.test(r.adminUser)) {
            problems.add(subject, "apply.redis.adminUser", `ACL user ${nameText(r.adminUser)} must be 1-128 letters, digits and _ . : @ -`);
        }
        out = {
            kind: "redis",
            host: r.host ?? "127.0.0.1",
            port: r.port ?? 6379,
            user: r.user,
            adminUser: r.adminUser ?? null,
            adminPasswordSecret: adminSecret("apply.redis.adminPasswordSecret", r.adminPasswordSecret),
        };
        if (s.generate && s.generate.encoding === "htpasswd") problems.add(subject, "apply.redis", "a Redis password cannot be an htpasswd line");
        if (!/^[A-Za-z0-9_.:@-]{1,128}$/.test(r.user)) {
            problems.add(subject, "apply.redis.user", `ACL user ${nameText(r.user)} must be 1-128 letters, digits and _ . : @ -`);
        }
    } else {
        const c = a.command!;
        if (!s.keepPrevious) {
            problems.add(subject, "apply.command", "gets OLD_VALUE, which rekey has only with keepPrevious: true");
        }
        if (c.host !== undefined && !ctx.hosts.has(c.host)) problems.add(subject, "apply.command.host", `unknown host ${nameText(c.host)} (not in rekey:hosts)`);
        out = { kind: "command", run: c.run, host: c.host ?? null };
    }
    return problems.list.length === before ? out : undefined;
}
