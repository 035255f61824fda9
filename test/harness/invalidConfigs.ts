// Invalid inventories, each with the problem it must be rejected for.
import { Config } from "./configs";

export interface ExpectedProblem {
    subject: string;
    field: string;
    reason: RegExp;
}

export interface InvalidCase {
    title: string;
    config: Config;
    /** The problem the case is about. With `also`, the whole list is exactly these: nothing more is reported. */
    expect: ExpectedProblem;
    also?: ExpectedProblem[];
}

const ok = { epoch: 1, generate: { encoding: "hex", bytes: 32 } };
/** A real ed25519 public key (the sample stacks' web1). */
export const HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILOFhqHYUIB+wUHsl5RcZz8iGVLADKC8DPORj1x1rEdJ";
const secrets = (s: Record<string, unknown>, extra: Config = {}): Config => ({ "rekey:secrets": s, ...extra });

/** Names every JavaScript object has: refused by name wherever a name becomes an object key. */
const RESERVED_CASES: InvalidCase[] = [
    ...["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"].map((name) => ({
        title: `secret named ${name}`,
        config: secrets({ [name]: ok }),
        expect: { subject: `secret ${name}`, field: "", reason: new RegExp(`"${name}" is reserved`) },
    })),
    ...["constructor", "toString"].map((name) => ({
        title: `consumer named ${name}`,
        config: secrets({ A: { ...ok, consumers: [name] } }, { "rekey:consumers": { [name]: { restart: "true" } } }),
        expect: { subject: `consumer ${name}`, field: "", reason: new RegExp(`"${name}" is reserved`) },
        // The refused consumer is not in the inventory, so the secret naming it names an unknown consumer.
        also: [{ subject: "secret A", field: "consumers", reason: new RegExp(`^unknown consumer "${name}" \\(not in rekey:consumers\\)$`) }],
    })),
    {
        title: "host named hasOwnProperty",
        config: secrets({ A: ok }, { "rekey:hosts": { hasOwnProperty: { host: "10.0.0.1", user: "deploy", hostKey: HOST_KEY } } }),
        expect: { subject: "host hasOwnProperty", field: "", reason: /"hasOwnProperty" is reserved/ },
    },
    ...["toString", "constructor", "__proto__", "hasOwnProperty"].map((filter) => ({
        title: `template filter ${filter}`,
        config: secrets({ A: ok, URL: { derive: `x{{A | ${filter}}}` } }),
        expect: { subject: "secret URL", field: "derive", reason: new RegExp(`unknown filter "${filter}"`) },
    })),
    {
        title: "Kubernetes Secret key __proto__",
        config: secrets({ A: { ...ok, stores: [{ kubernetes: { secret: "s", key: "__proto__" } }] } }),
        expect: { subject: "secret A", field: "stores[0].kubernetes.key", reason: /"__proto__" is reserved/ },
    },
    {
        title: ".env key constructor",
        config: secrets({ A: { ...ok, stores: [{ dotenv: { path: "/srv/.env", key: "constructor" } }] } }),
        expect: { subject: "secret A", field: "stores[0].dotenv.key", reason: /"constructor" is reserved/ },
    },
];

