import * as pulumi from "@pulumi/pulumi";
import { PlannedSecret, Variant } from "../plan/plan";
import { WriteRef } from "../plan/storeTargets";
import { writeRecord } from "../plan/schedule";

/** The values a secret publishes to its stores, by variant, and their write versions. */
export interface SecretValues {
    /** Always secret. */
    of(variant: Variant): pulumi.Output<string>;
    /** The keyed fingerprint of the value (not secret). */
    fingerprint(variant: Variant): pulumi.Output<string>;
}

/** Tags (SSM, Key Vault) recording which secret, variant and epoch a value is. */
export function rekeyTags(ref: { secret: PlannedSecret; variant: Variant }): Record<string, string> {
    const { epoch, rotatedAt } = writeRecord(ref);
    const tags: Record<string, string> = { "managed-by": "rekey", "rekey:secret": ref.secret.name, "rekey:variant": ref.variant };
    if (epoch !== null) tags["rekey:epoch"] = String(epoch);
    if (rotatedAt) tags["rekey:rotatedAt"] = rotatedAt;
    if (ref.secret.source.kind === "derive") tags["rekey:derivedFrom"] = ref.secret.source.inputs.join(" ");
    return tags;
}

export function describeWrite(ref: WriteRef): string {
    return `${ref.secret.name}${ref.variant === "current" ? "" : ` (${ref.variant})`}`;
}
