// The rotation plan: the `rekey:*` stack configuration, validated and resolved into what
// the Pulumi program creates and in which order. Pure (no Pulumi, no I/O, no clock): the
// program, the `rekey` CLI and the tests share it.
import { encodedLength, generatorArgs } from "./encodings";
import { topologicalOrder } from "./graph";
import * as fieldRules from "./fieldRules";
import { ConsumerConfig, SecretConfig, consumerSchema, defaultsSchema, hostSchema, secretSchema } from "./schema";
import { parseTemplate, templateRefs } from "./template";
import { Problems, exactlyOne, oneOfText, parseMap, parseWith } from "./problems";
import { bareName, dateText, nameText } from "./shown";

// The model is re-exported: modules and tests import the plan's types from here or from ./model.
export * from "./model";
import {
    KNOWN_CONFIG_KEYS,
    PlannedApply,
    PlannedConsumer,
    PlannedIssue,
    PlannedSecret,
    PlannedStore,
    RawConfig,
    RekeyConfigError,
    RotationPlan,
    SecretSource,
    StoreKind,
    dateProblem,
    secretSettingsReason,
} from "./model";

const RESOURCE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

const resourceNameProblem = (noun: string) => (n: string) =>
    RESOURCE_NAME.test(n) ? fieldRules.reservedNameProblem(n) : `a ${noun} name is 1-63 letters, digits, "_", "." and "-", starting alphanumeric`;

import { checkCredentialOwners } from "./credentials";
import { checkDotenvValues } from "./dotenvValues";
import { checkGenerate, generatorSlots } from "./generate";
import { resolveConsumer } from "./resolveConsumers";
import { resolveApply } from "./resolveHooks";
import { plannerOf, resolveStore, writeLocation } from "./storeKinds";
import { ISSUE_REFUSED, checkIssueOwners, issuerOf, resolveIssue } from "./issueKinds";

export interface PlanOptions {
    /**
     * Today (UTC, YYYY-MM-DD). With it, a rotatedAt after today is a problem. The planner
     * reads no clock: the program and the CLI pass it.
     */
    today?: string;
}

/**
 * Validates the configuration and resolves it into a plan. Throws RekeyConfigError naming
 * every problem found; never reports a secret value (it is never given one).
 */
