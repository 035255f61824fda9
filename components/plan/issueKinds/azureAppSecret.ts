// `issue: { azureAppSecret: { applicationId } }`: an Entra ID app registration's client
// secret per slot (components/issuers/azureAppSecret.ts, an azuread.ApplicationPassword).
//
// A password credential expires, and each slot's must stay valid for two cadences (`validDays`),
// one as the current secret and one as the previous, until the bump after next re-issues its
// slot (rekey due lists the secret as overdue after the first cadence). The slot asks for that
// lifetime (`endDateRelative`), but terraform-provider-azuread 3.x, under @pulumi/azuread 6,
// drops it: internal/helpers/credentials/credentials.go `PasswordCredentialForResource` puts
// `end_date_relative` in the map that `PasswordCredential` builds the request from, and
// `PasswordCredential` reads only `end_date` (hashicorp/terraform-provider-azuread#1424,
// open; every tag v3.0.0-v3.9.0). Entra ID then gives the secret Microsoft Graph's default,
// `startDateTime + 2 years` (application: addPassword, `endDateTime`). So two cadences must
// fit in two years: cadenceDays at most 365. An app registration holds many password
// credentials, so a slot is re-issued new-first.
//
// Entra ID's default lifetime: 2 years, taken as 730 days (a leap day only lengthens it).
const DEFAULT_LIFETIME_DAYS = 730;
import { nameText } from "../shown";
import { IssueKindPlanner } from "./kind";

/** The application's object ID (Microsoft Graph `application.id`), which the provider's `/applications/{id}` resource ID holds. */
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export const azureAppSecret: IssueKindPlanner<"azureAppSecret"> = {
    resolve(entry, ctx) {
        ctx.check(
            "applicationId",
            UUID.test(entry.applicationId) ? null : `must be the app registration's object ID, a UUID (az ad app show --id <client id> --query id -o tsv); got ${nameText(entry.applicationId)}`,
        );
        if (ctx.cadenceDays === null) ctx.secretCheck("cadenceDays", "is required with issue.azureAppSecret: a client secret expires, two cadences after it is issued (one as the current secret, one as the previous)");
        else if (2 * ctx.cadenceDays > DEFAULT_LIFETIME_DAYS) {
            ctx.secretCheck(
                "cadenceDays",
                `must be at most ${DEFAULT_LIFETIME_DAYS / 2} with issue.azureAppSecret: a client secret serves two cadences (current, then previous), and Entra ID ends it two years after it is added (Microsoft Graph addPassword's default: @pulumi/azuread 6 drops endDateRelative, hashicorp/terraform-provider-azuread#1424)`,
            );
        }
        return { kind: "azureAppSecret", applicationId: entry.applicationId.toLowerCase(), validDays: 2 * (ctx.cadenceDays ?? 0) };
    },
    owner: () => null,
    credential: (issue) => `a client secret of app registration ${issue.applicationId} (Entra ID ends it two years after it is added; two cadences are ${issue.validDays} days)`,
    replaced: (held) => `then removing the one that slot held (epoch ${held}'s, if deployed)`,
    // Every argument of an ApplicationPassword is ForceNew; the slots replace new-first.
    settingsChanged: (before, after) =>
        before.applicationId === after.applicationId && before.validDays === after.validDays
            ? null
            : "its app registration or cadenceDays changed, and every argument of a client secret is ForceNew: pulumi up adds two new client secrets (the current and the previous slot's) and removes the old ones at its end, once every step succeeded; the stores and consumers move to the new current one",
    revocation: "removal",
    revoked: "removed from the app registration",
    adoptRefused:
        "Entra ID shows a client secret's value only when it adds it (Microsoft Graph application: addPassword), so rekey cannot take over the secret in use: leave it until the first rotation has restarted every consumer, then remove it (az ad app credential delete)",
    importRefused: "azuread ApplicationPassword does not support importing (its value is shown only when it is added): the first pulumi up adds the secret",
};
