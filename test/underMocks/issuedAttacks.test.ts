// Attacks on issued secrets (issue 27 items 2 and 3): slot turn-taking between ups that do
// not bump, and what an unchanged configuration issues.
import { Config, apiThenWorker } from "../harness/configs";
import { ACCESS_KEY, MockEngine, RunResult } from "../harness/mockEngine";
import { runWithValues } from "../harness/values";

function config(epoch: number, extra: Record<string, unknown> = {}): Config {
    return {
        "rekey:consumers": apiThenWorker(),
        "rekey:secrets": {
            CI_AWS_KEY: { epoch, issue: { awsAccessKey: { user: "ci-deployer" } }, stores: [{ ssm: { prefix: "/ci/" } }], consumers: ["api", "worker"], ...extra },
        },
    };
}
const changed = (run: RunResult) => [...run.resources.values()].filter((x) => x.change !== "same" && x.change !== "read").map((x) => `${x.name}:${x.change}`).sort();
const keys = (run: RunResult) => [...run.resources.values()].filter((x) => x.type === ACCESS_KEY).map((x) => x.name).sort();

test("an unchanged configuration issues nothing after a first deployment without keepPrevious (the user may still hold its runbook's key: IAM allows two)", async () => {
    const engine = new MockEngine();
    const first = await runWithValues(engine, config(1));
    expect(keys(first.run)).toEqual(["rekey-CI_AWS_KEY-odd"]);
    const again = await runWithValues(engine, config(1));
    expect(changed(again.run)).toEqual([]);
    expect(engine.issuedKeys.length).toBe(1);
});
