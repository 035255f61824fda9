// Issued secrets in the planner (components/plan/issueKinds/): the slots, the schedule's
// revocation at an incident, and what `rekey plan` says is issued, deleted and deactivated.
import { diffPlans } from "../../components/plan/diff";
import { slotsAfter } from "../../components/plan/deployed";
import { planRotation } from "../../components/plan/plan";
import { schedule } from "../../components/plan/schedule";
import { renderPlan } from "../../cli/render";
import { secretStatuses, statusTable } from "../../cli/status";
import { importFile } from "../../components/plan/importFile";
import { Config, apiThenWorker } from "../harness/configs";
import { rawConfig } from "../harness/rawConfig";

function config(epoch: number, extra: Record<string, unknown> = {}): Config {
    return {
        "rekey:consumers": apiThenWorker(),
        "rekey:secrets": {
            CI_AWS_KEY: { epoch, rotatedAt: "2026-11-02", issue: { awsAccessKey: { user: "ci-deployer" } }, stores: [{ ssm: { prefix: "/ci/" } }], consumers: ["api", "worker"], ...extra },
        },
    };
}
const plan = (c: Config) => planRotation(rawConfig(c));

test("an issued secret publishes NAME and NAME_ID (and the previous pair with keepPrevious); its slots take turns like generators'", () => {
    const p = plan(config(3, { keepPrevious: true }));
    const s = p.secrets[0];
    expect(s.source).toEqual({ kind: "issue", issue: { kind: "awsAccessKey", user: "ci-deployer" } });
    expect(s.stores[0].writes.map((w) => [w.variant, w.target])).toEqual([
        ["current", "/ci/CI_AWS_KEY"],
        ["previous", "/ci/CI_AWS_KEY_PREVIOUS"],
        ["id", "/ci/CI_AWS_KEY_ID"],
        ["previousId", "/ci/CI_AWS_KEY_PREVIOUS_ID"],
    ]);
    expect(plan(config(3)).secrets[0].stores[0].writes.map((w) => w.target)).toEqual(["/ci/CI_AWS_KEY", "/ci/CI_AWS_KEY_ID"]);
    // Deployed, both slots exist whether or not the previous one is published: the previous key stays valid.
    const deployed = new Map([["CI_AWS_KEY", { epoch: 3, round: 1, fingerprint: "f", previous: null }]]);
    const bumped = plan(config(4)).secrets[0];
    expect(slotsAfter(bumped, deployed)).toEqual([
        { parity: "even", epoch: 4, round: 1, role: "current" },
        { parity: "odd", epoch: 3, round: 1, role: "previous" },
    ]);
    // A generated secret without keepPrevious keeps only its current slot: the difference is the issued one's.
    const generated = planRotation(rawConfig({ "rekey:secrets": { G: { epoch: 4, generate: { encoding: "hex", bytes: 16 } } } })).secrets[0];
    expect(slotsAfter(generated, new Map([["G", { epoch: 3, round: 1, fingerprint: "f", previous: null }]]))).toHaveLength(1);
});

test("at an incident the schedule revokes the previous slot's key after every consumer verified and every store holding the new one", () => {
    const p = plan(config(5, { incident: "key pasted in a CI log" }));
    const deployed = new Map([["CI_AWS_KEY", { epoch: 4, round: 1, fingerprint: "f", previous: null }]]);
    const slotted = { ...p, secrets: p.secrets.map((s) => ({ ...s, slots: slotsAfter(s, deployed) })) };
    const steps = schedule(slotted);
    expect(steps.revokes).toEqual([
        {
            kind: "revoke",
            id: "finalize:CI_AWS_KEY",
            secret: "CI_AWS_KEY",
            when: "last",
            resource: "CI_AWS_KEY-even",
            action: { kind: "issuedRevoke", issue: { kind: "awsAccessKey", user: "ci-deployer" }, slot: { parity: "even", epoch: 4, round: 1, role: "previous" } },
            waitsFor: ["verify:api", "restart:worker", "store:ssm:/ci/CI_AWS_KEY", "readBack:ssm:/ci/CI_AWS_KEY"],
        },
    ]);
    // Without an incident nothing is revoked: the previous key stays valid until the next bump.
    expect(schedule({ ...slotted, secrets: slotted.secrets.map((s) => ({ ...s, incident: null })) }).revokes).toEqual([]);
    // A first deployment has no previous key to revoke.
    expect(schedule(p).revokes).toEqual([]);
});

