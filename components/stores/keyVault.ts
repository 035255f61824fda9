// The keyvault module alone: the package's index loads all of its ~490 modules at once
// (@pulumi/azure-native index.js requires every one), 0.3-0.5 s of every program's start-up
// for the one resource type rekey registers (issue 26).
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as pulumi from "@pulumi/pulumi";
import { KeyVaultStore, PlannedSecret } from "../plan/plan";
import { expiresAt } from "../plan/storeTargets";
import { keyVaultSecretName } from "../plan/storeKinds";
import { nested } from "../scope";
import { HasSteps } from "../steps";
import type { StoreComponent } from "./kind";
import { SecretValues, rekeyTags } from "./values";

export interface KeyVaultSecretsArgs {
    secret: PlannedSecret;
    store: KeyVaultStore;
    values: SecretValues;
    /** Before every child's name: the Rotation's (see hostCommand). */
    prefix?: string;
}

/**
 * One Key Vault secret per value the secret publishes here; each rotation adds a version.
 * With a cadence, `expires` is rotatedAt + cadenceDays, so Key Vault's own near-expiry
 * events (Event Grid SecretNearExpiry) remind the team.
 */
export class KeyVaultSecrets extends pulumi.ComponentResource implements HasSteps {
    public readonly steps: keyvault.Secret[];

    constructor(name: string, args: KeyVaultSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("rekey:index:KeyVaultSecrets", name, {}, opts);
        const { secret, store, values } = args;
        const expires = expiresAt(secret);
        const contentType = store.contentType ?? (secret.source.kind === "generate" ? secret.source.spec.encoding : "text/plain");
        this.steps = store.writes.map((w) => {
            const placed = nested(args.prefix ?? "", keyVaultSecretName(store, w.target));
            return new keyvault.Secret(
                placed.name,
                {
                    resourceGroupName: store.resourceGroup,
                    vaultName: store.vault,
                    secretName: w.target,
                    properties: {
                        value: values.of(w.variant),
                        contentType: w.variant === "user" ? "text/plain" : contentType,
                        attributes: { enabled: true, ...(expires !== null && w.variant === "current" ? { expires } : {}) },
                    },
                    tags: rekeyTags({ secret, variant: w.variant }),
                },
                { parent: this, aliases: placed.aliases },
            );
        });
        this.registerOutputs({});
    }
}

export const keyVaultStore: StoreComponent<"keyVault"> = (group, ctx, opts) => {
    const { secret, store } = group.members[0];
    return new KeyVaultSecrets(group.name, { secret, store, values: ctx.values.get(secret.name)!, prefix: ctx.prefix }, { ...opts, provider: ctx.providers["azure-native"] });
};
