// `rekey plan` on a 1,000-secret stack: the whole command as CI runs it (a new node process
// reading both versions of the stack file, planning each, diffing, rendering). Target: under
// 1 s here. Also `rekey due` and `rekey bump --all` on the same file.
import { execFileSync } from "child_process";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { stringify } from "yaml";

const BIN = join(__dirname, "..", "bin", "rekey.js");
const REPEAT = Number(process.env.REKEY_BENCH_REPEAT ?? 3);
const N = 1000;

/** n secrets (generated, supplied and derived) over 20 consumers and shared stores. */
export function stackFile(n: number, bumped: (i: number) => boolean): string {
    const consumers: Record<string, unknown> = {};
    for (let c = 0; c < 20; c++) {
        consumers[`svc${c}`] = {
            kubernetes: { deployment: `svc${c}` },
            ...(c > 0 ? { after: [`svc${Math.floor((c - 1) / 2)}`] } : {}),
            verify: { url: `https://svc${c}.bench.example/health` },
        };
    }
    const secrets: Record<string, unknown> = {};
    const supplied: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
        const name = `SECRET_${i}`;
        const readers = [`svc${i % 20}`, `svc${(i + 7) % 20}`];
        const stores = [{ ssm: {} }, { kubernetes: { secret: `app-secrets-${i % 20}` } }];
        const epoch = 1 + (i % 5) + (bumped(i) ? 1 : 0);
        if (i % 10 === 9) {
            secrets[name] = { derive: `postgres://app:{{SECRET_${i - 1}|urlencode}}@db/app`, stores, consumers: readers };
        } else if (i % 10 === 5) {
            secrets[name] = { epoch, rotatedAt: "2026-10-02", cadenceDays: 90, supplied: true, stores, consumers: readers };
            supplied[name] = { secure: `v1:${"A".repeat(16)}:${Buffer.from(`${name}@${epoch}`).toString("base64")}` };
        } else {
            secrets[name] = {
                epoch,
                rotatedAt: "2026-10-02",
                cadenceDays: 365,
                generate: { encoding: i % 3 === 0 ? "base64" : "hex", bytes: 32 },
                keepPrevious: i % 4 === 0,
                stores,
                consumers: readers,
            };
        }
    }
    // Dates quoted, as a user writes them: yaml.v3 reads a plain 2026-10-02 as a timestamp,
    // which the CLI refuses (cli/engineYaml.ts); the yaml package writes it plain.
    return quoteDates(stringify({
        encryptionsalt: "v1:AAAAAAAAAAA=:v1:AAAAAAAAAAAAAAAA:AAAA",
        config: {
            "rekey:defaults": { ssm: { prefix: "/bench/" }, kubernetes: { namespace: "bench" } },
            "rekey:consumers": consumers,
            "rekey:secrets": secrets,
            "rekey:supplied": supplied,
        },
    }));
}

const quoteDates = (text: string) => text.replace(/^(\s*rotatedAt: )(\d{4}-\d\d-\d\d)$/gm, '$1"$2"');

function time(dir: string, args: string[], before?: () => void): number {
    const samples: number[] = [];
    for (let i = 0; i < REPEAT; i++) {
        before?.();
        const start = process.hrtime.bigint();
        try {
            execFileSync(process.execPath, [BIN, ...args], { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
        } catch (e) {
            // `due` exits 1 when something is overdue; anything else is a failure.
            if ((e as { status?: number }).status !== 1) throw e;
        }
        samples.push(Number(process.hrtime.bigint() - start) / 1e9);
    }
    return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)];
}

/** The project the stack files are in (rekey reads stack files in a project, cli/project.ts). */
const PROJECT = "name: rekey\nruntime: nodejs\n";

