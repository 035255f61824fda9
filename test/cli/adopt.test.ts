// The CLI's side of `adopt`: `rekey plan` says an adopted secret's value is the one in use
// (written, no hook, no restart), `rekey bump` from epoch 0 removes the adopt line and keeps
// every other byte, and the plan of that bump says the supplied copy may be deleted; a
// supplied secret's adoption, a new value while adopted, adopt at a moved epoch and adopt
// removed by hand each say what pulumi up does. The
// program's side is test/underMocks/adopt.test.ts; their agreement, test/cli/agreement.test.ts.
import { MockEngine } from "../harness/mockEngine";
import { encrypt, newEncryptionSalt } from "../harness/passphrase";
import { SAMPLE_PASSPHRASE } from "../harness/passphrase";
import { git, lineChanges, read, rekey, removeWorkdirs, workdir, write } from "../harness/cli";
import { loadStackText } from "../harness/stackFile";

afterAll(removeWorkdirs);

const FILE = "Pulumi.production.yaml";
const { salt, key } = newEncryptionSalt(SAMPLE_PASSPHRASE);
const IN_USE = { SIGNING_KEY: "signing-key-in-use", WEBHOOK_KEY: "webhook-key-in-use" };

const ADOPTED = `encryptionsalt: ${salt}
config:
  rekey:consumers:
    api: { restart: "systemctl restart api" }
    cron: { restart: "systemctl restart cron" }
  rekey:secrets:
    SIGNING_KEY:
      epoch: 0
      adopt: true                       # epoch 0 keeps the value in use today (rekey:supplied.SIGNING_KEY):
      generate: { encoding: hex, bytes: 16 }   # first \`pulumi up\` writes it, runs no hook, restarts nothing
      keepPrevious: true
      apply: { command: { run: "reencrypt" } }
      stores: [ { dotenv: { path: /srv/app/.env } } ]
      consumers: [api]
    WEBHOOK_KEY: { epoch: 0, adopt: true, generate: { encoding: hex, bytes: 16 }, stores: [ { ssm: {} } ], consumers: [api] }
    CRON_TOKEN: { epoch: 0, generate: { encoding: hex, bytes: 16 }, stores: [ { ssm: {} } ], consumers: [cron] }
  rekey:supplied:
    SIGNING_KEY:
      secure: ${encrypt(key, IN_USE.SIGNING_KEY)}
    WEBHOOK_KEY:
      secure: ${encrypt(key, IN_USE.WEBHOOK_KEY)}
`;

test("rekey plan of an adoption: the adopted secrets are written as they are, with no hook and no restart", () => {
    // The stack file is new on this branch: main has none.
    const dir = workdir({ "Pulumi.yaml": "name: rekey\nruntime: nodejs\n" });
    write(dir, FILE, ADOPTED);
    const json = JSON.parse(rekey(dir, "plan", "--stack", "production", "--json").stdout);
    expect(json.secrets.added).toEqual([
        { name: "SIGNING_KEY", source: "generate", epoch: 0, adopted: true },
        { name: "WEBHOOK_KEY", source: "generate", epoch: 0, adopted: true },
        { name: "CRON_TOKEN", source: "generate", epoch: 0 },
    ]);
    expect(json.hooks).toEqual([]);
    expect(json.consumers.map((c: { name: string }) => c.name)).toEqual(["cron"]);
    expect(json.stores.map((s: { secret: string; why: string }) => [s.secret, s.why])).toEqual([
        ["SIGNING_KEY", "new store"],
        ["WEBHOOK_KEY", "new store"],
        ["CRON_TOKEN", "new store"],
    ]);
    // keepPrevious on a first deployment: the previous slot holds a fresh value, and the store line says so.
    expect(json.stores[0].freshPrevious).toEqual(["SIGNING_KEY_PREVIOUS"]);
    expect(json.stores.slice(1).every((s: { freshPrevious?: string[] }) => s.freshPrevious === undefined)).toBe(true);
    const text = rekey(dir, "plan", "--stack", "production").stdout;
    expect(text).toContain(
        "- SIGNING_KEY → `dotenv:/srv/app/.env#SIGNING_KEY`: `SIGNING_KEY`, `SIGNING_KEY_PREVIOUS` (new store); `SIGNING_KEY_PREVIOUS` holds a fresh random value until the first bump (a first deployment has no previous value)",
    );
    expect(text).toContain(
        "- **SIGNING_KEY** added, adopted: epoch 0 is the value in use (rekey:supplied.SIGNING_KEY), written as it is; no hook runs and no consumer restarts for it",
    );
});

