// The Rotation component: an inventory (the `rekey:*` shapes) validated, checked against
// what this stack last deployed, and turned into resources under the component. The
// standalone program is `new Rotation("rekey", fromStackConfig())`.
import * as pulumi from "@pulumi/pulumi";
import { dotenvTraits } from "./plan/dotenvLine";
import { DotenvTraits, RawConfig, RekeyConfigError, RotationPlan, planRotation } from "./plan/plan";
import { RekeyEpochError, applyDeployed, epochProblems } from "./plan/deployed";
import { rawConfigOf } from "./plan/rawConfig";
import type { RotationArgs } from "./args";
import { DeployedRotation, deployRotation } from "./program";
import { DeployedState, readDeployed } from "./plan/record";
import { ROTATION_TYPE, rotationPrefix } from "./plan/resourceNames";
import { asRunError } from "./runError";
import { knownValue } from "./outputValues";
import { ArgsReading, PlainArgs, readArgs } from "./readArgs";
import { Scope, providersByPackage, topLevel } from "./scope";
import { CONFIG_FACTS, ConfigFacts, fromStackConfig } from "./stackConfig";

// The Rotation's type token is the package's name, as `pulumi package add` names the
// component for other languages (@pulumi/pulumi cmd/run-plugin/run.js: the provider is the
// package.json name). Its children keep their `rekey:index:*` types, which stacks deployed
// by rekey 0.1 hold.
export { ROTATION_TYPE } from "./plan/resourceNames";

/** The name of the StackReference through which a Rotation reads its own stack's last outputs (in 0.1: `rekey-deployed`). */
export const DEPLOYED_REFERENCE_NAME = "deployed";

/**
 * The name that reads this very stack. Pulumi Cloud needs it in full (a bare name would be
 * looked up in the user's default organization). The diy backends' organization is always
 * "organization", and the legacy diy layout accepts only a bare stack name, which both diy
 * layouts resolve in the current project (pkg/backend/diy/store.go ParseReference).
 */
export function ownStackName(organization: string, project: string, stack: string): string {
    return organization === "organization" ? stack : `${organization}/${project}/${stack}`;
}

/**
 * The stack's own last `rotation` output: what the last completed rotation deployed. A
 * StackReference may name the stack itself; the engine's builtin provider reads that
 * stack's latest outputs (pkg/resource/deploy/builtins.go readStackReference; the diy
 * backend returns none for a stack never deployed, pkg/backend/diy/state.go
 * getSnapshotStackOutputs). Reads also run in `pulumi preview`.
 */
export async function readDeployedState(scope: Scope, output: string): Promise<DeployedState> {
    const at = topLevel(scope, DEPLOYED_REFERENCE_NAME, "rekey-deployed");
    const self = new pulumi.StackReference(at.name, { name: ownStackName(pulumi.getOrganization(), pulumi.getProject(), pulumi.getStack()) }, at.opts);
    const details = await self.getOutputDetails(output);
    return readDeployed(details.value ?? details.secretValue);
}

/** The planner's input from a Rotation's args, and what is known of the secret values without resolving them. */
function rawOf(args: PlainArgs, facts: ConfigFacts | undefined, suppliedTraits?: Record<string, DotenvTraits>): RawConfig {
    const config: Record<string, unknown> = { "rekey:secrets": args.secrets };
    if (args.consumers !== undefined) config["rekey:consumers"] = args.consumers;
    if (args.hosts !== undefined) config["rekey:hosts"] = args.hosts;
    if (args.defaults !== undefined) config["rekey:defaults"] = args.defaults;
    const raw = rawConfigOf(config, {
        suppliedNames: Object.keys(args.supplied ?? {}),
        hostKeyNames: Object.keys(args.hostKeys ?? {}),
        plaintextKeys: facts?.plaintextKeys,
        encryptedKeys: facts?.encryptedKeys,
        suppliedTraits: facts?.suppliedTraits ?? suppliedTraits,
    });
    return { ...raw, unknownKeys: facts?.unknownKeys ?? [] };
}

/**
 * The plan of args as read (readArgs): args that cannot be read are the error, before their
 * contents are planned (what a Map or an unknown holds is not known).
 */
function plan(reading: ArgsReading, facts: ConfigFacts | undefined, suppliedTraits?: Record<string, DotenvTraits>): RotationPlan {
    try {
        if (reading.problems.length) throw new RekeyConfigError(reading.problems);
        // The clock's day (UTC, as rekey bump writes rotatedAt): a rotatedAt after it would put
        // off the due date and a Key Vault expiry, so pulumi up refuses it like rekey does.
        return planRotation(rawOf(reading.args, facts, suppliedTraits), { today: new Date().toISOString().slice(0, 10) });
    } catch (e) {
        throw e instanceof RekeyConfigError ? asRunError(e) : e;
    }
}

/**
 * Secret rotation as code: every secret of `args.secrets` generated (or supplied, or
 * derived), written to its stores, its consumers restarted in order with their verify.
 * The inventory is validated before anything is registered (one RekeyConfigError naming
 * every problem); every child is under the Rotation and named after it.
 */
