import * as pulumi from "@pulumi/pulumi";
import { createHash, createHmac, pbkdf2Sync } from "crypto";
import { PlannedApply, PlannedSecret } from "../plan/plan";
import { HasSteps } from "../steps";
import { saslprep } from "./saslprep";
import { hostCommand, shellQuote } from "../commands/hostCommand";

type PostgresApply = Extract<PlannedApply, { kind: "postgres" }>;

export const SCRAM_ITERATIONS = 4096;

/**
 * A SCRAM-SHA-256 verifier, the form in which PostgreSQL stores a password. rekey sends
 * this rather than the password, so the server (and its statement log) never sees the
 * plaintext. The salt comes from the caller (derived from the keyed fingerprint) so that
 * the same password gives the same verifier on every run.
 */
export function scramVerifier(password: string, salt: Buffer): string {
    const salted = pbkdf2Sync(saslprep(password), salt, SCRAM_ITERATIONS, 32, "sha256");
    const clientKey = createHmac("sha256", salted).update("Client Key").digest();
    const storedKey = createHash("sha256").update(clientKey).digest();
    const serverKey = createHmac("sha256", salted).update("Server Key").digest();
    return `SCRAM-SHA-256$${SCRAM_ITERATIONS}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}

export interface PostgresPasswordArgs {
    secret: PlannedSecret;
    apply: PostgresApply;
    value: pulumi.Output<string>;
    /** 16 bytes as hex: the same for the same value on every run, secret to others. */
    salt: pulumi.Output<string>;
    adminPassword?: pulumi.Output<string>;
    /** Before every child's name: the Rotation's (see hostCommand). */
    prefix?: string;
}

/**
 * Sets the password of the role the current epoch logs in as (with two alternating roles,
 * the other role and its old password keep working until the next rotation). psql reads
 * the statement from stdin; the admin password travels in PGPASSWORD.
 */
export class PostgresPassword extends pulumi.ComponentResource implements HasSteps {
    public readonly steps: pulumi.CustomResource[];

    constructor(name: string, args: PostgresPasswordArgs, opts?: pulumi.ComponentResourceOptions) {
        super("rekey:index:PostgresPassword", name, {}, opts);
        const { apply } = args;
        const role = apply.role;
        const create = apply.createRoles
            ? `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '${role}') THEN CREATE ROLE "${role}" LOGIN; END IF; END $$;\n`
            : "";
        const sql = pulumi
            .all([args.value, args.salt])
            .apply(([v, salt]) => `${create}ALTER ROLE "${role}" WITH LOGIN PASSWORD '${scramVerifier(v, Buffer.from(salt, "hex"))}';\n`);
        this.steps = [psqlCommand(`postgres:${apply.host}:${apply.port}/${role}`, apply, pulumi.secret(sql), args, this)];
        this.registerOutputs({});
    }
}

/** psql as the admin, the statement on stdin, the admin password in PGPASSWORD. */
function psqlCommand(step: string, apply: PostgresApply, sql: pulumi.Input<string>, args: { adminPassword?: pulumi.Output<string>; prefix?: string; triggers?: pulumi.Input<unknown[]> }, parent: pulumi.Resource): pulumi.CustomResource {
    const psql = [
        "psql -X -q -v ON_ERROR_STOP=1",
        `-h ${shellQuote(apply.host)} -p ${apply.port} -U ${shellQuote(apply.adminUser)} -d ${shellQuote(apply.database)}`,
        "-f -",
    ].join(" ");
    const environment: Record<string, pulumi.Input<string>> = { PGCONNECT_TIMEOUT: "10" };
    if (args.adminPassword) environment.PGPASSWORD = args.adminPassword;
    return hostCommand(step, { host: null }, { create: psql, update: psql, stdin: sql, environment: pulumi.secret(environment), ...(args.triggers ? { triggers: args.triggers } : {}) }, { parent }, args.prefix);
}

export interface PostgresRevokeArgs {
    apply: PostgresApply;
    /**
     * The role whose sessions end: with two alternating roles the one this epoch does not
     * set, which holds the leaked password and loses LOGIN; with one role (revokeFirst
     * only) the role itself, whose password the hook already replaced.
     */
    role: string;
    /** Take LOGIN from the role (the alternating pair); false ends its sessions only. */
    nologin: boolean;
    adminPassword?: pulumi.Output<string>;
    prefix?: string;
    /**
     * What reruns it besides its SQL: with one role (nologin false) the SQL never changes, so
     * the keyed fingerprint of the current value, or a later incident bump would leave the
     * sessions opened with the leaked password alive while rekey plan lists the revocation.
     */
    triggers?: pulumi.Input<unknown[]>;
}

/**
 * An incident rotation's revocation. With two alternating roles, once every consumer
 * verified on the new role (or, with revokeFirst, right after the hook and the stores), the
 * other role, whose password leaked, can no longer log in, and its sessions end. NOLOGIN
 * rather than a fresh password: nothing has to hold a value nobody uses, the role's grants
 * stay, and the next rotation that sets its password (ALTER ROLE ... WITH LOGIN PASSWORD)
 * gives it LOGIN back. With one role (revokeFirst) the hook already replaced the leaked
 * password, which stops new logins only: NOLOGIN does not end open sessions either
 * (PostgreSQL docs, ALTER ROLE), pg_terminate_backend does, before any consumer restarted
 * with the new password (its own session is spared). The statement names only the role.
 */
export class PostgresRevoke extends pulumi.ComponentResource implements HasSteps {
    public readonly steps: pulumi.CustomResource[];

    constructor(name: string, args: PostgresRevokeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("rekey:index:PostgresRevoke", name, {}, opts);
        const { apply, role } = args;
        const literal = role.replace(/'/g, "''");
        const sql = args.nologin
            ? `ALTER ROLE "${role.replace(/"/g, '""')}" NOLOGIN;\nSELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = '${literal}';\n`
            : `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = '${literal}' AND pid <> pg_backend_pid();\n`;
        this.steps = [psqlCommand(`postgres-revoke:${apply.host}:${apply.port}/${role}`, apply, sql, args, this)];
        this.registerOutputs({});
    }
}
