import * as pulumi from "@pulumi/pulumi";
import { dotenvLine } from "../plan/dotenvLine";
import { StoreGroup } from "../plan/storeTargets";
import type { StoreComponent } from "./kind";
import { HasSteps } from "../steps";
import { HostTarget, hostCommand } from "../commands/hostCommand";
import { SecretValues, describeWrite } from "./values";
import { writeFileCommand } from "./writeFileCommand";
import { applyAll } from "../outputValues";

export interface DotenvFileArgs {
    /** The stores of every rekey secret with a key in this file. */
    group: StoreGroup<"dotenv">;
    values: Map<string, SecretValues>;
    host: HostTarget;
    /** Before every child's name: the Rotation's (see hostCommand). */
    prefix?: string;
}

/**
 * The keys rekey manages in one .env file, written by scripts/write-file.sh: only those
 * lines change, every other line, comment and the order are kept, the file is replaced
 * atomically with its mode and owner, and the previous file is kept as .rekey-backup
 * (never at an incident).
 */
export class DotenvFile extends pulumi.ComponentResource implements HasSteps {
    public readonly steps: pulumi.CustomResource[];

    constructor(name: string, args: DotenvFileArgs, opts?: pulumi.ComponentResourceOptions) {
        super("rekey:index:DotenvFile", name, {}, opts);
        const { host, path } = args.group.members[0].store;
        const lines = args.group.writes.map((ref) =>
            args.values.get(ref.secret.name)!.of(ref.variant).apply((value) => {
                const r = dotenvLine(ref.target, value);
                if ("problem" in r) {
                    throw new Error(`rekey: ${describeWrite(ref)} cannot be written to ${path} as ${ref.target}: ${r.problem}`);
                }
                return r.line;
            }),
        );
        // Each line checked as its value resolves (a value no line can hold fails even while another is unknown); the file one Output over them (outputValues.ts applyAll), secret.
        const stdin = applyAll(lines, (ls) => ["rekey-dotenv-v1", ...ls, ""].join("\n"), true);
        // A file shared with an incident secret held its leaked value: no backup of it outlives the run.
        const script = writeFileCommand("dotenv", path, { incident: args.group.members.some((m) => m.secret.incident !== null) });
        this.steps = [hostCommand(
            `dotenv:${host ?? "local"}:${path}`,
            args.host,
            { create: script, update: script, stdin },
            { parent: this },
            args.prefix,
        )];
        this.registerOutputs({});
    }
}

export const dotenvStore: StoreComponent<"dotenv"> = (group, ctx, opts) =>
    new DotenvFile(group.name, { group, values: ctx.values, host: ctx.host(group.members[0].store.host), prefix: ctx.prefix }, opts);
