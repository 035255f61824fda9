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

function redisCli(apply: RedisApply): string {
    const cli = [
        "redis-cli --no-auth-warning",
        `-h ${shellQuote(apply.host)} -p ${apply.port}`,
        ...(apply.adminUser ? [`--user ${shellQuote(apply.adminUser)}`] : []),
    ].join(" ");
    // redis-cli exits 0 on an error reply: accept only OK.
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

    constructor(type: string, step: string, words: string, name: string, args: RedisAclPasswordArgs, opts?: pulumi.ComponentResourceOptions) {
        super(type, name, {}, opts);
        const { apply } = args;
        const script = redisCli(apply);
        this.steps = [hostCommand(
            `${step}:${apply.host}:${apply.port}/${apply.user}`,
            { host: null },
            {
                create: script,
                update: script,
                stdin: pulumi.secret(args.value.apply((v) => `ACL SETUSER ${apply.user} ${words} #${redisPasswordHash(v)}\n`)),
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
