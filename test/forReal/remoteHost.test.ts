// A host reached over SSH, for real: a throwaway sshd on 127.0.0.1 (harness/sshd.ts), and
// the program's remote commands replayed through OpenSSH's client with the exact connection
// the program registers, host key pinned. The BirdLense flow: a host .env and a secret
// file, a make-style restart, a health check, and a remote command hook; first run,
// unchanged run (nothing runs), rotation (one restart); nothing secret in any argv the
// host's login shell was given; a server with another host key gets nothing.
import { existsSync, readFileSync, writeFileSync } from "fs";
import { join } from "path";
import { parse } from "dotenv";
import { Config } from "../harness/configs";
import { MockEngine } from "../harness/mockEngine";
import { replay } from "../harness/replay";
import { commandExists, describeNeeding, isRoot } from "../harness/requirements";
import { SSHD, SshServer, startSshd, userDir } from "../harness/sshd";
import { runWithValues } from "../harness/values";

const available = isRoot && existsSync(SSHD) && commandExists("ssh") && commandExists("useradd");

describeNeeding("ssh", available, "run as root with openssh-server and openssh-client installed (apt-get install openssh-server openssh-client)", "a remote host over real SSH", () => {
    let ssh: SshServer;
    let app: string;
    beforeAll(async () => {
        ssh = await startSshd();
        app = userDir(ssh, "app");
        // A make-style control script: start sources the .env as BirdLense's runbook does.
        writeFileSync(
            join(app, "ctl"),
            ['case $1 in', "stop) rm -f running ;;", "start) set -a; . ./.env; set +a; test -r secrets/mqtt_password && echo started >>restarts.log && touch running ;;", "esac", ""].join("\n"),
        );
    });
    afterAll(() => ssh?.stop());

    const config = (flask: number, hostKey = ssh.hostKey): Config => ({
        "rekey:hosts": { web1: { host: "127.0.0.1", port: ssh.port, user: ssh.user, hostKey } },
        "rekey:hostKeys": { web1: ssh.clientKey },
        "rekey:consumers": {
            birdlense: { host: "web1", restart: `cd ${app} && sh ./ctl stop && sh ./ctl start`, verify: { command: `test -f ${app}/running`, timeoutSeconds: 5, intervalSeconds: 1 } },
        },
        "rekey:secrets": {
            FLASK_SECRET_KEY: { epoch: flask, generate: { encoding: "base64url", bytes: 32 }, keepPrevious: true, stores: [{ dotenv: { host: "web1", path: `${app}/.env` } }], consumers: ["birdlense"] },
            MQTT_PASSWORD: { epoch: 1, generate: { encoding: "alphanumeric", length: 24 }, stores: [{ file: { host: "web1", path: `${app}/secrets/mqtt_password`, mode: "0400" } }], consumers: ["birdlense"] },
            PROCESSOR_SECRET: {
                epoch: 1,
                generate: { encoding: "hex", bytes: 24 },
                keepPrevious: true,
                apply: { command: { host: "web1", run: `printf '%s %s\\n' "$REKEY_INITIAL" "$(printf %s "$NEW_VALUE" | sha256sum | cut -c1-16)" >>${app}/hook.log` } },
                stores: [{ dotenv: { host: "web1", path: `${app}/.env` } }],
                consumers: ["birdlense"],
            },
        },
    });
    const lines = (f: string) => (existsSync(join(app, f)) ? readFileSync(join(app, f), "utf8").trim().split("\n") : []);
    const sha = (v: string) => require("crypto").createHash("sha256").update(v).digest("hex").slice(0, 16);

    test("first run, unchanged run, rotation: stores, hook, one restart and its verify, over SSH with the host key pinned", async () => {
        const engine = new MockEngine("rekey", "edge");
        const first = await runWithValues(engine, config(1));
        let out = await replay(engine, first.run);
        expect(out.executed.filter((e) => e.code !== 0).map((e) => `${e.key}: ${e.stderr}`)).toEqual([]);
        expect(out.ran.sort()).toEqual(["rekey-command-hook:PROCESSOR_SECRET", `rekey-dotenv:web1:${app}/.env`, `rekey-file:web1:${app}/secrets/mqtt_password`, `rekey-readback:dotenv:web1:${app}/.env`, `rekey-readback:file:web1:${app}/secrets/mqtt_password`, "rekey-restart:birdlense", "rekey-verify:birdlense"].sort());
        const env = parse(readFileSync(join(app, ".env")));
        expect(env).toEqual({ FLASK_SECRET_KEY: first.values.FLASK_SECRET_KEY, FLASK_SECRET_KEY_PREVIOUS: first.previous.FLASK_SECRET_KEY, PROCESSOR_SECRET: first.values.PROCESSOR_SECRET, PROCESSOR_SECRET_PREVIOUS: first.previous.PROCESSOR_SECRET });
        expect(readFileSync(join(app, "secrets", "mqtt_password"), "utf8")).toBe(first.values.MQTT_PASSWORD);
        expect(lines("hook.log")).toEqual([`1 ${sha(first.values.PROCESSOR_SECRET)}`]);
        expect(lines("restarts.log")).toEqual(["started"]);

        const same = await runWithValues(engine, config(1));
        out = await replay(engine, same.run);
        expect(out.executed).toEqual([]);

        const rotated = await runWithValues(engine, config(2));
        out = await replay(engine, rotated.run);
        expect(out.failed).toEqual([]);
        expect(out.ran.sort()).toEqual([`rekey-dotenv:web1:${app}/.env`, `rekey-readback:dotenv:web1:${app}/.env`, "rekey-restart:birdlense", "rekey-verify:birdlense"].sort());
        expect(parse(readFileSync(join(app, ".env"))).FLASK_SECRET_KEY_PREVIOUS).toBe(first.values.FLASK_SECRET_KEY);
        expect(lines("restarts.log")).toEqual(["started", "started"]);
        expect(lines("hook.log")).toHaveLength(1);

        // Every command the host's login shell ran: the provider's command strings, never a value.
        const argv = ssh.argv().flat().join("\n");
        expect(ssh.argv().length).toBeGreaterThanOrEqual(7);
        for (const v of [...engine.generatedValues]) expect(argv.includes(v)).toBe(false);
    });

    test("a server that answers with another host key gets no connection, and nothing is written", async () => {
        const before = readFileSync(join(app, ".env"), "utf8");
        const engine = new MockEngine("rekey", "edge-wrong-key");
        const r = await runWithValues(engine, config(7, ssh.otherHostKey));
        const out = await replay(engine, r.run);
        expect(out.executed.length).toBeGreaterThan(0);
        for (const e of out.executed) {
            expect(e.code).not.toBe(0);
            expect(e.stderr).toMatch(/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/);
        }
        expect(readFileSync(join(app, ".env"), "utf8")).toBe(before);
    });
});