/** Hosts: every remote command pins a host key, so each host has a valid one. */
const HOST_CASES: InvalidCase[] = [
    {
        title: "a host without hostKey",
        config: secrets({ A: ok }, { "rekey:hosts": { web1: { host: "203.0.113.10", user: "deploy" } } }),
        expect: { subject: "host web1", field: "hostKey", reason: /is required/ },
    },
    ...[
        ["a private key pasted as hostKey", "-----BEGIN OPENSSH PRIVATE KEY-----"],
        ["a key whose blob names another type", HOST_KEY.replace("ssh-ed25519", "ssh-rsa")],
        ["a truncated blob", HOST_KEY.slice(0, 30)],
        ["an unknown key type", "ssh-dss AAAAB3NzaC1kc3MAAACBAP"],
        ["an empty hostKey", ""],
    ].map(([title, hostKey]) => ({
        title,
        config: secrets({ A: ok }, { "rekey:hosts": { web1: { host: "203.0.113.10", user: "deploy", hostKey } } }),
        expect: { subject: "host web1", field: "hostKey", reason: /is not an OpenSSH public host key line \(get it with ssh-keyscan/ },
    })),
];

/** Values that reach a command line as an argument: refused before any hook runs. */
const pg = (extra: Record<string, unknown>) => secrets({ DB: { ...ok, apply: { postgres: { host: "db", role: "app", ...extra } } } });
const verifyUrl = (url: string) => secrets({ A: { ...ok, consumers: ["api"] } }, { "rekey:consumers": { api: { restart: "true", verify: { url } } } });
const ARGUMENT_CASES: InvalidCase[] = [
    ...["--help", "--reference=/etc/shadow", "root:", "a b", "-1"].map((owner) => ({
        title: `file owner ${JSON.stringify(owner)}`,
        config: secrets({ A: { ...ok, stores: [{ file: { path: "/run/a", owner } }] } }),
        expect: { subject: "secret A", field: "stores[0].file.owner", reason: /must be user or user:group/ },
    })),
    ...["a$$b", "app; DROP", 'x"y', "1app"].map((role) => ({
        title: `postgres role ${JSON.stringify(role)}`,
        config: pg({ role }),
        expect: { subject: "secret DB", field: "apply.postgres", reason: /role .* must be 1-63 letters, digits and underscores/ },
    })),
    ...["postgresql://evil.example/db", "host=evil.example dbname=app", "-c", "a b"].map((database) => ({
        title: `postgres database ${JSON.stringify(database)}`,
        config: pg({ database }),
        expect: { subject: "secret DB", field: "apply.postgres.database", reason: /database .* (is a connection string|must be a database name)/ },
    })),
    {
        title: "postgres adminUser with a quote",
        config: pg({ adminUser: "post'gres" }),
        expect: { subject: "secret DB", field: "apply.postgres.adminUser", reason: /adminUser "post'gres" must be 1-63 letters/ },
    },
    ...["-oProxyCommand=touch /tmp/x", "db host", "--help"].map((host) => ({
        title: `postgres host ${JSON.stringify(host)}`,
        config: pg({ host }),
        expect: { subject: "secret DB", field: "apply.postgres.host", reason: /must be a host name or address/ },
    })),
    {
        title: "redis host starting with a dash",
        config: secrets({ R: { ...ok, apply: { redis: { host: "-h", user: "app" } } } }),
        expect: { subject: "secret R", field: "apply.redis.host", reason: /must be a host name or address/ },
    },
    {
        title: "ssh host that is an ssh option",
        config: secrets({ A: ok }, { "rekey:hosts": { web1: { host: "-oProxyCommand=id", user: "deploy", hostKey: HOST_KEY } } }),
        expect: { subject: "host web1", field: "host", reason: /must be a host name or address/ },
    },
    {
        title: "ssh user starting with a dash",
        config: secrets({ A: ok }, { "rekey:hosts": { web1: { host: "10.0.0.1", user: "-l", hostKey: HOST_KEY } } }),
        expect: { subject: "host web1", field: "user", reason: /must be a login name/ },
    },
    ...[
        ["http://[::1", /is not a URL the WHATWG URL parser accepts/],
        ["http://exa mple.com/", /is not a URL the WHATWG URL parser accepts/],
        ["ftp://example.com/health", /is not an http\(s\) URL/],
        ["https://user:token@example.com/health", /holds credentials/],
    ].map(([url, reason]) => ({
        title: `verify url ${url}`,
        config: verifyUrl(url as string),
        expect: { subject: "consumer api", field: "verify.url", reason: reason as RegExp },
    })),
];

/** Files: one spelling per path, one writer per file, paths the kernel accepts. */
const PATH_CASES: InvalidCase[] = [
    {
        title: "a file store and a .env store on one path",
        config: secrets({ A: { ...ok, stores: [{ dotenv: { path: "/x/app.env" } }] }, B: { ...ok, stores: [{ file: { path: "/x//app.env" } }] } }),
        expect: { subject: "secret B", field: "stores[0]", reason: /writes \/x\/app.env as a file store, which the dotenv store of secret A writes too: one file has one writer/ },
    },
    {
        title: "a .env path with ..",
        config: secrets({ A: { ...ok, stores: [{ dotenv: { path: "/srv/app/../etc/passwd" } }] } }),
        expect: { subject: "secret A", field: "stores[0].dotenv.path", reason: /must not contain "\.\."/ },
    },
    {
        title: "a file path component over 255 bytes",
        config: secrets({ A: { ...ok, stores: [{ file: { path: `/run/${"é".repeat(128)}` } }] } }),
        expect: { subject: "secret A", field: "stores[0].file.path", reason: /has a component over 255 bytes/ },
    },
    {
        title: "a relative file path",
        config: secrets({ A: { ...ok, stores: [{ file: { path: "run/token" } }] } }),
        expect: { subject: "secret A", field: "stores[0].file.path", reason: /must be absolute/ },
    },
];

/** revokeFirst: only beside an incident, and only where a postgres or redis hook set the credential. */
const REVOKE_FIRST_CASES: InvalidCase[] = [
    {
        title: "revokeFirst without an incident",
        config: secrets({ K: { ...ok, revokeFirst: true, apply: { redis: { host: "127.0.0.1", user: "app" } } } }),
        expect: { subject: "secret K", field: "revokeFirst", reason: /^only with incident: it revokes a leaked credential before the consumers restart \(rekey bump NAME --incident REASON --revoke-first writes both\)$/ },
    },
    {
        title: "revokeFirst on a command hook",
        config: secrets({ K: { ...ok, incident: "leaked", revokeFirst: true, keepPrevious: true, apply: { command: { run: "reencrypt" } } } }),
        expect: { subject: "secret K", field: "revokeFirst", reason: /^rekey revokes first only what a postgres or redis hook set: a command hook revokes in its own script \(it runs first, with REKEY_INCIDENT=1\); remove revokeFirst$/ },
    },
    {
        title: "revokeFirst on a secret without a hook",
        config: secrets({ K: { ...ok, incident: "leaked", revokeFirst: true } }),
        expect: { subject: "secret K", field: "revokeFirst", reason: /^rekey revokes first only what a postgres or redis hook set: this secret has no hook that rekey could revoke through; remove revokeFirst$/ },
    },
    {
        title: "revokeFirst that is not a boolean",
        config: secrets({ K: { ...ok, incident: "leaked", revokeFirst: "yes", apply: { redis: { host: "127.0.0.1", user: "app" } } } }),
        expect: { subject: "secret K", field: "revokeFirst", reason: /boolean/ },
    },
];

export const INVALID_CASES: InvalidCase[] = [
    ...RESERVED_CASES,
    ...HOST_CASES,
    ...ARGUMENT_CASES,
    ...PATH_CASES,
    ...REVOKE_FIRST_CASES,
    {
        title: "unknown key in a secret",
        config: secrets({ A: { ...ok, rotateAt: "2026-01-01" } }),
        expect: { subject: "secret A", field: "rotateAt", reason: /unknown key/ },
    },
    {
        title: "unknown rekey: config key",
        config: secrets({ A: ok }, { "rekey:secret": {} }),
        expect: { subject: "rekey:secret", field: "", reason: /unknown configuration key/ },
    },
    {
        title: "epoch of the wrong type",
        config: secrets({ A: { ...ok, epoch: "4" } }),
        expect: { subject: "secret A", field: "epoch", reason: /expected number, got the string "4"/ },
    },
    {
        title: "negative epoch",
        config: secrets({ A: { ...ok, epoch: -1 } }),
        expect: { subject: "secret A", field: "epoch", reason: /at least 0/ },
    },
    {
        title: "generated secret without epoch",
        config: secrets({ A: { generate: { encoding: "hex", bytes: 32 } } }),
        expect: { subject: "secret A", field: "epoch", reason: /is required for a generated secret/ },
    },
    {
        title: "no source",
        config: secrets({ A: { epoch: 1 } }),
        expect: { subject: "secret A", field: "", reason: /needs exactly one of generate, supplied or derive/ },
    },
    {
        title: "two sources",
        config: secrets({ A: { ...ok, supplied: true } }, { "rekey:supplied": { A: "x" } }),
        expect: { subject: "secret A", field: "", reason: /has generate and supplied/ },
    },
    {
        title: "unknown encoding",
        config: secrets({ A: { epoch: 1, generate: { encoding: "base32", bytes: 32 } } }),
        expect: { subject: "secret A", field: "generate.encoding", reason: /unknown encoding "base32"/ },
    },
    {
        title: "bytes below the range",
        config: secrets({ A: { epoch: 1, generate: { encoding: "hex", bytes: 8 } } }),
        expect: { subject: "secret A", field: "generate.bytes", reason: /must be 16-1024 bytes \(got 8\)/ },
    },
    {
        title: "length above the range",
        config: secrets({ A: { epoch: 1, generate: { encoding: "alphanumeric", length: 5000 } } }),
        expect: { subject: "secret A", field: "generate.length", reason: /must be 16-1024 characters \(got 5000\)/ },
    },
    {
        title: "htpasswd longer than bcrypt reads",
        config: secrets({ A: { epoch: 1, generate: { encoding: "htpasswd", user: "admin", length: 100 } } }),
        expect: { subject: "secret A", field: "generate.length", reason: /bcrypt ignores anything past 72/ },
    },
    {
        title: "field the encoding does not use",
        config: secrets({ A: { epoch: 1, generate: { encoding: "fernet", bytes: 16 } } }),
        expect: { subject: "secret A", field: "generate.bytes", reason: /Fernet key is always 32 bytes/ },
    },
    {
        title: "password minimums above the length",
        config: secrets({ A: { epoch: 1, generate: { encoding: "password", length: 16, minUpper: 10, minNumeric: 10 } } }),
        expect: { subject: "secret A", field: "generate", reason: /minimums add up to 20, more than length 16/ },
    },
    {
        title: "minLength the encoding cannot meet",
        config: secrets({ A: { epoch: 1, generate: { encoding: "hex", bytes: 16 }, minLength: 64 } }),
        expect: { subject: "secret A", field: "minLength", reason: /gives 32 characters, fewer than minLength 64/ },
    },
    {
        title: "unknown consumer",
        config: secrets({ A: { ...ok, consumers: ["api"] } }),
        expect: { subject: "secret A", field: "consumers", reason: /unknown consumer "api"/ },
    },
    {
        title: "after names an unknown consumer",
        config: secrets({ A: ok }, { "rekey:consumers": { api: { restart: "true", after: ["redis"] } } }),
        expect: { subject: "consumer api", field: "after", reason: /unknown consumer "redis"/ },
    },
    {
        title: "cycle in after",
        config: secrets(
            { A: ok },
            {
                "rekey:consumers": {
                    api: { restart: "true", after: ["worker"] },
                    worker: { restart: "true", after: ["api"] },
                },
            },
        ),
        expect: { subject: "rekey:consumers", field: "after", reason: /cycle: api -> worker -> api/ },
    },
    {
        title: "cycle in derive",
        config: secrets({ A: { derive: "{{B}}x" }, B: { derive: "{{A}}y" } }),
        expect: { subject: "rekey:secrets", field: "derive", reason: /cycle: A -> B -> A/ },
    },
    {
        title: "derive names an unknown secret",
        config: secrets({ URL: { derive: "redis://:{{REDIS_PASSWORD}}@redis" } }),
        expect: { subject: "secret URL", field: "derive", reason: /unknown secret "REDIS_PASSWORD"/ },
    },
    {
        title: "malformed derive template",
        config: secrets({ A: ok, URL: { derive: "redis://:{{A@redis" } }),
        expect: { subject: "secret URL", field: "derive", reason: /malformed placeholder/ },
    },
    {
        title: "SSM name AWS rejects",
        config: secrets({ A: { ...ok, stores: [{ ssm: { name: "/prod/db password" } }] } }),
        expect: { subject: "secret A", field: "stores[0].ssm.name", reason: /may contain only letters, digits/ },
    },
    {
        title: "SSM name with the reserved aws prefix",
        config: secrets({ A: { ...ok, stores: [{ ssm: { prefix: "/aws/" } }] } }),
        expect: { subject: "secret A", field: "stores[0].ssm.prefix", reason: /reserved by AWS/ },
    },
    {
        title: "SSM hierarchy without a leading slash",
        config: secrets({ A: { ...ok, stores: [{ ssm: { prefix: "prod/" } }] } }),
        expect: { subject: "secret A", field: "stores[0].ssm.prefix", reason: /hierarchy and must start with "\/"/ },
    },
    {
        title: "Key Vault secret name with underscores",
        config: secrets({ A: { ...ok, stores: [{ keyVault: { name: "db_password", vault: "kv-prod", resourceGroup: "rg" } }] } }),
        expect: { subject: "secret A", field: "stores[0].keyVault.name", reason: /1-127 letters, digits and dashes/ },
    },
    {
        title: "one SSM parameter name in two regions (one resource name)",
        config: secrets({ A: { ...ok, stores: [{ ssm: { name: "/x/A", region: "us-east-1" } }] }, B: { ...ok, stores: [{ ssm: { name: "/x/A", region: "eu-west-1" } }] } }),
        expect: { subject: "secret B", field: "stores[0]", reason: /^would be a resource named ssm:\/x\/A like a store of secret A: Pulumi needs one name per resource/ },
    },
    {
        title: "Key Vault without a vault",
        config: secrets({ A: { ...ok, stores: [{ keyVault: {} }] } }),
        expect: { subject: "secret A", field: "stores[0].keyVault.vault", reason: /is required/ },
        also: [{ subject: "secret A", field: "stores[0].keyVault.resourceGroup", reason: /^is required \(here or in rekey:defaults\.keyVault\.resourceGroup\)$/ }],
    },
    {
        title: "Kubernetes Secret name that is not DNS-1123",
        config: secrets({ A: { ...ok, stores: [{ kubernetes: { secret: "App_Secrets" } }] } }),
        expect: { subject: "secret A", field: "stores[0].kubernetes.secret", reason: /DNS-1123 subdomain/ },
    },
    {
        title: "Kubernetes Secret key with a slash",
        config: secrets({ A: { ...ok, stores: [{ kubernetes: { secret: "app", key: "db/password" } }] } }),
        expect: { subject: "secret A", field: "stores[0].kubernetes.key", reason: /Kubernetes Secret key "db\/password"/ },
    },
    {
        title: ".env key with a dash",
        config: secrets({ A: { ...ok, stores: [{ dotenv: { path: "/srv/app/.env", key: "DB-PASSWORD" } }] } }),
        expect: { subject: "secret A", field: "stores[0].dotenv.key", reason: /\.env key "DB-PASSWORD"/ },
    },
    {
        title: "supplied secret without a value",
        config: secrets({ OPENAI_API_KEY: { epoch: 1, supplied: true } }),
        expect: { subject: "secret OPENAI_API_KEY", field: "supplied", reason: /no value in rekey:supplied.OPENAI_API_KEY/ },
    },
    {
        title: "adopt at an epoch other than 0",
        config: secrets({ K: { epoch: 2, generate: { encoding: "hex", bytes: 16 }, adopt: true } }, { "rekey:supplied": { K: "v" } }),
        expect: { subject: "secret K", field: "adopt", reason: /^is valid only at epoch 0 \(the value in use before rekey\), and this secret is at epoch 2: remove the adopt line \(rekey bump from epoch 0 removes it\)$/ },
    },
    {
        title: "adopt without the value in use",
        config: secrets({ K: { epoch: 0, generate: { encoding: "hex", bytes: 16 }, adopt: true } }),
        expect: { subject: "secret K", field: "adopt", reason: /^needs the value in use today in rekey:supplied\.K: set it with pulumi config set --secret --path 'supplied\.K'$/ },
    },
    {
        title: "adopt on a supplied secret",
        config: secrets({ K: { epoch: 0, supplied: true, adopt: true } }, { "rekey:supplied": { K: "v" } }),
        expect: { subject: "secret K", field: "adopt", reason: /^a supplied secret's value is already the one in rekey:supplied; adopt is for a generated secret/ },
    },
    {
        title: "adopt on a derived secret",
        config: secrets({ A: { epoch: 0, generate: { encoding: "hex", bytes: 16 } }, URL: { derive: "x{{A}}", adopt: true } }),
        expect: { subject: "secret URL", field: "adopt", reason: /^a derived secret follows its inputs: adopt the secrets it is derived from$/ },
    },
    {
        title: "a supplied value for a derived secret",
        config: secrets({ A: { epoch: 0, generate: { encoding: "hex", bytes: 16 } }, URL: { derive: "x{{A}}" } }, { "rekey:supplied": { URL: "v" } }),
        expect: { subject: "rekey:supplied.URL", field: "", reason: /^has a value but no secret URL with supplied: true or adopt: true uses it$/ },
    },
    {
        title: "an incident without its reason",
        config: secrets({ K: { epoch: 3, generate: { encoding: "hex", bytes: 16 }, incident: " " } }),
        expect: { subject: "secret K", field: "incident", reason: /^needs the reason \(what leaked, how\): it goes into the rotation record$/ },
    },
    {
        title: "an incident reason over two lines",
        config: secrets({ K: { epoch: 3, generate: { encoding: "hex", bytes: 16 }, incident: "leaked\nin a log" } }),
        expect: { subject: "secret K", field: "incident", reason: /^must be one line$/ },
    },
    {
        title: "an incident on a derived secret",
        config: secrets({ A: ok, URL: { derive: "x{{A}}", incident: "leaked" } }),
        expect: { subject: "secret URL", field: "incident", reason: /^a derived secret follows its inputs: rotate the leaked input with rekey bump --incident$/ },
    },
    {
        title: "an incident on an adopted secret",
        config: secrets({ K: { epoch: 0, generate: { encoding: "hex", bytes: 16 }, adopt: true, incident: "leaked" } }, { "rekey:supplied": { K: "v" } }),
        expect: { subject: "secret K", field: "incident", reason: /^an adopted value is the one in use: rotate it away/ },
    },
    {
        title: "keepPrevious on a supplied secret",
        config: secrets({ K: { epoch: 1, supplied: true, keepPrevious: true } }, { "rekey:supplied": { K: "v" } }),
        expect: { subject: "secret K", field: "keepPrevious", reason: /no previous value/ },
    },
    {
        title: "two secrets write the same key",
        config: secrets({
            A: { ...ok, stores: [{ kubernetes: { secret: "app", key: "TOKEN" } }] },
            B: { ...ok, stores: [{ kubernetes: { secret: "app", key: "TOKEN" } }] },
        }),
        expect: { subject: "secret B", field: "stores[0]", reason: /which secret A writes too/ },
    },
    {
        title: "PREVIOUS variant collides with another secret",
        config: secrets({
            A: { ...ok, keepPrevious: true, stores: [{ ssm: { prefix: "/p/" } }] },
            A_PREVIOUS: { ...ok, stores: [{ ssm: { prefix: "/p/" } }] },
        }),
        expect: { subject: "secret A_PREVIOUS", field: "stores[0]", reason: /SSM parameter \/p\/A_PREVIOUS, which secret A writes too/ },
    },
    {
        title: "store entry naming two kinds",
        config: secrets({ A: { ...ok, stores: [{ ssm: {}, file: { path: "/run/secrets/a" } }] } }),
        expect: { subject: "secret A", field: "stores[0]", reason: /names ssm and file/ },
    },
    {
        title: "dotenv on an unknown host",
        config: secrets({ A: { ...ok, stores: [{ dotenv: { host: "web9", path: "/srv/.env" } }] } }),
        expect: { subject: "secret A", field: "stores[0].dotenv.host", reason: /unknown host "web9"/ },
    },
    {
        title: "host without an SSH key",
        config: secrets(
            { A: { ...ok, stores: [{ file: { host: "web1", path: "/run/secrets/a" } }] } },
            { "rekey:hosts": { web1: { host: "203.0.113.10", user: "deploy", hostKey: HOST_KEY } } },
        ),
        expect: { subject: "host web1", field: "", reason: /no SSH private key/ },
    },
    {
        title: "relative file path",
        config: secrets({ A: { ...ok, stores: [{ file: { path: "secrets/a" } }] } }),
        expect: { subject: "secret A", field: "stores[0].file.path", reason: /must be absolute/ },
    },
    {
        title: "rotatedAt that is not a date",
        config: secrets({ A: { ...ok, rotatedAt: "2 Oct 2026" } }),
        expect: { subject: "secret A", field: "rotatedAt", reason: /^"2 Oct 2026" is not a date written YYYY-MM-DD$/ },
    },
    {
        title: "rotatedAt on a day that does not exist",
        config: secrets({ A: { ...ok, rotatedAt: "2026-02-30" } }),
        expect: { subject: "secret A", field: "rotatedAt", reason: /^"2026-02-30" is a date that does not exist$/ },
    },
    {
        title: "consumer with both kubernetes and restart",
        config: secrets({ A: ok }, { "rekey:consumers": { api: { kubernetes: { deployment: "api" }, restart: "x" } } }),
        expect: { subject: "consumer api", field: "", reason: /exactly one of kubernetes or restart/ },
    },
    {
        title: "verify with both url and command",
        config: secrets({ A: ok }, { "rekey:consumers": { api: { restart: "x", verify: { url: "http://a", command: "true" } } } }),
        expect: { subject: "consumer api", field: "verify", reason: /exactly one of url or command/ },
    },
    {
        title: "postgres hook with role and roles",
        config: secrets({ A: { ...ok, apply: { postgres: { host: "db", role: "a", roles: ["a", "b"] } } } }),
        expect: { subject: "secret A", field: "apply.postgres", reason: /exactly one of role or roles/ },
    },
    {
        title: "admin password from a generated secret",
        config: secrets({ ADMIN: ok, A: { ...ok, apply: { postgres: { host: "db", role: "app", adminPasswordSecret: "ADMIN" } } } }),
        expect: { subject: "secret A", field: "apply.postgres.adminPasswordSecret", reason: /must be a supplied secret/ },
    },
    {
        title: "Redis ACL user with a space",
        config: secrets({ R: { ...ok, apply: { redis: { user: "app user" } } } }),
        expect: { subject: "secret R", field: "apply.redis.user", reason: /ACL user "app user" must be/ },
    },
    {
        title: "command hook without keepPrevious",
        config: secrets({ KEY: { ...ok, apply: { command: { run: "reencrypt" } } } }),
        expect: { subject: "secret KEY", field: "apply.command", reason: /gets OLD_VALUE, which rekey has only with keepPrevious/ },
    },
    {
        title: "supplied value nobody uses",
        config: secrets({ A: ok }, { "rekey:supplied": { OLD_KEY: "v" } }),
        expect: { subject: "rekey:supplied.OLD_KEY", field: "", reason: /no secret OLD_KEY with supplied: true/ },
    },
    {
        title: "secret name that is not an env key",
        config: secrets({ "jwt-secret": ok }),
        expect: { subject: "secret jwt-secret", field: "", reason: /letters, digits and underscores/ },
    },
    {
        title: "typed Secret with a foreign key",
        config: secrets({ CERT: { ...ok, stores: [{ kubernetes: { secret: "origin-cert", type: "kubernetes.io/tls", key: "cert.pem" } }] } }),
        expect: { subject: "secret CERT", field: "stores[0].kubernetes.key", reason: /holds only tls.crt, tls.key/ },
    },
];
