// What an incident rotation revokes, what it breaks, and the record a person completes:
// pure, from the plan after the change (and what the diff found restarts). `rekey plan`
// shows it as a banner. The program's side: components/plan/schedule.ts (no `_PREVIOUS`
// overlap: heldValue; the revocation steps), components/revoke.ts (PostgresRevoke), the
// command hook's REKEY_INCIDENT and the `rotation` record's `incident`.
import type { PlannedSecret } from "./model";
import { issuedCredential, issuerOf } from "./issueKinds";

export interface IncidentReport {
    secret: string;
    reason: string;
    from: number;
    to: number;
    /** revokeFirst: the leaked credential is revoked before the consumers restart. */
    revokeFirst: boolean;
    /** One line under the banner's title: the overlap, and where the timing is. */
    summary: string;
    /** What stops accepting the leaked value, and when, in the order it happens. */
    revoked: string[];
    /** What still holds the leaked value after the pulumi up, and the command that removes it. */
    remains: string[];
    /** Who notices. */
    impact: string[];
    /** An incident record skeleton (Markdown), filled with what rekey knows. */
    record: string;
}

/**
 * The role (or MySQL user) an incident rotation takes the login from: with two alternating
 * Postgres roles or MySQL users, the one this epoch does not set, which holds the leaked
 * password. null otherwise (one role or user: its hook replaces the leaked password).
 */
export function incidentRevokedRole(s: PlannedSecret): string | null {
    const apply = s.apply;
    if (s.incident === null) return null;
    if (apply?.kind === "postgres") return apply.roles.find((r) => r !== apply.role) ?? null;
    if (apply?.kind === "mysql") return apply.users.find((u) => u !== apply.user) ?? null;
    return null;
}

/**
 * When the leaked credential stops working, per hook and mode (components/revoke.ts does
 * it): the hook, the revokeFirst revocation, or the finalize after every verify, which a
 * failed verify never reaches.
 */
function revocation(s: PlannedSecret, verified: string): string[] {
    const apply = s.apply;
    const untilNextUp = "; a failed verify stops the pulumi up before it, and the leaked value keeps working until a later pulumi up completes";
    if (s.source.kind === "issue") {
        const issue = s.source.issue;
        if (issuerOf(issue).revocation === "removal") {
            return [`${issuedCredential(issue)} is issued first, into the stores; the leaked one (the previous slot's) is ${issuerOf(issue).revoked} at the end of that pulumi up, once every step (${verified} verified) succeeded${untilNextUp}`];
        }
        return [`${issuedCredential(issue)} is issued first, into the stores; the leaked one (the previous slot's) is ${issuerOf(issue).revoked} once ${verified} verified${untilNextUp}; the bump after this one deletes it`];
    }
    switch (apply?.kind) {
        case "postgres": {
            const other = incidentRevokedRole(s);
            if (other && s.revokeFirst) return [`Postgres role ${apply.role} gets the new password first; right after the store writes, before any consumer restarts, role ${other}, which holds the leaked one, loses LOGIN and every session of ${other} ends`];
            if (other) return [`Postgres role ${apply.role} gets the new password first; role ${other}, which holds the leaked one, keeps LOGIN until ${verified} verified, then loses it and its sessions end${untilNextUp}`];
            if (s.revokeFirst) return [`Postgres role ${apply.role}: the hook replaces the leaked password first, before any store (new logins with it fail from then on); right after the store writes, before any consumer restarts, every session of ${apply.role} ends`];
            return [`Postgres role ${apply.role}: the hook replaces the leaked password first, before any store: new logins with it fail from then on, but sessions already open with it (the consumers', and anyone's who used the leak) stay until they end: rekey does not end them (revokeFirst does, before the restarts)`];
        }
        case "mysql": {
            const other = incidentRevokedRole(s);
            if (other && s.revokeFirst) return [`MySQL user ${apply.user} gets the new password first; right after the store writes, before any consumer restarts, user ${other}, which holds the leaked one, is locked (ACCOUNT LOCK) and every session of ${other} is killed (KILL CONNECTION)`];
            if (other) return [`MySQL user ${apply.user} gets the new password first; user ${other}, which holds the leaked one, can log in until ${verified} verified, then is locked (ACCOUNT LOCK) and every session of ${other} is killed (KILL CONNECTION)${untilNextUp}`];
            const replaced = `MySQL user ${apply.user}: the hook replaces the leaked password first, before any store, retaining none (on MySQL 8 a retained old password is discarded too): new logins with it fail from then on`;
            if (s.revokeFirst) return [`${replaced}; right after the store writes, before any consumer restarts, every session of ${apply.user} is killed (KILL CONNECTION)`];
            return [`${replaced}, but sessions already open with it (the consumers', and anyone's who used the leak) stay until they end: rekey does not end them (revokeFirst does, before the restarts)`];
        }
        case "redis": {
            if (s.revokeFirst) return [`Redis ACL user ${apply.user}: right after the hook and the store writes, before any consumer restarts, only the new password is left and every connection of ${apply.user} is killed (CLIENT KILL USER)`];
            return [
                `Redis ACL user ${apply.user} keeps the leaked password beside the new one until ${verified} verified, then only the new one is left${untilNextUp}`,
                `Redis connections already authenticated with the leaked password stay authenticated until they close (ACL SETUSER resetpass ends no connection); to end them: redis-cli -h ${apply.host} -p ${apply.port} CLIENT KILL USER ${apply.user} (the restarted consumers reconnect with the new password), or bump with --incident and --revoke-first`,
            ];
        }
        case "command":
            return ["the command hook runs first with REKEY_INCIDENT=1, the reason in REKEY_INCIDENT_REASON and OLD_VALUE = the leaked value: when the leaked value stops working is up to that hook; rekey cannot know"];
        default:
            return [`no hook: rekey revokes nothing; the leaked value works wherever it is still accepted, until each consumer that checks it restarted with the new one (${verified})`];
    }
}

