#!/bin/sh
# tests/serve_hostile.sh: `cara serve` under attack (issue 14): rule trials that try to
# starve the API, slow and oversized requests without a token, and cross-tenant requests
# for every route with every role's token. Each case asserts the refusal and that the
# service still answers. Run by `make test` after serve_it.sh (needs curl, sqlite3 and
# python3). No assertion is on an exact time: bounds are generous (seconds), and CPU use
# is a ratio.
set -eu
CARA=${CARA_BIN:-build/cara}
SRC_EPISODES=${CARA_EPISODES:-episodes}
T=$(mktemp -d /tmp/cara-hostile-XXXXXX)
PID=
cleanup() {
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then kill -KILL "$PID" 2>/dev/null || true; fi
    if [ "$fails" -ne 0 ]; then echo "--- service log:"; tail -40 "$T/log" 2>/dev/null || true; fi
    if [ -n "${KEEP:-}" ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
. "$(dirname "$0")/lib.sh"
# alive: the service still answers a plain request, within 10 s
alive() {
    got=$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $CMS" "$URL/v1/status" || echo 000)
    if [ "$got" = 200 ]; then ok "still answering after $1"; else bad "after $1: /v1/status got $got"; fi
}
start() {
    TMPDIR="$T/tmp" "$CARA" --db "$T/t.db" --episodes "$T/episodes" serve --listen 127.0.0.1:0 "$@" \
        >"$T/url" 2>"$T/log" &
    PID=$!
    i=0
    while [ ! -s "$T/url" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    URL=$(head -1 "$T/url")
    [ -n "$URL" ] || { bad "the service did not start"; exit 1; }
    HOSTPORT=${URL#http://}
}
stop() {
    kill -TERM "$PID"
    i=0
    while kill -0 "$PID" 2>/dev/null && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
    if kill -0 "$PID" 2>/dev/null; then bad "$1: still running 15 s after SIGTERM"; kill -KILL "$PID"; else
        wait "$PID" && ok "$1: SIGTERM, exit status 0" || bad "$1: SIGTERM, exit status $?"
    fi
    PID=
}

mkdir "$T/tmp"
cp -R "$SRC_EPISODES" "$T/episodes"
"$CARA" synth --out "$T/d" --beneficiaries 400 --seed 5 >/dev/null
"$CARA" --db "$T/t.db" --episodes "$T/episodes" load "$T/d" >/dev/null
"$CARA" --db "$T/t.db" --episodes "$T/episodes" run >/dev/null 2>&1
CMS=$("$CARA" --db "$T/t.db" token create --role cms 2>/dev/null)
ACO=$("$CARA" --db "$T/t.db" token create --role aco:A0001 2>/dev/null)
ACO2=$("$CARA" --db "$T/t.db" token create --role aco:A0002 2>/dev/null)
NPI=$(sqlite3 "$T/t.db" "SELECT npi FROM arrangements WHERE aco_id = 'A0001' ORDER BY arrangement_id LIMIT 1")
PROV=$("$CARA" --db "$T/t.db" token create --role "provider:$NPI" 2>/dev/null)
RUN=$(sqlite3 "$T/t.db" "SELECT max(run_id) FROM runs WHERE status = 'done'")
EPS=$(sqlite3 "$T/t.db" "SELECT '\"' || episode_id || '\"' FROM run_episodes WHERE run_id = $RUN AND template_id = 'falls_prevention' AND status != 'excluded' ORDER BY episode_id LIMIT 20" | paste -sd, -)

start --max-per-ip 24 --header-seconds 3 --body-seconds 3
BODY=

# --- 3. rule trials cannot starve the API (2 evaluated at once, 8 waiting, then 503)
# A slow but legal rule: about 20 million instructions per call, 20 episodes a try.
SLOW='{"template":"falls_prevention","attribution":"function attribute() for i = 1, 10000000 do end return {method = \"unattributed\"} end","episodes":['"$EPS"']}'
i=0
while [ $i -lt 14 ]; do
    curl -s --max-time 120 -o "$T/try.$i" -D "$T/tryh.$i" -w '%{http_code}\n' -X POST -H "Authorization: Bearer $CMS" \
        --data-binary "$SLOW" "$URL/v1/rules/try" >"$T/tryc.$i" 2>/dev/null &
    i=$((i + 1))
done
sleep 1
got=$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $ACO" "$URL/v1/reports/arrangement?run=$RUN" || echo 000)
if [ "$got" = 200 ]; then ok "a report is answered while 14 tries are sent"; else bad "a report during 14 tries got $got"; fi
alive "14 slow tries"
wait_tries() {
    n=0
    while [ "$(cat "$T"/tryc.* 2>/dev/null | grep -c .)" -lt "$1" ] && [ $n -lt 1200 ]; do sleep 0.1; n=$((n + 1)); done
}
wait_tries 14
n503=$(cat "$T"/tryc.* | grep -c '^503$' || true)
n200=$(cat "$T"/tryc.* | grep -c '^200$' || true)
if [ "$n503" -ge 1 ] && [ "$n200" -ge 2 ] && [ $((n503 + n200)) -eq 14 ]; then
    ok "tries beyond 2 running + 8 waiting are refused ($n200 answered, $n503 refused)"
else bad "tries: $n200 answered, $n503 refused of 14: $(cat "$T"/tryc.* | tr '\n' ' ')"; fi
if grep -qi '^Retry-After: [0-9]' "$T"/tryh.*; then ok "a refused try says Retry-After"; else bad "no Retry-After on a 503"; fi
n=$(sqlite3 "$T/t.db" "SELECT count(*) FROM audit_log WHERE action = 'rules.try'")
if [ "$n" -ge "$n200" ]; then ok "tries are audited ($n rows)"; else bad "$n rules.try rows for $n200 answered tries"; fi
rm -f "$T"/try.* "$T"/tryh.* "$T"/tryc.*

# --- 11. the loop thread sleeps while requests wait on the pool: its CPU time over 2 s,
# with a slow rule try in flight and a client trickling headers, is under 20% of the
# wall time (a ratio of /proc clock ticks, never a wall-clock bound)
curl -s --max-time 60 -o /dev/null -X POST -H "Authorization: Bearer $CMS" --data-binary "$SLOW" "$URL/v1/rules/try" &
CP=$!
python3 "$(dirname "$0")/slow_client.py" "${HOSTPORT%:*}" "${HOSTPORT##*:}" 2 127.0.0.4 headers 3 >/dev/null &
SCP=$!
sleep 0.5
tck=$(getconf CLK_TCK)
t0=$(awk '{print $14 + $15}' "/proc/$PID/task/$PID/stat")
w0=$(awk '{print $1}' /proc/uptime)
sleep 2
t1=$(awk '{print $14 + $15}' "/proc/$PID/task/$PID/stat")
w1=$(awk '{print $1}' /proc/uptime)
pct=$(awk -v a="$t0" -v b="$t1" -v w0="$w0" -v w1="$w1" -v t="$tck" 'BEGIN { printf "%d", 100 * (b - a) / t / (w1 - w0) }')
if [ "$pct" -lt 20 ]; then ok "the loop thread used ${pct}% CPU with a request in flight"; else bad "the loop thread used ${pct}% CPU over 2 s with a request in flight"; fi
wait $CP $SCP || true

# --- 6. run and job messages are scoped like data; internal paths are never sent.
# A rule that fails naming the beneficiary (it compiles, so the hot reload takes it):
# the run fails with that text. CMS reads it; others get a reference; nobody gets a path.
poll_status() {
    n=0
    while [ $n -lt 100 ]; do
        sleep 0.1
        curl -s -H "Authorization: Bearer $CMS" "$URL/v1/status" >"$T/body"
        grep -q -- "$1" "$T/body" && return 0
        n=$((n + 1))
    done
    return 1
}
cp "$T/episodes/falls_prevention/attribution.lua" "$T/attribution.good"
printf '\nfunction attribute(e, c, b) error("failing on " .. b.person_id) end\n' >>"$T/episodes/falls_prevention/attribution.lua"
poll_status '"version":2,' || bad "the failing rule was not activated: $(head -c 300 "$T/body")"
call "CMS starts a run that fails" 202 "$CMS" POST /v1/runs
JOB=$(grep -o '"job_id":[0-9]*' "$T/body" | cut -d: -f2)
n=0
while [ $n -lt 300 ]; do
    sleep 0.2
    curl -s -H "Authorization: Bearer $CMS" "$URL/v1/jobs/$JOB" >"$T/body"
    grep -q '"state":"failed"' "$T/body" && break
    n=$((n + 1))
done
has "the run failed" '"state":"failed"'
has "CMS reads the reason" 'failing on '
lacks "no path in CMS's job message" "$T"
STATE=$(ls "$T/tmp" | grep '^cs-' | head -1)
[ -n "$STATE" ] && lacks "not even the state folder's name ($STATE)" "$STATE"
FAILED_RUN=$(grep -o '"run_id":[0-9]*' "$T/body" | cut -d: -f2)
cp "$T/attribution.good" "$T/episodes/falls_prevention/attribution.lua"
poll_status '"version":3,' || bad "the good rule was not activated again"
lacks "no path in /v1/status" "$T"
for who in ACO ACO2 PROV; do
    eval tok=\$$who
    call "$who: jobs list" 200 "$tok" GET /v1/jobs
    lacks "$who sees no CMS job" '"job_id"'
    call "$who: CMS's job by id" 404 "$tok" GET "/v1/jobs/$JOB"
    call "$who: a guessed job id" 404 "$tok" GET "/v1/jobs/999"
    call "$who: cancelling a job" 403 "$tok" POST "/v1/jobs/$JOB/cancel"
    call "$who: the runs" 200 "$tok" GET /v1/runs
    lacks "$who: no beneficiary in run messages" 'failing on'
    lacks "$who: no path in runs" "$T"
    has "$who: a reference instead" "reference: run $FAILED_RUN"
    call "$who: the failed run" 200 "$tok" GET "/v1/runs/$FAILED_RUN"
    lacks "$who: no beneficiary in the failed run" 'failing on'
done
call "CMS: the runs" 200 "$CMS" GET /v1/runs
has "CMS reads the run's reason" 'failing on'
lacks "no path in CMS's runs" "$T"
lacks "no /tmp path in CMS's runs" '"/tmp/'
lacks "no state folder in CMS's runs" "$STATE"

# --- 5. slow clients without a token (slowloris): 40 connections from 127.0.0.2 sending
# a header line a second, 40 sending a body a byte a second; --max-per-ip 24 refuses the
# extra ones at once, --header-seconds 3 / --body-seconds 3 close the others; meanwhile
# a normal request from 127.0.0.1 is answered (within 10 s, a generous bound)
SLOWC="python3 $(dirname "$0")/slow_client.py"
HOST=${HOSTPORT%:*} PORT=${HOSTPORT##*:}
for mode in headers body; do
    $SLOWC "$HOST" "$PORT" 40 127.0.0.2 $mode 12 >"$T/slow.$mode" &
    SP=$!
    sleep 1
    alive "40 slow clients sending $mode"
    call "a report while slow clients send $mode" 200 "$ACO" GET "/v1/reports/arrangement?run=$RUN"
    wait $SP
    r=$(cat "$T/slow.$mode")
    case $r in
    *" open=0") ok "every slow $mode connection was closed ($r)" ;;
    *) bad "slow $mode connections still open: $r" ;;
    esac
    refused=$(echo "$r" | sed 's/.*refused=\([0-9]*\).*/\1/')
    closed=$(echo "$r" | sed 's/.*closed=\([0-9]*\).*/\1/')
    if [ "$refused" -ge 16 ] && [ "$closed" -ge 1 ]; then ok "per-IP limit: $refused refused at once, $closed cut at the deadline"
    else bad "slow $mode: $r (expected at least 16 refused by --max-per-ip 24, some closed)"; fi
done
alive "the slow clients"
n=$(curl -s "$URL/metrics" | grep '^cara_http_connections_cut_total' | cut -d' ' -f2)
if [ "${n:-0}" -ge 2 ]; then ok "metrics count the cut connections ($n)"; else bad "cara_http_connections_cut_total is '$n'"; fi

# --- 5. an oversized Content-Length is refused before the body is sent; Host is required
cat >"$T/raw.py" <<'PY'
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
s.sendall(sys.argv[3].encode().decode("unicode_escape").encode("latin-1"))
out = b""
try:
    while True:
        d = s.recv(4096)
        if not d:
            break
        out += d
except OSError:
    pass
print(out.split(b"\r\n", 1)[0].decode("latin-1"))
PY
got=$(python3 "$T/raw.py" "$HOST" "$PORT" 'POST /v1/runs HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000000\r\n\r\n')
case $got in *" 413 "*) ok "Content-Length 5 GB: 413 before any body ($got)" ;; *) bad "Content-Length 5 GB got '$got'" ;; esac
got=$(python3 "$T/raw.py" "$HOST" "$PORT" 'GET /healthz HTTP/1.1\r\n\r\n')
case $got in *" 400 "*) ok "HTTP/1.1 without Host: 400" ;; *) bad "HTTP/1.1 without Host got '$got'" ;; esac
got=$(python3 "$T/raw.py" "$HOST" "$PORT" 'GET /healthz HTTP/1.0\r\n\r\n')
case $got in *" 200 "*) ok "HTTP/1.0 without Host: 200" ;; *) bad "HTTP/1.0 without Host got '$got'" ;; esac
alive "oversized and Host-less requests"

