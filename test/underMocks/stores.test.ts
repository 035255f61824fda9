import { HOST_KEY } from "../harness/invalidConfigs";
import { withheldOutput } from "../../components/commands/hostCommand";
import { writeFileCommand } from "../../components/stores/writeFileCommand";
import { Config } from "../harness/configs";
import { MockEngine, ofType, resource } from "../harness/mockEngine";
import { runWithValues } from "../harness/values";

const SSM = "aws:ssm/parameter:Parameter";
const KV = "azure-native:keyvault:Secret";
const K8S_SECRET = "kubernetes:core/v1:Secret";
const LOCAL = "command:local:Command";
const REMOTE = "command:remote:Command";

function storesConfig(): Config {
    return {
        "rekey:defaults": {
            ssm: { prefix: "/musehub/production/", keyId: "alias/musehub" },
            keyVault: { vault: "kv-musehub-prod", resourceGroup: "rg-musehub-prod" },
            kubernetes: { namespace: "musehub", context: "prod" },
        },
        "rekey:hosts": { web1: { host: "203.0.113.10", user: "deploy", hostKey: `203.0.113.10 ${HOST_KEY} comment` } },
        "rekey:hostKeys": { web1: "-----BEGIN OPENSSH PRIVATE KEY-----test-key-----END OPENSSH PRIVATE KEY-----" },
        "rekey:secrets": {
            JWT_SECRET: {
                epoch: 4,
                rotatedAt: "2026-10-02",
                cadenceDays: 365,
                generate: { encoding: "base64url", bytes: 48 },
                keepPrevious: true,
                stores: [{ ssm: {} }, { keyVault: { name: "musehub-jwt-secret" } }, { kubernetes: { secret: "app-secrets", key: "SECRET_KEY" } }],
            },
            REDIS_PASSWORD: {
                epoch: 2,
                rotatedAt: "2026-09-01",
                generate: { encoding: "hex", bytes: 32 },
                stores: [{ kubernetes: { secret: "app-secrets" } }, { dotenv: { host: "web1", path: "/opt/app/.env" } }],
            },
            FCM_KEY: { epoch: 1, supplied: true, stores: [{ kubernetes: { secret: "app-secrets" } }, { dotenv: { path: "/srv/app/.env" } }] },
            TLS_KEY: { epoch: 1, supplied: true, stores: [{ kubernetes: { secret: "origin-cert", type: "kubernetes.io/tls", key: "tls.key" } }] },
            MQTT_PASSWORD: {
                epoch: 1,
                generate: { encoding: "alphanumeric", length: 24 },
                stores: [{ file: { path: "/run/secrets/mqtt_password", mode: "0400", owner: "1000:1000" } }, { file: { host: "web1", path: "/srv/mqtt" } }],
            },
        },
        "rekey:supplied": { FCM_KEY: "fcm-key-0001", TLS_KEY: "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n" },
    };
}

const bump = (c: Config, name: string) => {
    const d = structuredClone(c);
    d["rekey:secrets"][name].epoch += 1;
    return d;
};
const secretLeaf = (r: { leaves: { path: string; secret: boolean }[] }, path: string) => r.leaves.find((l) => l.path === path || l.path.startsWith(`${path}.`) || l.path.startsWith(`${path}[`));

describe("SSM Parameter Store", () => {
    test("SecureString with key, name, tags and description; the value is in `value`, secret (refresh shows drift)", async () => {
        const { run, values, previous } = await runWithValues(new MockEngine(), storesConfig());
        const p = resource(run, SSM, "rekey-ssm:/musehub/production/JWT_SECRET");
        expect(p.inputs).toMatchObject({
            name: "/musehub/production/JWT_SECRET",
            type: "SecureString",
            keyId: "alias/musehub",
            tags: { "managed-by": "rekey", "rekey:secret": "JWT_SECRET", "rekey:epoch": "4", "rekey:rotatedAt": "2026-10-02", "rekey:variant": "current" },
            description: expect.stringContaining("Managed by rekey"),
        });
        expect(p.inputs.valueWo).toBeUndefined();
        expect(p.inputs.valueWoVersion).toBeUndefined();
        expect(p.inputs.value).toBe(values.JWT_SECRET);
        expect(secretLeaf(p, "value")!.secret).toBe(true);
        const prev = resource(run, SSM, "rekey-ssm:/musehub/production/JWT_SECRET_PREVIOUS");
        expect(prev.inputs.value).toBe(previous.JWT_SECRET);
        expect(prev.inputs.tags).toMatchObject({ "rekey:epoch": "3", "rekey:variant": "previous" });
        expect(prev.inputs.tags["rekey:rotatedAt"]).toBeUndefined();
    });

    test("a parameter is updated in place exactly when its value changes", async () => {
        const engine = new MockEngine();
        const a = await runWithValues(engine, storesConfig());
        const b = await runWithValues(engine, storesConfig());
        const c = await runWithValues(engine, bump(storesConfig(), "JWT_SECRET"));
        const change = (r: typeof a, n: string) => resource(r.run, SSM, n).change;
        expect(change(b, "rekey-ssm:/musehub/production/JWT_SECRET")).toBe("same");
        expect(change(c, "rekey-ssm:/musehub/production/JWT_SECRET")).toBe("updated");
        // The previous parameter now holds epoch 4's value: it changes too.
        expect(change(c, "rekey-ssm:/musehub/production/JWT_SECRET_PREVIOUS")).toBe("updated");
        expect(resource(c.run, SSM, "rekey-ssm:/musehub/production/JWT_SECRET_PREVIOUS").inputs.value).toBe(a.values.JWT_SECRET);
    });
});

