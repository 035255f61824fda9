// The hostile corpus: invalid inventories, each with the problem it must be rejected for.
// test/plan/validation.test.ts holds the planner to each problem, exactly;
// test/underMocks/invalidConfig.test.ts holds pulumi up to it with zero resources registered;
// test/plan/noValueInMessages.test.ts injects markers into every case and finds none in any
// message. The classes, by array:
//   RESERVED_CASES      names every JavaScript object has (__proto__, constructor, …)
//   HOST_CASES          SSH hosts without a valid pinned key
//   ARGUMENT_CASES      values that would become command-line options or break quoting
//   PATH_CASES          paths that escape or collide
//   OWNER_CASES         one credential, two owners (a Postgres role or Redis user of one server)
//   SECRECY_CASES       a pasted password where a boolean, number, enum, date or name belongs;
//                       credentials in URLs and connection strings: described, never shown
//   DEEP_CASES          values nested thousands deep: one named problem, never a stack overflow
//   REVOKE_FIRST_CASES  revokeFirst without an incident, or on a hook that cannot revoke
//   PROOF_CASES         a verify's proof key that is not a generated secret its consumer reads
//                       from a store, proof with nothing to prove or on a command verify
//   CLOUD_ID_CASES      values that become part of a cloud resource id or a provider's name
//                       (resource group, subscription id, AWS region, vault): a `/`, `?` or
//                       line break there names another resource
// Classes that live in the stack file's text rather than in the inventory are held where the
// CLI reads it: test/cli/engineYaml.test.ts (what yaml.v3 reads otherwise: control
// characters, merge keys, plain timestamps, typed keys, edits through anchors, bidi and
// terminal controls in output), test/cli/hostileStackFiles.test.ts (line breaks, alias
// bombs, non-UTF-8, files that are not regular, YAML errors that quote the input),
// test/cli/deepGraphs.test.ts (12,000-long chains), test/cli/project.test.ts (keys without a
// namespace), test/cli/import.test.ts and init.test.ts (files the CLI writes), and a
// Rotation's args in test/underMocks/rotationArgs.test.ts (Maps, class instances, Outputs).
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

