#!/bin/sh
# tests/serve_it.sh: `cara serve` driven with curl as its three users would, on a free
# loopback port: every role's scope, bad input and limits, a background run to
# completion, hot reload of a good and a broken rule, token revocation, graceful
# shutdown with a run in progress. Run by `make test` (needs curl and sqlite3).
set -eu
CARA=${CARA_BIN:-build/cara}
SRC_EPISODES=${CARA_EPISODES:-episodes}
T=$(mktemp -d /tmp/cara-it-XXXXXX)
PID=
cleanup() {
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then kill -KILL "$PID" 2>/dev/null || true; fi
    if [ "$fails" -ne 0 ]; then echo "--- service log:"; tail -40 "$T/log" 2>/dev/null || true; fi
    rm -rf "$T"
}
trap cleanup EXIT
. "$(dirname "$0")/lib.sh"
# poll PATH PATTERN TRIES: GET PATH (CMS token) every 0.1 s until the body holds PATTERN
poll() {
    n=0
    while [ $n -lt "$3" ]; do
        sleep 0.1
        curl -s -H "Authorization: Bearer $CMS" "$URL$1" >"$T/body"
        grep -q -- "$2" "$T/body" && return 0
        n=$((n + 1))
    done
    return 1
}
field() { grep -o "\"$1\":[^,}]*" "$T/body" | head -1 | sed 's/^[^:]*://; s/"//g'; }

cp -R "$SRC_EPISODES" "$T/episodes"
"$CARA" synth --out "$T/d" --beneficiaries 800 --seed 4 >/dev/null
"$CARA" --db "$T/t.db" load "$T/d" >/dev/null
CMS=$("$CARA" --db "$T/t.db" token create --role cms --label it 2>/dev/null)
ACO=$("$CARA" --db "$T/t.db" token create --role aco:A0001 2>/dev/null)
NPI=$(sqlite3 "$T/t.db" "SELECT npi FROM arrangements WHERE aco_id = 'A0001' ORDER BY arrangement_id LIMIT 1")
PROV=$("$CARA" --db "$T/t.db" token create --role "provider:$NPI" 2>/dev/null)

"$CARA" --db "$T/t.db" --episodes "$T/episodes" serve --listen 127.0.0.1:0 --max-body 64k \
    >"$T/url" 2>"$T/log" &
