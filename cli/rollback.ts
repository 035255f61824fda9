// `rekey rollback`: one epoch back for a keepPrevious secret, when the value of that epoch is
// the one the stack kept (never past an incident, never after a rollback), with its
// rotatedAt from the repository's history.
import { execFileSync } from "child_process";
import { basename, dirname } from "path";
import { consumerChanges } from "../components/plan/consumerChanges";
import { PREVIOUS_SUFFIX, isCalendarDate } from "../components/plan/plan";
import type { BaseOptions } from "./baseRevision";
import type { Today } from "./dates";
import { applyEpochEdits } from "./edit";
import { movedSinceBase, openBase, restartSummary, secretOf, write } from "./epochCommands";
import { CliError } from "./errors";
import type { Output } from "./output";
import type { Project } from "./project";
import { Stack, openStack, parseStackFile } from "./stackFile";

/**
 * A secret's epoch and rotatedAt in each commit of the stack file's history, newest first (up
 * to 200 commits). Git runs in the file's directory, where `-- <name>` and `<commit>:./<name>`
 * are relative to it (a project below the repository's top, a stackConfigDir).
 */
function epochHistory(s: Stack, name: string): { commit: string; epoch: number | undefined; rotatedAt: unknown }[] {
    const dir = dirname(s.path);
    const fileName = basename(s.path);
    const git = (args: string[]) => execFileSync("git", ["-C", dir, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], maxBuffer: 256 << 20 });
    let commits: string[];
    try {
        commits = git(["log", "--format=%H", "-n", "200", "--", fileName]).split("\n").filter(Boolean);
    } catch {
        return [];
    }
    return commits.flatMap((commit) => {
        try {
            // Read as every stack file is (foreign line breaks, alias bombs refused); an unreadable version is passed over.
            const secrets = parseStackFile(git(["show", `${commit}:./${fileName}`]), `${fileName} at ${commit}`, s.project.name).raw.secrets as Record<string, { epoch?: unknown; rotatedAt?: unknown } | undefined> | undefined;
            const entry = secrets && Object.hasOwn(secrets, name) ? secrets[name] : undefined;
            return [{ commit, epoch: Number.isInteger(entry?.epoch) ? (entry!.epoch as number) : undefined, rotatedAt: entry?.rotatedAt }];
        } catch {
            return [];
        }
    });
}

export function rollback(project: Project, stack: string, name: string, o: BaseOptions & Today & { reason?: string }): Output {
    const s = openStack(project, stack, o);
    const secret = secretOf(s, name);
    if (secret.source.kind !== "generate") throw new CliError(`${name} is ${secret.source.kind === "supplied" ? "supplied" : "derived"}: rekey keeps no earlier value of it to restore`);
    if (secret.epoch === 0) throw new CliError(`${name} is at epoch 0: there is no earlier epoch`);
    if (!secret.keepPrevious) {
        throw new CliError(`${name} does not have keepPrevious: true, so the value of epoch ${secret.epoch! - 1} was not kept and cannot be restored`);
    }
    if (secret.incident !== null) {
        throw new CliError(`${name}'s epoch ${secret.epoch} is an incident rotation (${JSON.stringify(secret.incident)}): rolling back would restore the leaked value of epoch ${secret.epoch! - 1}. Bump it for a fresh value instead`);
    }
    const from = secret.epoch!;
    const to = from - 1;
    const notes: string[] = [];
    const moved = movedSinceBase(s, () => openBase(s, o), [name], notes);
    if (moved.size) throw new CliError(moved.get(name)!);
    // How the stack file reached `from`: a bump from `to` left `to`'s value as the previous one.
    const history = epochHistory(s, name);
    const reached = history.find((h) => h.epoch !== undefined && h.epoch !== from);
    if (reached?.epoch === from + 1) {
        throw new CliError(
            `${name} reached epoch ${from} by a rollback from ${from + 1} (commit ${reached.commit.slice(0, 7)}): its previous value is epoch ${from + 1}'s, so epoch ${to}'s cannot be restored. Bump it for a fresh value instead`,
        );
    }
    const dated = history.find((h) => h.epoch === to && typeof h.rotatedAt === "string" && isCalendarDate(h.rotatedAt));
    if (dated) notes.push(`rotatedAt ${dated.rotatedAt} is epoch ${to}'s, from commit ${dated.commit.slice(0, 7)}`);
    else notes.push(`epoch ${to}'s rotatedAt is not in this repository's history: rotatedAt left as it was; correct it by hand if it matters for rekey due`);
    const edited = applyEpochEdits(s.file, [{ name, epoch: to, rotatedAt: dated?.rotatedAt as string | undefined, reason: o.reason }]);
    const diff = { consumers: consumerChanges(s.plan, write(s, edited), new Set()) };
    const restores =
        reached?.epoch === to
            ? `pulumi up restores exactly the value of epoch ${to}, which ${name}${PREVIOUS_SUFFIX} has held since the bump to ${from}.`
            : `pulumi up restores exactly the value of epoch ${to} if the stack's last completed rotation was the bump from ${to} to ${from}; otherwise it refuses and changes nothing.`;
    const stdout = [
        `${name}: epoch ${from} → ${to}. ${restores}`,
        `${name}${PREVIOUS_SUFFIX} then holds epoch ${from}'s value, the one rolled back from, until the next bump, which makes a fresh value.`,
        `Stores written: ${secret.stores.map((st) => st.label).join(", ") || "none"}; ${restartSummary(diff)}.`,
    ];
    return { stdout: stdout.join("\n") + "\n", notes, exitCode: 0 };
}
