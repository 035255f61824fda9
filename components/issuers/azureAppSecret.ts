// One slot of `issue: { azureAppSecret: { applicationId } }`: an azuread.ApplicationPassword.
import * as azuread from "@pulumi/azuread";
import * as pulumi from "@pulumi/pulumi";
import { slotKeepers } from "../plan/generate";
import type { Issuer } from "./kind";

/**
 * A client secret of the app registration, re-issued when its slot's epoch (or round)
 * changes: `rotateWhenChanged` is the slot's keepers, and every input of the resource forces
 * a new one (terraform-provider-azuread internal/services/applications/
 * application_password_resource.go: no update, each argument ForceNew). An app registration
 * holds many password credentials, so the new one is added before the old one is removed
 * (the engine's default create-first). It asks for `validDays` (two cadences) from when it
 * is added (`endDateRelative`, ForceNew), which terraform-provider-azuread 3.x drops
 * (components/plan/issueKinds/azureAppSecret.ts: Entra ID's two-year default applies, and
 * the planner holds two cadences within it); a later edit of rotatedAt re-issues nothing. `value` is marked secret by pulumi-azuread itself (@pulumi/azuread
 * applicationPassword.js merges `additionalSecretOutputs: ["value"]` into every instance's
 * options: the provider's `Sensitive`; test/underMocks/issuedAppSecret.test.ts holds it);
 * the resource id and `keyId` hold no secret.
 */
export const azureAppSecretSlot: Issuer<"azureAppSecret"> = (name, issue, args) => {
    if (args.revoked) throw new Error(`${name}: a client secret is revoked by removal, not registered revoked`);
    const password = new azuread.ApplicationPassword(
        `${name}-${args.slot.parity}`,
        {
            applicationId: `/applications/${issue.applicationId}`,
            displayName: name,
            endDateRelative: `${issue.validDays * 24}h`,
            rotateWhenChanged: slotKeepers(args.slot),
        },
        { parent: args.parent, dependsOn: args.dependsOn },
    );
    return { value: pulumi.secret(password.value), id: pulumi.secret(password.keyId), resource: password };
};
