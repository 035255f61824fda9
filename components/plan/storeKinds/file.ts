// A file per value (Docker secrets, mounted key files): the path, and `<path>.previous`,
// `<path>.user` beside it.
import * as fieldRules from "../fieldRules";
import { StoreKindPlanner, hostFile, onHost, writesOf } from "./kind";

export const file: StoreKindPlanner<"file"> = {
    recordsEpoch: false,
    writerFollowsIncident: true,
    resolve(e, ctx) {
        const { host, path } = hostFile("file", e, ctx);
        const owner = e.owner ?? ctx.defaults.file?.owner ?? null;
        if (owner !== null) ctx.check("file.owner", fieldRules.ownerProblem(owner));
        return {
            kind: "file",
            label: `file:${onHost(host)}${path}`,
            host,
            mode: (e.mode ?? ctx.defaults.file?.mode)?.padStart(4, "0") ?? null,
            owner,
            writes: writesOf(ctx, path, (s) => s.toLowerCase().replace("_", ".")),
        };
    },
    writeLocation: (store, w) => `file ${onHost(store.host)}${w.target}`,
    files: (store) => store.writes.map((w) => `${onHost(store.host)}${w.target}`),
    host: (store) => store.host,
};
