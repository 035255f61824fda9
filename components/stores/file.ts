import * as pulumi from "@pulumi/pulumi";
import { FileStore, PlannedSecret } from "../plan/plan";
import { HasSteps } from "../steps";
import { HostTarget, hostCommand } from "../commands/hostCommand";
import type { StoreComponent } from "./kind";
import { SecretValues } from "./values";
import { writeFileCommand } from "./writeFileCommand";

export interface SecretFilesArgs {
    secret: PlannedSecret;
    store: FileStore;
    values: SecretValues;
    host: HostTarget;
    /** Before every child's name: the Rotation's (see hostCommand). */
    prefix?: string;
}

/**
 * One file per value (Docker secrets, mounted key files), holding exactly the value,
 * written atomically by scripts/write-file.sh with the entry's mode and owner (or the
 * existing file's; 0600 for a new file). At an incident the writer keeps no backup of the
 * value file nor of its `.previous` (both held leaked values).
 */
export class SecretFiles extends pulumi.ComponentResource implements HasSteps {
    public readonly steps: pulumi.CustomResource[];

    constructor(name: string, args: SecretFilesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("rekey:index:SecretFiles", name, {}, opts);
        const { store } = args;
        this.steps = store.writes.map((w) => {
            const script = writeFileCommand("file", w.target, { mode: store.mode, owner: store.owner, incident: args.secret.incident !== null });
            return hostCommand(
                `file:${store.host ?? "local"}:${w.target}`,
                args.host,
                { create: script, update: script, stdin: args.values.of(w.variant) },
                { parent: this },
                args.prefix,
            );
        });
        this.registerOutputs({});
    }
}

export const fileStore: StoreComponent<"file"> = (group, ctx, opts) => {
    const { secret, store } = group.members[0];
    return new SecretFiles(group.name, { secret, store, values: ctx.values.get(secret.name)!, host: ctx.host(store.host), prefix: ctx.prefix }, opts);
};
