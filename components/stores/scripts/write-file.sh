# rekey store writer: replaces one file atomically. POSIX sh and awk only (dash, busybox
# sh, bash). Values arrive on stdin, never in argv.
#
#   sh -c "$script" rekey-write dotenv PATH
#       stdin: "rekey-dotenv-v1", then one KEY=VALUE line per managed key. Replaces the
#       lines of those keys (the first occurrence; later duplicates are dropped so that
#       they cannot override it), keeps every other line, comment and the order, and
#       appends keys the file does not have yet.
#   sh -c "$script" rekey-write file PATH [MODE] [OWNER]
#       stdin: the exact content of the file.
#
# The new content goes to a temporary file in the same directory, made as a copy of the
# old file (same mode and owner; 0600 for a new one), then renamed over the old file, so
# the path always holds either the complete old file or the complete new one. The old
# file is kept as PATH.rekey-backup. When the content is unchanged nothing is touched. A
# missing directory is created with mode 0700. A temporary file left by a killed writer
# is removed by the next run.
set -eu
kind=$1
target=$2
mode=${3:-}
owner=${4:-}
case $target in
/*) ;;
*) echo "rekey: $target is not an absolute path" >&2; exit 2 ;;
esac
dir=${target%/*}
[ -n "$dir" ] || dir=/
base=${target##*/}
umask 077
# A missing directory is created, readable by its owner only.
[ -d "$dir" ] || mkdir -p "$dir"
tmp="$dir/.$base.rekey-tmp.$$"
backup="$target.rekey-backup"
trap 'rm -f "$tmp"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
# A writer killed between writing and renaming left its temporary file (the new content,
# with the target's mode): remove those of earlier runs.
for stale in "$dir/.$base.rekey-tmp."*; do
    [ -e "$stale" ] && rm -f "$stale"
done
if [ -e "$target" ]; then
    cp -p "$target" "$tmp"
    old=$target
else
    : >"$tmp"
    old=/dev/null
fi

case $kind in
dotenv)
    awk '
    function closes(s, q,    i, c) {
        for (i = 1; i <= length(s); i++) {
            c = substr(s, i, 1)
            if (c == "\\" && q == "\"") { i++; continue }
            if (c == q) return 1
        }
        return 0
    }
    NR == FNR {
        if (FNR == 1) {
            if ($0 != "rekey-dotenv-v1") { print "rekey: unexpected input" > "/dev/stderr"; exit 2 }
            next
        }
        eq = index($0, "=")
        k = substr($0, 1, eq - 1)
        if (!(k in want)) order[++n] = k
        want[k] = $0
        next
    }
    {
        if (skipping || keeping) {
            if (keeping) print
            if (closes($0, q)) { skipping = 0; keeping = 0 }
            next
        }
        if (match($0, /^[ \t]*(export[ \t]+)?[A-Za-z_][A-Za-z0-9_.-]*[ \t]*=/)) {
            head = substr($0, 1, RLENGTH)
            v = substr($0, RLENGTH + 1)
            key = head
            sub(/^[ \t]*/, "", key); sub(/^export[ \t]+/, "", key); sub(/[ \t]*=$/, "", key)
            prefix = ""
            if (head ~ /^[ \t]*export[ \t]/) prefix = "export "
            sub(/^[ \t]*/, "", v)
            q = substr(v, 1, 1)
            multi = 0
            if ((q == "\"" || q == "\047" || q == "`") && !closes(substr(v, 2), q)) multi = 1
            if (key in want) {
                if (!(key in done)) { print prefix want[key]; done[key] = 1 }
                if (multi) skipping = 1
                next
            }
            if (multi) keeping = 1
        }
        print
    }
    END { for (i = 1; i <= n; i++) if (!(order[i] in done)) print want[order[i]] }
    ' - "$old" >"$tmp"
    ;;
file)
    cat >"$tmp"
    ;;
*)
    echo "rekey: unknown kind $kind" >&2
    exit 2
    ;;
esac

[ -z "$mode" ] || chmod "$mode" "$tmp"
[ -z "$owner" ] || chown "$owner" "$tmp"
if [ "$old" != /dev/null ] && cmp -s "$tmp" "$target"; then
    [ -z "$mode" ] || chmod "$mode" "$target"
    [ -z "$owner" ] || chown "$owner" "$target"
    echo "rekey: $target unchanged"
    exit 0
fi
if [ "$old" != /dev/null ]; then
    ln -f "$target" "$backup" 2>/dev/null || cp -p "$target" "$backup"
fi
mv -f "$tmp" "$target"
echo "rekey: $target written"
