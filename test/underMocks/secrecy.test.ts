import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { createHash, createHmac } from "crypto";
import { MockEngine, leavesOf, resource } from "../harness/mockEngine";
import { loadStackFile } from "../harness/stackFile";
import { ValuesRun, runWithValues } from "../harness/values";

const PW = "random:index/randomPassword:RandomPassword";

describe("no secret value appears outside Pulumi's secret wrapper (production sample)", () => {
    let r: ValuesRun;
    let secrets: string[];
    let supplied: Record<string, string>;

    beforeAll(async () => {
        const stack = loadStackFile("production");
        const engine = new MockEngine();
        r = await runWithValues(engine, stack.config);
        supplied = stack.config["rekey:supplied"] as Record<string, string>;
        const hostKeys = stack.config["rekey:hostKeys"] as Record<string, string>;
        const hashes = [...r.run.resources.values()].filter((x) => x.type === PW).map((x) => x.outputs.bcryptHash as string);
        secrets = [
            ...Object.values(r.values),
            ...Object.values(r.previous),
            ...Object.values(r.credentials),
            ...Object.values(supplied),
            ...Object.values(hostKeys),
            ...engine.generatedValues,
            ...hashes,
        ];
        // The checks below only mean something if they see every kind of value.
        expect(Object.keys(r.values).length).toBeGreaterThanOrEqual(17);
        expect(Object.keys(r.previous).length).toBeGreaterThanOrEqual(3);
        expect(Object.keys(supplied)).toHaveLength(4);
    });

    const leaks = (leaves: { path: string; value: string; secret: boolean }[], needles: string[]) =>
        leaves.filter((l) => !l.secret).flatMap((l) => needles.filter((n) => l.value.includes(n)).map(() => l.path));

    test("no resource input carries a value in the clear", () => {
        for (const res of r.run.resources.values()) {
            expect({ resource: `${res.type}::${res.name}`, leaks: leaks(res.leaves, secrets) }).toEqual({
                resource: `${res.type}::${res.name}`,
                leaks: [],
            });
        }
    });

    test("every value a RotatedSecret exposes, and the credentials output, is secret", async () => {
        const leaves = await leavesOf(r.exposed);
        expect(leaves.length).toBeGreaterThan(20);
        expect(leaves.filter((l) => !l.secret)).toEqual([]);
    });

    test("stack outputs hold no value and no bare hash of one", async () => {
        const plain = r.run.outputLeaves.filter((l) => !l.secret);
        expect(plain.length).toBeGreaterThan(50);
        const sha = secrets.flatMap((v) => {
            const d = createHash("sha256").update(v).digest();
            return [d.toString("hex").slice(0, 16), d.toString("base64").slice(0, 16)];
        });
        expect(leaks(plain, secrets)).toEqual([]);
        expect(leaks(plain, sha)).toEqual([]);
        expect(r.run.outputLeaves.filter((l) => l.path.startsWith("credentials") && !l.secret)).toEqual([]);
    });

    test("fingerprints are the HMAC of the value under the stack's fingerprint key", () => {
        const key = resource(r.run, PW, "rekey-fingerprint-key").outputs.result as string;
        for (const [name, value] of Object.entries(r.values)) {
            const expected = createHmac("sha256", key).update(value).digest("hex").slice(0, 32);
            expect(r.run.outputs.rotation[name].fingerprint).toBe(`hmac-sha256:${expected}`);
        }
    });

    test("the leak check itself finds a value placed in a plain input (control)", async () => {
        const engine = new MockEngine();
        const run = await engine.run({}, () => {
            const p = new random.RandomPassword("p", { length: 20 });
            new random.RandomPassword("q", { length: 20, keepers: { leaked: pulumi.unsecret(p.result) } });
            return {};
        });
        const q = resource(run, PW, "q");
        const value = resource(run, PW, "p").outputs.result;
        expect(leaks(q.leaves, [value])).toEqual(["keepers.leaked"]);
    });
});
