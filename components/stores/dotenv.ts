import * as pulumi from "@pulumi/pulumi";
import { dotenvLine } from "../plan/dotenvLine";
import { DotenvFileTarget } from "../plan/storeTargets";
import { HasSteps } from "../steps";
import { HostTarget, hostCommand } from "../commands/hostCommand";
import { SecretValues, describeWrite } from "./values";
import { writeFileCommand } from "./writeFileCommand";

export interface DotenvFileArgs {
    target: DotenvFileTarget;
    values: Map<string, SecretValues>;
    host: HostTarget;
}

/**
 * The keys rekey manages in one .env file, written by scripts/write-file.sh: only those
 * lines change, every other line, comment and the order are kept, the file is replaced
 * atomically with its mode and owner, and the previous file is kept as .rekey-backup.
 */
export class DotenvFile extends pulumi.ComponentResource implements HasSteps {
    public readonly steps: pulumi.CustomResource[];

    constructor(name: string, args: DotenvFileArgs, opts?: pulumi.ComponentResourceOptions) {
        super("rekey:index:DotenvFile", name, {}, opts);
        const { target } = args;
        const lines = target.keys.map((ref) =>
            args.values.get(ref.secret.name)!.of(ref.variant).apply((value) => {
                const r = dotenvLine(ref.target, value);
                if ("problem" in r) {
                    throw new Error(`rekey: ${describeWrite(ref)} cannot be written to ${target.path} as ${ref.target}: ${r.problem}`);
                }
                return r.line;
            }),
        );
        const stdin = pulumi.secret(pulumi.all(lines).apply((ls) => ["rekey-dotenv-v1", ...ls, ""].join("\n")));
        const script = writeFileCommand("dotenv", target.path);
        this.steps = [hostCommand(
            `dotenv:${target.host ?? "local"}:${target.path}`,
            args.host,
            { create: script, update: script, stdin },
            { parent: this },
        )];
        this.registerOutputs({});
    }
}
