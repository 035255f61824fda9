// An AWS SSM SecureString parameter per value: `<prefix><NAME>`, `_PREVIOUS` and `_USER` beside it.
import * as fieldRules from "../fieldRules";
import { StoreKindPlanner, StoreOf, writesOf } from "./kind";

/** The resource name of one parameter (after the Rotation's prefix); the program and `rekey import` use it. */
export const ssmParameterName = (store: StoreOf<"ssm">, target: string) => `ssm:${store.region ? `${store.region}:` : ""}${target}`;

export const ssm: StoreKindPlanner<"ssm"> = {
    recordsEpoch: true,
    writerFollowsIncident: false,
    resolve(e, ctx) {
        const prefix = e.prefix ?? ctx.defaults.ssm?.prefix ?? "";
        const name = e.name ?? `${prefix}${ctx.secret}`;
        const writes = writesOf(ctx, name);
        for (const w of writes) ctx.check(e.name ? "ssm.name" : "ssm.prefix", fieldRules.ssmParameterNameProblem(w.target));
        const region = e.region ?? ctx.defaults.ssm?.region ?? null;
        if (region !== null) ctx.check("ssm.region", fieldRules.awsRegionProblem(region));
        return {
            kind: "ssm",
            label: `ssm:${name}`,
            region,
            keyId: e.keyId ?? ctx.defaults.ssm?.keyId ?? null,
            writes,
        };
    },
    writeLocation: (store, w) => `SSM parameter ${w.target}${store.region ? ` in ${store.region}` : ""}`,
};