test("rekey plan says what is issued, what is deleted first, and, at an incident, what is deactivated and when", () => {
    const bump = diffPlans(plan(config(3)), plan(config(4)), new Set());
    expect(bump.issued).toEqual([
        { secret: "CI_AWS_KEY", what: 'issues an access key of IAM user "ci-deployer" for epoch 4 in slot even, deleting first the one that slot held (epoch 2\'s, if deployed: IAM allows two keys per user); epoch 3\'s stays valid until the next bump', drawn: ["issues a new credential in slot even"] },
    ]);
    expect(bump.finalize).toEqual([]);
    const reason = "key pasted in a CI log";
    const incident = diffPlans(plan(config(4)), plan(config(5, { incident: reason })), new Set());
    expect(incident.issued[0].what).toContain("epoch 4's, leaked, is deactivated (status Inactive) once the consumers verified");
    expect(incident.finalize).toEqual([{ secret: "CI_AWS_KEY", kind: "issued", what: 'an access key of IAM user "ci-deployer" (epoch 4\'s, leaked) is deactivated (status Inactive)', after: ["api", "worker"] }]);
    // The plan's order: the deactivation after the store write and its read-back, the restarts and the verify.
    expect(incident.order.find((o) => o.step === "finalize:CI_AWS_KEY")!.after.sort()).toEqual(["readBack:ssm:/ci/CI_AWS_KEY", "restart:worker", "store:ssm:/ci/CI_AWS_KEY", "verify:api"]);
    expect(incident.incidents[0].revoked[0]).toBe(
        'an access key of IAM user "ci-deployer" is issued first, into the stores; the leaked one (the previous slot\'s) is deactivated (status Inactive) once api, worker verified; a failed verify stops the pulumi up before it, and the leaked value keeps working until a later pulumi up completes; the bump after this one deletes it',
    );
    // Unchanged at the incident epoch: nothing is issued, nothing revoked again.
    const again = diffPlans(plan(config(5, { incident: reason })), plan(config(5, { incident: reason })), new Set());
    expect([again.issued, again.finalize]).toEqual([[], []]);
    const text = renderPlan({ ...incident, stack: "production", base: "main", newStack: false, rotates: true });
    expect(text).toContain("#### Issued (before the stores are written)\n- CI_AWS_KEY: issues an access key");
    expect(text).toContain('#### Finalize (after the consumers verified)\n- CI_AWS_KEY: an access key of IAM user "ci-deployer" (epoch 4\'s, leaked) is deactivated (status Inactive) after api, worker');
    // A new issued secret, and a rollback, in words.
    expect(diffPlans(null, plan(config(1, { keepPrevious: true })), new Set()).issued[0].what).toBe('issues an access key of IAM user "ci-deployer" for epoch 1 (slot odd), and one for the previous slot (CI_AWS_KEY_PREVIOUS)');
    expect(diffPlans(plan(config(4, { keepPrevious: true })), plan(config(3, { keepPrevious: true })), new Set()).issued[0].what).toBe("nothing is issued: epoch 3's credential, still in slot odd, becomes the current one again");
});

test("rekey import: the store of the key in use today can be imported; the access keys and the _ID store are what the first up creates", () => {
    const { file, creates, missing } = importFile(plan(config(2)), { rotation: "rekey", providerVersions: {} });
    expect(missing).toEqual([]);
    expect(file.resources.filter((r) => r.type === "aws:ssm/parameter:Parameter").map((r) => r.id)).toEqual(["/ci/CI_AWS_KEY"]);
    expect(file.resources.some((r) => r.type.startsWith("aws:iam"))).toBe(false);
    expect(creates).toEqual([
        'an access key of IAM user "ci-deployer" for CI_AWS_KEY: IAM returns an access key\'s secret only at creation (terraform-provider-aws: secret is not available for imported resources): the first pulumi up issues the key',
        "SSM parameter /ci/CI_AWS_KEY_ID (id value of CI_AWS_KEY)",
    ]);
});

test("rekey status: an issued secret's source and the credential it issues", () => {
    const row = secretStatuses(plan(config(2)))[0];
    expect([row.source, row.issues, row.hook]).toEqual(["issue", 'an access key of IAM user "ci-deployer"', null]);
    expect(statusTable([row]).join("\n")).toContain('| CI_AWS_KEY | issue: an access key of IAM user "ci-deployer" | 2 |');
});

