// A store read back after its write (schedule.ts ReadBackStep; CONTRACT "Proof"): one
// command per step (no component around it: issue 26, a resource fewer per store group),
// made through the table READ_BACKS, one entry per kind that can be read
// back (Key Vault cannot: its planner's `notReadBack`). Each compares keyed fingerprints and,
// on a mismatch, fails the `pulumi up` naming store and secret; every restart of a reader of
// those secrets waits for it. Nothing of a value reaches argv, a log or a plain output.
import { createHash } from "crypto";
import { readFileSync } from "fs";
import { join } from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { HostTarget, hostCommand, shellQuote } from "../commands/hostCommand";
import { applyAll } from "../outputValues";
import { dotenvLine } from "../plan/dotenvLine";
import type { StoreKind } from "../plan/model";
import { writeRecord } from "../plan/schedule";
import { STORE_KIND_PLANNERS } from "../plan/storeKinds";
import { StoreGroup, WriteRef } from "../plan/storeTargets";
import type { StoreOf } from "../plan/storeKinds";
import type { KubernetesSecret } from "./kubernetes";
import type { StoreDeployContext } from "./kind";
import type { SsmParameters } from "./ssm";

export const READ_BACK_SCRIPT = readFileSync(join(__dirname, "scripts", "read-back.sh"), "utf8");

export interface ReadBackContext extends StoreDeployContext {
    /** The keyed fingerprint of any value (not secret), as SecretValues.fingerprint. */
    keyed(value: pulumi.Output<string>): pulumi.Output<string>;
    /** A secret key for one group's host-side comparison, stable across runs. */
    checkKey(group: string): pulumi.Output<string>;
    /** A drift check asked for (`rekey:defaults.proveAt`): a new value reruns every read-back. */
    proveAt: string | null;
    /**
     * Whether a write (to the store of this label) is read back in this `pulumi up`: its value
     * differs from what the stack deployed, or a drift check moved (deployed.ts readBackDue).
     */
    due(w: WriteRef, label: string): pulumi.Output<boolean>;
}

/** The store resource a kind's read-back reads (the component its store step made). */
export type ReadBackComponent<K extends StoreKind> = (group: StoreGroup<K>, store: pulumi.Resource, ctx: ReadBackContext) => ReadBackParts;

/** What a kind's read-back registers: the step's one command, placed by the caller (name prefix, parent, dependsOn). */
type ReadBackParts = (opts: pulumi.CustomResourceOptions) => pulumi.CustomResource;

/** The store a write lands in, by its label (a shared .env file or Secret holds several). */
const storeOf = <K extends StoreKind>(group: StoreGroup<K>, w: WriteRef) => (group.members.find((m) => m.secret === w.secret)!.store as StoreOf<StoreKind>).label;

/** What a failed read-back says: store and secret, never a value. read-back.sh says the same. */
export const readBackFailure = (store: string, w: WriteRef) =>
    `rekey: read-back failed: store ${store} holds another value than the one written for secret ${w.secret.name} (${w.target}); another writer may have changed it`;

/**
 * What the store's write is made of, without a value (keyed fingerprints, records, the
 * incident flag where the writer follows it, the stores' settings): the read-back's trigger,
 * so it runs whenever its write runs (and `rekey plan` lists it then, diff.ts), and again
 * when a drift check is asked for.
 */
export function writeDigest<K extends StoreKind>(group: StoreGroup<K>, ctx: ReadBackContext): pulumi.Output<string> {
    const planner = STORE_KIND_PLANNERS[group.kind];
    const incident = group.members.some((m) => m.secret.incident !== null);
    // One Output over the fingerprints (outputValues.ts applyAll), not one per write and the SDK's copies of each.
    const fingerprints = group.writes.map((w) => ctx.values.get(w.secret.name)!.fingerprint(w.variant));
    return applyAll(fingerprints, (fps) => {
        const ws = group.writes.map((w, i) => ({
            target: w.target,
            variant: w.variant,
            fp: fps[i],
            ...(planner.recordsEpoch ? { record: writeRecord(w) } : {}),
        }));
        return JSON.stringify({ stores: group.members.map((m) => m.store), writes: ws, ...(planner.writerFollowsIncident ? { incident } : {}), ...(ctx.proveAt ? { proveAt: ctx.proveAt } : {}) });
    });
}

