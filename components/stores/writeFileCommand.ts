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
 * non-secret words (kind, path, mode, owner, --incident) are in it; content comes on stdin.
 */
export function writeFileCommand(kind: "dotenv" | "file", path: string, { mode, owner, incident }: WriteFileOptions = {}): string {
    const args = [...(incident ? ["--incident"] : []), kind, path, ...(mode || owner ? [mode ?? ""] : []), ...(owner ? [owner] : [])];
    return `sh -c ${shellQuote(WRITE_FILE_SCRIPT)} rekey-write ${args.map(shellQuote).join(" ")}`;
}
