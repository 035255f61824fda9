import { REKEY_PROJECT, fixture, git, read, rekey, removeWorkdirs, workdir, write } from "../harness/cli";

const SHOP = "Pulumi.shop.yaml";
afterAll(removeWorkdirs);

const planJson = (dir: string, ...extra: string[]) => {
    const r = rekey(dir, "plan", "--stack", "shop", "--json", ...extra);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout);
};
const stripeCipher = () => fixture(SHOP).match(/STRIPE_API_KEY:\n\s+secure: (\S+)/)![1];
const rotatedStripe = (text: string) => text.replace(stripeCipher(), fixture("stripe-rotated.txt").trim());

describe("rekey plan", () => {
    test("the reason bump writes is read back from a block entry (beside the epoch) and a flow one (after the brace)", () => {
        const dir = workdir({ [SHOP]: fixture(SHOP) });
        expect(rekey(dir, "bump", "SESSION_SECRET", "WEBHOOK_KEY", "--stack", "shop", "--reason", "leaked in a log").code).toBe(0);
        expect(read(dir, SHOP)).toMatch(/WEBHOOK_KEY: \{ epoch: 2, .* \}  # reason: leaked in a log\n/);
        expect(planJson(dir).secrets.rotated).toEqual([
            { name: "SESSION_SECRET", source: "generate", from: 3, to: 4, reason: "leaked in a log" },
            { name: "WEBHOOK_KEY", source: "generate", from: 1, to: 2, reason: "leaked in a log" },
        ]);
    });

    test("bumps: rotated secrets, the derived secret that follows, hooks, stores, restarts in order, finalize, impact", () => {
        const dir = workdir({ [SHOP]: fixture(SHOP) });
        rekey(dir, "bump", "SESSION_SECRET", "CACHE_PASSWORD", "--stack", "shop", "--reason", "yearly audit");
        const p = planJson(dir);
        expect(p.base).toMatch(/^main \(merge base [0-9a-f]{7}\)$/);
        expect(p.rotates).toBe(true);
        expect(p.secrets).toEqual({
            added: [],
            removed: [],
            rotated: [
                { name: "SESSION_SECRET", source: "generate", from: 3, to: 4, reason: "yearly audit" },
                { name: "CACHE_PASSWORD", source: "generate", from: 2, to: 3, reason: "yearly audit" },
            ],
            suppliedChanged: [],
            derived: [{ name: "CACHE_URL", inputs: ["CACHE_PASSWORD"] }],
            redefined: [],
        });
        expect(p.hooks.map((h: any) => [h.secret, h.apply.kind])).toEqual([["CACHE_PASSWORD", "redis"]]);
        expect(p.stores.map((s: any) => [s.secret, s.store, s.keys])).toEqual([
            ["SESSION_SECRET", "ssm:/shop/SESSION_SECRET", ["/shop/SESSION_SECRET", "/shop/SESSION_SECRET_PREVIOUS"]],
            ["SESSION_SECRET", "kubernetes:shop/shop-secrets#SESSION_SECRET", ["SESSION_SECRET", "SESSION_SECRET_PREVIOUS"]],
            ["CACHE_PASSWORD", "kubernetes:shop/shop-secrets#CACHE_PASSWORD", ["CACHE_PASSWORD"]],
            ["CACHE_URL", "kubernetes:shop/shop-secrets#CACHE_URL", ["CACHE_URL"]],
        ]);
        // cache first (api and worker run after it); mailer reads nothing that changed.
        expect(p.consumers.map((c: any) => [c.name, c.because])).toEqual([
            ["cache", ["CACHE_PASSWORD 2 → 3"]],
            ["api", ["CACHE_PASSWORD 2 → 3", "CACHE_URL (follows CACHE_PASSWORD)", "SESSION_SECRET 3 → 4"]],
            ["worker", ["CACHE_PASSWORD 2 → 3", "CACHE_URL (follows CACHE_PASSWORD)", "SESSION_SECRET 3 → 4"]],
        ]);
        expect(p.consumers[1].verify).toEqual({ kind: "url", url: "https://api.shop.example/health", expectStatus: 200, timeoutSeconds: 60, intervalSeconds: 2 });
        expect(p.finalize).toEqual([{ secret: "CACHE_PASSWORD", kind: "redis", user: "shop", after: ["cache", "api", "worker"] }]);
        expect(p.impact).toEqual([{ secret: "SESSION_SECRET", impact: "Sessions older than the previous rotation end." }]);
        expect(p.warnings).toEqual([]);
    });

    test("messages that would mislead: the Postgres role that gets the password, a rollback without the rotation's impact, a store that moves, generate settings changed without a bump", () => {
        const twoRoles = fixture(SHOP).replace("postgres: { host: db.shop.internal, database: shop, role: shop }", "postgres: { host: db.shop.internal, database: shop, roles: [shop_blue, shop_green] }");
        const dir = workdir({ [SHOP]: twoRoles });
        rekey(dir, "bump", "DB_PASSWORD", "--stack", "shop");
        // Epoch 6 (even) sets shop_blue.
        expect(rekey(dir, "plan", "--stack", "shop").stdout).toContain(
            "1. DB_PASSWORD: postgres: new password (SCRAM verifier) for role shop_blue (of shop_blue and shop_green, alternating by epoch; the other keeps its password until the next rotation) on db.shop.internal:5432/shop, as postgres",
        );
        // A rollback restores the value its users had: no "sessions end" line.
        const back = workdir({ [SHOP]: fixture(SHOP).replace("      epoch: 3\n", "      epoch: 2\n") }, false);
        write(back, "base.yaml", fixture(SHOP));
        const rb = JSON.parse(rekey(back, "plan", "--stack", "shop", "--base-file", "base.yaml", "--json").stdout);
        expect(rb.secrets.rotated).toEqual([{ name: "SESSION_SECRET", source: "generate", from: 3, to: 2 }]);
        expect(rb.impact).toEqual([]);
        // The store moves (another SSM prefix), and generate settings change without a bump: both warned.
        const moved = workdir({ [SHOP]: fixture(SHOP).replace("    ssm: { prefix: /shop/, region: eu-west-1 }", "    ssm: { prefix: /shop-v2/, region: eu-west-1 }").replace("generate: { encoding: password, length: 32, overrideSpecial: \"-_\" }", "generate: { encoding: password, length: 40, overrideSpecial: \"-_\" }") }, false);
        write(moved, "base.yaml", fixture(SHOP));
        const mv = JSON.parse(rekey(moved, "plan", "--stack", "shop", "--base-file", "base.yaml", "--json").stdout);
        expect(mv.warnings).toContain("SESSION_SECRET: its store moves from ssm:/shop/SESSION_SECRET to ssm:/shop-v2/SESSION_SECRET; pulumi up deletes what rekey wrote at the old place, so anything still reading it there loses the value");
        expect(mv.warnings).toContain("DB_PASSWORD: its generate settings changed, so pulumi up makes a new value without a bump; bump it in this change so the rotation is recorded, or revert the settings");
        // Every secret whose SSM parameter moves is warned, also one that gets a new value in the same change (DB_PASSWORD).
        expect(mv.warnings.filter((w: string) => w.includes("its store moves")).map((w: string) => w.split(":")[0])).toEqual(
            JSON.parse(rekey(moved, "status", "--stack", "shop", "--json").stdout).secrets.filter((x: { stores: string[] }) => x.stores.some((st) => st.startsWith("ssm:"))).map((x: { name: string }) => x.name),
        );
        expect(mv.warnings.some((w: string) => w.startsWith("DB_PASSWORD: its store moves"))).toBe(true);
    });

    test("a supplied value change is seen from the ciphertext alone; without a bump it warns", () => {
        const dir = workdir({ [SHOP]: fixture(SHOP) });
        write(dir, SHOP, rotatedStripe(fixture(SHOP)));
        let p = planJson(dir);
        expect(p.secrets.suppliedChanged).toEqual([{ name: "STRIPE_API_KEY" }]);
        expect(p.secrets.rotated).toEqual([]);
        expect(p.consumers.map((c: any) => [c.name, c.because])).toEqual([["api", ["STRIPE_API_KEY (new supplied value)"]]]);
        expect(p.warnings).toEqual(["STRIPE_API_KEY: the supplied value changed but its epoch did not; run rekey bump STRIPE_API_KEY so the rotation is recorded"]);
        rekey(dir, "bump", "STRIPE_API_KEY", "--stack", "shop");
        p = planJson(dir);
        expect(p.secrets.rotated).toEqual([{ name: "STRIPE_API_KEY", source: "supplied", from: 1, to: 2 }]);
        expect(p.consumers.map((c: any) => [c.name, c.because])).toEqual([["api", ["STRIPE_API_KEY 1 → 2 (new supplied value)"]]]);
        expect(p.warnings).toEqual([]);
    });

    test("additions and removals: new secrets, removed secrets and stores, new and removed consumers", () => {
        const dir = workdir({ [SHOP]: fixture(SHOP) });
        const head = fixture(SHOP)
            .replace(/    WEBHOOK_KEY: .*\n/, "")
            .replace("    mailer:\n      restart: systemctl restart shop-mailer\n", "    mailer:\n      restart: systemctl restart shop-mailer\n    search:\n      restart: systemctl restart shop-search\n")
            .replace(
                "  rekey:supplied:",
                "    SEARCH_TOKEN:\n      epoch: 0\n      generate: { encoding: alphanumeric, length: 40 }\n      stores: [ { ssm: {} } ]\n      consumers: [search, mailer]\n\n  rekey:supplied:",
            );
        write(dir, SHOP, head);
        const p = planJson(dir, "--base", "HEAD");
        expect(p.base).toBe("HEAD");
        expect(p.secrets.added).toEqual([{ name: "SEARCH_TOKEN", source: "generate", epoch: 0 }]);
        expect(p.secrets.removed).toEqual([{ name: "WEBHOOK_KEY", source: "generate" }]);
        expect(p.stores.map((s: any) => [s.store, s.why])).toEqual([["ssm:/shop/SEARCH_TOKEN", "new store"]]);
        expect(p.storesRemoved).toEqual([{ secret: "WEBHOOK_KEY", store: "ssm:/shop/WEBHOOK_KEY" }]);
        expect(p.consumers.map((c: any) => [c.name, c.because])).toEqual([
            ["api", ["no longer reads WEBHOOK_KEY"]],
            ["mailer", ["SEARCH_TOKEN (new)"]],
            ["search", ["new consumer: its first pulumi up runs the restart"]],
        ]);
        expect(p.consumersRemoved).toEqual([]);
    });

    test("a new stack lists everything as added; an unchanged one rotates nothing", () => {
        const dir = workdir({ "Pulumi.yaml": REKEY_PROJECT, "README.md": "x\n" });
        write(dir, SHOP, fixture(SHOP));
        const p = planJson(dir);
        expect(p.newStack).toBe(true);
        expect(p.secrets.added.map((s: any) => s.name)).toEqual(["SESSION_SECRET", "CACHE_PASSWORD", "CACHE_URL", "DB_PASSWORD", "STRIPE_API_KEY", "MAIL_API_KEY", "WEBHOOK_KEY"]);
        git(dir, "add", SHOP);
        git(dir, "commit", "-q", "-m", "shop");
        const same = rekey(dir, "plan", "--stack", "shop", "--base", "HEAD");
        expect(same.stdout).toBe("### rekey plan: shop\n\nCompared with `HEAD`.\n\nThis change rotates nothing: no secret value, store or consumer changes.\n");
    });

    test("the default base is the merge base with the default branch, so commits on the PR branch count", () => {
        const dir = workdir({ [SHOP]: fixture(SHOP) });
        git(dir, "checkout", "-q", "-b", "rotate-db");
        rekey(dir, "bump", "DB_PASSWORD", "--stack", "shop");
        git(dir, "commit", "-q", "-am", "rotate DB_PASSWORD");
        git(dir, "checkout", "-q", "main");
        write(dir, "other.txt", "main moved on\n");
        git(dir, "add", "other.txt");
        git(dir, "commit", "-q", "-m", "unrelated");
        git(dir, "checkout", "-q", "rotate-db");
        const p = planJson(dir);
        expect(p.secrets.rotated).toEqual([{ name: "DB_PASSWORD", source: "generate", from: 5, to: 6 }]);
        expect(p.hooks.map((h: any) => h.secret)).toEqual(["DB_PASSWORD"]);
        write(dir, "released.yaml", fixture(SHOP));
        expect(planJson(dir, "--base-file", "released.yaml").secrets.rotated).toEqual(p.secrets.rotated);
        expect(planJson(dir, "--base", "HEAD").rotates).toBe(false);
    });

    test("markdown for the PR: every section, and never a value or a ciphertext", () => {
        const dir = workdir({ [SHOP]: fixture(SHOP) });
        write(dir, SHOP, rotatedStripe(fixture(SHOP)));
        rekey(dir, "bump", "STRIPE_API_KEY", "CACHE_PASSWORD", "DB_PASSWORD", "--stack", "shop", "--reason", "incident 42");
        const md = rekey(dir, "plan", "--stack", "shop").stdout;
        for (const heading of ["#### Secrets", "#### Apply hooks (run first)", "#### Stores written", "#### Consumers restarted, in order", "#### Finalize (after the consumers verified)", "#### Impact"]) {
            expect(md).toContain(heading);
        }
        expect(md).toContain("- **DB_PASSWORD** rotated: epoch 5 → 6 (reason: `incident 42`)");
        expect(md).toContain("1. **cache**: `systemctl restart shop-cache` locally");
        expect(md).toContain("   - verify: `kubectl -n shop exec worker-0 -- ./healthcheck` locally succeeds within 120 s");
        const secrets = [...read(dir, SHOP).matchAll(/secure: (\S+)/g), ...fixture(SHOP).matchAll(/secure: (\S+)/g)].map((m) => m[1]);
        expect(secrets.length).toBeGreaterThanOrEqual(3);
        for (const s of [...secrets, "secure", "v1:", "sk_test_fixture", "fixture-mail"]) expect(md).not.toContain(s);
        expect(JSON.stringify(planJson(dir))).not.toMatch(/v1:|secure|sk_test_fixture|fixture-mail/);
    });
});

describe("plan Markdown renders user text as code, never as Markdown or HTML", () => {
    test("an HTML comment in a hook command, a reason and an impact line hides nothing after it", () => {
        const dir = workdir({ [SHOP]: fixture(SHOP) });
        const text = read(dir, SHOP)
            .replace("systemctl restart shop-cache", "systemctl restart shop-cache <!-- ``hidden`` -->")
            .replace("impact: Sessions older than the previous rotation end.", 'impact: "<!-- everything after this --> **bold** [x](y)"');
        write(dir, SHOP, text);
        expect(rekey(dir, "bump", "SESSION_SECRET", "CACHE_PASSWORD", "--stack", "shop", "--reason", "see <!-- here").code).toBe(0);
        const md = rekey(dir, "plan", "--stack", "shop").stdout;
        expect(md).toContain("(reason: `see <!-- here`)");
        expect(md).toContain("- SESSION_SECRET: `<!-- everything after this --> **bold** [x](y)`");
        expect(md).toContain("``` systemctl restart shop-cache <!-- ``hidden`` --> ```");
        // Outside code spans, no `<!--` is left to open a comment.
        const outside = md.replace(/(`+)(?:(?!\1)[\s\S])*?\1/g, "");
        expect(outside).not.toContain("<!--");
        expect(md).toContain("#### Impact");
    });
});

test("docs/cli.md's JSON example is what rekey plan prints for its JWT_SECRET bump of the production stack (but the base's label)", () => {
    const { readFileSync } = require("fs") as typeof import("fs");
    const { join } = require("path") as typeof import("path");
    const root = join(__dirname, "..", "..");
    const doc = readFileSync(join(root, "docs", "cli.md"), "utf8");
    const example = JSON.parse(/```json\n(\{\n  "stack": "production"[\s\S]*?\n\})\n```/.exec(doc)![1]);
    const production = readFileSync(join(root, "Pulumi.production.yaml"), "utf8");
    const dir = workdir({ "Pulumi.production.yaml": production, "base.yaml": production }, false);
    expect(rekey(dir, "bump", "JWT_SECRET", "--stack", "production", "--base-file", "base.yaml", "--reason", "yearly rotation").code).toBe(0);
    const actual = JSON.parse(rekey(dir, "plan", "--stack", "production", "--base-file", "base.yaml", "--json").stdout);
    expect({ ...example, base: "base.yaml" }).toEqual(actual);
});