test("rekey bump from epoch 0 removes the adopt line (block and flow style), keeps every comment, and its plan says the supplied copy may be deleted", async () => {
    const dir = workdir({ [FILE]: ADOPTED });
    const r = rekey(dir, "bump", "SIGNING_KEY", "WEBHOOK_KEY", "--stack", "production", "--date", "2026-11-20");
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toContain(
        "SIGNING_KEY: adopt removed (epoch 1 is generated; the stack's state keeps the adopted value): rekey:supplied.SIGNING_KEY is no longer read, delete it with pulumi config rm --path 'rekey:supplied.SIGNING_KEY'",
    );
    expect(lineChanges(ADOPTED, read(dir, FILE))).toEqual({
        removed: [
            "      epoch: 0",
            "      adopt: true                       # epoch 0 keeps the value in use today (rekey:supplied.SIGNING_KEY):",
            "    WEBHOOK_KEY: { epoch: 0, adopt: true, generate: { encoding: hex, bytes: 16 }, stores: [ { ssm: {} } ], consumers: [api] }",
        ],
        added: [
            "      epoch: 1",
            '      rotatedAt: "2026-11-20"',
            '    WEBHOOK_KEY: { epoch: 1, rotatedAt: "2026-11-20", generate: { encoding: hex, bytes: 16 }, stores: [ { ssm: {} } ], consumers: [api] }',
        ],
    });
    const plan = JSON.parse(rekey(dir, "plan", "--stack", "production", "--json").stdout);
    expect(plan.secrets.rotated.map((x: { name: string }) => x.name)).toEqual(["SIGNING_KEY", "WEBHOOK_KEY"]);
    expect(plan.hooks.map((h: { secret: string }) => h.secret)).toEqual(["SIGNING_KEY"]);
    expect(plan.consumers.map((c: { name: string }) => c.name)).toEqual(["api"]);
    expect(plan.notes).toEqual([
        "rekey:supplied.SIGNING_KEY is no longer read: once epoch 0 was deployed, the stack's state holds the adopted value (the previous value while keepPrevious keeps it). Delete the copy: pulumi config rm --path 'rekey:supplied.SIGNING_KEY'",
        "rekey:supplied.WEBHOOK_KEY is no longer read: once epoch 0 was deployed, the stack's state holds the adopted value (the previous value while keepPrevious keeps it). Delete the copy: pulumi config rm --path 'rekey:supplied.WEBHOOK_KEY'",
    ]);
    expect(rekey(dir, "plan", "--stack", "production").stdout).toContain("#### Notes\n- rekey:supplied.SIGNING_KEY is no longer read");

    // The program takes both files as they are: adopted, then bumped with the copy still there.
    const engine = new MockEngine("rekey", "production");
    const first = loadStackText(ADOPTED);
    await engine.run(first.config, undefined, first.secretKeys);
    const bumped = loadStackText(read(dir, FILE));
    const run = await engine.run(bumped.config, undefined, bumped.secretKeys);
    expect(run.outputs.rotation.SIGNING_KEY).toMatchObject({ epoch: 1, previous: { epoch: 0, adopted: true } });

    // A later bump has nothing to remove; `adopt` at epoch 1 (written by hand) is refused by name.
    git(dir, "commit", "-qam", "bump");
    expect(rekey(dir, "bump", "SIGNING_KEY", "--stack", "production", "--date", "2026-11-21").code).toBe(0);
    const handEdited = read(dir, FILE).replace("      epoch: 2\n", "      epoch: 2\n      adopt: true\n");
    const refused = workdir({ [FILE]: handEdited });
    const p = rekey(refused, "plan", "--stack", "production");
    expect(p.code).toBe(2);
    expect(p.stderr).toContain("secret SIGNING_KEY, field adopt: is valid only at epoch 0");
});