PID=$!
i=0
while [ ! -s "$T/url" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
URL=$(head -1 "$T/url")
[ -n "$URL" ] || { bad "the service did not start"; exit 1; }
BODY=

# --- anyone: health and metrics; no token, bad token
call "healthz" 200 "" GET /healthz
call "metrics" 200 "" GET /metrics
has "metrics in Prometheus text" "cara_http_requests_total"
call "status without a token" 401 "" GET /v1/status
has "401 is a JSON error" '"code":"unauthorized"'
call "a made-up token" 401 "cara_0000000000000000000000000000000000000000" GET /v1/status
call "unknown path" 404 "$CMS" GET /v1/nothing
call "wrong method" 405 "$CMS" DELETE /v1/status

# --- CMS starts a run and watches it
call "ACO may not start a run" 403 "$ACO" POST /v1/runs
BODY='{"period": 1999}' call "a bad period" 400 "$CMS" POST /v1/runs
BODY='{"period": ' call "broken JSON" 400 "$CMS" POST /v1/runs
has "broken JSON is named" '"code":"bad_json"'
call "CMS starts a run" 202 "$CMS" POST /v1/runs
JOB=$(field job_id)
state=queued
i=0
while [ "$state" != done ] && [ "$state" != failed ] && [ $i -lt 300 ]; do
    sleep 0.2
    call "job $JOB progress" 200 "$CMS" GET "/v1/jobs/$JOB" >/dev/null
    state=$(field state)
    i=$((i + 1))
done
if [ "$state" = done ]; then ok "the run finished"; else bad "the run ended as '$state'"; fi
has "progress reached 100%" '"percent":100'
RUN=$(field run_id)
call "the run's record" 200 "$CMS" GET "/v1/runs/$RUN"
has "run is done" '"status":"done"'

# --- who sees what
call "CMS: arrangements report" 200 "$CMS" GET "/v1/reports/arrangement?run=$RUN"
has "CMS sees A0003's arrangements" '"aco_id":"A0003"'
call "ACO: arrangements report" 200 "$ACO" GET "/v1/reports/arrangement?run=$RUN"
has "ACO sees its own" '"aco_id":"A0001"'
lacks "ACO sees no other ACO" '"aco_id":"A0003"'
call "ACO asking for another ACO" 403 "$ACO" GET "/v1/reports/arrangement?run=$RUN&aco=A0003"
call "ACO: its episodes, paged" 200 "$ACO" GET "/v1/episodes?run=$RUN&limit=5"
has "paging echoed" '"limit":5'
call "provider: own episodes" 200 "$PROV" GET "/v1/episodes?run=$RUN&limit=1000"
others=$(grep -o '"npi":"[0-9]*"' "$T/body" | grep -v "\"$NPI\"" | wc -l)
if [ "$others" -eq 0 ]; then ok "provider sees only NPI $NPI"; else bad "provider sees $others episodes of others"; fi
call "provider: ACO report" 403 "$PROV" GET "/v1/reports/aco?run=$RUN"
call "CMS: an A0003 episode" 200 "$CMS" GET "/v1/episodes?run=$RUN&aco=A0003&limit=1"
EP=$(field episode_id)
if [ -n "$EP" ]; then
    call "ACO opening another ACO's episode" 403 "$ACO" GET "/v1/episodes/$EP?run=$RUN"
    call "CMS opening it, with its claims" 200 "$CMS" GET "/v1/episodes/$EP?run=$RUN"
    has "episode has claims" '"claims":'
fi
call "bad limit" 400 "$ACO" GET "/v1/episodes?limit=0"
reads=$(sqlite3 "$T/t.db" "SELECT count(*) FROM audit_log WHERE action LIKE 'episode.%'")
if [ "$reads" -gt 0 ]; then ok "episode reads are audited ($reads)"; else bad "no episode read in the audit log"; fi

# --- reports: filters that name nothing, arrangement_id, empty answers
call "episode report names the arrangement" 200 "$CMS" GET "/v1/reports/episode?run=$RUN&aco=A0001"
has "arrangement_id in episode rows" '"arrangement_id":'
call "an unknown ACO" 404 "$CMS" GET "/v1/reports/arrangement?run=$RUN&aco=NOPE"
has "the unknown ACO is named" "no ACO 'NOPE'"
call "an NPI failing its check digit" 400 "$CMS" GET "/v1/reports/episode?run=$RUN&npi=1234567890"
call "a malformed period" 400 "$CMS" GET "/v1/episodes?run=$RUN&period=27"
call "a period the run does not cover" 200 "$CMS" GET "/v1/reports/episode?run=$RUN&period=2035"
has "the empty report says why" '"note":"no episodes in period 2035 in run '

# --- refused requests are audited (actor, route, reason), at most 20 + 1 a minute per token
n=$(sqlite3 "$T/t.db" "SELECT count(*) FROM audit_log WHERE action = 'api.denied' AND actor LIKE 'aco:A0001 (token %' AND entity = 'reports' AND json_extract(after, '$.status') = 403")
if [ "$n" -gt 0 ]; then ok "ACO's 403s are audited ($n)"; else bad "no api.denied row for the ACO's 403"; fi
n=$(sqlite3 "$T/t.db" "SELECT count(*) FROM audit_log WHERE action = 'api.denied' AND actor = 'anonymous (token -)' AND json_extract(after, '$.status') = 401")
if [ "$n" -gt 0 ]; then ok "an unknown token's 401 is audited ($n)"; else bad "no api.denied row for the unknown token"; fi
n=$(sqlite3 "$T/t.db" "SELECT count(*) FROM audit_log WHERE action = 'api.denied' AND json_extract(after, '$.reason') LIKE 'no Authorization header%'")
if [ "$n" -eq 0 ]; then ok "a request without a token is not audited"; else bad "$n api.denied rows for missing tokens"; fi
i=0
while [ $i -lt 50 ]; do
    curl -s -o /dev/null -H "Authorization: Bearer cara_1111111111111111111111111111111111111111" "$URL/v1/status" || true
    i=$((i + 1))
done
# 50 more refusals of the one anonymous key: some minute got more than 21 (a summary),
# and no minute more than 21 rows; at most two minutes were touched by this burst
n=$(sqlite3 "$T/t.db" "SELECT count(*) FROM audit_log WHERE action = 'api.denied' AND actor = 'anonymous (token -)' AND json_extract(after, '$.path') = '/v1/status'")
lim=$(sqlite3 "$T/t.db" "SELECT count(*) FROM audit_log WHERE action = 'api.denied' AND actor = 'anonymous (token -)' AND json_extract(after, '$.limited') = 1")
if [ "$lim" -ge 1 ] && [ "$n" -le 43 ]; then ok "refusals are capped ($n rows for 51 refusals, $lim summary)"; else bad "cap: $n rows, $lim summaries for 51 refusals"; fi

# --- limits
BODY=$(head -c 70000 /dev/zero | tr '\0' 'x') call "body over --max-body" 413 "$CMS" POST /v1/runs
BODY=
big=$(head -c 40000 /dev/zero | tr '\0' 'a')
got=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Big: $big" "$URL/healthz" || echo 000)
case $got in 4*) ok "header over the limit refused ($got)" ;; *) bad "a 40 kB header got $got" ;; esac
got=$(curl -s -o /dev/null -w '%{http_code}' -X 'BAD METHOD' "$URL/healthz" || echo 000)
case $got in 4* | 5*) ok "malformed request line refused ($got)" ;; *) bad "a malformed request got $got" ;; esac

