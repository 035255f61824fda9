// One apply hook resolved (postgres, redis, mysql, command), with the values that reach a command line checked.
import { PlannedApply } from "./model";
import * as fieldRules from "./fieldRules";
import { Problems, exactlyOne, oneOfText } from "./problems";
import { HostConfig, SecretConfig } from "./schema";
import { nameText } from "./shown";

export function resolveApply(s: SecretConfig, subject: string, ctx: { hosts: Map<string, HostConfig>; secrets: Map<string, SecretConfig>; problems: Problems }): PlannedApply | null | undefined {
    const a = s.apply;
    if (!a) return null;
    const { problems } = ctx;
    const HOOKS = ["postgres", "redis", "mysql", "command"] as const;
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
        const roles = oneOrAlternatingPair(p, "role", "roles", { subject, problems, field: "apply.postgres", noun: "roles" });
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
    } else if (a.mysql) {
        out = resolveMysql(a.mysql, s.epoch ?? 0, subject, problems, adminSecret);
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

/**
 * A mysql hook: one user (dual passwords where the server has them), or two that alternate
 * by epoch parity like Postgres roles. Every name is checked here: they reach SQL literals
 * and the step's name.
 */
function resolveMysql(m: NonNullable<SecretConfig["apply"]>["mysql"] & object, epoch: number, subject: string, problems: Problems, adminSecret: (field: string, name: string | undefined) => string | null): PlannedApply {
    const users = oneOrAlternatingPair(m, "user", "users", { subject, problems, field: "apply.mysql", noun: "users" });
    for (const u of users) {
        const up = fieldRules.mysqlUserProblem("user", u);
        if (up) problems.add(subject, m.users ? "apply.mysql.users" : "apply.mysql.user", up);
    }
    const hp = fieldRules.hostNameProblem(m.host);
    if (hp) problems.add(subject, "apply.mysql.host", hp);
    // Both clients take the host name `localhost` (exactly that) for their Unix socket and
    // ignore the port (MySQL docs, "Connecting to the MySQL Server Using Command Options";
    // MariaDB Connector/C mthd_my_real_connect): a port there would name a server the hook
    // never reaches (measured, test/forReal/mysql.test.ts).
    if (m.host === "localhost" && m.port !== undefined && m.port !== 3306) problems.add(subject, "apply.mysql.port", `${m.port} is not used with host localhost: the mysql and mariadb clients log in over their Unix socket there and ignore the port; give host 127.0.0.1 (or ::1) to reach port ${m.port} over TCP`);
    const uh = m.userHost === undefined ? null : fieldRules.mysqlUserHostProblem(m.userHost);
    if (uh) problems.add(subject, "apply.mysql.userHost", uh);
    const ap = m.adminUser === undefined ? null : fieldRules.mysqlUserProblem("adminUser", m.adminUser);
    if (ap) problems.add(subject, "apply.mysql.adminUser", ap);
    return {
        kind: "mysql",
        host: m.host,
        port: m.port ?? 3306,
        users,
        user: users.length === 2 ? users[((epoch % 2) + 2) % 2] : (users[0] ?? ""),
        userHost: m.userHost ?? "%",
        adminUser: m.adminUser ?? "root",
        adminPasswordSecret: adminSecret("apply.mysql.adminPasswordSecret", m.adminPasswordSecret),
        createUsers: m.createUsers ?? false,
    };
}

/**
 * What `rekey plan` says when a single MySQL user's hook runs outside an incident: the
 * overlap depends on the server, which the plan cannot see. The hook asks it (VERSION():
 * MySQL 8.0.14 or later retains the old password, components/hooks/mysql.ts DETECT_DUAL).
 */
export function mysqlOverlapWarning(secret: string, apply: Extract<PlannedApply, { kind: "mysql" }>): string {
    return `${secret}: MySQL user ${apply.user} on ${apply.host}:${apply.port} has one user: on MySQL 8.0.14 or later the old password keeps working beside the new one until every consumer verified (RETAIN CURRENT PASSWORD, then DISCARD OLD PASSWORD), but MariaDB and older MySQL have no dual passwords: there the hook replaces the old password, and the consumers' new logins fail until they restart. For an overlap on every server give two users (users: [a, b]), which alternate by epoch`;
}

/**
 * A hook's credential: one name, or two different ones that alternate by epoch (`role` or
 * `roles`, `user` or `users`). The names, or none when the setting is refused (problems named).
 */
function oneOrAlternatingPair<One extends string, Pair extends string>(
    settings: Partial<Record<One, string> & Record<Pair, string[]>>,
    one: One,
    pair: Pair,
    where: { subject: string; problems: Problems; field: string; noun: string },
): string[] {
    if (exactlyOne(settings, [one, pair] as const, { problems: where.problems, subject: where.subject, field: where.field }) === undefined) return [];
    const single = settings[one] as string | undefined;
    const names = settings[pair] as string[] | undefined;
    if (single !== undefined) return [single];
    if (names!.length !== 2 || names![0] === names![1]) {
        where.problems.add(where.subject, `${where.field}.${pair}`, `lists exactly two different ${where.noun}, which alternate by epoch`);
        return [];
    }
    return names!;
}
