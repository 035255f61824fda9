// What an incident rotation revokes, what it breaks, and the record a person completes:
// pure, from the plan after the change (and what the diff found restarts). `rekey plan`
// shows it as a banner. The program's side: components/program.ts (no `_PREVIOUS` overlap,
// PostgresRevoke, the command hook's REKEY_INCIDENT) and the `rotation` record's `incident`.
import type { PlannedSecret } from "./model";

export interface IncidentReport {
    secret: string;
    reason: string;
    from: number;
    to: number;
    /** What stops accepting the leaked value, and when, in the order it happens. */
    revoked: string[];
    /** Who notices. */
    impact: string[];
    /** An incident record skeleton (Markdown), filled with what rekey knows. */
    record: string;
}

/**
 * The role an incident rotation takes LOGIN from: with two alternating Postgres roles, the
 * one this epoch does not set, which holds the leaked password. null otherwise (one role:
 * its hook replaces the leaked password).
 */
export function incidentRevokedRole(s: PlannedSecret): string | null {
    const apply = s.apply;
    if (s.incident === null || apply?.kind !== "postgres") return null;
    return apply.roles.find((r) => r !== apply.role) ?? null;
}

export function incidentReport(s: PlannedSecret, from: number, restarts: readonly string[], date: string | null): IncidentReport {
    const reason = s.incident!;
    const revoked: string[] = [];
    const apply = s.apply;
    const verified = restarts.length ? restarts.join(", ") : "the stores are written";
    const stores = s.stores.map((st) => st.label).join(", ");
    if (apply?.kind === "postgres") {
        const other = incidentRevokedRole(s);
        revoked.push(
            other
                ? `Postgres role ${apply.role} gets the new password first; role ${other}, which holds the leaked one, loses LOGIN and its sessions end once ${verified} verified`
                : `Postgres role ${apply.role}: the hook replaces the leaked password first, before any store (sessions already open with it last until they end)`,
        );
    }
    if (apply?.kind === "redis") revoked.push(`Redis ACL user ${apply.user} loses the leaked password once ${verified} verified`);
    if (apply?.kind === "command") revoked.push("the command hook runs first with REKEY_INCIDENT=1, the reason in REKEY_INCIDENT_REASON and OLD_VALUE = the leaked value");
    if (s.keepPrevious) revoked.push(`no overlap: every store's previous value (${s.name}_PREVIOUS) holds the new value, not the leaked one`);
    if (s.source.kind === "supplied") revoked.push("rekey cannot revoke a supplied value: revoke the leaked one at its issuer (the value in rekey:supplied is the new one)");
    revoked.push(`${stores ? `stores written: ${stores}` : "no store"}; ${restarts.length ? `restarts, in order: ${restarts.join(", ")}` : "no consumer restarts"}`);
    const impact = [
        ...(s.impact ? [s.impact] : []),
        "Anything still holding the leaked value is refused from this pulumi up on: no overlap until the next rotation.",
    ];
    const record = [
        `## Incident: ${s.name} (epoch ${from} → ${s.epoch})`,
        `- Date: ${date ?? "(fill in)"}`,
        `- Reason: ${reason}`,
        "- Reported by / handled by: (fill in)",
        "- Exposure window (first possible use of the leaked value → revocation): (fill in)",
        `- Secret touched: ${s.name} (${s.source.kind}); stores: ${stores || "none"}`,
        `- Hook: ${apply?.kind ?? "none"}; consumers restarted, in order: ${restarts.join(", ") || "none"}`,
        "- pulumi up finished at / health checks passed: (from the run: the rotation output records the epoch once every step completed)",
        "- Revoked at the issuer (supplied values, vendor tokens): (fill in)",
        "- Rollback: not possible past this epoch (rekey rollback refuses: it would restore the leaked value); bump again for a fresh value",
        "- Follow-up (how it leaked, what changes): (fill in)",
    ].join("\n");
    return { secret: s.name, reason, from, to: s.epoch!, revoked, impact, record };
}
