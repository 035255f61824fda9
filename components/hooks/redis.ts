import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import { PlannedApply } from "../plan/plan";
import { HasSteps } from "../steps";
import { hostCommand, shellQuote } from "../commands/hostCommand";

type RedisApply = Extract<PlannedApply, { kind: "redis" }>;

/** Redis ACL takes a password by its SHA-256 (`#<hex>`), so the password itself is never sent. */
export function redisPasswordHash(password: string): string {
    return createHash("sha256").update(password, "utf8").digest("hex");
}

/** redis-cli with the statements on stdin; `kill`: a CLIENT KILL follows the ACL SETUSER. */
function redisCli(apply: RedisApply, kill: boolean): string {
    const cli = [
        "redis-cli --no-auth-warning",
        `-h ${shellQuote(apply.host)} -p ${apply.port}`,
        ...(apply.adminUser ? [`--user ${shellQuote(apply.adminUser)}`] : []),
    ].join(" ");
    // redis-cli exits 0 on an error reply: accept only OK (then, after CLIENT KILL, the number of clients killed).
    if (kill) return `out=$(${cli}) || exit 1; case $out in "OK\n"[0-9]*) ;; *) echo "rekey: redis answered: $out" >&2; exit 1 ;; esac`;
    return `out=$(${cli}) || exit 1; if [ "$out" != OK ]; then echo "rekey: redis answered: $out" >&2; exit 1; fi`;
}

export interface RedisAclPasswordArgs {
    apply: RedisApply;
    value: pulumi.Output<string>;
    adminPassword?: pulumi.Output<string>;
    /** Before every child's name: the Rotation's (see hostCommand). */
    prefix?: string;
}

/** One `ACL SETUSER <user> <words> #<sha256>` through redis-cli, the password on stdin as its hash. */
class RedisAclCommand extends pulumi.ComponentResource implements HasSteps {
    public readonly steps: pulumi.CustomResource[];

    constructor(type: string, step: string, words: string, name: string, args: RedisAclPasswordArgs, opts?: pulumi.ComponentResourceOptions, kill = false) {
        super(type, name, {}, opts);
        const { apply } = args;
        const script = redisCli(apply, kill);
        const killLine = kill ? `CLIENT KILL USER ${apply.user}\n` : "";
        this.steps = [hostCommand(
            `${step}:${apply.host}:${apply.port}/${apply.user}`,
            { host: null },
            {
                create: script,
                update: script,
                stdin: pulumi.secret(args.value.apply((v) => `ACL SETUSER ${apply.user} ${words} #${redisPasswordHash(v)}\n${killLine}`)),
                environment: args.adminPassword ? pulumi.secret({ REDISCLI_AUTH: args.adminPassword }) : undefined,
            },
            { parent: this },
            args.prefix,
        )];
        this.registerOutputs({});
    }
}

/**
 * Adds the new password to the ACL user beside the old one, so clients that still hold
 * the old password keep logging in until they restart. RedisAclFinalize removes the old.
 */
export class RedisAclPassword extends RedisAclCommand {
    constructor(name: string, args: RedisAclPasswordArgs, opts?: pulumi.ComponentResourceOptions) {
        super("rekey:index:RedisAclPassword", "redis", "on", name, args, opts);
    }
}

/**
 * After every consumer restarted and verified: the user keeps only the current password
 * (`resetpass` then `#<new>`, in one command, so there is no moment without a password).
 */
export class RedisAclFinalize extends RedisAclCommand {
    constructor(name: string, args: RedisAclPasswordArgs, opts?: pulumi.ComponentResourceOptions) {
        super("rekey:index:RedisAclFinalize", "redis-finalize", "on resetpass", name, args, opts);
    }
}

/**
 * An incident's revokeFirst: right after the hook and the store writes, before any consumer
 * restarts, the user keeps only the new password and every connection authenticated as it
 * is killed. Removing a password ends no connection: ACL SETUSER's `resetpass` only empties
 * the user's password list (redis src/acl.c `ACLSetUser`; `ACLStringSetUser` disconnects
 * only pub/sub clients whose channels were revoked; only ACL DELUSER and ACL LOAD call
 * `ACLFreeUserAndKillClients`), so a client that authenticated with the leaked password
 * stays authenticated until it disconnects. `CLIENT KILL USER` ends those (src/networking.c
 * `clientCommand`; SKIPME defaults to yes, sparing rekey's own connection). No consumer holds
 * the new password yet, so only connections made with the leaked one end.
 */
export class RedisAclRevoke extends RedisAclCommand {
    constructor(name: string, args: RedisAclPasswordArgs, opts?: pulumi.ComponentResourceOptions) {
        super("rekey:index:RedisAclRevoke", "redis-revoke", "on resetpass", name, args, opts, true);
    }
}