# --- 15. cross-tenant requests for every route with every role's token: ACO A0001's
# token on A0003's resources, a provider's token on another NPI's, guessed ids. Each is
# refused (403 outside the scope; 404 for what does not exist, or is not the caller's to
# know of) and the service still answers after it.
refuse() {
    call "$@"
    got=$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' "$URL/healthz" || echo 000)
    [ "$got" = 200 ] || bad "after '$1' the service does not answer ($got)"
}
q() { sqlite3 "$T/t.db" "$1"; }
EP2=$(q "SELECT episode_id FROM run_episodes WHERE run_id = $RUN AND aco_id = 'A0003' AND npi IS NOT NULL ORDER BY episode_id LIMIT 1")
ARR2=$(q "SELECT arrangement_id FROM arrangements WHERE aco_id = 'A0003' ORDER BY arrangement_id LIMIT 1")
NPI2=$(q "SELECT npi FROM arrangements WHERE npi != '$NPI' ORDER BY arrangement_id LIMIT 1")
EPN2=$(q "SELECT episode_id FROM run_episodes WHERE run_id = $RUN AND npi = '$NPI2' ORDER BY episode_id LIMIT 1")
ARRN2=$(q "SELECT arrangement_id FROM arrangements WHERE npi = '$NPI2' ORDER BY arrangement_id LIMIT 1")
TIN2=$(q "SELECT tin FROM arrangements WHERE aco_id = 'A0003' LIMIT 1")
OVL='{"id": "falls_a2", "base": "falls_prevention", "aco_id": "A0003", "version": "1.0.0", "approach": "price", "pricing": {"discount_bps": 100}}'
for who in ACO PROV; do
    eval tok=\$$who
    refuse "$who: start a run" 403 "$tok" POST /v1/runs
    refuse "$who: cancel a job" 403 "$tok" POST /v1/jobs/1/cancel
    refuse "$who: delete a job" 403 "$tok" DELETE /v1/jobs/1
    refuse "$who: A0003's episode" 403 "$tok" GET "/v1/episodes/$EP2?run=$RUN"
    refuse "$who: A0003's EBRA history" 403 "$tok" GET "/v1/ebras/$ARR2/history"
    refuse "$who: ending A0003's EBRA" 403 "$tok" POST "/v1/ebras/$ARR2/end" '{"end_date":"2027-12-31"}'
    refuse "$who: accepting A0003's EBRA" 403 "$tok" POST "/v1/ebras/$ARR2/accept"
    refuse "$who: A0003's overlay" 403 "$tok" PUT /v1/templates/falls_prevention/overlays/A0003 "$OVL"
    refuse "$who: rolling back a base" 403 "$tok" POST /v1/templates/falls_prevention/rollback '{"run": 1}'
    BODY='{"template":"falls_prevention","episodes":["'"$EP2"'"]}' refuse "$who: trying rules on A0003's episode" 403 "$tok" POST /v1/rules/try
    BODY=
    refuse "$who: a guessed episode id" 404 "$tok" GET "/v1/episodes/falls_prevention:1ZZ9ZZ9ZZ99:2027-01-01?run=$RUN"
    refuse "$who: a guessed EBRA" 404 "$tok" GET "/v1/ebras/E999999/history"
    refuse "$who: a guessed run" 404 "$tok" GET "/v1/runs/99999"
    refuse "$who: a guessed job" 404 "$tok" GET "/v1/jobs/424242"
