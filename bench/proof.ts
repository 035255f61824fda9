// What proof adds (issue 24): to a 1,000-secret program (three stores each) under mocks, the
// program with its store read-backs against the same program without them; and to the
// critical path of a rotation, the .env and secret-file read-back (scripts/read-back.sh)
// timed for real beside the write it follows, on files of 10 and 1,000 keys.
import { execFileSync } from "child_process";
import { createHash } from "crypto";
import { mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { READ_BACK_SCRIPT } from "../components/stores/readBack";
import { WRITE_FILE_SCRIPT } from "../components/stores/writeFileCommand";

const REPEAT = Number(process.env.REKEY_BENCH_REPEAT ?? 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function timed(args: string[], stdin: string): number {
    const t0 = process.hrtime.bigint();
    execFileSync("sh", args, { input: stdin, stdio: ["pipe", "ignore", "inherit"] });
    return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** Writer then read-back of one .env file of `keys` keys (every key read back), median ms of each. */
function dotenvPath(keys: number): { write: number; readBack: number } {
    const dir = mkdtempSync(join(tmpdir(), "rekey-bench-proof-"));
    try {
        const path = join(dir, "app.env");
        const writes: number[] = [];
        const reads: number[] = [];
        for (let r = 0; r < REPEAT; r++) {
            const lines = Array.from({ length: keys }, (_, i) => `KEY_${i}='${createHash("sha256").update(`${r}:${i}`).digest("hex")}'`);
            writes.push(timed(["-c", WRITE_FILE_SCRIPT, "rekey-write", "dotenv", path], ["rekey-dotenv-v1", ...lines, ""].join("\n")));
            const key = "bench-check-key";
            const fps = lines.map((l) => createHash("sha256").update(`${key}\n${l}\n`).digest("hex"));
            const words = lines.flatMap((_, i) => [`KEY_${i}`, `KEY_${i}`, path]);
            reads.push(timed(["-c", READ_BACK_SCRIPT, "rekey-read-back", "dotenv", `dotenv:local:${path}`, ...words], [key, ...fps, ""].join("\n")));
        }
        return { write: median(writes), readBack: median(reads) };
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

export function proofCriticalPathBench(): void {
    console.log("\n## What proof adds to a rotation's critical path (.env read back on the host, local sh; median ms)");
    console.log(["keys in file", "write ms", "read-back ms", "read-back/write"].map((c) => c.padEnd(16)).join(""));
    for (const keys of [10, 1000]) {
        const { write, readBack } = dotenvPath(keys);
        console.log([keys, write.toFixed(1), readBack.toFixed(1), (readBack / write).toFixed(2)].map((c) => String(c).padEnd(16)).join(""));
    }
    console.log("(the read-back checks every managed key of the file: one awk pass and one sha256sum over all of them; run on the host, over SSH one more round trip)");
}
