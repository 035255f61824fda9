// The engine's URN and alias rules, ported for the mock engine (pulumi/pulumi
// pkg/resource/deploy/deployment.go generateURN; pkg/resource/deploy/step_generator.go
// collapseAliasToUrn, inheritedChildAlias, generateAliases). A URN is the stack, the
// project, the parent's qualified type, the type and the name: never the parent's name, so
// two resources of one type and name under parents of one type collide.
export const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

export interface UrnContext {
    stack: string;
    project: string;
}

/** The qualified type of a URN: its parents' types and its own, joined by `$`. */
export function qualifiedType(urn: string): string {
    return urn.split("::")[2];
}

export function urnName(urn: string): string {
    return urn.split("::").slice(3).join("::");
}

/** The type of a URN's resource (the last of its qualified type). */
export function urnType(urn: string): string {
    const q = qualifiedType(urn).split("$");
    return q[q.length - 1];
}

function createUrn(ctx: UrnContext, parentType: string, type: string, name: string): string {
    return `urn:pulumi:${ctx.stack}::${ctx.project}::${parentType ? `${parentType}$` : ""}${type}::${name}`;
}

/** deployment.go generateURN: the root stack's type is not part of its children's. */
export function generateUrn(ctx: UrnContext, parent: string | undefined, type: string, name: string): string {
    const parentType = parent && urnType(parent) !== ROOT_STACK_TYPE ? qualifiedType(parent) : "";
    return createUrn(ctx, parentType, type, name);
}

/** An alias as the SDK sends it (AliasSpec): a whole URN, or parts that default to the resource's own. */
export type AliasSpec = string | { name?: string; type?: string; parent?: string; noParent?: boolean; project?: string; stack?: string };

/** step_generator.go collapseAliasToUrn. `movedFrom` is sg.aliases: the old URN each parent matched. */
export function collapseAlias(ctx: UrnContext, name: string, type: string, resParent: string | undefined, alias: AliasSpec, movedFrom: ReadonlyMap<string, string>): string {
    if (typeof alias === "string") return alias;
    const n = alias.name || name;
    const t = alias.type || type;
    let parent = alias.parent;
    if (!parent) parent = resParent;
    else if (movedFrom.has(parent)) parent = movedFrom.get(parent)!;
    if (alias.noParent || (parent && urnType(parent) === ROOT_STACK_TYPE)) parent = undefined;
    const at = { stack: alias.stack || ctx.stack, project: alias.project || ctx.project };
    return createUrn(at, parent ? qualifiedType(parent) : "", t, n);
}

/** step_generator.go inheritedChildAlias: a child named `<parent name><rest>` was `<parent's old name><rest>`. */
export function inheritedChildAlias(ctx: UrnContext, childType: string, childName: string, parentName: string, parentAlias: string): string {
    const aliasName = childName.startsWith(parentName) ? urnName(parentAlias) + childName.slice(parentName.length) : childName;
    return createUrn(ctx, qualifiedType(parentAlias), childType, aliasName);
}

/** step_generator.go generateAliases: the resource's own aliases, multiplied by its parent's. */
export function generateAliases(ctx: UrnContext, name: string, type: string, parent: string | undefined, aliases: readonly AliasSpec[], movedFrom: ReadonlyMap<string, string>): string[] {
    const out: string[] = [];
    const add = (u: string) => void (out.includes(u) || out.push(u));
    for (const a of aliases) add(collapseAlias(ctx, name, type, parent, a, movedFrom));
    const parentAlias = parent ? movedFrom.get(parent) : undefined;
    if (parent && parentAlias) {
        add(inheritedChildAlias(ctx, type, name, urnName(parent), parentAlias));
        for (const a of aliases) {
            const child = collapseAlias(ctx, name, type, parent, a, movedFrom);
            add(inheritedChildAlias(ctx, urnType(child), urnName(child), urnName(parent), parentAlias));
        }
    }
    return out;
}