/**
 * Each write checked in the program: the value read back (secret) against the value written,
 * by keyed fingerprint; the failures, named (empty: it holds every value written). In a
 * preview nothing is compared: an updated store still holds the old value then (an invoke
 * whose dependencies' ids are known runs in a preview: @pulumi/pulumi runtime/invoke.ts
 * invokeAsync answers unknown, without calling the provider, only for an unknown id).
 */
function failures<K extends StoreKind>(group: StoreGroup<K>, ctx: ReadBackContext, read: (w: WriteRef) => pulumi.Output<string | undefined | null>): pulumi.Output<string[]> {
    // null: not read in this `up` (nothing written, no drift check): nothing to compare.
    const got = group.writes.map((w) => read(w).apply((v) => (v === null ? null : ctx.keyed(pulumi.secret(v ?? "")))));
    const want = group.writes.map((w) => ctx.values.get(w.secret.name)!.fingerprint(w.variant));
    const n = group.writes.length;
    return applyAll([...got, ...want] as pulumi.Output<string | null>[], (vs) =>
        pulumi.runtime.isDryRun() ? [] : group.writes.flatMap((w, i) => (vs[i] === null || vs[i] === vs[n + i] ? [] : [readBackFailure(storeOf(group, w), w)])),
    );
}

/**
 * The step readers' restarts wait for: a local command that says the store was read back, or
 * fails with what it holds otherwise (names only), so the `pulumi up` stops there as at a
 * failed verify. Its trigger is the write's digest: it runs whenever its write does.
 */
function gate<K extends StoreKind>(group: StoreGroup<K>, what: string, failed: pulumi.Output<string[]>, ctx: ReadBackContext): ReadBackParts {
    const script = failed.apply((fs) =>
        fs.length
            ? `${fs.map((f) => `printf '%s\\n' ${shellQuote(f)} >&2`).join("; ")}; exit 1`
            : `printf '%s\\n' ${shellQuote(`rekey: ${what} read back: it holds the values written`)}`,
    );
    return (opts) => hostCommand(`readback:${group.name}`, { host: null }, { create: script, update: script, triggers: [writeDigest(group, ctx)] }, opts, ctx.prefix);
}

/**
 * SSM: each parameter read back with decryption through the provider's `getParameter`
 * invoke (terraform-provider-aws internal/service/ssm/parameter_data_source.go
 * `dataParameterRead`: findParameterByName with `with_decryption`; `value` is Sensitive, so
 * a secret), which waits for the write: @pulumi/pulumi runtime/invoke.ts `invokeAsync`
 * (invokeOutput, checkDependencies) awaits the id of every resource in `dependsOn`, which
 * resolves once the engine finished its step (steps.ts), and where an id is unknown (a
 * preview of a create) answers unknown without calling the provider.
 *
 * The invoke runs only for a write that runs in this `up` or at a drift check (ctx.due; issue
 * 24 item 4): one GetParameter per parameter written, none in an `up` that writes nothing.
 * Its gate's command runs on the same condition (its trigger, writeDigest).
 */
const ssmReadBack: ReadBackComponent<"ssm"> = (group, store, ctx) => {
    const params = (store as SsmParameters).steps;
    const { store: s } = group.members[0];
    const provider = ctx.awsProvider(s.region) ?? (ctx.providers.aws as aws.Provider | undefined);
    const read = (w: WriteRef): pulumi.Output<string | undefined | null> => {
        const param = params[group.writes.indexOf(w)];
        // An invoke made inside the apply: none is made when the write is not due (nor while its fingerprint is unknown in a preview).
        const read = (due: boolean) => (due ? aws.ssm.getParameterOutput({ name: w.target, withDecryption: true }, { provider, dependsOn: [param], parent: store }).value : null);
        return ctx.due(w, storeOf(group, w)).apply(read) as pulumi.Output<string | undefined | null>;
    };
    return gate(group, `SSM ${group.members[0].store.label}`, failures(group, ctx, read), ctx);
};

