// A Rotation's args as programs hand them: plain values, or Outputs and promises at any depth
// (pulumi.Input). A program in another language reaches the Rotation through the component
// provider: @pulumi/pulumi provider/server.js `deserializeInputs` hands a top-level input
// that is secret, or has dependencies, as one Output (runtime/rpc.js `deserializeProperty`
// pushes a nested secret up to the top level, so a `supplied` map holding one secret value
// arrives as one secret Output), an output value at any depth as an Output (its
// specialOutputValueSig case), and, in a preview, an unknown value as pulumi.unknown at its
// place. The planner reads plain data: readArgs resolves what is known and names what
// cannot be read, one problem per place, without ever showing a value.
import * as pulumi from "@pulumi/pulumi";
import { ConfigProblem, secretSettingsReason } from "./plan/model";
import { formatPath } from "./plan/problems";
import { readOutput } from "./outputValues";

/**
 * The args with every setting a plain value. The values of `supplied` and `hostKeys` are as
 * given (strings, Outputs, promises): they are secrets, never read here.
 */
export interface PlainArgs {
    secrets?: unknown;
    consumers?: unknown;
    hosts?: unknown;
    defaults?: unknown;
    supplied?: Record<string, pulumi.Input<string>>;
    hostKeys?: Record<string, pulumi.Input<string>>;
    stackOutput?: string;
}

export interface ArgsReading {
    args: PlainArgs;
    /** Args that cannot be read; when there is one, the inventory's contents are not planned. */
    problems: ConfigProblem[];
}

/** What each arg must be once resolved (a map is a plain object). */
const ARGS = {
    secrets: { kind: "map", of: "secrets" },
    consumers: { kind: "map", of: "consumers" },
    hosts: { kind: "map", of: "hosts" },
    defaults: { kind: "map" },
    supplied: { kind: "values" },
    hostKeys: { kind: "values" },
    stackOutput: { kind: "string" },
} as const satisfies Record<keyof PlainArgs, { kind: "map" | "values" | "string"; of?: string }>;
type ArgName = keyof typeof ARGS;

type Path = readonly (string | number)[];

function isInput(v: unknown): v is pulumi.Output<unknown> | PromiseLike<unknown> {
    return pulumi.Output.isInstance(v) || (typeof v === "object" && v !== null && typeof (v as PromiseLike<unknown>).then === "function");
}

/** A plain object: `{…}` or Object.create(null), from this realm or another; not a Map, Date, class instance. */
function isPlainObject(v: unknown): v is Record<string, unknown> {
    if (typeof v !== "object" || v === null || Object.prototype.toString.call(v) !== "[object Object]") return false;
    const proto = Object.getPrototypeOf(v);
    return proto === null || Object.getPrototypeOf(proto) === null;
}

/** What a value is, never what it holds (a secret's value must not reach a message). */
function kindOf(v: unknown): string {
    if (v === undefined || v === null) return String(v);
    if (Array.isArray(v)) return "a list";
    if (typeof v === "function") return "a function";
    if (typeof v !== "object") return `a ${typeof v}`;
    if (v instanceof Map) return "a Map";
    if (v instanceof Set) return "a Set";
    if (v instanceof Date) return "a Date";
    const name = Object.getPrototypeOf(v)?.constructor?.name;
    return typeof name === "string" && name !== "" && name !== "Object" ? `an instance of ${name}` : "a class instance";
}

/** Sets an own property, also one named `__proto__` (a secret may be: the planner names it as reserved), which `o[k] = v` would take as the prototype. */
function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
    Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

class Reader {
    readonly problems: ConfigProblem[] = [];
    /** Outputs and promises met and not yet resolved: each, once resolved, is read at its place. */
    readonly pending: (() => Promise<void>)[] = [];

    problem(at: Path, reason: string): void {
        this.problems.push({ subject: formatPath(["args", ...at.slice(0, 1)]), field: formatPath(at.slice(1)), reason });
    }

    unknown(at: Path): void {
        this.problem(at, `must be known to plan the Rotation, and is unknown${pulumi.runtime.isDryRun() ? " in this preview (an output of a resource not yet created or updated)" : ""}`);
    }

    /**
     * An Output or promise at `at`: once resolved, its value goes to `then`. The value is read
     * with its unknowns (Output.promise(true)), so that an unknown is named at its own place.
     */
    settle(v: pulumi.Output<unknown> | PromiseLike<unknown>, at: Path, secretAllowed: boolean, then: (value: unknown) => void): void {
        this.pending.push(async () => {
            if (!pulumi.Output.isInstance(v)) return then(await v);
            const { value, known, secret } = await readOutput(v);
            if (secret && !secretAllowed) return this.problem(at, secretSettingsReason("a secret value", "args.supplied"));
            if (!known && !pulumi.containsUnknowns(value)) return this.unknown(at);
            then(value);
        });
    }

    /** One arg: its own shape first (a map, a string, a map of secret values), then what it holds. */
    arg(name: ArgName, v: unknown, put: (x: unknown) => void): void {
        const spec = ARGS[name];
        if (isInput(v)) {
            const from = spec.kind === "values" && pulumi.Output.isInstance(v) ? v : undefined;
            return this.settle(v, [name], spec.kind === "values", (value) => (from && !pulumi.isUnknown(value) ? this.values(name, value, put, from) : this.arg(name, value, put)));
        }
        if (pulumi.isUnknown(v)) return this.unknown([name]);
        if (spec.kind === "string") return typeof v === "string" ? put(v) : this.problem([name], `expected a string, got ${kindOf(v)}`);
        if (spec.kind === "values") return this.values(name, v, put);
        // A string, a number or a list where a map belongs is read as it is: the planner names
        // it as it names the same in a stack file (rekey:secrets: expected a map of secrets, …).
        // What the planner cannot tell from a map (a Map, a class instance, a function) is refused here.
        if (!isPlainObject(v) && !Array.isArray(v) && (typeof v === "object" || typeof v === "function")) {
            return this.problem([name], `expected a map (a plain object)${"of" in spec ? ` of ${spec.of}` : ""}, got ${kindOf(v)}`);
        }
        this.setting(v, [name], put);
    }