describe("Azure Key Vault", () => {
    test("vault, resource group, name, content type, tags and expiry = rotatedAt + cadenceDays", async () => {
        const { run, values } = await runWithValues(new MockEngine(), storesConfig());
        const s = resource(run, KV, "rekey-keyvault:kv-musehub-prod/musehub-jwt-secret");
        expect(s.inputs).toMatchObject({
            resourceGroupName: "rg-musehub-prod",
            vaultName: "kv-musehub-prod",
            secretName: "musehub-jwt-secret",
            properties: {
                value: values.JWT_SECRET,
                contentType: "base64url",
                attributes: { enabled: true, expires: Date.parse("2027-10-02T00:00:00Z") / 1000 },
            },
            tags: { "rekey:epoch": "4", "rekey:rotatedAt": "2026-10-02" },
        });
        expect(secretLeaf(s, "properties.value")!.secret).toBe(true);
        expect(resource(run, KV, "rekey-keyvault:kv-musehub-prod/musehub-jwt-secret-previous").inputs.properties.attributes.expires).toBeUndefined();
    });
});

describe("Kubernetes Secrets", () => {
    test("one Secret holds the keys of three rekey secrets; rotating one leaves the others byte-identical", async () => {
        const engine = new MockEngine();
        const a = await runWithValues(engine, storesConfig());
        const b = await runWithValues(engine, bump(storesConfig(), "REDIS_PASSWORD"));
        const sa = resource(a.run, K8S_SECRET, "rekey-kubernetes:musehub/app-secrets");
        const sb = resource(b.run, K8S_SECRET, "rekey-kubernetes:musehub/app-secrets");
        expect(Object.keys(sa.inputs.data).sort()).toEqual(["FCM_KEY", "REDIS_PASSWORD", "SECRET_KEY", "SECRET_KEY_PREVIOUS"]);
        const decode = (v: string) => Buffer.from(v, "base64").toString("utf8");
        expect(decode(sa.inputs.data.SECRET_KEY)).toBe(a.values.JWT_SECRET);
        expect(decode(sa.inputs.data.FCM_KEY)).toBe("fcm-key-0001");
        for (const key of ["FCM_KEY", "SECRET_KEY", "SECRET_KEY_PREVIOUS"]) expect(sb.inputs.data[key]).toBe(sa.inputs.data[key]);
        expect(decode(sb.inputs.data.REDIS_PASSWORD)).toBe(b.values.REDIS_PASSWORD);
        expect(sb.inputs.data.REDIS_PASSWORD).not.toBe(sa.inputs.data.REDIS_PASSWORD);
        expect(sb.change).toBe("updated");
        expect(secretLeaf(sb, "data")!.secret).toBe(true);
        expect(sb.leaves.filter((l) => l.path.startsWith("data") && !l.secret)).toEqual([]);
        expect(JSON.parse(sb.inputs.metadata.annotations["rekey.dev/rotation"])).toEqual({
            FCM_KEY: { secret: "FCM_KEY", epoch: 1, rotatedAt: null },
            REDIS_PASSWORD: { secret: "REDIS_PASSWORD", epoch: 3, rotatedAt: "2026-09-01" },
            SECRET_KEY: { secret: "JWT_SECRET", epoch: 4, rotatedAt: "2026-10-02" },
            SECRET_KEY_PREVIOUS: { secret: "JWT_SECRET", epoch: 3, rotatedAt: null },
        });
        expect(sb.inputs.metadata).toMatchObject({ name: "app-secrets", namespace: "musehub", labels: { "app.kubernetes.io/managed-by": "rekey" } });
    });

    test("typed Secrets keep their type; no Secret is deleted before it is replaced; the provider mutates Secrets in place", async () => {
        const { run } = await runWithValues(new MockEngine(), storesConfig());
        expect(resource(run, K8S_SECRET, "rekey-kubernetes:musehub/origin-cert").inputs).toMatchObject({ type: "kubernetes.io/tls" });
        const secrets = ofType(run, K8S_SECRET);
        expect(secrets).toHaveLength(2);
        for (const s of secrets) {
            expect(s.deleteBeforeReplace).toBe(false);
            expect(s.provider).toBe("rekey-kubernetes");
        }
        expect(resource(run, "pulumi:providers:kubernetes", "rekey-kubernetes").inputs).toMatchObject({ enableSecretMutable: "true", context: "prod" });
        expect([...run.resources.values()].filter((r) => r.deleteBeforeReplace)).toEqual([]);
    });
});

