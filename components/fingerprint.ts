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
