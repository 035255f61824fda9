// `rekey`: bump, rollback, plan, due, status, import and init on a project's Pulumi.<stack>.yaml
// files (docs/cli.md describes each command).
// Exit codes: 0 done (`bump --due` whether or not anything was due); 1 `due` found something overdue; 2 bad arguments, an unreadable or
// invalid stack file, a refused edit, or an internal error (a bug: one line saying so, never a
// stack trace; REKEY_DEBUG=1 adds it), always with one message on stderr.
import { Command, CommanderError, Option } from "commander";
import { resolve } from "path";
import type { Output } from "./output";
import { describe } from "../components/plan/shown";
import { CliError, internalErrorMessage } from "./errors";
import { escapeUnsafe } from "./shownText";

// Each command's module is loaded when the command runs, so that --version and help load
// no planner (zod) and status and due no yaml document package: start-up is most of what
// a read-only command costs (npm run bench prints it).
// One module per command (bump.ts, rollback.ts, plan.ts, due.ts, status.ts, import.ts, init.ts).
const bumpCommand = () => planning(() => require("./bump") as typeof import("./bump"));
const rollbackCommand = () => planning(() => require("./rollback") as typeof import("./rollback"));
const planCommand = () => planning(() => require("./plan") as typeof import("./plan"));
const dueCommand = () => planning(() => require("./due") as typeof import("./due"));
const statusCommand = () => planning(() => require("./status") as typeof import("./status"));

/**
 * A command that plans loads zod (the planner's schemas, components/plan/schema.ts) with its
 * parsers jitless: zod's JIT (zod v4 core/schemas.cjs, $ZodObjectJIT) compiles a parser per
 * object schema with new Function on its first parse, which a process that plans once or
 * twice pays without getting it back (planRotation on a 1,000-secret stack file ~25% faster
 * jitless in a fresh process). Same checks and issues either way; set before the schemas are
 * built (zod reads it when an object schema is constructed).
 */
function planning<T>(load: () => T): T {
    (require("zod") as typeof import("zod")).config({ jitless: true });
    return load();
}
const stackFiles = () => require("./stackFile") as typeof import("./stackFile");
const projects = () => require("./project") as typeof import("./project");

export interface Io {
    cwd: string;
    stdout: (text: string) => void;
    stderr: (text: string) => void;
    /** Today (UTC) as YYYY-MM-DD. */
    today: () => string;
}

const utcToday = () => new Date().toISOString().slice(0, 10);

/** The package's version (package.json, beside cli/ in the source and in dist/). */
function packageVersion(): string {
    for (const p of ["../package.json", "../../package.json"]) {
        try {
            const pkg = require(p) as { name?: string; version?: string };
            if (pkg.name === "pulumi-rekey" && pkg.version) return pkg.version;
        } catch {
            // not there: the other layout
        }
    }
    return "unknown";
}

