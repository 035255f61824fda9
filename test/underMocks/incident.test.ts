// An incident rotation (`incident:` beside the epoch, written by `rekey bump --incident`)
// keeps no overlap: no store's previous value holds the leaked value, the alternating
// Postgres role holding it loses LOGIN once the consumers verified (PostgresRevoke), a
// command hook learns it is an incident, the `rotation` record carries the reason, and
// the program refuses to roll back past it.
import { Config, apiThenWorker } from "../harness/configs";
import { MockEngine, RunResult, waitsFor } from "../harness/mockEngine";
import { inputsByResource, runWithValues } from "../harness/values";
import { withheldOutput } from "../../components/commands/hostCommand";
import { writeFileCommand } from "../../components/stores/writeFileCommand";
import { redisPasswordHash } from "../../components/hooks/redis";

function config(epoch: number, incident?: string): Config {
    return {
        "rekey:consumers": apiThenWorker(),
        "rekey:secrets": {
            DB_PASSWORD: {
                epoch,
                ...(incident ? { incident } : {}),
                generate: { encoding: "hex", bytes: 24 },
                apply: { postgres: { host: "db", roles: ["app_blue", "app_green"] } },
                stores: [{ dotenv: { path: "/srv/app/.env" } }],
                consumers: ["api", "worker"],
            },
            SIGNING_KEY: {
                epoch,
                ...(incident ? { incident } : {}),
                generate: { encoding: "hex", bytes: 16 },
                keepPrevious: true,
                apply: { command: { run: "reencrypt" } },
                stores: [{ ssm: { prefix: "/app/" } }, { dotenv: { path: "/srv/app/.env" } }],
                consumers: ["api"],
            },
        },
    };
}

const res = (run: RunResult, type: string, name: string) => [...run.resources.values()].find((r) => r.type === type && r.name === name);
const LOCAL = "command:local:Command";