export class Rotation extends pulumi.ComponentResource {
    // The outputs are typed as Pulumi's schema inference takes them (no union but
    // `T | undefined`), so that other languages get them too.
    /**
     * Per secret, a RotationRecord: epoch, rotatedAt, keyed fingerprint, previous, stores,
     * consumers. Never a value. Export it as a stack output (see `stackOutput`).
     */
    declare readonly rotation: pulumi.Output<{ [name: string]: any }>;
    /** Passwords behind htpasswd secrets (secret). */
    declare readonly credentials: pulumi.Output<{ [name: string]: string }>;
    /** Each secret's current value (secret), to hand to the rest of the program: `rotation.values.DB_PASSWORD`. */
    declare readonly values: pulumi.Output<{ [name: string]: string }>;

    constructor(name: string, args: RotationArgs, opts?: pulumi.ComponentResourceOptions) {
        const facts = (args as unknown as Record<symbol, ConfigFacts | undefined> | undefined)?.[CONFIG_FACTS];
        // Plain args are planned before super: an invalid inventory registers nothing, not
        // even the component. Args holding Outputs (as other languages hand them, see
        // readArgs) are planned once they resolve: until then only the Rotation is registered,
        // and a refusal rejects the deployment before any child.
        const reading = readArgs(args);
        const first = reading instanceof Promise ? undefined : plan(reading, facts);
        super(ROTATION_TYPE, name, {}, opts);
        const scope: Scope = { prefix: rotationPrefix(name), parent: this, legacy: name === "rekey", providers: providersByPackage(opts?.providers) };
        const secretMap = (m: Record<string, pulumi.Input<string>> | undefined) => new Map(Object.entries(m ?? {}).map(([k, v]) => [k, pulumi.secret(v)]));
        // The SDK ends the program once no RPC is outstanding (@pulumi/pulumi runtime/settings.js
        // waitForRPCs, which runtime/stack.js runInPulumiStack awaits after the program returns);
        // the deployment yields to the event loop between its steps (program.ts), when none may
        // be, so it holds the program open until it settles, as an RPC in flight does
        // (settings.js rpcKeepAlive): also for a program that neither awaits nor exports it.
        // Released in `finally`, so that `deployment` itself gets no handler (see below).
        const keepAlive = pulumi.runtime.rpcKeepAlive();
        const deployment = (async () => {
            try {
                const given = await reading;
                let checked = first ?? plan(given, facts);
                const supplied = secretMap(given.args.supplied);
                const hostKeys = secretMap(given.args.hostKeys);
                if (checked.unchecked.length) {
                    // Supplied values given as Outputs: what the planner needs of them (whether they fit
                    // a .env line) is known once they resolve, before any child. In a preview one may be
                    // unknown: the check then runs in `pulumi up`.
                    const traits: Record<string, DotenvTraits> = {};
                    let known = true;
                    for (const [n, v] of supplied) {
                        const value = await knownValue(v);
                        if (value === undefined) known = false;
                        else traits[n] = dotenvTraits(value);
                    }
                    if (known) checked = plan(given, facts, traits);
                }
                const deployed = await readDeployedState(scope, given.args.stackOutput ?? "rotation");
                const problems = epochProblems(checked, deployed);
                if (problems.length) throw asRunError(new RekeyEpochError(problems));
                return await deployRotation({ plan: applyDeployed(checked, deployed), supplied, hostKeys, deployed, scope });
            } finally {
                keepAlive();
            }
        })();
        // A refused epoch or an invalid supplied value rejects `deployment`, which fails the
        // program (standalone.ts awaits ready(); unawaited, it is an unhandled rejection, which
        // the language host reports and fails on). The Outputs derived from it are made on first
        // use, so that a failed deployment reports its error once, not once per Output.
        const lazy = <T>(f: (d: DeployedRotation) => T | pulumi.Output<T>, secret = false) => {
            let made: pulumi.Output<T> | undefined;
            return {
                enumerable: true,
                get: () => (made ??= (secret ? pulumi.secret(pulumi.output(deployment.then(f))) : pulumi.output(deployment.then(f))) as pulumi.Output<T>),
            };
        };
        // Never marked handled: a refusal nobody awaits is an unhandled rejection, which fails
        // the program (cmd/run/run.js uncaughtHandler) before the engine could delete what a
        // completed program no longer registers.
        deployments.set(this, deployment);
        Object.defineProperty(this, "rotation", lazy((d) => d.rotation));
        Object.defineProperty(this, "credentials", lazy((d) => d.credentials, true));
        Object.defineProperty(this, "values", lazy((d) => pulumi.all(Object.fromEntries([...d.secrets].map(([n, s]) => [n, s.value]))), true));
        this.registerOutputs({});
    }

    /**
     * Resolves once every resource of the Rotation is registered; rejects, with one message
     * naming every secret, when the Rotation refuses to run (an epoch more than one step from
     * the last completed rotation, a supplied value a store cannot hold). A program that
     * awaits it fails with that message.
     */
    async ready(): Promise<void> {
        await deploymentOf(this);
    }
}

/** Each Rotation's deployment, once registered: kept off the class, which Pulumi's schema inference reads. */
const deployments = new WeakMap<Rotation, Promise<DeployedRotation>>();

/**
 * A Rotation's whole deployment, once its resources are registered; it rejects when the
 * Rotation refuses to run (an epoch out of step, a supplied value a store cannot hold).
 * The standalone program awaits it, so that a refusal fails the program with its message.
 */
export function deploymentOf(rotation: Rotation): Promise<DeployedRotation> {
    return deployments.get(rotation)!;
}

/** The standalone program's deployment: `new Rotation("rekey", fromStackConfig())`. */
export async function runRekey(): Promise<DeployedRotation> {
    return deploymentOf(new Rotation("rekey", fromStackConfig()));
}