    /**
     * A setting, at any depth: plain values, lists and plain objects, with Outputs resolved.
     * A map's null entry is left out, as absent: a Python program's None in a dict is sent as
     * null (sdk/python/lib/pulumi/runtime/rpc.py serialize_property, the Mapping case) where a
     * TypeScript one leaves the key out, and the SDKs drop a top-level null input the same way
     * (serialize_properties: "properties that serialize to None" do not exist).
     *
     * Walked with an explicit stack, not recursion: a value nested thousands deep (a stack
     * file can hold one) is read like any other and left to the planner to name.
     */
    setting(root: unknown, rootAt: Path, rootPut: (x: unknown) => void, within: ReadonlySet<object> = new Set()): void {
        /** The objects on the path from the root to the value being read: one holding itself is a cycle. */
        const onPath = new Set<object>(within);
        type Task = { value: unknown; at: Path; put: (x: unknown) => void } | { leave: object };
        const todo: Task[] = [{ value: root, at: rootAt, put: rootPut }];
        while (todo.length) {
            const task = todo.pop()!;
            if ("leave" in task) {
                onPath.delete(task.leave);
                continue;
            }
            const { value: v, at, put } = task;
            if (isInput(v)) {
                const path = new Set(onPath);
                this.settle(v, at, false, (value) => this.setting(value, at, put, path));
                continue;
            }
            if (pulumi.isUnknown(v)) {
                this.unknown(at);
                continue;
            }
            if (v === null || v === undefined || ["string", "number", "boolean"].includes(typeof v)) {
                put(v);
                continue;
            }
            if (onPath.has(v as object)) {
                this.problem(at, "holds itself (a cycle)");
                continue;
            }
            const children: Task[] = [];
            if (Array.isArray(v)) {
                const out: unknown[] = [];
                put(out);
                v.forEach((e, i) => children.push({ value: e, at: [...at, i], put: (x) => void (out[i] = x) }));
            } else if (isPlainObject(v)) {
                const out: Record<string, unknown> = {};
                put(out);
                for (const [k, e] of Object.entries(v)) if (e !== null) children.push({ value: e, at: [...at, k], put: (x) => setOwn(out, k, x) });
            } else {
                this.problem(at, `got ${kindOf(v)}: an arg holds strings, numbers, booleans, lists and plain objects only`);
                continue;
            }
            onPath.add(v as object);
            // Children in order (the stack pops the last pushed first), then leaving this value.
            todo.push({ leave: v as object }, ...children.reverse());
        }
    }

    /**
     * `supplied` or `hostKeys`: a map from name to secret value. Its names are read (the plan
     * needs them), its values are not: each stays the string or Output given. A map that
     * arrived as one Output (a secret one, from another language) gives each value as an
     * Output of it, which keeps its secrecy and its dependencies.
     */
    values(name: ArgName, v: unknown, put: (x: unknown) => void, from?: pulumi.Output<unknown>): void {
        if (!isPlainObject(v)) return this.problem([name], `expected a map of names to secret strings, got ${kindOf(v)}`);
        const out: Record<string, pulumi.Input<string>> = {};
        for (const [k, e] of Object.entries(v)) {
            if (e === undefined || e === null || e === "") continue;
            if (typeof e === "string" || pulumi.isUnknown(e)) setOwn(out, k, from ? from.apply((m) => (m as Record<string, string>)[k]) : e);
            else if (isInput(e)) setOwn(out, k, e);
            else this.problem([name, k], `expected a string (or an Output of one), got ${kindOf(e)}`);
        }
        put(out);
    }
}

/**
 * Reads a Rotation's args into plain settings: at once when nothing in them is an Output or
 * a promise (so that plain args are planned before anything is registered), else once every
 * Output is resolved. Refused: an arg of the wrong shape, a Map, class instance or function
 * anywhere (a Map's entries are not its keys: it would read as empty), a secret among the
 * settings, an unknown (a preview), an arg rekey does not know.
 */
export function readArgs(args: unknown): ArgsReading | Promise<ArgsReading> {
    const r = new Reader();
    const out: Record<string, unknown> = {};
    if (!isPlainObject(args)) {
        r.problem([], `expected the Rotation's args (a plain object), got ${kindOf(args)}`);
    } else {
        for (const [k, v] of Object.entries(args)) {
            if (!(k in ARGS)) r.problem([k], `unknown arg (known: ${Object.keys(ARGS).join(", ")})`);
            else if (v !== undefined && v !== null) r.arg(k as ArgName, v, (x) => void (out[k] = x));
        }
    }
    const finish = (): ArgsReading => ({ args: out as PlainArgs, problems: r.problems.sort((a, b) => `${a.subject}\0${a.field}`.localeCompare(`${b.subject}\0${b.field}`)) });
    if (!r.pending.length) return finish();
    return (async () => {
        // A resolved value can hold Outputs of its own (an output value inside a map): round by round.
        while (r.pending.length) await Promise.all(r.pending.splice(0).map((read) => read()));
        return finish();
    })();
}
