// `issue: { awsAccessKey: { user } }` under mocks: two aws.iam.AccessKey slots taking turns by
// epoch (components/issuers/awsAccessKey.ts), the previous key valid until the next bump,
// delete-first re-issue (IAM's quota of two keys per user), `<NAME>_ID` beside the value,
// and an incident's leaked key made Inactive after every consumer verified.
import { Config, apiThenWorker } from "../harness/configs";
import { ACCESS_KEY, CapturedResource, MockEngine, RunResult, waitsFor } from "../harness/mockEngine";
import { runWithValues } from "../harness/values";

function config(epoch: number, extra: Record<string, unknown> = {}): Config {
    return {
        "rekey:consumers": apiThenWorker(),
        "rekey:secrets": {
            CI_AWS_KEY: {
                epoch,
                issue: { awsAccessKey: { user: "ci-deployer" } },
                stores: [{ ssm: { prefix: "/ci/" } }],
                consumers: ["api", "worker"],
                ...extra,
            },
        },
    };
}

const key = (run: RunResult, parity: "even" | "odd"): CapturedResource | undefined => run.resources.get(`${ACCESS_KEY}::rekey-CI_AWS_KEY-${parity}`);
const param = (run: RunResult, name: string) => run.resources.get(`aws:ssm/parameter:Parameter::rekey-ssm:/ci/${name}`)?.inputs.value;
const changed = (run: RunResult) => [...run.resources.values()].filter((x) => x.change !== "same" && x.change !== "read").map((x) => x.name).sort();

test("two slots take turns: a bump re-issues only the other slot, delete first, and the previous key stays valid until the next bump", async () => {
    const engine = new MockEngine();
    const first = await runWithValues(engine, config(1, { keepPrevious: true }));
    const odd = key(first.run, "odd")!;
    // The slot's keepers are its replacement trigger; re-issued delete-first (a user at two keys rotates).
    expect(odd.inputs).toEqual({ user: "ci-deployer", status: "Active" });
    expect(odd.replacementTrigger).toBe(JSON.stringify({ epoch: "1" }));
    expect(odd.deleteBeforeReplace).toBe(true);
    expect(odd.additionalSecretOutputs).toEqual(expect.arrayContaining(["secret", "sesSmtpPasswordV4"]));
    expect(key(first.run, "even")!.replacementTrigger).toBe(JSON.stringify({ epoch: "0" }));
    // The stores get the secret access key as NAME and its id as NAME_ID, the previous pair with keepPrevious.
    expect(param(first.run, "CI_AWS_KEY")).toBe(odd.outputs.secret);
    expect(param(first.run, "CI_AWS_KEY_ID")).toBe(odd.outputs.accessKeyId);
    expect(param(first.run, "CI_AWS_KEY_PREVIOUS")).toBe(key(first.run, "even")!.outputs.secret);
    expect(param(first.run, "CI_AWS_KEY_PREVIOUS_ID")).toBe(key(first.run, "even")!.outputs.accessKeyId);
    // Every store input holding the secret access key is secret.
    for (const r of first.run.resources.values()) for (const l of r.leaves) if (l.value.includes(odd.outputs.secret)) expect({ at: r.name, path: l.path, secret: l.secret }).toEqual({ at: r.name, path: l.path, secret: true });

    const bumped = await runWithValues(engine, config(2, { keepPrevious: true }));
    expect(key(bumped.run, "even")!.change).toBe("replaced");
    expect(key(bumped.run, "odd")!.change).toBe("same");
    expect(bumped.values.CI_AWS_KEY).toBe(key(bumped.run, "even")!.outputs.secret);
    expect(bumped.values.CI_AWS_KEY).not.toBe(key(first.run, "even")!.outputs.secret);
    expect(param(bumped.run, "CI_AWS_KEY_PREVIOUS")).toBe(odd.outputs.secret);
    expect(param(bumped.run, "CI_AWS_KEY_PREVIOUS_ID")).toBe(odd.outputs.accessKeyId);
    expect(bumped.run.outputs.rotation.CI_AWS_KEY.previous).toMatchObject({ epoch: 1 });

    // Unchanged, nothing changes; the next bump re-issues the odd slot, epoch 2's key stays.
    expect(changed(await runWithValues(engine, config(2, { keepPrevious: true })).then((x) => x.run))).toEqual([]);
    const third = await runWithValues(engine, config(3, { keepPrevious: true }));
    expect([key(third.run, "odd")!.change, key(third.run, "even")!.change]).toEqual(["replaced", "same"]);
    expect(param(third.run, "CI_AWS_KEY_PREVIOUS")).toBe(bumped.values.CI_AWS_KEY);
    // Two keys per user at every point: the slots are the user's only keys.
    expect(engine.issuedKeys.length).toBe(4);
});

