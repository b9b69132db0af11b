# tests/lib.sh: the shell helpers of the end-to-end scripts (serve_it.sh,
# serve_hostile.sh, crash_it.sh), sourced by each. They report with ok/bad and count the
# failures in $fails; call/has/lacks talk to the service at $URL and keep the answer in
# $T/body.
fails=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fails=$((fails + 1)); }

# call NAME EXPECTED_STATUS TOKEN METHOD PATH [BODY]: the answer lands in $T/body
# (BODY, else $BODY, is sent)
call() {
    name=$1 want=$2 tok=$3 method=$4 path=$5 b=${6:-${BODY:-}}
    set -- -s --max-time 30 -o "$T/body" -w '%{http_code}' -X "$method" "$URL$path"
    [ -n "$tok" ] && set -- "$@" -H "Authorization: Bearer $tok"
    got=$(curl "$@" ${b:+--data-binary "$b"} ${b:+-H 'Content-Type: application/json'} || echo 000)
    if [ "$got" = "$want" ]; then ok "$name ($got)"; else bad "$name: HTTP $got, expected $want: $(head -c 300 "$T/body")"; fi
}
has() { if grep -q -- "$2" "$T/body"; then ok "$1"; else bad "$1: body lacks $2: $(head -c 300 "$T/body")"; fi; }
lacks() { if grep -q -- "$2" "$T/body"; then bad "$1: body has $2: $(head -c 300 "$T/body")"; else ok "$1"; fi; }
