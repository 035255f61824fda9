// Runs the rekey program under Pulumi mocks the way a backend would across `pulumi up`s:
// state persists between runs, a resource whose inputs did not change keeps its outputs,
// and a RandomPassword whose inputs changed is replaced with a fresh random value (all its
// inputs force replacement). Each run records every resource's inputs (with which leaves
// are secret), options (parent, dependsOn, additionalSecretOutputs) and outputs.
//
// Stack outputs are kept as the engine keeps them: a run that completes replaces them; a
// run that fails (the program throws, a registration fails, or a replayed command fails:
// see revert) leaves the previous ones (pkg/resource/deploy/step_executor.go
// executeRegisterResourceOutputs keeps old stack outputs on an errored deployment). A
// StackReference to the stack itself reads them, as the engine's builtin provider does.
import * as pulumi from "@pulumi/pulumi";
import { createHash, randomInt } from "crypto";
import { Worker } from "worker_threads";
import { AliasSpec, ROOT_STACK_TYPE, generateAliases, generateUrn, urnName, urnType } from "./urns";

export interface Leaf {
    path: string;
    value: string;
    secret: boolean;
}

export interface CapturedResource {
    type: string;
    name: string;
    custom: boolean;
    inputs: Record<string, any>;
    leaves: Leaf[];
    /** `type::name` of the parent and of each explicit dependency. */
    parent: string | undefined;
    dependsOn: string[];
    deleteBeforeReplace: boolean;
    /** The explicit provider's name, if any. */
    provider: string | undefined;
    /** The aliases in its options, as the SDK sends them (parents as `type::name` until registered). */
    aliases: (string | { name?: string; type?: string; parentKey?: string; noParent?: boolean })[];
    /** Its URN, computed as the engine does (test/harness/urns.ts). */
    urn: string;
    /** The URN it had before, when it took over an old resource through an alias. */
    aliasedFrom: string | undefined;
    outputs: Record<string, any>;
    additionalSecretOutputs: string[];
    ignoreChanges: string[];
    /** The `replacementTrigger` option, as JSON (undefined: none). */
    replacementTrigger: string | undefined;
    /** created: new this run; replaced: inputs changed; same: no change; read: a StackReference read. */
    change: "created" | "replaced" | "updated" | "same" | "read";
}

export interface RunResult {
    resources: Map<string, CapturedResource>;
    outputs: Record<string, any>;
    outputLeaves: Leaf[];
    /** Every value a generator produced in any run of this engine so far. */
    generatedValues: Set<string>;
    /** In the order the engine saw them: `register:<type::name>` (a registration answered), `call:<token>:<name input>` (an invoke). */
    events: string[];
}

export type StackConfigInput = Record<string, unknown>;

export interface RunOptions {
    /**
     * These resources' operations fail (a failed create or update): the run then throws,
     * and they and every resource waiting on them are left as they were, with the stack's
     * previous outputs, as a failed `pulumi up` leaves them.
     */
    fail?: (key: string, name: string) => boolean;
    /** Registrations of these resources complete only when the promise resolves (a slow step). */
    delay?: (key: string, name: string) => Promise<void> | undefined;
    /**
     * Run as `pulumi preview`: pulumi.runtime.isDryRun() is true (so an unknown value the
     * component provider deserializes is pulumi.unknown: runtime/rpc.js deserializeProperty),
     * and a completed preview leaves the backend's state and outputs as they were (one that
     * fails keeps what it registered, as a failed run does here, for the test to look at).
     */
    preview?: boolean;
    /**
     * A provider that answers something else than what was written (another writer got
     * there): a resource's outputs or an invoke's result, changed; undefined keeps them.
     */
    answer?: {
        outputs?(key: string, outputs: Record<string, any>): Record<string, any> | undefined;
        call?(token: string, result: Record<string, any>): Record<string, any> | undefined;
    };
}

export const STACK_REFERENCE = "pulumi:pulumi:StackReference";

/** What a backend holds, as a file: every resource by URN, and the stack's outputs. */
export interface StateFixture {
    stackOutputs: Record<string, unknown>;
    resources: { urn: string; inputs: string; replaceKey: string; outputs: Record<string, any>; wrapped?: Record<string, any> }[];
}

/** The parent of an alias that names the stack's root (`parent: pulumi.rootStackResource`). */
const ROOT = "<root stack>";

const RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword";
export const ACCESS_KEY = "aws:iam/accessKey:AccessKey";
export const APPLICATION_PASSWORD = "azuread:index/applicationPassword:ApplicationPassword";
/** Between a resource's replace key and its replacement trigger, in the state. */
const TRIGGER = "|trigger:";
const LOWER = "abcdefghijklmnopqrstuvwxyz";
const UPPER = LOWER.toUpperCase();
const DIGITS = "0123456789";
const DEFAULT_SPECIAL = "!@#$%&*()-_=+[]{}<>:?";
/** Per-type input fields whose change replaces the resource (besides RandomPassword's all). */
const REPLACE_ON: Record<string, string[]> = {
    "command:local:Command": ["triggers"],
    "command:remote:Command": ["triggers"],
    // terraform-provider-aws internal/service/iam/access_key.go ResourceAccessKey: user and
    // pgp_key are ForceNew; status is updated in place (resourceAccessKeyUpdate, UpdateAccessKey).
    "aws:iam/accessKey:AccessKey": ["user", "pgpKey"],
    // terraform-provider-azuread application_password_resource.go: no update, every argument ForceNew.
    [APPLICATION_PASSWORD]: ["applicationId", "displayName", "endDate", "endDateRelative", "rotateWhenChanged", "startDate"],
};

type Draw = (n: number) => number;

/** A reproducible draw for deterministic engines: SHA-256 in counter mode over a seed. */
function seededDraw(seed: string): Draw {
    let counter = 0;
    return (n) => createHash("sha256").update(`${seed}:${counter++}`).digest().readUInt32BE(0) % n;
}

/** As terraform-provider-random: the minimums first, the rest from the whole set, shuffled. */
export function generatePassword(inputs: Record<string, any>, draw: Draw = randomInt): string {
    const pick = (chars: string) => chars[draw(chars.length)];
    const special = inputs.overrideSpecial ?? DEFAULT_SPECIAL;
    const classes: [boolean, string, number][] = [
        [inputs.lower ?? true, LOWER, inputs.minLower ?? 0],
        [inputs.upper ?? true, UPPER, inputs.minUpper ?? 0],
        [inputs.numeric ?? true, DIGITS, inputs.minNumeric ?? 0],
        [inputs.special ?? true, special, inputs.minSpecial ?? 0],
    ];
    const all = classes.filter(([on]) => on).map(([, c]) => c).join("");
    const out: string[] = [];
    for (const [on, chars, min] of classes) if (on) for (let i = 0; i < min; i++) out.push(pick(chars));
    while (out.length < inputs.length) out.push(pick(all));
    for (let i = out.length - 1; i > 0; i--) {
        const j = draw(i + 1);
        [out[i], out[j]] = [out[j], out[i]];
    }
    return out.join("");
}

/** Flattens a value (Outputs, promises, arrays, objects) into string leaves with secretness. */
export async function leavesOf(value: unknown, path = "", secret = false): Promise<Leaf[]> {
    if (pulumi.Output.isInstance(value)) {
        const o = value as any;
        const [v, isSecret] = await Promise.all([o.promise(), o.isSecret]);
        return leavesOf(v, path, secret || isSecret);
    }
    if (value instanceof Promise) return leavesOf(await value, path, secret);
    if (pulumi.Resource.isInstance(value)) return [];
    if (value === null || value === undefined) return [];
    if (Array.isArray(value)) return (await Promise.all(value.map((v, i) => leavesOf(v, `${path}[${i}]`, secret)))).flat();
    if (typeof value === "object") {
        const entries = Object.entries(value as Record<string, unknown>);
        return (await Promise.all(entries.map(([k, v]) => leavesOf(v, path ? `${path}.${k}` : k, secret)))).flat();
    }
    return [{ path, value: String(value), secret }];
}

// Internal to the SDK (exported at run time): drains the queue of registration RPCs.
const waitForRPCs: () => Promise<void> =
    (pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> }).waitForRPCs ?? (async () => {});

const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** Replaces the mock protocol's secret wrappers ({<sig>: <secret sig>, value}) by their values. */
function unwrapSecrets(v: any): any {
    if (Array.isArray(v)) return v.map(unwrapSecrets);
    if (v && typeof v === "object") {
        if (v[SECRET_SIG_KEY] === SECRET_SIG) return unwrapSecrets(v.value);
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrapSecrets(x)]));
    }
    return v;
}

