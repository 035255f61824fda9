// One slot of `issue: { awsAccessKey: { user } }`: an aws.iam.AccessKey of the user.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { slotKeepers } from "../plan/generate";
import type { Issuer } from "./kind";

/**
 * The outputs that hold the secret access key or something made from it. pulumi-aws marks
 * `secret` and `sesSmtpPasswordV4` secret itself (@pulumi/aws iam/accessKey.js, the
 * constructor's `additionalSecretOutputs`, from terraform-provider-aws
 * internal/service/iam/access_key.go `ResourceAccessKey`: both `Sensitive: true`); rekey
 * names them again, with the PGP-encrypted forms, so that the rule holds whatever the
 * provider's version. The resource id is the access key id (not a secret: IAM logs it in
 * CloudTrail), published as `<NAME>_ID` and kept secret there like every store value.
 */
export const ACCESS_KEY_SECRET_OUTPUTS = ["secret", "sesSmtpPasswordV4", "encryptedSecret", "encryptedSesSmtpPasswordV4"];

/**
 * IAM allows two access keys per user, and the two slots hold them. A slot is re-issued when
 * its epoch (or round) changes: the `replacementTrigger` is the slot's keepers (the engine
 * replaces a resource whose trigger differs from the recorded one: pulumi/pulumi
 * pkg/resource/deploy/step_generator.go `generateStepsFromDiff`, `shouldTriggerReplace`),
 * delete first (`deleteBeforeReplace` overrides the provider's create-first:
 * step_generator.go `continueStepsFromDiff`), so that a user at two keys rotates: the key
 * deleted is the one from two epochs back, which no consumer reads since the last bump.
 * At an incident the slot holding the leaked key is registered `Inactive`, after every
 * consumer verified (`dependsOn`): an update in place (access_key.go `resourceAccessKeyUpdate`:
 * a status change is UpdateAccessKey; only `user` and `pgp_key` are ForceNew).
 */
export const awsAccessKeySlot: Issuer<"awsAccessKey"> = (name, issue, args) => {
    const key = new aws.iam.AccessKey(
        `${name}-${args.slot.parity}`,
        { user: issue.user, status: args.revoked ? "Inactive" : "Active" },
        {
            parent: args.parent,
            dependsOn: args.dependsOn,
            replacementTrigger: slotKeepers(args.slot),
            deleteBeforeReplace: true,
            additionalSecretOutputs: ACCESS_KEY_SECRET_OUTPUTS,
        },
    );
    return { value: pulumi.secret(key.secret), id: pulumi.secret(key.id), resource: key };
};
