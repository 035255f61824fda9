import * as pulumi from "@pulumi/pulumi";
import { HostTarget, hostCommand } from "../stores/hostCommand";

export interface CommandRestartArgs {
    command: string;
    host: HostTarget;
    causes: string[];
    triggers: pulumi.Input<unknown[]>;
}

/**
 * Runs a consumer's restart command (`make stop && make start`, `docker compose up -d
 * --force-recreate api`, `systemctl restart x`) locally or on its host, when (and only
 * when) its triggers change. REKEY_RESTARTED_FOR names the secret epochs that caused it.
 */
export class CommandRestart extends pulumi.ComponentResource {
    public readonly command: pulumi.Resource;

    constructor(name: string, args: CommandRestartArgs, opts?: pulumi.ComponentResourceOptions) {
        super("rekey:index:CommandRestart", name, {}, opts);
        const create = `REKEY_RESTARTED_FOR='${args.causes.join(" ")}'; export REKEY_RESTARTED_FOR\n${args.command}`;
        this.command = hostCommand(`restart:${name}`, args.host, { create, update: "true", triggers: args.triggers }, { parent: this });
        this.registerOutputs({});
    }
}
