// The table of store components, one per kind (the planner's side is
// components/plan/storeKinds/index.ts).
import type { StoreKind } from "../plan/model";
import { dotenvStore } from "./dotenv";
import { fileStore } from "./file";
import type { StoreComponent } from "./kind";
import { keyVaultStore } from "./keyVault";
import { kubernetesStore } from "./kubernetes";
import { ssmStore } from "./ssm";

export type { StoreComponent, StoreDeployContext } from "./kind";

export const STORE_COMPONENTS: { readonly [K in StoreKind]: StoreComponent<K> } = {
    ssm: ssmStore,
    keyVault: keyVaultStore,
    kubernetes: kubernetesStore,
    dotenv: dotenvStore,
    file: fileStore,
};
