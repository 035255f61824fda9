// What a change does to each secret's value: added, removed, rotated (an epoch moved), a new
// supplied value, derived from an input that changed, redefined; why each value changes (a
// consumer's restart cause), and which epochs moved with the same value. Pure; diff.ts
// decides from it which of the schedule's steps run.
import { adoptChangedReason } from "./deployed";
import { PlannedSecret, RotationPlan } from "./model";
import { issueSettingsChanged } from "./issueKinds";

export type SourceKind = PlannedSecret["source"]["kind"];

export interface SecretsDiff {
    /** `adopted`: its value is the one in use (adopt), so it runs no hook and restarts nothing. */
    added: { name: string; source: SourceKind; epoch: number | null; adopted?: true }[];
    removed: { name: string; source: SourceKind }[];
    /**
     * Epoch changes (generated and supplied secrets); `to < from` is a rollback. `reason` is
     * the comment beside the epoch, when the caller has the stack file's text.
     */
    rotated: { name: string; source: "generate" | "supplied" | "issue"; from: number; to: number; reason?: string }[];
    /** Supplied secrets whose encrypted value changed. */
    suppliedChanged: { name: string }[];
    /** Derived secrets whose value follows an input that changed. */
    derived: { name: string; inputs: string[] }[];
    /** Secrets whose value changes because their definition changed. */
    redefined: { name: string; what: string }[];
}

export interface SecretChanges {
    secrets: SecretsDiff;
    /** Why each secret's value changes (absent: unchanged), as a consumer's restart cause. */
    cause: Map<string, string>;
    /** Of those, the secrets whose epoch moved with the same value (a supplied one, and what derives only from such). */
    sameValue: Set<string>;
    warnings: string[];
    errors: string[];
}

/** What decides a generated value besides the epoch: the generator and the encoding. */
function generatedValueKey(s: PlannedSecret): string {
    if (s.source.kind !== "generate") return "";
    const { generator, spec } = s.source;
    return JSON.stringify({ generator, encoding: spec.encoding, user: spec.user ?? null });
}

/**
 * An adopted secret whose postgres (or mysql) hook alternates two roles (users): rekey cannot
 * see which role the value in use belongs to, so it assumes the role of the epoch's parity
 * (resolveHooks.ts: roles[epoch % 2]), and `NAME_USER` says that role. Said, with how to make it the right one.
 */
function adoptedRole(h: PlannedSecret): string | null {
    const apply = h.apply;
    const pair = apply?.kind === "postgres" ? apply.roles : apply?.kind === "mysql" ? apply.users : [];
    if (!h.inUse || pair.length !== 2 || h.epoch === null || h.user === null) return null;
    const role = h.user;
    const [other] = pair.filter((r) => r !== role);
    const fix =
        h.source.kind === "generate"
            ? `list ${other} first in roles (epoch 0 picks the first)`
            : `set an epoch of the other parity, or swap the order of roles`;
    return `${h.name}: adopt assumes the value in use is the password of role ${role} (epoch ${h.epoch} picks roles[${h.epoch % 2}]), and ${h.name}_USER will say ${role}; if the services log in as ${other}, ${fix} (docs/migration.md)`;
}

