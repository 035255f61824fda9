// What a store, a host or a tool accepts in a configured field: secret, store and key names,
// paths, hosts, host keys, owners, Postgres identifiers, verify URLs. A field the store or
// tool would reject (or read as an option, a connection string, a second argument) fails at
// validation rather than half-way through a `pulumi up`. Each check returns the reason, or
// null; a value is named in it only as ./shown.ts allows. (How a Rotation names its own
// resources is ./resourceNames.ts.)
import { nameText, urlText } from "./shown";

/** Secret names double as env keys, SSM leaf names and default Kubernetes keys. */
/**
 * Names that every JavaScript object already has (`__proto__`, `constructor`, `toString`,
 * `hasOwnProperty`, …): as a key of a plain object they read back as a function or the
 * prototype, not as the entry, so rekey refuses them by name.
 */
export function reservedNameProblem(name: string): string | null {
    return name in Object.prototype ? `${nameText(name)} is reserved (every JavaScript object has it); choose another name` : null;
}

export function secretNameProblem(name: string): string | null {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        return "a secret name is letters, digits and underscores, not starting with a digit (it is also the env key)";
    }
    const reserved = reservedNameProblem(name);
    if (reserved) return reserved;
    if (name.length > 128) return "a secret name is at most 128 characters";
    return null;
}

