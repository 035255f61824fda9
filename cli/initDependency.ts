// The pulumi-rekey dependency a scaffold gets (`rekey init --from`): the spec written into its
// package.json, where the running package was installed from, and the spec as printed (no
// credential shown).
import { existsSync, readFileSync } from "fs";
import { basename, dirname, isAbsolute, join, posix, relative, resolve, sep } from "path";
import { bareName, describe, urlText } from "../components/plan/shown";
import { CliError } from "./errors";
import { notOneLine } from "./shownText";

/** The package's own directory: the nearest above this file with its package.json (cli/ from source, dist/cli/ compiled). */
function packageRoot(): string {
    for (let d = __dirname; ; d = dirname(d)) {
        const manifest = join(d, "package.json");
        if (existsSync(manifest) && JSON.parse(readFileSync(manifest, "utf8")).name === "pulumi-rekey") return d;
        if (dirname(d) === d) throw new Error("rekey: cannot find the pulumi-rekey package around " + __dirname);
    }
}
export const PACKAGE_ROOT = packageRoot();

function packageVersion(): string {
    return JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")).version;
}

/**
 * Where pulumi-rekey was installed from, when it runs from an npm install of a tarball or a
 * git repository: the spec the installing project's package.json gives it (`npm exec
 * --package` keeps one in its cache directory too), else the lock's `resolved`, as read from its directory. Null
 * when it runs from the registry, a link or its own checkout.
 */
function installedFrom(): { spec: string; dir: string } | null {
    const parent = dirname(PACKAGE_ROOT);
    if (basename(parent) !== "node_modules") return null;
    const installer = dirname(parent);
    const read = (f: string) => {
        try {
            return JSON.parse(readFileSync(f, "utf8"));
        } catch {
            return null;
        }
    };
    const given = read(join(installer, "package.json"))?.dependencies?.["pulumi-rekey"];
    const resolved = (read(join(parent, ".package-lock.json")) ?? read(join(installer, "package-lock.json")))?.packages?.["node_modules/pulumi-rekey"]?.resolved;
    const notRegistry = /^(file:|git\+|git:|github:|gitlab:|bitbucket:)/;
    // A tarball URL the user gave is kept; a lock's https URL is the registry's tarball.
    if (typeof given === "string" && (notRegistry.test(given) || /^https?:/.test(given))) return { spec: given, dir: installer };
    if (typeof resolved === "string" && notRegistry.test(resolved)) return { spec: resolved, dir: installer };
    return null;
}

/**
 * The dependency spec the scaffold's package.json gives pulumi-rekey: `--from` (a bare npm
 * spec or `pulumi-rekey@<spec>`), else where the running package came from (installedFrom),
 * else `^<version>` from the registry. A tarball or directory path (`./x.tgz`, `file:x.tgz`,
 * read from `cwd`) is written as a `file:` path relative to the scaffold, as npm saves one.
 */
export function rekeySpec(from: string | undefined, cwd: string, scaffold: string): string {
    const local = (spec: string, base: string, given: boolean) => {
        const path = resolve(base, spec.replace(/^file:/, ""));
        if (!existsSync(path)) {
            throw new CliError(given ? `--from names ${bareName(spec)}, which does not exist` : `this pulumi-rekey was installed from ${path}, which does not exist any more: give --from <spec>`);
        }
        const rel = relative(scaffold, path).split(sep).join(posix.sep);
        return `file:${rel === "" ? "." : rel}`;
    };
    if (from === undefined) {
        const installed = installedFrom();
        if (!installed) return `^${packageVersion()}`;
        return installed.spec.startsWith("file:") ? local(installed.spec, installed.dir, false) : installed.spec;
    }
    const spec = from.startsWith("pulumi-rekey@") ? from.slice("pulumi-rekey@".length) : from;
    if (spec === "" || /\s/.test(spec) || notOneLine(spec) !== null) throw new CliError(`--from (${describe(from)}, not shown) is not an npm dependency spec`);
    // Another package's `name@…` (an scp-like git URL, `git@host:owner/repo`, is no name).
    const other = /^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*@(?![^/]*:)/.exec(spec);
    if (other) throw new CliError(`--from names the package ${bareName(other[0].slice(0, -1))}: give a spec of pulumi-rekey (a version, a tarball, a git URL)`);
    if (spec.startsWith("file:") || /^(\.{1,2}([\/\\]|$)|[\/\\~])/.test(spec) || isAbsolute(spec) || (/\.(tgz|tar\.gz|tar)$/.test(spec) && !/^[a-z+]+:/.test(spec))) return local(spec, cwd, true);
    return spec;
}

/**
 * A spec as printed, and what in it may be a credential (null when nothing). Every URL goes
 * through the rule components/plan/shown.ts `urlText` applies to a URL: parsed as npm parses
 * it (WHATWG URL: the userinfo runs to the LAST `@` before the host, so a password holding
 * `@` is all of it), the userinfo shown as `…@` (an SSH `git@` aside: a user name, no
 * token), each query value `…`. A git URL's fragment is the ref npm checks out (`#v0.2.0`):
 * shown when it has a name's shape, else `#…`; an http(s) tarball's fragment is `#…`. An
 * scp-like git spec (`git@host:owner/repo`) and a shorthand (`github:rekey-dev/pulumi-rekey#v0.2.0`) with a
 * userinfo before the host are read the same way. Versions, ranges and file: paths hold no
 * credential and are shown as given.
 */
export function specText(spec: string): { text: string; credential: string | null } {
    const ref = (fragment: string) => (fragment === "" ? "" : `#${bareName(fragment) === fragment ? fragment : "…"}`);
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec)) {
        let u: URL;
        try {
            u = new URL(spec);
        } catch {
            return { text: `(${describe(spec)}, not shown)`, credential: null };
        }
        const sshUser = u.username === "git" && u.password === "" && /^git\+ssh:|^ssh:/.test(u.protocol);
        const hasUser = (u.username !== "" || u.password !== "") && !sshUser;
        const credential = [hasUser ? "a user name or token before the host" : "", u.search ? "a query" : ""].filter(Boolean).join(" and ") || null;
        const git = /^git(\+[a-z]+)?:$/.test(u.protocol);
        const hash = u.hash.slice(1);
        u.hash = "";
        if (sshUser) u.username = "";
        const shown = urlText(u.href);
        return { text: `${sshUser ? shown.replace("//", "//git@") : shown}${git ? ref(decodeURIComponent(hash)) : hash ? "#…" : ""}`, credential };
    }
    // scp-like (`user@host:path`) or a shorthand with a userinfo (`github:<token>@<owner>/<repo>`).
    const [body, ...fragment] = spec.split("#");
    const scheme = /^(github|gitlab|bitbucket|gist):/.exec(body)?.[0] ?? "";
    const rest = body.slice(scheme.length);
    const head = rest.split("/")[0];
    const at = head.lastIndexOf("@");
    if (at < 0) return { text: spec, credential: null };
    const user = head.slice(0, at);
    const after = rest.slice(at + 1);
    const shownAfter = bareName(after) === after ? after : "…";
    return { text: `${scheme}${user === "git" ? "git@" : "…@"}${shownAfter}${ref(fragment.join("#"))}`, credential: user === "git" ? null : "a user name or token before the host" };
}

/** The path a `file:` spec (relative to the scaffold) names, when it lies outside the repository whose real path is `realTop`; else null. */
export function pathOutside(spec: string, scaffold: string, realTop: string): string | null {
    if (!spec.startsWith("file:")) return null;
    const path = resolve(scaffold, spec.slice("file:".length));
    const rel = relative(realTop, path);
    return rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel) ? path : null;
}
