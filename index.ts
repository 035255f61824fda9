// rekey: secret rotation as code. The inventory is the `rekey:*` stack configuration
// (see docs/configuration.md); bump a secret's epoch and run `pulumi up` to rotate it.
//
// The program is an async function (the Node.js language host awaits an exported
// function's result and uses it as the stack outputs): before it registers anything it
// reads the stack's own last outputs, to check every epoch against the last completed
// rotation.
import { runRekey } from "./components/program";

export = async () => {
    const deployed = await runRekey();
    return {
        /** Per secret: epoch, rotatedAt, keyed fingerprint, previous, stores, consumers. Never a value. */
        rotation: deployed.rotation,
        /** Passwords behind htpasswd secrets: `pulumi stack output credentials --show-secrets`. */
        credentials: deployed.credentials,
    };
};
