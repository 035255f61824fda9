// A reader of .env files with docker compose v2's env_file rules, for the values rekey
// writes (compose-spec/compose-go dotenv/parser.go: locateKeyName, extractVarValue,
// expandEscapes; written here from those rules, not copied):
// - a line is KEY=VALUE, `export ` allowed before the key, blank and `#` lines skipped;
// - a value starting with ' or " ends at the first same quote not preceded by a backslash;
//   an unterminated one makes the whole file an error; quote characters are then trimmed
//   from both ends;
// - in double quotes \n and \r become line breaks, a backslash before another character
//   is dropped, and $VAR / ${VAR} are expanded (to "" when unset);
// - an unquoted value ends at the line's end, loses an inline ` #` comment and trailing
//   space, and is expanded.
export class ComposeEnvError extends Error {}

function expand(value: string, env: Record<string, string>): string {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, a, b) => env[a ?? b] ?? "");
}

export function parseComposeEnv(text: string): Record<string, string> {
    const out: Record<string, string> = {};
    let rest = text;
    for (;;) {
        rest = rest.replace(/^[\s]+/, "");
        if (!rest) return out;
        if (rest.startsWith("#")) {
            const nl = rest.indexOf("\n");
            if (nl < 0) return out;
            rest = rest.slice(nl);
            continue;
        }
        const m = /^(?:export[ \t]+)?([A-Za-z0-9_.]+)[ \t]*[=:][ \t]*/.exec(rest);
        if (!m) throw new ComposeEnvError(`unexpected character near ${JSON.stringify(rest.slice(0, 20))}`);
        const key = m[1];
        rest = rest.slice(m[0].length);
        const quote = rest[0];
        if (quote === "'" || quote === '"') {
            let end = -1;
            for (let i = 1; i < rest.length; i++) {
                if (rest[i] === quote && rest[i - 1] !== "\\") {
                    end = i;
                    break;
                }
            }
            if (end < 0) throw new ComposeEnvError(`unterminated quoted value ${rest.split("\n")[0]}`);
            let value = rest.slice(0, end).replace(new RegExp(`^${quote}+|${quote}+$`, "g"), "");
            if (quote === '"') value = expand(value.replace(/\\(.)/g, (_, c) => (c === "n" ? "\n" : c === "r" ? "\r" : c)), out);
            out[key] = value;
            rest = rest.slice(end + 1);
            const nl = rest.indexOf("\n");
            rest = nl < 0 ? "" : rest.slice(nl);
        } else {
            const nl = rest.indexOf("\n");
            const line = nl < 0 ? rest : rest.slice(0, nl);
            out[key] = expand(line.split("#")[0].replace(/\s+$/, ""), out);
            rest = nl < 0 ? "" : rest.slice(nl);
        }
    }
}