test("without keepPrevious the previous key is not published, and its slot still keeps it valid until the next bump", async () => {
    const engine = new MockEngine();
    const first = await runWithValues(engine, config(1));
    expect(key(first.run, "even")).toBeUndefined();
    expect(param(first.run, "CI_AWS_KEY_PREVIOUS")).toBeUndefined();
    const leavingKey = first.values.CI_AWS_KEY;
    const bumped = await runWithValues(engine, config(2));
    expect(key(bumped.run, "odd")!.change).toBe("same");
    expect(key(bumped.run, "odd")!.outputs.secret).toBe(leavingKey);
    expect(key(bumped.run, "even")!.change).toBe("created");
    expect(param(bumped.run, "CI_AWS_KEY_PREVIOUS")).toBeUndefined();
    // The record keeps the previous slot's epoch, so a run at the same epoch re-issues nothing.
    expect(changed((await runWithValues(engine, config(2))).run)).toEqual([]);
    const third = await runWithValues(engine, config(3));
    expect([key(third.run, "odd")!.change, key(third.run, "even")!.change]).toEqual(["replaced", "same"]);
});

test("an incident: the leaked key (the previous slot's) is made Inactive after every consumer verified, and no store holds it", async () => {
    const engine = new MockEngine();
    await runWithValues(engine, config(3, { keepPrevious: true }));
    const before = await runWithValues(engine, config(4, { keepPrevious: true }));
    const leaked = before.values.CI_AWS_KEY;
    const reason = "key pasted in a CI log";
    const r = await runWithValues(engine, config(5, { keepPrevious: true, incident: reason }));
    const leakedSlot = key(r.run, "even")!;
    expect(leakedSlot.outputs.secret).toBe(leaked);
    expect(leakedSlot.inputs).toEqual({ user: "ci-deployer", status: "Inactive" });
    expect(leakedSlot.change).toBe("updated");
    const waits = waitsFor(r.run.resources)(`${ACCESS_KEY}::rekey-CI_AWS_KEY-even`);
    for (const k of ["command:local:Command::rekey-verify:api", "command:local:Command::rekey-restart:worker", "aws:ssm/parameter:Parameter::rekey-ssm:/ci/CI_AWS_KEY"]) expect(waits.has(k)).toBe(true);
    // No overlap: _PREVIOUS holds the new pair, the leaked key is in no store under any name.
    expect(param(r.run, "CI_AWS_KEY_PREVIOUS")).toBe(r.values.CI_AWS_KEY);
    expect(param(r.run, "CI_AWS_KEY_PREVIOUS_ID")).toBe(key(r.run, "odd")!.outputs.accessKeyId);
    for (const x of r.run.resources.values()) {
        if (x.type === ACCESS_KEY) continue;
        expect({ at: x.name, leaks: x.leaves.some((l) => l.value.includes(leaked)) }).toEqual({ at: x.name, leaks: false });
    }
    expect(r.run.outputs.rotation.CI_AWS_KEY.incident).toEqual({ reason, at: null });
    // Unchanged, nothing changes (the leaked key stays Inactive); the next bump deletes it first and issues a fresh one.
    expect(changed((await runWithValues(engine, config(5, { keepPrevious: true, incident: reason }))).run)).toEqual([]);
    const next = await runWithValues(engine, config(6, { keepPrevious: true }));
    expect(key(next.run, "even")!.change).toBe("replaced");
    expect(key(next.run, "even")!.inputs.status).toBe("Active");
    expect(key(next.run, "even")!.outputs.secret).not.toBe(leaked);
    expect(param(next.run, "CI_AWS_KEY_PREVIOUS")).toBe(r.values.CI_AWS_KEY);
});

test("a rollback issues nothing: the previous key becomes current again", async () => {
    const engine = new MockEngine();
    const one = await runWithValues(engine, config(1, { keepPrevious: true }));
    await runWithValues(engine, config(2, { keepPrevious: true }));
    const back = await runWithValues(engine, config(1, { keepPrevious: true }));
    expect(back.values.CI_AWS_KEY).toBe(one.values.CI_AWS_KEY);
    expect([...back.run.resources.values()].filter((x) => x.type === ACCESS_KEY).map((x) => x.change)).toEqual(["same", "same"]);
});
