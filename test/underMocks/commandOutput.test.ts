// Commands handed a secret keep their output out of plain state and out of `pulumi up`'s
// error text (@pulumi/command puts a failed command's stdout and stderr in its error,
// provider/pkg/provider/local/commandOutputs.go `run`); a command hook runs only when its
// secret's value changes.
import { withheldOutput } from "../../components/commands/hostCommand";
import { Config } from "../harness/configs";
import { MockEngine, ofType, resource } from "../harness/mockEngine";
import { loadStackFile } from "../harness/stackFile";
import { runWithValues } from "../harness/values";

const LOCAL = "command:local:Command";
const REMOTE = "command:remote:Command";

test("in the production stack, every command handed a secret marks stdout and stderr secret and withholds its output; no other command does", async () => {
    const { config, secretKeys } = loadStackFile("production");
    const run = await new MockEngine("rekey", "production").run(config, undefined, secretKeys);
    const commands = [...ofType(run, LOCAL), ...ofType(run, REMOTE)];
    const handed = commands.filter((c) => c.leaves.some((l) => l.secret && (l.path.startsWith("stdin") || l.path.startsWith("environment"))));
    // The .env and file read-backs are rekey's own script, which prints names only
    // (scripts/read-back.sh): their output is shown, and still kept out of plain state.
    const readBacks = handed.filter((c) => c.name.startsWith("rekey-readback:"));
    expect(readBacks.map((c) => c.name.split(":")[1]).sort()).toEqual(["dotenv", "file"]);
    for (const c of readBacks) {
        expect({ name: c.name, secretOutputs: c.additionalSecretOutputs.filter((o) => o !== "connection") }).toEqual({ name: c.name, secretOutputs: ["stdout", "stderr"] });
        expect(c.inputs.create.startsWith(`sh -c '# rekey store read-back`)).toBe(true);
    }
    const carrying = handed.filter((c) => !readBacks.includes(c));
    const others = commands.filter((c) => !handed.includes(c));
    expect(carrying.length).toBe(6);
    // Every resource of the standalone Rotation is named after it ("rekey-"); the step after that.
    expect(carrying.every((c) => c.name.startsWith("rekey-"))).toBe(true);
    const step = (c: { name: string }) => c.name.slice("rekey-".length);
    expect(new Set(carrying.map((c) => step(c).split(":")[0]))).toEqual(new Set(["postgres", "redis", "redis-finalize", "command-hook", "dotenv", "file"]));
    for (const c of carrying) {
        // Remote commands also have `connection` (the SDK marks it, as it holds the key).
        expect({ name: c.name, secretOutputs: c.additionalSecretOutputs.filter((o) => o !== "connection") }).toEqual({ name: c.name, secretOutputs: ["stdout", "stderr"] });
        expect(c.inputs.create.startsWith(withheldOutput(step(c), "X").split("'X'")[0])).toBe(true);
    }
    // (The SSM and Kubernetes read-backs compare in the program: their command is handed nothing.)
    expect(new Set(others.map((c) => step(c).split(":")[0]))).toEqual(new Set(["restart", "verify", "readback"]));
    for (const c of others) expect({ name: c.name, secretOutputs: c.additionalSecretOutputs.filter((o) => o !== "connection") }).toEqual({ name: c.name, secretOutputs: [] });
});

describe("command hooks", () => {
    const config = (epoch: number, run = "reencrypt --from-env"): Config => ({
        "rekey:secrets": {
            KEY: { epoch, generate: { encoding: "base64", bytes: 32 }, keepPrevious: true, apply: { command: { run } } },
        },
    });
    const hook = (r: Awaited<ReturnType<typeof runWithValues>>) => resource(r.run, LOCAL, "rekey-command-hook:KEY");

    test("triggers are the values' keyed fingerprints; an edited run is a no-op update; a bump replaces, so create runs", async () => {
        const engine = new MockEngine();
        const first = await runWithValues(engine, config(3));
        expect(hook(first).inputs.triggers).toEqual([first.run.outputs.rotation.KEY.fingerprint, expect.stringMatching(/^hmac-sha256:/)]);
        expect(hook(first).inputs.update).toBe(withheldOutput("command-hook:KEY", "true"));
        const edited = await runWithValues(engine, config(3, "reencrypt --from-env --verbose"));
        expect(hook(edited).change).toBe("updated");
        const bumped = await runWithValues(engine, config(4, "reencrypt --from-env --verbose"));
        expect(hook(bumped).change).toBe("replaced");
        expect(hook(bumped).inputs.environment).toEqual({ OLD_VALUE: first.values.KEY, NEW_VALUE: bumped.values.KEY, REKEY_INITIAL: "0" });
    });

    test("REKEY_INITIAL is 1 while OLD_VALUE is a value no service was deployed with, 0 once it is, and stays put when nothing changes", async () => {
        const engine = new MockEngine();
        const initial = (r: Awaited<ReturnType<typeof runWithValues>>) => hook(r).inputs.environment.REKEY_INITIAL;
        const a = await runWithValues(engine, config(3));
        expect(initial(a)).toBe("1");
        const b = await runWithValues(engine, config(3));
        expect([initial(b), hook(b).change]).toEqual(["1", "same"]);
        const c = await runWithValues(engine, config(4));
        expect(initial(c)).toBe("0");
        const d = await runWithValues(engine, config(4));
        expect([initial(d), hook(d).change]).toEqual(["0", "same"]);
        // A rollback: OLD_VALUE is the value rolled back from, which the data was re-encrypted with.
        const e = await runWithValues(engine, config(3));
        expect(hook(e).inputs.environment).toEqual({ OLD_VALUE: c.values.KEY, NEW_VALUE: a.values.KEY, REKEY_INITIAL: "0" });
    });
});
