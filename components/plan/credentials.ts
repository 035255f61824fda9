// One owner per credential: a Postgres role, a Redis ACL user or a MySQL user on one server has its
// password set by one secret. Two secrets setting it would each overwrite the other's
// password (the consumers of the one rotated first lose their login), and their hook steps
// would be one resource: the step is named after what it sets, `postgres:<host>:<port>/<role>`
// `redis:<host>:<port>/<user>` or `mysql:<host>:<port>/<user>` (components/hooks/), under parents whose types, not names,
// are in the URN (pulumi/pulumi pkg/resource/deploy/deployment.go generateURN), so the
// second registration fails the deployment with a duplicate URN (step_generator.go). With a
// role pair the two may not meet until a later bump flips the pair: the check is on every
// role a secret can set, not only on this epoch's. A supplied admin password of a rotated
// credential is a second owner too, one that never follows the rotation.
import { PlannedApply } from "./model";
import { Problems } from "./problems";

type CredentialApply = Extract<PlannedApply, { kind: "postgres" | "redis" | "mysql" }>;

/** The names of the loopback address after canonicalServerHost's parse: one server, the machine's own. */
const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]", "[::ffff:7f00:1]"]);

/**
 * One spelling per server for a host as psql or redis-cli takes it. Every Postgres and Redis
 * hook runs on the machine that runs `pulumi up` (components/hooks/ call hostCommand with no
 * host), so one name means one server for every secret.
 * - DNS names are compared without case (RFC 4343) and without the root's trailing dot.
 * - Addresses take the canonical form of the WHATWG URL host parser, which reads IPv4 the
 *   way inet_aton does, as getaddrinfo (libpq, redis-cli) does: `127.1`, `0x7f.0.0.1` and
 *   `127.0.0.1` are one address, as are `::1`, `[::1]` and `0:0:0:0:0:0:0:1`.
 * - localhost, ::1, every address of 127.0.0.0/8, 0.0.0.0 and :: are one server: the local
 *   one (LOCAL_ADDRESS); an IPv4-mapped IPv6 address is its IPv4 address.
 * A host with a `%` (an IPv6 zone) is kept as written. Two different names of one server (a
 * DNS alias, the machine's own name) cannot be told apart without resolving them: the
 * planner resolves nothing.
 */
export function canonicalServerHost(host: string): string {
    let bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
    if (bare.includes("%")) {
        // An IPv6 zone names the link an address is on: fe80::1%eth0 and fe80::1%eth1 are two
        // hosts, kept as written. A local address with a zone (::1%lo) is still this machine.
        const address = canonicalServerHost(bare.slice(0, bare.indexOf("%")));
        return address === "localhost" ? address : bare;
    }
    if (bare.endsWith(".")) bare = bare.slice(0, -1);
    let canonical: string;
    try {
        canonical = new URL(`http://${bare.includes(":") ? `[${bare}]` : bare}/`).hostname;
    } catch {
        canonical = bare.toLowerCase();
    }
    const mapped = /^\[::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})\]$/.exec(canonical);
    if (mapped) {
        // An IPv4-mapped IPv6 address is the IPv4 address (RFC 4291 2.5.5.2): the parser writes it in hex.
        const [hi, lo] = [parseInt(mapped[1], 16), parseInt(mapped[2], 16)];
        canonical = [hi >> 8, hi & 255, lo >> 8, lo & 255].join(".");
    }
    return LOOPBACK.has(canonical) || LOCAL_ADDRESS.test(canonical) ? "localhost" : canonical;
}

/**
 * Addresses that reach this machine whatever it binds: the whole loopback network
 * 127.0.0.0/8 (Linux answers every address of it on lo), and the unspecified addresses
 * 0.0.0.0 and :: (a connection to them goes to the local host; `0` is 0.0.0.0). A server
 * bound to 0.0.0.0 answers on each, so they are one server. The price: two servers on one
 * port bound to two loopback addresses are taken as one, and two secrets setting one role
 * on them are refused, which is the safe side.
 */
const LOCAL_ADDRESS = /^(127\.\d+\.\d+\.\d+|0\.0\.0\.0|\[::\])$/;

/** host:port as written, an IPv6 address in brackets. */
function shown(host: string, port: number): string {
    return host.includes(":") && !host.startsWith("[") ? `[${host}]:${port}` : `${host}:${port}`;
}

interface Holder {
    secret: string;
    apply: CredentialApply;
}

/** A credential, and the secrets whose hooks set it or log in as its admin with a supplied password. */
interface Credential {
    name: string;
    setters: Holder[];
    admins: Holder[];
}

/**
 * The admin a hook logs in as when it has a password to send: Redis without `adminUser`
 * sends the password alone (REDISCLI_AUTH), which Redis takes as the `default` user's
 * (redis src/acl.c authCommand). Without adminPasswordSecret there is no password rekey
 * holds (local trust), so nothing can go stale.
 */
