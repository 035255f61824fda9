// `issue: { azureAppSecret: { applicationId } }` under mocks: two azuread.ApplicationPassword
// slots taking turns by epoch (components/issuers/azureAppSecret.ts), valid two cadences,
// `<NAME>_ID` the key id, and an incident's leaked password removed by the engine once every
// step of that pulumi up succeeded (no slot registers it: the engine deletes what the program
// no longer registers after its last registration, pulumi/pulumi
// pkg/resource/deploy/deployment_executor.go `Execute` → `performPostSteps`, and a failed
// step cancels the deployment before it: step_executor.go `cancelDueToError`).
import { Config, apiThenWorker } from "../harness/configs";
import { APPLICATION_PASSWORD, CapturedResource, MockEngine, RunResult } from "../harness/mockEngine";
import { runWithValues } from "../harness/values";

const APP = "3f2a9c4e-8b1d-4e6f-9a7c-2d5e8f1b3c6a";

function config(epoch: number, extra: Record<string, unknown> = {}): Config {
    return {
        "rekey:consumers": apiThenWorker(),
        "rekey:secrets": {
            NOTES_CLIENT_SECRET: {
                epoch,
                cadenceDays: 90,
                issue: { azureAppSecret: { applicationId: APP } },
                keepPrevious: true,
                stores: [{ keyVault: { vault: "kv-notelett-prod", resourceGroup: "rg-notelett-prod", name: "notelett-graph-client-secret" } }],
                consumers: ["api", "worker"],
                ...extra,
            },
        },
    };
}

const slot = (run: RunResult, parity: "even" | "odd"): CapturedResource | undefined => run.resources.get(`${APPLICATION_PASSWORD}::rekey-NOTES_CLIENT_SECRET-${parity}`);
const kv = (run: RunResult, name: string) => [...run.resources.values()].find((r) => r.type === "azure-native:keyvault:Secret" && r.inputs.secretName === name)?.inputs.properties?.value;
const changed = (run: RunResult) => [...run.resources.values()].filter((x) => x.change !== "same" && x.change !== "read").map((x) => x.name).sort();

test("two client secrets take turns by epoch, each valid two cadences; the stores get the value and its key id", async () => {
    const engine = new MockEngine();
    const first = await runWithValues(engine, config(1));
    const odd = slot(first.run, "odd")!;
    expect(odd.inputs).toEqual({ applicationId: `/applications/${APP}`, displayName: "rekey-NOTES_CLIENT_SECRET", endDateRelative: `${2 * 90 * 24}h`, rotateWhenChanged: { epoch: "1" } });
    // pulumi-azuread marks `value` secret itself (applicationPassword.js): the options the engine gets say so.
    expect(odd.additionalSecretOutputs).toEqual(["value"]);
    expect(kv(first.run, "notelett-graph-client-secret")).toBe(odd.outputs.value);
    expect(kv(first.run, "notelett-graph-client-secret-id")).toBe(odd.outputs.keyId);
    expect(kv(first.run, "notelett-graph-client-secret-previous")).toBe(slot(first.run, "even")!.outputs.value);
    for (const r of first.run.resources.values()) for (const l of r.leaves) if (l.value.includes(odd.outputs.value)) expect({ at: r.name, path: l.path, secret: l.secret }).toEqual({ at: r.name, path: l.path, secret: true });

    const bumped = await runWithValues(engine, config(2));
    expect([slot(bumped.run, "even")!.change, slot(bumped.run, "odd")!.change]).toEqual(["replaced", "same"]);
    expect(kv(bumped.run, "notelett-graph-client-secret-previous")).toBe(odd.outputs.value);
    expect(kv(bumped.run, "notelett-graph-client-secret-previous-id")).toBe(odd.outputs.keyId);
    expect(changed((await runWithValues(engine, config(2))).run)).toEqual([]);
});

test("an incident: the leaked client secret is registered by no slot, so the engine removes it after every step of that pulumi up; no store holds it", async () => {
    const engine = new MockEngine();
    await runWithValues(engine, config(1));
    const before = await runWithValues(engine, config(2));
    const leaked = before.values.NOTES_CLIENT_SECRET;
    const leakedUrn = slot(before.run, "even")!.urn;
    const reason = "client secret in a screenshot";
    const r = await runWithValues(engine, config(3, { incident: reason }));
    expect(slot(r.run, "even")).toBeUndefined();
    expect(engine.deleted).toContain(leakedUrn);
    expect(slot(r.run, "odd")!.change).toBe("replaced");
    expect(kv(r.run, "notelett-graph-client-secret-previous")).toBe(r.values.NOTES_CLIENT_SECRET);
    for (const x of r.run.resources.values()) expect({ at: x.name, leaks: x.leaves.some((l) => l.value.includes(leaked)) }).toEqual({ at: x.name, leaks: false });
    expect(r.run.outputs.rotation.NOTES_CLIENT_SECRET.incident).toEqual({ reason, at: null });
    // Unchanged at the incident epoch, nothing is added back; the next bump issues that slot afresh.
    const again = await runWithValues(engine, config(3, { incident: reason }));
    expect([changed(again.run), slot(again.run, "even")]).toEqual([[], undefined]);
    const next = await runWithValues(engine, config(4));
    expect([slot(next.run, "even")!.change, slot(next.run, "odd")!.change]).toEqual(["created", "same"]);
    expect(kv(next.run, "notelett-graph-client-secret-previous")).toBe(r.values.NOTES_CLIENT_SECRET);
});
