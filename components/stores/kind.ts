// What every store kind's component provides: one function from a store group (the
// stores one resource performs, components/plan/storeTargets.ts) to that resource.
import type * as aws from "@pulumi/aws";
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { HostTarget } from "../commands/hostCommand";
import type { StoreKind } from "../plan/model";
import type { StoreGroup } from "../plan/storeTargets";
import type { SecretValues } from "./values";

export interface StoreDeployContext {
    values: Map<string, SecretValues>;
    host(name: string | null): HostTarget;
    /** The AWS provider of a region (undefined: the default provider). */
    awsProvider(region: string | null): aws.Provider | undefined;
    kubernetesProvider(): k8s.Provider;
    /** The user's providers by package (`aws`, `azure-native`, `kubernetes`). */
    providers: Readonly<Record<string, pulumi.ProviderResource>>;
    /** The Rotation's prefix, before the name of every resource a component creates. */
    prefix: string;
}

export type StoreComponent<K extends StoreKind> = (
    group: StoreGroup<K>,
    ctx: StoreDeployContext,
    opts: pulumi.ComponentResourceOptions,
) => pulumi.ComponentResource;