// https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-su-create.html
export function ssmParameterNameProblem(name: string): string | null {
    if (name.length > 1011) return `SSM parameter names are at most 1011 characters (got ${name.length})`;
    if (!/^[A-Za-z0-9_.\-/]+$/.test(name)) {
        return `SSM parameter name ${nameText(name)} may contain only letters, digits and . - _ /`;
    }
    if (name.includes("/") && !name.startsWith("/")) {
        return `SSM parameter name ${nameText(name)} is a hierarchy and must start with "/"`;
    }
    if (name.includes("//") || name.endsWith("/")) return `SSM parameter name ${nameText(name)} has an empty path segment`;
    const levels = name.split("/").filter(Boolean).length;
    if (levels > 15) return `SSM parameter name ${nameText(name)} has ${levels} levels; the limit is 15`;
    const first = name.replace(/^\//, "").toLowerCase();
    if (first.startsWith("aws") || first.startsWith("ssm")) {
        return `SSM parameter name ${nameText(name)} may not begin with "aws" or "ssm" (reserved by AWS)`;
    }
    return null;
}

export function keyVaultSecretNameProblem(name: string): string | null {
    if (!/^[0-9A-Za-z-]{1,127}$/.test(name)) {
        return `Key Vault secret name ${nameText(name)} must be 1-127 letters, digits and dashes`;
    }
    return null;
}

export function keyVaultNameProblem(name: string): string | null {
    if (!/^[A-Za-z][A-Za-z0-9-]{1,22}[A-Za-z0-9]$/.test(name) || name.includes("--")) {
        return `Key Vault name ${nameText(name)} must be 3-24 letters, digits and single dashes, starting with a letter`;
    }
    return null;
}

// Fields that become part of a cloud resource id, a provider's name or its settings (an
// import id `/subscriptions/<id>/resourceGroups/<group>/providers/…`, an AWS provider per
// region): a `/`, `?` or line break there would name another resource, so each is held to
// the cloud's own rule.

/**
 * An Azure resource group name: 1-90 letters, digits, `_`, `-`, `.`, `(` and `)`, not ending
 * in `.` (Azure docs, "Naming rules and restrictions for Azure resources":
 * Microsoft.Resources/resourcegroups; Azure takes Unicode letters and digits too).
 */
export function resourceGroupProblem(group: string): string | null {
    if (!/^[\p{L}\p{N}_.()-]{1,90}$/u.test(group) || group.endsWith(".")) {
        return `resource group ${nameText(group)} must be 1-90 letters, digits, "_", "-", ".", "(" and ")", not ending in "."`;
    }
    return null;
}

/** An Azure subscription id: a GUID (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, hexadecimal). */
export function subscriptionIdProblem(id: string): string | null {
    if (!/^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/.test(id)) {
        return `subscription id ${nameText(id)} must be a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)`;
    }
    return null;
}

/**
 * An AWS region code: `us-east-1`, `eu-central-2`, `us-gov-west-1`, `ap-southeast-5`: two
 * letters, one or more lowercase words, a number (the shape of every region in the AWS
 * partitions' endpoints data, botocore endpoints.json `regionRegex`).
 */
export function awsRegionProblem(region: string): string | null {
    if (!/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(region)) return `AWS region ${nameText(region)} must be a region code such as us-east-1 or eu-west-2`;
    return null;
}

/** The default Key Vault secret name: the secret name lowercased, underscores as dashes. */
export function defaultKeyVaultSecretName(secret: string): string {
    return secret.toLowerCase().replace(/_/g, "-");
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function kubernetesNamespaceProblem(name: string): string | null {
    if (name.length > 63 || !DNS1123_LABEL.test(name)) {
        return `Kubernetes namespace ${nameText(name)} must be a DNS-1123 label: at most 63 lowercase letters, digits and "-", starting and ending alphanumeric`;
    }
    return null;
}

export function kubernetesObjectNameProblem(kind: string, name: string): string | null {
    if (name.length > 253 || !name.split(".").every((l) => DNS1123_LABEL.test(l))) {
        return `Kubernetes ${kind} name ${nameText(name)} must be a DNS-1123 subdomain: at most 253 lowercase letters, digits, "-" and ".", each part starting and ending alphanumeric`;
    }
    return null;
}

export function kubernetesSecretKeyProblem(key: string): string | null {
    if (key.length > 253 || !/^[-._a-zA-Z0-9]+$/.test(key) || key === "." || key === "..") {
        return `Kubernetes Secret key ${nameText(key)} must be at most 253 letters, digits, "-", "_" and "." (not "." or "..")`;
    }
    return reservedNameProblem(key);
}

export function dotenvKeyProblem(key: string): string | null {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
        return `.env key ${nameText(key)} must be letters, digits and underscores, not starting with a digit`;
    }
    return reservedNameProblem(key);
}

export function absolutePathProblem(path: string): string | null {
    if (!path.startsWith("/")) return `path ${nameText(path)} must be absolute`;
    if (path.endsWith("/")) return `path ${nameText(path)} names a directory, not a file`;
    if (/[\0\n]/.test(path)) return `path ${nameText(path)} contains a NUL or newline`;
    if (path.split("/").includes("..")) return `path ${nameText(path)} must not contain ".."`;
    // Linux: NAME_MAX 255 bytes per component, PATH_MAX 4096 bytes with the terminating NUL.
    const long = path.split("/").find((c) => Buffer.byteLength(c) > 255);
    if (long !== undefined) return `path ${nameText(path.slice(0, 60) + "…")} has a component over 255 bytes`;
    if (Buffer.byteLength(path) > 4095) return "path is over 4095 bytes";
    return null;
}

/** The one spelling of a path: `//` and `/./` collapsed, so that one file has one writer. */
export function normalPath(path: string): string {
    return path.replace(/\/+/g, "/").split("/").filter((c, i) => i === 0 || c !== ".").join("/");
}

const HOST_KEY_TYPES = [
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "ssh-rsa",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
];

/**
 * A host key as the command provider takes it (`type base64`; pulumi-command
 * provider/pkg/provider/remote/connection.go parses it with ssh.ParseAuthorizedKey and
 * pins it with ssh.FixedHostKey), from an OpenSSH public key line, or a line as
 * `ssh-keyscan` prints it (the host name first). null when it is not one.
 */
export function hostKeyOf(line: string): string | null {
    const fields = line.trim().split(/\s+/);
    const at = fields.findIndex((f) => HOST_KEY_TYPES.includes(f));
    if (at < 0 || at > 1 || fields.length < at + 2) return null;
    const [type, blob] = [fields[at], fields[at + 1]];
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(blob)) return null;
    // The key blob begins with its own type as an SSH string (uint32 length, then the name).
    const bytes = Buffer.from(blob, "base64");
    const length = bytes.length >= 4 ? bytes.readUInt32BE(0) : -1;
    if (length !== type.length || bytes.subarray(4, 4 + length).toString("latin1") !== type) return null;
    return `${type} ${blob}`;
}

