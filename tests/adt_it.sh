#!/bin/sh
# tests/adt_it.sh: hospital ADT events over MLLP as hospitals send them, with Debian's
# python3-hl7 `mllp_send` (a client cara did not write) and a raw socket client
# (tests/adt/mllp_client.py): an ED visit for a fall answered AA, its provisional episode
# and the specialist's tasks in the API, the task feed woken by it, a resend stored once,
# malformed and oversized messages answered AE/AR with the field named while the service
# keeps serving, a claims-based run confirming the episode, and `kill -9` during a
# stream losing no acknowledged message. World: tests/fixtures/adt. Run by `make test`.
set -eu
CARA=${CARA_BIN:-build/cara}
SRC=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d /tmp/cara-adt-XXXXXX)
PID=
PY=/usr/bin/python3
cleanup() {
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then kill -KILL "$PID" 2>/dev/null || true; fi
    if [ "$fails" -ne 0 ]; then echo "--- service log:"; tail -40 "$T/log" 2>/dev/null || true; fi
    rm -rf "$T"
}
trap cleanup EXIT
. "$(dirname "$0")/lib.sh"
command -v mllp_send >/dev/null || { echo "FAIL mllp_send is missing: make deps installs python3-hl7"; exit 1; }

# the N-th message (1-based) of the fixture, segments ended by \n (mllp_send --loose)
msg() { awk -v n="$1" 'BEGIN { RS = ""; ORS = "\n" } NR == n { print }' "$SRC/tests/fixtures/adt/messages.hl7"; }

