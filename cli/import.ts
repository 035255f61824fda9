// `rekey import --stack S [--out FILE]`: the file `pulumi import --file` takes, for the
// stores that can exist before rekey (components/plan/importFile.ts).
import { writeFileSync } from "fs";
import { importFile } from "../components/plan/importFile";
import type { Output } from "./commands";
import type { Today } from "./dates";
import type { Project } from "./project";
import { openStackFile, planOf } from "./stackFile";

/** The installed provider SDKs' versions: the plugins the program would use. */
function providerVersions(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [pkg, npm] of [["aws", "@pulumi/aws"], ["kubernetes", "@pulumi/kubernetes"]] as const) {
        try {
            out[pkg] = (require(`${npm}/package.json`) as { version: string }).version;
        } catch {
            // not installed: the file names no version, and pulumi picks the plugin it has
        }
    }
    return out;
}

export function importCommand(project: Project, stack: string, o: Today & { out?: string; rotation: string }): Output {
    const plan = planOf(openStackFile(project, stack).file, o.today);
    const { file, placeholders } = importFile(plan, { rotation: o.rotation, providerVersions: providerVersions(), kubeconfigFromEnv: process.env.KUBECONFIG || undefined });
    const json = JSON.stringify(file, null, 2) + "\n";
    const count = file.resources.filter((r) => r.id !== undefined).length;
    const notes = [
        `${count} store resource${count === 1 ? "" : "s"} to import${o.out ? ` written to ${o.out}` : ""}; then: pulumi import --file ${o.out ?? "<file>"} --stack ${stack}`,
        ...placeholders,
    ];
    if (o.out) {
        writeFileSync(o.out, json);
        return { stdout: "", notes, exitCode: 0 };
    }
    return { stdout: json, notes, exitCode: 0 };
}