test("an app client secret: valid two cadences, a changed cadence re-issues both slots, and at an incident the leaked one is removed at the end of that up", () => {
    const app = (epoch: number, extra: Record<string, unknown> = {}): Config => ({
        "rekey:consumers": apiThenWorker(),
        "rekey:secrets": {
            NOTES_CLIENT_SECRET: { epoch, cadenceDays: 90, issue: { azureAppSecret: { applicationId: "3F2A9C4E-8B1D-4E6F-9A7C-2D5E8F1B3C6A" } }, stores: [{ keyVault: { vault: "kv-notelett-prod", resourceGroup: "rg-notelett-prod" } }], consumers: ["api"], ...extra },
        },
    });
    const s = plan(app(2)).secrets[0];
    expect(s.source).toEqual({ kind: "issue", issue: { kind: "azureAppSecret", applicationId: "3f2a9c4e-8b1d-4e6f-9a7c-2d5e8f1b3c6a", validDays: 180 } });
    expect(s.stores[0].writes.map((w) => w.target)).toEqual(["notes-client-secret", "notes-client-secret-id"]);
    // Two secrets of one app registration are fine (it holds many client secrets).
    const one = { ...app(1)["rekey:secrets"].NOTES_CLIENT_SECRET, consumers: [] };
    expect(plan({ "rekey:secrets": { A: one, B: { ...one, stores: [] } } }).secrets.map((x) => x.name)).toEqual(["A", "B"]);
    const recadenced = diffPlans(plan(app(2)), plan(app(2, { cadenceDays: 30 })), new Set());
    expect(recadenced.secrets.redefined).toEqual([{ name: "NOTES_CLIENT_SECRET", what: "issue settings changed" }]);
    expect(recadenced.warnings).toEqual([expect.stringMatching(/^NOTES_CLIENT_SECRET: its app registration or cadenceDays changed, .*adds two new client secrets .* removes the old ones at its end, once every step succeeded/)]);
    const reason = "client secret in a screenshot";
    const incident = diffPlans(plan(app(2)), plan(app(3, { incident: reason })), new Set());
    // No finalize step: the leaked slot is not registered, so the engine removes it last.
    expect(incident.finalize).toEqual([]);
    expect(incident.issued[0].what).toContain("epoch 2's, leaked, is removed from the app registration once the consumers verified");
    expect(incident.incidents[0].revoked[0]).toBe(
        "a client secret of app registration 3f2a9c4e-8b1d-4e6f-9a7c-2d5e8f1b3c6a (Entra ID ends it two years after it is added; two cadences are 180 days) is issued first, into the stores; the leaked one (the previous slot's) is removed from the app registration at the end of that pulumi up, once every step (api verified) succeeded; a failed verify stops the pulumi up before it, and the leaked value keeps working until a later pulumi up completes",
    );
    const { creates } = importFile(plan(app(2)), { rotation: "rekey", providerVersions: {} });
    expect(creates[0]).toMatch(/^a client secret of app registration .* for NOTES_CLIENT_SECRET: azuread ApplicationPassword does not support importing/);
});

test("rekey plan warns that another IAM user (or another spelling of it) re-issues both slots delete-first: the key in use stops working before the new one is in the stores", () => {
    for (const user of ["ci-uploader", "CI-Deployer"]) {
        const moved = diffPlans(plan(config(3)), plan(config(4, { issue: { awsAccessKey: { user } } })), new Set());
        expect(moved.secrets.redefined).toEqual([{ name: "CI_AWS_KEY", what: "issue settings changed" }]);
        expect(moved.warnings).toContain(
            `CI_AWS_KEY: its IAM user changed ("ci-deployer" → "${user}"), and an access key's user is ForceNew: pulumi up deletes both keys, the one the consumers use included, before it issues the new ones (delete-first, IAM allows two keys per user), so the consumers fail until they restart on the new key. To move without an outage, add a secret issuing keys of the new user, move the consumers to it, then remove this one`,
        );
    }
    expect(diffPlans(plan(config(3)), plan(config(4)), new Set()).warnings).toEqual([]);
});

test("rekey plan's diagram says what is issued, and what an incident does to the leaked credential", () => {
    const { mermaidText, planFlowchart } = require("../../components/plan/mermaid") as typeof import("../../components/plan/mermaid");
    const head = plan(config(5, { incident: "key pasted in a CI log" }));
    const incident = planFlowchart([{ stack: "production", diff: diffPlans(plan(config(4)), head, new Set()), head }]);
    expect(incident).toContain(mermaidText("issues a new credential in slot odd"));
    expect(incident).toContain(mermaidText("the leaked one: deactivated (status Inactive) after the verifies"));
    const bumpHead = plan(config(4));
    const bump = planFlowchart([{ stack: "production", diff: diffPlans(plan(config(3)), bumpHead, new Set()), head: bumpHead }]);
    expect(bump).toContain(mermaidText("issues a new credential in slot even"));
    expect(bump).not.toContain(mermaidText("the leaked one"));
    // As mermaid itself reads it: the secret's node holds the lines.
    const { parseMermaid, parsedOk } = require("../harness/mermaid") as typeof import("../harness/mermaid");
    const [parsed] = parseMermaid([incident]);
    const labels = parsedOk(incident, parsed).nodes.map((n) => n.text);
    expect(labels.some((l) => l.includes("issues a new credential in slot odd") && l.includes("the leaked one: deactivated (status Inactive) after the verifies"))).toBe(true);
});
