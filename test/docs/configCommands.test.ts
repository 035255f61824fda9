// Every `pulumi config set|rm|get` command rekey tells a user (README, docs, the init
// scaffold and workflow templates, sample stack files, and every message compiled from
// components/ and cli/) names its key with the `rekey:` namespace (issue 22, item 1a).
//
// Why: Pulumi's CLI gives a key without a namespace to the current project.
// pkg/cmd/pulumi/config/io.go `parseConfigKey` with a path takes the top segment (up to the
// first '.' or '['), and a segment without ':' becomes `<project>:<segment>`; one with ':'
// goes through sdk/go/common/resource/config/key.go `ParseKey`, namespace before the ':'
// and name after, and the rest of the path is kept (`MustMakeKey(ns, name + rest)`);
// config/map.go `Map.Set` then parses that name as a property path (`parseKeyPath`). So
// `pulumi config set --secret --path 'rekey:supplied.NAME'` writes `rekey:supplied` →
// NAME in any project, while `'supplied.NAME'` writes `<project>:supplied`, which rekey never
// reads, unless the project happens to be named `rekey`: the error would then repeat the
// same command, a loop.
import { readFileSync, readdirSync, statSync } from "fs";
import { join, relative } from "path";
import { ROOT } from "../harness/stackFile";
import { KNOWN_CONFIG_KEYS } from "../../components/plan/model";

/** Flags of `pulumi config` that take a value (so the token after them is not the key). */
const VALUED_FLAGS = new Set(["--stack", "-s", "--config-file", "--cwd", "-C", "--type"]);

function walk(dir: string, keep: (p: string) => boolean): string[] {
    return readdirSync(dir).flatMap((f) => {
        const p = join(dir, f);
        return statSync(p).isDirectory() ? walk(p, keep) : keep(p) ? [p] : [];
    });
}

function scannedFiles(): string[] {
    const top = readdirSync(ROOT).filter((f) => f === "README.md" || /^Pulumi.*\.ya?ml$/.test(f));
    return [
        ...top.map((f) => join(ROOT, f)),
        ...walk(join(ROOT, "docs"), (p) => p.endsWith(".md")),
        ...walk(join(ROOT, "templates"), () => true),
        ...walk(join(ROOT, "examples"), () => true),
        ...walk(join(ROOT, "components"), (p) => p.endsWith(".ts")),
        ...walk(join(ROOT, "cli"), (p) => p.endsWith(".ts")),
    ];
}

export interface ConfigCommand {
    line: number;
    command: string;
    /** The key argument as written (quotes removed), or undefined when the text names none. */
    key?: string;
}

/**
 * Every `pulumi config set|rm|get` in `text`: its line and its key argument, the first
 * token after the verb that is not a flag (nor a valued flag's value). A command ends at a
 * backtick (Markdown code span, template literal) or at the end of its line, unless that line
 * ends on a flag: then the command goes on in the next line (wrapped prose, or a wrapped
 * comment with its `#`, `//`, `*` or `>` left out), which is still scanned for commands of
 * its own.
 */
export function configCommands(text: string): ConfigCommand[] {
    const found: ConfigCommand[] = [];
    for (const m of text.matchAll(/pulumi\s+config\s+(set|rm|get)\b([^`\n]*)(?=(\n[ \t]*(?:#|\/\/|\*|>)?([^`\n]*))?)/g)) {
        const line = text.slice(0, m.index).split("\n").length;
        const first = m[2].trim().split(/\s+/).filter((t) => t !== "");
        const wraps = m[3] !== undefined && first.length > 0 && first[first.length - 1].startsWith("-");
        const tokens = wraps ? [...first, ...m[4].trim().split(/\s+/).filter((t) => t !== "")] : first;
        let key: string | undefined;
        for (let i = 0; i < tokens.length; i++) {
            const t = tokens[i];
            if (t.startsWith("-")) {
                if (VALUED_FLAGS.has(t)) i++;
                continue;
            }
            key = t.replace(/[,.;:)]+$/, "").replace(/^['"]|['"]$/g, "");
            break;
        }
        found.push({ line, command: (wraps ? m[0] + m[3] : m[0]).replace(/\s+/g, " ").trim(), key });
    }
    return found;
}

