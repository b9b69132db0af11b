#!/bin/sh
# tests/layers_it.sh: make check-layers passes on this tree and fails, naming the file
# and the rule, on each kind of planted include (up a layer, sideways, into another
# module's internals, a header that is not there, a plugin reaching into core).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tests/lib.sh"
CHECK="sh $ROOT/scripts/check-layers.sh"
T=$(mktemp -d "${TMPDIR:-/tmp}/cara-layers.XXXXXX")
trap 'rm -rf "$T"' EXIT

$CHECK "$ROOT" >"$T/out" 2>&1 && ok "the tree passes" || { cat "$T/out"; bad "the tree passes"; }

# plant FILE LINE EXPECT: copy core/ and plugins/, add LINE to FILE, expect a failure
# whose message contains EXPECT.
plant() {
    rm -rf "$T/tree" && mkdir -p "$T/tree"
    cp -R "$ROOT/core" "$ROOT/plugins" "$ROOT/scripts" "$T/tree/"
    echo "$2" >>"$T/tree/$1"
    if $CHECK "$T/tree" >"$T/out" 2>&1; then
        bad "planted '$2' in $1 is refused"
    elif grep -qF "$3" "$T/out"; then
        ok "planted '$2' in $1: $3"
    else
        cat "$T/out"
        bad "planted '$2' in $1 names '$3'"
    fi
}
plant core/base/date.c '#include "serve/serve.h"' 'core/base/date.c:'
plant core/base/date.c '#include "serve/serve.h"' 'may not use core/serve/, a higher layer'
plant core/load/load_csv.c '#include "synth/synth.h"' 'in the same layer'
plant core/cli/cmd_run.c '#include "engine/engine_internal.h"' 'that is inside core/engine/'
plant core/engine/network.c '#include "nonesuch.h"' 'which is not in core/engine/'
plant core/store/store_conn.c '#include "store/store.h"' 'include a header of the same folder'
plant plugins/falls_prevention/falls_prevention.c '#include "engine/engine.h"' 'a plugin sees only the ABI'
rm -rf "$T/tree" && mkdir -p "$T/tree" &&
    cp -R "$ROOT/core" "$ROOT/plugins" "$ROOT/scripts" "$T/tree/" && mkdir "$T/tree/core/extra" &&
    echo 'int x;' >"$T/tree/core/extra/x.c"
if $CHECK "$T/tree" >"$T/out" 2>&1; then bad "a folder that is not a layer is refused"
else grep -q "core/extra/ is not a layer" "$T/out" && ok "a folder that is not a layer is refused" || bad "names core/extra"; fi
[ "$fails" -eq 0 ] || { echo "layers_it: $fails failed"; exit 1; }
echo "layers_it: all passed"
