// The mysql hook (MySQL and MariaDB): a user's new password, the finalize that discards a
// retained old one, and an incident's revocation. Each is one script run by the client
// (`mariadb`, else `mysql`) as the admin; nothing of a password is in argv:
// - the statements travel on stdin;
// - the admin password is written to an option file, created under umask 077 in a private
//   `mktemp -d` directory removed on exit and named with --defaults-file (so no other option
//   file, a ~/.my.cnf's password included, overrides it). Not MYSQL_PWD: MySQL's manual
//   calls it "extremely insecure" and deprecated it in 8.0 with removal to come (MySQL 8.0
//   Reference Manual, "End-User Guidelines for Password Security" and "Environment
//   Variables"), and recommends an option file with mode 600. The option file's text
//   reaches the script in its environment, as PGPASSWORD does for the Postgres hook, and
//   is unset before the client starts, so the client's own environment holds no password.
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import { PlannedApply } from "../plan/plan";
import { HasSteps } from "../steps";
import { hostCommand } from "../commands/hostCommand";

type MysqlApply = Extract<PlannedApply, { kind: "mysql" }>;

/**
 * Every statement rekey sends follows this one: with NO_BACKSLASH_ESCAPES a string literal's
 * only special character is its quote, doubled (MySQL docs, "String Literals"; MariaDB,
 * "SQL_MODE"), whatever sql_mode the server was given.
 */
export const SESSION_SQL = "SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES');\n";

/** A SQL string literal under SESSION_SQL's mode. */
export function sqlString(s: string): string {
    return `'${s.replace(/'/g, "''")}'`;
}

/** An account name, `'user'@'host'` (MySQL docs, "Specifying Account Names"). */
export function accountName(apply: MysqlApply, user: string): string {
    return `${sqlString(user)}@${sqlString(apply.userHost)}`;
}

/**
 * A value in an option file, double-quoted with the escapes the client's reader undoes
 * (MariaDB mysys/my_default.c `search_default_file_with_ext`: a value whose first and last
 * characters are the same quote loses them; `\\ \" \' \n \r \t` are unescaped; a `#` inside
 * quotes is no comment, `remove_end_comment`). A line break is escaped, so the value stays
 * one line of the file.
 */
export function optionValue(v: string): string {
    const escapes: Record<string, string> = { "\\": "\\\\", '"': '\\"', "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t" };
    return `"${v.replace(/[\\"'\n\r\t]/g, (c) => escapes[c])}"`;
}

/** The option file the script writes: the server, the admin and (if rekey has one) the admin password. */
export function clientOptions(apply: MysqlApply, adminPassword?: string): string {
    const lines = ["[client]", `host=${optionValue(apply.host)}`, `port=${apply.port}`, `user=${optionValue(apply.adminUser)}`, "default-character-set=utf8mb4", "connect-timeout=10"];
    if (adminPassword !== undefined) lines.push(`password=${optionValue(adminPassword)}`);
    return `${lines.join("\n")}\n`;
}

/**
 * The shell prelude of every script: the private option file, removed however the script
 * ends (but SIGKILL), the client, `q` to run it. The client reads only that file
 * (--defaults-file must be its first option).
 */
const PRELUDE = [
    "set -eu",
    "umask 077",
    'd=$(mktemp -d)',
    "trap 'rm -rf \"$d\"' EXIT",
    // dash (Debian's sh) runs no EXIT trap when a signal ends it: the option file, with the
    // admin password, stayed behind after a SIGTERM (test/plan/mysqlHook.test.ts). These
    // make the signals an exit, after the client that runs in the foreground ends.
    "trap 'exit 129' HUP",
    "trap 'exit 130' INT",
    "trap 'exit 143' TERM",
    'printf "%s" "$REKEY_MYSQL_OPTIONS" >"$d/client.cnf"',
    "unset REKEY_MYSQL_OPTIONS",
    'c=$(command -v mariadb || command -v mysql) || { echo "rekey: neither the mariadb nor the mysql client is installed" >&2; exit 1; }',
    'q() { "$c" --defaults-file="$d/client.cnf" -N -B "$@"; }',
].join("\n");

