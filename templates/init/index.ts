// Secret rotation as code with pulumi-rekey. The inventory is this stack's `rekey:*`
// configuration (Pulumi.<stack>.yaml); to rotate a secret, bump its epoch in a pull request
// (`npx pulumi-rekey bump NAME --stack <stack>`) and run `pulumi up` after merge.
//
// To use a value elsewhere in this program: `rekey.values.NAME` is a secret Output.
import { Rotation, fromStackConfig } from "pulumi-rekey";

export = async () => {
    const rekey = new Rotation("rekey", fromStackConfig());
    // Fails the program, naming every secret, when an epoch moved more than one step.
    await rekey.ready();
    return {
        /** Per secret: epoch, rotatedAt, keyed fingerprint, stores, consumers. Never a value. */
        rotation: rekey.rotation,
        /** Passwords behind htpasswd secrets: `pulumi stack output credentials --show-secrets`. */
        credentials: rekey.credentials,
    };
};
