// Deep graphs for the tests that hold the planner, the CLI and the program to long chains:
// `after` and derive chains listed so that a depth-first walk from the first entry goes the
// whole length deep (each entry names the NEXT one), and stack file text for them.
import { Config } from "./configs";

/** The day the chains' secrets were rotated: before the CLI harness's today. */
export const CHAIN_DATE = "2026-11-01";

const generated = (cadenceDays = 30) => ({ epoch: 1, rotatedAt: CHAIN_DATE, cadenceDays, generate: { encoding: "hex", bytes: 16 } });

/**
 * `n` consumers, c0 restarted after c1, c1 after c2, …; with `diamond`, each also after the
 * one two further (c0 after c1 and c2, …: exponentially many paths down the chain). One
 * generated secret, read by the consumers in `readers` (default: c0 only).
 */
export function afterChain(n: number, o: { diamond?: boolean; readers?: string[] } = {}): Config {
    const consumers: Config = {};
    for (let i = 0; i < n; i++) {
        const after = [i + 1, ...(o.diamond ? [i + 2] : [])].filter((k) => k < n).map((k) => `c${k}`);
        consumers[`c${i}`] = { restart: `systemctl restart c${i}`, ...(after.length ? { after } : {}) };
    }
    return { "rekey:consumers": consumers, "rekey:secrets": { KEY: { ...generated(), consumers: o.readers ?? ["c0"] } } };
}

/**
 * `n` secrets, S0 derived from S1, S1 from S2, …, the last one generated; with `diamond`,
 * each also from the one two further. The consumer app reads S0.
 */
export function deriveChain(n: number, o: { diamond?: boolean } = {}): Config {
    const secrets: Config = {};
    for (let i = 0; i < n - 1; i++) {
        const inputs = [i + 1, ...(o.diamond && i + 2 < n ? [i + 2] : [])];
        secrets[`S${i}`] = { derive: inputs.map((k) => `{{S${k}}}`).join("."), ...(i === 0 ? { consumers: ["app"] } : {}) };
    }
    secrets[`S${n - 1}`] = generated();
    return { "rekey:consumers": { app: { restart: "systemctl restart app" } }, "rekey:secrets": secrets };
}

/**
 * The stack file of a config map: each section a block map, one line per entry written as a
 * JSON object (JSON is YAML's flow style). Keys without a namespace get rekey's.
 */
export function chainStackFile(config: Config): string {
    const lines = ["config:"];
    for (const [key, section] of Object.entries(config)) {
        lines.push(`  ${key.includes(":") ? key : `rekey:${key}`}:`);
        for (const [name, entry] of Object.entries(section as Config)) lines.push(`    ${name}: ${JSON.stringify(entry)}`);
    }
    return lines.join("\n") + "\n";
}
