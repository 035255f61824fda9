import * as pulumi from "@pulumi/pulumi";
import { TriggeredCommand, TriggeredCommandArgs } from "./triggeredCommand";

/**
 * The restart script of a `restart` consumer (`make stop && make start`, `docker compose up
 * -d --force-recreate api`, `systemctl restart x`); REKEY_RESTARTED_FOR names the secret
 * epochs that caused it.
 */
export function commandRestartScript(command: string, causes: string[]): string {
    return `REKEY_RESTARTED_FOR='${causes.join(" ")}'; export REKEY_RESTARTED_FOR\n${command}`;
}

/** Restarts one consumer (the script of its kind) when a secret it reads changes. */
export class Restart extends TriggeredCommand {
    constructor(name: string, args: TriggeredCommandArgs, opts?: pulumi.ComponentResourceOptions) {
        super("rekey:index:Restart", "restart", name, args, opts);
    }
}
