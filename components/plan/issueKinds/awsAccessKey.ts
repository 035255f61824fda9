// `issue: { awsAccessKey: { user } }`: an IAM access key per slot (components/issuers/awsAccessKey.ts).
//
// IAM allows two access keys per user (IAM User Guide, "IAM and AWS STS quotas": access keys
// assigned to an IAM user, 2): exactly the two slots. So one user serves one secret, and a
// slot is re-issued delete-first (the component's deleteBeforeReplace), so that a user
// already at two keys rotates.
import { nameText } from "../shown";
import { IssueKindPlanner } from "./kind";

/**
 * IAM API CreateUser, UserName: pattern `[\w+=,.@-]+`, 1-64 characters (CreateAccessKey's
 * UserName allows 128, but no user has a longer name). IAM User Guide, "IAM identifiers":
 * user names are not distinguished by case ("TESTUSER" and "testuser" are one user).
 */
const IAM_USER = /^[A-Za-z0-9_+=,.@-]{1,64}$/;

export const awsAccessKey: IssueKindPlanner<"awsAccessKey"> = {
    resolve(entry, ctx) {
        ctx.check("user", IAM_USER.test(entry.user) ? null : `IAM user ${nameText(entry.user)} must be 1-64 letters, digits and _+=,.@- (IAM CreateUser UserName)`);
        return { kind: "awsAccessKey", user: entry.user };
    },
    owner: (issue) => ({ key: issue.user.toLowerCase(), shown: `IAM user "${issue.user}"`, why: "IAM user names are not distinguished by case" }),
    credential: (issue) => `an access key of IAM user "${issue.user}"`,
    replaced: (held) => `deleting first the one that slot held (epoch ${held}'s, if deployed: IAM allows two keys per user)`,
    // terraform-provider-aws internal/service/iam/access_key.go: `user` is ForceNew, and the slots replace delete-first.
    settingsChanged: (before, after) =>
        before.user === after.user
            ? null
            : `its IAM user changed ("${before.user}" → "${after.user}"), and an access key's user is ForceNew: pulumi up deletes both keys, the one the consumers use included, before it issues the new ones (delete-first, IAM allows two keys per user), so the consumers fail until they restart on the new key. To move without an outage, add a secret issuing keys of the new user, move the consumers to it, then remove this one`,
    revocation: "inPlace",
    revoked: "deactivated (status Inactive)",
    adoptRefused:
        "an IAM access key's secret is given only when IAM creates the key (IAM CreateAccessKey), so rekey cannot take over a key in use: leave the old key to its runbook until the first rotation has restarted every consumer, then delete it by hand",
    importRefused: "IAM returns an access key's secret only at creation (terraform-provider-aws: secret is not available for imported resources): the first pulumi up issues the key",
};