/**
 * Kubernetes: the object the API server answered the apply with, key by key. The provider's
 * outputs are that object: pulumi-kubernetes provider/pkg/provider/provider.go
 * `(*kubeProvider).Update` returns `checkpointObject(newInputs, initialized)`, `initialized`
 * being what `await.Update` got back from the API server (Create likewise).
 */
const kubernetesReadBack: ReadBackComponent<"kubernetes"> = (group, store, ctx) => {
    const data = (store as KubernetesSecret).secret.data as pulumi.Output<Record<string, string> | undefined>;
    const read = (w: WriteRef) => data.apply((d) => (d && typeof d[w.target] === "string" ? Buffer.from(d[w.target], "base64").toString("utf8") : undefined));
    return gate(group, `Kubernetes Secret ${group.name.replace(/^kubernetes:/, "")}`, failures(group, ctx, read), ctx);
};

/** The SHA-256 of the check key, a line break and the text rekey wrote: what read-back.sh computes on the host. */
const hostFingerprint = (key: string, text: string) => createHash("sha256").update(`${key}\n${text}`, "utf8").digest("hex");

/**
 * .env and secret files: read back on the host, after the writer's atomic rename, by
 * scripts/read-back.sh over the same connection as the writer (SSH with the host key
 * pinned). The expected fingerprints arrive on stdin, keyed by a secret check key.
 */
function hostReadBack<K extends "dotenv" | "file">(kind: K, group: StoreGroup<K>, ctx: ReadBackContext, host: HostTarget, textOf: (w: WriteRef, value: string) => string, fileOf: (w: WriteRef) => string): ReadBackParts {
    const key = ctx.checkKey(group.name);
    const label = kind === "dotenv" ? `${group.name}` : (group.members[0].store as StoreOf<StoreKind>).label;
    // The key, then each write's expected fingerprint: one Output (outputValues.ts applyAll), secret.
    const written = group.writes.map((w) => ctx.values.get(w.secret.name)!.of(w.variant));
    const stdin = applyAll([key, ...written], ([k, ...vs]) => [k, ...group.writes.map((w, i) => hostFingerprint(k, textOf(w, vs[i]))), ""].join("\n"), true);
    const words = [kind, label, ...group.writes.flatMap((w) => [w.target, w.secret.name, fileOf(w)])];
    const script = `sh -c ${shellQuote(READ_BACK_SCRIPT)} rekey-read-back ${words.map(shellQuote).join(" ")}`;
    return (opts) => hostCommand(`readback:${group.name}`, host, { create: script, update: script, stdin, triggers: [writeDigest(group, ctx)], ownOutput: true }, opts, ctx.prefix);
}

const dotenvReadBack: ReadBackComponent<"dotenv"> = (group, _store, ctx) => {
    const { host, path } = group.members[0].store;
    return hostReadBack("dotenv", group, ctx, ctx.host(host), (w, v) => {
        const r = dotenvLine(w.target, v);
        // The writer refused such a value already (dotenv.ts): nothing to compare.
        return "line" in r ? `${r.line}\n` : "";
    }, () => path);
};

const fileReadBack: ReadBackComponent<"file"> = (group, _store, ctx) =>
    hostReadBack("file", group, ctx, ctx.host(group.members[0].store.host), (_w, v) => v, (w) => w.target);

export const READ_BACKS: { readonly [K in StoreKind]: ReadBackComponent<K> | null } = {
    ssm: ssmReadBack,
    keyVault: null,
    kubernetes: kubernetesReadBack,
    dotenv: dotenvReadBack,
    file: fileReadBack,
};

/**
 * A store's read-back step: its one command (`readback:<group>`), where the caller places it
 * (beside its store, after it). What restarts wait for.
 */
export function readBack(group: StoreGroup, store: pulumi.Resource, ctx: ReadBackContext, opts: pulumi.CustomResourceOptions): pulumi.CustomResource {
    const make = READ_BACKS[group.kind] as ReadBackComponent<StoreKind> | null;
    if (!make) throw new Error(`${group.name}: a ${group.kind} store is not read back (${STORE_KIND_PLANNERS[group.kind].notReadBack})`);
    return make(group, store, ctx)(opts);
}
