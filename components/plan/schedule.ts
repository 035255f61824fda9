// The schedule of a `pulumi up`: every step the program registers for a plan (apply hooks,
// store writes, an incident's revokeFirst revocation, restarts, verifies, finalizes, the
// `rotation` records) and what each waits for. Pure. The program (components/program.ts)
// maps each step to a resource with `dependsOn` its waits and decides nothing; `rekey plan`
// (diff.ts) renders the same steps, those that run in a change, with the waits among them.
//
// The plan passed in is the one the program deploys: after applyDeployed (deployed.ts), so
// `inUse` (a value the services already run with: no hook, no restart trigger) and the
// generator slots follow what the stack deployed. Output values (fingerprints, adopted
// values) stay in the program: the schedule names which value each step takes, never a value.
import { derivedIndex } from "./graph";
import { GeneratorSlot, PlannedApply, PlannedConsumer, PlannedIssue, PlannedSecret, RotationPlan, Variant } from "./model";
import { consumerDependencies, consumerTriggers, triggerLabel, valuesInUse } from "./restarts";
import { StoreGroup, storeGroups } from "./storeTargets";
import { STORE_KIND_PLANNERS } from "./storeKinds";
import { incidentRevokedRole } from "./incident";
import { issuerOf } from "./issueKinds";

/** A step's stable id: `hook:NAME`, `store:<group name>`, `readBack:<group name>`, `revoke:NAME`, `restart:c`, `verify:c`, `finalize:NAME`. */
export type StepId = string;

/** An apply hook: puts the new credential where it is checked, before any store holds it. */
export interface HookStep {
    kind: "hook";
    id: StepId;
    secret: string;
    apply: PlannedApply;
    /**
     * The value a command hook's second trigger follows: the one the stores call previous
     * (at an incident the current one, see heldValue), so the hook reruns when they change.
     */
    previousTrigger: Variant;
    waitsFor: StepId[];
}

/** One store resource (a group of writes, see storeTargets.ts) and the hooks it waits for. */
export interface StoreStep {
    kind: "store";
    id: StepId;
    group: StoreGroup;
    /** The secrets it writes, each once, in plan order. */
    secrets: string[];
    /**
     * The hook of every secret it writes and, for a derived one, those of every secret it is
     * derived from, transitively: a hook runs before every store write of its value.
     */
    waitsFor: StepId[];
}

/**
 * A store read back after its write (CONTRACT "Proof"): every write of the group is read
 * from the store and compared by keyed fingerprint with the value written; a mismatch fails
 * the `pulumi up` naming store and secret before any reader of those secrets restarts. It
 * runs whenever its write does. A kind that cannot be read back (its planner's
 * `notReadBack`) has none: the record says why.
 */
export interface ReadBackStep {
    kind: "readBack";
    id: StepId;
    group: StoreGroup;
    secrets: string[];
    /** Its store write. */
    waitsFor: StepId[];
}

/**
 * Where an old credential stops working: `first` (an incident's revokeFirst, right after
 * the hook and every store holding the value, before any restart of its readers) or `last`
 * (the finalize, after every reader verified and every store holding the value).
 */
export interface RevokeStep {
    kind: "revoke";
    id: StepId;
    secret: string;
    when: "first" | "last";
    /**
     * The resource's name (after the stack's prefix): a Postgres revokeFirst and finalize are
     * one resource, so moving between them at the same epoch reruns nothing.
     */
    resource: string;
    /**
     * redisFinalize: the Redis user keeps only the new password. redisRevoke: the same, and
     * its connections are killed. postgresRevoke: `role` loses LOGIN when `nologin`, and its
     * sessions end. mysqlRevoke: the same for a MySQL user (`lock`: ACCOUNT LOCK).
     * mysqlFinalize: the user's old password (MySQL 8's RETAIN CURRENT PASSWORD) is
     * discarded, where the server has dual passwords.
     * issuedRevoke: at an incident, the issued secret's previous slot (the leaked credential)
     * is revoked (issueKinds: an IAM access key made Inactive).
     */
    action:
        | { kind: "redisFinalize" | "redisRevoke"; user: string }
        | { kind: "postgresRevoke"; role: string; nologin: boolean }
        | { kind: "mysqlRevoke"; user: string; lock: boolean }
        | { kind: "mysqlFinalize"; user: string }
        | { kind: "issuedRevoke"; issue: PlannedIssue; slot: GeneratorSlot };
    waitsFor: StepId[];
}

