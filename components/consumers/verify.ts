import * as pulumi from "@pulumi/pulumi";
import { PlannedVerify } from "../plan/plan";
import { HostTarget, shellQuote } from "../commands/hostCommand";
import { TriggeredCommand } from "./triggeredCommand";

// Polls a URL until it answers the expected status, or fails after the timeout. Runs with
// the Node.js that runs Pulumi, so it needs nothing else on the machine.
const POLL_URL = `
const [url, expect, timeout, interval] = process.argv.slice(1);
const client = url.startsWith("https:") ? require("https") : require("http");
const deadline = Date.now() + Number(timeout) * 1000;
let last = "no answer";
const attempt = () => {
  const req = client.get(url, { timeout: 10000 }, (res) => {
    res.resume();
    if (res.statusCode === Number(expect)) { console.log("rekey: " + url + " answered " + expect); process.exit(0); }
    last = "status " + res.statusCode; retry();
  });
  req.on("timeout", () => req.destroy(new Error("timed out")));
  req.on("error", (e) => { last = e.message; retry(); });
};
const retry = () => {
  if (Date.now() + Number(interval) * 1000 > deadline) {
    console.error("rekey: verify failed: " + url + " did not answer " + expect + " within " + timeout + "s (last: " + last + ")");
    process.exit(1);
  }
  setTimeout(attempt, Number(interval) * 1000);
};
attempt();
`.trim();

// A url verify with proof (docs/proof.md): polls until the URL answers the expected status
// with, in its JSON body's "rekey" object, the fingerprint of every value it must prove equal
// to the one in REKEY_PROOF (a JSON object NAME -> hex, in the environment: secret, never in
// argv), or fails after the timeout naming the consumer and the secrets it did not prove. It
// prints names, statuses and fixed phrases only, never a fingerprint or anything of the body:
// the expected fingerprints are those of the new values, and a log that kept them would let
// whoever later learns the proof key test guesses of those values offline. (POLL_URL stays
// as it is: a changed script would update every deployed verify.)
const PROVE_URL = `
const [url, expect, timeout, interval, consumer] = process.argv.slice(1);
const expected = JSON.parse(process.env.REKEY_PROOF);
const client = url.startsWith("https:") ? require("https") : require("http");
const deadline = Date.now() + Number(timeout) * 1000;
const names = Object.keys(expected);
let last = "no answer";
const check = (body) => {
  let proof;
  try { proof = JSON.parse(body).rekey; } catch { return "the answer is not JSON"; }
  if (proof === null || typeof proof !== "object" || Array.isArray(proof)) return 'the answer has no "rekey" object of fingerprints';
  const other = [], missing = [];
  for (const name of names) {
    const got = Object.prototype.hasOwnProperty.call(proof, name) ? proof[name] : undefined;
    if (typeof got !== "string") missing.push(name);
    else if (got.toLowerCase() !== expected[name]) other.push(name);
  }
  return [other.length ? "not the new value of " + other.join(", ") : "", missing.length ? "no fingerprint of " + missing.join(", ") : ""].filter(Boolean).join("; ");
};
const attempt = () => {
  const req = client.get(url, { timeout: 10000 }, (res) => {
    if (res.statusCode !== Number(expect)) { res.resume(); last = "status " + res.statusCode; return retry(); }
    receiving = true;
    const chunks = []; let size = 0;
    res.on("data", (c) => { size += c.length; if (size > 1048576) { req.destroy(new Error("the answer is larger than 1 MiB")); } else chunks.push(c); });
    res.on("end", () => {
      receiving = false;
      const problem = check(Buffer.concat(chunks).toString("utf8"));
      if (!problem) { console.log("rekey: " + url + " answered " + expect + " with proof of " + names.join(", ")); process.exit(0); }
      last = problem; retry();
    });
    res.on("error", () => undefined);
  });
  req.on("timeout", () => req.destroy(new Error("timed out")));
  req.on("error", (e) => { receiving = false; last = e.message; retry(); });
};
let waiting = false;
let receiving = false;
const fail = () => {
  console.error("rekey: verify failed: consumer " + consumer + ": " + url + " did not prove the values it loaded within " + timeout + "s (last: " + last + ")");
  process.exit(1);
};
// The deadline holds whatever the service does: the request's timeout is the socket's idle
// time, so an answer that trickles a byte at a time would otherwise never end the verify.
setTimeout(() => { if (receiving) last = "an answer that did not end"; fail(); }, Number(timeout) * 1000);
const retry = () => {
  if (waiting) return;
  if (Date.now() + Number(interval) * 1000 > deadline) fail();
  waiting = true;
  setTimeout(() => { waiting = false; attempt(); }, Number(interval) * 1000);
};
attempt();
`.trim();

