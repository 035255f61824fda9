import { fixture, rekey, removeWorkdirs, workdir } from "../harness/cli";

const SHOP = "Pulumi.shop.yaml";
afterAll(removeWorkdirs);
const dir = () => workdir({ [SHOP]: fixture(SHOP) }, false);

// The fixture: SESSION_SECRET rotated 2026-08-01 every 90 days (due 2026-10-30), DB_PASSWORD
// 2026-10-20 every 180 (due 2026-04-18 next year), STRIPE_API_KEY (supplied) 2026-01-15 every
// 365 (due 2027-01-15), CACHE_PASSWORD has a cadence and no rotatedAt.
describe("rekey due", () => {
    test("on a fixed day: overdue, undated and due-soon secrets; supplied ones as reminders; exit 1", () => {
        const r = rekey(dir(), "due", "--stack", "shop", "--today", "2026-12-20", "--within", "30", "--json");
        expect(r.code).toBe(1);
        expect(JSON.parse(r.stdout)).toEqual({
            stack: "shop",
            today: "2026-12-20",
            within: 30,
            overdue: [{ name: "SESSION_SECRET", source: "generate", rotatedAt: "2026-08-01", cadenceDays: 90, dueOn: "2026-10-30", daysLeft: -51 }],
            undated: [{ name: "CACHE_PASSWORD", source: "generate", rotatedAt: null, cadenceDays: 30, dueOn: null, daysLeft: null }],
            dueSoon: [{ name: "STRIPE_API_KEY", source: "supplied", rotatedAt: "2026-01-15", cadenceDays: 365, dueOn: "2027-01-15", daysLeft: 26 }],
        });
        const md = rekey(dir(), "due", "--stack", "shop", "--today", "2026-12-20", "--within", "30").stdout;
        expect(md).toContain("- **SESSION_SECRET**: due 2026-10-30, 51 days ago (rotated 2026-08-01, every 90 days). rekey bump SESSION_SECRET --stack shop");
        expect(md).toContain(
            "- **STRIPE_API_KEY** (supplied): due 2027-01-15, in 26 days (rotated 2026-01-15, every 365 days). reminder: get a new value from its issuer, pulumi config set --secret --path 'rekey:supplied.STRIPE_API_KEY', then rekey bump STRIPE_API_KEY --stack shop",
        );
    });

    test("the due day itself is not overdue; the day after is", () => {
        const dated = fixture(SHOP).replace("      epoch: 2\n      cadenceDays: 30\n", '      epoch: 2\n      rotatedAt: "2026-10-30"\n      cadenceDays: 30\n');
        const d = workdir({ [SHOP]: dated }, false);
        const onDay = JSON.parse(rekey(d, "due", "--stack", "shop", "--today", "2026-10-30", "--json").stdout);
        expect(onDay.overdue).toEqual([]);
        expect(onDay.dueSoon.map((e: any) => [e.name, e.daysLeft])).toEqual([["SESSION_SECRET", 0]]);
        expect(rekey(d, "due", "--stack", "shop", "--today", "2026-10-30").code).toBe(0);
        const after = rekey(d, "due", "--stack", "shop", "--today", "2026-10-31", "--json");
        expect(after.code).toBe(1);
        expect(JSON.parse(after.stdout).overdue.map((e: any) => [e.name, e.daysLeft])).toEqual([["SESSION_SECRET", -1]]);
    });

    test("nothing due: exit 0 and says so; the default day is today", () => {
        const d = workdir({ [SHOP]: fixture(SHOP).replace("      cadenceDays: 30\n", "").replace('rotatedAt: "2026-08-01"', 'rotatedAt: "2026-11-01"') }, false);
        expect(rekey(d, "due", "--stack", "shop")).toEqual({ code: 0, stderr: "", stdout: "### rekey due: shop (today 2026-11-22)\n\nNothing is overdue or due today.\n" });
    });
});
