# rekey proof helper for POSIX sh (docs/proof.md): dash, bash, busybox sh. Source it:
#
#   . ./rekey-proof.sh
#   rekey_proof "$PROOF_KEY" DB_PASSWORD "$DB_PASSWORD"     # prints one fingerprint
#   rekey_proof_json "$PROOF_KEY" DB_PASSWORD API_TOKEN      # {"DB_PASSWORD":"…","API_TOKEN":"…"},
#                                                            # each value from the variable of that name
#
# Each fingerprint is the first 128 bits of HMAC-SHA256(proof key, "rekey-proof:NAME:VALUE")
# as lowercase hex. The HMAC is computed here from SHA-256 (openssl dgst, else sha256sum):
# `openssl dgst -hmac KEY` would put the key in a process's argv, where ps shows it. Key and
# value only reach printf (a shell builtin) and pipes. A shell variable cannot hold a NUL
# byte, and $(...) drops trailing newlines: read such values another way.

# The SHA-256 of stdin as lowercase hex.
_rekey_sha256() {
    if command -v openssl >/dev/null 2>&1; then
        openssl dgst -sha256 -binary | od -An -v -tx1 | tr -d ' \n'
    else
        sha256sum | cut -c1-64
    fi
}

# The bytes of hex text (no spaces) as printf octal escapes, each XORed with $2 (0 to copy).
_rekey_escapes() {
    _rk_h=$1
    _rk_out=
    while [ -n "$_rk_h" ]; do
        _rk_rest=${_rk_h#??}
        _rk_byte=${_rk_h%"$_rk_rest"}
        _rk_out="$_rk_out$(printf '\\%03o' $((0x$_rk_byte ^ $2)))"
        _rk_h=$_rk_rest
    done
    printf '%s' "$_rk_out"
}

rekey_proof() {
    [ -n "$1" ] || { echo "rekey_proof: the proof key is missing" >&2; return 2; }
    _rk_key=$(printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n')
    # A key longer than SHA-256's block (64 bytes) is hashed first; a shorter one is padded with zeros.
    [ ${#_rk_key} -le 128 ] || _rk_key=$(printf '%s' "$1" | _rekey_sha256)
    while [ ${#_rk_key} -lt 128 ]; do _rk_key="${_rk_key}00"; done
    _rk_inner=$( { printf "$(_rekey_escapes "$_rk_key" 54)"; printf 'rekey-proof:%s:%s' "$2" "$3"; } | _rekey_sha256)
    _rk_mac=$( { printf "$(_rekey_escapes "$_rk_key" 92)"; printf "$(_rekey_escapes "$_rk_inner" 0)"; } | _rekey_sha256)
    printf '%s\n' "$_rk_mac" | cut -c1-32
}

rekey_proof_json() {
    _rk_pk=$1
    shift
    _rk_json=
    for _rk_name in "$@"; do
        case $_rk_name in
        [A-Za-z_]*) ;;
        *) echo "rekey_proof_json: $_rk_name is not a secret name" >&2; return 2 ;;
        esac
        case $_rk_name in
        *[!A-Za-z0-9_]*) echo "rekey_proof_json: $_rk_name is not a secret name" >&2; return 2 ;;
        esac
        eval "_rk_value=\${$_rk_name-}"
        _rk_fp=$(rekey_proof "$_rk_pk" "$_rk_name" "$_rk_value") || return
        _rk_json="$_rk_json${_rk_json:+,}\"$_rk_name\":\"$_rk_fp\""
    done
    printf '{%s}\n' "$_rk_json"
}
