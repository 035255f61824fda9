// docs/migration.md's example, for real: the YAML block is read from the page (so the page
// and this test cannot drift), its paths moved into a throwaway directory and its port to a
// free one. A service already runs with a .env and a token file a person wrote; the adopted
// stack's first pulumi up, replayed as the command provider runs it, writes the values in
// use, runs no hook and restarts nothing, as `rekey plan` says beforehand. The vendor's next
// token, bumped with `rekey bump` (which removes adopt), is a rotation: the stores, one
// restart onto the new token, its verify; the adopted generated secret stays untouched.
import { execFileSync } from "child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { parse } from "dotenv";
import { MockEngine } from "../harness/mockEngine";
import { freePort, getJson } from "../harness/net";
import { PROOF_KEY, RESTART_SCRIPT, restartCount, serviceFingerprint, stopService, waitForExit } from "../harness/localService";
import { replay } from "../harness/replay";
import { SAMPLE_PASSPHRASE, encrypt, newEncryptionSalt } from "../harness/passphrase";
import { git, read, rekey, removeWorkdirs, workdir, write } from "../harness/cli";
import { ROOT, loadStackText } from "../harness/stackFile";
import { runWithValues } from "../harness/values";

const PAGE = readFileSync(join(ROOT, "docs", "migration.md"), "utf8");
const BLOCK = /```yaml\n(# Pulumi\.production\.yaml: the adopted inventory[^\n]*\nconfig:\n[\s\S]*?)```/.exec(PAGE)?.[1];
const DOC_DIR = "/srv/app";
/** Not `rekey`: a team runs the migration in its own project (the program reads rekey:* all the same). */
const PROJECT = "acme-secrets";
const DOC_HOST = "127.0.0.1:8080";

/** A proof key put in the .env by hand, so that the service reports what it loaded. */
const TEST_PROOF_KEY = "migration-test-proof-key-0123456789abcdef";
const IN_USE = {
    SESSION_SECRET: "4f1c0e5ad0b7a3e1c2d9f8e7b6a5c4d3",
    VENDOR_TOKEN: "vt_live_4th-issue/+value",
};
const NEXT_TOKEN = "vt_live_5th-issue&next";
const urlOf = (token: string) => `https://api.vendor.example/v1?token=${encodeURIComponent(token)}`;

let dir: string;
let state: string;
let port: number;

beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "rekey-migration-"));
    state = join(dir, "state");
    port = await freePort();
});
afterAll(async () => {
    stopService(state);
    await waitForExit(state).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    removeWorkdirs();
});

const health = () => getJson(`http://127.0.0.1:${port}/health`);

async function waitForHealth(): Promise<any> {
    const deadline = Date.now() + 20000;
    for (;;) {
        try {
            return await health();
        } catch (e) {
            if (Date.now() > deadline) throw e;
            await new Promise((r) => setTimeout(r, 100));
        }
    }
}

test("the page has the example, with the places this test moves", () => {
    expect(BLOCK).toBeDefined();
    expect(BLOCK).toContain(`${DOC_DIR}/.env`);
    expect(BLOCK).toContain(`http://${DOC_HOST}/health`);
});