done
BODY='{"arrangement_id":"E777777","aco_id":"A0003","npi":"'"$NPI2"'","tin":"'"$TIN2"'","template_id":"falls_prevention","start_date":"2027-07-01"}' \
    refuse "ACO: offering an EBRA for A0003" 403 "$ACO" POST /v1/ebras
BODY=
refuse "ACO: A0003's EBRAs" 403 "$ACO" GET "/v1/ebras?aco=A0003"
refuse "ACO: A0003's episodes" 403 "$ACO" GET "/v1/episodes?run=$RUN&aco=A0003"
refuse "ACO: A0003's arrangements report" 403 "$ACO" GET "/v1/reports/arrangement?run=$RUN&aco=A0003"
call "provider: filtering episodes by A0003" 200 "$PROV" GET "/v1/episodes?run=$RUN&aco=A0003"
has "provider: A0003's episodes are not its own (none)" '"total":0'
call "provider: filtering a report by A0003" 200 "$PROV" GET "/v1/reports/arrangement?run=$RUN&aco=A0003"
has "provider: no rows" '"rows":\[\]'
refuse "provider: another NPI's episode" 403 "$PROV" GET "/v1/episodes/$EPN2?run=$RUN"
refuse "provider: another NPI's report" 403 "$PROV" GET "/v1/reports/episode?run=$RUN&npi=$NPI2"
refuse "provider: another NPI's EBRAs" 403 "$PROV" GET "/v1/ebras?npi=$NPI2"
refuse "provider: accepting another NPI's EBRA" 403 "$PROV" POST "/v1/ebras/$ARRN2/accept"
refuse "provider: the leakage report" 403 "$PROV" GET "/v1/reports/leakage?run=$RUN"
call "provider: providers" 200 "$PROV" GET /v1/providers
lacks "provider sees no other provider" "\"npi\":\"$NPI2\""
call "ACO: EBRAs" 200 "$ACO" GET /v1/ebras
lacks "ACO sees no A0003 EBRA" '"aco_id":"A0003"'
call "ACO: templates" 200 "$ACO" GET /v1/templates
lacks "ACO sees no other ACO's overlay" '"aco_id":"A0003"'
refuse "no token: a report" 401 "" GET "/v1/reports/arrangement?run=$RUN"
refuse "a token with garbage" 401 "cara_'\"<>" GET /v1/status
refuse "a path with a NUL" 404 "$CMS" GET "/v1/templates/falls%00/history"
refuse "a path with dot-dot" 404 "$CMS" GET "/v1/templates/..%2f..%2fetc/history"
n=$(q "SELECT count(*) FROM audit_log WHERE action = 'api.denied' AND json_extract(after, '$.status') = 403")
if [ "$n" -ge 20 ]; then ok "the cross-tenant refusals are audited ($n api.denied rows)"; else bad "$n api.denied rows for the refusals"; fi
alive "the cross-tenant requests"

# --- 3. SIGTERM with tries in flight and waiting: prompt stop, no folder left behind
i=0
while [ $i -lt 6 ]; do
    curl -s --max-time 60 -o /dev/null -w '%{http_code}\n' -X POST -H "Authorization: Bearer $CMS" \
        --data-binary "$SLOW" "$URL/v1/rules/try" >"$T/tryc.$i" 2>/dev/null &
    i=$((i + 1))
done
sleep 1
stop "tries in flight"
if grep -q "cara serve: stopped" "$T/log"; then ok "stopped with tries in flight"; else bad "no stop in the log"; fi
left=$(ls -A "$T/tmp" | wc -l)
if [ "$left" -eq 0 ]; then ok "no temporary folder left in TMPDIR"; else bad "left in TMPDIR: $(ls -A "$T/tmp")"; fi
wait_tries 6

if [ "$fails" -ne 0 ]; then echo "serve_hostile: $fails failure(s)"; exit 1; fi
echo "serve_hostile: all passed"
