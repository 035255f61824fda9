# rekey store read-back: after the writer (write-file.sh) renamed a file into place, reads
# what the file holds now and compares its keyed fingerprint with the one of what rekey
# wrote. POSIX sh, awk, mktemp and sha256sum (coreutils, busybox; shasum -a 256 elsewhere).
# Prints names only, never a value or a fingerprint.
#
#   sh -c "$script" rekey-read-back KIND STORE [TARGET SECRET FILE]...
#       KIND: dotenv (TARGET is the key, its first line outside a quoted multi-line value is
#       read, as write-file.sh finds it) or file (the whole file).
#       stdin: the check key on one line, then one expected fingerprint per triple, in order:
#       the SHA-256 of the key, a line break, and the exact text rekey wrote (a .env key's
#       line, as write-file.sh writes it, with its line break; a file's whole content).
#
# One pass of awk over a .env file and one sha256sum for every value, whatever the number of
# keys. The texts to hash go to a private temporary directory (mode 0700), removed on exit.
set -u
kind=$1
store=$2
shift 2
umask 077
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rekey-read-back.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
IFS= read -r key || { echo "rekey: read-back of $store: no input" >&2; exit 2; }
printf '%s\n' "$key" >"$tmp/key"
cat >"$tmp/want"
: >"$tmp/targets"
: >"$tmp/secrets"
n=0
missing=0
envfile=
# The triples, in one walk of the arguments (shift in a loop is quadratic in dash).
at=0
for word in "$@"; do
    at=$((at + 1))
    case $at in
    1) target=$word ;;
    2) secret=$word ;;
    3)
        at=0
        n=$((n + 1))
        printf '%s\n' "$target" >>"$tmp/targets"
        printf '%s\n' "$secret" >>"$tmp/secrets"
        if [ ! -f "$word" ]; then
            echo "rekey: read-back failed: store $store: $word does not exist (secret $secret)" >&2
            missing=1
        elif [ "$kind" = file ]; then
            cat "$tmp/key" "$word" >"$tmp/$n"
        else
            envfile=$word
        fi
        ;;
    esac
done
[ "$missing" -eq 0 ] || exit 1
case $kind in
dotenv)
    # Each managed key's first line, as the writer keeps it (a leading `export ` and blanks
    # aside), after the key: the text whose hash rekey computed. The writer leaves one line
    # per managed key, so a second one is another writer's (and a reader such as dotenv.parse
    # keeps the last): the key's text becomes an empty line, which fails as another value.
    # Lines inside another key's quoted multi-line value are that value, not keys: they are passed over exactly as
    # write-file.sh passes over them (its `closes`, the same rule), so a `KEY=` line in such a
    # value is never taken for the key's line.
    awk -v out="$tmp" '
    function closes(s, q,    i, c) {
        for (i = 1; i <= length(s); i++) {
            c = substr(s, i, 1)
            if (c == "\\" && q == "\"") { i++; continue }
            if (c == q) return 1
        }
        return 0
    }
    FILENAME == ARGV[1] { key = $0; next }
    FILENAME == ARGV[2] { want[$0] = FNR; next }
    inside { if (closes($0, q)) inside = 0; next }
    match($0, /^[ \t]*(export[ \t]+)?[A-Za-z_][A-Za-z0-9_.-]*[ \t]*=/) {
        k = substr($0, 1, RLENGTH)
        v = substr($0, RLENGTH + 1)
        sub(/^[ \t]*/, "", v)
        q = substr(v, 1, 1)
        if ((q == "\"" || q == "\047" || q == "`") && !closes(substr(v, 2), q)) inside = 1
        sub(/^[ \t]*/, "", k); sub(/^export[ \t]+/, "", k); sub(/[ \t]*=$/, "", k)
        if ((k in want) && (k in done)) {
            f = out "/" want[k]
            print "" > f; close(f)
        } else if (k in want) {
            done[k] = 1
            line = $0; sub(/^[ \t]*/, "", line); sub(/^export[ \t]+/, "", line)
            f = out "/" want[k]
            print key > f; print line > f; close(f)
        }
    }' "$tmp/key" "$tmp/targets" "$envfile" || exit 2
    ;;
file) ;;
*)
    echo "rekey: unknown kind $kind" >&2
    exit 2
    ;;
esac
# Every text to hash (named by its triple's number), in one sha256sum.
set -- "$tmp"/[0-9]*
[ -e "$1" ] || set --
digest() {
    if command -v sha256sum >/dev/null 2>&1; then sha256sum "$@"; else shasum -a 256 "$@"; fi
}
# A key the file has no line for has no text: it fails as another value.
{ [ $# -eq 0 ] || digest "$@"; } | STORE=$store awk '
    FILENAME == ARGV[1] { want[FNR] = $1; next }
    FILENAME == ARGV[2] { secret[FNR] = $0; next }
    FILENAME == ARGV[3] { target[FNR] = $0; n = FNR; next }
    { p = $2; sub(/.*\//, "", p); got[p] = $1 }
    END {
        bad = 0
        for (i = 1; i <= n; i++) if (!(i in got) || got[i] != want[i]) {
            printf "rekey: read-back failed: store %s holds another value than the one written for secret %s (%s); another writer may have changed it\n", ENVIRON["STORE"], secret[i], target[i] > "/dev/stderr"
            bad = 1
        }
        exit bad
    }' "$tmp/want" "$tmp/secrets" "$tmp/targets" - || exit 1
echo "rekey: store $store read back: it holds the values written"