/**
 * What a cloud store keeps of the leaked value after the pulumi up, and the command that
 * removes it. Neither can be removed soundly inside pulumi up:
 * - SSM: the provider updates a parameter with PutParameter (Overwrite), which adds a
 *   version (terraform-provider-aws internal/service/ssm/parameter.go
 *   `resourceParameterUpdate`); SSM keeps the last 100 versions, readable by
 *   GetParameterHistory and `name:version`, and has no call that deletes one version:
 *   DeleteParameter removes the parameter with its history. A deleted parameter is dropped
 *   from the state by a refresh (`resourceParameterRead`: not found, removed from state), so
 *   `pulumi up --refresh` writes it again, as version 1.
 * - Key Vault: azure-native keyvault.Secret puts the secret through the management API
 *   (Secrets CreateOrUpdate), and a new value is a new version; earlier versions stay
 *   enabled and readable by their id. No resource of the provider disables a version, and
 *   rekey does not know the version ids without reading the vault: `az keyvault secret
 *   set-attributes --enabled false` disables one (a disabled version cannot be read);
 *   deleting the secret would delete every version, the current one too.
 */
function remaining(s: PlannedSecret): string[] {
    const out: string[] = [];
    for (const st of s.stores) {
        // The `user` variant holds a role name, never a value.
        const held = st.writes.filter((w) => w.variant !== "user");
        if (st.kind === "ssm") {
            for (const w of held) {
                const region = st.region ? ` --region ${st.region}` : "";
                out.push(
                    `SSM parameter ${w.target}: its history (the last 100 versions) keeps the leaked value as an older version (GetParameterHistory, or GetParameter of ${w.target}:<version>, return it to anyone allowed to read the parameter). SSM cannot delete one version: aws ssm delete-parameter --name ${w.target}${region} removes the whole history, then pulumi up --refresh writes the parameter again (consumers reading it in between fail)`,
                );
            }
        } else if (st.kind === "keyVault") {
            for (const w of held) {
                const at = `--vault-name ${st.vault} --name ${w.target}`;
                out.push(
                    `Key Vault ${st.vault} secret ${w.target}: the version holding the leaked value stays enabled (readable by its id). Disable every version but the current one: current=$(az keyvault secret show ${at} --query id -o tsv); for id in $(az keyvault secret list-versions ${at} --query "[?attributes.enabled].id" -o tsv); do [ "$id" = "$current" ] || az keyvault secret set-attributes --id "$id" --enabled false; done`,
                );
            }
        } else if (st.kind === "dotenv" || st.kind === "file") {
            out.push(`${st.label}: nothing; at an incident the writer keeps no backup and removes the one kept before (no temporary file outlives a write)`);
        }
    }
    return out;
}

