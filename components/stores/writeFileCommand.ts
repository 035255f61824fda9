import { readFileSync } from "fs";
import { join } from "path";
import { shellQuote } from "../commands/hostCommand";

export const WRITE_FILE_SCRIPT = readFileSync(join(__dirname, "scripts", "write-file.sh"), "utf8");

export interface WriteFileOptions {
    mode?: string | null;
    owner?: string | null;
    /** The file holds a value that leaked: the writer keeps no backup and removes the one kept before. */
    incident?: boolean;
}

/**
 * The command line that runs the store writer (scripts/write-file.sh) under `sh`. Only
 * non-secret words (kind, path, mode, owner) are in it; content comes on stdin.
 *
 * At an incident the old content holds a leaked value, so no copy of it may outlive the
 * run: the backup the writer keeps (PATH.rekey-backup, a link to or copy of the old file)
 * is removed once the writer succeeded, also when the content was already the new one (a
 * re-run after a failure, whose backup an earlier run kept). The rename alone keeps PATH
 * whole. The writer script itself is not changed for this: it is inlined in every writer's
 * command, and a different script would update every writer a deployed stack holds.
 */
export function writeFileCommand(kind: "dotenv" | "file", path: string, { mode, owner, incident }: WriteFileOptions = {}): string {
    const args = [kind, path, ...(mode || owner ? [mode ?? ""] : []), ...(owner ? [owner] : [])];
    const write = `sh -c ${shellQuote(WRITE_FILE_SCRIPT)} rekey-write ${args.map(shellQuote).join(" ")}`;
    return incident ? `${write} && rm -f -- ${shellQuote(`${path}.rekey-backup`)}` : write;
}