/** `issue:` (components/plan/issueKinds/): each refusal by name. */
const issued = { epoch: 1, issue: { awsAccessKey: { user: "ci-deployer" } } };
const ISSUE_CASES: InvalidCase[] = [
    {
        title: "issue and generate",
        config: secrets({ K: { ...issued, generate: ok.generate } }),
        expect: { subject: "secret K", field: "", reason: /has generate and issue: exactly one of generate, supplied, derive or issue/ },
    },
    {
        title: "issue with no kind",
        config: secrets({ K: { epoch: 1, issue: {} } }),
        expect: { subject: "secret K", field: "issue", reason: /needs exactly one of awsAccessKey or azureAppSecret/ },
    },
    {
        title: "issue with an unknown kind",
        config: secrets({ K: { epoch: 1, issue: { gcpServiceAccountKey: { account: "ci" } } } }),
        expect: { subject: "secret K", field: "issue.gcpServiceAccountKey", reason: /^unknown key$/ },
    },
    {
        title: "IAM user that IAM refuses",
        config: secrets({ K: { epoch: 1, issue: { awsAccessKey: { user: "ci deployer" } } } }),
        expect: { subject: "secret K", field: "issue.awsAccessKey.user", reason: /^IAM user \(a string of 11 characters, not shown\) must be 1-64 letters, digits and _\+=,\.@-/ },
    },
    {
        title: "issued secret without an epoch",
        config: secrets({ K: { issue: { awsAccessKey: { user: "ci" } } } }),
        expect: { subject: "secret K", field: "epoch", reason: /is required for an issued secret/ },
    },
    {
        title: "adopt on an issued secret",
        config: secrets({ K: { ...issued, epoch: 0, adopt: true } }, { "rekey:supplied": { K: "v" } }),
        expect: { subject: "secret K", field: "adopt", reason: /secret is given only when IAM creates the key/ },
        also: [{ subject: "rekey:supplied.K", field: "", reason: /no secret K with supplied: true or adopt: true uses it/ }],
    },
    {
        title: "apply hook on an issued secret",
        config: secrets({ K: { ...issued, apply: { command: { run: "true" } } } }),
        expect: { subject: "secret K", field: "apply", reason: /takes no apply hook/ },
    },
    {
        title: "minLength on an issued secret",
        config: secrets({ K: { ...issued, minLength: 40 } }),
        expect: { subject: "secret K", field: "minLength", reason: /the provider decides an issued value's length/ },
    },
    {
        title: "revokeFirst on an issued secret",
        config: secrets({ K: { ...issued, incident: "leaked", revokeFirst: true } }),
        expect: { subject: "secret K", field: "revokeFirst", reason: /revoked after the consumers verified/ },
    },
    {
        title: "app registration given by something that is not its object ID",
        config: secrets({ K: { epoch: 1, cadenceDays: 90, issue: { azureAppSecret: { applicationId: "notes-app" } } } }),
        expect: { subject: "secret K", field: "issue.azureAppSecret.applicationId", reason: /^must be the app registration's object ID, a UUID \(az ad app show --id <client id> --query id -o tsv\); got "notes-app"$/ },
    },
    {
        title: "app client secret without a cadence",
        config: secrets({ K: { epoch: 1, issue: { azureAppSecret: { applicationId: "3f2a9c4e-8b1d-4e6f-9a7c-2d5e8f1b3c6a" } } } }),
        expect: { subject: "secret K", field: "cadenceDays", reason: /is required with issue.azureAppSecret: a client secret expires/ },
    },
    {
        title: "adopt on an app client secret",
        config: secrets({ K: { epoch: 0, adopt: true, cadenceDays: 90, issue: { azureAppSecret: { applicationId: "3f2a9c4e-8b1d-4e6f-9a7c-2d5e8f1b3c6a" } } } }, { "rekey:supplied": { K: "v" } }),
        expect: { subject: "secret K", field: "adopt", reason: /shows a client secret's value only when it adds it/ },
        also: [{ subject: "rekey:supplied.K", field: "", reason: /no secret K with supplied: true or adopt: true uses it/ }],
    },
    {
        title: "two secrets issuing keys of one IAM user",
        config: secrets({ K1: issued, K2: { ...issued, epoch: 3 } }),
        expect: { subject: "secret K2", field: "issue.awsAccessKey", reason: /IAM user "ci-deployer" already issues the two slots of secret K1/ },
    },
    {
        // IAM User Guide, "IAM identifiers" (friendly names): user names are not distinguished by case.
        title: "two secrets issuing keys of one IAM user spelled in two cases",
        config: secrets({ K1: issued, K2: { epoch: 3, issue: { awsAccessKey: { user: "CI-Deployer" } } } }),
        expect: { subject: "secret K2", field: "issue.awsAccessKey", reason: /IAM user "CI-Deployer" is IAM user "ci-deployer" of secret K1 \(IAM user names are not distinguished by case\)/ },
    },
    {
        // terraform-provider-azuread 3.x drops end_date_relative (internal/helpers/credentials/credentials.go:
        // PasswordCredentialForResource sets it, PasswordCredential never reads it; hashicorp/terraform-provider-azuread#1424),
        // so Entra ID gives every client secret Graph addPassword's default endDateTime, startDateTime + 2 years.
        title: "an app client secret whose two cadences outlast Entra ID's two years",
        config: secrets({ K: { epoch: 1, cadenceDays: 366, issue: { azureAppSecret: { applicationId: "3f2a9c4e-8b1d-4e6f-9a7c-2d5e8f1b3c6a" } } } }),
        expect: { subject: "secret K", field: "cadenceDays", reason: /^must be at most 365 with issue.azureAppSecret: a client secret serves two cadences.*two years/ },
    },
    {
        // IAM API CreateUser, UserName: 1-64 characters (CreateAccessKey's own field allows 128, but no user has a longer name).
        title: "an IAM user name longer than IAM allows",
        config: secrets({ K: { epoch: 1, issue: { awsAccessKey: { user: "u".repeat(65) } } } }),
        expect: { subject: "secret K", field: "issue.awsAccessKey.user", reason: /must be 1-64 letters, digits and _\+=,\.@- \(IAM CreateUser UserName\)/ },
    },
];

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
        expect: { subject: "secret DB", field: "apply.postgres.adminUser", reason: /^adminUser \(a string of 9 characters, not shown\) must be 1-63 letters/ },
    },
    // A Unix socket directory is not a host: the hooks, and one-server comparison, take names and addresses only.
    ...["-oProxyCommand=touch /tmp/x", "db host", "--help", "/var/run/postgresql"].map((host) => ({
        title: `postgres host ${JSON.stringify(host)}`,
        config: pg({ host }),
        expect: { subject: "secret DB", field: "apply.postgres.host", reason: /must be a host name or address/ },
    })),
    ...["app'x", "a b", "-app", ".app", "ap;p", "a".repeat(33), "app\nx"].map((user) => ({
        title: `mysql user ${JSON.stringify(user)}`,
        config: secrets({ DB: { ...ok, apply: { mysql: { host: "db", user } } } }),
        expect: { subject: "secret DB", field: "apply.mysql.user", reason: /^user .* must be 1-32 letters, digits and _ \. - \$/ },
    })),
    {
        title: "mysql users with a quote",
        config: secrets({ DB: { ...ok, apply: { mysql: { host: "db", users: ["app", "o'app"] } } } }),
        expect: { subject: "secret DB", field: "apply.mysql.users", reason: /^user .* must be 1-32 letters/ },
    },
    ...[["the same user twice", ["app", "app"]], ["three users", ["a", "b", "c"]]].map(([title, users]) => ({
        title: `mysql users: ${title}`,
        config: secrets({ DB: { ...ok, apply: { mysql: { host: "db", users } } } }),
        expect: { subject: "secret DB", field: "apply.mysql.users", reason: /^lists exactly two different users, which alternate by epoch$/ },
    })),
    {
        title: "mysql with both user and users",
        config: secrets({ DB: { ...ok, apply: { mysql: { host: "db", user: "a", users: ["b", "c"] } } } }),
        expect: { subject: "secret DB", field: "apply.mysql", reason: /^needs exactly one of user or users$/ },
    },
    {
        // The clients take localhost for their Unix socket and ignore the port (components/plan/resolveHooks.ts).
        title: "mysql host localhost with a port other than 3306",
        config: secrets({ DB: { ...ok, apply: { mysql: { host: "localhost", port: 3307, user: "app" } } } }),
        expect: { subject: "secret DB", field: "apply.mysql.port", reason: /^3307 is not used with host localhost: .* give host 127\.0\.0\.1 \(or ::1\) to reach port 3307 over TCP$/ },
    },
    ...["10.0.0.1' OR '1", "a b", "h\n", "%".repeat(256)].map((userHost) => ({
        title: `mysql userHost ${JSON.stringify(userHost)}`,
        config: secrets({ DB: { ...ok, apply: { mysql: { host: "db", user: "app", userHost } } } }),
        expect: { subject: "secret DB", field: "apply.mysql.userHost", reason: /must be the host part of a MySQL account/ },
    })),
    {
        title: "mysql adminUser with a quote",
        config: secrets({ DB: { ...ok, apply: { mysql: { host: "db", user: "app", adminUser: "ro'ot" } } } }),
        expect: { subject: "secret DB", field: "apply.mysql.adminUser", reason: /^adminUser \(a string of 5 characters, not shown\) must be 1-32 letters/ },
    },
    {
        title: "mysql host starting with a dash",
        config: secrets({ DB: { ...ok, apply: { mysql: { host: "--defaults-file=/tmp/x", user: "app" } } } }),
        expect: { subject: "secret DB", field: "apply.mysql.host", reason: /must be a host name or address/ },
    },
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

/** One owner per credential: a Postgres role or Redis ACL user on one server is set by one secret; both secrets report. */
const pgHook = (postgres: Record<string, unknown>) => ({ ...ok, apply: { postgres } });
const redisHook = (redis: Record<string, unknown>) => ({ ...ok, apply: { redis } });
const owned = (secret: string, field: string, text: string) => ({ subject: `secret ${secret}`, field, reason: new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: one (role|user), one secret \\(`) });
const mysqlHook = (mysql: Record<string, unknown>) => ({ ...ok, apply: { mysql } });
const OWNER_CASES: InvalidCase[] = [
    {
        // The owner is the user name on the server, whatever the account's host part (credentials.ts).
        title: "two secrets set one MySQL user (two host patterns, one server through two spellings)",
        config: secrets({ A: mysqlHook({ host: "127.0.0.1", users: ["app_a", "app_b"] }), B: mysqlHook({ host: "localhost", port: 3306, user: "app_b", userHost: "10.%" }) }),
        expect: owned("A", "apply.mysql.users", 'MySQL user "app_b" on 127.0.0.1:3306 is also set by secret B (as localhost, the same server)'),
        also: [owned("B", "apply.mysql.user", 'MySQL user "app_b" on localhost:3306 is also set by secret A (as 127.0.0.1, the same server)')],
    },
    {
        title: "a mysql hook logging in as a MySQL user another secret rotates, with a supplied admin password",
        config: secrets({ OPS: mysqlHook({ host: "db", user: "ops" }), APP: mysqlHook({ host: "db", user: "app", adminUser: "ops", adminPasswordSecret: "ADMIN" }), ADMIN: { supplied: true } }, { "rekey:supplied": { ADMIN: "x" } }),
        expect: { subject: "secret APP", field: "apply.mysql.adminPasswordSecret", reason: /^"ADMIN" is the password of MySQL user "ops" on db:3306, the admin of this hook, which secret OPS rotates/ },
    },
    {
        title: "two secrets set one Postgres role",
        config: secrets({ A: pgHook({ host: "db", role: "app" }), B: pgHook({ host: "db", role: "app" }) }),
        expect: owned("A", "apply.postgres.role", 'Postgres role "app" on db:5432 is also set by secret B'),
        also: [owned("B", "apply.postgres.role", 'Postgres role "app" on db:5432 is also set by secret A')],
    },
    {
        // The issue's case: epoch 0 sets app_blue, and the first bump of A would set app_green too.
        title: "a role in one secret's role and in another's pair (they meet only after a bump)",
        config: secrets({ A: pgHook({ host: "db", roles: ["app_blue", "app_green"] }), B: pgHook({ host: "db", role: "app_green" }) }),
        expect: owned("A", "apply.postgres.roles", 'Postgres role "app_green" on db:5432 is also set by secret B'),
        also: [owned("B", "apply.postgres.role", 'Postgres role "app_green" on db:5432 is also set by secret A')],
    },
    {
        title: "two role pairs overlapping in one role (a,b and b,c)",
        config: secrets({ A: pgHook({ host: "db", roles: ["app_a", "app_b"] }), B: pgHook({ host: "db", roles: ["app_b", "app_c"] }) }),
        expect: owned("A", "apply.postgres.roles", 'Postgres role "app_b" on db:5432 is also set by secret B'),
        also: [owned("B", "apply.postgres.roles", 'Postgres role "app_b" on db:5432 is also set by secret A')],
    },
    {
        title: "one role through localhost, ::1 and 127.0.0.1 (the default port spelled out once)",
        config: secrets({
            A: pgHook({ host: "localhost", role: "app" }),
            B: pgHook({ host: "::1", port: 5432, role: "app" }),
            C: pgHook({ host: "127.0.0.1", role: "app" }),
        }),
        expect: owned("A", "apply.postgres.role", 'Postgres role "app" on localhost:5432 is also set by secret B (as ::1, the same server) and secret C (as 127.0.0.1, the same server)'),
        also: [
            owned("B", "apply.postgres.role", 'Postgres role "app" on [::1]:5432 is also set by secret A (as localhost, the same server) and secret C (as 127.0.0.1, the same server)'),
            owned("C", "apply.postgres.role", 'Postgres role "app" on 127.0.0.1:5432 is also set by secret A (as localhost, the same server) and secret B (as ::1, the same server)'),
        ],
    },
    {
        title: "one role on a DNS name in another case and with the root's trailing dot",
        config: secrets({ A: pgHook({ host: "DB.Example.com.", role: "app" }), B: pgHook({ host: "db.example.com", role: "app" }) }),
        expect: owned("A", "apply.postgres.role", 'Postgres role "app" on DB.Example.com.:5432 is also set by secret B (as db.example.com, the same server)'),
        also: [owned("B", "apply.postgres.role", 'Postgres role "app" on db.example.com:5432 is also set by secret A (as DB.Example.com., the same server)')],
    },
    {
        // Roles are global across a database cluster (PostgreSQL docs, "Database Roles").
        title: "one role set through two databases of one server",
        config: secrets({ A: pgHook({ host: "db", role: "app", database: "orders" }), B: pgHook({ host: "db", role: "app", database: "billing", adminUser: "admin" }) }),
        expect: owned("A", "apply.postgres.role", 'Postgres role "app" on db:5432 is also set by secret B'),
        also: [owned("B", "apply.postgres.role", 'Postgres role "app" on db:5432 is also set by secret A')],
    },
    {
        title: "two secrets set one Redis ACL user (the default host and port, then spelled out)",
        config: secrets({ A: redisHook({ user: "app" }), B: redisHook({ host: "[::1]", port: 6379, user: "app" }) }),
        expect: owned("A", "apply.redis.user", 'Redis ACL user "app" on 127.0.0.1:6379 is also set by secret B (as [::1], the same server)'),
        also: [owned("B", "apply.redis.user", 'Redis ACL user "app" on [::1]:6379 is also set by secret A (as 127.0.0.1, the same server)')],
    },
    {
        title: "a hook logging in as a role another secret rotates, with a supplied admin password",
        config: secrets({ OPS: pgHook({ host: "db", role: "ops_admin" }), APP: pgHook({ host: "db", role: "app", adminUser: "ops_admin", adminPasswordSecret: "ADMIN" }), ADMIN: { supplied: true } }, { "rekey:supplied": { ADMIN: "x" } }),
        expect: {
            subject: "secret APP",
            field: "apply.postgres.adminPasswordSecret",
            reason: /^"ADMIN" is the password of Postgres role "ops_admin" on db:5432, the admin of this hook, which secret OPS rotates: a supplied secret is never updated, so after that rotation this hook cannot log in\./,
        },
    },
    {
        title: "a hook rotating the role it logs in as with a supplied admin password",
        config: secrets({ PG: pgHook({ host: "db", role: "postgres", adminPasswordSecret: "ADMIN" }), ADMIN: { supplied: true } }, { "rekey:supplied": { ADMIN: "x" } }),
        expect: { subject: "secret PG", field: "apply.postgres.adminPasswordSecret", reason: /^"ADMIN" is the password of Postgres role "postgres" on db:5432, the admin of this hook, which this secret rotates/ },
    },
    {
        title: "a Redis hook without adminUser logs in as default, which another secret rotates",
        config: secrets({ DEFAULT: redisHook({ user: "default" }), APP: redisHook({ host: "localhost", user: "app", adminPasswordSecret: "ADMIN" }), ADMIN: { supplied: true } }, { "rekey:supplied": { ADMIN: "x" } }),
        expect: {
            subject: "secret APP",
            field: "apply.redis.adminPasswordSecret",
            reason: /^"ADMIN" is the password of Redis ACL user "default" \(no adminUser: the password alone logs in as default\) on localhost:6379, the admin of this hook, which secret DEFAULT \(as 127\.0\.0\.1, the same server\) rotates/,
        },
    },
];

/**
 * A value pasted where a boolean, number, enum, date or name belongs, and credentials in a
 * URL or a connection string: each named by subject, field and reason, and the value
 * described (its type and length), never shown (components/plan/shown.ts).
 */
const PASTED = "Hx7!pasted-pa55word";
const n = PASTED.length;
const SECRECY_CASES: InvalidCase[] = [
    ...(
        [
            ["adopt", "boolean"],
            ["keepPrevious", "boolean"],
            ["epoch", "number"],
            ["cadenceDays", "number"],
            ["minLength", "number"],
        ] as const
    ).map(([field, type]) => ({
        title: `a password pasted as ${field}`,
        config: secrets({ K: { ...ok, [field]: PASTED } }),
        expect: { subject: "secret K", field, reason: new RegExp(`^expected ${type}, got a string of ${n} characters$`) },
    })),
    {
        title: "a password pasted as supplied (a literal true)",
        config: secrets({ K: { epoch: 1, supplied: PASTED } }),
        expect: { subject: "secret K", field: "supplied", reason: new RegExp(`^must be true \\(got a string of ${n} characters\\)$`) },
    },
    {
        title: "a password pasted as the encoding (an enum)",
        config: secrets({ K: { epoch: 1, generate: { encoding: PASTED, bytes: 32 } } }),
        expect: { subject: "secret K", field: "generate.encoding", reason: new RegExp(`^unknown encoding \\(a string of ${n} characters; known: hex, `) },
    },
    {
        title: "a password pasted as rotatedAt (a date)",
        config: secrets({ K: { ...ok, rotatedAt: PASTED } }),
        expect: { subject: "secret K", field: "rotatedAt", reason: new RegExp(`^\\(a string of ${n} characters, not shown\\) is not a date written YYYY-MM-DD$`) },
    },
    {
        title: "a password pasted as a verify's expectStatus",
        config: secrets({ A: { ...ok, consumers: ["api"] } }, { "rekey:consumers": { api: { restart: "true", verify: { url: "https://api.example/health", expectStatus: PASTED } } } }),
        expect: { subject: "consumer api", field: "verify.expectStatus", reason: new RegExp(`^expected number, got a string of ${n} characters$`) },
        // A consumer whose entry does not parse is left out, so the secret reading it names an unknown consumer.
        also: [{ subject: "secret A", field: "consumers", reason: /^unknown consumer "api" \(not in rekey:consumers\)$/ }],
    },
    {
        title: "a verify URL with a password: shown without its userinfo",
        config: verifyUrl(`https://monitor:${PASTED}@api.example/health`),
        expect: { subject: "consumer api", field: "verify.url", reason: /^https:\/\/…@api\.example\/health holds credentials; rekey prints verify URLs in plans and logs$/ },
    },
    {
        title: "a verify URL of another scheme with a query token: shown without the token",
        config: verifyUrl(`ftp://files.example/health?token=${encodeURIComponent(PASTED)}#x`),
        expect: { subject: "consumer api", field: "verify.url", reason: /^ftp:\/\/files\.example\/health\?token=…#… is not an http\(s\) URL$/ },
    },
    {
        title: "a verify URL the parser refuses, with a password in it: described",
        config: verifyUrl(`http://monitor:${PASTED}@exa mple.com/`),
        expect: { subject: "consumer api", field: "verify.url", reason: new RegExp(`^\\(a string of ${n + 29} characters, not shown\\) is not a URL the WHATWG URL parser accepts$`) },
    },
    {
        title: "a Postgres connection string with its password as the database",
        config: pg({ database: `postgresql://app:${PASTED}@db.internal:5432/app` }),
        expect: { subject: "secret DB", field: "apply.postgres.database", reason: /^database postgresql:\/\/…@db\.internal:5432\/app is a connection string; give host, port and database separately$/ },
    },
    {
        title: "a libpq keyword string with its password as the database",
        config: pg({ database: `host=db password=${PASTED}` }),
        expect: { subject: "secret DB", field: "apply.postgres.database", reason: new RegExp(`^database \\(a string of ${n + 17} characters, not shown\\) is a connection string`) },
    },
    {
        title: "the admin password itself as adminPasswordSecret",
        config: pg({ adminPasswordSecret: PASTED }),
        expect: { subject: "secret DB", field: "apply.postgres.adminPasswordSecret", reason: new RegExp(`^unknown secret \\(a string of ${n} characters, not shown\\)$`) },
    },
    {
        title: "a password as the role",
        config: pg({ role: PASTED }),
        expect: { subject: "secret DB", field: "apply.postgres", reason: new RegExp(`^role \\(a string of ${n} characters, not shown\\) must be 1-63 letters`) },
    },
    {
        title: "a password as the Redis ACL user",
        config: secrets({ R: { ...ok, apply: { redis: { user: PASTED } } } }),
        expect: { subject: "secret R", field: "apply.redis.user", reason: new RegExp(`^ACL user \\(a string of ${n} characters, not shown\\) must be`) },
    },
    {
        title: "a password in a secret's consumers",
        config: secrets({ A: { ...ok, consumers: [PASTED] } }),
        expect: { subject: "secret A", field: "consumers", reason: new RegExp(`^unknown consumer \\(a string of ${n} characters, not shown\\) \\(not in rekey:consumers\\)$`) },
    },
    {
        title: "a password as a secret's name",
        config: secrets({ [PASTED]: ok }),
        expect: { subject: `secret (a string of ${n} characters, not shown)`, field: "", reason: /^a secret name is letters, digits and underscores/ },
    },
    {
        title: "a password as the whole rekey:secrets",
        config: { "rekey:secrets": PASTED },
        expect: { subject: "rekey:secrets", field: "", reason: new RegExp(`^expected a map of secrets, got a string of ${n} characters$`) },
    },
    {
        title: "a password as a Kubernetes Secret type shared with another secret",
        config: secrets({ A: { ...ok, stores: [{ kubernetes: { secret: "app", key: "A" } }] }, B: { ...ok, stores: [{ kubernetes: { secret: "app", key: "B", type: PASTED } }] } }),
        expect: { subject: "secret B", field: "stores[0].kubernetes.type", reason: new RegExp(`^Secret default/app is given type \\(a string of ${n} characters, not shown\\) here and "Opaque" by secret A$`) },
    },
    {
        title: "a password as an SSH user",
        config: secrets({ A: ok }, { "rekey:hosts": { web1: { host: "10.0.0.1", user: PASTED, hostKey: HOST_KEY } } }),
        expect: { subject: "host web1", field: "user", reason: new RegExp(`^user \\(a string of ${n} characters, not shown\\) must be a login name`) },
    },
];

/**
 * A value nested 3,000 deep where the schema wants a scalar, a list or a map: a deep graph of
 * another kind (the CLI refuses values over 100 deep, cli/stackFile.ts `checkSize`; pulumi up
 * hands the planner whatever the stack file holds). zod checks a value only as deep as its
 * schema goes, so each is one named problem, never a stack overflow. (3,000, not more: the
 * mock engine passes config as JSON, and JSON.stringify recurses.)
 */
const nested = (depth: number): unknown => {
    let v: unknown = "x";
    for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { k: v };
    return v;
};
const DEEP_CASES: InvalidCase[] = [
    {
        title: "a secret's impact nested 3,000 deep",
        config: secrets({ A: { ...ok, impact: nested(3000) } }),
        expect: { subject: "secret A", field: "impact", reason: /^expected string, got a list of 1 item$/ },
    },
    {
        title: "a store nested 3,000 deep",
        config: secrets({ A: { ...ok, stores: [{ ssm: nested(2999) }] } }),
        expect: { subject: "secret A", field: "stores[0].ssm.k", reason: /^unknown key$/ },
    },
    {
        title: "a consumer's after nested 3,000 deep",
        config: secrets({ A: ok }, { "rekey:consumers": { c: { restart: "systemctl restart c", after: nested(3000) } } }),
        expect: { subject: "consumer c", field: "after[0]", reason: /^expected string, got a map$/ },
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
        expect: { subject: "secret K", field: "revokeFirst", reason: /^rekey revokes first only what a postgres, redis or mysql hook set: a command hook revokes in its own script \(it runs first, with REKEY_INCIDENT=1\); remove revokeFirst$/ },
    },
    {
        title: "revokeFirst on a secret without a hook",
        config: secrets({ K: { ...ok, incident: "leaked", revokeFirst: true } }),
        expect: { subject: "secret K", field: "revokeFirst", reason: /^rekey revokes first only what a postgres, redis or mysql hook set: this secret has no hook that rekey could revoke through; remove revokeFirst$/ },
    },
    {
        title: "revokeFirst that is not a boolean",
        config: secrets({ K: { ...ok, incident: "leaked", revokeFirst: "yes", apply: { redis: { host: "127.0.0.1", user: "app" } } } }),
        expect: { subject: "secret K", field: "revokeFirst", reason: /boolean/ },
    },
];

/** A verify's proof (docs/proof.md): its key is a generated secret the consumer reads from a store, and there is something to prove. */
const proofConsumer = (verify: Record<string, unknown> = { url: "http://127.0.0.1:8080/health", proof: { key: "PK" } }) => ({ "rekey:consumers": { app: { restart: "systemctl restart app", verify } } });
const proofKey = { ...ok, stores: [{ dotenv: { path: "/srv/app/.env" } }], consumers: ["app"] };
const proved = { ...ok, stores: [{ dotenv: { path: "/srv/app/.env" } }], consumers: ["app"] };
const PROOF_CASES: InvalidCase[] = [
    {
        title: "proof key that is no secret",
        config: secrets({ A: proved }, proofConsumer()),
        expect: { subject: "consumer app", field: "verify.proof.key", reason: /^names unknown secret "PK" \(not in rekey:secrets\): the proof key is a generated secret the service reads$/ },
        also: [],
    },
    {
        title: "proof key that is supplied",
        config: secrets({ A: proved, PK: { supplied: true, stores: proofKey.stores, consumers: ["app"] } }, { ...proofConsumer(), "rekey:supplied": { PK: "v" } }),
        expect: { subject: "consumer app", field: "verify.proof.key", reason: /^secret PK is supplied: the proof key must be a generated secret, drawn by rekey and rotated like the others$/ },
        also: [],
    },
    {
        title: "proof key that is derived",
        config: secrets({ A: proved, PK: { derive: "k-{{A}}", stores: proofKey.stores, consumers: ["app"] } }, proofConsumer()),
        expect: { subject: "consumer app", field: "verify.proof.key", reason: /^secret PK is derived: the proof key must be a generated secret/ },
        also: [],
    },
    {
        title: "proof key the consumer does not read",
        config: secrets({ A: proved, PK: { ...ok, stores: proofKey.stores } }, proofConsumer()),
        expect: { subject: "consumer app", field: "verify.proof.key", reason: /^secret PK does not name consumer app in its consumers: the service must read the proof key from its stores like its other secrets$/ },
        also: [],
    },
    {
        title: "proof key in no store",
        config: secrets({ A: proved, PK: { ...ok, consumers: ["app"] } }, proofConsumer()),
        expect: { subject: "consumer app", field: "verify.proof.key", reason: /^secret PK has no store: the service reads the proof key from one$/ },
        also: [],
    },
    {
        title: "proof with nothing to prove",
        config: secrets({ PK: proofKey }, proofConsumer()),
        expect: { subject: "consumer app", field: "verify.proof.key", reason: /^consumer app reads no secret but PK: there is nothing to prove$/ },
        also: [],
    },
    {
        title: "proof on a command verify",
        config: secrets({ A: proved, PK: proofKey }, proofConsumer({ command: "curl -fs http://127.0.0.1:8080/health", proof: { key: "PK" } })),
        expect: { subject: "consumer app", field: "verify.proof", reason: /^is for url checks: the service's JSON answer carries the fingerprints \(docs\/proof.md\); a command check proves what it checks itself$/ },
        also: [],
    },
    {
        title: "proof with an unknown key",
        config: secrets({ A: proved, PK: proofKey }, proofConsumer({ url: "http://127.0.0.1:8080/health", proof: { key: "PK", field: "status.rekey" } })),
        expect: { subject: "consumer app", field: "verify.proof.field", reason: /unknown key/ },
        // The refused consumer is not in the inventory, so the secrets naming it name an unknown consumer.
        also: ["A", "PK"].map((n) => ({ subject: `secret ${n}`, field: "consumers", reason: /^unknown consumer "app" \(not in rekey:consumers\)$/ })),
    },
];

const kvStore = (keyVault: Record<string, unknown>) => secrets({ A: { ...ok, stores: [{ keyVault: { vault: "kv-app", resourceGroup: "rg-app", ...keyVault } }] } });
const CLOUD_ID_CASES: InvalidCase[] = [
    ...["rg/providers/Microsoft.KeyVault/vaults/evil/secrets/x?", "rg.", "a".repeat(91), "rg app", "rg\napp"].map((resourceGroup) => ({
        title: `Key Vault resource group ${JSON.stringify(resourceGroup)}`,
        config: kvStore({ resourceGroup }),
        expect: { subject: "secret A", field: "stores[0].keyVault.resourceGroup", reason: /must be 1-90 letters, digits, "_", "-", ".", "\(" and "\)", not ending in "."$/ },
    })),
    {
        title: "Key Vault resource group from the defaults, with a path in it",
        config: { ...secrets({ A: { ...ok, stores: [{ keyVault: { vault: "kv-app" } }] } }), "rekey:defaults": { keyVault: { resourceGroup: "rg/../x" } } },
        expect: { subject: "secret A", field: "stores[0].keyVault.resourceGroup", reason: /^resource group "rg\/\.\.\/x" must be 1-90/ },
    },
    ...["0000-1111", "00000000-1111-2222-3333-444444444444/resourceGroups/x", "00000000-1111-2222-3333-44444444444g"].map((subscriptionId) => ({
        title: `Key Vault subscription id ${JSON.stringify(subscriptionId)}`,
        config: kvStore({ subscriptionId }),
        expect: { subject: "secret A", field: "stores[0].keyVault.subscriptionId", reason: /must be a GUID/ },
    })),
    ...["us-east-1\nevil", "US-EAST-1", "us-east-1/x", "useast1", "-us-east-1"].map((region) => ({
        title: `SSM region ${JSON.stringify(region)}`,
        config: secrets({ A: { ...ok, stores: [{ ssm: { name: "/x/A", region } }] } }),
        expect: { subject: "secret A", field: "stores[0].ssm.region", reason: /must be a region code such as us-east-1/ },
    })),
    {
        title: "proveAt a date that does not exist",
        config: { ...secrets({ A: ok }), "rekey:defaults": { proveAt: "2026-02-30" } },
        expect: { subject: "rekey:defaults", field: "proveAt", reason: /^"2026-02-30" is a date that does not exist$/ },
    },
    {
        title: "proveAt not a date",
        config: { ...secrets({ A: ok }), "rekey:defaults": { proveAt: "tomorrow" } },
        expect: { subject: "rekey:defaults", field: "proveAt", reason: /^\(a string of 8 characters, not shown\) is not a date written YYYY-MM-DD$/ },
    },
    {
        title: "SSM region from the defaults, with a line break",
        config: { ...secrets({ A: { ...ok, stores: [{ ssm: { name: "/x/A" } }] } }), "rekey:defaults": { ssm: { region: "eu-west-1\n" } } },
        expect: { subject: "secret A", field: "stores[0].ssm.region", reason: /^AWS region \(a string of 10 characters, not shown\) must be a region code/ },
    },
    ...["kv", "kv--app", "1kv", "kv-app-", "kv/app"].map((vault) => ({
        title: `Key Vault name ${JSON.stringify(vault)}`,
        config: kvStore({ vault }),
        expect: { subject: "secret A", field: "stores[0].keyVault.vault", reason: /must be 3-24 letters, digits and single dashes, starting with a letter/ },
    })),
];

export const INVALID_CASES: InvalidCase[] = [
    ...CLOUD_ID_CASES,
    ...SECRECY_CASES,
    ...PROOF_CASES,
    ...RESERVED_CASES,
    ...HOST_CASES,
    ...ARGUMENT_CASES,
    ...PATH_CASES,
    ...OWNER_CASES,
    ...DEEP_CASES,
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
        expect: { subject: "secret A", field: "epoch", reason: /^expected number, got a string of 1 character$/ },
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
        expect: { subject: "secret A", field: "", reason: /needs exactly one of generate, supplied, derive or issue/ },
    },
    {
        title: "two sources",
        config: secrets({ A: { ...ok, supplied: true } }, { "rekey:supplied": { A: "x" } }),
        expect: { subject: "secret A", field: "", reason: /has generate and supplied/ },
    },
    {
        title: "unknown encoding",
        config: secrets({ A: { epoch: 1, generate: { encoding: "base32", bytes: 32 } } }),
        expect: { subject: "secret A", field: "generate.encoding", reason: /^unknown encoding \(a string of 6 characters; known: hex, base64, base64url, fernet, alphanumeric, password, htpasswd\)$/ },
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
        expect: { subject: "secret K", field: "adopt", reason: /^needs the value in use today in rekey:supplied\.K: set it with pulumi config set --secret --path 'rekey:supplied\.K'$/ },
    },
    {
        // Exactly one problem: the value a supplied secret needs anyway, not a second one for adopt.
        title: "adopt on a supplied secret without the value in use",
        config: secrets({ K: { epoch: 4, supplied: true, adopt: true } }),
        expect: { subject: "secret K", field: "supplied", reason: /^no value in rekey:supplied\.K: set it with pulumi config set --secret --path 'rekey:supplied\.K'$/ },
    },
    {
        // Without an epoch the claim would last forever and the record would say no epoch.
        title: "adopt on a supplied secret without an epoch",
        config: secrets({ K: { supplied: true, adopt: true } }, { "rekey:supplied": { K: "v" } }),
        expect: { subject: "secret K", field: "adopt", reason: /^needs an epoch: adopt says rekey:supplied holds the value in use at that epoch/ },
    },
    {
        title: "an incident on an adopted supplied secret",
        config: secrets({ K: { epoch: 4, supplied: true, adopt: true, incident: "leaked" } }, { "rekey:supplied": { K: "v" } }),
        expect: { subject: "secret K", field: "incident", reason: /^an adopted value is the one in use: rotate it away with rekey bump --incident, which removes adopt$/ },
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
        expect: { subject: "secret A", field: "rotatedAt", reason: /^\(a string of 10 characters, not shown\) is not a date written YYYY-MM-DD$/ },
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
        expect: { subject: "secret R", field: "apply.redis.user", reason: /^ACL user \(a string of 8 characters, not shown\) must be/ },
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
    ...ISSUE_CASES,
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
