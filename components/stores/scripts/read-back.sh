# rekey store read-back: after the writer (write-file.sh) renamed a file into place, reads
# what the file holds now and compares its keyed fingerprint with the one of what rekey
# wrote. POSIX sh, awk and sha256sum (coreutils, busybox; shasum -a 256 elsewhere). Prints
# names only, never a value or a fingerprint.
#
#   sh -c "$script" rekey-read-back KIND STORE [TARGET SECRET FILE]...
#       KIND: dotenv (TARGET is the key, its first line is read) or file (the whole file).
#       stdin: the check key on one line, then one expected fingerprint per triple, in order:
#       the SHA-256 of the key, a line break, and the exact text rekey wrote (a .env key's
#       line, as write-file.sh writes it, with its line break; a file's whole content).
set -u
kind=$1
store=$2
shift 2
IFS= read -r key || { echo "rekey: read-back of $store: no input" >&2; exit 2; }
digest() {
    if command -v sha256sum >/dev/null 2>&1; then sha256sum; else shasum -a 256; fi | cut -c1-64
}
bad=0
while [ $# -ge 3 ]; do
    target=$1
    secret=$2
    file=$3
    shift 3
    IFS= read -r want || want=
    if [ ! -f "$file" ]; then
        echo "rekey: read-back failed: store $store: $file does not exist (secret $secret)" >&2
        bad=1
        continue
    fi
    case $kind in
    dotenv)
        # The key's first line, as the writer keeps it (a leading `export ` and blanks aside).
        got=$({ printf '%s\n' "$key"; awk -v want="$target" '
            match($0, /^[ \t]*(export[ \t]+)?[A-Za-z_][A-Za-z0-9_.-]*[ \t]*=/) {
                k = substr($0, 1, RLENGTH)
                sub(/^[ \t]*/, "", k); sub(/^export[ \t]+/, "", k); sub(/[ \t]*=$/, "", k)
                if (k == want) { line = $0; sub(/^[ \t]*/, "", line); sub(/^export[ \t]+/, "", line); print line; exit }
            }' "$file"; } | digest)
        ;;
    file)
        got=$({ printf '%s\n' "$key"; cat "$file"; } | digest)
        ;;
    *)
        echo "rekey: unknown kind $kind" >&2
        exit 2
        ;;
    esac
    if [ "$got" != "$want" ]; then
        echo "rekey: read-back failed: store $store holds another value than the one written for secret $secret ($target); another writer may have changed it" >&2
        bad=1
    fi
done
[ "$bad" -eq 0 ] || exit 1
echo "rekey: store $store read back: it holds the values written"