export function planRotation(raw: RawConfig, options: PlanOptions = {}): RotationPlan {
    const problems = new Problems();
    for (const k of raw.unknownKeys ?? []) {
        problems.add(`rekey:${bareName(k)}`, "", `unknown configuration key (known: ${KNOWN_CONFIG_KEYS.map((n) => `rekey:${n}`).join(", ")})`);
    }
    for (const k of raw.encryptedKeys ?? []) {
        problems.add(`rekey:${bareName(k)}`, "", secretSettingsReason("an encrypted value", "rekey:supplied"));
    }
    for (const k of raw.plaintextKeys ?? []) {
        problems.add(`rekey:${bareName(k)}`, "", `holds plaintext: set every value with pulumi config set --secret --path 'rekey:${k}.NAME'`);
    }
    // An encrypted section is refused by its key alone. Its content was decrypted (the
    // program) or is ciphertext (the CLI), and rawConfigOf has already left it out: nothing
    // is validated, described or cross-checked against it, since any problem found there
    // or derived from its absence ("unknown consumer", "rekey:secrets is required") would
    // either quote what it holds or name problems that are not there.
    if (raw.encryptedKeys?.length) throw new RekeyConfigError(problems.list);
    const defaults =
        raw.defaults === undefined ? {} : (parseWith(defaultsSchema, raw.defaults, "rekey:defaults", problems) ?? {});
    if (defaults.proveAt !== undefined) {
        const dp = dateProblem(defaults.proveAt);
        if (dp) problems.add("rekey:defaults", "proveAt", `${dateText(defaults.proveAt)} ${dp}`);
    }
    const hosts = parseMap(raw.hosts, "hosts", "host", hostSchema, resourceNameProblem("host"), problems);
    for (const [name, h] of hosts) {
        const hp = fieldRules.hostNameProblem(h.host);
        if (hp) problems.add(`host ${name}`, "host", hp);
        if (!/^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/.test(h.user)) problems.add(`host ${name}`, "user", `user ${nameText(h.user)} must be a login name (letters, digits, _ . -, not starting with "-")`);
        const problem = fieldRules.hostKeyProblem(h.hostKey);
        if (problem) problems.add(`host ${name}`, "hostKey", problem);
    }
    const consumerCfgs = parseMap(raw.consumers, "consumers", "consumer", consumerSchema, resourceNameProblem("consumer"), problems);
    const secretCfgs = parseMap(raw.secrets, "secrets", "secret", secretSchema, fieldRules.secretNameProblem, problems);
    if (raw.secrets === undefined) problems.add("rekey:secrets", "", "is required: the inventory of secrets to rotate");

    const supplied = new Set(raw.suppliedNames ?? []);
    const hostKeys = new Set(raw.hostKeyNames ?? []);
    const usedHosts = new Set<string>();

    const consumers = new Map<string, PlannedConsumer>();
    for (const [name, c] of consumerCfgs) {
        const pc = resolveConsumer(name, c, { defaults, hosts, problems });
        if (pc) consumers.set(name, pc);
        if (c.host) usedHosts.add(c.host);
        for (const a of c.after ?? []) {
            if (!consumerCfgs.has(a)) problems.add(`consumer ${name}`, "after", `unknown consumer ${nameText(a)}`);
        }
    }
    const consumerOrder = topologicalOrder([...consumerCfgs.keys()], (n) => consumerCfgs.get(n)?.after ?? []);
    for (const cycle of consumerOrder.cycles) problems.add("rekey:consumers", "after", `cycle: ${cycle}`);

    const secrets = new Map<string, PlannedSecret>();
    /** The secrets each derive template names, parsed once (also for secrets with problems: cycles are found over all). */
    const deriveInputs = new Map<string, string[]>();
    const writers = new Map<string, string>();
    /** host:path of every file a store writes whole, with its kind and secret: one writer per file. */
    const files = new Map<string, { kind: StoreKind; secret: string }>();
    /** The label of each store that is a resource of its own, and its secret. */
    const labels = new Map<string, string>();
    /** The first store of each shared resource (a Kubernetes Secret, a .env file), and its secret. */
    const groups = new Map<string, { store: PlannedStore; secret: string }>();
    /** Each resolved hook and its secret: one owner per credential (credentials.ts). */
    const applies: { secret: string; apply: PlannedApply }[] = [];
    /** Each issued secret and its issuer: one secret per issuer (issueKinds). */
    const issued: { secret: string; issue: PlannedIssue }[] = [];
    for (const [name, s] of secretCfgs) {
        const subject = `secret ${name}`;
        const before = problems.list.length;
        const SOURCES = ["generate", "supplied", "derive", "issue"] as const;
        const kind = exactlyOne(s, SOURCES, { problems, subject, field: "", several: (found) => `has ${found.join(" and ")}: exactly one of ${oneOfText(SOURCES)}` });
        let source: SecretSource | undefined;
        if (kind === undefined) {
            // named by exactlyOne
        } else if (s.generate) {
            const spec = checkGenerate(s.generate, subject, problems);
            if (spec) source = { kind: "generate", spec, generator: generatorArgs(spec) };
            if (s.epoch === undefined) problems.add(subject, "epoch", "is required for a generated secret (an integer >= 0; bump it to rotate)");
            if (s.adopt) {
                if (s.epoch !== undefined && s.epoch !== 0) {
                    problems.add(subject, "adopt", `is valid only at epoch 0 (the value in use before rekey), and this secret is at epoch ${s.epoch}: remove the adopt line (rekey bump from epoch 0 removes it)`);
                }
                if (!supplied.has(name)) {
                    problems.add(subject, "adopt", `needs the value in use today in rekey:supplied.${name}: set it with pulumi config set --secret --path 'rekey:supplied.${name}'`);
                }
            }
        } else if (s.supplied) {
            source = { kind: "supplied" };
            if (!supplied.has(name)) {
                problems.add(
                    subject,
                    "supplied",
                    `no value in rekey:supplied.${name}: set it with pulumi config set --secret --path 'rekey:supplied.${name}'`,
                );
            }
            if (s.keepPrevious) problems.add(subject, "keepPrevious", "a supplied secret has no previous value rekey could restore");
            // adopt: the value in rekey:supplied is the one in use at this epoch, whatever it is
            // (a vendor token may have been replaced before rekey): the first pulumi up writes it,
            // runs no hook and restarts nothing. Its value is required above, as for any supplied secret.
            // The claim is made at an epoch: the deployed record keeps it, a different value under
            // it is refused (program.ts checkRestores), and rekey bump moves from it and removes adopt.
            if (s.adopt && s.epoch === undefined) {
                problems.add(subject, "adopt", "needs an epoch: adopt says rekey:supplied holds the value in use at that epoch (any integer >= 0, e.g. the vendor's issues so far; rekey bump moves from it)");
            }
        } else if (s.issue) {
            const issue = resolveIssue(s.issue, subject, s.cadenceDays ?? null, problems);
            if (issue) {
                source = { kind: "issue", issue };
                issued.push({ secret: name, issue });
                if (s.adopt) problems.add(subject, "adopt", issuerOf(issue).adoptRefused);
            }
            if (s.epoch === undefined) problems.add(subject, "epoch", "is required for an issued secret (an integer >= 0; bump it to rotate)");
            for (const k of ["minLength", "apply", "revokeFirst"] as const) if (s[k] !== undefined) problems.add(subject, k, ISSUE_REFUSED[k]);
        } else {
            if (s.adopt) problems.add(subject, "adopt", "a derived secret follows its inputs: adopt the secrets it is derived from");
            if (s.epoch !== undefined) problems.add(subject, "epoch", "a derived secret has no epoch: it changes when an input changes");
            if (s.keepPrevious) problems.add(subject, "keepPrevious", "is not supported on a derived secret");
            if (s.apply) problems.add(subject, "apply", "put the hook on the secret the value is derived from");
            try {
                const template = parseTemplate(s.derive!);
                const inputs = templateRefs(template);
                deriveInputs.set(name, inputs);
                for (const ref of inputs) {
                    if (!secretCfgs.has(ref)) problems.add(subject, "derive", `names unknown secret ${nameText(ref)}`);
                }
                source = { kind: "derive", template, inputs };
            } catch (e) {
                problems.add(subject, "derive", (e as Error).message);
            }
        }
        if (s.incident !== undefined) {
            if (s.incident.trim() === "") problems.add(subject, "incident", "needs the reason (what leaked, how): it goes into the rotation record");
            else if (/[\r\n\u0085\u2028\u2029]/.test(s.incident)) problems.add(subject, "incident", "must be one line");
            if (s.derive !== undefined) problems.add(subject, "incident", "a derived secret follows its inputs: rotate the leaked input with rekey bump --incident");
            if (s.adopt) problems.add(subject, "incident", "an adopted value is the one in use: rotate it away with rekey bump --incident, which removes adopt");
        }
        if (s.revokeFirst === true) {
            if (s.incident === undefined) {
                problems.add(subject, "revokeFirst", "only with incident: it revokes a leaked credential before the consumers restart (rekey bump NAME --incident REASON --revoke-first writes both)");
            } else if (!s.issue && !s.apply?.postgres && !s.apply?.redis && !s.apply?.mysql) {
                const own = s.apply?.command ? "a command hook revokes in its own script (it runs first, with REKEY_INCIDENT=1)" : "this secret has no hook that rekey could revoke through";
                problems.add(subject, "revokeFirst", `rekey revokes first only what a postgres, redis or mysql hook set: ${own}; remove revokeFirst`);
            }
        }
        if (s.rotatedAt !== undefined) {
            const dp = dateProblem(s.rotatedAt);
            if (dp) problems.add(subject, "rotatedAt", `${dateText(s.rotatedAt)} ${dp}`);
            else if (options.today !== undefined && s.rotatedAt > options.today) {
                problems.add(
                    subject,
                    "rotatedAt",
                    `"${s.rotatedAt}" is in the future (today is ${options.today}, UTC): it is the day the current epoch was rotated, and a later one puts off when the secret is due; rekey bump writes today`,
                );
            }
        }
        if (s.minLength !== undefined && source?.kind === "generate") {
            const len = encodedLength(source.spec);
            if (len < s.minLength) {
                problems.add(subject, "minLength", `encoding ${source.spec.encoding} gives ${len} characters, fewer than minLength ${s.minLength}`);
            }
        }
        const consumerNames = [...new Set(s.consumers ?? [])];
        for (const c of consumerNames) {
            if (!consumerCfgs.has(c)) problems.add(subject, "consumers", `unknown consumer ${nameText(c)} (not in rekey:consumers)`);
        }
        // (An issued secret's hook is refused above, by name.)
        const apply = s.issue ? undefined : resolveApply(s, subject, { hosts, secrets: secretCfgs, problems });
        if (apply) applies.push({ secret: name, apply });
        if (s.apply?.command?.host) usedHosts.add(s.apply.command.host);
        const keepPrevious = s.keepPrevious ?? false;
        const alternating = apply?.kind === "postgres" ? apply.roles : apply?.kind === "mysql" ? apply.users : [];
        const withUser = alternating.length === 2;
        // An issued value is published with its id (`<NAME>_ID`, `<NAME>_PREVIOUS_ID`).
        const withId = s.issue !== undefined;
        const variants = [
            "current",
            ...(keepPrevious ? (["previous"] as const) : []),
            ...(withUser ? (["user"] as const) : []),
            ...(withId ? (["id"] as const) : []),
            ...(withId && keepPrevious ? (["previousId"] as const) : []),
        ] as const;
        const stores: PlannedStore[] = [];
        (s.stores ?? []).forEach((entry, i) => {
            const store = resolveStore(entry, i, { secret: name, subject, defaults, hosts, variants, problems });
            if (!store) return;
            stores.push(store);
            const planner = plannerOf(store);
            const host = planner.host?.(store) ?? null;
            if (host !== null) usedHosts.add(host);
            for (const f of planner.files?.(store) ?? []) {
                const other = files.get(f);
                if (other && other.kind !== store.kind) {
                    problems.add(subject, `stores[${i}]`, `writes ${f} as a ${store.kind} store, which the ${other.kind} store of secret ${other.secret} writes too: one file has one writer`);
                } else if (!other) files.set(f, { kind: store.kind, secret: name });
            }
            for (const w of store.writes) {
                const where = writeLocation(store, w);
                const other = writers.get(where);
                if (other && other !== name) problems.add(subject, `stores[${i}]`, `writes the ${where}, which secret ${other} writes too`);
                else if (other) problems.add(subject, `stores[${i}]`, `writes the ${where} twice`);
                writers.set(where, name);
            }
            const group = planner.group?.(store);
            if (group === undefined) {
                // A store of its own is a resource named by its label, under its secret; the URN
                // holds the parents' types, not their names, so one label is one URN for every secret.
                const other = labels.get(store.label);
                if (other) problems.add(subject, `stores[${i}]`, `would be a resource named ${store.label} like ${other === name ? "another store of this secret" : `a store of secret ${other}`}: Pulumi needs one name per resource (an SSM parameter name serves one region here)`);
                else labels.set(store.label, name);
            } else {
                const first = groups.get(group);
                const conflict = first && planner.groupConflict?.(first.store, first.secret, store);
                if (conflict) problems.add(subject, `stores[${i}].${conflict.field}`, conflict.reason);
                else if (!first) groups.set(group, { store, secret: name });
            }
        });
        if (problems.list.length !== before || !source) continue;
        const epoch = source.kind === "derive" ? null : (s.epoch ?? 0);
        const adopt = source.kind !== "derive" && s.adopt === true;
        secrets.set(name, {
            name,
            source,
            epoch,
            rotatedAt: s.rotatedAt ?? null,
            changedAt: s.rotatedAt ?? null,
            cadenceDays: s.cadenceDays ?? null,
            keepPrevious,
            slots: source.kind === "generate" || source.kind === "issue" ? generatorSlots(epoch as number, keepPrevious, adopt) : [],
            adopt,
            inUse: adopt,
            incident: s.incident ?? null,
            revokeFirst: s.incident !== undefined && s.revokeFirst === true,
            minLength: s.minLength ?? null,
            stores,
            consumers: consumerNames,
            impact: s.impact ?? null,
            apply: apply ?? null,
            user: !withUser ? null : apply?.kind === "postgres" ? apply.role : apply?.kind === "mysql" ? apply.user : null,
        });
    }
    checkCredentialOwners(applies, problems);
    checkIssueOwners(issued, problems);
    checkProofKeys(consumerCfgs, secretCfgs, problems);
    const unusedSupplied: string[] = [];
    for (const name of supplied) {
        const s = secretCfgs.get(name);
        // A generated secret's supplied value is the one it adopts, or the copy of a value it
        // adopted before, which may stay until someone deletes it.
        if (s?.generate) {
            if (!s.adopt) unusedSupplied.push(name);
        } else if (!s?.supplied) {
            problems.add(`rekey:supplied.${bareName(name)}`, "", `has a value but no secret ${bareName(name)} with supplied: true or adopt: true uses it`);
        }
    }
    for (const h of usedHosts) {
        if (hosts.has(h) && !hostKeys.has(h)) {
            problems.add(`host ${h}`, "", `no SSH private key: set it with pulumi config set --secret --path 'rekey:hostKeys.${h}' < key`);
        }
    }
    const deriveOrder = topologicalOrder([...secretCfgs.keys()], (n) => deriveInputs.get(n) ?? []);
    for (const cycle of deriveOrder.cycles) problems.add("rekey:secrets", "derive", `cycle: ${cycle}`);
    const unchecked = deriveOrder.cycles.length ? [] : checkDotenvValues(deriveOrder.order, secrets, raw.suppliedTraits, problems);

    if (problems.list.length) throw new RekeyConfigError(problems.list);

    const ordered = deriveOrder.order.map((n) => secrets.get(n)!);
    // A derived secret without a rotatedAt of its own changed when the latest-changed of the
    // secrets it is derived from (transitively, the non-derived ones) did. Inputs come first,
    // so each derived secret's inputs are final when it is reached. One date per secret, not
    // the list of its leaves' dates: inputs that share inputs (S2 = S1 + S0, S3 = S2 + S1, ...)
    // have exponentially many paths to their leaves.
    const latest = (a: string | null, b: string | null) => (a === null || (b !== null && b > a) ? b : a);
    const leafDate = new Map<string, string | null>();
    for (const s of ordered) {
        const date = s.source.kind === "derive" ? s.source.inputs.reduce<string | null>((d, n) => latest(d, leafDate.get(n)!), null) : s.rotatedAt;
        leafDate.set(s.name, date);
        if (s.changedAt === null) s.changedAt = date;
    }
    for (const s of ordered) for (const c of s.consumers) consumers.get(c)!.secrets.push(s.name);
    for (const c of consumers.values()) {
        const proof = c.verify?.kind === "url" ? c.verify.proof : undefined;
        if (proof) proof.secrets = c.secrets.filter((n) => n !== proof.key);
    }
    return {
        secrets: ordered,
        consumers: consumerOrder.order.map((n) => consumers.get(n)!),
        hosts: [...hosts].map(([name, h]) => ({ name, host: h.host, port: h.port ?? 22, user: h.user, hostKey: fieldRules.hostKeyOf(h.hostKey)! })),
        kubernetes: { context: defaults.kubernetes?.context ?? null, kubeconfig: defaults.kubernetes?.kubeconfig ?? null },
        proveAt: defaults.proveAt ?? null,
        unchecked,
        unusedSupplied: unusedSupplied.sort(),
    };
}

