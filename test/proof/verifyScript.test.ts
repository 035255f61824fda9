// The proof verify's script (components/consumers/verify.ts), run for real with `sh -c` as
// the command provider runs it, against an HTTP server answering each way a service can:
// it passes only when every expected fingerprint is there, and its failure names what was
// wrong without quoting the answer, a fingerprint or a value.
import { execFile } from "child_process";
import { createServer, Server } from "http";
import { AddressInfo } from "net";
import { verifyScript } from "../../components/consumers/verify";
import { proofFingerprint } from "../../components/fingerprint";

const KEY = "proof-key-of-the-test";
const A = proofFingerprint(KEY, "A", "new-a");
const B = proofFingerprint(KEY, "B", "new-b");
const MARKER = "BODY-MARKER-7f3a";

let server: Server;
let answer: () => { status: number; body: string };
let url: string;

beforeAll(async () => {
    server = createServer((_req, res) => {
        const { status, body } = answer();
        res.writeHead(status, { "content-type": "application/json" });
        res.end(body);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function runVerify(timeoutSeconds = 2): Promise<{ code: number; stdout: string; stderr: string }> {
    const script = verifyScript({ kind: "url", url, expectStatus: 200, timeoutSeconds, intervalSeconds: 1, proof: { key: "PK", secrets: ["A", "B"] } }, "api");
    return new Promise((resolve) => {
        execFile("/bin/sh", ["-c", script], { env: { ...process.env, REKEY_PROOF: JSON.stringify({ A, B }) } }, (err, stdout, stderr) =>
            resolve({ code: err ? Number((err as any).code) : 0, stdout, stderr }),
        );
    });
}

const failure = (last: string) => `rekey: verify failed: consumer api: ${url} did not prove the values it loaded within 2s (last: ${last})\n`;

test.each([
    ["an answer that is not JSON", { status: 200, body: `not json ${MARKER}` }, "the answer is not JSON"],
    ["JSON without rekey", { status: 200, body: JSON.stringify({ status: "ok", note: MARKER }) }, 'the answer has no "rekey" object of fingerprints'],
    ["rekey that is a list", { status: 200, body: JSON.stringify({ rekey: [A, B] }) }, 'the answer has no "rekey" object of fingerprints'],
    ["a secret missing", { status: 200, body: JSON.stringify({ rekey: { A } }) }, "no fingerprint of B"],
    ["an old value and a missing one", { status: 200, body: JSON.stringify({ rekey: { A: proofFingerprint(KEY, "A", "old-a"), B: 5 } }) }, "not the new value of A; no fingerprint of B"],
    ["the right fingerprints under another key", { status: 200, body: JSON.stringify({ rekey: { A: proofFingerprint("old-key", "A", "new-a"), B: proofFingerprint("old-key", "B", "new-b") } }) }, "not the new value of A, B"],
    ["a name inherited by every object", { status: 200, body: JSON.stringify({ rekey: { B } }).replace("{\"B\"", "{\"__proto__\":{\"A\":\"" + A + "\"},\"B\"") }, "no fingerprint of A"],
    ["another status", { status: 503, body: JSON.stringify({ rekey: { A, B } }) }, "status 503"],
    ["an answer past 1 MiB", { status: 200, body: JSON.stringify({ rekey: { A, B }, pad: "x".repeat(1100000) }) }, "the answer is larger than 1 MiB"],
])("%s fails, naming what is wrong and quoting nothing", async (_title, reply, last) => {
    answer = () => reply;
    const out = await runVerify();
    expect(out.code).toBe(1);
    expect(out.stdout).toBe("");
    expect(out.stderr).toBe(failure(last));
    for (const secret of [A, B, MARKER, KEY]) expect(out.stderr).not.toContain(secret);
});

test("every fingerprint right (hex in any case, other fields and names ignored) passes", async () => {
    answer = () => ({ status: 200, body: JSON.stringify({ status: "ok", rekey: { A: A.toUpperCase(), B, C: "whatever" } }) });
    const out = await runVerify();
    expect(out).toEqual({ code: 0, stdout: `rekey: ${url} answered 200 with proof of A, B\n`, stderr: "" });
});

test("a rolling restart: old answers first, then the new values within the timeout, passes", async () => {
    let calls = 0;
    answer = () => (++calls < 3 ? { status: 200, body: JSON.stringify({ rekey: { A: proofFingerprint(KEY, "A", "old-a"), B } }) } : { status: 200, body: JSON.stringify({ rekey: { A, B } }) });
    const out = await runVerify(10);
    expect(out.code).toBe(0);
    expect(calls).toBe(3);
});

test("a service that trickles its answer (a byte every 300 ms, never ending) fails by the verify's timeout, not hanging on the 10 s socket timeout", async () => {
    const trickle = createServer((_req, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        const t = setInterval(() => res.write(" "), 300);
        res.on("close", () => clearInterval(t));
    });
    await new Promise<void>((r) => trickle.listen(0, "127.0.0.1", r));
    const slowUrl = `http://127.0.0.1:${(trickle.address() as AddressInfo).port}/health`;
    const script = verifyScript({ kind: "url", url: slowUrl, expectStatus: 200, timeoutSeconds: 2, intervalSeconds: 1, proof: { key: "PK", secrets: ["A", "B"] } }, "api");
    const started = Date.now();
    const child = execFile("/bin/sh", ["-c", script], { env: { ...process.env, REKEY_PROOF: JSON.stringify({ A, B }) }, timeout: 20000 });
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
    const took = Date.now() - started;
    trickle.closeAllConnections();
    await new Promise<void>((r) => trickle.close(() => r()));
    expect(code).toBe(1);
    expect(took).toBeLessThan(5000);
    expect(stderr).toBe(`rekey: verify failed: consumer api: ${slowUrl} did not prove the values it loaded within 2s (last: an answer that did not end)\n`);
}, 30000);
