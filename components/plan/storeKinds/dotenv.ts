// Keys of a .env file, locally or on a host. Every key rekey manages in one file is written
// by one command (one resource), so two secrets never race on the file.
import * as fieldRules from "../fieldRules";
import { StoreKindPlanner, hostFile, onHost, writesOf } from "./kind";

export const dotenv: StoreKindPlanner<"dotenv"> = {
    recordsEpoch: false,
    writerFollowsIncident: true,
    resolve(e, ctx) {
        const { host, path } = hostFile("dotenv", e, ctx);
        const key = e.key ?? ctx.secret;
        const writes = writesOf(ctx, key);
        for (const w of writes) ctx.check("dotenv.key", fieldRules.dotenvKeyProblem(w.target));
        return { kind: "dotenv", label: `dotenv:${onHost(host)}${path}#${key}`, host, path, writes };
    },
    writeLocation: (store, w) => `key ${w.target} of ${onHost(store.host)}${store.path}`,
    group: (store) => `dotenv:${store.host ?? "local"}:${store.path}`,
    files: (store) => [`${onHost(store.host)}${store.path}`],
    host: (store) => store.host,
};
