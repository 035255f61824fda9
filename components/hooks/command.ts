import * as pulumi from "@pulumi/pulumi";
import { PlannedApply, PlannedSecret } from "../plan/plan";
import { HasSteps } from "../steps";
import { HostTarget, hostCommand, shellQuote } from "../commands/hostCommand";

type CommandApply = Extract<PlannedApply, { kind: "command" }>;

export interface CommandHookArgs {
    secret: PlannedSecret;
    apply: CommandApply;
    value: pulumi.Output<string>;
    previous: pulumi.Output<string>;
    /** "1" when OLD_VALUE is not a value any service was deployed with (a first run, or a fresh previous value). */
    initial: pulumi.Output<"0" | "1">;
    /** The keyed fingerprints of the current and previous values: the hook runs when they change, and only then. */
    triggers: pulumi.Input<unknown[]>;
    host: HostTarget;
    /** Before every child's name: the Rotation's (see hostCommand). */
    prefix?: string;
}

/**
 * The user's own step before the stores switch (e.g. re-encrypting data from the old key
 * to the new one). It gets OLD_VALUE and NEW_VALUE in its environment, and REKEY_INITIAL=1
 * when OLD_VALUE is a value nothing used; at an incident rotation REKEY_INCIDENT=1 and
 * REKEY_INCIDENT_REASON (OLD_VALUE is then the leaked value: re-encrypt away from it). On
 * a host, the values come on stdin (SSH servers refuse most environment variables) and a
 * wrapper exports them.
 *
 * It runs when, and only when, the secret's value changes: the values' fingerprints are its
 * triggers (a change replaces the command, which runs `create`), and any other change (an
 * edited `run`) is a no-op update. @pulumi/command runs `update` on every other input change
 * (provider/pkg/provider/local/commandController.go, (*Command).Update), which would run a re-encrypt job again
 * with the same OLD and NEW values outside any rotation.
 */
export class CommandHook extends pulumi.ComponentResource implements HasSteps {
    public readonly steps: pulumi.CustomResource[];

    constructor(name: string, args: CommandHookArgs, opts?: pulumi.ComponentResourceOptions) {
        super("rekey:index:CommandHook", name, {}, opts);
        const { apply, secret } = args;
        // An incident rotation says so (REKEY_INCIDENT=1 and the reason, which is configuration, not a secret).
        const incident = secret.incident !== null ? `REKEY_INCIDENT=1; REKEY_INCIDENT_REASON=${shellQuote(secret.incident)}; export REKEY_INCIDENT REKEY_INCIDENT_REASON\n` : "";
        const script = `REKEY_EPOCH=${secret.epoch}; export REKEY_EPOCH\n${incident}${apply.run}`;
        const remote = args.host.host !== null;
        const read = "IFS= read -r OLD_VALUE; IFS= read -r NEW_VALUE; IFS= read -r REKEY_INITIAL; export OLD_VALUE NEW_VALUE REKEY_INITIAL";
        const values = remote
            ? { stdin: pulumi.secret(pulumi.all([args.previous, args.value, args.initial]).apply(([o, n, i]) => `${o}\n${n}\n${i}\n`)) }
            : { environment: pulumi.secret({ OLD_VALUE: args.previous, NEW_VALUE: args.value, REKEY_INITIAL: args.initial }) };
        const create = remote ? `sh -c ${shellQuote(`${read}\n${script}`)}` : script;
        this.steps = [hostCommand(`command-hook:${secret.name}`, args.host, { create, update: "true", triggers: args.triggers, ...values }, { parent: this }, args.prefix)];
        this.registerOutputs({});
    }
}