/**
 * A consumer's proof key (docs/proof.md) is a generated secret that the consumer reads from a
 * store like its other secrets: rekey draws it and rotates it, the service loads it at
 * restart, so both hold the same key and nobody else does. When it rotates in the same
 * `pulumi up` as the values it proves, the service restarted with the new key (the key is
 * one of the consumer's restart triggers), and rekey expects fingerprints under the new key.
 */
function checkProofKeys(consumerCfgs: Map<string, ConsumerConfig>, secretCfgs: Map<string, SecretConfig>, problems: Problems): void {
    for (const [name, c] of consumerCfgs) {
        const key = c.verify?.url !== undefined ? c.verify.proof?.key : undefined;
        if (key === undefined) continue;
        const subject = `consumer ${name}`;
        const field = "verify.proof.key";
        const s = secretCfgs.get(key);
        if (!s) {
            problems.add(subject, field, `names unknown secret ${nameText(key)} (not in rekey:secrets): the proof key is a generated secret the service reads`);
            continue;
        }
        if (!s.generate) {
            problems.add(subject, field, `secret ${key} is ${s.supplied ? "supplied" : s.issue ? "issued" : "derived"}: the proof key must be a generated secret, drawn by rekey and rotated like the others`);
        }
        if (!(s.consumers ?? []).includes(name)) {
            problems.add(subject, field, `secret ${key} does not name consumer ${name} in its consumers: the service must read the proof key from its stores like its other secrets`);
        } else if (!(s.stores ?? []).length) {
            problems.add(subject, field, `secret ${key} has no store: the service reads the proof key from one`);
        }
        const proved = [...secretCfgs].filter(([n, o]) => n !== key && (o.consumers ?? []).includes(name));
        if (!proved.length) problems.add(subject, field, `consumer ${name} reads no secret but ${key}: there is nothing to prove`);
    }
}