test("docs/migration.md's example: the first pulumi up restarts nothing, as rekey plan says; the vendor's next token, bumped, restarts app once", async () => {
    const env = join(dir, ".env");
    const tokenFile = join(dir, "secrets", "vendor_token");
    const hookLog = join(dir, "hook.log");
    // The example's scripts: restart.sh restarts the local service (examples/local) on this
    // .env; reencrypt.sh logs what the hook was given.
    writeFileSync(join(dir, "restart.sh"), `exec sh '${RESTART_SCRIPT}' '${state}' '${env}' ${port}\n`);
    writeFileSync(join(dir, "reencrypt.sh"), `printf '%s %s\\n' "$OLD_VALUE" "$NEW_VALUE" >> '${hookLog}'\n`);

    // The stack file as the page shows it, in this directory, with the values in use set the
    // way the page says (encrypted in rekey:supplied).
    const { salt, key } = newEncryptionSalt(SAMPLE_PASSPHRASE);
    // One ciphertext per value: `pulumi config set` of one key leaves the others' as they were.
    const ciphertexts = new Map<string, string>();
    const secure = (v: string) => ciphertexts.get(v) ?? ciphertexts.set(v, encrypt(key, v)).get(v)!;
    const supplied = (values: Record<string, string>) =>
        "  rekey:supplied:\n" + Object.entries(values).map(([n, v]) => `    ${n}:\n      secure: ${secure(v)}\n`).join("");
    const inventory = BLOCK!.split(DOC_DIR).join(dir).split(DOC_HOST).join(`127.0.0.1:${port}`);
    const adopted = `encryptionsalt: ${salt}\n${inventory}${supplied(IN_USE)}`;

    // Today: a person wrote the .env (with a line rekey does not manage) and the token file, and started app.
    writeFileSync(env, `SESSION_SECRET=${IN_USE.SESSION_SECRET}\nVENDOR_TOKEN=${IN_USE.VENDOR_TOKEN}\nVENDOR_URL="${urlOf(IN_USE.VENDOR_TOKEN)}"\nLOG_LEVEL=info\n${PROOF_KEY}=${TEST_PROOF_KEY}\n`, { mode: 0o600 });
    mkdirSync(join(dir, "secrets"));
    writeFileSync(tokenFile, IN_USE.VENDOR_TOKEN, { mode: 0o600 });
    execFileSync("sh", [join(dir, "restart.sh")]);
    let h = await waitForHealth();
    const pid = h.pid;
    expect(restartCount(state)).toBe(1);

    // rekey plan, before: every value added, the two adopted ones said to be in use; no hook, no restart.
    // A team's own project name: the rekey:* keys are read the same (docs/migration.md).
    const repo = workdir({ "Pulumi.yaml": `name: ${PROJECT}\nruntime: nodejs\n` });
    write(repo, "Pulumi.production.yaml", adopted);
    const plan = JSON.parse(rekey(repo, "plan", "--stack", "production", "--json").stdout);
    expect(plan.secrets.added).toEqual([
        { name: "SESSION_SECRET", source: "generate", epoch: 0, adopted: true },
        { name: "VENDOR_TOKEN", source: "supplied", epoch: 3, adopted: true },
        { name: "VENDOR_URL", source: "derive", epoch: null },
    ]);
    expect(plan.hooks).toEqual([]);
    expect(plan.consumers).toEqual([]);
    expect(plan.warnings).toEqual([]);
    expect(rekey(repo, "plan", "--stack", "production").stdout).toContain(
        "- **VENDOR_TOKEN** added, adopted: epoch 3 is the value in use (rekey:supplied.VENDOR_TOKEN), written as it is; no hook runs and no consumer restarts for it",
    );
    const status = JSON.parse(rekey(repo, "status", "--stack", "production", "--json").stdout);
    expect(status.secrets.map((s: { name: string; source: string }) => [s.name, s.source])).toEqual([
        ["SESSION_SECRET", "adopted"],
        ["VENDOR_TOKEN", "supplied (adopted)"],
        ["VENDOR_URL", "derive"],
    ]);

    // The first pulumi up: only the two store writers run; app keeps running on the same values.
    const engine = new MockEngine(PROJECT, "production");
    const first = loadStackText(adopted);
    let r = await runWithValues(engine, first.config);
    let out = await replay(engine, r.run);
    expect(out.failed).toEqual([]);
    // (Each store is read back after its write: docs/proof.md.)
    expect(out.ran).toEqual([`rekey-dotenv:local:${env}`, `rekey-file:local:${tokenFile}`, `rekey-readback:dotenv:local:${env}`, `rekey-readback:file:${tokenFile}`]);
    let written = parse(readFileSync(env));
    expect(written).toMatchObject({ SESSION_SECRET: IN_USE.SESSION_SECRET, VENDOR_TOKEN: IN_USE.VENDOR_TOKEN, VENDOR_URL: urlOf(IN_USE.VENDOR_TOKEN), LOG_LEVEL: "info" });
    expect(readFileSync(tokenFile, "utf8")).toBe(IN_USE.VENDOR_TOKEN);
    expect(existsSync(hookLog)).toBe(false);
    expect(restartCount(state)).toBe(1);
    h = await health();
    expect(h.pid).toBe(pid);
    expect(r.run.outputs.rotation.VENDOR_TOKEN).toMatchObject({ epoch: 3, adopted: true });
    expect(r.run.outputs.rotation.SESSION_SECRET).toMatchObject({ epoch: 0, adopted: true });

    // Unchanged, a second up runs nothing.
    r = await runWithValues(engine, first.config);
    expect((await replay(engine, r.run)).ran).toEqual([]);

    // The vendor issues the next token: set (encrypted) like the first, then rekey bump.
    git(repo, "add", ".");
    git(repo, "commit", "-qm", "adopted");
    write(repo, "Pulumi.production.yaml", `encryptionsalt: ${salt}\n${inventory}${supplied({ ...IN_USE, VENDOR_TOKEN: NEXT_TOKEN })}`);
    const bump = rekey(repo, "bump", "VENDOR_TOKEN", "--stack", "production", "--date", "2026-11-20");
    expect(bump).toMatchObject({ code: 0, stderr: "" });
    expect(bump.stdout).toContain(
        "VENDOR_TOKEN: adopt removed (epoch 4 is a rotation to the value in rekey:supplied.VENDOR_TOKEN: pulumi up runs its hook and restarts its consumers)",
    );
    const bumped = read(repo, "Pulumi.production.yaml");
    // The epoch line keeps its comment; the adopt line goes with its own.
    expect(bumped).toMatch(/\n    VENDOR_TOKEN:\n      epoch: 4 +# [^\n]*\n      rotatedAt: "2026-11-20"\n      supplied: true\n/);
    const next = JSON.parse(rekey(repo, "plan", "--stack", "production", "--json").stdout);
    expect(next.secrets.suppliedChanged).toEqual([{ name: "VENDOR_TOKEN" }]);
    expect(next.consumers.map((c: { name: string; because: string[] }) => [c.name, c.because])).toEqual([
        ["app", ["VENDOR_TOKEN 3 → 4 (new supplied value)", "VENDOR_URL (follows VENDOR_TOKEN)"]],
    ]);
    expect(next.hooks).toEqual([]);

    // Its pulumi up: the stores, one restart onto the new token, the verify; no hook (SESSION_SECRET did not rotate).
    const second = loadStackText(bumped);
    r = await runWithValues(engine, second.config);
    out = await replay(engine, r.run);
    expect(out.failed).toEqual([]);
    expect(out.ran).toEqual([`rekey-dotenv:local:${env}`, `rekey-file:local:${tokenFile}`, `rekey-readback:dotenv:local:${env}`, `rekey-readback:file:${tokenFile}`, "rekey-restart:app", "rekey-verify:app"]);
    written = parse(readFileSync(env));
    expect(written).toMatchObject({ SESSION_SECRET: IN_USE.SESSION_SECRET, VENDOR_TOKEN: NEXT_TOKEN, VENDOR_URL: urlOf(NEXT_TOKEN), LOG_LEVEL: "info" });
    expect(readFileSync(tokenFile, "utf8")).toBe(NEXT_TOKEN);
    expect(existsSync(hookLog)).toBe(false);
    expect(restartCount(state)).toBe(2);
    h = await health();
    expect(h.pid).not.toBe(pid);
    // What the restarted service loaded, as it proves it (a proof key the test put in the .env
    // by hand, a line rekey does not manage and keeps).
    expect(h.rekey.VENDOR_TOKEN).toBe(serviceFingerprint(TEST_PROOF_KEY, "VENDOR_TOKEN", NEXT_TOKEN));
    expect(h.rekey.SESSION_SECRET).toBe(serviceFingerprint(TEST_PROOF_KEY, "SESSION_SECRET", IN_USE.SESSION_SECRET));
    expect(r.run.outputs.rotation.VENDOR_TOKEN).toMatchObject({ epoch: 4, rotatedAt: "2026-11-20" });
    expect(r.run.outputs.rotation.VENDOR_TOKEN.adopted).toBeUndefined();
    expect(r.run.outputs.rotation.SESSION_SECRET).toMatchObject({ epoch: 0, adopted: true });
});
