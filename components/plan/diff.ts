// What a change to a stack's configuration rotates: the plan before and the plan after,
// compared the way the program's resources will see them. Pure; `rekey plan` renders it.
//
// A secret's value changes when its generator or encoding changes (generated), when its
// epoch changes (generated), when its encrypted value changes (supplied: the caller compares
// ciphertexts, nothing is decrypted), or when its template or an input changes (derived).
// A consumer restarts exactly when its restart triggers change: the set of secrets it
// reads, one of their epochs, or one of their values. Which steps exist and what each waits
// for is the schedule's (schedule.ts), the one the program registers: this module decides
// only which of them run in this change, and shows the waits among those.
import { PlannedApply, PlannedSecret, PlannedVerify, RotationPlan, StoreKind, UncheckedProblem } from "./model";
import { consumerDependencies } from "./restarts";
import { ConsumerChange, restartingConsumers } from "./consumerChanges";
export { consumerChanges } from "./consumerChanges";
import { Schedule, StepId, heldValue, runningWaits, schedule, scheduleOutline } from "./schedule";
import { IncidentReport, incidentReport } from "./incident";
import { mysqlOverlapWarning } from "./resolveHooks";
import { urlText } from "./shown";
import { plannerOf } from "./storeKinds";
import { issuedCredential, issuedList, issuerOf, withIssuedSlots } from "./issueKinds";

import { SecretsDiff, secretChanges } from "./secretChanges";
export type { SecretsDiff, SourceKind } from "./secretChanges";

export interface RotationDiff {
    secrets: SecretsDiff;
    /** Apply hooks that run (first, before any store write). */
    hooks: { secret: string; apply: PlannedApply }[];
    /**
     * Finalizers that run after the consumers of their secret verified (Redis: the user keeps
     * only the new password; Postgres at an incident: the role holding the leaked password
     * loses LOGIN; MySQL: the single user's retained old password is discarded, or at an
     * incident the other user of the pair is locked), and the restarted consumers each waits for.
     */
    finalize: ({ secret: string; after: string[] } & ({ kind: "redis"; user: string } | { kind: "postgres"; role: string } | { kind: "mysql"; user: string; lock: boolean } | { kind: "issued"; what: string }))[];
    /** Issued secrets: what pulumi up issues and deletes (issueKinds `issuedWords`; `drawn`, the diagram's lines). */
    issued: { secret: string; what: string; drawn: string[] }[];
    /**
     * `epoch`: the value is the same, and the store records its epoch (tags, annotations),
     * which moved; `incident`: the value is the same, and the store's writer keeps no backup
     * at an incident; `user`: the value is the same, and the user slot (NAME_USER, the role
     * of the epoch's parity with two alternating roles) says another role; `record`: only the
     * store's record of the current value (its rotatedAt tag, schedule.ts writeRecord) changes.
     */
    /**
     * `freshPrevious`: on the secret's first deployment, the keys of its previous slot, which
     * then hold a fresh random value (not one the services had) until the first bump.
     */
    stores: { secret: string; store: string; kind: StoreKind; keys: string[]; why: "value" | "epoch" | "incident" | "new store" | "keys" | "user" | "record"; freshPrevious?: string[] }[];
    storesRemoved: { secret: string; store: string }[];
    /** In restart order. */
    consumers: ConsumerChange[];
    consumersRemoved: string[];
    /** Verifies new in this change whose consumer does not restart: pulumi up runs the check once (a new resource runs its create). */
    verifies: { name: string; verify: PlannedVerify }[];
    impact: { secret: string; impact: string }[];
    warnings: string[];
    /** What the reader may do after this change (delete a supplied copy no longer read). */
    notes: string[];
    /** Incident rotations in this change: what is revoked, who notices, and a record to complete. */
    incidents: IncidentReport[];
    /**
     * What `pulumi up` will refuse: an epoch that moves by more than one step (the program
     * checks each epoch against the last completed rotation, components/plan/deployed.ts).
     */
    errors: string[];
    /** Checks of what this change writes that the planner could not make here (the plan's `unchecked`); pulumi up makes them. */
    unchecked: UncheckedProblem[];
    /**
     * Every step this change runs (schedule.ts ids: `hook:NAME`, `store:<group>`,
     * `readBack:<group>`, `revoke:NAME`, `restart:c`, `verify:c`, `finalize:NAME`), in the order pulumi up may run
     * them, each with the running steps it waits for (directly or through steps that do not run).
     */
    order: { step: StepId; after: StepId[] }[];
}