export function verifyScript(verify: PlannedVerify, consumer: string): string {
    if (verify.kind === "url" && verify.proof) {
        return `node -e ${shellQuote(PROVE_URL)} ${[verify.url, String(verify.expectStatus), String(verify.timeoutSeconds), String(verify.intervalSeconds), consumer].map(shellQuote).join(" ")}`;
    }
    if (verify.kind === "url") {
        return `node -e ${shellQuote(POLL_URL)} ${[verify.url, String(verify.expectStatus), String(verify.timeoutSeconds), String(verify.intervalSeconds)].map(shellQuote).join(" ")}`;
    }
    const attempts = Math.max(1, Math.ceil(verify.timeoutSeconds / verify.intervalSeconds));
    return [
        // The check runs as one shell script of its own: a trailing comment or a line break in it ends nothing here.
        `i=0; until sh -c ${shellQuote(verify.command)}; do`,
        `  i=$((i + 1)); if [ "$i" -ge ${attempts} ]; then echo "rekey: verify failed: the check did not pass within ${verify.timeoutSeconds}s" >&2; exit 1; fi`,
        `  sleep ${verify.intervalSeconds}`,
        "done",
    ].join("\n");
}

export interface VerifyArgs {
    verify: PlannedVerify;
    host: HostTarget;
    triggers: pulumi.Input<unknown[]>;
    consumer: string;
    /** Before every child's name: the Rotation's (see hostCommand). */
    prefix?: string;
    /** With verify.proof: the fingerprint each secret of the proof must have, NAME -> hex (secret; program.ts proofExpected). */
    proof?: pulumi.Output<Record<string, string>>;
}

/**
 * The health check after a restart. It has the restart's triggers, so it runs exactly when
 * the restart does; if it fails, nothing that depends on it runs (later consumers, the
 * finalize), and the next `pulumi up` runs the check again without restarting again.
 */
export class Verify extends TriggeredCommand {
    constructor(name: string, args: VerifyArgs, opts?: pulumi.ComponentResourceOptions) {
        const host = args.verify.kind === "command" ? args.host : { host: null };
        const proving = args.verify.kind === "url" && args.verify.proof !== undefined;
        if (proving !== (args.proof !== undefined)) throw new Error(`${name}: a proof verify needs its expected fingerprints, and only it`);
        // The expected fingerprints travel in the local environment, as a secret (hostCommand):
        // the provider appends `environment` to the command's process environment, not to its
        // command line (pulumi-command provider/pkg/provider/local/commandOutputs.go `run`:
        // cmd.Env = os.Environ() + each entry), and the command string, which a failed run's
        // error quotes with its whole output, holds only the URL, numbers and the consumer's name.
        const environment = args.proof ? { REKEY_PROOF: pulumi.secret(args.proof.apply((p) => JSON.stringify(p))) } : undefined;
        super("rekey:index:Verify", "verify", name, { script: verifyScript(args.verify, args.consumer), host, triggers: args.triggers, consumer: args.consumer, prefix: args.prefix, environment }, opts);
    }
}