export function incidentReport(s: PlannedSecret, from: number, restarts: readonly string[], date: string | null): IncidentReport {
    const reason = s.incident!;
    const revoked: string[] = [];
    const verified = restarts.length ? restarts.join(", ") : "the stores are written";
    const stores = s.stores.map((st) => st.label).join(", ");
    revoked.push(...revocation(s, verified));
    if (s.keepPrevious) revoked.push(`no overlap: every store's previous value (${s.name}_PREVIOUS) holds the new value, not the leaked one`);
    if (s.source.kind === "supplied") revoked.push("rekey cannot revoke a supplied value: revoke the leaked one at its issuer (the value in rekey:supplied is the new one)");
    revoked.push(`${stores ? `stores written: ${stores}` : "no store"}; ${restarts.length ? `restarts, in order: ${restarts.join(", ")}` : "no consumer restarts"}`);
    const remains = remaining(s);
    const versioned = s.stores.filter((st) => st.kind === "ssm" || st.kind === "keyVault").map((st) => st.label);
    const impact = [
        ...(s.impact ? [s.impact] : []),
        s.revokeFirst
            ? `Downtime: from the revocation (after the hook and the store writes) until each consumer restarted${restarts.length ? ` (${restarts.join(", ")}, in order, each after the verify of those before it)` : ""}, the consumers still holding the leaked credential fail: new logins refused, open sessions ended.`
            : s.apply === null && s.source.kind !== "issue"
              ? "No overlap: nothing falls back to a previous value, but with no hook rekey revokes nothing, so whatever checks this value accepts the leaked one until it is changed there."
              : "No overlap: once revoked (above), anything still holding the leaked value is refused; nothing falls back to a previous value.",
    ];
    const record = [
        `## Incident: ${s.name} (epoch ${from} → ${s.epoch})`,
        `- Date: ${date ?? "(fill in)"}`,
        `- Reason: ${reason}`,
        "- Reported by / handled by: (fill in)",
        "- Exposure window (first possible use of the leaked value → revocation): (fill in)",
        `- Secret touched: ${s.name} (${s.source.kind}); stores: ${stores || "none"}`,
        `- Hook: ${s.apply?.kind ?? "none"}${s.revokeFirst ? " (revoked first, before the restarts)" : ""}; consumers restarted, in order: ${restarts.join(", ") || "none"}`,
        "- pulumi up finished at / health checks passed: (from the run: the rotation output records the epoch once every step completed)",
        "- Revoked at the issuer (supplied values, vendor tokens): (fill in)",
        ...(versioned.length ? [`- Old versions removed or disabled (${versioned.join(", ")}): (fill in: when, by whom)`] : []),
        "- Rollback: not possible past this epoch (rekey rollback refuses: it would restore the leaked value); bump again for a fresh value",
        "- Follow-up (how it leaked, what changes): (fill in)",
    ].join("\n");
    const summary = s.revokeFirst
        ? "No overlap, revoked first: the leaked credential stops working before the consumers restart, which fail until then."
        : "No overlap: when the leaked value stops working depends on the hook, below.";
    return { secret: s.name, reason, from, to: s.epoch!, revokeFirst: s.revokeFirst, summary, revoked, remains, impact, record };
}