start() {
    : >"$T/url"
    "$CARA" --db "$T/t.db" serve --listen 127.0.0.1:0 --mllp 127.0.0.1:0 --mllp-max-message 64k \
        --mllp-idle-seconds 3 --mllp-connections 6 \
        >"$T/url" 2>>"$T/log" &
    PID=$!
    i=0
    while [ "$(wc -l <"$T/url")" -lt 2 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    URL=$(grep '^http' "$T/url")
    MP=$(grep '^mllp://' "$T/url" | sed 's/.*://')
    [ -n "$MP" ] || { bad "the service did not start with --mllp"; exit 1; }
}
send() { # send FILE: mllp_send --loose, the ACKs one a line
    mllp_send --loose --file "$1" -p "$MP" 127.0.0.1 | tr '\r\013\034' '\n  ' >"$T/ack"
}
q() { sqlite3 "$T/t.db" "$1"; }

# the world without its claims: they load later, after the events, as they would arrive
mkdir "$T/world"
cp "$SRC"/tests/fixtures/adt/*.csv "$T/world/"
rm "$T/world/medical_claim.csv"
"$CARA" --db "$T/t.db" load "$T/world" >/dev/null
CMS=$("$CARA" --db "$T/t.db" token create --role cms 2>/dev/null)
ACO=$("$CARA" --db "$T/t.db" token create --role aco:A1 2>/dev/null)
PROV=$("$CARA" --db "$T/t.db" token create --role provider:1234567893 2>/dev/null)
OTHER=$("$CARA" --db "$T/t.db" token create --role provider:1993999998 2>/dev/null)
start
BODY=

# --- an ED visit for a fall (ADT^A04, W01.0XXA) with mllp_send
msg 1 >"$T/m1.hl7"
send "$T/m1.hl7"
if grep -q '^MSA|AA|M1$' "$T/ack"; then ok "mllp_send: ED fall answered MSA|AA|M1"; else bad "no AA: $(cat "$T/ack")"; fi
call "the specialist's tasks" 200 "$PROV" GET /v1/tasks
has "falls risk assessment task" '"kind":"falls_risk_assessment"'
has "due 7 days after the ED visit" '"due_date":"2027-03-17"'
has "assigned to the specialist" '"assignee":"specialist"'
call "the provisional episode" 200 "$PROV" GET "/v1/provisional?status=provisional"
has "target priced by hand (311650)" '"target_cents":311650'
has "trigger B on the visit's day" '"trigger_date":"2027-03-10"'
has "no claims yet: no cost to date" '"cost_to_date_cents":0'
call "another specialist sees none of it" 200 "$OTHER" GET /v1/tasks
has "empty for another NPI" '"tasks":\[\]'
call "a specialist cannot list another NPI's" 403 "$PROV" GET "/v1/tasks?npi=1993999998"
call "the ADT status is CMS's" 403 "$ACO" GET /v1/adt/status
call "ADT status" 200 "$CMS" GET /v1/adt/status
has "one message stored" '"messages":1'

# --- a resend: AA again, stored once
send "$T/m1.hl7"
grep -q '^MSA|AA|M1$' "$T/ack" && ok "a resend is acknowledged again" || bad "resend: $(cat "$T/ack")"
[ "$(q "SELECT count(*) FROM adt_messages WHERE control_id = 'M1'")" = 1 ] && ok "the resend is stored once" || bad "the resend was stored twice"

# --- the task feed: a long poll woken by the next event (not by its 50 s wait)
LAST=$(q "SELECT max(task_id) FROM care_tasks")
curl -s --max-time 30 -H "Authorization: Bearer $ACO" "$URL/v1/tasks/feed?after=$LAST&wait=50" >"$T/feed" &
FEED=$!
sleep 1
msg 3 >"$T/m2.hl7"    # AA02's ED fall, an attending without an EBRA: the care team
send "$T/m2.hl7"
if wait $FEED && grep -q '"person_id":"1A00A00AA02"' "$T/feed"; then ok "the feed answered with the new task before its wait"; else bad "feed: $(head -c 300 "$T/feed")"; fi
grep -q '"assignee":"care_team"' "$T/feed" && ok "no EBRA for the attending: the ACO's care team" || bad "care team: $(head -c 300 "$T/feed")"

# --- a task done by the specialist
TASK=$(q "SELECT task_id FROM care_tasks WHERE npi = '1234567893' AND kind = 'falls_plan_of_care'")
call "another specialist cannot close it" 404 "$OTHER" POST "/v1/tasks/$TASK/done"
call "the specialist closes the task" 200 "$PROV" POST "/v1/tasks/$TASK/done"
has "done" '"status":"done"'
call "a second time is a conflict" 409 "$PROV" POST "/v1/tasks/$TASK/done"

# --- malformed and unsupported messages: AE / AR naming the field; the service lives on
$PY - "$T/bad.bin" <<'PY'
import sys
SB, EB = b"\x0b", b"\x1c\r"
frames = [
    b"not an HL7 message at all",
    b"MSH|^~\\&|LAB|GENHOSP|CARA|A1|202703151300||ORU^R01^ORU_R01|B2|P|2.5.1\rPID|1||X",
    b"MSH|^~\\&|EPIC|GENHOSP|CARA|A1|202703151300||ADT^A04^ADT_A01|B3|P|2.5.1\rEVN|A04|202703151300\rPID|1||1A00A00AA01^^^CMS^MC\rPV1|1|E",
    b"MSH|^~\\&|EPIC|GENHOSP|CARA|A1|202703151300||ADT^A04^ADT_A01|B4|P|2.9\rPID|1||1A00A00AA01^^^CMS^MC",
    b"MSH|^~\\&|EPIC|GENHOSP|CARA|A1|202703151300||ADT^A99^ADT_A01|B5|P|2.5.1\rPID|1||1A00A00AA01^^^CMS^MC",
    b"MSH|^~\\&|EPIC|GENHOSP|CARA|A1|2027031|ADT^A04|B6|P|2.5.1\x00\xff\xfe",
]
open(sys.argv[1], "wb").write(b"".join(SB + f + EB for f in frames))
PY
$PY "$SRC/tests/adt/mllp_client.py" "$MP" raw "$T/bad.bin" >"$T/bad.out"
sed -n 1p "$T/bad.out" | grep -q '^AE|' && ok "no MSH: AE" || bad "no MSH: $(cat "$T/bad.out")"
grep -q '^AR|B2$' "$T/bad.out" && ok "ORU^R01: AR" || bad "ORU: $(cat "$T/bad.out")"
grep -q '^AE|B3$' "$T/bad.out" && ok "no PV1-19: AE" || bad "PV1-19: $(cat "$T/bad.out")"
grep -q '^AR|B4$' "$T/bad.out" && ok "version 2.9: AR" || bad "2.9: $(cat "$T/bad.out")"
grep -q '^AR|B5$' "$T/bad.out" && ok "event A99: AR" || bad "A99: $(cat "$T/bad.out")"
[ "$(wc -l <"$T/bad.out")" -eq 6 ] && ok "one ACK per malformed frame" || bad "ACKs: $(cat "$T/bad.out")"
[ "$(q "SELECT location FROM adt_rejects WHERE control_id = 'B3'")" = "PV1-19" ] && ok "the refusal names PV1-19" || bad "reject row: $(q "SELECT * FROM adt_rejects WHERE control_id = 'B3'")"
$PY "$SRC/tests/adt/mllp_client.py" "$MP" frames 1 100000 >"$T/big.out"
grep -q '^AR|BIG1$' "$T/big.out" && ok "a message over --mllp-max-message: AR with its MSH-10" || bad "oversize: $(cat "$T/big.out")"
$PY "$SRC/tests/adt/mllp_client.py" "$MP" slow 20 >"$T/slow.out"
grep -q '^closed after' "$T/slow.out" && ok "a sender trickling one frame is cut past --mllp-idle-seconds ($(cat "$T/slow.out"))" || bad "slow sender: $(cat "$T/slow.out")"
$PY "$SRC/tests/adt/mllp_client.py" "$MP" conns 6 >"$T/conns.out"
grep -q '^refused' "$T/conns.out" && ok "a connection past --mllp-connections is closed" || bad "connections: $(cat "$T/conns.out")"
call "still serving HTTP" 200 "" GET /healthz
call "metrics" 200 "" GET /metrics
has "MLLP counters in the metrics" 'cara_mllp_messages_total{ack="AE"} [1-9]'
send "$T/m1.hl7"
grep -q '^MSA|AA|M1$' "$T/ack" && ok "still taking MLLP" || bad "after bad input: $(cat "$T/ack")"

# --- the claims arrive; the claims-based run confirms the ED visit's episode
"$CARA" --db "$T/t.db" load "$SRC/tests/fixtures/adt/medical_claim.csv" >/dev/null
call "the claims loaded" 200 "$PROV" GET "/v1/provisional"
has "cost to date: the ED claim, \$500.00" '"cost_to_date_cents":50000'
has "still provisional before the run" '"status":"provisional"'
call "the 3288F claim closed the assessment task" 200 "$PROV" GET "/v1/tasks?status=done"
has "done by the claims" '"done_by":"claims"'
"$CARA" --db "$T/t.db" run >/dev/null 2>&1
call "after the run" 200 "$PROV" GET "/v1/provisional"
has "confirmed by the claims" '"status":"confirmed"'
has "the claims episode named" '"episode_id":"falls_prevention:1A00A00AA01:2027-03-10"'
RUN=$(q "SELECT max(run_id) FROM runs")
call "the run's feed figures" 200 "$CMS" GET "/v1/runs/$RUN"
has "precision and recall in the run" '"precision_bps":'

# --- kill -9 in the middle of a stream: every acknowledged message is in the store
: >"$T/acked"
$PY "$SRC/tests/adt/mllp_client.py" "$MP" stream 3000 "$T/acked" >"$T/stream.out" 2>&1 &
CL=$!
n=0
while [ "$(grep -c '^AA' "$T/acked" || true)" -lt 200 ] && [ $n -lt 300 ]; do sleep 0.05; n=$((n + 1)); done
kill -KILL "$PID"
wait "$PID" 2>/dev/null || true
PID=
wait $CL || true
ACKED=$(grep -c '^AA ' "$T/acked" || true)
grep '^AA ' "$T/acked" | awk '{ print "(\x27" $2 "\x27)" }' | paste -sd, - >"$T/ids"
LOST=$(q "WITH a(id) AS (VALUES $(cat "$T/ids")) SELECT count(*) FROM a WHERE id NOT IN (SELECT control_id FROM adt_messages WHERE sender = 'LOADTEST|GENHOSP')")
if [ "$ACKED" -ge 200 ] && [ "$LOST" = 0 ]; then ok "kill -9 after $ACKED AA: none lost ($(cat "$T/stream.out"))"; else bad "kill -9: $ACKED acked, $LOST not stored"; fi
# restarted, the sender resends everything: each stored once
start
: >"$T/acked2"
$PY "$SRC/tests/adt/mllp_client.py" "$MP" stream 3000 "$T/acked2" >/dev/null
[ "$(grep -c '^AA ' "$T/acked2")" = 3000 ] && ok "after the restart all 3000 answered AA" || bad "restart: $(grep -c '^AA ' "$T/acked2") AA"
[ "$(q "SELECT count(*) FROM adt_messages WHERE sender = 'LOADTEST|GENHOSP'")" = 3000 ] && ok "3000 stored once each" || bad "stored: $(q "SELECT count(*) FROM adt_messages WHERE sender = 'LOADTEST|GENHOSP'")"

# --- a graceful stop
kill -TERM "$PID"
i=0
while kill -0 "$PID" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
if kill -0 "$PID" 2>/dev/null; then bad "SIGTERM did not stop the service"; else ok "SIGTERM stops it"; PID=; fi

if [ "$fails" -eq 0 ]; then echo "adt_it: all passed"; else echo "adt_it: $fails failed"; exit 1; fi