/** A consumer: whether its restart is registered, why, and what it waits for. */
export interface ConsumerStep {
    kind: "consumer";
    consumer: PlannedConsumer;
    /** Secrets it reads, with every input of a derived one, by name (consumerDependencies). */
    reads: string[];
    /**
     * Whether a restart is registered: it reads a value that is not already in use. One that
     * reads only values in use has none yet (its first comes with the first rotation of one).
     */
    restarts: boolean;
    /** Its restart triggers, in order: each secret read whose value is not in use, and its label (NAME@epoch, NAME). */
    triggers: { secret: string; label: string }[];
    /** The labels of the non-derived secrets behind its triggers: why it restarts (written on the workload). */
    causes: string[];
    /** `restart:c` (null when not restarted). */
    restart: StepId | null;
    /** `verify:c` when it restarts and has a verify. */
    verify: StepId | null;
    /**
     * What the restart waits for: every store of the secrets it names and its read-back (not
     * those of a derived one's inputs, which it does not read), the hooks and
     * revokeFirst revocations of the non-derived ones, and what each consumer in its `after`
     * hands on (`done`). Empty when not restarted.
     */
    waitsFor: StepId[];
    /** What waiting for this consumer means: its verify or restart, or, not restarted, what its `after` hands on. */
    done: StepId[];
}

/** A secret's `rotation` record resolves once these steps completed. */
export interface RecordStep {
    secret: string;
    waitsFor: StepId[];
}

/** A consumer's restart, or its verify (which waits for the restart only). */
export interface ConsumerRunStep {
    kind: "restart" | "verify";
    id: StepId;
    consumer: ConsumerStep;
    waitsFor: StepId[];
}

export type Step = HookStep | StoreStep | ReadBackStep | RevokeStep | ConsumerRunStep;

export interface Schedule {
    hooks: HookStep[];
    stores: StoreStep[];
    /** The read-back of each store group whose kind can be read back, after its write. */
    readBacks: ReadBackStep[];
    /** revokeFirst revocations and finalizes, in plan order of their secrets. */
    revokes: RevokeStep[];
    /** In plan order (every consumer after those in its `after`): the restart order. */
    consumers: ConsumerStep[];
    records: RecordStep[];
    /** Every step, each after every step it waits for (the program registers them longest chain first: registrationOrder.ts). */
    steps: Step[];
}

export const hookId = (secret: string): StepId => `hook:${secret}`;
export const storeId = (group: string): StepId => `store:${group}`;
export const readBackId = (group: string): StepId => `readBack:${group}`;
export const restartId = (consumer: string): StepId => `restart:${consumer}`;
export const verifyId = (consumer: string): StepId => `verify:${consumer}`;
const revokeId = (when: RevokeStep["when"], secret: string): StepId => `${when === "first" ? "revoke" : "finalize"}:${secret}`;

/**
 * The value a store slot holds: its own, but at an incident the previous slot holds the
 * current value (no overlap: the leaked value is in no store, under no name).
 */
export function heldValue(secret: PlannedSecret, slot: Variant): Variant {
    if (secret.incident === null) return slot;
    return slot === "previous" ? "current" : slot === "previousId" ? "id" : slot;
}

/** Whether a variant is the previous slot's (its value, or an issued credential's id). */
export const ofPreviousSlot = (v: Variant): boolean => v === "previous" || v === "previousId";

/** What a store records about the value a slot holds (tags, annotations): its epoch and date where config knows them. */
export function writeRecord(ref: { secret: PlannedSecret; variant: Variant }): { epoch: number | null; rotatedAt: string | null } {
    const s = ref.secret;
    if (ofPreviousSlot(heldValue(s, ref.variant))) return { epoch: s.slots.find((slot) => slot.role === "previous")?.epoch ?? null, rotatedAt: null };
    return { epoch: s.epoch, rotatedAt: s.rotatedAt };
}

/**
 * A secret's revocations of its old credential (a hook that runs): an incident's revokeFirst,
 * and the finalize (Redis always, even after revokeFirst; Postgres and MySQL at an incident
 * with two alternating roles or users, unless revokeFirst revoked before the restarts; a
 * single MySQL user outside an incident, whose old password the hook retained).
 */
function revokesOf(s: PlannedSecret): Pick<RevokeStep, "when" | "action" | "resource">[] {
    const names: Record<Exclude<RevokeStep["action"]["kind"], "issuedRevoke">, string> = { postgresRevoke: "postgres-revoke", redisRevoke: "redis-revoke", redisFinalize: "redis-finalize", mysqlRevoke: "mysql-revoke", mysqlFinalize: "mysql-finalize" };
    // An issued credential is revoked in its own slot's resource (components/issuers/).
    const resource = (action: RevokeStep["action"]) => `${s.name}-${action.kind === "issuedRevoke" ? action.slot.parity : names[action.kind]}`;
    return revokeActions(s).map((r) => ({ ...r, resource: resource(r.action) }));
}

