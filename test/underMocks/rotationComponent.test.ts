// The Rotation component in a program of one's own: two Rotations in one stack, a user's
// Kubernetes provider, a value handed to another resource; importing the package
// registers nothing.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CapturedResource, MockEngine, RunResult } from "../harness/mockEngine";
import type { RotationArgs } from "../../index";

const inventory = (namespace: string): RotationArgs => ({
    defaults: { kubernetes: { namespace } },
    consumers: { api: { kubernetes: { deployment: "api" } } },
    secrets: {
        DB_PASSWORD: { epoch: 1, generate: { encoding: "hex", bytes: 24 }, stores: [{ kubernetes: { secret: "app" } }, { ssm: { prefix: `/${namespace}/` } }], consumers: ["api"] },
        API_KEY: { supplied: true, stores: [{ kubernetes: { secret: "app" } }], consumers: ["api"] },
    },
});

async function twoRotations(engine: MockEngine): Promise<RunResult> {
    return engine.run({}, async () => {
        const { Rotation } = require("../../index") as typeof import("../../index");
        const cluster = new k8s.Provider("my-cluster", { context: "prod", enableSecretMutable: true });
        const shop = new Rotation("shop", { ...inventory("shop"), supplied: { API_KEY: pulumi.secret("shop-key") }, stackOutput: "shopRotation" }, { providers: { kubernetes: cluster } });
        const blog = new Rotation("blog", { ...inventory("blog"), supplied: { API_KEY: pulumi.secret("blog-key") }, stackOutput: "blogRotation" }, { providers: [cluster] });
        // The rest of the program uses a value: the shop's database password in its own Secret.
        new k8s.core.v1.Secret("shop-db", { metadata: { namespace: "shop" }, stringData: { password: shop.values.DB_PASSWORD } }, { provider: cluster });
        return { shopRotation: shop.rotation, blogRotation: blog.rotation };
    });
}

/** The Rotation a resource is under (its ancestor of type pulumi-rekey:index:Rotation), if any. */
function rotationOf(run: RunResult, r: CapturedResource): string | undefined {
    for (let p = r.parent; p; p = run.resources.get(p)?.parent) if (p.startsWith("pulumi-rekey:index:Rotation::")) return p.slice("pulumi-rekey:index:Rotation::".length);
    return undefined;
}

test("two Rotations in one stack: no URN collision, every child under its Rotation and named after it", async () => {
    const run = await twoRotations(new MockEngine());
    const mine = [...run.resources.values()].filter((r) => !["pulumi:pulumi:Stack", "pulumi-rekey:index:Rotation"].includes(r.type) && r.name !== "my-cluster" && r.name !== "shop-db");
    expect(mine.length).toBeGreaterThan(20);
    for (const r of mine) {
        const owner = rotationOf(run, r);
        expect([r.name, owner]).toEqual([r.name, r.name.startsWith("shop-") ? "shop" : "blog"]);
    }
    const urns = [...run.resources.values()].map((r) => r.urn).filter(Boolean);
    expect(new Set(urns).size).toBe(urns.length);
    // Each reads its own record back, under its own output.
    expect(Object.keys(run.outputs.shopRotation).sort()).toEqual(["API_KEY", "DB_PASSWORD"]);
    expect(run.outputs.blogRotation.DB_PASSWORD.fingerprint).not.toBe(run.outputs.shopRotation.DB_PASSWORD.fingerprint);
});

test("control: the mock engine refuses two resources whose URNs collide (one type and name under parents of one type)", async () => {
    const random = require("@pulumi/random") as typeof import("@pulumi/random");
    await expect(
        new MockEngine().run({}, async () => {
            for (const owner of ["a", "b"]) {
                const parent = new pulumi.ComponentResource("my:index:Owner", owner);
                new random.RandomPassword("pw", { length: 16 }, { parent });
            }
            return {};
        }),
    ).rejects.toThrow("Duplicate resource URN 'urn:pulumi:test::rekey::my:index:Owner$random:index/randomPassword:RandomPassword::pw'; try giving it a unique name");
}, 20000);

test("the user's Kubernetes provider writes both Rotations' Secrets; rekey makes no provider of its own for it", async () => {
    const run = await twoRotations(new MockEngine());
    const secrets = [...run.resources.values()].filter((r) => r.type === "kubernetes:core/v1:Secret" && r.name !== "shop-db");
    expect(secrets.map((s) => [s.name, s.provider]).sort()).toEqual([
        ["blog-kubernetes:blog/app", "my-cluster"],
        ["shop-kubernetes:shop/app", "my-cluster"],
    ]);
    expect([...run.resources.values()].filter((r) => r.type === "pulumi:providers:kubernetes").map((r) => r.name)).toEqual(["my-cluster"]);
});

