import { RawConfig } from "../../components/plan/plan";
import { Config } from "./configs";

/** What readStackConfig makes of a config map, without Pulumi (for the pure planner tests). */
export function rawConfig(config: Config): RawConfig {
    const known = ["defaults", "hosts", "hostKeys", "consumers", "secrets", "supplied"];
    const keys = Object.keys(config).map((k) => k.replace(/^rekey:/, ""));
    return {
        secrets: config["rekey:secrets"],
        consumers: config["rekey:consumers"],
        hosts: config["rekey:hosts"],
        defaults: config["rekey:defaults"],
        suppliedNames: Object.keys(config["rekey:supplied"] ?? {}),
        hostKeyNames: Object.keys(config["rekey:hostKeys"] ?? {}),
        unknownKeys: keys.filter((k) => !known.includes(k)),
    };
}
