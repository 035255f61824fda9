import * as pulumi from "@pulumi/pulumi";
import { PlannedApply, PlannedSecret } from "../plan/plan";
import { HostTarget, hostCommand, shellQuote } from "../stores/hostCommand";

type CommandApply = Extract<PlannedApply, { kind: "command" }>;

export interface CommandHookArgs {
    secret: PlannedSecret;
    apply: CommandApply;
    value: pulumi.Output<string>;
    previous: pulumi.Output<string>;
    host: HostTarget;
}

/**
 * The user's own step before the stores switch (e.g. re-encrypting data from the old key
 * to the new one). It gets OLD_VALUE and NEW_VALUE in its environment, and REKEY_INITIAL=1
 * on the first run, when OLD_VALUE is a value nothing used yet. On a host, the values come
 * on stdin (SSH servers refuse most environment variables) and a wrapper exports them.
 * Its output is not logged: a job handed keys may print them.
 */
export class CommandHook extends pulumi.ComponentResource {
    constructor(name: string, args: CommandHookArgs, opts?: pulumi.ComponentResourceOptions) {
        super("rekey:index:CommandHook", name, {}, opts);
        const { apply, secret } = args;
        const withInitial = (initial: 0 | 1) => `REKEY_INITIAL=${initial} REKEY_EPOCH=${secret.epoch}; export REKEY_INITIAL REKEY_EPOCH\n${apply.run}`;
        const remote = args.host.host !== null;
        const script = (initial: 0 | 1) =>
            remote
                ? `sh -c ${shellQuote(`IFS= read -r OLD_VALUE; IFS= read -r NEW_VALUE; export OLD_VALUE NEW_VALUE\n${withInitial(initial)}`)}`
                : withInitial(initial);
        const values = remote
            ? { stdin: pulumi.secret(pulumi.all([args.previous, args.value]).apply(([o, n]) => `${o}\n${n}\n`)) }
            : { environment: pulumi.secret({ OLD_VALUE: args.previous, NEW_VALUE: args.value }) };
        hostCommand(`command-hook:${secret.name}`, args.host, { create: script(1), update: script(0), logging: "none", ...values }, { parent: this });
        this.registerOutputs({});
    }
}