/**
 * A RandomPassword's bcrypt hash, computed off the program's thread. The random provider
 * hashes in its own process, as part of the resource's create (terraform-provider-random
 * internal/provider/resource_password.go Create: generateHash, bcrypt.GenerateFromPassword),
 * and the engine runs that create in the provider plugin beside the program
 * (pkg/resource/deploy/step.go CreateStep.Apply / ReplaceStep: prov.Create over gRPC): the
 * program's thread never pays it. Hashed here on its thread, 100 replaced generators took
 * 0.2-0.4 s of the program's time in the wall-time bench (bench/wallTime.ts). One worker
 * thread, ended after a second without work (an idle one would outlive a test file).
 */
interface Hasher {
    worker: Worker;
    pending: Map<number, [(hash: string) => void, (e: unknown) => void]>;
    next: number;
    idle?: NodeJS.Timeout;
}
let hasher: Hasher | undefined;
function bcryptHash(value: string): Promise<string> {
    if (!hasher) {
        const worker = new Worker(
            `const bcrypt = require(${JSON.stringify(require.resolve("bcryptjs"))});
             const { parentPort } = require("worker_threads");
             parentPort.on("message", ({ id, value }) => parentPort.postMessage({ id, hash: bcrypt.hashSync(value, 4) }));`,
            { eval: true },
        );
        const h: Hasher = { worker, pending: new Map(), next: 0 };
        const done = () => {
            if (h.pending.size) return;
            worker.unref();
            h.idle = setTimeout(() => {
                if (hasher === h) hasher = undefined;
                void worker.terminate();
            }, 1000).unref();
        };
        worker.on("message", ({ id, hash }: { id: number; hash: string }) => {
            h.pending.get(id)![0](hash);
            h.pending.delete(id);
            done();
        });
        worker.on("error", (e) => {
            if (hasher === h) hasher = undefined;
            for (const [, reject] of h.pending.values()) reject(e);
            h.pending.clear();
        });
        hasher = h;
    }
    const h = hasher;
    clearTimeout(h.idle);
    h.worker.ref();
    return new Promise((resolve, reject) => {
        const id = h.next++;
        h.pending.set(id, [resolve, reject]);
        h.worker.postMessage({ id, value });
    });
}

interface Stored {
    type: string;
    name: string;
    inputs: string;
    replaceKey: string;
    outputs: Record<string, any>;
    /** The inputs as the program sent them (secret wrappers kept), for ignoreChanges. */
    wrapped?: Record<string, any>;
}

/**
 * Where unhandled rejections go: the running program's list, or, between runs, nowhere when
 * the last run failed (a failed input rejects many promises, some long after the run
 * ended) and back to the test otherwise. One listener for the process: while it is there,
 * Node does not turn a rejection into an uncaught exception that fails whatever test runs.
 */
let rejectionSink: unknown[] | null = null;
let lastRunRejected = false;
let listening = false;
function listenForRejections(): void {
    if (listening) return;
    listening = true;
    process.on("unhandledRejection", (e) => {
        if (rejectionSink) rejectionSink.push(e);
        else if (!lastRunRejected) setImmediate(() => { throw e; });
    });
}

export class MockEngine {
    private state = new Map<string, Stored>();
    /** The state as it was before the last run, to undo resources whose operation failed. */
    private priorState = new Map<string, Stored>();
    readonly generatedValues = new Set<string>();
    /** Every access key the mock IAM issued, in order: its resource and key id. */
    readonly issuedKeys: { urn: string; id: string }[] = [];
    /** The stack's outputs as the backend holds them (top-level name to value), and which are secret. */
    private stackOutputs: Record<string, unknown> = {};
    private secretOutputNames: string[] = [];
    private priorStackOutputs: { outputs: Record<string, unknown>; secret: string[] } = { outputs: {}, secret: [] };
    /** The names each StackReference read in the last run asked for. */
    readonly references: string[] = [];
    /** The URNs the last run deleted: resources it no longer declares, and that no alias took over. */
    readonly deleted: string[] = [];
    /** The URN of each resource of the last run, by `type::name`, and the old URN of those that moved. */
    private urnByKey = new Map<string, string>();
    private movedFrom = new Map<string, string>();

    /**
     * A deterministic engine draws each generated value from its resource name and inputs,
     * so two fresh engines given the same program produce the same values.
     */
    constructor(
        private readonly project = "rekey",
        private readonly stack = "test",
        private readonly deterministic = false,
    ) {}

