// The program hands each step to the engine while it is still building the others (issue 26,
// the wall time of a rotation): components/program.ts registers the steps longest chain first
// and yields to the event loop after each, so the first operation is asked for before the
// last resource is even constructed. Built in one go, nothing reached the engine before the
// program's last constructor returned, however long the program took.
import * as pulumi from "@pulumi/pulumi";
import { Config, withEpoch } from "../harness/configs";
import { MockEngine } from "../harness/mockEngine";

function config(): Config {
    const secrets: Record<string, unknown> = {};
    for (let i = 0; i < 8; i++) {
        secrets[`S${i}`] = {
            epoch: 1,
            generate: { encoding: "hex", bytes: 16 },
            stores: [{ ssm: { prefix: "/r/" } }],
            consumers: [i < 4 ? "first" : "last"],
        };
    }
    return {
        "rekey:consumers": { first: { restart: "true", verify: { command: "true" } }, last: { restart: "true" } },
        "rekey:secrets": secrets,
    };
}

function bumped(): Config {
    let c = config();
    for (let i = 0; i < 8; i++) c = withEpoch(c, `S${i}`, 2);
    return c;
}

test("the first store write reaches the engine before the last step's resource is constructed; the longest chain's steps first", async () => {
    const engine = new MockEngine("rekey", "test", true);
    await engine.run(config());
    const constructed: string[] = [];
    /** What had been constructed when each resource's registration reached the engine. */
    const seenAt = new Map<string, number>();
    const run = await engine.run(
        bumped(),
        async () => {
            pulumi.runtime.registerStackTransformation((args) => {
                constructed.push(`${args.type}::${args.name}`);
                return undefined;
            });
            const { runRekey } = require("../../components/rotation") as typeof import("../../components/rotation");
            const d = await runRekey();
            return { rotation: d.rotation, credentials: d.credentials };
        },
        undefined,
        { delay: (key) => void seenAt.set(key, constructed.length) },
    );
    const firstWrite = "aws:ssm/parameter:Parameter::rekey-ssm:/r/S0";
    const lastStep = "rekey:index:Restart::rekey-last";
    expect(run.resources.get(firstWrite)!.change).toBe("updated");
    expect(constructed).toContain(lastStep);
    // When S0's parameter write was asked for, the last consumer's restart did not exist yet.
    expect(constructed.indexOf(lastStep)).toBeGreaterThanOrEqual(seenAt.get(firstWrite)!);
    // The chain through `first` (restart then verify) is longer than `last`'s: its stores, and its restart before
    // `last`'s read-backs (plan/registrationOrder.ts).
    const at = (key: string) => constructed.indexOf(key);
    for (let i = 0; i < 4; i++) expect(at(`rekey:index:SsmParameters::rekey-ssm:/r/S${i}`)).toBeLessThan(at(`rekey:index:SsmParameters::rekey-ssm:/r/S${i + 4}`));
    expect(at("rekey:index:Restart::rekey-first")).toBeLessThan(at("command:local:Command::rekey-readback:ssm:/r/S4"));
});

test("a program that neither awaits nor exports the Rotation still has every resource registered before the run ends", async () => {
    const engine = new MockEngine("rekey", "test", true);
    const expected = (await engine.run(config())).resources.size;
    const run = await engine.run(bumped(), async () => {
        const { Rotation } = require("../../components/rotation") as typeof import("../../components/rotation");
        const { fromStackConfig } = require("../../components/stackConfig") as typeof import("../../components/stackConfig");
        new Rotation("rekey", fromStackConfig());
        return {};
    });
    expect(run.resources.size).toBe(expected);
});
