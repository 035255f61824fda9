// `rekey import --stack S [--out FILE]`: the file `pulumi import --file` takes, for the
// stores that can exist before rekey (components/plan/importFile.ts).
import { dirname } from "path";
import { importFile } from "../components/plan/importFile";
import type { Output } from "./output";
import type { Today } from "./dates";
import type { Project } from "./project";
import { CliError } from "./errors";
import { shellPath, stackFlag } from "./shell";
import { openStackFile, planOf } from "./stackFile";
import { writeOneFile } from "./writeFiles";

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

export interface ImportOptions extends Today {
    /** The file to write (resolved), and as the user gave it (for messages). */
    out?: { path: string; given: string };
    /** Replace an existing --out file. */
    force?: boolean;
    rotation: string;
}

/**
 * The import file on stdout, or written to --out: atomically, never over a Pulumi project or
 * stack file (the one just read included, through a symlinked directory, `..`, another case
 * or a hard link), never through a symlink, and over another existing file only with --force
 * (writeFiles.ts `writeOneFile`).
 */
export function importCommand(project: Project, stack: string, o: ImportOptions): Output {
    const { path, file: stackFile } = openStackFile(project, stack);
    const plan = planOf(stackFile, o.today);
    const { file, creates, missing } = importFile(plan, { rotation: o.rotation, providerVersions: providerVersions(), kubeconfigFromEnv: process.env.KUBECONFIG || undefined });
    // An id the file cannot name is not written with a placeholder: pulumi import would fail on it.
    if (missing.length) throw new CliError(`cannot write the import file: ${missing.join("\n")}`);
    const json = JSON.stringify(file, null, 2) + "\n";
    const count = file.resources.filter((r) => r.id !== undefined).length;
    // What the first pulumi up creates could still exist (a NAME_PREVIOUS kept by hand before
    // rekey): the aws provider creates an SSM parameter with Overwrite false unless the program
    // sets `overwrite` (terraform-provider-aws internal/service/ssm/parameter.go
    // resourceParameterCreate, shouldUpdateParameter), and rekey does not, so PutParameter
    // fails with ParameterAlreadyExists on one that exists.
    const created = creates.length
        ? [
              `not in the file, created by the first pulumi up (rekey writes them; they do not exist before it): ${creates.join("; ")}`,
              "if one of them exists already, the first pulumi up fails on it (an SSM parameter: ParameterAlreadyExists, the provider creates without overwrite): delete it first (the first pulumi up writes a fresh value there), or add its entry to the file as for the current value's",
          ]
        : [];
    // Only the Rotation component and no store: pulumi import would take over nothing, so no
    // file and no pulumi import line (docs/cli.md).
    if (count === 0) {
        return { stdout: "", notes: ["nothing to import: no store of this stack can exist before rekey (.env files and secret files are written in place), so no file is written and pulumi import is not needed; the first pulumi up creates every store", ...created], exitCode: 0 };
    }
    const notes = [
        `${count} store resource${count === 1 ? "" : "s"} to import${o.out ? ` written to ${o.out.path}` : ""}; then: pulumi import --file ${o.out ? shellPath(o.out.path) : "<file>"} ${stackFlag(stack)}`,
        "each entry must exist already (pulumi import fails on one that does not): remove the entry of a store that is new, and the first pulumi up creates it",
        ...created,
    ];
    if (o.out) {
        writeOneFile(o.out.path, json, { replace: o.force === true, projectDirs: [dirname(project.file), dirname(path)], label: `--out ${o.out.given}` });
        return { stdout: "", notes, exitCode: 0 };
    }
    return { stdout: json, notes, exitCode: 0 };
}
