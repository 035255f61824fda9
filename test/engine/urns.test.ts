// The engine's URN and alias rules as the mock engine ports them (test/harness/urns.ts),
// checked against the examples in pulumi/pulumi pkg/resource/deploy/step_generator.go.
import { collapseAlias, generateAliases, generateUrn, inheritedChildAlias } from "../harness/urns";

const ctx = { stack: "stackname", project: "projectname" };
const STACK = "urn:pulumi:stackname::projectname::pulumi:pulumi:Stack::projectname-stackname";

test("generateURN: children of the root stack carry no parent type; others carry the parent's qualified type", () => {
    expect(generateUrn(ctx, STACK, "aws:s3/bucket:Bucket", "b")).toBe("urn:pulumi:stackname::projectname::aws:s3/bucket:Bucket::b");
    const vpc = generateUrn(ctx, STACK, "awsx:ec2:Vpc", "app");
    const sub = generateUrn(ctx, vpc, "awsx:ec2:Subnet", "app-sub");
    expect(sub).toBe("urn:pulumi:stackname::projectname::awsx:ec2:Vpc$awsx:ec2:Subnet::app-sub");
    expect(generateUrn(ctx, sub, "aws:ec2/subnet:Subnet", "app-sub")).toBe("urn:pulumi:stackname::projectname::awsx:ec2:Vpc$awsx:ec2:Subnet$aws:ec2/subnet:Subnet::app-sub");
});

test("inheritedChildAlias: the step_generator.go example (newapp-function under newapp, once app)", () => {
    expect(inheritedChildAlias(ctx, "aws:s3/bucket:Bucket", "newapp-function", "newapp", "urn:pulumi:stackname::projectname::awsx:ec2:Vpc::app")).toBe(
        "urn:pulumi:stackname::projectname::awsx:ec2:Vpc$aws:s3/bucket:Bucket::app-function",
    );
    // A child whose name does not start with its parent's keeps its name.
    expect(inheritedChildAlias(ctx, "t:m:C", "other", "newapp", "urn:pulumi:stackname::projectname::awsx:ec2:Vpc::app")).toBe("urn:pulumi:stackname::projectname::awsx:ec2:Vpc$t:m:C::other");
});

test("collapseAliasToUrn: a URN as given; parts default to the resource's; noParent or the root stack drop the parent", () => {
    const parent = "urn:pulumi:stackname::projectname::my:x:Comp::p";
    const moved = new Map<string, string>();
    expect(collapseAlias(ctx, "n", "t:m:R", parent, "urn:x", moved)).toBe("urn:x");
    expect(collapseAlias(ctx, "n", "t:m:R", parent, { name: "old" }, moved)).toBe("urn:pulumi:stackname::projectname::my:x:Comp$t:m:R::old");
    expect(collapseAlias(ctx, "n", "t:m:R", parent, { name: "old", noParent: true }, moved)).toBe("urn:pulumi:stackname::projectname::t:m:R::old");
    expect(collapseAlias(ctx, "n", "t:m:R", parent, { parent: STACK }, moved)).toBe("urn:pulumi:stackname::projectname::t:m:R::n");
});

test("generateAliases multiplies the resource's aliases by its parent's former URN", () => {
    const newParent = "urn:pulumi:stackname::projectname::rekey:index:Rotation$rekey:index:RotatedSecret::rekey-JWT";
    const moved = new Map([[newParent, "urn:pulumi:stackname::projectname::rekey:index:RotatedSecret::JWT"]]);
    expect(generateAliases(ctx, "rekey-JWT-even", "random:index/randomPassword:RandomPassword", newParent, [], moved)).toEqual([
        "urn:pulumi:stackname::projectname::rekey:index:RotatedSecret$random:index/randomPassword:RandomPassword::JWT-even",
    ]);
    expect(generateAliases(ctx, "rekey-ssm:/x", "rekey:index:SsmParameters", newParent, [{ name: "ssm:/x" }], moved)).toContain(
        "urn:pulumi:stackname::projectname::rekey:index:RotatedSecret$rekey:index:SsmParameters::ssm:/x",
    );
});
