// `rekey bump --incident`: the epoch, rotatedAt and `incident:` beside them (block and flow
// style, every other byte kept); the next normal bump removes it; `rekey rollback` refuses
// to go back past it; `rekey plan` shows the incident banner and a record skeleton.
import { git, lineChanges, read, rekey, removeWorkdirs, workdir } from "../harness/cli";
import { MockEngine } from "../harness/mockEngine";
import { loadStackText } from "../harness/stackFile";

afterAll(removeWorkdirs);
const FILE = "Pulumi.production.yaml";
const STACK = `config:
  rekey:consumers:
    api: { restart: "systemctl restart api", verify: { url: "https://api.example/health" } }
    worker: { restart: "systemctl restart worker", after: [api] }
  rekey:secrets:
    DB_PASSWORD:
      epoch: 7   # rotated with the vendor's migration
      rotatedAt: "2026-10-01"
      keepPrevious: true
      generate: { encoding: hex, bytes: 24 }
      apply: { postgres: { host: 127.0.0.1, database: app, roles: [app_blue, app_green], adminUser: postgres } }
      stores: [ { ssm: { prefix: /app/ } } ]
      consumers: [api, worker]
      impact: Open database sessions of the old role end.
    WEBHOOK_KEY: { epoch: 1, generate: { encoding: hex, bytes: 16 }, stores: [ { ssm: { prefix: /app/ } } ], consumers: [api] }
`;

test("bump --incident writes incident: beside the epoch; the next bump removes it; rollback refuses; plan shows the banner", async () => {
    const dir = workdir({ [FILE]: STACK });
    const reason = "token posted in a public channel";
    const r = rekey(dir, "bump", "DB_PASSWORD", "WEBHOOK_KEY", "--stack", "production", "--date", "2026-11-20", "--incident", reason);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toContain("DB_PASSWORD: epoch 7 → 8, rotatedAt 2026-11-20, incident: no overlap (rekey plan says when the old value stops working)");
    expect(lineChanges(STACK, read(dir, FILE))).toEqual({
        removed: ["      epoch: 7   # rotated with the vendor's migration", '      rotatedAt: "2026-10-01"', "    WEBHOOK_KEY: { epoch: 1, generate: { encoding: hex, bytes: 16 }, stores: [ { ssm: { prefix: /app/ } } ], consumers: [api] }"],
        added: [
            "      epoch: 8   # rotated with the vendor's migration",
            `      incident: "${reason}"`,
            '      rotatedAt: "2026-11-20"',
            `    WEBHOOK_KEY: { epoch: 2, rotatedAt: "2026-11-20", incident: "${reason}", generate: { encoding: hex, bytes: 16 }, stores: [ { ssm: { prefix: /app/ } } ], consumers: [api] }`,
        ],
    });

    // The plan: a banner per incident, what is revoked and when, who notices, a record to complete.
    const plan = rekey(dir, "plan", "--stack", "production");
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain("#### ⚠ Incident rotation: DB_PASSWORD (epoch 7 → 8), reason: `token posted in a public channel`\nNo overlap: when the leaked value stops working depends on the hook, below.\n");
    expect(plan.stdout).toContain("- Postgres role app_blue gets the new password first; role app_green, which holds the leaked one, keeps LOGIN until api, worker verified, then loses it and its sessions end; a failed verify stops the pulumi up before it, and the leaked value keeps working until a later pulumi up completes\n");
    expect(plan.stdout).toContain("What keeps the leaked value after this pulumi up, and how to remove it:\n- SSM parameter /app/DB_PASSWORD: its history (the last 100 versions) keeps the leaked value as an older version (GetParameterHistory, or GetParameter of /app/DB_PASSWORD:&lt;version>, return it to anyone allowed to read the parameter). SSM cannot delete one version: aws ssm delete-parameter --name /app/DB_PASSWORD removes the whole history");
    expect(plan.stdout).toContain("- no overlap: every store's previous value (DB_PASSWORD_PREVIOUS) holds the new value, not the leaked one");
    expect(plan.stdout).toContain("- `Open database sessions of the old role end.`");
    expect(plan.stdout).toContain("## Incident: DB_PASSWORD (epoch 7 → 8)\n- Date: 2026-11-20\n- Reason: token posted in a public channel\n");
    expect(plan.stdout).toContain("- Hook: postgres; consumers restarted, in order: api, worker\n");
    const json = JSON.parse(rekey(dir, "plan", "--stack", "production", "--json").stdout);
    expect(json.incidents.map((i: { secret: string; from: number; to: number }) => [i.secret, i.from, i.to])).toEqual([["DB_PASSWORD", 7, 8], ["WEBHOOK_KEY", 1, 2]]);

    // The program reads the file as it is: the record carries the reason and the date.
    const engine = new MockEngine("rekey", "production");
    const base = loadStackText(STACK);
    await engine.run(base.config, undefined, base.secretKeys);
    const head = loadStackText(read(dir, FILE));
    const run = await engine.run(head.config, undefined, head.secretKeys);
    expect(run.outputs.rotation.DB_PASSWORD.incident).toEqual({ reason, at: "2026-11-20" });

    // Rolling back past the incident would restore the leaked value: refused, nothing written.
    git(dir, "commit", "-qam", "incident");
    const text = read(dir, FILE);
    const rb = rekey(dir, "rollback", "DB_PASSWORD", "--stack", "production");
    expect(rb.code).toBe(2);
    expect(rb.stderr).toBe(`rekey: DB_PASSWORD's epoch 8 is an incident rotation ("${reason}"): rolling back would restore the leaked value of epoch 7. Bump it for a fresh value instead\n`);
    expect(read(dir, FILE)).toBe(text);

    // The next normal bump removes the incident line (block and flow), the comment stays.
    expect(rekey(dir, "bump", "DB_PASSWORD", "WEBHOOK_KEY", "--stack", "production", "--date", "2026-11-21").code).toBe(0);
    expect(lineChanges(text, read(dir, FILE))).toEqual({
        removed: ["      epoch: 8   # rotated with the vendor's migration", `      incident: "${reason}"`, '      rotatedAt: "2026-11-20"', `    WEBHOOK_KEY: { epoch: 2, rotatedAt: "2026-11-20", incident: "${reason}", generate: { encoding: hex, bytes: 16 }, stores: [ { ssm: { prefix: /app/ } } ], consumers: [api] }`],
        added: ["      epoch: 9   # rotated with the vendor's migration", '      rotatedAt: "2026-11-21"', '    WEBHOOK_KEY: { epoch: 3, rotatedAt: "2026-11-21", generate: { encoding: hex, bytes: 16 }, stores: [ { ssm: { prefix: /app/ } } ], consumers: [api] }'],
    });
});

