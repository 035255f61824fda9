import * as pulumi from "@pulumi/pulumi";
import { HasSteps } from "../steps";
import { HostTarget, hostCommand } from "../commands/hostCommand";

export interface TriggeredCommandArgs {
    script: string;
    host: HostTarget;
    triggers: pulumi.Input<unknown[]>;
    /** The consumer's name, which names the command (the component's name carries the Rotation's prefix). */
    consumer: string;
    /** Before every child's name: the Rotation's (see hostCommand). */
    prefix?: string;
    /** Secret inputs of rekey's own script, in its local environment (hostCommand `ownOutput`: its output names, never values). */
    environment?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * A consumer step (restart, verify) that runs when, and only when, its triggers change: a
 * trigger change replaces the command, which runs the script; any other input change (an
 * edited restart command) updates it with a no-op, so a consumer restarts only because a
 * secret it reads changed.
 */
export class TriggeredCommand extends pulumi.ComponentResource implements HasSteps {
    public readonly steps: pulumi.CustomResource[];

    constructor(type: string, step: string, name: string, args: TriggeredCommandArgs, opts?: pulumi.ComponentResourceOptions) {
        super(type, name, {}, opts);
        this.steps = [hostCommand(`${step}:${args.consumer}`, args.host, { create: args.script, update: "true", triggers: args.triggers, ...(args.environment ? { environment: args.environment, ownOutput: true as const } : {}) }, { parent: this }, args.prefix)];
        this.registerOutputs({});
    }
}