/**
 * Which server this is, and whether it keeps two passwords per account: MySQL 8.0.14 and
 * later (ALTER USER … RETAIN CURRENT PASSWORD, DISCARD OLD PASSWORD; MySQL docs, "Password
 * Management", "Dual Password Support"). MariaDB has no such clause (its ALTER USER grammar
 * has none). MariaDB is told by what it runs, not by VERSION(), which an operator sets with
 * mariadbd --version (measured: MariaDB 10.11 started with --version=8.0.36 says 8.0.36,
 * test/forReal/mysql.test.ts): MariaDB runs the text of a comment opened by `/*M!`, MySQL
 * skips it (MariaDB docs, "Comment Syntax": executable comments); --comments keeps the
 * client (either one) from stripping it before it is sent. Sets `mariadb` and `dual`
 * to 1 or 0, and `v` to VERSION() with "(MariaDB)" after it on a MariaDB that hides it.
 */
export const DETECT_DUAL = [
    "v=$(q -e 'SELECT VERSION()')",
    "mariadb=$(q --comments -e 'SELECT 0 /*M!+1*/')",
    "dual=0",
    'if [ "$mariadb" = 1 ]; then',
    '  case $v in *MariaDB*) ;; *) v="$v (MariaDB)" ;; esac',
    "else",
    '  set -- $(printf "%s" "$v" | tr ".-" "  ")',
    '  if [ "${1:-0}" -gt 8 ] 2>/dev/null || { [ "${1:-0}" -eq 8 ] && { [ "${2:-0}" -gt 0 ] || [ "${3:-0}" -ge 14 ]; }; } 2>/dev/null; then dual=1; fi',
    "fi",
].join("\n");

/**
 * The hook's script. Its stdin's first line is the statements for MariaDB, which take the
 * password's mysql_native_password hash (ALTER USER … IDENTIFIED BY PASSWORD '*…'), so the
 * server, and its general log, never see the password: measured, MariaDB 10.11 writes an
 * `IDENTIFIED BY '<password>'` statement into its general log as sent (test/forReal/mysql.test.ts).
 * The rest of stdin is the statements for MySQL, which has no such clause in 8.0 and hashes
 * the password itself (caching_sha2_password); MySQL rewrites the statement in its general
 * and slow logs and binary log without the password (MySQL docs, "Passwords and Logging").
 * Neither ends with its terminator: the script appends REKEY_MYSQL_TAIL, or
 * REKEY_MYSQL_DUAL_TAIL where the server has dual passwords. It fails if a statement fails.
 */
export const SET_SCRIPT = [
    PRELUDE,
    DETECT_DUAL,
    'if [ "$dual" = 1 ]; then tail=$REKEY_MYSQL_DUAL_TAIL; else tail=$REKEY_MYSQL_TAIL; fi',
    "IFS= read -r mariadb_sql",
    'if [ "$mariadb" = 1 ]; then printf "%s%s\n" "$mariadb_sql" "$tail" | q; else { cat; printf "%s\n" "$tail"; } | q; fi',
    'if [ "$dual" = 1 ]; then echo "rekey: $v keeps dual passwords"; else echo "rekey: $v has no dual passwords: the old password of the user no longer works"; fi',
].join("\n");

/** What the hook appends after the password: the old one retained (a single user outside an incident), or discarded at an incident. */
export function setTails(apply: MysqlApply, incident: boolean): { tail: string; dualTail: string } {
    const account = accountName(apply, apply.user);
    const tail = " ACCOUNT UNLOCK;";
    if (apply.users.length === 2) return { tail, dualTail: tail };
    if (incident) return { tail, dualTail: `${tail}\nALTER USER ${account} DISCARD OLD PASSWORD;` };
    return { tail, dualTail: " RETAIN CURRENT PASSWORD ACCOUNT UNLOCK;" };
}

