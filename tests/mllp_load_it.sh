#!/bin/sh
# tests/mllp_load_it.sh: scripts/mllp_load.c (the load generator of make bench) against
# tests/mllp_fake.py, a stand-in listener told which messages to answer AE or AR, drop,
# answer twice or with a control id never sent, when to stop answering, and whether to split each ACK into
# pieces of 1 to 7 bytes or to keep several ACKs for one write. Each case checks the
# counts the client reports against what the fake was told, and the exit status.
# Needs python3. Usage: sh tests/mllp_load_it.sh [path/to/mllp_load]
set -eu
LOAD=${1:-${MLLP_LOAD:-build/mllp_load}}
HERE=$(cd "$(dirname "$0")" && pwd)
[ -x "$LOAD" ] || { echo "FAIL $LOAD is not built (make build/mllp_load)"; exit 1; }
T=$(mktemp -d /tmp/cara-mllp-it-XXXXXX)
FAKE=
cleanup() {
    [ -n "$FAKE" ] && kill "$FAKE" 2>/dev/null && wait "$FAKE" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
. "$HERE/lib.sh"

# fake ARGS...: (re)start the fake listener; PORT is its port
fake() {
    if [ -n "$FAKE" ]; then kill "$FAKE" 2>/dev/null; wait "$FAKE" 2>/dev/null || true; fi
    : >"$T/port"
    python3 "$HERE/mllp_fake.py" "$@" >"$T/port" 2>"$T/fake.err" &
    FAKE=$!
    i=0
    while ! grep -q '^port ' "$T/port" && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
    PORT=$(sed -n 's/^port //p' "$T/port")
    [ -n "$PORT" ] || { bad "the fake listener did not start: $(cat "$T/fake.err")"; exit 1; }
}
# run ARGS...: mllp_load --json against the fake; RC its exit status, $T/out its JSON
run() {
    RC=0
    "$LOAD" --port "$PORT" --json "$@" >"$T/out" 2>"$T/err" || RC=$?
}
# j KEY: a number of the JSON answer
j() { grep -o "\"$1\":[0-9.]*" "$T/out" | head -1 | sed 's/^[^:]*://'; }
# expect NAME RC KEY=VALUE...: the exit status and each count
expect() {
    name=$1 want=$2
    shift 2
    problems=
    [ "$RC" = "$want" ] || problems="exit status $RC, expected $want; "
    for kv in "$@"; do
        got=$(j "${kv%%=*}")
        [ "$got" = "${kv#*=}" ] || problems="$problems${kv%%=*} $got, expected ${kv#*=}; "
    done
    if [ -z "$problems" ]; then ok "$name"; else bad "$name: $problems$(cat "$T/out" "$T/err")"; fi
}

# 1. all answered AA: 2,000 messages over 8 connections x window 16
fake
run --messages 2000 --connections 8 --window 16
expect "2000 messages, 8 x 16, all AA" 0 sent=2000 acked=2000 aa=2000 ae=0 ar=0 missing=0 \
    unknown=0 duplicate=0 connections=8 window=16
p99=$(j p99_ms)
max=$(j max_ms)
if awk -v a="$p99" -v b="$max" 'BEGIN { exit !(a > 0 && a <= b) }'; then
    ok "0 < p99 ($p99 ms) <= max ($max ms)"
else
    bad "p99 $p99 ms, max $max ms"
fi

# 2. the issue's case: of 200 messages the fake answers every 10th AE (10, 20, ... 200:
#    20 of them) and drops the 55th; so 199 ACKs: 179 AA + 20 AE, and one missing
fake --ae-every 10 --drop 55
run --messages 200 --connections 4 --window 8 --timeout 700
expect "AE every 10th, the 55th dropped" 1 sent=200 acked=199 aa=179 ae=20 ar=0 missing=1
grep -q '^mllp_load: connection' "$T/err" && bad "no connection should have closed" || true
fake --ae-every 10 --drop 55
run --messages 200 --connections 4 --window 8 --timeout 700 --allow-errors
expect "--allow-errors does not excuse a missing ACK" 1 acked=199 ae=20 missing=1

# 3. AE and AR without a drop: exit 1, or 0 with --allow-errors
#    (of 100: AE at 10, 20, ... 100 = 10; AR at multiples of 7 that are not of 10:
#    14 multiples of 7 up to 98, less 70 = 13)
fake --ae-every 10 --ar-every 7
run --messages 100 --connections 2 --window 4
expect "AE and AR answered" 1 acked=100 aa=77 ae=10 ar=13 missing=0
fake --ae-every 10 --ar-every 7
run --messages 100 --connections 2 --window 4 --allow-errors
expect "AE and AR with --allow-errors" 0 acked=100 aa=77 ae=10 ar=13 missing=0

# 4. ACKs split into pieces of 1 to 7 bytes, each its own write (partial reads)
fake --chunks split
run --messages 300 --connections 3 --window 8
expect "ACKs split across reads" 0 sent=300 acked=300 aa=300 missing=0

# 5. several ACKs in one write: the fake keeps 6 before it writes (the last ones when
#    idle), so one read holds up to 6 frames
fake --hold 6
run --messages 500 --connections 2 --window 16
expect "several ACKs in one read" 0 sent=500 acked=500 aa=500 missing=0

# 6. an ACK twice (the 5th) and an ACK of a control id never sent (the 9th): the 9th is
#    then missing too
fake --dup 5 --foreign 9
run --messages 50 --connections 1 --window 4 --timeout 500
expect "a duplicate and a foreign ACK" 1 acked=49 duplicate=1 unknown=1 missing=1

# 6b. a listener that stops answering after 10: the windows (2 x 4) fill again after
#    those 10 ACKs, so 18 sent, then no ACK for --timeout: the client stops, 8 missing
fake --stall-after 10
run --messages 100 --connections 2 --window 4 --timeout 500
expect "a listener that stalls" 1 sent=18 acked=10 missing=8
grep -q 'no ACK for 500 ms: 8 messages left unacknowledged, stopping before the end' "$T/err" &&
    ok "the stall is named" || bad "the stall should be named: $(cat "$T/err")"

# 7. --file: MSH-10 rewritten to PREFIX-n, every other byte as in the file. The second
#    message's MSH stops before MSH-10 (the separators are added); the file's last line
#    has no final \r and no \n
printf 'MSH|^~\\&|A|F|R|RF|20260101||ADT^A04|ORIG1|P|2.5.1\rPID|1||X^^^CMS^MC\r\n\nMSH|^~\\&|B|G|R|RF|20260102||ADT^A03\rPV1|1|I\r\nMSH|^~\\&|C|H|R|RF|20260103||ADT^A08|ORIG3\rEVN|A08' >"$T/in.hl7"
fake --append "$T/saved"
run --messages 5 --connections 1 --window 1 --file "$T/in.hl7" --unique-prefix T7
expect "--file, 5 messages of 3" 0 sent=5 acked=5 aa=5
printf 'MSH|^~\\&|A|F|R|RF|20260101||ADT^A04|T7-0|P|2.5.1\rPID|1||X^^^CMS^MC\r\nMSH|^~\\&|B|G|R|RF|20260102||ADT^A03|T7-1\rPV1|1|I\r\nMSH|^~\\&|C|H|R|RF|20260103||ADT^A08|T7-2\rEVN|A08\r\nMSH|^~\\&|A|F|R|RF|20260101||ADT^A04|T7-3|P|2.5.1\rPID|1||X^^^CMS^MC\r\nMSH|^~\\&|B|G|R|RF|20260102||ADT^A03|T7-4\rPV1|1|I\r\n' >"$T/want"
if cmp -s "$T/want" "$T/saved"; then ok "--file messages sent as written, MSH-10 = T7-n"; else
    bad "--file messages as received: $(od -c "$T/saved" | head -20)"; fi
printf 'PID|1\r\n' >"$T/bad.hl7"
run --messages 1 --file "$T/bad.hl7"
expect "a file line that is not a message" 2
grep -q 'line 1: a message must start with "MSH"' "$T/err" && ok "the error names the line" ||
    bad "the error should name the line: $(cat "$T/err")"

# 8. --seconds: a run of a second sends and is answered in full
fake
run --seconds 1 --connections 2 --window 2
sent=$(j sent)
if [ "$RC" = 0 ] && [ "$sent" -gt 100 ] && [ "$(j acked)" = "$sent" ]; then
    ok "--seconds 1: $sent sent, all acknowledged"
else bad "--seconds 1: status $RC, $(cat "$T/out" "$T/err")"; fi

# 9. --rate: 400 messages at 2,000 a second take about 0.2 s
run --messages 400 --rate 2000 --connections 4 --window 16
el=$(j elapsed_s)
if [ "$RC" = 0 ] && awk -v e="$el" 'BEGIN { exit !(e >= 0.18 && e < 0.6) }'; then
    ok "--rate 2000: 400 messages in $el s"
else bad "--rate 2000: status $RC, elapsed $el s: $(cat "$T/out" "$T/err")"; fi

# 10. every message carries its own MSH-10, and the server saw each one once
fake --append "$T/saved2"
run --messages 3000 --connections 8 --window 16 --unique-prefix U
expect "3000 generated messages" 0 acked=3000
n=$(tr '\r' '\n' <"$T/saved2" | grep '^MSH' | cut -d'|' -f10 | sort -u | wc -l)
[ "$n" = 3000 ] && ok "3000 distinct control ids" || bad "$n distinct control ids of 3000"

# 11. nobody listening: exit 2 with the address
kill "$FAKE" && wait "$FAKE" 2>/dev/null || true
FAKE=
run --messages 1
expect "no listener" 2
grep -q "cannot connect to 127.0.0.1:$PORT" "$T/err" && ok "the error names the address" ||
    bad "the error should name the address: $(cat "$T/err")"
"$LOAD" --port 1 --messages 5 --seconds 2 >/dev/null 2>"$T/err" && bad "both --messages and --seconds" ||
    ok "--messages and --seconds together refused"

echo "mllp_load_it: $fails failure(s)"
[ "$fails" -eq 0 ]
