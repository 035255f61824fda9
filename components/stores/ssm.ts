import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PlannedSecret, SsmStore } from "../plan/plan";
import { ssmParameterName } from "../plan/storeKinds";
import { nested } from "../scope";
import { HasSteps } from "../steps";
import type { StoreComponent } from "./kind";
import { SecretValues, rekeyTags } from "./values";

export interface SsmParametersArgs {
    secret: PlannedSecret;
    store: SsmStore;
    values: SecretValues;
    provider?: aws.Provider;
    /** Before every child's name: the Rotation's (see hostCommand). */
    prefix?: string;
}

/**
 * One SSM SecureString per value the secret publishes here, written through `value`.
 *
 * Not the write-only `valueWo`: the engine stores write-only inputs in the state's inputs,
 * encrypted like every secret (pulumi-terraform-bridge issue 3201 is open), and the value is
 * in state anyway as the generator's `result`. So `valueWo` would keep nothing out of state
 * and would hide drift: `value` is read back by `pulumi refresh`, which then shows a value
 * changed by hand. The provider stores `value` as a secret.
 */
export class SsmParameters extends pulumi.ComponentResource implements HasSteps {
    public readonly steps: aws.ssm.Parameter[];

    constructor(name: string, args: SsmParametersArgs, opts?: pulumi.ComponentResourceOptions) {
        super("rekey:index:SsmParameters", name, {}, opts);
        const { secret, store, values } = args;
        this.steps = store.writes.map((w) => {
            const placed = nested(args.prefix ?? "", ssmParameterName(store, w.target));
            return new aws.ssm.Parameter(
                placed.name,
                {
                    name: w.target,
                    type: "SecureString",
                    keyId: store.keyId ?? undefined,
                    value: values.of(w.variant),
                    description: `Managed by rekey: ${secret.name}${w.variant === "current" ? "" : ` (${w.variant})`}. Rotate by bumping rekey:secrets.${secret.name}.epoch, not here.`,
                    tags: rekeyTags({ secret, variant: w.variant }),
                },
                { parent: this, provider: args.provider, aliases: placed.aliases },
            );
        });
        this.registerOutputs({});
    }
}

export const ssmStore: StoreComponent<"ssm"> = (group, ctx, opts) => {
    const { secret, store } = group.members[0];
    return new SsmParameters(group.name, { secret, store, values: ctx.values.get(secret.name)!, provider: ctx.awsProvider(store.region) ?? (ctx.providers.aws as aws.Provider | undefined), prefix: ctx.prefix }, opts);
};