/** The mysql_native_password hash MariaDB stores: `*` and SHA1(SHA1(password)) in upper-case hex (MariaDB docs, PASSWORD()). */
export function nativePasswordHash(password: string): string {
    const sha1 = (b: Buffer) => createHash("sha1").update(b).digest();
    return `*${sha1(sha1(Buffer.from(password, "utf8"))).toString("hex").toUpperCase()}`;
}

/**
 * The hook's stdin, up to the new password (the script appends the rest): one line for
 * MariaDB (the hash; names are checked to hold no line break), then the statements for MySQL.
 */
export function setStatements(apply: MysqlApply, password: string): string {
    const account = accountName(apply, apply.user);
    const create = (by: string) => (apply.createUsers ? `CREATE USER IF NOT EXISTS ${account} IDENTIFIED BY ${by}; ` : "");
    const hash = `PASSWORD ${sqlString(nativePasswordHash(password))}`;
    const mariadb = `${SESSION_SQL.trim()} ${create(hash)}ALTER USER ${account} IDENTIFIED BY ${hash}`;
    const plain = sqlString(password);
    return `${mariadb}\n${SESSION_SQL}${create(plain)}ALTER USER ${account} IDENTIFIED BY ${plain}`;
}

interface ClientArgs {
    apply: MysqlApply;
    adminPassword?: pulumi.Output<string>;
    /** Before every child's name: the Rotation's (see hostCommand). */
    prefix?: string;
    triggers?: pulumi.Input<unknown[]>;
}

/** The client as the admin: the script, its stdin, its environment (the option file's text secret). */
function mysqlCommand(step: string, script: string, stdin: pulumi.Input<string>, env: Record<string, pulumi.Input<string>>, args: ClientArgs, parent: pulumi.Resource): pulumi.CustomResource {
    const options = args.adminPassword ? args.adminPassword.apply((p) => clientOptions(args.apply, p)) : clientOptions(args.apply);
    const environment = pulumi.secret({ ...env, REKEY_MYSQL_OPTIONS: options });
    return hostCommand(step, { host: null }, { create: script, update: script, stdin, environment, ...(args.triggers ? { triggers: args.triggers } : {}) }, { parent }, args.prefix);
}

const stepName = (kind: string, apply: MysqlApply, user: string) => `${kind}:${apply.host}:${apply.port}/${user}`;

export interface MysqlPasswordArgs extends ClientArgs {
    value: pulumi.Output<string>;
    /** An incident: no old password is retained (a retained one is discarded). */
    incident: boolean;
}

/**
 * Sets the password of the user the current epoch logs in as. With two alternating users
 * the other keeps its password until the next rotation; with one, MySQL 8.0.14+ retains
 * the old password beside the new one until the finalize (MysqlFinalize), and a server
 * without dual passwords (MariaDB) replaces it: `rekey plan` warns. ACCOUNT UNLOCK gives
 * back the login an incident took from the user.
 */
export class MysqlPassword extends pulumi.ComponentResource implements HasSteps {
    public readonly steps: pulumi.CustomResource[];

    constructor(name: string, args: MysqlPasswordArgs, opts?: pulumi.ComponentResourceOptions) {
        super("rekey:index:MysqlPassword", name, {}, opts);
        const { apply } = args;
        const { tail, dualTail } = setTails(apply, args.incident);
        const stdin = pulumi.secret(args.value.apply((v) => setStatements(apply, v)));
        this.steps = [mysqlCommand(stepName("mysql", apply, apply.user), SET_SCRIPT, stdin, { REKEY_MYSQL_TAIL: tail, REKEY_MYSQL_DUAL_TAIL: dualTail }, args, this)];
        this.registerOutputs({});
    }
}

/**
 * After every consumer verified: the single user's retained old password is discarded
 * (ALTER USER … DISCARD OLD PASSWORD) where the server has dual passwords; elsewhere the
 * hook kept none, and this says so. Its SQL never changes: `triggers` (the value's keyed
 * fingerprint) rerun it at every rotation.
 */