function program(io: Io, done: (o: Output) => void): Command {
    const p = new Command("rekey")
        .description("Secret rotation as code: bump epochs, review rotation plans, find secrets due for rotation.")
        .option("-C, --dir <path>", "run as if in this directory: the project is the nearest Pulumi.yaml at or above it (as pulumi -C)", ".")
        .exitOverride()
        .configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: () => undefined })
        .showHelpAfterError(false)
        .version(packageVersion(), "-V, --version", "print rekey's version")
        .helpCommand("help [command]", "help for a command");
    const dir = (cmd: Command) => resolve(io.cwd, cmd.optsWithGlobals().dir);
    // The Pulumi project around the directory, found as the Pulumi CLI finds it (project.ts).
    const project = (cmd: Command) => projects().findProject(dir(cmd));
    /** The project and the stack part of --stack (org/project/stack is checked against the project). */
    const named = (cmd: Command, stack: string) => {
        const p = project(cmd);
        return [p, projects().stackOf(p, stack)] as const;
    };
    const stack = () => new Option("-s, --stack <stack>", "the stack: stack, org/stack or org/project/stack (reads Pulumi.<stack>.yaml)").makeOptionMandatory();
    const base = (cmd: Command) =>
        cmd
            .option("--base <git-ref>", "compare with the stack file at this commit (default: the merge base with the default branch)")
            .option("--base-file <path>", "compare with this file instead of a git ref");

    base(
        p
            .command("bump")
            .description("Rotate: epoch + 1 and rotatedAt for each secret named (or --all, or --due). Supplied secrets need a new encrypted value first.")
            .argument("[NAME...]", "secrets to rotate")
            .option("-s, --stack <stack>", "the stack: stack, org/stack or org/project/stack (reads Pulumi.<stack>.yaml)")
            .option("--all", "every generated secret, and every supplied one whose encrypted value changed")
            .option("--due", "every generated secret that rekey due lists as due, each with its reason; supplied ones are listed with the commands for a person")
            .option("--within <days>", "with --due: also those due within this many days")
            .option("--today <YYYY-MM-DD>", "with --due: the day to check against, as rekey due --today (default: today, UTC)")
            .option("--all-stacks", "with --due: every Pulumi.<stack>.yaml of the project, one section each")
            .option("--json", "with --due: print JSON instead of Markdown")
            .option("--date <YYYY-MM-DD>", "rotatedAt to record (default: today, UTC)")
            .option("--reason <text>", "why, kept as a YAML comment beside the epoch")
            .option("--incident <reason>", "the old value leaked: no overlap in pulumi up; the reason is written as incident: beside the epoch")
            .option("--revoke-first", "with --incident: revoke the leaked credential (postgres, redis hooks) before the consumers restart, which fail until their restart; written as revokeFirst: true"),
    ).action((names: string[], o, cmd: Command) => {
        const b = bumpCommand();
        const withDates = { ...o, asOf: o.today, date: o.date ?? io.today(), today: io.today() };
        done(o.due ? b.bumpDue(project(cmd), names, withDates) : b.bump(...named(cmd, b.stackToBump(withDates)), names, withDates));
    });

    base(
        p
            .command("rollback")
            .description("Go back one epoch (keepPrevious secrets only): restores exactly the previous value, if the stack deployed it.")
            .argument("<NAME>", "the secret")
            .addOption(stack())
            .option("--reason <text>", "why, kept as a YAML comment beside the epoch"),
    ).action((name: string, o, cmd: Command) => done(rollbackCommand().rollback(...named(cmd, o.stack), name, { ...o, today: io.today() })));

    base(
        p
            .command("plan")
            .description("What the change to the stack file rotates: secrets, hooks, stores, consumer restarts in order, impact. Never a value.")
            .option("-s, --stack <stack>", "the stack: stack, org/stack or org/project/stack (reads Pulumi.<stack>.yaml)")
            .option("--all-stacks", "every stack whose file changed from the base, one section each")
            .option("--json", "print JSON instead of Markdown (as --format json)")
            .addOption(new Option("--format <format>", "markdown (a PR comment, with the diagram), json, or mermaid (only the diagram: a flowchart, a subgraph per stack)").choices(["markdown", "json", "mermaid"])),
    ).action((o, cmd: Command) => {
        if (o.json && o.format !== undefined && o.format !== "json") throw new CliError(`--json and --format ${o.format} ask for two formats: give one`);
        // chosenStacks refuses both or neither; --all-stacks alone lists the stacks in planAll.
        const withToday = { ...o, format: o.json ? "json" : (o.format ?? "markdown"), today: io.today() };
        const p = project(cmd);
        done(o.allStacks && o.stack === undefined ? planCommand().planAll(p, withToday) : planCommand().plan(p, stackFiles().chosenStacks(p, o)[0], withToday));
    });

    const oneOrAll = (cmd: Command) =>
        cmd.option("-s, --stack <stack>", "the stack: stack, org/stack or org/project/stack (reads Pulumi.<stack>.yaml)").option("--all-stacks", "every Pulumi.<stack>.yaml of the project, one section each");
    oneOrAll(
        p
            .command("due")
            .description("Secrets past rotatedAt + cadenceDays (exit 1 when any is overdue). A stack file without rekey:* keys has none."),
    )
        .option("--today <YYYY-MM-DD>", "the day to check against (default: today, UTC)")
        .option("--within <days>", "also list secrets due within this many days", "0")
        .option("--json", "print JSON instead of Markdown")
        .action((o, cmd: Command) => done(dueCommand().dueAll(project(cmd), { ...o, asOf: o.today ?? io.today(), today: io.today() })));

    oneOrAll(
        p
            .command("status")
            .description("Every secret: source, epoch, rotatedAt, cadence and next due date, stores, consumers, hook, keepPrevious, incident."),
    )
        .option("--json", "print JSON instead of Markdown")
        .action((o, cmd: Command) => done(statusCommand().status(project(cmd), { ...o, today: io.today() })));

    p.command("import")
        .description("The pulumi import --file JSON for the stores that can exist before rekey (SSM parameters, Key Vault secrets, Kubernetes Secrets).")
        .addOption(stack())
        .option("--out <file>", "write it here instead of stdout (never a Pulumi.yaml or stack file)")
        .option("--force", "replace an existing --out file")
        .option("--rotation <name>", "the Rotation's name in the program (the standalone program's is rekey)", "rekey")
        .action((o, cmd: Command) =>
            done(
                planning(() => require("./import") as typeof import("./import")).importCommand(...named(cmd, o.stack), {
                    ...o,
                    today: io.today(),
                    out: o.out === undefined ? undefined : { path: resolve(dir(cmd), o.out), given: o.out },
                }),
            ),
        );

    p.command("init")
        .description("Scaffold a rotation project that uses the pulumi-rekey package: Pulumi.yaml, package.json, index.ts, a stack file, the workflows.")
        .argument("[dir]", "where (made when missing)", ".")
        .option("-s, --stack <stack>", "the first stack's name", "dev")
        .option("--name <name>", "the Pulumi project name (default: the directory's name)")
        .option("--from <spec>", "the pulumi-rekey dependency for its package.json: a version range, a tarball path, a git URL (default: where this pulumi-rekey was installed from, else ^<its version>)")
        .action((target: string, o, cmd: Command) => done((require("./init") as typeof import("./init")).init(dir(cmd), target, o, io.cwd)));
    return p;
}

