import * as bcrypt from "bcryptjs";
import { everyKindConfig } from "../harness/configs";
import { MockEngine, resource } from "../harness/mockEngine";
import { ValuesRun, runWithValues } from "../harness/values";

const PW = "random:index/randomPassword:RandomPassword";
const SECRET = "rekey:index:RotatedSecret";

describe("every encoding yields exactly its format", () => {
    let r: ValuesRun;
    beforeAll(async () => {
        r = await runWithValues(new MockEngine(), everyKindConfig());
    });

    test("hex: 2*bytes lowercase hex characters", () => {
        expect(r.values.HEX).toMatch(/^[0-9a-f]{48}$/);
        expect(Buffer.from(r.values.HEX, "hex")).toHaveLength(24);
    });

    test("base64: standard alphabet with padding, decodes to exactly `bytes` bytes", () => {
        expect(r.values.B64).toMatch(/^[A-Za-z0-9+/]{43}=$/);
        expect(Buffer.from(r.values.B64, "base64")).toHaveLength(32);
        expect(Buffer.from(r.values.B64, "base64").toString("base64")).toBe(r.values.B64);
    });

    test("base64url: url-safe alphabet, no padding, decodes to exactly `bytes` bytes", () => {
        expect(r.values.B64URL).toMatch(/^[A-Za-z0-9_-]{64}$/);
        expect(Buffer.from(r.values.B64URL, "base64url")).toHaveLength(48);
        expect(r.previous.B64URL).toMatch(/^[A-Za-z0-9_-]{64}$/);
    });

    test("fernet: 32 bytes, url-safe base64 with padding", () => {
        expect(r.values.FERNET).toMatch(/^[A-Za-z0-9_-]{43}=$/);
        const raw = Buffer.from(r.values.FERNET.replace(/-/g, "+").replace(/_/g, "/"), "base64");
        expect(raw).toHaveLength(32);
    });

    test("byte encodings draw from a 16-letter alphabet (4 bits a character)", () => {
        for (const name of ["HEX", "B64", "B64URL", "FERNET"]) {
            const gen = resource(r.run, PW, `rekey-${name}-odd`).inputs;
            expect(gen).toMatchObject({ lower: false, upper: false, numeric: true, special: true, overrideSpecial: "abcdef" });
            expect(gen.minNumeric ?? 0).toBe(0);
            expect(gen.minSpecial ?? 0).toBe(0);
        }
        expect(resource(r.run, PW, "rekey-B64-odd").inputs.length).toBe(64);
        expect(resource(r.run, PW, "rekey-FERNET-odd").inputs.length).toBe(64);
    });

    test("alphanumeric: letters and digits of the given length", () => {
        expect(r.values.ALNUM).toMatch(/^[A-Za-z0-9]{40}$/);
    });

    test("password: length, minimums and the special set", () => {
        const v = r.values.PASSWORD;
        expect(v).toHaveLength(30);
        expect(v).toMatch(/^[A-Za-z0-9\-_.~]+$/);
        expect(v.match(/[A-Z]/g)!.length).toBeGreaterThanOrEqual(3);
        expect(v.match(/[a-z]/g)!.length).toBeGreaterThanOrEqual(3);
        expect(v.match(/[0-9]/g)!.length).toBeGreaterThanOrEqual(3);
        expect(v.match(/[-_.~]/g)!.length).toBeGreaterThanOrEqual(5);
    });

    test("htpasswd: user:<bcrypt> of the generated password", () => {
        const [user, hash] = r.values.HTPASSWD.split(/:(.*)/s);
        expect(user).toBe("admin");
        expect(hash).toMatch(/^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/);
        expect(r.credentials.HTPASSWD).toMatch(/^[A-Za-z0-9]{32}$/);
        expect(bcrypt.compareSync(r.credentials.HTPASSWD, hash)).toBe(true);
        expect(bcrypt.compareSync(r.credentials.HTPASSWD + "x", hash)).toBe(false);
    });

    test("supplied: exactly the configured value", () => {
        expect(r.values.VENDOR_KEY).toBe("sk-test-supplied-value-0001");
    });

    test("derive: the template rendered over its inputs, with filters", () => {
        expect(r.values.URL).toBe(`redis://:${r.values.HEX}@redis:6379/0?k=${encodeURIComponent(r.values.PASSWORD)}`);
    });

    test("one generator per secret, two with keepPrevious, none for supplied and derived", () => {
        const generators = [...r.run.resources.values()].filter((x) => x.type === PW && x.parent);
        const per = (n: string) => generators.filter((g) => g.parent === `${SECRET}::rekey-${n}`).length;
        expect(per("HEX")).toBe(1);
        expect(per("B64URL")).toBe(2);
        expect(per("VENDOR_KEY")).toBe(0);
        expect(per("URL")).toBe(0);
        expect([...r.run.resources.values()].filter((x) => x.type === SECRET)).toHaveLength(9);
    });
});
