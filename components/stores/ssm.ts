import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PlannedSecret, SsmStore } from "../plan/plan";
import { SecretValues, rekeyTags } from "./values";

export interface SsmParametersArgs {
    secret: PlannedSecret;
    store: SsmStore;
    values: SecretValues;
    provider?: aws.Provider;
}

/**
 * One SSM SecureString per value the secret publishes here. The value is written through
 * the write-only `valueWo`, so it never enters Pulumi state; `valueWoVersion` (derived from
 * the keyed fingerprint) changes exactly when the value does, which is what makes AWS
 * receive a new value.
 */
export class SsmParameters extends pulumi.ComponentResource {
    public readonly parameters: aws.ssm.Parameter[];

    constructor(name: string, args: SsmParametersArgs, opts?: pulumi.ComponentResourceOptions) {
        super("rekey:index:SsmParameters", name, {}, opts);
        const { secret, store, values } = args;
        this.parameters = store.writes.map(
            (w) =>
                new aws.ssm.Parameter(
                    `ssm:${store.region ? `${store.region}:` : ""}${w.target}`,
                    {
                        name: w.target,
                        type: "SecureString",
                        keyId: store.keyId ?? undefined,
                        valueWo: values.of(w.variant),
                        valueWoVersion: values.version(w.variant),
                        description: `Managed by rekey: ${secret.name}${w.variant === "current" ? "" : ` (${w.variant})`}. Rotate by bumping rekey:secrets.${secret.name}.epoch, not here.`,
                        tags: rekeyTags({ secret, variant: w.variant }),
                    },
                    { parent: this, provider: args.provider },
                ),
        );
        this.registerOutputs({});
    }
}
