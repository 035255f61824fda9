// A command run on the machine that runs `pulumi up`, or over SSH on a `rekey:hosts` host.
// Secrets travel only in stdin (or the local environment), never in the command string.
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { PlannedHost } from "../plan/plan";
import { nested } from "../scope";

export interface HostCommandArgs {
    /** The script: known when the program starts, or once what it says is (a read-back's result). */
    create: pulumi.Input<string>;
    update?: pulumi.Input<string>;
    /** A secret value for the script; the command then withholds its output (withheldOutput). */
    stdin?: pulumi.Input<string>;
    /** Local commands only: SSH servers refuse most environment variables. Secret, like stdin. */
    environment?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    triggers?: pulumi.Input<unknown[]>;
    /**
     * The script is rekey's own and prints nothing it was handed, only names and statuses
     * (a proof verify naming the secrets a service did not prove): its output is shown even
     * though it carries a secret. stdout and stderr still stay out of plain state.
     */
    ownOutput?: true;
}

export interface HostTarget {
    host: PlannedHost | null;
    privateKey?: pulumi.Output<string>;
}

/**
 * The script run so that nothing it prints can carry a value. @pulumi/command puts a failed
 * command's whole stdout and stderr into the error `pulumi up` prints, whatever `logging`
 * says (pulumi-command provider/pkg/provider/local/commandOutputs.go `run`: "running %q:\n%s" with the
 * command string and its output; remote likewise),
 * and a re-encrypt job with `set -x`, psql echoing a statement or redis-cli echoing a reply
 * would print what it was handed. So the script's output is captured and dropped; the
 * command prints only a fixed line: done, or the step, its exit code and how to see the
 * output by hand. The exit code is kept.
 */
export function withheldOutput(step: string, script: string): string {
    const q = shellQuote(step);
    return [
        `rekey_rc=0; rekey_out=$(sh -c ${shellQuote(script)} rekey-step 2>&1) || rekey_rc=$?; rekey_out=`,
        `if [ "$rekey_rc" -ne 0 ]; then`,
        `  printf 'rekey: step %s failed with exit code %s. Its output is withheld because it can contain secret values: to see it, run the step by hand with the inputs that pulumi preview --diff --show-secrets shows for it, then run pulumi up again.\\n' ${q} "$rekey_rc" >&2`,
        `  exit "$rekey_rc"`,
        `fi`,
        `printf 'rekey: step %s done\\n' ${q}`,
    ].join("\n");
}

/**
 * `step` names the command in its own output and in the resource name, after `prefix` (the
 * Rotation's, so that two Rotations never collide). A prefixed command also answers to its
 * unprefixed name under its parent's former URN (the engine multiplies a resource's aliases
 * by its parent's: pkg/resource/deploy/step_generator.go generateAliases), which is how a
 * stack deployed by rekey 0.1 keeps its commands. The step, not the resource name, is in the
 * script, so the upgrade changes no input.
 */
export function hostCommand(
    step: string,
    target: HostTarget,
    args: HostCommandArgs,
    opts: pulumi.CustomResourceOptions,
    prefix = "",
): command.local.Command | command.remote.Command {
    const placed = nested(prefix, step);
    const name = placed.name;
    opts = { ...opts, aliases: [...(opts.aliases ?? []), ...placed.aliases] };
    // Every command handed a secret keeps its output out of plain state: stdout and stderr
    // are outputs of the command resource, stored unencrypted unless marked secret.
    const carriesSecret = args.stdin !== undefined || args.environment !== undefined;
    const script = (s: pulumi.Input<string> | undefined) =>
        s === undefined || !carriesSecret || args.ownOutput ? s : typeof s === "string" ? withheldOutput(step, s) : pulumi.output(s).apply((x) => withheldOutput(step, x));
    const common = {
        create: script(args.create),
        update: script(args.update),
        stdin: args.stdin,
        triggers: args.triggers,
        addPreviousOutputInEnv: false,
    };
    const options: pulumi.CustomResourceOptions = carriesSecret ? { ...opts, additionalSecretOutputs: ["stdout", "stderr"] } : opts;
    if (!target.host) {
        return new command.local.Command(name, { ...common, interpreter: ["/bin/sh", "-c"], environment: args.environment }, options);
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
                // Without hostKey the provider accepts any server (ssh.InsecureIgnoreHostKey,
                // remote/connection.go), and the secret on stdin goes to whoever answers.
                hostKey: target.host.hostKey,
            },
        },
        options,
    );
}

/** Quotes a word for a POSIX shell. */
export function shellQuote(word: string): string {
    return `'${word.replace(/'/g, `'\\''`)}'`;
}