test("--incident needs a one-line reason", () => {
    const dir = workdir({ [FILE]: STACK });
    expect(rekey(dir, "bump", "DB_PASSWORD", "--stack", "production", "--incident", "  ").stderr).toBe("rekey: --incident needs the reason (what leaked, how): it goes into the rotation record\n");
    expect(rekey(dir, "bump", "DB_PASSWORD", "--stack", "production", "--incident", "a\nb").stderr).toBe("rekey: --incident must be one line (no line break, also none of U+0085, U+2028, U+2029)\n");
    expect(read(dir, FILE)).toBe(STACK);
});

test("bump --incident --revoke-first writes revokeFirst: true after the incident (block and flow); the next bump removes both; refused without --incident or where rekey cannot revoke", () => {
    const redis = `    CACHE_PASSWORD: { epoch: 2, generate: { encoding: hex, bytes: 16 }, apply: { redis: { host: 127.0.0.1, user: app } }, stores: [ { ssm: { prefix: /app/ } } ], consumers: [api] }\n`;
    const dir = workdir({ [FILE]: STACK + redis });
    const reason = "password in a CI log";
    const r = rekey(dir, "bump", "DB_PASSWORD", "CACHE_PASSWORD", "--stack", "production", "--date", "2026-11-20", "--incident", reason, "--revoke-first");
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toContain("DB_PASSWORD: epoch 7 → 8, rotatedAt 2026-11-20, incident: no overlap, revoked first (before the consumers restart: they fail until then)");
    const text = read(dir, FILE);
    expect(lineChanges(STACK + redis, text).added).toEqual([
        "      epoch: 8   # rotated with the vendor's migration",
        `      incident: "${reason}"`,
        "      revokeFirst: true",
        '      rotatedAt: "2026-11-20"',
        `    CACHE_PASSWORD: { epoch: 3, rotatedAt: "2026-11-20", incident: "${reason}", revokeFirst: true, generate: { encoding: hex, bytes: 16 }, apply: { redis: { host: 127.0.0.1, user: app } }, stores: [ { ssm: { prefix: /app/ } } ], consumers: [api] }`,
    ]);
    const banner = rekey(dir, "plan", "--stack", "production");
    expect(banner.stdout).toContain("#### ⚠ Incident rotation: CACHE_PASSWORD (epoch 2 → 3), reason: `password in a CI log`\nNo overlap, revoked first: the leaked credential stops working before the consumers restart, which fail until then.\n");
    expect(banner.stdout).toContain("- `Downtime: from the revocation (after the hook and the store writes) until each consumer restarted (api, in order, each after the verify of those before it), the consumers still holding the leaked credential fail: new logins refused, open sessions ended.`");
    expect(JSON.parse(rekey(dir, "plan", "--stack", "production", "--json").stdout).incidents.map((i: { secret: string; revokeFirst: boolean }) => [i.secret, i.revokeFirst])).toEqual([["DB_PASSWORD", true], ["CACHE_PASSWORD", true]]);
    git(dir, "commit", "-qam", "incident");
    expect(rekey(dir, "bump", "DB_PASSWORD", "CACHE_PASSWORD", "--stack", "production", "--date", "2026-11-21").code).toBe(0);
    const after = read(dir, FILE);
    expect(after).not.toContain("revokeFirst");
    expect(after).not.toContain("incident");

    // Without --incident, or on a secret whose hook rekey cannot revoke through (here none): refused, nothing written.
    const plain = workdir({ [FILE]: STACK });
    const without = rekey(plain, "bump", "DB_PASSWORD", "--stack", "production", "--revoke-first");
    expect(without).toMatchObject({ code: 2, stderr: "rekey: --revoke-first needs --incident REASON: it revokes a leaked credential before the consumers restart\n" });
    const noHook = rekey(plain, "bump", "WEBHOOK_KEY", "--stack", "production", "--incident", reason, "--revoke-first");
    expect(noHook.code).toBe(2);
    expect(noHook.stderr).toContain("secret WEBHOOK_KEY, field revokeFirst: rekey revokes first only what a postgres, redis or mysql hook set: this secret has no hook that rekey could revoke through; remove revokeFirst");
    expect(read(plain, FILE)).toBe(STACK);
});
