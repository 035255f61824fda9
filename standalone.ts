// rekey's standalone program: the inventory is this stack's `rekey:*` configuration (see
// docs/configuration.md); bump a secret's epoch and run `pulumi up` to rotate it. Pulumi.yaml
// names this file as `main`, which wins over package.json's `exports` (the library, which
// registers nothing; @pulumi/pulumi cmd/run/run.js: an entrypoint set in Pulumi.yaml is
// used as it is).
//
// The program is an async function (the Node.js language host awaits an exported
// function's result and uses it as the stack outputs): the Rotation reads the stack's own
// last outputs before it registers anything but itself, to check every epoch against the
// last completed rotation.
import { Rotation, fromStackConfig } from "./index";

export = async () => {
    const rekey = new Rotation("rekey", fromStackConfig());
    await rekey.ready();
    return {
        /** Per secret: epoch, rotatedAt, keyed fingerprint, previous, stores, consumers. Never a value. */
        rotation: rekey.rotation,
        /** Passwords behind htpasswd secrets: `pulumi stack output credentials --show-secrets`. */
        credentials: rekey.credentials,
    };
};