test("rekey plan of a supplied secret's adoption and what follows: written as the value in use; a new value while adopted is an error; adopt at a moved epoch is an error; adopt removed by hand restarts", () => {
    const stack = (token: Record<string, unknown>, ciphertext: string) => `encryptionsalt: ${salt}
config:
  rekey:consumers:
    api: { restart: "systemctl restart api" }
  rekey:secrets:
    VENDOR_TOKEN: ${JSON.stringify({ epoch: 3, supplied: true, stores: [{ ssm: {} }], consumers: ["api"], ...token })}
  rekey:supplied:
    VENDOR_TOKEN:
      secure: ${ciphertext}
`;
    const inUse = encrypt(key, "vendor-token-in-use");
    const next = encrypt(key, "vendor-token-next");
    const plan = (base: string, head: string) => {
        const dir = workdir({ [FILE]: head, "base.yaml": base }, false);
        return JSON.parse(rekey(dir, "plan", "--stack", "production", "--base-file", "base.yaml", "--json").stdout);
    };
    const adopted = stack({ adopt: true }, inUse);
    const first = plan("config:\n  rekey:secrets: {}\n", adopted);
    expect(first.secrets.added).toEqual([{ name: "VENDOR_TOKEN", source: "supplied", epoch: 3, adopted: true }]);
    expect([first.hooks, first.consumers, first.warnings]).toEqual([[], [], []]);

    // A different value under the same adopt claim: refused, as pulumi up refuses it (exit 1).
    const changed = plan(adopted, stack({ adopt: true }, next));
    expect(changed.errors).toEqual([
        "VENDOR_TOKEN: adopt says rekey:supplied.VENDOR_TOKEN holds the value in use, and it is not the value the base adopted at epoch 3: remove adopt (rekey bump VENDOR_TOKEN does) to rotate to the new value, or put the value in use back",
    ]);
    const dir = workdir({ [FILE]: stack({ adopt: true }, next), "base.yaml": adopted }, false);
    expect(rekey(dir, "plan", "--stack", "production", "--base-file", "base.yaml").code).toBe(1);

    const moved = plan(adopted, stack({ adopt: true, epoch: 4 }, next));
    expect(moved.errors).toEqual([
        "VENDOR_TOKEN: epoch 3 → 4 with adopt still set: once the stack deployed epoch 3 adopted, pulumi up refuses adopt at another epoch; remove the adopt line (rekey bump removes it)",
    ]);

    const removed = plan(adopted, stack({}, inUse));
    expect(removed.consumers.map((c: { name: string; because: string[] }) => [c.name, c.because])).toEqual([["api", ["VENDOR_TOKEN (adopt removed)"]]]);
    expect(removed.warnings).toEqual(["VENDOR_TOKEN: adopt was removed with neither a new value nor a bump; pulumi up runs its hook and restarts its consumers with the same value"]);
});

test("rekey plan: an adopted generated secret whose rekey:supplied copy changes while adopt is kept is an error (exit 1), not a new supplied value", () => {
    const head = ADOPTED.replace(/(SIGNING_KEY:\n\s+secure: )\S+/, `$1${encrypt(key, "signing-key-other")}`);
    expect(head).not.toBe(ADOPTED);
    const dir = workdir({ [FILE]: head, "base.yaml": ADOPTED }, false);
    const r = rekey(dir, "plan", "--stack", "production", "--base-file", "base.yaml", "--json");
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(json.errors).toEqual([
        "SIGNING_KEY: adopt says rekey:supplied.SIGNING_KEY holds the value in use, and it is not the value the base adopted at epoch 0: remove adopt (rekey bump SIGNING_KEY does) to rotate to the new value, or put the value in use back",
    ]);
    expect(json.secrets.suppliedChanged).toEqual([]);
    expect(r.stdout).not.toContain("signing-key-other");
});
