// rekey proof helper for Node.js (docs/proof.md). Paste it into your service or require it.
//
//   const { rekeyProof } = require("./rekey-proof");
//   // in the health handler, with the values the service loaded at start:
//   body.rekey = rekeyProof(loaded.PROOF_KEY, { DB_PASSWORD: loaded.DB_PASSWORD, API_TOKEN: loaded.API_TOKEN });
//
// Each fingerprint is the first 128 bits of HMAC-SHA256(proof key, "rekey-proof:NAME:VALUE")
// as lowercase hex, key and message as UTF-8. Pass the values exactly as the service loaded
// them; never report one without the proof key.
"use strict";
const crypto = require("crypto");

function rekeyProof(proofKey, values) {
    if (typeof proofKey !== "string" || proofKey === "") throw new Error("rekeyProof: the proof key is missing");
    const out = {};
    for (const [name, value] of Object.entries(values)) {
        if (typeof value !== "string") continue;
        out[name] = crypto.createHmac("sha256", Buffer.from(proofKey, "utf8")).update(`rekey-proof:${name}:${value}`, "utf8").digest("hex").slice(0, 32);
    }
    return out;
}

module.exports = { rekeyProof };