/**
 * Compares two plans of one stack. `base` is null for a new stack. `suppliedChanged` names
 * the supplied secrets whose encrypted value differs between the two.
 */
export function diffPlans(base: RotationPlan | null, head: RotationPlan, suppliedChanged: ReadonlySet<string>): RotationDiff {
    const before = new Map((base?.secrets ?? []).map((s) => [s.name, s]));
    const after = new Map(head.secrets.map((s) => [s.name, s]));
    const { secrets, cause, sameValue, warnings, errors } = secretChanges(base, head, suppliedChanged);
    /** Whether the value changes: what hooks and store writes follow (an epoch alone moves restart triggers and store records). */
    const valueChanges = (n: string) => cause.has(n) && !sameValue.has(n);
    const steps = schedule(withIssuedSlots(head, base));
    // Of the base's schedule, only which steps it registers is read (hooks, revocations, verifies).
    const baseSteps = base ? scheduleOutline(withIssuedSlots(base, base)) : null;
    const running = new Set<StepId>();
    const hooks: RotationDiff["hooks"] = [];
    // A hook runs when its inputs change (the value, the admin password, the apply) and when
    // its resource is new: one the base did not register (adopt removed: the value leaves use).
    const baseHooks = new Set((baseSteps?.hooks ?? []).map((k) => k.id));
    for (const k of steps.hooks) {
        const admin = k.apply.kind === "command" ? null : k.apply.adminPasswordSecret;
        // A single MySQL user's hook retains the old password, but not at an incident: its input.
        const retains = (p: PlannedSecret | undefined) => p?.apply?.kind === "mysql" && p.apply.users.length === 1 && p.incident === null;
        const runs = !baseHooks.has(k.id) || valueChanges(k.secret) || (admin !== null && valueChanges(admin)) || JSON.stringify(before.get(k.secret)?.apply ?? null) !== JSON.stringify(k.apply) || (k.apply.kind === "mysql" && retains(before.get(k.secret)) !== retains(after.get(k.secret)));
        if (!runs) continue;
        const overlap = retains(after.get(k.secret)) && k.apply.kind === "mysql" ? mysqlOverlapWarning(k.secret, k.apply) : null;
        if (overlap) warnings.push(overlap);
        hooks.push({ secret: k.secret, apply: k.apply });
        running.add(k.id);
    }

    const storeStep = new Map(steps.stores.flatMap((st) => st.group.members.map((m) => [m.store, st.id] as const)));
    const stores: RotationDiff["stores"] = [];
    const storesRemoved: RotationDiff["storesRemoved"] = [];
    for (const h of head.secrets) {
        const prior = new Map((before.get(h.name)?.stores ?? []).map((st) => [st.label, st]));
        for (const st of h.stores) {
            const keys = st.writes.map((w) => w.target);
            const was = prior.get(st.label);
            // A store the base lacks is new (on a new stack, every store of every secret).
            const why = !was
                ? "new store"
                : valueChanges(h.name) || (h.inUse && suppliedChanged.has(h.name))
                ? "value"
                : sameValue.has(h.name) && h.epoch !== null && before.get(h.name)!.epoch !== h.epoch && plannerOf(st).recordsEpoch
                  ? "epoch"
                  : sameValue.has(h.name) && h.incident !== (before.get(h.name)?.incident ?? null) && plannerOf(st).writerFollowsIncident
                    ? "incident"
                    : JSON.stringify(was.writes) !== JSON.stringify(st.writes)
                    ? "keys"
                    : st.writes.some((w) => w.variant === "user") && before.get(h.name)!.user !== h.user
                      ? "user"
                      : plannerOf(st).recordsEpoch && before.get(h.name)!.rotatedAt !== h.rotatedAt && st.writes.some((w) => heldValue(h, w.variant) === "current")
                        ? "record"
                        : null;
            if (!why) continue;
            // A first deployment has no previous value: the slot gets a fresh one (generate.ts generatorSlots).
            const freshPrevious = before.has(h.name) ? [] : st.writes.filter((w) => w.variant === "previous").map((w) => w.target);
            stores.push({ secret: h.name, store: st.label, kind: st.kind, keys, why, ...(freshPrevious.length ? { freshPrevious } : {}) });
            running.add(storeStep.get(st)!);
        }
        const labels = new Set(h.stores.map((st) => st.label));
        const gone = [...prior.keys()].filter((label) => !labels.has(label));
        for (const label of gone) storesRemoved.push({ secret: h.name, store: label });
        // A store that moves (another SSM prefix, Secret, path): readers of the old place keep the old value.
        const fresh = h.stores.filter((st) => !prior.has(st.label)).map((st) => st.label);
        if (gone.length && fresh.length) {
            warnings.push(`${h.name}: its store moves from ${gone.join(", ")} to ${fresh.join(", ")}; pulumi up deletes what rekey wrote at the old place, so anything still reading it there loses the value`);
        }
    }
    for (const r of secrets.removed) {
        for (const st of before.get(r.name)!.stores) storesRemoved.push({ secret: r.name, store: st.label });
    }
    // A store's read-back runs whenever its write does: its inputs follow the write's
    // (components/stores/readBack.ts writeDigest).
    // A drift check asked for (rekey:defaults.proveAt moved) re-runs every read-back and proof
    // verify, and nothing else: their triggers carry the date.
    const driftCheck = base !== null && base.proveAt !== head.proveAt;
    for (const rb of steps.readBacks) if (driftCheck || rb.waitsFor.some((w) => running.has(w))) running.add(rb.id);

    const baseDeps = new Map((base ? consumerDependencies(base) : []).map((d) => [d.consumer.name, d]));
    const baseConsumers = new Map((baseSteps?.consumers ?? []).map((c) => [c.consumer.name, c]));
    const consumers = restartingConsumers(base, head, cause);
    const consumerStep = new Map(steps.consumers.map((c) => [c.consumer.name, c]));
    for (const { name } of consumers) {
        const c = consumerStep.get(name)!;
        for (const id of [c.restart, c.verify]) if (id) running.add(id);
    }
    // A verify new in this change (added, or its consumer's restart registered before without
    // one) is created, and a command resource runs its create script: the check runs once
    // though its consumer does not restart. An edited verify only updates (its update script
    // is a no-op, consumers/triggeredCommand.ts) and runs when its triggers replace it.
    const verifies: RotationDiff["verifies"] = [];
    for (const c of steps.consumers) {
        if (!c.verify || running.has(c.verify) || baseConsumers.get(c.consumer.name)?.verify) continue;
        const verify = c.consumer.verify!.kind === "url" ? { ...c.consumer.verify!, url: urlText((c.consumer.verify as { url: string }).url) } : c.consumer.verify!;
        verifies.push({ name: c.consumer.name, verify: verify as PlannedVerify });
        running.add(c.verify);
    }
    for (const c of driftCheck ? steps.consumers : []) {
        const v = c.consumer.verify;
        if (!c.verify || running.has(c.verify) || v?.kind !== "url" || !v.proof) continue;
        verifies.push({ name: c.consumer.name, verify: { ...v, url: urlText(v.url) } });
        running.add(c.verify);
    }
    const headConsumers = new Set(head.consumers.map((c) => c.name));
    const consumersRemoved = (base?.consumers ?? []).map((c) => c.name).filter((n) => !headConsumers.has(n));

    // A secret that names consumers but has no store: they restart for it (its epoch and value
    // are in their triggers) yet read it nowhere. Warned when this change restarts one for it.
    for (const h of head.secrets) {
        if (h.stores.length || !h.consumers.length) continue;
        const forIt = (c: RotationDiff["consumers"][number]) =>
            !baseDeps.has(c.name) || c.because.some((b) => b === cause.get(h.name) || b === `now reads ${h.name}`);
        if (consumers.some((c) => h.consumers.includes(c.name) && forIt(c))) {
            const one = h.consumers.length === 1;
            warnings.push(`${h.name}: ${h.consumers.join(", ")} ${one ? "restarts" : "restart"} for it, but it has no store, so ${one ? "it restarts" : "they restart"} for a value ${one ? "it" : "they"} cannot read; give it a store, or remove ${one ? "it" : "them"} from its consumers`);
        }
    }

    // A revocation runs with its secret's hook (the same value and admin password in its
    // inputs), and whenever its resource is new or its action changed: a command resource runs
    // its create on creation and its update on any input change (pulumi-command
    // provider/pkg/provider/local/command.go, Create and Update). A revocation that is new
    // without its hook running (revokeFirst or incident added with no new value) kills the
    // connections of services on a value that did not change: said, so no reviewer misses it.
    const hooked = new Set(hooks.map((h) => h.secret));
    const baseRevokes = new Map((baseSteps?.revokes ?? []).map((r) => [r.resource, r]));
    for (const r of steps.revokes) {
        const was = baseRevokes.get(r.resource);
        const fresh = !was || JSON.stringify(was.action) !== JSON.stringify(r.action);
        if (!hooked.has(r.secret) && !fresh) continue;
        running.add(r.id);
        if (!hooked.has(r.secret) && r.when === "first") {
            const whose = r.action.kind === "postgresRevoke" ? `role ${r.action.role}` : r.action.kind === "mysqlFinalize" ? "no one" : r.action.kind === "issuedRevoke" ? issuedCredential(r.action.issue) : `user ${r.action.user}`;
            warnings.push(`${r.secret}: its revokeFirst revocation is new in this change while its value stays the same, so pulumi up ends the connections of ${whose} now, though no rotation runs; add revokeFirst only with the incident bump that needs it`);
        }
    }
    const consumerOf = new Map(steps.consumers.flatMap((c) => [c.restart, c.verify].flatMap((id) => (id ? [[id, c.consumer.name] as const] : []))));
    const finalize: RotationDiff["finalize"] = [];
    for (const r of steps.revokes) {
        if (r.when !== "last" || !running.has(r.id)) continue;
        const after = [...new Set(runningWaits(steps, running, r.id).flatMap((id) => (consumerOf.has(id) ? [consumerOf.get(id)!] : [])))];
        const a = r.action;
        finalize.push(
            a.kind === "postgresRevoke"
                ? { secret: r.secret, kind: "postgres", role: a.role, after }
                : a.kind === "mysqlRevoke" || a.kind === "mysqlFinalize"
                  ? { secret: r.secret, kind: "mysql", user: a.user, lock: a.kind === "mysqlRevoke", after }
                  : a.kind === "issuedRevoke"
                    ? { secret: r.secret, kind: "issued", what: `${issuedCredential(a.issue)} (epoch ${a.slot.epoch}'s, leaked) is ${issuerOf(a.issue).revoked}`, after }
                    : { secret: r.secret, kind: "redis", user: a.user, after },
        );
    }
    const order = orderOf(steps, running);

    // A rollback restores the value its users had before: the rotation's impact is not its.
    const rolledBack = new Set(secrets.rotated.filter((r) => r.to < r.from).map((r) => r.name));
    const impact = head.secrets.flatMap((h) => (cause.has(h.name) && h.impact && !rolledBack.has(h.name) ? [{ secret: h.name, impact: h.impact }] : []));
    const written = new Set(stores.map((st) => `secret ${st.secret}`));
    const unchecked = head.unchecked.filter((u) => written.has(u.subject));
    const adoptedBefore = new Set((base?.secrets ?? []).filter((s) => s.adopt).map((s) => s.name));
    const notes = head.unusedSupplied.map((n) =>
        adoptedBefore.has(n)
            ? `rekey:supplied.${n} is no longer read: once epoch 0 was deployed, the stack's state holds the adopted value (the previous value while keepPrevious keeps it). Delete the copy: pulumi config rm --path 'rekey:supplied.${n}'`
            : `rekey:supplied.${n} is not read (${n} is generated and does not adopt it): delete it with pulumi config rm --path 'rekey:supplied.${n}'`,
    );
    const incidents = secrets.rotated
        .filter((r) => r.to === r.from + 1 && after.get(r.name)!.incident !== null)
        .map((r) => {
            const h = after.get(r.name)!;
            const readers = new Set(steps.consumers.filter((c) => c.reads.includes(r.name)).map((c) => c.consumer.name));
            return incidentReport(h, r.from, consumers.filter((c) => readers.has(c.name)).map((c) => c.name), h.rotatedAt);
        });
    const issued = issuedList(head, new Map([...secrets.added.map((x) => [x.name, null] as const), ...secrets.rotated.map((x) => [x.name, x.from] as const)]));
    return { secrets, hooks, issued, finalize, stores, storesRemoved, consumers, consumersRemoved, verifies, impact, warnings, notes, incidents, errors, unchecked, order };
}

/** The running steps in schedule order, each with the running steps it waits for. */
function orderOf(steps: Schedule, running: ReadonlySet<StepId>): RotationDiff["order"] {
    return steps.steps.filter((st) => running.has(st.id)).map((st) => ({ step: st.id, after: runningWaits(steps, running, st.id) }));
}