test("an incident epoch: _PREVIOUS holds the new value, the leaked role loses LOGIN after every consumer verified, the hook is told, the record says why", async () => {
    const engine = new MockEngine();
    const before = await runWithValues(engine, config(4));
    const r = await runWithValues(engine, config(5, "token posted in a public channel"));
    const leaked = before.values.SIGNING_KEY;
    expect(r.values.SIGNING_KEY).not.toBe(leaked);
    // The hook re-encrypts away from the leaked value, and knows why.
    const hook = res(r.run, LOCAL, "rekey-command-hook:SIGNING_KEY")!;
    expect(hook.inputs.environment).toMatchObject({ OLD_VALUE: leaked, NEW_VALUE: r.values.SIGNING_KEY });
    // (The script is quoted once more inside the step wrapper; the replayed test runs it.)
    expect(hook.inputs.create).toContain("REKEY_INCIDENT=1; REKEY_INCIDENT_REASON='\\''token posted in a public channel'\\''; export REKEY_INCIDENT REKEY_INCIDENT_REASON\n");
    // No store holds the leaked value under any name.
    const ssmPrevious = res(r.run, "aws:ssm/parameter:Parameter", "rekey-ssm:/app/SIGNING_KEY_PREVIOUS")!;
    expect(ssmPrevious.inputs.value).toBe(r.values.SIGNING_KEY);
    for (const x of r.run.resources.values()) {
        if (x.type.startsWith("command:") && x.name.startsWith("rekey-command-hook:")) continue;
        if (x.type.startsWith("random:")) continue;
        expect({ at: x.name, leaks: x.leaves.some((l) => l.value.includes(leaked) || l.value.includes(before.values.DB_PASSWORD)) }).toEqual({ at: x.name, leaks: false });
    }
    // The .env writer keeps no backup of the leaked file (the next normal bump keeps one again).
    const dotenvWriter = (run: RunResult) => res(run, LOCAL, "rekey-dotenv:local:/srv/app/.env")!.inputs.create;
    expect(dotenvWriter(before.run)).toBe(withheldOutput("dotenv:local:/srv/app/.env", writeFileCommand("dotenv", "/srv/app/.env")));
    expect(dotenvWriter(r.run)).toBe(withheldOutput("dotenv:local:/srv/app/.env", writeFileCommand("dotenv", "/srv/app/.env", { incident: true })));
    expect(writeFileCommand("dotenv", "/srv/app/.env", { incident: true })).toBe(`${writeFileCommand("dotenv", "/srv/app/.env")} && rm -f -- '/srv/app/.env.rekey-backup'`);
    // Epoch 5 sets app_green; app_blue holds epoch 4's (leaked) password and is revoked after both consumers verified.
    const revoke = res(r.run, LOCAL, "rekey-postgres-revoke:db:5432/app_blue")!;
    expect(revoke.change).toBe("created");
    expect(revoke.inputs.stdin).toBe("ALTER ROLE \"app_blue\" NOLOGIN;\nSELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = 'app_blue';\n");
    for (const k of ["command:local:Command::rekey-verify:api", "command:local:Command::rekey-restart:worker", "command:local:Command::rekey-dotenv:local:/srv/app/.env"]) {
        expect(waitsFor(r.run.resources)("command:local:Command::rekey-postgres-revoke:db:5432/app_blue").has(k)).toBe(true);
    }
    expect(r.run.outputs.rotation.SIGNING_KEY.incident).toEqual({ reason: "token posted in a public channel", at: null });
    expect(r.run.outputs.rotation.DB_PASSWORD.incident).toEqual({ reason: "token posted in a public channel", at: null });

    // Unchanged, nothing changes; a rollback past the incident is refused before anything is registered.
    const again = await runWithValues(engine, config(5, "token posted in a public channel"));
    expect([...again.run.resources.values()].filter((x) => x.change !== "same" && x.change !== "read").map((x) => x.name)).toEqual([]);
    expect(inputsByResource(again.run)).toEqual(inputsByResource(r.run));
    await expect(runWithValues(engine, config(4))).rejects.toThrow(
        'secret SIGNING_KEY: the last completed rotation deployed epoch 5, this configuration has epoch 4, and epoch 5 was an incident rotation ("token posted in a public channel"): rolling back would restore the leaked value. Set epoch back to 5, or bump to 6',
    );

    // Dropping the incident line without a bump would put the leaked value back as _PREVIOUS: refused.
    await expect(runWithValues(engine, config(5))).rejects.toThrow(
        'secret SIGNING_KEY: epoch 5 was deployed as an incident rotation ("token posted in a public channel"), and this configuration drops its incident line, which would put the leaked value back as the previous value: keep the line, or bump to 6',
    );

    // The next normal bump: overlap again (the incident epoch's value is the previous one), no revoke.
    const next = await runWithValues(engine, config(6));
    expect(next.previous.SIGNING_KEY).toBe(r.values.SIGNING_KEY);
    expect(res(next.run, "aws:ssm/parameter:Parameter", "rekey-ssm:/app/SIGNING_KEY_PREVIOUS")!.inputs.value).toBe(r.values.SIGNING_KEY);
    expect(res(next.run, LOCAL, "rekey-postgres-revoke:db:5432/app_blue")).toBeUndefined();
    expect(next.run.outputs.rotation.SIGNING_KEY.incident).toBeUndefined();
    expect(res(next.run, LOCAL, "rekey-command-hook:SIGNING_KEY")!.inputs.create).not.toContain("REKEY_INCIDENT");
    expect(dotenvWriter(next.run)).toBe(dotenvWriter(before.run));
});

