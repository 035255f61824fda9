import { readFileSync } from "fs";
import { join } from "path";
import { shellQuote } from "../commands/hostCommand";

export const WRITE_FILE_SCRIPT = readFileSync(join(__dirname, "scripts", "write-file.sh"), "utf8");

/**
 * The command line that runs the store writer (scripts/write-file.sh) under `sh`. Only
 * non-secret words (kind, path, mode, owner) are in it; content comes on stdin.
 */
export function writeFileCommand(kind: "dotenv" | "file", path: string, mode?: string | null, owner?: string | null): string {
    const args = [kind, path, ...(mode || owner ? [mode ?? ""] : []), ...(owner ? [owner] : [])];
    return `sh -c ${shellQuote(WRITE_FILE_SCRIPT)} rekey-write ${args.map(shellQuote).join(" ")}`;
}
