// rekey: secret rotation as code. The inventory is the `rekey:*` stack configuration
// (see docs/configuration.md); bump a secret's epoch and run `pulumi up` to rotate it.
import { runRekey } from "./components/program";

const deployed = runRekey();

/** Per secret: epoch, rotatedAt, keyed fingerprint, stores written, consumers. Never a value. */
export const rotation = deployed.rotation;
/** Passwords behind htpasswd secrets: `pulumi stack output credentials --show-secrets`. */
export const credentials = deployed.credentials;