# --- the rule sandbox: a hostile rule comes back as an error
BODY='{"template":"falls_prevention","attribution":"function attribute() while true do end end","episodes":["'"$EP"'"]}' \
    call "rules/try with an endless loop" 422 "$CMS" POST /v1/rules/try
BODY='{"template":"falls_prevention","savings":"function target(","episodes":["'"$EP"'"]}' \
    call "rules/try with a broken savings rule" 422 "$CMS" POST /v1/rules/try
has "the posted savings rule is named" '"file":"savings.lua (posted)"'
BODY=

# --- hot reload: a broken edit is rejected, the old rule keeps serving
call "status" 200 "$CMS" GET /v1/status
v0=$(grep -o '"version":[0-9]*' "$T/body" | head -1 | cut -d: -f2)
cp "$T/episodes/falls_prevention/savings.lua" "$T/savings.good"
printf '\nthis is not lua (\n' >>"$T/episodes/falls_prevention/savings.lua"
poll /v1/status '"last_reload_error":"' 50 || true
has "the broken rule is reported" 'savings.lua'
has "the old version stays active" "\"version\":$v0"
call "a run on the old rules" 202 "$CMS" POST /v1/runs
JOB2=$(field job_id)
poll "/v1/jobs/$JOB2" '"state":"done"' 600 || true
has "the run on the old rules finished" '"state":"done"'
cp "$T/savings.good" "$T/episodes/falls_prevention/savings.lua"
poll /v1/status '"last_reload_error":null' 50 || true
has "the fixed rule is taken" '"last_reload_error":null'
lacks "with a new version" "\"version\":$v0,"

