// Other languages get the Rotation through `pulumi package add`, whose schema comes from
// the SDK's own analyzer (@pulumi/pulumi provider/experimental/analyzer.js, run by
// cmd/run-plugin/run.js): the constructor's second parameter named `args` with a declared
// interface type, named interfaces throughout, no union but `T | undefined`, no function.
// This runs that analyzer over the package, and over small packages that break each rule
// (controls). The args interfaces (components/args.ts) are held in step with the zod
// schemas that validate them, at compile time (npm test runs tsc).
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import type * as args from "../../components/args";
import type * as schema from "../../components/plan/schema";
import { ROOT } from "../harness/stackFile";

// Every valid configuration is expressible as args (the config type is assignable to the
// args type), and neither has a field the other lacks.
type Assignable<A, B> = [A] extends [B] ? true : false;
type SameKeys<A, B> = [Exclude<keyof A, keyof B> | Exclude<keyof B, keyof A>] extends [never] ? true : false;
type InStep<C, A> = Assignable<C, A> extends true ? (SameKeys<C, A> extends true ? true : false) : false;
const inStep: [
    InStep<schema.SecretConfig, args.SecretArgs>,
    InStep<schema.StoreConfig, args.StoreArgs>,
    InStep<schema.GenerateConfig, args.GenerateArgs>,
    InStep<schema.ApplyConfig, args.ApplyArgs>,
    InStep<NonNullable<schema.ApplyConfig["postgres"]>, args.PostgresApplyArgs>,
    InStep<NonNullable<schema.ApplyConfig["redis"]>, args.RedisApplyArgs>,
    InStep<NonNullable<schema.ApplyConfig["mysql"]>, args.MysqlApplyArgs>,
    InStep<NonNullable<schema.ApplyConfig["command"]>, args.CommandApplyArgs>,
    InStep<NonNullable<schema.StoreConfig["ssm"]>, args.SsmStoreArgs>,
    InStep<NonNullable<schema.StoreConfig["keyVault"]>, args.KeyVaultStoreArgs>,
    InStep<NonNullable<schema.StoreConfig["kubernetes"]>, args.KubernetesStoreArgs>,
    InStep<NonNullable<schema.StoreConfig["dotenv"]>, args.DotenvStoreArgs>,
    InStep<NonNullable<schema.StoreConfig["file"]>, args.FileStoreArgs>,
    InStep<schema.ConsumerConfig, args.ConsumerArgs>,
    InStep<NonNullable<schema.ConsumerConfig["kubernetes"]>, args.KubernetesWorkloadArgs>,
    InStep<schema.VerifyConfig, args.VerifyArgs>,
    InStep<schema.HostConfig, args.HostArgs>,
    InStep<schema.DefaultsConfig, args.DefaultsArgs>,
    InStep<NonNullable<schema.DefaultsConfig["ssm"]>, args.SsmDefaultsArgs>,
    InStep<NonNullable<schema.DefaultsConfig["keyVault"]>, args.KeyVaultDefaultsArgs>,
    InStep<NonNullable<schema.DefaultsConfig["kubernetes"]>, args.KubernetesDefaultsArgs>,
    InStep<NonNullable<schema.DefaultsConfig["dotenv"]>, args.DotenvDefaultsArgs>,
    InStep<NonNullable<schema.DefaultsConfig["file"]>, args.FileDefaultsArgs>,
    InStep<schema.IssueConfig, args.IssueArgs>,
    InStep<NonNullable<schema.IssueConfig["awsAccessKey"]>, args.AwsAccessKeyIssueArgs>,
    InStep<NonNullable<schema.IssueConfig["azureAppSecret"]>, args.AzureAppSecretIssueArgs>,
] = [true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true];

interface Analyzed {
    components: Record<string, { inputs: Record<string, unknown>; outputs: Record<string, unknown> }>;
    typeDefinitions: Record<string, unknown>;
}
const { Analyzer } = require("@pulumi/pulumi/provider/experimental/analyzer") as {
    Analyzer: new (dir: string, name: string, packageJSON: unknown, components: Set<string>) => { analyze(): Analyzed };
};

test("the args interfaces are in step with the config schemas (compile-time, held by tsc)", () => {
    expect(inStep.every((x) => x)).toBe(true);
});

test("the SDK's schema inference accepts the Rotation: its args, every nested type named, its outputs", () => {
    const pkg = require(join(ROOT, "package.json"));
    const analyzed = new Analyzer(ROOT, "pulumi-rekey", pkg, new Set(["Rotation"])).analyze();
    const rotation = analyzed.components.Rotation;
    expect(Object.keys(rotation.inputs).sort()).toEqual(["consumers", "defaults", "hostKeys", "hosts", "secrets", "stackOutput", "supplied"]);
    expect(Object.keys(rotation.outputs).sort()).toEqual(["credentials", "rotation", "values"]);
    expect(Object.keys(analyzed.typeDefinitions)).toEqual(expect.arrayContaining(["SecretArgs", "StoreArgs", "ConsumerArgs", "HostArgs", "DefaultsArgs", "GenerateArgs", "ApplyArgs", "IssueArgs", "AwsAccessKeyIssueArgs", "AzureAppSecretIssueArgs"]));
    // Every arg, at any depth, is an Input (none `plain`): another language's program may hand
    // any of them as an Output (an epoch from a resource, a secret map), and the Rotation
    // resolves them before planning (components/readArgs.ts).
    // (With the fields typed without Input, the analyzer marked 31 of them `plain`.)
    expect(JSON.stringify({ inputs: rotation.inputs, types: analyzed.typeDefinitions })).not.toContain('"plain":true');
}, 180000);

describe("controls: the analyzer refuses what other languages cannot take", () => {
    const made: string[] = [];
    afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));
    const analyzeSource = (source: string) => {
        const dir = mkdtempSync(join(tmpdir(), "rekey-schema-"));
        made.push(dir);
        symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
        writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "probe", version: "0.0.1" }));
        writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true, target: "es2022", module: "commonjs", moduleResolution: "node", skipLibCheck: true }, files: ["index.ts"] }));
        writeFileSync(join(dir, "index.ts"), `import * as pulumi from "@pulumi/pulumi";\n${source}\n`);
        return () => new Analyzer(dir, "probe", { name: "probe", version: "0.0.1" }, new Set(["Probe"])).analyze();
    };
    const component = (argsType: string, param = "args") =>
        `export class Probe extends pulumi.ComponentResource {\n    constructor(name: string, ${param}, opts?: pulumi.ComponentResourceOptions) { super("probe:index:Probe", name, {}, opts); }\n}\n${argsType}`;
    test.each([
        ["a union", component("export interface ProbeArgs { mode: string | number; }", "args: ProbeArgs"), /Union types are not supported/],
        ["a function", component("export interface ProbeArgs { onDone: () => void; }", "args: ProbeArgs"), /Unsupported type|not supported/],
        ["an untyped args", component("", "args"), /'args' parameter must have a type/],
        ["an anonymous nested type", component("export interface ProbeArgs { nested: { a: string }; }", "args: ProbeArgs"), /Unsupported type .*nested/],
    ])("%s", (_what, source, error) => {
        expect(analyzeSource(source)).toThrow(error);
    }, 60000);
    test("and accepts the same shape done right", () => {
        expect(analyzeSource(component("export interface Nested { a: string; }\nexport interface ProbeArgs { nested?: Nested; mode?: string; }", "args: ProbeArgs"))().components.Probe.inputs).toHaveProperty("nested");
    }, 60000);
});