/** Why `key` would not reach rekey's own config, or undefined when it does (or is not rekey's). */
export function namespaceProblem(key: string): string | undefined {
    const top = key.split(/[.[]/)[0];
    const colon = top.indexOf(":");
    if (colon < 0) return `no namespace: Pulumi writes it under the project's name, not rekey:${top}`;
    const [ns, name] = [top.slice(0, colon), top.slice(colon + 1)];
    if (ns !== "rekey" && (KNOWN_CONFIG_KEYS as readonly string[]).includes(name)) {
        return `namespace ${ns}: rekey reads rekey:${name}`;
    }
    return undefined;
}

describe("configCommands (the scanner)", () => {
    it("finds the key of each command, past flags and their values, in prose and in code", () => {
        const text = [
            "Set it: `pulumi config set --secret --path 'supplied.A'`.",
            "  #   pulumi config set --stack prod --secret --path \"rekey:hostKeys.web\" < key",
            "`… | pulumi config set --secret --path rekey:supplied.B`, then",
            "`pulumi config rm --path 'supplied.${n}'`",
            "the `pulumi config rm` line; `pulumi config set --secret`,",
            "  # then pulumi config set --secret --path",
            "  #   'supplied.C' < file",
            "and pulumi config get",
            "the rest of a sentence",
        ].join("\n");
        expect(configCommands(text).map((c) => [c.line, c.key])).toEqual([
            [1, "supplied.A"],
            [2, "rekey:hostKeys.web"],
            [3, "rekey:supplied.B"],
            [4, "supplied.${n}"],
            [5, undefined],
            [5, undefined],
            [6, "supplied.C"],
            [8, undefined],
        ]);
    });

    it("refuses a key without namespace, or a rekey key under another namespace", () => {
        expect(namespaceProblem("supplied.A")).toMatch(/^no namespace/);
        expect(namespaceProblem("${section}.NAME")).toMatch(/^no namespace/);
        expect(namespaceProblem("myapp:supplied.A")).toMatch(/^namespace myapp: rekey reads rekey:supplied$/);
        expect(namespaceProblem("rekey:supplied.A")).toBeUndefined();
        expect(namespaceProblem("rekey:${k}.NAME")).toBeUndefined();
        expect(namespaceProblem("rekey:hostKeys[\"web.example\"]")).toBeUndefined();
        expect(namespaceProblem("aws:region")).toBeUndefined();
    });
});

describe("pulumi config commands rekey tells users", () => {
    const files = scannedFiles();
    const commands = files.flatMap((f) =>
        configCommands(readFileSync(f, "utf8")).map((c) => ({ ...c, where: `${relative(ROOT, f)}:${c.line}` })),
    );

    it("scans the docs, templates and message sources, and finds commands with keys there", () => {
        const where = new Set(commands.filter((c) => c.key !== undefined).map((c) => c.where.split(":")[0].split("/")[0]));
        // Each kind of place is scanned and holds at least one keyed command today; a scanner
        // that silently found nothing would pass the test below for the wrong reason.
        for (const place of ["README.md", "docs", "components", "cli"]) expect(where).toContain(place);
    });

    it("name every key with the rekey: namespace (pkg/cmd/pulumi/config/io.go parseConfigKey: no ':' in the top segment means the project's namespace)", () => {
        const bad = commands.flatMap((c) => {
            const why = c.key === undefined ? undefined : namespaceProblem(c.key);
            return why ? [`${c.where}: ${c.command} (${why})`] : [];
        });
        expect(bad).toEqual([]);
    });
});
