// Restarts per rotation: 100 secrets spread over 10 consumers, with 1, 10 and 100 bumped.
// Counted from the program itself under mocks (restart commands, named rekey-restart:<consumer>, replaced in the second
// run), against the naive wiring of one restart per bumped secret per consumer.
import { MockEngine } from "../test/harness/mockEngine";
import { restartCounts } from "../components/plan/restarts";
import { planRotation } from "../components/plan/plan";
import { rawConfig } from "../test/harness/rawConfig";

function inventory(epochBump: (i: number) => number): Record<string, unknown> {
    const consumers: Record<string, unknown> = {};
    for (let c = 0; c < 10; c++) consumers[`svc${c}`] = { restart: `systemctl restart svc${c}` };
    const secrets: Record<string, unknown> = {};
    for (let i = 0; i < 100; i++) {
        // Each secret is read by 3 of the 10 consumers, spread evenly.
        const readers = [i % 10, (i + 3) % 10, (i + 7) % 10].map((c) => `svc${c}`);
        secrets[`SECRET_${i}`] = { epoch: 1 + epochBump(i), generate: { encoding: "hex", bytes: 16 }, consumers: readers };
    }
    return { "rekey:consumers": consumers, "rekey:secrets": secrets };
}

export async function restartBench(): Promise<void> {
    console.log("\n## Restarts per rotation (100 secrets, 10 consumers, each secret read by 3)");
    console.log(["bumped", "coalesced", "naive", "naive/coalesced"].map((c) => c.padEnd(16)).join(""));
    for (const bumped of [1, 10, 100]) {
        const engine = new MockEngine();
        await engine.run(inventory(() => 0));
        const second = inventory((i) => (i < bumped ? 1 : 0));
        const run = await engine.run(second);
        const restarted = [...run.resources.values()].filter((r) => r.type === "command:local:Command" && r.name.startsWith("rekey-restart:") && r.change !== "same").length;
        const names = new Set(Array.from({ length: bumped }, (_, i) => `SECRET_${i}`));
        const counts = restartCounts(planRotation(rawConfig(second)), names);
        if (counts.coalesced !== restarted) throw new Error(`plan says ${counts.coalesced} restarts, the program replaced ${restarted}`);
        console.log([bumped, restarted, counts.naive, (counts.naive / restarted).toFixed(1)].map((c) => String(c).padEnd(16)).join(""));
    }
}
