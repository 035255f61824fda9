// Package rekeyproof is the rekey proof helper for Go (docs/proof.md). Copy this file into
// your service.
//
//	// in the health handler, with the values the service loaded at start:
//	body["rekey"] = rekeyproof.Proof(loaded["PROOF_KEY"], map[string]string{"DB_PASSWORD": loaded["DB_PASSWORD"]})
//
// Each fingerprint is the first 128 bits of HMAC-SHA256(proof key, "rekey-proof:NAME:VALUE")
// as lowercase hex, key and message as bytes (UTF-8 strings as Go holds them). Pass the
// values exactly as the service loaded them; never report one without the proof key.
package rekeyproof

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
)

// Proof returns NAME -> fingerprint for each value, under proofKey (which must not be empty).
func Proof(proofKey string, values map[string]string) map[string]string {
	if proofKey == "" {
		panic("rekeyproof: the proof key is missing")
	}
	out := make(map[string]string, len(values))
	for name, value := range values {
		mac := hmac.New(sha256.New, []byte(proofKey))
		mac.Write([]byte("rekey-proof:" + name + ":" + value))
		out[name] = hex.EncodeToString(mac.Sum(nil))[:32]
	}
	return out
}
