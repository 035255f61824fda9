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

export function verifyScript(verify: PlannedVerify): string {
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
}

/**
 * The health check after a restart. It has the restart's triggers, so it runs exactly when
 * the restart does; if it fails, nothing that depends on it runs (later consumers, the
 * finalize), and the next `pulumi up` runs the check again without restarting again.
 */
export class Verify extends TriggeredCommand {
    constructor(name: string, args: VerifyArgs, opts?: pulumi.ComponentResourceOptions) {
        const host = args.verify.kind === "command" ? args.host : { host: null };
        super("rekey:index:Verify", "verify", name, { script: verifyScript(args.verify), host, triggers: args.triggers, consumer: args.consumer, prefix: args.prefix }, opts);
    }
}
