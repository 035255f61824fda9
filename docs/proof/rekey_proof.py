# rekey proof helper for Python 3 (docs/proof.md). Paste it into your service or import it.
#
#   from rekey_proof import rekey_proof
#   # in the health handler, with the values the service loaded at start:
#   body["rekey"] = rekey_proof(loaded["PROOF_KEY"], {"DB_PASSWORD": loaded["DB_PASSWORD"]})
#
# Each fingerprint is the first 128 bits of HMAC-SHA256(proof key, "rekey-proof:NAME:VALUE")
# as lowercase hex, key and message as UTF-8. Pass the values exactly as the service loaded
# them; never report one without the proof key.
import hashlib
import hmac


def rekey_proof(proof_key, values):
    if not isinstance(proof_key, str) or proof_key == "":
        raise ValueError("rekey_proof: the proof key is missing")
    key = proof_key.encode("utf-8")
    return {
        name: hmac.new(key, ("rekey-proof:%s:%s" % (name, value)).encode("utf-8"), hashlib.sha256).hexdigest()[:32]
        for name, value in values.items()
        if isinstance(value, str)
    }