function revokeActions(s: PlannedSecret): Pick<RevokeStep, "when" | "action">[] {
    // At an incident the leaked issued credential is in the previous slot (the bump issued
    // the current one): revoked once every consumer verified, with no overlap after.
    const leaked = s.slots.find((slot) => slot.role === "previous");
    // (A kind revoked by removal has no step: its leaked slot is not registered, issueKinds.)
    if (s.source.kind === "issue") {
        const inPlace = issuerOf(s.source.issue).revocation === "inPlace";
        return s.incident !== null && leaked && inPlace ? [{ when: "last", action: { kind: "issuedRevoke", issue: s.source.issue, slot: leaked } }] : [];
    }
    const apply = s.apply;
    if (!apply || apply.kind === "command" || s.inUse) return [];
    const other = incidentRevokedRole(s);
    const out: Pick<RevokeStep, "when" | "action">[] = [];
    if (s.revokeFirst) {
        // (The planner refuses revokeFirst on other hooks.) One role: its sessions end (the hook already replaced the password).
        if (apply.kind === "postgres") out.push({ when: "first", action: { kind: "postgresRevoke", role: other ?? apply.role, nologin: other !== null } });
        else if (apply.kind === "mysql") out.push({ when: "first", action: { kind: "mysqlRevoke", user: other ?? apply.user, lock: other !== null } });
        else out.push({ when: "first", action: { kind: "redisRevoke", user: apply.user } });
    }
    if (apply.kind === "redis") out.push({ when: "last", action: { kind: "redisFinalize", user: apply.user } });
    else if (other !== null && !s.revokeFirst) out.push({ when: "last", action: apply.kind === "mysql" ? { kind: "mysqlRevoke", user: other, lock: true } : { kind: "postgresRevoke", role: other, nologin: true } });
    // One MySQL user outside an incident: the hook retained the old password (where the
    // server has dual passwords); it is discarded once every reader verified.
    if (apply.kind === "mysql" && apply.users.length === 1 && s.incident === null) out.push({ when: "last", action: { kind: "mysqlFinalize", user: apply.user } });
    return out;
}