export function hostKeyProblem(line: string): string | null {
    if (hostKeyOf(line) !== null) return null;
    return `is not an OpenSSH public host key line (get it with ssh-keyscan -t ed25519 HOST, or from the host's /etc/ssh/ssh_host_ed25519_key.pub; types: ${HOST_KEY_TYPES.join(", ")})`;
}

// Values that reach a command line as an argument: checked here so that a tool never takes
// one as an option, a connection string or a second argument, after the hooks already ran.

const ACCOUNT = "(?:[A-Za-z_][A-Za-z0-9_.-]{0,31}|[0-9]{1,10})";
/** chown's `user[:group]`; a leading dash would be an option (`--reference=F`). */
export function ownerProblem(owner: string): string | null {
    return new RegExp(`^${ACCOUNT}(?::${ACCOUNT})?$`).test(owner) ? null : `owner ${nameText(owner)} must be user or user:group (names or numeric ids), not starting with "-"`;
}

/**
 * A Postgres identifier rekey writes double-quoted (so its case is kept: `App` and `app` are
 * two roles) and as a literal inside a DO $$ … $$ block: no `$`, no quote.
 */
export function postgresIdentifierProblem(what: string, id: string): string | null {
    return /^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(id) ? null : `${what} ${nameText(id)} must be 1-63 letters, digits and underscores, not starting with a digit`;
}

/**
 * A MySQL/MariaDB user name as rekey writes it: a quoted string literal in ALTER USER and
 * in the processlist query of an incident, and a part of its step's name. MySQL takes at
 * most 32 characters (MySQL docs, "Grant Tables": User column CHAR(32)); MariaDB 80.
 * Letters, digits, _ . - $ keep it one spelling in the step's URN and in `rekey plan`.
 */
export function mysqlUserProblem(what: string, user: string): string | null {
    return /^[A-Za-z0-9_$][A-Za-z0-9_.$-]{0,31}$/.test(user) ? null : `${what} ${nameText(user)} must be 1-32 letters, digits and _ . - $, not starting with "." or "-"`;
}

/**
 * The host part of a MySQL account ('user'@'host'): a name, an address, a netmask
 * (`10.0.0.0/255.0.0.0`) or a pattern with `%` and `_` (MySQL docs, "Specifying Account
 * Names"); at most 255 characters.
 */
export function mysqlUserHostProblem(host: string): string | null {
    return /^[A-Za-z0-9_.:%/[\]-]{1,255}$/.test(host) ? null : `userHost ${nameText(host)} must be the host part of a MySQL account (a name, address, netmask or pattern with % and _), at most 255 characters`;
}

/** psql takes a -d value with `=` or a URI scheme as a connection string, which overrides host and port. */
export function postgresDatabaseProblem(db: string): string | null {
    if (/=|:\/\//.test(db)) return `database ${nameText(db)} is a connection string; give host, port and database separately`;
    if (db.startsWith("-") || /[\s\0]/.test(db) || Buffer.byteLength(db) > 63) return `database ${nameText(db)} must be a database name (at most 63 bytes, no white space, not starting with "-")`;
    return null;
}

/** A host name or address for psql, redis-cli or ssh: no white space, not starting with "-". */
export function hostNameProblem(host: string): string | null {
    return /^[A-Za-z0-9_.:[\]%-]+$/.test(host) && !host.startsWith("-") ? null : `host ${nameText(host)} must be a host name or address (letters, digits, . - : [ ] %), not starting with "-"`;
}

/** A verify URL that Node's http client takes: parsed with the WHATWG URL parser, http or https. */
export function verifyUrlProblem(url: string): string | null {
    try {
        const u = new URL(url);
        if (u.protocol !== "http:" && u.protocol !== "https:") return `${urlText(url)} is not an http(s) URL`;
        if (u.username || u.password) return `${urlText(url)} holds credentials; rekey prints verify URLs in plans and logs`;
        return null;
    } catch {
        return `${urlText(url)} is not a URL the WHATWG URL parser accepts`;
    }
}
