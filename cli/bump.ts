// `rekey bump`: epoch + 1 and rotatedAt for the secrets named (or --all), written into the
// stack file; an incident bump writes `incident:` (and `revokeFirst:`) beside the epoch.
import { diffPlans } from "../components/plan/diff";
import type { BaseOptions } from "./baseRevision";
import { Today, checkDate } from "./dates";
import { EpochEdit, applyEpochEdits } from "./edit";
import { movedSinceBase, openBase, restartSummary, secretOf, write } from "./epochCommands";
import { CliError } from "./errors";
import type { Output } from "./output";
import type { Project } from "./project";
import { StackFile, openStack } from "./stackFile";

export interface BumpOptions extends BaseOptions, Today {
    all?: boolean;
    date: string;
    reason?: string;
    /** The old value leaked: written as `incident:` beside the new epoch. */
    incident?: string;
    /** With incident: written as `revokeFirst: true`, the leaked credential is revoked before the consumers restart. */
    revokeFirst?: boolean;
}

export function bump(project: Project, stack: string, names: string[], o: BumpOptions): Output {
    if (names.length && o.all) throw new CliError("give secret names or --all, not both");
    if (!names.length && !o.all) throw new CliError("name the secrets to bump, or give --all");
    if (o.revokeFirst && o.incident === undefined) throw new CliError("--revoke-first needs --incident REASON: it revokes a leaked credential before the consumers restart");
    const date = checkDate("--date", o.date);
    if (date > o.today) throw new CliError(`--date "${date}" is in the future (today is ${o.today}, UTC)`);
    const s = openStack(project, stack, o);
    const notes: string[] = [];
    let base: { label: string; file: StackFile | null } | undefined;
    const baseFile = () => (base ??= openBase(s, o));
    const candidates = o.all ? s.plan.secrets.filter((x) => x.source.kind !== "derive").map((x) => x.name) : [...new Set(names)];
    const chosen: { name: string; epoch: number }[] = [];
    for (const name of candidates) {
        const secret = secretOf(s, name);
        if (secret.source.kind === "derive") {
            throw new CliError(`${name} is derived from ${secret.source.inputs.join(", ")}: it has no epoch and follows its inputs; bump those`);
        }
        if (secret.source.kind === "supplied") {
            let b: ReturnType<typeof baseFile>;
            try {
                b = baseFile();
            } catch (e) {
                if (!o.all || !(e instanceof CliError)) throw e;
                notes.push(`not bumped: ${name} (supplied): cannot tell whether its value changed: ${e.message}`);
                continue;
            }
            const before = b.file?.ciphertexts.get(name);
            if (before !== undefined && before === s.file.ciphertexts.get(name)) {
                const how = `set the new value first with pulumi config set --secret --path 'rekey:supplied.${name}', then bump it`;
                if (!o.all) throw new CliError(`${name} is supplied and its encrypted value is the same as at ${b.label}: ${how}`);
                notes.push(`not bumped: ${name} (supplied), whose encrypted value is the same as at ${b.label}; to rotate it, ${how}`);
                continue;
            }
        }
        chosen.push({ name, epoch: secret.epoch! });
    }
    const moved = movedSinceBase(s, baseFile, chosen.map((c) => c.name), notes);
    if (moved.size && !o.all) throw new CliError([...moved.values()].join("\n"));
    for (const [name, why] of moved) notes.push(`not bumped: ${name}, already moved in this change (${why})`);
    chosen.splice(0, chosen.length, ...chosen.filter((c) => !moved.has(c.name)));
    if (!chosen.length) throw new CliError("nothing to bump");
    // adopt is valid only at epoch 0: the bump from it removes the line (the adopted value becomes the previous one).
    const edits: EpochEdit[] = chosen.map(({ name, epoch }) => ({ name, epoch: epoch + 1, rotatedAt: date, reason: o.reason, dropAdopt: epoch === 0, incident: o.incident, revokeFirst: o.revokeFirst }));
    const text = applyEpochEdits(s.file, edits);
    const diff = diffPlans(s.plan, write(s, text), new Set());
    const adopted = new Set(s.plan.secrets.filter((x) => x.adopt).map((x) => x.name));
    const lines = edits.flatMap((e) => [
        `${e.name}: epoch ${e.epoch - 1} → ${e.epoch}, rotatedAt ${date}${e.incident === undefined ? "" : e.revokeFirst ? ", incident: no overlap, revoked first (before the consumers restart: they fail until then)" : ", incident: no overlap (rekey plan says when the old value stops working)"}`,
        ...(adopted.has(e.name)
            ? [`${e.name}: adopt removed (epoch ${e.epoch} is generated; the stack's state keeps the adopted value): rekey:supplied.${e.name} is no longer read, delete it with pulumi config rm --path 'rekey:supplied.${e.name}'`]
            : []),
    ]);
    lines.push(`${restartSummary(diff)}; rekey plan --stack ${stack} shows the whole rotation`);
    return { stdout: lines.join("\n") + "\n", notes, exitCode: 0 };
}