test("a value handed to another resource stays secret, and is the value rekey stores", async () => {
    const run = await twoRotations(new MockEngine());
    const handed = run.resources.get("kubernetes:core/v1:Secret::shop-db")!.leaves.find((l) => l.path === "stringData.password")!;
    expect(handed.secret).toBe(true);
    expect(handed.value).toMatch(/^[0-9a-f]{48}$/);
    const stored = run.resources.get("kubernetes:core/v1:Secret::shop-kubernetes:shop/app")!.inputs.data.DB_PASSWORD;
    expect(Buffer.from(stored, "base64").toString("utf8")).toBe(handed.value);
});

test("importing the package registers nothing", async () => {
    const engine = new MockEngine();
    await engine.run({}, async () => {
        jest.isolateModules(() => {
            require("../../index");
        });
        return {};
    });
    expect(engine.registered()).toEqual([]);
});

test("an invalid inventory throws one RekeyConfigError naming every problem, and registers nothing, not even the Rotation", async () => {
    const engine = new MockEngine();
    await expect(
        engine.run({}, async () => {
            const { Rotation } = require("../../index") as typeof import("../../index");
            new Rotation("bad", { secrets: { A: { epoch: 1, generate: { encoding: "hex", bytes: 2 } }, B: { supplied: true } } } as never);
            return {};
        }),
    ).rejects.toThrow(/invalid rekey configuration, 2 problems:\n  - secret A, field generate.bytes: must be 16-1024 bytes \(got 2\)\n  - secret B, field supplied: no value in rekey:supplied.B/);
    expect(engine.registered()).toEqual([]);
});

test("a supplied value given as an Output is checked against its .env store once it resolves, before any child", async () => {
    const engine = new MockEngine();
    const make = (value: string) => async () => {
        const { Rotation } = require("../../index") as typeof import("../../index");
        const r = new Rotation("edge", {
            secrets: { TOKEN: { supplied: true, stores: [{ dotenv: { path: "/srv/edge/.env" } }] } },
            supplied: { TOKEN: pulumi.secret(pulumi.output(value)) },
        });
        await r.ready();
        return { rotation: r.rotation };
    };
    await expect(engine.run({}, make("line one\nline two"))).rejects.toThrow(/secret TOKEN, field stores\[0\]\.dotenv: cannot hold this secret: its value can contain a line break/);
    expect(engine.registered()).toEqual(["pulumi-rekey:index:Rotation::edge"]);
    // The same with a value that fits: written.
    const run = await engine.run({}, make("fits-on-one-line"));
    expect(run.resources.get("command:local:Command::edge-dotenv:local:/srv/edge/.env")).toBeDefined();
});

test("the user's AWS provider writes SSM parameters without a region of their own; a store's own region gets rekey's provider", async () => {
    const aws = require("@pulumi/aws") as typeof import("@pulumi/aws");
    const run = await new MockEngine().run({}, async () => {
        const { Rotation } = require("../../index") as typeof import("../../index");
        const account = new aws.Provider("my-account", { region: "eu-west-1" });
        const r = new Rotation("app", {
            secrets: { K: { epoch: 0, generate: { encoding: "hex", bytes: 16 }, stores: [{ ssm: { name: "/app/K" } }, { ssm: { name: "/app/K-us", region: "us-east-1" } }] } },
        }, { providers: [account] });
        await r.ready();
        return {};
    });
    const params = [...run.resources.values()].filter((x) => x.type === "aws:ssm/parameter:Parameter").map((x) => [x.name, x.provider]).sort();
    expect(params).toEqual([
        ["app-ssm:/app/K", "my-account"],
        ["app-ssm:us-east-1:/app/K-us", "app-aws-us-east-1"],
    ]);
});

test("fromStackConfig's args spread into a Rotation's keep what the stack config says beyond them (an unknown key is still named)", async () => {
    const engine = new MockEngine();
    const config = { "rekey:secrets": { A: { epoch: 0, generate: { encoding: "hex", bytes: 16 } } }, "rekey:secret": {} };
    await expect(
        engine.run(config, async () => {
            const { Rotation, fromStackConfig } = require("../../index") as typeof import("../../index");
            new Rotation("mine", { ...fromStackConfig(), stackOutput: "mine" });
            return {};
        }),
    ).rejects.toThrow(/rekey:secret: unknown configuration key/);
    expect(engine.registered()).toEqual([]);
});
