// A command run on the machine that runs `pulumi up`, or over SSH on a `rekey:hosts` host.
// Secrets travel only in stdin (or the local environment), never in the command string.
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { PlannedHost } from "../plan/plan";

export interface HostCommandArgs {
    create: string;
    update?: string;
    stdin?: pulumi.Input<string>;
    /** Local commands only: SSH servers refuse most environment variables. */
    environment?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    triggers?: pulumi.Input<unknown[]>;
    /** "none" where the output could contain a secret. */
    logging?: "stdoutAndStderr" | "none";
}

export interface HostTarget {
    host: PlannedHost | null;
    privateKey?: pulumi.Output<string>;
}

export function hostCommand(
    name: string,
    target: HostTarget,
    args: HostCommandArgs,
    opts: pulumi.CustomResourceOptions,
): command.local.Command | command.remote.Command {
    const common = {
        create: args.create,
        update: args.update,
        stdin: args.stdin,
        triggers: args.triggers,
        logging: args.logging,
        addPreviousOutputInEnv: false,
    };
    if (!target.host) {
        return new command.local.Command(name, { ...common, interpreter: ["/bin/sh", "-c"], environment: args.environment }, opts);
    }
    if (args.environment) throw new Error(`${name}: environment variables cannot be passed to a remote command`);
    return new command.remote.Command(
        name,
        {
            ...common,
            connection: {
                host: target.host.host,
                port: target.host.port,
                user: target.host.user,
                privateKey: target.privateKey,
            },
        },
        opts,
    );
}

/** Quotes a word for a POSIX shell. */
export function shellQuote(word: string): string {
    return `'${word.replace(/'/g, `'\\''`)}'`;
}
