import * as pulumi from "@pulumi/pulumi";
import { HostTarget, hostCommand } from "../stores/hostCommand";

/**
 * The restart script of a `restart` consumer (`make stop && make start`, `docker compose up
 * -d --force-recreate api`, `systemctl restart x`); REKEY_RESTARTED_FOR names the secret
 * epochs that caused it.
 */
export function commandRestartScript(command: string, causes: string[]): string {
    return `REKEY_RESTARTED_FOR='${causes.join(" ")}'; export REKEY_RESTARTED_FOR\n${command}`;
}

export interface RestartArgs {
    /** kubernetesRestartScript or commandRestartScript. */
    script: string;
    host: HostTarget;
    triggers: pulumi.Input<unknown[]>;
}

/**
 * Restarts one consumer when, and only when, its triggers change (a replacement runs the
 * script); an input change without a trigger change (an edited restart command) runs
 * nothing, so a consumer restarts only because a secret it reads changed.
 */
export class Restart extends pulumi.ComponentResource {
    public readonly command: pulumi.Resource;

    constructor(name: string, args: RestartArgs, opts?: pulumi.ComponentResourceOptions) {
        super("rekey:index:Restart", name, {}, opts);
        this.command = hostCommand(`restart:${name}`, args.host, { create: args.script, update: "true", triggers: args.triggers }, { parent: this });
        this.registerOutputs({});
    }
}
