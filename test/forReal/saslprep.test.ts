// The SCRAM verifier rekey sets is one that libpq (psql) logs in with for passwords that
// SASLprep changes: soft hyphen and zero-width space are removed, non-ASCII spaces become
// spaces, full-width forms are NFKC-normalized; for one it rejects, the password as given.
import { spawnSync } from "child_process";
import { createHash, createHmac, pbkdf2Sync, randomBytes } from "crypto";
import { SCRAM_ITERATIONS, scramVerifier } from "../../components/hooks/postgres";
import { saslprep } from "../../components/hooks/saslprep";
import { POSTGRES_BIN, PostgresCluster, startPostgres } from "../harness/postgresCluster";
import { commandExists, describeNeeding } from "../harness/requirements";

test("saslprep maps as RFC 4013 says and keeps ASCII and rejected passwords unchanged", () => {
    expect(saslprep("plain ASCII pa$$")).toBe("plain ASCII pa$$");
    expect(saslprep("pass\u00adword")).toBe("password");
    expect(saslprep("pass\u200bword")).toBe("pass word");
    expect(saslprep("pass\u00a0word")).toBe("pass word");
    expect(saslprep("ｐａｓｓ")).toBe("pass");
    expect(saslprep("I\u2163")).toBe("IIV");
    // Prohibited after mapping (private use, a line separator): the password as given.
    expect(saslprep("pass\ue000")).toBe("pass\ue000");
    expect(saslprep("pä\u2028ss")).toBe("pä\u2028ss");
    // Bidi: right-to-left with a left-to-right letter is rejected; all right-to-left is kept.
    expect(saslprep("\u05d0a\u05d1")).toBe("\u05d0a\u05d1");
    expect(saslprep("\u05d0\u05d1")).toBe("\u05d0\u05d1");
});

const CASES: [string, string][] = [
    ["soft hyphen U+00AD", "sup\u00adplied-secret"],
    ["zero-width space U+200B", "sup\u200bplied-secret"],
    ["no-break space U+00A0", "sup\u00a0plied secret"],
    ["full-width letters", "ｓｕｐｐｌｉｅｄ"],
    ["accents", "pässwörd-déjà"],
    ["Hebrew", "\u05e1\u05d5\u05d3"],
    ["prohibited private use (used as given)", "pass\ue000word"],
];

const havePsql = POSTGRES_BIN !== null && commandExists("psql");
describeNeeding("postgres", havePsql, "install PostgreSQL server binaries and psql (apt-get install postgresql)", "psql logs in with the verifier rekey sets", () => {
    let pg: PostgresCluster;
    beforeAll(async () => (pg = await startPostgres()));
    afterAll(() => pg?.stop());
    const login = (role: string, password: string) =>
        spawnSync("psql", ["-X", "-q", "-h", "127.0.0.1", "-p", String(pg.port), "-U", role, "-d", "postgres", "-c", "select 1"], { env: { ...process.env, PGPASSWORD: password }, encoding: "utf8" }).status === 0;

    test.each(CASES)("%s", (_, password) => {
        const role = `sasl_${randomBytes(4).toString("hex")}`;
        pg.sql(`CREATE ROLE ${role} LOGIN PASSWORD '${scramVerifier(password, randomBytes(16))}';`);
        try {
            expect(login(role, password)).toBe(true);
            expect(login(role, `${password}x`)).toBe(false);
        } finally {
            pg.sql(`DROP ROLE ${role};`);
        }
    });

    test("the NFKC-only verifier rekey used before fails for a soft hyphen (control)", () => {
        const password = "sup\u00adplied-secret";
        const salt = randomBytes(16);
        const salted = pbkdf2Sync(password.normalize("NFKC"), salt, SCRAM_ITERATIONS, 32, "sha256");
        const stored = createHash("sha256").update(createHmac("sha256", salted).update("Client Key").digest()).digest();
        const server = createHmac("sha256", salted).update("Server Key").digest();
        const role = `sasl_${randomBytes(4).toString("hex")}`;
        pg.sql(`CREATE ROLE ${role} LOGIN PASSWORD 'SCRAM-SHA-256$${SCRAM_ITERATIONS}:${salt.toString("base64")}$${stored.toString("base64")}:${server.toString("base64")}';`);
        try {
            expect(login(role, password)).toBe(false);
        } finally {
            pg.sql(`DROP ROLE ${role};`);
        }
    });
});