describe(".env and secret files", () => {
    test("one writer per .env file, local or over SSH; values only on stdin", async () => {
        const { run, values } = await runWithValues(new MockEngine(), storesConfig());
        const remote = resource(run, REMOTE, "rekey-dotenv:web1:/opt/app/.env");
        expect(remote.inputs.connection).toMatchObject({ host: "203.0.113.10", port: 22, user: "deploy", hostKey: HOST_KEY });
        expect(secretLeaf(remote, "connection.privateKey")!.secret).toBe(true);
        expect(remote.inputs.stdin).toBe(`rekey-dotenv-v1\nREDIS_PASSWORD='${values.REDIS_PASSWORD}'\n`);
        expect(secretLeaf(remote, "stdin")!.secret).toBe(true);
        expect(remote.inputs.create).toBe(withheldOutput("dotenv:web1:/opt/app/.env", writeFileCommand("dotenv", "/opt/app/.env")));
        expect(writeFileCommand("dotenv", "/opt/app/.env")).toMatch(/^sh -c '.*' rekey-write 'dotenv' '\/opt\/app\/.env'$/s);
        expect(remote.inputs.update).toBe(remote.inputs.create);
        expect(remote.inputs.triggers).toBeUndefined();
        expect(remote.inputs.addPreviousOutputInEnv).toBe(false);
        const local = resource(run, LOCAL, "rekey-dotenv:local:/srv/app/.env");
        expect(local.inputs.interpreter).toEqual(["/bin/sh", "-c"]);
        expect(local.inputs.stdin).toBe("rekey-dotenv-v1\nFCM_KEY='fcm-key-0001'\n");
    });

    test("files carry mode and owner as arguments and the value on stdin", async () => {
        const { run, values } = await runWithValues(new MockEngine(), storesConfig());
        const f = resource(run, LOCAL, "rekey-file:local:/run/secrets/mqtt_password");
        expect(f.inputs.create).toBe(withheldOutput("file:local:/run/secrets/mqtt_password", writeFileCommand("file", "/run/secrets/mqtt_password", { mode: "0400", owner: "1000:1000" })));
        expect(writeFileCommand("file", "/run/secrets/mqtt_password", { mode: "0400", owner: "1000:1000" })).toMatch(/ rekey-write 'file' '\/run\/secrets\/mqtt_password' '0400' '1000:1000'$/);
        expect(f.inputs.stdin).toBe(values.MQTT_PASSWORD);
        expect(resource(run, REMOTE, "rekey-file:web1:/srv/mqtt").inputs.create).toBe(withheldOutput("file:web1:/srv/mqtt", writeFileCommand("file", "/srv/mqtt")));
    });

    test("a supplied or derived value a .env line cannot hold is rejected at validation, without the value", async () => {
        const config = storesConfig();
        config["rekey:supplied"].FCM_KEY = `it's "quoted" $HOME`;
        config["rekey:secrets"].URL = { derive: "x'{{REDIS_PASSWORD}}$", stores: [{ dotenv: { path: "/srv/app/.env" } }] };
        config["rekey:secrets"].SAFE_URL = { derive: "{{FCM_KEY | urlencode}}", stores: [{ dotenv: { path: "/srv/app/.env" } }] };
        const error = await runWithValues(new MockEngine(), config).then(
            () => new Error("accepted"),
            (e: Error) => e,
        );
        expect(error.message).toMatch(/secret FCM_KEY, field stores\[1\].dotenv: cannot hold this secret: its value can contain a single quote/);
        expect(error.message).toMatch(/secret URL, field stores\[0\].dotenv: cannot hold this secret/);
        expect(error.message).not.toMatch(/SAFE_URL/);
        expect(error.message).not.toMatch(/HOME|quoted/);
    });

    test("a generated secret whose alphabet a .env line cannot hold is rejected at validation", async () => {
        const config = storesConfig();
        config["rekey:secrets"].MQTT_PASSWORD.generate = { encoding: "password", length: 24, overrideSpecial: `'$` };
        config["rekey:secrets"].MQTT_PASSWORD.stores.push({ dotenv: { path: "/srv/app/.env" } });
        await expect(runWithValues(new MockEngine(), config)).rejects.toThrow(/secret MQTT_PASSWORD, field stores\[2\].dotenv: cannot hold this secret/);
    });
});

test("each store write waits only on the values it writes (no dependsOn between stores); each read-back on its store's write", async () => {
    const { run } = await runWithValues(new MockEngine(), storesConfig());
    for (const r of run.resources.values()) {
        if (/^command:(local|remote):Command$/.test(r.type) && r.name.startsWith("rekey-readback:")) expect(r.dependsOn).toEqual([expect.stringMatching(/^rekey:index:(SsmParameters|KubernetesSecret|DotenvFile|SecretFiles)::/)]);
        else expect(r.dependsOn).toEqual([]);
    }
});
