// The local stack's service: it loads its .env once, at start, like a real service, and
// serves GET /health with the proof of what it loaded (docs/proof.md): under "rekey", the
// keyed fingerprint of every other value of the .env under REKEY_PROOF_KEY (a generated
// secret of the stack, written to the same .env), which the stack's verify compares with
// the new values'. Without REKEY_PROOF_KEY it reports no fingerprint at all. When the .env holds
// database credentials (DB_PASSWORD, DB_PASSWORD_USER) or a Redis password
// (REDIS_PASSWORD), it also opens a new login every 40 ms with the credentials it loaded
// and counts the ones that fail; on SIGTERM it finishes the logins in flight and appends
// its counts to REKEY_LOCAL_STATS.
//
// Settings (environment): REKEY_LOCAL_ENV (the .env), REKEY_LOCAL_PORT (8787),
// REKEY_LOCAL_STATS, PGHOST/PGPORT/PGDATABASE (127.0.0.1/5432/postgres),
// REDIS_HOST/REDIS_PORT/REDIS_USER (127.0.0.1/6379/rekey_local).
"use strict";
const fs = require("fs");
const http = require("http");
const net = require("net");
const dotenv = require("dotenv");
const { rekeyProof } = require("../../docs/proof/rekey-proof");

const env = dotenv.parse(fs.readFileSync(process.env.REKEY_LOCAL_ENV));
const port = Number(process.env.REKEY_LOCAL_PORT || 8787);
const { REKEY_PROOF_KEY: proofKey, ...proved } = env;
const stats = { pid: process.pid, startedAt: Date.now(), stoppedAt: 0, postgres: { ok: 0, failed: 0, errors: [] }, redis: { ok: 0, failed: 0, errors: [] } };
let inFlight = 0;
let stopping = false;

function count(kind, error) {
    if (error) {
        stats[kind].failed++;
        if (stats[kind].errors.length < 5) stats[kind].errors.push(String(error.message || error));
    } else stats[kind].ok++;
}

function postgresLogin() {
    const { Client } = require("pg");
    const client = new Client({
        host: process.env.PGHOST || "127.0.0.1",
        port: Number(process.env.PGPORT || 5432),
        database: process.env.PGDATABASE || "postgres",
        user: env.DB_PASSWORD_USER,
        password: env.DB_PASSWORD,
        connectionTimeoutMillis: 5000,
    });
    inFlight++;
    client
        .connect()
        .then(() => client.query("SELECT 1"))
        .then(() => count("postgres"), (e) => count("postgres", e))
        .finally(() => client.end().catch(() => undefined).finally(() => inFlight--));
}

function redisLogin() {
    const user = process.env.REDIS_USER || "rekey_local";
    const pass = env.REDIS_PASSWORD;
    const arg = (s) => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
    inFlight++;
    let answered = false;
    const done = (error) => {
        if (answered) return;
        answered = true;
        count("redis", error);
        socket.destroy();
        inFlight--;
    };
    const socket = net.connect({ host: process.env.REDIS_HOST || "127.0.0.1", port: Number(process.env.REDIS_PORT || 6379) }, () =>
        socket.write(`*3\r\n${arg("AUTH")}${arg(user)}${arg(pass)}`),
    );
    socket.setTimeout(5000, () => done(new Error("timeout")));
    socket.on("data", (d) => done(d.toString().startsWith("+OK") ? undefined : new Error(d.toString().trim())));
    socket.on("error", (e) => done(e));
}

const loops = [];
if (env.DB_PASSWORD && env.DB_PASSWORD_USER) loops.push(setInterval(postgresLogin, 40));
if (env.REDIS_PASSWORD) loops.push(setInterval(redisLogin, 40));

const server = http.createServer((req, res) => {
    if (req.url === "/health") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ pid: process.pid, ...(proofKey ? { rekey: rekeyProof(proofKey, proved) } : {}) }));
    } else if (req.url === "/stats") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(stats));
    } else {
        res.writeHead(404);
        res.end();
    }
});
server.listen(port, "127.0.0.1");

process.on("SIGTERM", () => {
    if (stopping) return;
    stopping = true;
    loops.forEach(clearInterval);
    server.close();
    const deadline = Date.now() + 5000;
    const finish = () => {
        if (inFlight > 0 && Date.now() < deadline) return setTimeout(finish, 20);
        stats.stoppedAt = Date.now();
        if (process.env.REKEY_LOCAL_STATS) fs.appendFileSync(process.env.REKEY_LOCAL_STATS, JSON.stringify(stats) + "\n");
        process.exit(0);
    };
    finish();
});