/** Each secret's change between two plans of one stack (`base` null: a new stack). */
export function secretChanges(base: RotationPlan | null, head: RotationPlan, suppliedChanged: ReadonlySet<string>): SecretChanges {
    const before = new Map((base?.secrets ?? []).map((s) => [s.name, s]));
    const after = new Map(head.secrets.map((s) => [s.name, s]));
    const secrets: SecretsDiff = { added: [], removed: [], rotated: [], suppliedChanged: [], derived: [], redefined: [] };
    const warnings: string[] = [];
    const errors: string[] = [];
    const cause = new Map<string, string>();
    const sameValue = new Set<string>();

    for (const h of head.secrets) {
        const b = before.get(h.name);
        if (!b) {
            // An adopted value is the one the services run with: written, but no cause.
            secrets.added.push({ name: h.name, source: h.source.kind, epoch: h.epoch, ...(h.inUse ? { adopted: true as const } : {}) });
            if (!h.inUse) cause.set(h.name, `${h.name} (new)`);
            const assumed = adoptedRole(h);
            if (assumed) warnings.push(assumed);
            continue;
        }
        if (h.inUse && !b.inUse) {
            const assumed = adoptedRole(h);
            if (assumed) warnings.push(assumed);
            // adopt added to a secret the base has: the program refuses it if the stack deployed
            // it without adopt (components/plan/deployed.ts problemFor).
            warnings.push(`${h.name}: adopt applies to a secret's first deployment only; if this stack deployed ${h.source.kind === "generate" ? "its epoch 0" : "it"}, pulumi up refuses it`);
            continue;
        }
        if (b.source.kind !== h.source.kind) {
            const what = `was ${b.source.kind}, now ${h.source.kind}`;
            secrets.redefined.push({ name: h.name, what });
            cause.set(h.name, `${h.name} (${what})`);
            continue;
        }
        const epochMoved = b.epoch !== h.epoch && b.epoch !== null && h.epoch !== null;
        if (epochMoved) secrets.rotated.push({ name: h.name, source: h.source.kind as "generate" | "supplied" | "issue", from: b.epoch!, to: h.epoch! });
        if (epochMoved && Math.abs(h.epoch! - b.epoch!) > 1) {
            const step = h.epoch! > b.epoch! ? b.epoch! + 1 : b.epoch! - 1;
            errors.push(`${h.name}: epoch ${b.epoch} → ${h.epoch} moves ${Math.abs(h.epoch! - b.epoch!)} steps; pulumi up refuses more than one per completed rotation. Set it to ${step} in this change, and move on in a later one`);
        }
        const epochText = epochMoved ? ` ${b.epoch} → ${h.epoch}` : "";
        switch (h.source.kind) {
            case "generate":
                if (h.inUse) {
                    // Still adopted: the value is the one in use. A different one in rekey:supplied
                    // under the same claim is refused (program.ts checkRestores).
                    if (suppliedChanged.has(h.name) && b.inUse) errors.push(`${h.name}: ${adoptChangedReason(h.name, h.epoch!, "the base")}`);
                } else if (generatedValueKey(b) !== generatedValueKey(h)) {
                    secrets.redefined.push({ name: h.name, what: "generate settings changed" });
                    cause.set(h.name, `${h.name}${epochText} (generate settings changed)`);
                    if (!epochMoved) warnings.push(`${h.name}: its generate settings changed, so pulumi up makes a new value without a bump; bump it in this change so the rotation is recorded, or revert the settings`);
                } else if (epochMoved) {
                    cause.set(h.name, `${h.name}${epochText}`);
                }
                break;
            case "supplied":
                if (h.inUse) {
                    // Still adopted (components/plan/deployed.ts adoptedInUse): rekey:supplied holds the
                    // value in use; a new one is written as it is, and restarts nothing.
                    // A different value under the same claim is refused (program.ts checkRestores).
                    if (suppliedChanged.has(h.name) && !epochMoved && b.inUse) errors.push(`${h.name}: ${adoptChangedReason(h.name, h.epoch!, "the base")}`);
                    if (epochMoved) {
                        errors.push(`${h.name}: epoch ${b.epoch} → ${h.epoch} with adopt still set: once the stack deployed epoch ${b.epoch} adopted, pulumi up refuses adopt at another epoch; remove the adopt line (rekey bump removes it)`);
                    }
                } else if (suppliedChanged.has(h.name)) {
                    secrets.suppliedChanged.push({ name: h.name });
                    cause.set(h.name, `${h.name}${epochText} (new supplied value)`);
                    if (!epochMoved) warnings.push(`${h.name}: the supplied value changed but its epoch did not; run rekey bump ${h.name} so the rotation is recorded`);
                } else if (epochMoved) {
                    // The epoch is in the restart triggers: consumers restart, with the same value.
                    cause.set(h.name, `${h.name}${epochText} (same supplied value)`);
                    sameValue.add(h.name);
                    warnings.push(`${h.name}: the epoch changed but the encrypted value did not; set the new value with pulumi config set --secret --path 'rekey:supplied.${h.name}'`);
                } else if (b.inUse) {
                    // adopt removed: the value is no longer taken to be in use, so it enters the restart
                    // triggers and its hook runs (components/plan/deployed.ts adoptedInUse).
                    cause.set(h.name, `${h.name} (adopt removed)`);
                    sameValue.add(h.name);
                    warnings.push(`${h.name}: adopt was removed with neither a new value nor a bump; pulumi up runs its hook and restarts its consumers with the same value`);
                }
                break;
            case "issue":
                if (JSON.stringify(b.source) !== JSON.stringify(h.source)) {
                    secrets.redefined.push({ name: h.name, what: "issue settings changed" });
                    cause.set(h.name, `${h.name}${epochText} (issue settings changed)`);
                    warnings.push(...issueSettingsChanged(h.name, b.source, h.source.issue));
                } else if (epochMoved) cause.set(h.name, `${h.name}${epochText}`);
                break;
            case "derive": {
                const inputs = h.source.inputs.filter((i) => cause.has(i));
                if (JSON.stringify(b.source) !== JSON.stringify(h.source)) {
                    secrets.redefined.push({ name: h.name, what: "template changed" });
                    cause.set(h.name, `${h.name} (template changed)`);
                } else if (inputs.length) {
                    secrets.derived.push({ name: h.name, inputs });
                    cause.set(h.name, `${h.name} (follows ${inputs.join(", ")})`);
                    if (inputs.every((i) => sameValue.has(i))) sameValue.add(h.name);
                }
                break;
            }
        }
    }
    for (const b of base?.secrets ?? []) {
        if (!after.has(b.name)) secrets.removed.push({ name: b.name, source: b.source.kind });
    }
    return { secrets, cause, sameValue, warnings, errors };
}
