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
        expect(message).toContain(`${c.expect.subject}${c.expect.field ? `, field ${c.expect.field}` : ""}:`);
        expect(message).toMatch(c.expect.reason);
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
