#!/bin/sh
# scripts/check-layers.sh [ROOT]: make check-layers. Fails (exit 1) on any #include in
# ROOT/core (default: this checkout) that breaks the layer rules of docs/architecture.md:
#
#   - a file in core/M/ includes, by quoted name, a header of its own folder ("x.h"),
#     a public plugin-ABI header ("cara/..."), or the public header "N/N.h" of a module
#     N in a LOWER layer; nothing else;
#   - "N/x.h" for x other than N.h reaches into another module's internals;
#   - "N/N.h" with N in the same or a higher layer goes sideways or up a layer;
#   - plugins/ include only "cara/..." and their own folder's or plugins/common/ headers.
#
# The layers, lowest first (a module may use every module on a lower line):
LAYERS='base
feeds
store
load synth
catalog
rules
engine
export
serve
cli'
set -eu
ROOT=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$ROOT"

rank() { # rank MODULE -> line number in LAYERS, or nothing
    echo "$LAYERS" | awk -v m="$1" '{ for (i = 1; i <= NF; i++) if ($i == m) print NR }'
}

bad=0
fail() { echo "check-layers: $*" >&2; bad=1; }

for dir in core/*/; do
    m=$(basename "$dir")
    [ "$m" = include ] && continue
    r=$(rank "$m")
    if [ -z "$r" ]; then
        fail "core/$m/ is not a layer: add it to LAYERS in scripts/check-layers.sh and to docs/architecture.md"
        continue
    fi
    [ -f "core/$m/$m.h" ] || fail "core/$m/ has no public header core/$m/$m.h"
    for f in "$dir"*.c "$dir"*.h; do
        [ -f "$f" ] || continue
        # "LINE INCLUDED" for every quoted include
        grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" |
            sed 's/^\([0-9]*\):.*"\([^"]*\)".*/\1 \2/' >"${TMPDIR:-/tmp}/cara-layers.$$" || true
        while read -r line inc; do
            case $inc in
            cara/*) ;;
            */*/*) fail "$f:$line: includes \"$inc\": a module's headers are one folder deep" ;;
            */*)
                n=${inc%%/*}
                h=${inc#*/}
                nr=$(rank "$n")
                if [ -z "$nr" ]; then
                    fail "$f:$line: includes \"$inc\": '$n' is not a module"
                elif [ "$n" = "$m" ]; then
                    fail "$f:$line: includes \"$inc\": include a header of the same folder as \"$h\""
                elif [ "$h" != "$n.h" ]; then
                    fail "$f:$line: includes \"$inc\": that is inside core/$n/; include its public header \"$n/$n.h\""
                elif [ "$nr" -ge "$r" ]; then
                    if [ "$nr" -gt "$r" ]; then
                        fail "$f:$line: includes \"$inc\": core/$m/ may not use core/$n/, a higher layer"
                    else
                        fail "$f:$line: includes \"$inc\": core/$m/ and core/$n/ are in the same layer and may not use each other"
                    fi
                fi
                ;;
            *) [ -f "$dir$inc" ] || fail "$f:$line: includes \"$inc\", which is not in core/$m/" ;;
            esac
        done <"${TMPDIR:-/tmp}/cara-layers.$$"
    done
done
rm -f "${TMPDIR:-/tmp}/cara-layers.$$"

for f in plugins/*/*.c plugins/*/*.h; do
    [ -f "$f" ] || continue
    d=$(dirname "$f")
    grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" |
        sed 's/^\([0-9]*\):.*"\([^"]*\)".*/\1 \2/' | while read -r line inc; do
        case $inc in
        cara/*) ;;
        ../common/*) [ -f "plugins/common/${inc#../common/}" ] || echo "$f:$line: \"$inc\" is missing" ;;
        */*) echo "$f:$line: includes \"$inc\": a plugin sees only the ABI (\"cara/...\") and plugins/common/" ;;
        *) [ -f "$d/$inc" ] || [ -f "plugins/common/$inc" ] || echo "$f:$line: includes \"$inc\", not in $d/ or plugins/common/" ;;
        esac
    done >"${TMPDIR:-/tmp}/cara-layers-p.$$"
    if [ -s "${TMPDIR:-/tmp}/cara-layers-p.$$" ]; then
        sed 's/^/check-layers: /' "${TMPDIR:-/tmp}/cara-layers-p.$$" >&2
        bad=1
    fi
    rm -f "${TMPDIR:-/tmp}/cara-layers-p.$$"
done

if [ $bad -ne 0 ]; then
    echo "check-layers: FAILED (the layers are in scripts/check-layers.sh and docs/architecture.md)" >&2
    exit 1
fi
echo "check-layers: ok ($(ls -d core/*/ | grep -vc include) modules)"