export class MysqlFinalize extends pulumi.ComponentResource implements HasSteps {
    public readonly steps: pulumi.CustomResource[];

    constructor(name: string, args: ClientArgs & { user: string }, opts?: pulumi.ComponentResourceOptions) {
        super("rekey:index:MysqlFinalize", name, {}, opts);
        const { apply } = args;
        const script = [
            PRELUDE,
            DETECT_DUAL,
            'if [ "$dual" = 1 ]; then q; echo "rekey: the old password is discarded"; else echo "rekey: $v has no dual passwords: no old password to discard"; fi',
        ].join("\n");
        const stdin = `${SESSION_SQL}ALTER USER ${accountName(apply, args.user)} DISCARD OLD PASSWORD;\n`;
        this.steps = [mysqlCommand(stepName("mysql-finalize", apply, args.user), script, stdin, {}, args, this)];
        this.registerOutputs({});
    }
}

/**
 * Ends every session of a user: KILL CONNECTION for each processlist row of that user name
 * (each client run is a new connection, so rekey's own is never among them), until none is
 * left; a failed query fails the step (set -e). A session that ended meanwhile makes its KILL fail (unknown thread), so a KILL's
 * error is not the verdict: the rows left after five rounds are, and fail the step.
 */
export const KILL_SESSIONS = [
    "i=0",
    "while :; do",
    '  ids=$(q -e "$REKEY_MYSQL_SESSIONS")',
    '  [ -n "$ids" ] || break',
    "  i=$((i + 1))",
    '  if [ "$i" -gt 5 ]; then echo "rekey: sessions of the user are still open after 5 rounds of KILL CONNECTION" >&2; exit 1; fi',
    '  for id in $ids; do q -e "KILL CONNECTION $id" 2>/dev/null || true; done',
    "  sleep 0.2",
    "done",
    'echo "rekey: no session of the user is open"',
].join("\n");

/**
 * The ids of the sessions of one user name. The comparison is binary: PROCESSLIST's USER
 * column has a case-insensitive collation (utf8mb3_general_ci), while user names are
 * compared with their case (MySQL docs, "Grant Tables": the User column is case-sensitive),
 * so `app` and `APP` are two users and an incident on one must not end the other's sessions.
 */
export function sessionsQuery(user: string): string {
    return `SELECT ID FROM information_schema.PROCESSLIST WHERE BINARY USER = ${sqlString(user)}`;
}

export interface MysqlRevokeArgs extends ClientArgs {
    /** The user whose sessions end: the other of a pair (holding the leaked password), or the single user (revokeFirst). */
    user: string;
    /** ACCOUNT LOCK first (the pair's other user); false: its sessions end only. */
    lock: boolean;
}

/**
 * An incident rotation's revocation, as PostgresRevoke does for a role. With two
 * alternating users, once every consumer verified (or, with revokeFirst, right after the
 * hook and the stores), the other user, whose password leaked, is locked (ACCOUNT LOCK:
 * new logins are refused, grants stay, the next rotation that sets its password unlocks
 * it) and its sessions end: a lock ends no open session. With one user (revokeFirst) the
 * hook already replaced the leaked password; its sessions end before any consumer restarts.
 */
export class MysqlRevoke extends pulumi.ComponentResource implements HasSteps {
    public readonly steps: pulumi.CustomResource[];

    constructor(name: string, args: MysqlRevokeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("rekey:index:MysqlRevoke", name, {}, opts);
        const { apply, user } = args;
        const script = [PRELUDE, ...(args.lock ? ["q"] : []), KILL_SESSIONS].join("\n");
        const stdin = args.lock ? `${SESSION_SQL}ALTER USER ${accountName(apply, user)} ACCOUNT LOCK;\n` : "";
        const sessions = sessionsQuery(user);
        this.steps = [mysqlCommand(stepName("mysql-revoke", apply, user), script, stdin, { REKEY_MYSQL_SESSIONS: sessions }, args, this)];
        this.registerOutputs({});
    }
}