export function schedule(plan: RotationPlan): Schedule {
    const byName = new Map(plan.secrets.map((s) => [s.name, s]));
    const inUse = valuesInUse(plan);
    const steps: Step[] = [];

    const hooks: HookStep[] = [];
    for (const s of plan.secrets) {
        // An adopted value in use is already where the hook would put it.
        if (!s.apply || s.inUse) continue;
        hooks.push({ kind: "hook", id: hookId(s.name), secret: s.name, apply: s.apply, previousTrigger: heldValue(s, "previous"), waitsFor: [] });
    }
    const hookOf = new Set(hooks.map((h) => h.secret));
    const hooksOf = (names: Iterable<string>): StepId[] => [...new Set(names)].filter((n) => hookOf.has(n)).map(hookId);
    steps.push(...hooks);

    // The secrets with a hook among each secret and its inputs, transitively (plan.secrets
    // lists inputs before the secrets derived from them).
    const hookedInputs = new Map<string, string[]>();
    for (const s of plan.secrets) {
        const inputs = s.source.kind === "derive" ? s.source.inputs.flatMap((i) => hookedInputs.get(i)!) : [];
        hookedInputs.set(s.name, [...new Set([...(hookOf.has(s.name) ? [s.name] : []), ...inputs])]);
    }
    const stores: StoreStep[] = [];
    const storesOf = new Map<string, StepId[]>(plan.secrets.map((s) => [s.name, []]));
    for (const group of storeGroups(plan)) {
        const secrets = [...new Set(group.members.map((m) => m.secret.name))];
        const step: StoreStep = { kind: "store", id: storeId(group.name), group, secrets, waitsFor: hooksOf(secrets.flatMap((n) => hookedInputs.get(n)!)) };
        stores.push(step);
        for (const n of secrets) storesOf.get(n)!.push(step.id);
    }
    steps.push(...stores);
    // Each store group's read-back (kinds that can), right after its write; every reader's
    // restart and the record wait for it, through `checkedOf`.
    const readBacks: ReadBackStep[] = [];
    const checkedOf = new Map<string, StepId[]>(plan.secrets.map((s) => [s.name, []]));
    for (const st of stores) {
        if (STORE_KIND_PLANNERS[st.group.kind].notReadBack !== undefined) continue;
        const step: ReadBackStep = { kind: "readBack", id: readBackId(st.group.name), group: st.group, secrets: st.secrets, waitsFor: [st.id] };
        readBacks.push(step);
        for (const n of st.secrets) checkedOf.get(n)!.push(step.id);
    }
    steps.push(...readBacks);
    /** The stores that hold a secret's value: its own and those of the secrets derived from it. */
    const derivedFrom = derivedIndex(plan);
    // Whether any store holds a secret's value (its own, or a derived one's): each derivedFrom
    // list is as long as what derives from the secret, so a derive chain listed them all for
    // every link (quadratic: 12,000 links without a store took 25 s in rekey status). The plan
    // lists inputs before what derives from them (plan.ts deriveOrder): walked backwards, each
    // secret's derived ones are known; one not known yet counts as held (the full walk decides).
    const derivedOf = new Map<string, string[]>();
    for (const x of plan.secrets) if (x.source.kind === "derive") for (const i of new Set(x.source.inputs)) derivedOf.set(i, [...(derivedOf.get(i) ?? []), x.name]);
    const held = new Map<string, boolean>();
    for (const x of [...plan.secrets].reverse()) held.set(x.name, storesOf.get(x.name)!.length > 0 || (derivedOf.get(x.name) ?? []).some((d) => held.get(d) ?? true));
    const holdingAll = (name: string, of: Map<string, StepId[]>) => (held.get(name) === false ? [] : [...new Set([name, ...derivedFrom(name)].flatMap((n) => of.get(n)!))]);
    const holding = (name: string) => holdingAll(name, storesOf);
    /** The read-backs of the stores holding a secret's value. */
    const checkedHolding = (name: string) => holdingAll(name, checkedOf);

    const revokes: RevokeStep[] = [];
    const first = new Map<string, StepId>();
    const last: { secret: PlannedSecret; of: Pick<RevokeStep, "when" | "action" | "resource"> }[] = [];
    for (const s of plan.secrets) {
        for (const of of revokesOf(s)) {
            if (of.when === "last") {
                last.push({ secret: s, of });
                continue;
            }
            const step: RevokeStep = { kind: "revoke", id: revokeId("first", s.name), secret: s.name, ...of, waitsFor: [...hooksOf([s.name]), ...holding(s.name)] };
            revokes.push(step);
            first.set(s.name, step.id);
            steps.push(step);
        }
    }

    const consumers: ConsumerStep[] = [];
    const done = new Map<string, StepId[]>();
    const dependencies = consumerDependencies(plan);
    for (const { consumer, secrets: reads, roots } of dependencies) {
        // Each once: consumers not restarted hand on what they wait for, and in a diamond of
        // `after` (each after the next two) a list per path grows exponentially.
        const after = [...new Set(consumer.after.flatMap((a) => done.get(a)!))];
        // Values the consumer already runs with are no trigger.
        const changing = reads.filter((n) => !inUse.has(n));
        if (!changing.length) {
            done.set(consumer.name, after);
            consumers.push({ kind: "consumer", consumer, reads, restarts: false, triggers: [], causes: [], restart: null, verify: null, waitsFor: [], done: after });
            continue;
        }
        const restart = restartId(consumer.name);
        const verify = consumer.verify ? verifyId(consumer.name) : null;
        const waitsFor = [
            ...new Set([
                // The stores it reads from: those of the secrets it names. A derived secret's
                // inputs are in its value, not read from their own stores (their hooks are below).
                ...consumer.secrets.flatMap((n) => storesOf.get(n)!),
                ...consumer.secrets.flatMap((n) => checkedOf.get(n)!),
                ...hooksOf(roots),
                ...roots.flatMap((n) => (first.has(n) ? [first.get(n)!] : [])),
                ...after,
            ]),
        ];
        const label = (n: string) => triggerLabel(byName.get(n)!);
        done.set(consumer.name, [verify ?? restart]);
        const step: ConsumerStep = {
            kind: "consumer",
            consumer,
            reads,
            restarts: true,
            triggers: changing.map((n) => ({ secret: n, label: label(n) })),
            causes: roots.filter((n) => !inUse.has(n)).map(label),
            restart,
            verify,
            waitsFor,
            done: [verify ?? restart],
        };
        consumers.push(step);
        steps.push({ kind: "restart", id: restart, consumer: step, waitsFor });
        if (verify) steps.push({ kind: "verify", id: verify, consumer: step, waitsFor: [restart] });
    }

    // A finalize waits for every consumer reading the secret, directly or through a secret
    // derived from it (what waiting for each means: `done`), and every store holding it.
    const readers = new Map<string, ConsumerStep[]>(plan.secrets.map((s) => [s.name, []]));
    for (const c of consumers) for (const n of c.reads) readers.get(n)!.push(c);
    for (const { secret: s, of } of last) {
        const step: RevokeStep = { kind: "revoke", id: revokeId("last", s.name), secret: s.name, ...of, waitsFor: [...new Set([...readers.get(s.name)!.flatMap((c) => c.done), ...holding(s.name), ...checkedHolding(s.name)])] };
        revokes.push(step);
        steps.push(step);
    }
    const order = new Map(plan.secrets.map((s, i) => [s.name, i]));
    revokes.sort((a, b) => order.get(a.secret)! - order.get(b.secret)!);

    // A record waits for every step of its secret's rotation: its hook, every store holding
    // its value (its own and those of the secrets derived from it, as a finalize) and their
    // read-backs, its revocation, the restarts and verifies of every consumer reading it (directly or
    // through a derived secret), its finalize.
    const consumerSteps = new Map<string, StepId[]>(plan.secrets.map((s) => [s.name, []]));
    for (const c of consumers) for (const n of c.restarts ? c.reads : []) consumerSteps.get(n)!.push(c.restart!, ...(c.verify ? [c.verify] : []));
    const revokeSteps = new Map<string, StepId[]>(plan.secrets.map((s) => [s.name, []]));
    for (const r of revokes) revokeSteps.get(r.secret)!.push(r.id);
    const records: RecordStep[] = plan.secrets.map((s) => ({
        secret: s.name,
        waitsFor: [...hooksOf([s.name]), ...holding(s.name), ...checkedHolding(s.name), ...consumerSteps.get(s.name)!, ...revokeSteps.get(s.name)!],
    }));
    return { hooks, stores, readBacks, revokes, consumers, records, steps };
}