function adminWithPassword(apply: CredentialApply): string | null {
    if (apply.adminPasswordSecret === null) return null;
    return apply.kind === "redis" ? (apply.adminUser ?? "default") : apply.adminUser;
}

/**
 * Two owners of one credential are refused:
 * - two secrets whose hooks set it: each reports, naming the credential, the server as it
 *   wrote it and the other secrets (with their spelling of the server when it differs);
 * - a hook that logs in as it with a supplied admin password, which rekey never updates:
 *   once the secret that sets it rotates, that hook cannot log in (this hook reports),
 *   unless that password is the very secret that sets it.
 * Compared: the kind, the canonical host, the port (defaults filled in by resolveHooks)
 * and the role or user, case kept: rekey double-quotes role names, and a quoted identifier
 * is case-sensitive (PostgreSQL docs, SQL Syntax, "Identifiers and Key Words"); Redis finds
 * an ACL user by its exact bytes (redis src/acl.c ACLGetUserByName, raxFind). Not
 * compared: the Postgres database (roles are global across a database cluster, PostgreSQL
 * docs, "Database Roles"); a MySQL account's host part (`userHost`): the owner is the user
 * name on the server, whatever its host pattern. The server picks, for each login, the one
 * account whose host pattern matches the client most specifically (MySQL docs, "Access
 * Control, Stage 1: Connection Verification"), so `app`@`%` and `app`@`10.%` set by two
 * secrets would each decide the password some client of `app` needs; and an incident ends
 * the sessions of the user name (the processlist's USER column has no host pattern). User
 * names are compared with their case (MySQL user names are case-sensitive).
 */
export function checkCredentialOwners(applies: { secret: string; apply: PlannedApply }[], problems: Problems): void {
    const credentials = new Map<string, Credential>();
    const at = (apply: CredentialApply, name: string) => {
        const key = JSON.stringify([apply.kind, `${canonicalServerHost(apply.host)}:${apply.port}`, name]);
        const c = credentials.get(key) ?? { name, setters: [], admins: [] };
        credentials.set(key, c);
        return c;
    };
    for (const { secret, apply } of applies) {
        if (apply.kind === "command") continue;
        for (const name of apply.kind === "postgres" ? apply.roles : apply.kind === "mysql" ? apply.users : [apply.user]) at(apply, name).setters.push({ secret, apply });
        const admin = adminWithPassword(apply);
        if (admin !== null) at(apply, admin).admins.push({ secret, apply });
    }
    const as = (o: Holder, apply: CredentialApply) => (o.apply.host === apply.host ? "" : ` (as ${o.apply.host}, the same server)`);
    for (const { name, setters, admins } of credentials.values()) {
        for (const { secret, apply } of setters.length > 1 ? setters : []) {
            const others = setters.filter((o) => o.secret !== secret);
            const named = others.map((o) => `secret ${o.secret}${as(o, apply)}`).join(" and ");
            const [what, noun, field] =
                apply.kind === "postgres"
                    ? [`Postgres role "${name}"`, "role", apply.roles.length === 2 ? "apply.postgres.roles" : "apply.postgres.role"]
                    : apply.kind === "mysql"
                      ? [`MySQL user "${name}"`, "user", apply.users.length === 2 ? "apply.mysql.users" : "apply.mysql.user"]
                      : [`Redis ACL user "${name}"`, "user", "apply.redis.user"];
            problems.add(
                `secret ${secret}`,
                field,
                `${what} on ${shown(apply.host, apply.port)} is also set by ${named}: one ${noun}, one secret (each rotation would overwrite the other's password). Give each secret its own ${noun}, or let one secret set it and the other follow its value with derive: "{{${others[0].secret}}}" (a derived secret has no hook)`,
            );
        }
        for (const { secret, apply } of admins) {
            // A supplied secret whose own hook sets the credential is its password: it follows.
            const rotating = setters.filter((o) => o.secret !== apply.adminPasswordSecret);
            if (rotating.length === 0) continue;
            const named = rotating.map((o) => (o.secret === secret ? "this secret" : `secret ${o.secret}${as(o, apply)}`)).join(" and ");
            const what = apply.kind === "postgres" ? `Postgres role "${name}"` : apply.kind === "mysql" ? `MySQL user "${name}"` : `Redis ACL user "${name}"${apply.adminUser === null ? " (no adminUser: the password alone logs in as default)" : ""}`;
            problems.add(
                `secret ${secret}`,
                `apply.${apply.kind}.adminPasswordSecret`,
                `"${apply.adminPasswordSecret}" is the password of ${what} on ${shown(apply.host, apply.port)}, the admin of this hook, which ${named} rotates: a supplied secret is never updated, so after that rotation this hook cannot log in. Log in as an admin no secret rotates, or by local trust (no adminPasswordSecret)`,
            );
        }
    }
}
