// Small inventories for tests.
export type Config = Record<string, any>;

/** Two consumers of the program tests, a fresh copy each call: api (verified) restarted first, then worker. */
export function apiThenWorker(): Config {
    return {
        api: { restart: "systemctl restart api", verify: { command: "curl -sf http://127.0.0.1:8080/health" } },
        worker: { restart: "systemctl restart worker", after: ["api"] },
    };
}

/** One secret of every generated encoding, a supplied one and a derived one. */
export function everyKindConfig(): Config {
    return {
        "rekey:consumers": {
            api: { kubernetes: { deployment: "api" } },
        },
        "rekey:secrets": {
            HEX: { epoch: 1, generate: { encoding: "hex", bytes: 24 }, stores: [{ ssm: { prefix: "/t/" } }] },
            B64: { epoch: 1, generate: { encoding: "base64", bytes: 32 } },
            B64URL: { epoch: 1, generate: { encoding: "base64url", bytes: 48 }, keepPrevious: true },
            FERNET: { epoch: 1, generate: { encoding: "fernet" } },
            ALNUM: { epoch: 1, generate: { encoding: "alphanumeric", length: 40 } },
            PASSWORD: {
                epoch: 1,
                generate: { encoding: "password", length: 30, minUpper: 3, minLower: 3, minNumeric: 3, minSpecial: 5, overrideSpecial: "-_.~" },
            },
            HTPASSWD: { epoch: 1, generate: { encoding: "htpasswd", user: "admin", length: 32 } },
            VENDOR_KEY: { epoch: 2, supplied: true, consumers: ["api"] },
            URL: { derive: "redis://:{{HEX}}@redis:6379/0?k={{ PASSWORD | urlencode }}", consumers: ["api"] },
        },
        "rekey:supplied": { VENDOR_KEY: "sk-test-supplied-value-0001" },
    };
}

export function withEpoch(config: Config, name: string, epoch: number): Config {
    const c = structuredClone(config);
    c["rekey:secrets"][name].epoch = epoch;
    return c;
}