test("revokeFirst: the leaked credential is revoked after the hook and the stores and before any consumer restarts (pair: NOLOGIN, one role: its sessions end, Redis: resetpass and CLIENT KILL)", async () => {
    const incident = (epoch: number, reason?: string, revokeFirst = false) => (reason ? { epoch, incident: reason, ...(revokeFirst ? { revokeFirst: true } : {}) } : { epoch });
    const cfg = (epoch: number, reason?: string, revokeFirst = false): Config => ({
        "rekey:consumers": apiThenWorker(),
        "rekey:secrets": {
            DB_PASSWORD: { ...incident(epoch, reason, revokeFirst), generate: { encoding: "hex", bytes: 24 }, apply: { postgres: { host: "db", roles: ["app_blue", "app_green"] } }, stores: [{ dotenv: { path: "/srv/app/.env" } }], consumers: ["api", "worker"] },
            REPORT_PASSWORD: { ...incident(epoch, reason, revokeFirst), generate: { encoding: "hex", bytes: 24 }, apply: { postgres: { host: "db", role: "report" } }, stores: [{ dotenv: { path: "/srv/app/.env" } }], consumers: ["worker"] },
            REDIS_PASSWORD: { ...incident(epoch, reason, revokeFirst), generate: { encoding: "hex", bytes: 24 }, apply: { redis: { host: "cache", user: "app" } }, stores: [{ file: { path: "/run/secrets/redis" } }], consumers: ["api"] },
        },
    });
    const engine = new MockEngine();
    await runWithValues(engine, cfg(4));
    const r = await runWithValues(engine, cfg(5, "dump of the .env on a pastebin", true));
    const key = (name: string) => `${LOCAL}::${name}`;
    const waits = waitsFor(r.run.resources);
    const pair = "rekey-postgres-revoke:db:5432/app_blue";
    const single = "rekey-postgres-revoke:db:5432/report";
    const redis = "rekey-redis-revoke:cache:6379/app";
    expect(res(r.run, LOCAL, pair)!.inputs.stdin).toBe("ALTER ROLE \"app_blue\" NOLOGIN;\nSELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = 'app_blue';\n");
    expect(res(r.run, LOCAL, single)!.inputs.stdin).toBe("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = 'report' AND pid <> pg_backend_pid();\n");
    expect(res(r.run, LOCAL, redis)!.inputs.stdin).toBe(`ACL SETUSER app on resetpass #${redisPasswordHash(r.values.REDIS_PASSWORD)}\nCLIENT KILL USER app\n`);
    // Each revocation waits for its hook and every store holding the new value, and nothing of a consumer's.
    expect([...waits(key(pair))].sort()).toEqual([key("rekey-dotenv:local:/srv/app/.env"), key("rekey-postgres:db:5432/app_green")]);
    expect([...waits(key(single))].sort()).toEqual([key("rekey-dotenv:local:/srv/app/.env"), key("rekey-postgres:db:5432/report")]);
    expect([...waits(key(redis))].sort()).toEqual([key("rekey-file:local:/run/secrets/redis"), key("rekey-redis:cache:6379/app")]);
    // Every restart of a consumer of the secret waits for it.
    for (const [restart, revokes] of [["rekey-restart:api", [pair, redis]], ["rekey-restart:worker", [pair, single]]] as const) {
        for (const v of revokes) expect({ restart, waitsFor: v, yes: waits(key(restart)).has(key(v)) }).toEqual({ restart, waitsFor: v, yes: true });
    }
    // Redis still finalizes after the verify; the pair's revocation is not repeated there.
    expect(waits(key("rekey-redis-finalize:cache:6379/app")).has(key("rekey-verify:api"))).toBe(true);
    expect([...r.run.resources.values()].filter((x) => x.name.startsWith("rekey-postgres-revoke:")).map((x) => x.name).sort()).toEqual([pair, single]);
    // The record waits for the revocation too.
    expect(r.run.outputs.rotation.DB_PASSWORD.incident).toEqual({ reason: "dump of the .env on a pastebin", at: null });

    // Taking revokeFirst away at the same epoch moves the pair's revocation after the verifies and reruns nothing.
    const later = await runWithValues(engine, cfg(5, "dump of the .env on a pastebin"));
    expect(waits(key(pair)).size).toBeGreaterThan(0);
    expect(waitsFor(later.run.resources)(key(pair)).has(key("rekey-verify:api"))).toBe(true);
    expect(res(later.run, LOCAL, pair)!.change).toBe("same");
});

test("at an incident, the previous slot's store record names the epoch whose value it holds (the new one), not the leaked epoch", async () => {
    const engine = new MockEngine();
    await runWithValues(engine, config(4));
    const r = await runWithValues(engine, config(5, "token posted in a public channel"));
    const ssm = (name: string) => res(r.run, "aws:ssm/parameter:Parameter", `rekey-ssm:/app/${name}`)!;
    expect(ssm("SIGNING_KEY_PREVIOUS").inputs.value).toBe(r.values.SIGNING_KEY);
    expect(ssm("SIGNING_KEY_PREVIOUS").inputs.tags).toMatchObject({ "rekey:variant": "previous", "rekey:epoch": "5" });
    expect(ssm("SIGNING_KEY").inputs.tags).toMatchObject({ "rekey:variant": "current", "rekey:epoch": "5" });
    // Outside an incident the previous slot holds, and records, the epoch before.
    const next = await runWithValues(engine, config(6));
    expect(res(next.run, "aws:ssm/parameter:Parameter", "rekey-ssm:/app/SIGNING_KEY_PREVIOUS")!.inputs.tags).toMatchObject({ "rekey:epoch": "5" });
});
