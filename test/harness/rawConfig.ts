import { RawConfig } from "../../components/plan/plan";
import { rawConfigOf } from "../../components/plan/rawConfig";
import { Config } from "./configs";

/** What readStackConfig makes of a config map, without Pulumi (for the pure planner tests). */
export function rawConfig(config: Config): RawConfig {
    const bare = Object.fromEntries(Object.entries(config).map(([k, v]) => [k.includes(":") ? k : `rekey:${k}`, v]));
    return rawConfigOf(bare, {
        suppliedNames: Object.keys(config["rekey:supplied"] ?? {}),
        hostKeyNames: Object.keys(config["rekey:hostKeys"] ?? {}),
    });
}
