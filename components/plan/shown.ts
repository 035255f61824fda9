// How a value read from the configuration may appear in a message: a problem, a warning, a
// note, the plan, `rekey status` or `rekey due`. This is the one rule; every message that
// names a value from the configuration goes through one of these functions.
//
// A value where a boolean, a number, an enum, a date or a map belongs, which is not one, is
// most often something pasted into the wrong line, and what gets pasted is a password: it is
// described (its type and length), never shown. A name (a secret, consumer or host, a role,
// a user, a path, a host name, a Kubernetes or SSM name, a .env key) is shown where the
// field itself is such a name, because the reader needs it to find the line; a name that
// fails its field's check is shown only when it still has the shape of a name (no white
// space, no quote, no shell or URL punctuation). A URL is shown without its credentials:
// never userinfo, never a query value, never a fragment. Prose written for the reader
// (`impact`, an incident's reason, a bump's --reason) and commands are shown as written:
// reviewers read them in the plan, and they are no place for a secret (the plan and the
// docs say so).

/** Code points, as a reader counts characters (an emoji is one). */
const length = (s: string) => [...s].length;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** What `v` is, without anything of what it holds: `a string of 23 characters`, `a number`, `a list of 2 items`. */
export function describe(v: unknown): string {
    if (v === null) return "null";
    if (Array.isArray(v)) return `a list of ${plural(v.length, "item")}`;
    if (typeof v === "object") return "a map";
    if (typeof v === "string") return v === "" ? "an empty string" : `a string of ${plural(length(v), "character")}`;
    // A boolean holds one bit: true or false is no secret, and it is what the reader looks for.
    if (typeof v === "boolean") return `boolean ${v}`;
    return `a ${typeof v}`;
}

/**
 * A number in a field typed number (an epoch, a byte count, a port): shown, it is that
 * field's own kind of value. Anything else there is described.
 */
export function numberText(v: unknown): string {
    return typeof v === "number" && Number.isFinite(v) ? String(v) : describe(v);
}

/**
 * The shape of a name: letters, digits and `_ . / : @ [ ] % + ~ -`, at most 1024
 * characters, and no `user:password@` in it (a connection string pasted where a name
 * belongs has a name's characters).
 */
const NAME_SHAPE = /^[\p{L}\p{N}_./:@[\]%+~-]{1,1024}$/u;
const USERINFO = /:[^:@/]*@/;
const nameShaped = (v: unknown): v is string => typeof v === "string" && NAME_SHAPE.test(v) && !USERINFO.test(v);

/**
 * A value from a name field, quoted: `"app"`. A URL there (a connection string where a
 * database belongs) is shown as `urlText` shows it. One that has not the shape of a name
 * (it failed its field's check, and holds white space, quotes or punctuation no name has)
 * is described instead: `(a string of 23 characters, not shown)`.
 */
export function nameText(v: unknown): string {
    if (typeof v === "string" && v.includes("://")) return urlText(v);
    return nameShaped(v) ? JSON.stringify(v) : `(${describe(v)}, not shown)`;
}

/** A name used as a subject or in a list, unquoted when it has the shape of a name. */
export function bareName(v: string): string {
    return nameShaped(v) ? v : `(${describe(v)}, not shown)`;
}

/** A date field's value: shown when it is written YYYY-MM-DD (a day is no secret), else described. */
export function dateText(v: unknown): string {
    return typeof v === "string" && /^\d{4}-\d{2}-\d{2}$/.test(v) ? JSON.stringify(v) : `(${describe(v)}, not shown)`;
}

/**
 * A URL without what may be a credential: scheme, host, port and path are shown; userinfo
 * is dropped (`user:…@`), each query value and the fragment become `…`. Text the WHATWG
 * URL parser does not take cannot be split that way, so it is described.
 */
export function urlText(url: string): string {
    let u: URL;
    try {
        u = new URL(url);
    } catch {
        return `(${describe(url)}, not shown)`;
    }
    const userinfo = u.username || u.password ? "…@" : "";
    const query = u.search ? `?${[...u.searchParams.keys()].map((k) => `${bareName(k)}=…`).join("&")}` : "";
    const fragment = u.hash ? "#…" : "";
    // `host` of an opaque URL (mailto:, data:) is empty and its "path" is all of it: not shown.
    const path = u.host ? u.pathname : u.pathname ? "…" : "";
    return `${u.protocol}//${userinfo}${u.host}${path}${query}${fragment}`;
}
