import { createHmac } from "crypto";

export const FINGERPRINT_PREFIX = "hmac-sha256:";

/**
 * A keyed fingerprint of a secret value: the first 128 bits of HMAC-SHA256 under the
 * stack's fingerprint key. It tells whether two values are the same (after a rotation,
 * in a store, in a running service) without letting anyone who sees it test guesses,
 * because the key itself is a secret. A bare hash of a secret is never published.
 */
export function fingerprint(key: string, value: string): string {
    return FINGERPRINT_PREFIX + keyedHex(key, value);
}

/** The first 128 bits of HMAC-SHA256(key, message), as hex. */
export function keyedHex(key: string, message: string): string {
    return createHmac("sha256", key).update(message, "utf8").digest("hex").slice(0, 32);
}

/**
 * The fingerprint a running service reports of a value it loaded (a consumer's proof):
 * the first 128 bits of HMAC-SHA256 under the consumer's proof key, of
 * `rekey-proof:<NAME>:<value>`, as lowercase hex. The secret's name is in the message, so
 * two secrets that hold one value report different fingerprints. The proof key is a
 * generated secret the service reads like its others: whoever queries the service's
 * endpoint without it cannot test guesses of a value offline. The helpers in docs/proof/
 * compute exactly this (test/proof/helpers.test.ts).
 */
export function proofFingerprint(proofKey: string, name: string, value: string): string {
    return keyedHex(proofKey, `rekey-proof:${name}:${value}`);
}