/**
 * commander's message, without what was typed when it is no flag or command's shape:
 * commander quotes an unknown option (`'--stak=<value>'`, or a password beginning with "-")
 * and an unknown command as typed (commander lib/command.js `unknownOption`,
 * `unknownCommand`). Its did-you-mean suggestion is one of rekey's own names.
 */
function commanderMessage(e: CommanderError): string {
    const message = e.message.replace(/^error: /, "");
    if (e.code !== "commander.unknownOption" && e.code !== "commander.unknownCommand") return message;
    return message.replace(/^(unknown (?:option|command) )'(.*?)'(?=(\s\(Did you mean [^()']*\?\))?$)/s, (_, head: string, typed: string) =>
        /^-{0,2}[a-z][a-z0-9-]{0,40}$/.test(typed) ? `${head}'${typed}'` : `${head}(${describe(typed)}, not shown)`,
    );
}

/** Runs one command line (without `node rekey`); returns the exit code. */
export function runCli(argv: string[], ioRaw: Io): number {
    // Everything printed, the messages too, shows bidi and terminal controls escaped (shownText.ts).
    const io: Io = { ...ioRaw, stdout: (t) => ioRaw.stdout(escapeUnsafe(t)), stderr: (t) => ioRaw.stderr(escapeUnsafe(t)) };
    const noCommand = () => {
        io.stderr("rekey: name a command: bump, rollback, plan, due, status, import or init (rekey --help)\n");
        return 2;
    };
    if (!argv.length) return noCommand();
    let result: Output | undefined;
    try {
        program(io, (o) => (result = o)).parse(argv, { from: "user" });
    } catch (e) {
        if (e instanceof CommanderError) {
            if (e.exitCode === 0) return 0;
            io.stderr(`rekey: ${commanderMessage(e)}\n`);
            return 2;
        }
        if (e instanceof CliError) {
            io.stderr(`rekey: ${e.message}\n`);
            return e.exitCode;
        }
        // Anything else is rekey's own failure: one line saying so, never a stack trace.
        io.stderr(`rekey: ${internalErrorMessage(e)}\n`);
        return 2;
    }
    if (!result) return noCommand();
    io.stdout(result.stdout);
    for (const n of result.notes) io.stderr(`rekey: ${n}\n`);
    return result.exitCode;
}

/** The `rekey` executable (bin/rekey.js). */
export function main(): void {
    process.exitCode = runCli(process.argv.slice(2), {
        cwd: process.cwd(),
        stdout: (t) => process.stdout.write(t),
        stderr: (t) => process.stderr.write(t),
        today: utcToday,
    });
}
