// An Azure Key Vault secret per value; Key Vault names take "-", so `_PREVIOUS` is `-previous`.
import * as fieldRules from "../fieldRules";
import { StoreKindPlanner, StoreOf, writesOf } from "./kind";

/** The resource name of one Key Vault secret (after the Rotation's prefix); the program and `rekey import` use it. */
export const keyVaultSecretName = (store: StoreOf<"keyVault">, target: string) => `keyvault:${store.vault}/${target}`;

export const keyVault: StoreKindPlanner<"keyVault"> = {
    recordsEpoch: true,
    writerFollowsIncident: false,
    // The azure-native provider manages a secret through the management plane, which never
    // returns its value (a data-plane read needs the vault's own endpoint and a data-plane
    // role, which the stack configuration does not name).
    notReadBack: "the Key Vault management API never returns a secret's value, and rekey has no data-plane read (it would need the vault's endpoint and a data-plane role, which the stack configuration has no setting for)",
    resolve(e, ctx) {
        const vault = e.vault ?? ctx.defaults.keyVault?.vault;
        const resourceGroup = e.resourceGroup ?? ctx.defaults.keyVault?.resourceGroup;
        if (!vault) ctx.check("keyVault.vault", "is required (here or in rekey:defaults.keyVault.vault)");
        else ctx.check("keyVault.vault", fieldRules.keyVaultNameProblem(vault));
        if (!resourceGroup) ctx.check("keyVault.resourceGroup", "is required (here or in rekey:defaults.keyVault.resourceGroup)");
        else ctx.check("keyVault.resourceGroup", fieldRules.resourceGroupProblem(resourceGroup));
        const subscriptionId = e.subscriptionId ?? ctx.defaults.keyVault?.subscriptionId ?? null;
        if (subscriptionId !== null) ctx.check("keyVault.subscriptionId", fieldRules.subscriptionIdProblem(subscriptionId));
        const name = e.name ?? fieldRules.defaultKeyVaultSecretName(ctx.secret);
        const writes = writesOf(ctx, name, (s) => s.toLowerCase().replace(/_/g, "-"));
        for (const w of writes) ctx.check("keyVault.name", fieldRules.keyVaultSecretNameProblem(w.target));
        return {
            kind: "keyVault",
            label: `keyVault:${vault}/${name}`,
            vault: vault ?? "",
            resourceGroup: resourceGroup ?? "",
            contentType: e.contentType ?? null,
            subscriptionId,
            writes,
        };
    },
    writeLocation: (store, w) => `Key Vault secret ${store.vault}/${w.target}`,
};