# --- rollback: an edit to the template is activated, then rolled back over the API to
# the content of the first snapshot (by the hash of its template.json)
ORIG=$(sha256sum "$T/episodes/falls_prevention/template.json" | cut -c1-64)
call "template history" 200 "$CMS" GET /v1/templates/falls_prevention/history
has "history lists the snapshots" "\"sha256\":\"$ORIG\""
call "status before the edit" 200 "$CMS" GET /v1/status
v1=$(grep -o '"version":[0-9][0-9]*' "$T/body" | head -1 | cut -d: -f2)
sed -i 's/"trend_bps": 300/"trend_bps": 310/' "$T/episodes/falls_prevention/template.json"
poll /v1/status "\"version\":$((v1 + 1))," 50 || true
has "the edited template is active" "\"version\":$((v1 + 1)),"
BODY="{\"sha256\": \"$ORIG\"}" call "ACO may not roll back a base" 403 "$ACO" POST /v1/templates/falls_prevention/rollback
BODY="{\"sha256\": \"$ORIG\"}" call "provider may not roll back" 403 "$PROV" POST /v1/templates/falls_prevention/rollback
BODY='{"version": "9.9.9"}' call "rollback to a version never stored" 404 "$CMS" POST /v1/templates/falls_prevention/rollback
BODY='{}' call "rollback without a target" 400 "$CMS" POST /v1/templates/falls_prevention/rollback
BODY="{\"sha256\": \"$ORIG\"}" call "CMS rolls back to the first content" 200 "$CMS" POST /v1/templates/falls_prevention/rollback
BODY=
now=$(sha256sum "$T/episodes/falls_prevention/template.json" | cut -c1-64)
if [ "$now" = "$ORIG" ]; then ok "the file is the first content again"; else bad "template.json is $now, not $ORIG"; fi
poll /v1/status "\"version\":$((v1 + 2))," 50 || true
has "the rolled-back template is active" "\"version\":$((v1 + 2)),"
n=$(sqlite3 "$T/t.db" "SELECT count(*) FROM audit_log WHERE action = 'template.rollback'")
if [ "$n" -eq 1 ]; then ok "the rollback is audited"; else bad "$n template.rollback audit rows"; fi

# --- revocation
TID=$("$CARA" --db "$T/t.db" token list --format json | grep -o '"token_id":"[0-9a-f]*"[^}]*"scope":"A0001"' | head -1 | sed 's/"token_id":"\([0-9a-f]*\)".*/\1/')
"$CARA" --db "$T/t.db" token revoke "$TID" >/dev/null 2>&1 || true
call "a revoked ACO token" 401 "$ACO" GET /v1/status
n=$(sqlite3 "$T/t.db" "SELECT count(*) FROM audit_log WHERE action = 'api.denied' AND actor = 'anonymous (token $TID)' AND entity = 'status' AND json_extract(after, '$.reason') LIKE '%was revoked%'")
if [ "$n" -eq 1 ]; then ok "the revoked token's attempt is audited under its id"; else bad "revoked token: $n api.denied rows"; fi

# --- graceful shutdown with a run in progress
call "a last run" 202 "$CMS" POST /v1/runs
kill -TERM "$PID"
i=0
while kill -0 "$PID" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
if kill -0 "$PID" 2>/dev/null; then bad "still running 10 s after SIGTERM"; else
    wait "$PID" && ok "SIGTERM: exit status 0" || bad "SIGTERM: exit status $?"
fi
PID=
if grep -q "cara serve: stopped" "$T/log"; then ok "stopped cleanly"; else bad "no clean stop in the log"; fi
n=$(sqlite3 "$T/t.db" "SELECT count(*) FROM runs WHERE status = 'running'")
if [ "$n" -eq 0 ]; then ok "no run left half-done"; else bad "$n runs left 'running'"; fi

# --- replay after a restart: run $RUN read a snapshot the shutdown removed; its files
# are in the store, so the CLI rebuilds them and gets the same results row for row
snaps=$(sqlite3 "$T/t.db" "SELECT count(*) FROM episode_snapshots")
if [ "$snaps" -ge 2 ]; then ok "every activated snapshot is kept ($snaps)"; else bad "$snaps snapshots kept"; fi
if "$CARA" --db "$T/t.db" run --replay "$RUN" >"$T/replay.out" 2>"$T/replay.err"; then
    ok "run --replay $RUN after the restart"
else
    bad "run --replay $RUN: $(cat "$T/replay.err")"
fi
if grep -q "replays run $RUN: the same results, row for row" "$T/replay.err"; then ok "the serve run reproduces"
else bad "the replay differs: $(cat "$T/replay.err")"; fi
R2=$(cat "$T/replay.out")
n=$(sqlite3 "$T/t.db" "SELECT replay_of FROM runs WHERE run_id = '$R2'")
if [ "$n" = "$RUN" ]; then ok "the replay records replay_of $RUN"; else bad "replay_of is '$n'"; fi

if [ "$fails" -ne 0 ]; then echo "serve_it: $fails failure(s)"; exit 1; fi
echo "serve_it: all passed"
