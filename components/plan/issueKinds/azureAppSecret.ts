// `issue: { azureAppSecret: { applicationId } }`: an Entra ID app registration's client
// secret per slot (components/issuers/azureAppSecret.ts, an azuread.ApplicationPassword).
//
// A password credential expires: each slot's is valid for two cadences (`validDays`), one
// as the current secret and one as the previous, until the bump after next re-issues its
// slot (rekey due lists the secret as overdue after the first cadence). An app registration
// holds many password credentials, so a slot is re-issued new-first.
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
        return { kind: "azureAppSecret", applicationId: entry.applicationId.toLowerCase(), validDays: 2 * (ctx.cadenceDays ?? 0) };
    },
    owner: () => null,
    credential: (issue) => `a client secret of app registration ${issue.applicationId} (valid ${issue.validDays} days)`,
    replaced: (held) => `then removing the one that slot held (epoch ${held}'s, if deployed)`,
    revocation: "removal",
    revoked: "removed from the app registration",
    adoptRefused:
        "Entra ID shows a client secret's value only when it adds it (Microsoft Graph application: addPassword), so rekey cannot take over the secret in use: leave it until the first rotation has restarted every consumer, then remove it (az ad app credential delete)",
    importRefused: "azuread ApplicationPassword does not support importing (its value is shown only when it is added): the first pulumi up adds the secret",
};