/** What the plan's diff reads of the base's schedule (diff.ts diffPlans): which hooks, revocations and verifies it registers, without what each waits for. */
export interface ScheduleOutline {
    hooks: Pick<HookStep, "id">[];
    revokes: Pick<RevokeStep, "resource" | "action">[];
    consumers: { consumer: PlannedConsumer; verify: StepId | null }[];
}

// `schedule(plan)` as far as ScheduleOutline goes, by the same rules (a hook for an apply whose value is not in use, revokesOf, a verify
// for a consumer that restarts, consumerTriggers), without stores, read-backs and waits: the base's side of `rekey plan`'s diff.
export function scheduleOutline(plan: RotationPlan): ScheduleOutline {
    const hooks = plan.secrets.flatMap((s) => (!s.apply || s.inUse ? [] : [{ id: hookId(s.name) }]));
    const revokes = plan.secrets.flatMap((s) => revokesOf(s).map(({ resource, action }) => ({ resource, action })));
    const consumers = consumerTriggers(plan).map(({ consumer, restarts }) => ({ consumer, verify: restarts && consumer.verify ? verifyId(consumer.name) : null }));
    return { hooks, revokes, consumers };
}

/**
 * The steps among `running` that `id` waits for, directly or through steps that do not run
 * (a step that does not run in this change hands on what it waits for). What `rekey plan`
 * shows as a step's order: each running step after these.
 */
export function runningWaits(s: Schedule, running: ReadonlySet<StepId>, id: StepId): StepId[] {
    const { waits, rank } = indexOf(s);
    const out = new Set<StepId>();
    const seen = new Set<StepId>();
    const todo = [...(waits.get(id) ?? [])];
    while (todo.length) {
        const w = todo.pop()!;
        if (seen.has(w)) continue;
        seen.add(w);
        if (running.has(w)) out.add(w);
        else todo.push(...(waits.get(w) ?? []));
    }
    return [...out].sort((a, b) => rank.get(a)! - rank.get(b)!);
}

/** Each step's waits and position, built once per schedule: `rekey plan` asks for every running step's (a 1,000-secret bump: quadratic otherwise). */
const indexes = new WeakMap<Schedule, { waits: Map<StepId, StepId[]>; rank: Map<StepId, number> }>();
function indexOf(s: Schedule) {
    let index = indexes.get(s);
    if (!index) {
        index = { waits: new Map(s.steps.map((st) => [st.id, st.waitsFor])), rank: new Map(s.steps.map((st, i) => [st.id, i])) };
        indexes.set(s, index);
    }
    return index;
}
