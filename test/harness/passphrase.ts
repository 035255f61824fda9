// Pulumi's passphrase secrets provider format, used by the sample stacks: key =
// PBKDF2-SHA256(passphrase, salt, 1e6 rounds, 32 bytes); each value is
// "v1:" + base64(12-byte nonce) + ":" + base64(AES-256-GCM ciphertext + tag);
// `encryptionsalt` is "v1:" + base64(salt) + ":" + the encryption of "pulumi".
import { createCipheriv, createDecipheriv, pbkdf2Sync, randomBytes } from "crypto";

export const SAMPLE_PASSPHRASE = "rekey-sample-stacks";

export function passphraseKey(passphrase: string, encryptionSalt: string): Buffer {
    const [version, salt] = encryptionSalt.split(":");
    if (version !== "v1") throw new Error("unknown encryptionsalt version");
    const key = pbkdf2Sync(passphrase, Buffer.from(salt, "base64"), 1_000_000, 32, "sha256");
    const check = encryptionSalt.slice(encryptionSalt.indexOf(":", 3) + 1);
    if (decrypt(key, check) !== "pulumi") throw new Error("wrong passphrase");
    return key;
}

export function encrypt(key: Buffer, plaintext: string): string {
    const nonce = randomBytes(12);
    const c = createCipheriv("aes-256-gcm", key, nonce);
    const body = Buffer.concat([c.update(plaintext, "utf8"), c.final(), c.getAuthTag()]);
    return `v1:${nonce.toString("base64")}:${body.toString("base64")}`;
}

export function decrypt(key: Buffer, ciphertext: string): string {
    const [version, nonce, body] = ciphertext.split(":");
    if (version !== "v1") throw new Error("unknown ciphertext version");
    const data = Buffer.from(body, "base64");
    const d = createDecipheriv("aes-256-gcm", key, Buffer.from(nonce, "base64"));
    d.setAuthTag(data.subarray(data.length - 16));
    return Buffer.concat([d.update(data.subarray(0, data.length - 16)), d.final()]).toString("utf8");
}

export function newEncryptionSalt(passphrase: string): { salt: string; key: Buffer } {
    const salt = randomBytes(8);
    const key = pbkdf2Sync(passphrase, salt, 1_000_000, 32, "sha256");
    return { salt: `v1:${salt.toString("base64")}:${encrypt(key, "pulumi")}`, key };
}