    /** Runs `program` (default: the rekey program) against `config` as one `pulumi up`. */
    async run(
        config: StackConfigInput,
        program?: () => Record<string, unknown> | Promise<Record<string, unknown>>,
        secretKeys: string[] = ["rekey:supplied", "rekey:hostKeys"],
        options: RunOptions = {},
    ): Promise<RunResult> {
        this.priorState = new Map(this.state);
        this.priorStackOutputs = { outputs: this.stackOutputs, secret: this.secretOutputNames };
        this.references.length = 0;
        this.deleted.length = 0;
        this.urnByKey = new Map();
        this.movedFrom = new Map();
        /** Old URNs taken over through an alias this run, and by which URN (step_generator.go sg.aliased). */
        const aliased = new Map<string, string>();
        const ctx = { stack: this.stack, project: this.project };
        /** Every URN registered this run. */
        const urns = new Set<string>();
        /** What makes the engine fail the deployment (a duplicate URN, a contested alias). */
        const engineErrors: string[] = [];
        /** The answer to a registration that fails the deployment: enough for the program to go on to its end. */
        const duplicate = (args: pulumi.runtime.MockResourceArgs) => ({
            id: `${args.name}-duplicate`,
            state: args.type === STACK_REFERENCE ? { name: args.inputs.name, outputs: {}, secretOutputNames: [] } : args.inputs,
        });
        const failed: string[] = [];
        const resources = new Map<string, CapturedResource>();
        const pending: Promise<void>[] = [];
        const seen = new Set<string>();
        const events: string[] = [];
        const engine = this;
        await pulumi.runtime.setMocks(
            {
                async newResource(args: pulumi.runtime.MockResourceArgs) {
                    const key = `${args.type}::${args.name}`;
                    const captured = resources.get(key);
                    // A child registers after its parent (runtime/resource.js prepareResource): its URN is known.
                    const parentUrn = captured?.parent ? engine.urnByKey.get(captured.parent) : undefined;
                    const urn = generateUrn(ctx, parentUrn, args.type, args.name);
                    // pkg/resource/deploy/step_generator.go: a URN registered twice in one deployment fails it.
                    // The engine fails the deployment (the mock records it and fails the run at its end).
                    if (urns.has(urn)) {
                        engineErrors.push(`Duplicate resource URN '${urn}'; try giving it a unique name`);
                        return duplicate(args);
                    }
                    urns.add(urn);
                    if (engine.urnByKey.has(key)) {
                        engineErrors.push(`two resources named ${key} in one run: the mock engine's results are keyed by type and name`);
                        return duplicate(args);
                    }
                    engine.urnByKey.set(key, urn);
                    await options.delay?.(key, args.name);
                    if (args.type === STACK_REFERENCE) {
                        engine.references.push(args.inputs.name);
                        const parts = String(args.inputs.name).split("/");
                        const own = parts.length === 1 ? parts[0] === engine.stack : parts.slice(-2).join("/") === `${engine.project}/${engine.stack}`;
                        if (!own) throw new Error(`unknown stack ${JSON.stringify(args.inputs.name)}`);
                        resources.set(key, { ...(resources.get(key) ?? emptyCapture(args.type, args.name)), inputs: args.inputs, change: "read" });
                        const outputs = Object.fromEntries(
                            Object.entries(engine.stackOutputs).map(([k, v]) => [k, engine.secretOutputNames.includes(k) ? pulumi.secret(v) : v]),
                        );
                        return { id: args.inputs.name, state: { name: args.inputs.name, outputs, secretOutputNames: engine.secretOutputNames } };
                    }
                    if (args.custom !== false && options.fail?.(key, args.name)) failed.push(key);
                    // The old resource: by URN first, then by each alias (step_generator.go getOldResource).
                    let priorUrn: string | undefined = engine.priorState.has(urn) ? urn : undefined;
                    if (!priorUrn) {
                        const specs: AliasSpec[] = (captured?.aliases ?? []).map((a) =>
                            typeof a === "string" ? a : { ...a, parent: a.parentKey === undefined ? undefined : a.parentKey === ROOT ? ROOT : engine.urnByKey.get(a.parentKey) },
                        ).map((a) => (typeof a !== "string" && a.parent === ROOT ? { ...a, parent: undefined, noParent: true } : a)) as AliasSpec[];
                        for (const candidate of generateAliases(ctx, args.name, args.type, parentUrn, specs, engine.movedFrom)) {
                            if (!engine.priorState.has(candidate)) continue;
                            if (aliased.has(candidate)) engineErrors.push(`resource ${urn} aliases ${candidate}, which ${aliased.get(candidate)} already took over`);
                            if (urns.has(candidate)) engineErrors.push(`resource ${urn} aliases ${candidate}, which is registered in this deployment too`);
                            aliased.set(candidate, urn);
                            engine.movedFrom.set(urn, candidate);
                            priorUrn = candidate;
                            break;
                        }
                    }
                    const prior = priorUrn ? engine.priorState.get(priorUrn) : undefined;
                    // Outputs keep the wrappers, so that secret inputs stay secret outputs.
                    const wrapped = { ...args.inputs };
                    // pkg/resource/deploy/step_generator.go processIgnoreChanges: each ignored
                    // property takes its old input, when there is an old resource; a new one
                    // keeps what the program sent. (Top-level properties only, as rekey uses.)
                    for (const path of captured?.ignoreChanges ?? []) {
                        if (!/^[A-Za-z0-9_]+$/.test(path)) throw new Error(`the mock engine models ignoreChanges of top-level properties only, not ${path}`);
                        if (!prior) continue;
                        const old = prior.wrapped ?? JSON.parse(prior.inputs);
                        if (path in old) wrapped[path] = old[path];
                        else delete wrapped[path];
                    }
                    const inputs = unwrapSecrets(wrapped);
                    const json = JSON.stringify(inputs);
                    // A changed replacementTrigger replaces the resource; a null one (none, either
                    // side) triggers nothing (pkg/resource/deploy/step_generator.go shouldTriggerReplace).
                    const trigger = captured?.replacementTrigger;
                    const base = args.type === RANDOM_PASSWORD ? json : JSON.stringify((REPLACE_ON[args.type] ?? []).map((f) => inputs[f]));
                    const replaceKey = trigger === undefined ? base : `${base}${TRIGGER}${trigger}`;
                    const [priorBase, priorTrigger] = prior ? prior.replaceKey.split(TRIGGER) : [];
                    const triggered = trigger !== undefined && priorTrigger !== undefined && priorTrigger !== trigger;
                    if (priorUrn && priorUrn !== urn) engine.state.delete(priorUrn);
                    let change: CapturedResource["change"];
                    let outputs: Record<string, any>;
                    if (prior && prior.inputs === json && !triggered) {
                        change = "same";
                        outputs = prior.outputs;
                    } else if (prior && priorBase === base && !triggered) {
                        change = "updated";
                        outputs = { ...prior.outputs, ...wrapped };
                    } else {
                        change = prior ? "replaced" : "created";
                        outputs = { ...wrapped };
                        if (args.type === RANDOM_PASSWORD) {
                            const result = generatePassword(inputs, engine.deterministic ? seededDraw(`${key}:${json}`) : randomInt);
                            engine.generatedValues.add(result);
                            outputs.result = result;
                            outputs.bcryptHash = await bcryptHash(result);
                        }
                        if (args.type === ACCESS_KEY) {
                            // What IAM CreateAccessKey returns: an id (AKIA + 16) and a 40-character secret.
                            const draw = engine.deterministic ? seededDraw(`${key}:${json}:${replaceKey}`) : randomInt;
                            const pick = (chars: string, n: number) => Array.from({ length: n }, () => chars[draw(chars.length)]).join("");
                            outputs.accessKeyId = `AKIA${pick(UPPER + DIGITS, 16)}`;
                            outputs.secret = pick(UPPER + LOWER + DIGITS + "/+", 40);
                            outputs.sesSmtpPasswordV4 = `B${pick(UPPER + LOWER + DIGITS + "/+", 43)}`;
                            engine.generatedValues.add(outputs.secret);
                            engine.issuedKeys.push({ urn, id: outputs.accessKeyId });
                        }
                        if (args.type === APPLICATION_PASSWORD) {
                            // What Microsoft Graph addPassword returns: a keyId (UUID) and the secret text.
                            const draw = engine.deterministic ? seededDraw(`${key}:${json}`) : randomInt;
                            const hex = (n: number) => Array.from({ length: n }, () => "0123456789abcdef"[draw(16)]).join("");
                            outputs.keyId = `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
                            outputs.value = Array.from({ length: 40 }, () => (UPPER + LOWER + DIGITS + "~._-")[draw(66)]).join("");
                            engine.generatedValues.add(outputs.value);
                            engine.issuedKeys.push({ urn, id: outputs.keyId });
                        }
                    }
                    engine.state.set(urn, { type: args.type, name: args.name, inputs: json, replaceKey, outputs, wrapped });
                    seen.add(urn);
                    const r = resources.get(key);
                    if (r) {
                        r.inputs = inputs;
                        r.outputs = outputs;
                        r.change = change;
                        r.custom = args.custom ?? true;
                        r.urn = urn;
                        r.aliasedFrom = engine.movedFrom.get(urn);
                    } else {
                        resources.set(key, { ...emptyCapture(args.type, args.name), custom: args.custom ?? true, inputs, outputs, change, urn, aliasedFrom: engine.movedFrom.get(urn) });
                    }
                    const state =
                        args.type === RANDOM_PASSWORD
                            ? { ...outputs, result: pulumi.secret(outputs.result), bcryptHash: pulumi.secret(outputs.bcryptHash) }
                            : (options.answer?.outputs?.(key, outputs) ?? outputs);
                    events.push(`register:${key}`);
                    const id =
                        args.type === RANDOM_PASSWORD
                            ? "none"
                            : args.type === ACCESS_KEY
                              ? outputs.accessKeyId
                              : args.type === APPLICATION_PASSWORD
                                ? `${inputs.applicationId}/password/${outputs.keyId}`
                                : `${args.name}-id`;
                    return { id, state };
                },
                call(args: pulumi.runtime.MockCallArgs) {
                    events.push(`call:${args.token}:${args.inputs.name}`);
                    let result: Record<string, any> = args.inputs;
                    // terraform-provider-aws parameter_data_source.go dataSourceParameterRead:
                    // GetParameter answers the parameter the state holds (its value decrypted).
                    if (args.token === "aws:ssm/getParameter:getParameter") {
                        const p = [...engine.state.values()].find((st) => st.type === "aws:ssm/parameter:Parameter" && unwrapSecrets(st.outputs).name === args.inputs.name);
                        if (!p) throw new Error(`ParameterNotFound: ${args.inputs.name}`);
                        const o = unwrapSecrets(p.outputs);
                        result = { name: o.name, type: o.type, value: o.value, insecureValue: "", version: 1, arn: `arn:${o.name}`, withDecryption: args.inputs.withDecryption };
                    }
                    return options.answer?.call?.(args.token, result) ?? result;
                },
            },
            this.project,
            this.stack,
            options.preview ?? false,
            "organization",
        );
        const flat: Record<string, string> = {};
        for (const [k, v] of Object.entries(config)) flat[k] = typeof v === "string" ? v : JSON.stringify(v);
        pulumi.runtime.setAllConfig(flat, secretKeys);

        let programOutputs: Record<string, unknown> = {};
        let programError: unknown;
        // An error thrown inside an apply that feeds a resource input surfaces as an
        // unhandled rejection (the Pulumi language host reports it and fails the update).
        const rejections: unknown[] = [];
        listenForRejections();
        rejectionSink = rejections;
        const outputs = await pulumi.runtime.runInPulumiStack(async () => {
            pulumi.runtime.registerStackTransformation((args) => {
                const key = `${args.type}::${args.name}`;
                const keyOf = (r: any) => `${r.__pulumiType}::${r.__name}`;
                const parentName = args.opts.parent && keyOf(args.opts.parent);
                const deps = args.opts.dependsOn;
                const depList = (Array.isArray(deps) ? deps : deps ? [deps] : []) as pulumi.Resource[];
                const entry: CapturedResource = resources.get(key) ?? emptyCapture(args.type, args.name);
                entry.parent = parentName;
                entry.additionalSecretOutputs = [...((args.opts as pulumi.CustomResourceOptions).additionalSecretOutputs ?? [])];
                entry.deleteBeforeReplace = (args.opts as pulumi.CustomResourceOptions).deleteBeforeReplace === true;
                entry.ignoreChanges = [...(args.opts.ignoreChanges ?? [])];
                // rekey passes plain triggers (a slot's keepers), known when the resource is made.
                const trigger = (args.opts as pulumi.CustomResourceOptions).replacementTrigger;
                if (pulumi.Output.isInstance(trigger) || trigger instanceof Promise) throw new Error("the mock engine models plain replacement triggers only");
                entry.replacementTrigger = trigger === undefined ? undefined : JSON.stringify(trigger);
                entry.provider = ((args.opts as pulumi.CustomResourceOptions).provider as any)?.__name;
                entry.dependsOn = depList.map(keyOf);
                entry.aliases = ((args.opts.aliases ?? []) as unknown[]).map((a) => {
                    if (typeof a === "string") return a;
                    const spec = a as { name?: string; type?: string; parent?: any; noParent?: boolean };
                    // runtime/resource.js mapAliasesForRequest: an own `parent` that is undefined
                    // (pulumi.rootStackResource is undefined) means no parent; none given, the
                    // resource's own parent.
                    if (Object.hasOwn(spec, "parent") && spec.parent === undefined) return { name: spec.name, type: spec.type, noParent: true };
                    const parent = spec.parent;
                    const parentKey = parent === undefined ? undefined : parent.__pulumiType === ROOT_STACK_TYPE ? ROOT : keyOf(parent);
                    return { name: spec.name, type: spec.type, parentKey, noParent: spec.noParent };
                });
                resources.set(key, entry);
                pending.push(leavesOf(args.props).then((l) => void (entry.leaves = l)));
                return undefined;
            });
            try {
                programOutputs = await (program ? program() : defaultProgram());
            } catch (e) {
                programError = e;
            }
            return programOutputs;
        });
        await waitForRPCs();
        if (programError) throw programError;
        let outputLeaves: Leaf[] = [];
        try {
            outputLeaves = await leavesOf(programOutputs);
            await Promise.all(pending);
            await waitForRPCs();
            await new Promise((r) => setImmediate(r));
        } catch (e) {
            rejections.push(e);
        } finally {
            // One failed input rejects several promises, some after the RPC queue drained:
            // keep listening until they stop (150 ms without a new one) so that none of
            // them lands in the next test.
            for (let seen = -1; rejections.length && seen !== rejections.length; ) {
                seen = rejections.length;
                await new Promise((r) => setTimeout(r, 150));
            }
            rejectionSink = null;
            lastRunRejected = rejections.length > 0;
        }
        if (engineErrors.length) {
            this.revert(this.urnByKey.keys());
            throw new Error(engineErrors.join("\n"));
        }
        if (rejections.length) throw rejections[0];
        if (options.preview) {
            this.revert(this.urnByKey.keys());
            return { resources, outputs: outputs as Record<string, any>, outputLeaves, generatedValues: this.generatedValues, events };
        }
        if (failed.length) {
            const waiting = dependentsOf(resources, failed);
            this.revert([...failed, ...waiting]);
            throw new Error(`injected failure: ${failed.join(", ")} (not run: ${[...waiting].sort().join(", ") || "nothing"})`);
        }
        // Resources the program no longer declares are deleted, as `pulumi up` would (those an
        // alias took over left their old URN already).
        for (const urn of [...this.state.keys()]) {
            if (seen.has(urn)) continue;
            this.state.delete(urn);
            this.deleted.push(urn);
        }
        // The run completed: its outputs are the stack's outputs now.
        this.stackOutputs = JSON.parse(JSON.stringify(outputs ?? {}));
        this.secretOutputNames = [...new Set(outputLeaves.filter((l) => l.secret).map((l) => l.path.split(/[.[]/)[0]))].sort();
        return { resources, outputs: outputs as Record<string, any>, outputLeaves, generatedValues: this.generatedValues, events };
    }

    /**
     * What the backend holds now, as `type::name` keys (without the stack resource itself):
     * every resource the mocks were asked to register and that a failure did not undo.
     */
    registered(): string[] {
        return [...this.state.values()].filter((s) => s.type !== ROOT_STACK_TYPE).map((s) => `${s.type}::${s.name}`).sort();
    }

    /** The URNs the backend holds now (without the stack resource itself). */
    registeredUrns(): string[] {
        return [...this.state.keys()].filter((u) => urnType(u) !== ROOT_STACK_TYPE).sort();
    }

    /** The inputs the backend holds for one resource (`type::name`), as JSON, or undefined. */
    storedInputs(key: string): string | undefined {
        return [...this.state.values()].find((s) => `${s.type}::${s.name}` === key)?.inputs;
    }

    /** The backend's state and stack outputs as a fixture (exportState) or from one: what another program deployed. */
    exportState(): StateFixture {
        return {
            stackOutputs: JSON.parse(JSON.stringify(this.stackOutputs)),
            resources: [...this.state].map(([urn, s]) => ({ urn, inputs: s.inputs, replaceKey: s.replaceKey, outputs: s.outputs, ...(s.wrapped ? { wrapped: s.wrapped } : {}) })),
        };
    }

    importState(fixture: StateFixture): void {
        this.state = new Map(fixture.resources.map((r) => [r.urn, { type: urnType(r.urn), name: urnName(r.urn), inputs: r.inputs, replaceKey: r.replaceKey, outputs: r.outputs, wrapped: r.wrapped }]));
        this.stackOutputs = fixture.stackOutputs;
        this.secretOutputNames = [];
    }

    /** The stack's outputs as the backend holds them now (what a StackReference to it reads). */
    get lastOutputs(): Record<string, any> {
        return this.stackOutputs;
    }

    /**
     * Undoes the last run for these resources, as a failed (or never attempted) operation
     * leaves Pulumi state: the next run sees the same change again.
     */
    revert(keys: Iterable<string>): void {
        const list = [...keys];
        // A failed command failed the `pulumi up`: the stack keeps its previous outputs.
        if (list.length) ({ outputs: this.stackOutputs, secret: this.secretOutputNames } = this.priorStackOutputs);
        for (const key of list) {
            const urn = this.urnByKey.get(key);
            if (urn === undefined) continue;
            const old = this.movedFrom.get(urn) ?? urn;
            const prior = this.priorState.get(old);
            this.state.delete(urn);
            if (prior) this.state.set(old, prior);
        }
    }
}

function emptyCapture(type: string, name: string): CapturedResource {
    return {
        type,
        name,
        custom: true,
        inputs: {},
        leaves: [],
        parent: undefined,
        dependsOn: [],
        ignoreChanges: [],
        deleteBeforeReplace: false,
        provider: undefined,
        aliases: [],
        urn: "",
        aliasedFrom: undefined,
        additionalSecretOutputs: [],
        replacementTrigger: undefined,
        outputs: {},
        change: "same",
    };
}

async function defaultProgram(): Promise<Record<string, unknown>> {
    // Required lazily so that each run evaluates the program against the config just set.
    const { runRekey } = require("../../components/rotation") as typeof import("../../components/rotation");
    const d = await runRekey();
    return { rotation: d.rotation, credentials: d.credentials };
}

/**
 * What each resource waits for: the custom resources named in its dependsOn, or under the
 * components named there, and those its ancestors wait for (a child registers only after
 * its parent, and a parent only after its dependsOn: @pulumi/pulumi runtime/resource.js
 * prepareResource).
 */
export function waitsFor(all: ReadonlyMap<string, CapturedResource>): (key: string) => Set<string> {
    const children = new Map<string, string[]>();
    for (const [key, r] of all) if (r.parent) children.set(r.parent, [...(children.get(r.parent) ?? []), key]);
    const customUnder = (key: string): string[] => {
        const r = all.get(key);
        const own = r && r.custom ? [key] : [];
        return [...own, ...(children.get(key) ?? []).flatMap(customUnder)];
    };
    return (key) => {
        const deps = new Set<string>();
        for (let k: string | undefined = key; k; k = all.get(k)?.parent) {
            for (const d of all.get(k)?.dependsOn ?? []) for (const c of customUnder(d)) deps.add(c);
        }
        return deps;
    };
}

/** Every resource that waits, directly or not, on one of `roots`. */
export function dependentsOf(all: ReadonlyMap<string, CapturedResource>, roots: Iterable<string>): Set<string> {
    const deps = waitsFor(all);
    const out = new Set<string>();
    const blocked = new Set(roots);
    let grew = true;
    while (grew) {
        grew = false;
        for (const key of all.keys()) {
            if (blocked.has(key)) continue;
            if ([...deps(key)].some((d) => blocked.has(d))) {
                blocked.add(key);
                out.add(key);
                grew = true;
            }
        }
    }
    return out;
}

/** Resources of one type, by name. */
export function ofType(run: RunResult, type: string): CapturedResource[] {
    return [...run.resources.values()].filter((r) => r.type === type);
}

export function resource(run: RunResult, type: string, name: string): CapturedResource {
    const r = run.resources.get(`${type}::${name}`);
    if (!r) throw new Error(`no ${type} named ${name}; have: ${[...run.resources.keys()].join(", ")}`);
    return r;
}
