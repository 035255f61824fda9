import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { encode } from "./plan/encodings";
import { slotKeepers } from "./plan/generate";
import { GeneratorSlot, IssueKind, PlannedSecret } from "./plan/plan";
import { renderTemplate } from "./plan/template";
import type { IssuedSlot, Issuer } from "./issuers";
import { ISSUE_KIND_PLANNERS } from "./plan/issueKinds";
import { applyAll } from "./outputValues";

export { slotKeepers };

export interface RotatedSecretArgs {
    plan: PlannedSecret;
    /** The value of a supplied secret (from `rekey:supplied`). */
    supplied?: pulumi.Output<string>;
    /** The current values of a derived secret's inputs, by secret name. */
    inputs?: Record<string, pulumi.Output<string>>;
    /**
     * The stack deployed the adopted value at this epoch and the configuration still adopts
     * it: the holder keeps the deployed value (the program refuses a different one in
     * rekey:supplied before anything uses a value, program.ts checkRestores).
     */
    keepAdopted?: boolean;
}

/**
 * One secret of the inventory. Its value comes from random.RandomPassword generators keyed
 * by the epoch (see GeneratorSlot), from `rekey:supplied`, or from a template over other
 * secrets; every value it exposes stays inside Pulumi's secret wrapper.
 */
export class RotatedSecret extends pulumi.ComponentResource {
    public readonly value: pulumi.Output<string>;
    /** The value of the previous epoch (keepPrevious only). */
    public readonly previous?: pulumi.Output<string>;
    /** The password behind an htpasswd line, for the people who log in with it (never of an adopted value: rekey never had it). */
    public readonly password?: pulumi.Output<string>;
    /**
     * The adopted value as the stack's state holds it ("" when it holds none), when a slot
     * holds the adopted value; the program checks it before anything uses it.
     */
    public readonly adopted?: pulumi.Output<string>;
    /** An issued secret's credential ids (current, and previous when its slot exists), secret. */
    public readonly id?: pulumi.Output<string>;
    public readonly previousId?: pulumi.Output<string>;
    /**
     * At an incident, an issued secret's previous slot (the leaked credential) is registered
     * by the revocation step, revoked, after every consumer verified (components/revoke.ts);
     * `previous` and `previousId` resolve then.
     */
    public readonly revokeLeaked?: (dependsOn: pulumi.Resource[]) => IssuedSlot;

    constructor(name: string, args: RotatedSecretArgs, opts?: pulumi.ComponentResourceOptions) {
        super("rekey:index:RotatedSecret", name, {}, opts);
        const plan = args.plan;
        const source = plan.source;
        switch (source.kind) {
            case "generate": {
                if (plan.slots.some((slot) => slot.adopted)) this.adopted = adoptedValue(name, plan.adopt ? args.supplied : undefined, args.keepAdopted === true, this);
                const valueOf = (slot: GeneratorSlot) => {
                    if (slot.adopted) return { generator: undefined, value: this.adopted! };
                    const generator = new random.RandomPassword(
                        `${name}-${slot.parity}`,
                        { ...source.generator, keepers: slotKeepers(slot) },
                        { parent: this },
                    );
                    // One Output, secret (pulumi.secret of an apply makes four: outputValues.ts applyAll).
                    const value =
                        source.spec.encoding === "htpasswd"
                            ? applyAll([generator.result, generator.bcryptHash], ([r, h]) => encode(source.spec, r, h), true)
                            : applyAll([generator.result], ([r]) => encode(source.spec, r), true);
                    return { generator, value };
                };
                const [current, previous] = plan.slots.map(valueOf);
                this.value = current.value;
                if (previous) this.previous = previous.value;
                if (source.spec.encoding === "htpasswd" && current.generator) this.password = pulumi.secret(current.generator.result);
                break;
            }
            case "supplied":
                if (!args.supplied) throw new Error(`RotatedSecret ${name}: supplied secret without a value`);
                this.value = pulumi.secret(args.supplied);
                break;
            case "issue": {
                // Loaded here, on first use: the issuers' provider packages are for the inventories that issue (program.ts onFirstUse).
                const { ISSUERS } = require("./issuers") as typeof import("./issuers");
                const issuer = ISSUERS[source.issue.kind] as Issuer<IssueKind>;
                const issue = (slot: GeneratorSlot, revoked: boolean, dependsOn?: pulumi.Resource[]) => issuer(name, source.issue, { slot, revoked, parent: this, dependsOn });
                const [currentSlot, previousSlot] = plan.slots;
                const current = issue(currentSlot, false);
                this.value = current.value;
                this.id = current.id;
                if (previousSlot && plan.incident !== null && ISSUE_KIND_PLANNERS[source.issue.kind].revocation === "removal") {
                    // The leaked credential's slot is not registered: the engine removes it once every step succeeded.
                } else if (previousSlot && plan.incident !== null) {
                    let registered: (slot: IssuedSlot) => void = () => undefined;
                    const leaked = new Promise<IssuedSlot>((resolve) => (registered = resolve));
                    this.previous = pulumi.secret(pulumi.output(leaked.then((l) => l.value)));
                    this.previousId = pulumi.secret(pulumi.output(leaked.then((l) => l.id)));
                    this.revokeLeaked = (dependsOn) => {
                        const slot = issue(previousSlot, true, dependsOn);
                        registered(slot);
                        return slot;
                    };
                } else if (previousSlot) {
                    const previous = issue(previousSlot, false);
                    this.previous = previous.value;
                    this.previousId = previous.id;
                }
                break;
            }
            case "derive": {
                const inputs = args.inputs ?? {};
                const missing = source.inputs.filter((n) => !(n in inputs));
                if (missing.length) throw new Error(`RotatedSecret ${name}: derive inputs missing: ${missing.join(", ")}`);
                this.value = pulumi.secret(pulumi.all(inputs).apply((values) => renderTemplate(source.template, values)));
                break;
            }
        }
        this.registerOutputs({ value: this.value, previous: this.previous });
    }
}

/**
 * Where the adopted value lives once the configuration no longer carries it (`rekey bump`
 * removes `adopt:`, and the supplied copy may be deleted), as long as a slot holds it: a
 * RandomPassword (its id is "none", never a value) whose `keepers` carry the value. Its
 * `result` is unused. Until the stack deployed it, `keepers` follow rekey:supplied (a
 * changed value replaces the holder); after that (`keep`, or the configuration no longer
 * adopts) the holder is registered with `ignoreChanges: ["keepers"]`, so the engine keeps the old input, the adopted value
 * (pkg/resource/deploy/step_generator.go processIgnoreChanges: ignored properties take their
 * old inputs), and the provider's state echoes it (terraform-provider-random
 * internal/provider/resource_password.go Create: the planned keepers become the state).
 * A holder the state lost is created from rekey:supplied even with `keep`: ignoreChanges
 * applies to updates only (processIgnoreChanges runs on an existing resource's old inputs).
 * `keepers` are an additional secret output, so the state holds the value encrypted.
 */
function adoptedValue(name: string, fromConfig: pulumi.Output<string> | undefined, keep: boolean, parent: pulumi.Resource): pulumi.Output<string> {
    const holder = new random.RandomPassword(
        `${name}-adopted`,
        { length: 16, special: false, keepers: fromConfig ? { value: pulumi.secret(fromConfig) } : {} },
        { parent, additionalSecretOutputs: ["keepers"], ...(fromConfig && !keep ? {} : { ignoreChanges: ["keepers"] }) },
    );
    return pulumi.secret(holder.keepers.apply((k) => k?.value ?? ""));
}
