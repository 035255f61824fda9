import { INVALID_CASES } from "../harness/invalidConfigs";
import * as random from "@pulumi/random";
import { MockEngine } from "../harness/mockEngine";

describe("invalid configuration fails before any resource is registered", () => {
    test.each(INVALID_CASES.map((c) => [c.title, c] as const))("%s", async (_title, c) => {
        const engine = new MockEngine();
        const registered: string[] = [];
        const original = engine.run.bind(engine);
        let error: unknown;
        try {
            await original(c.config);
        } catch (e) {
            error = e;
        }
        expect(error).toBeDefined();
        const message = String((error as Error).message);
        // One line per problem, exactly as many as the case expects; the case's own among them.
        const expected = [c.expect, ...(c.also ?? [])];
        expect(message).toContain(`invalid rekey configuration, ${expected.length} problem${expected.length === 1 ? "" : "s"}:`);
        for (const e of expected) {
            const lines = message.split("\n").filter((l) => l.startsWith(`  - ${e.subject}${e.field ? `, field ${e.field}` : ""}: `));
            expect(lines.some((l) => e.reason.test(l.slice(l.indexOf(": ") + 2)))).toBe(true);
        }
        // The engine's state holds every resource the mocks were asked to register.
        registered.push(...engine.registered());
        expect(registered).toEqual([]);
    });
});

test("the check sees a resource registered just before an error (control)", async () => {
    const engine = new MockEngine();
    await expect(
        engine.run({}, () => {
            new random.RandomPassword("early", { length: 16 });
            throw new Error("late failure");
        }),
    ).rejects.toThrow("late failure");
    expect(engine.registered()).toEqual([
        "random:index/randomPassword:RandomPassword::early",
    ]);
});

test("pulumi up refuses a rotatedAt after the clock's day (UTC), as rekey does, before any resource", async () => {
    // components/rotation.ts gives the planner the clock's UTC day. Two days on is after it
    // even if the run crosses midnight; a day back is before it.
    const later = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    const earlier = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const config = (rotatedAt: string) => ({
        "rekey:secrets": { A: { epoch: 1, rotatedAt, generate: { encoding: "hex", bytes: 32 }, stores: [{ file: { path: "/tmp/rekey-never-written/a" } }] } },
    });
    const engine = new MockEngine();
    await expect(engine.run(config(later))).rejects.toThrow(new RegExp(`secret A, field rotatedAt: "${later}" is in the future \\(today is \\d{4}-\\d{2}-\\d{2}, UTC\\)`));
    expect(engine.registered()).toEqual([]);
    // Control: a past day is accepted and the program registers its resources.
    const ok = new MockEngine();
    await ok.run(config(earlier));
    expect(ok.registered().length).toBeGreaterThan(0);
});