/** `status --all-stacks` and `due --all-stacks` over 50 stack files of 100 secrets each. Target: under 1 s each here. */
export function allStacksBench(): void {
    const dir = mkdtempSync(join(tmpdir(), "rekey-bench-stacks-"));
    try {
        writeFileSync(join(dir, "Pulumi.yaml"), PROJECT);
        for (let k = 0; k < 50; k++) writeFileSync(join(dir, `Pulumi.stack${String(k).padStart(2, "0")}.yaml`), stackFile(100, () => false));
        console.log(`\n## rekey over 50 stack files of 100 secrets each (whole process, median of ${REPEAT})`);
        const startup = time(dir, ["--version"]);
        console.log(`${"command".padEnd(24)}seconds`);
        console.log(`${"--version (startup)".padEnd(24)}${startup.toFixed(3)}`);
        for (const [title, args] of [
            ["status --all-stacks", ["status", "--all-stacks", "--json"]],
            ["due --all-stacks", ["due", "--all-stacks", "--today", "2026-11-22", "--within", "30"]],
        ] as const) {
            const s = time(dir, [...args]);
            console.log(`${title.padEnd(24)}${s.toFixed(3)}  under 1 s: ${s < 1 ? "met" : "MISSED"}`);
        }
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

export function cliPlanBench(): void {
    const dir = mkdtempSync(join(tmpdir(), "rekey-bench-cli-"));
    try {
        writeFileSync(join(dir, "Pulumi.yaml"), PROJECT);
        // Head: every 10th secret bumped (and its derived follower), so the plan has work to show.
        writeFileSync(join(dir, "base.yaml"), stackFile(N, () => false));
        const head = stackFile(N, (i) => i % 10 === 0 || i % 10 === 5);
        writeFileSync(join(dir, "Pulumi.big.yaml"), head);
        console.log(`\n## rekey CLI on a ${N}-secret stack (${(head.length / 1024).toFixed(0)} KiB; whole process, median of ${REPEAT})`);
        // The same head with a `--reason` comment on every 10th epoch: plan then composes the
        // yaml document to read them (edit.ts mayHoldReason), which a file without reasons skips.
        let k = 0;
        writeFileSync(join(dir, "Pulumi.reasons.yaml"), head.replace(/(epoch: \d+)\n/g, (m, e) => (k++ % 10 === 0 ? `${e} # reason: scheduled\n` : m)));
        const rows: [string, string[]][] = [
            ["plan --json", ["plan", "--stack", "big", "--base-file", "base.yaml", "--json"]],
            ["plan --json, reasons", ["plan", "--stack", "reasons", "--base-file", "base.yaml", "--json"]],
            ["plan (markdown)", ["plan", "--stack", "big", "--base-file", "base.yaml"]],
            ["due", ["due", "--stack", "big", "--today", "2026-11-22", "--within", "30"]],
        ];
        const nodeAlone = time(dir, ["--help"]);
        console.log(`${"command".padEnd(24)}seconds`);
        console.log(`${"--help (startup)".padEnd(24)}${nodeAlone.toFixed(3)}`);
        const [plan, withReasons] = rows.map(([title, args]) => {
            const s = time(dir, args);
            console.log(`${title.padEnd(24)}${s.toFixed(3)}`);
            return s;
        });
        // Each sample bumps every secret of the head once (compared with the head itself: one step per change).
        writeFileSync(join(dir, "head.yaml"), head);
        const bump = time(dir, ["bump", "--all", "--stack", "big", "--base-file", "head.yaml", "--date", "2026-11-22"], () => writeFileSync(join(dir, "Pulumi.big.yaml"), head));
        console.log(`${"bump --all".padEnd(24)}${bump.toFixed(3)}`);
        console.log(`rekey plan under 1 s: ${plan < 1 ? "met" : "MISSED"} (${plan.toFixed(3)} s; with reasons ${withReasons < 1 ? "met" : "MISSED"}, ${withReasons.toFixed(3)} s)`);
        console.log(`plan with reasons <= 0.4 s: ${withReasons <= 0.4 ? "met" : "MISSED"} (${withReasons.toFixed(3)} s); bump --all <= 0.4 s: ${bump <= 0.4 ? "met" : "MISSED"} (${bump.toFixed(3)} s)`);
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}
