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
NEXT=$(sed -n 's/.*"next":"\([^"]*\)".*/\1/p' "$T/body")
if [ -n "$NEXT" ]; then ok "a full page names the next one"; else bad "no next cursor on a full page"; fi
cp "$T/body" "$T/page1"
call "ACO: the next page by its cursor" 200 "$ACO" GET "/v1/episodes?run=$RUN&limit=5&after=$NEXT"
sed -n 's/.*"episodes":\(.*\),"next".*/\1/p' "$T/body" >"$T/page2"
call "ACO: the same rows by offset" 200 "$ACO" GET "/v1/episodes?run=$RUN&limit=5&offset=5"
sed -n 's/.*"episodes":\(.*\),"next".*/\1/p' "$T/body" >"$T/page2o"
if cmp -s "$T/page2" "$T/page2o"; then ok "cursor and offset give the same page"; else bad "page 2 by cursor differs from offset 5"; fi
call "a cursor that is not one" 400 "$ACO" GET "/v1/episodes?run=$RUN&after=nope"
has "the bad cursor is named" '"message":"after: '
has "with its value" 'nope'
call "another ACO's cursor" 400 "$CMS" GET "/v1/episodes?run=$RUN&aco=A0003&after=$NEXT"
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

# --- people, not tokens: user accounts, login sessions, CSRF, the login limit, HTTPS
# start SERVICE_ARGS...: a service on a free port (its URL in $URL, its pid in $PID)
start() {
    : >"$T/url"
    "$CARA" --db "$T/t.db" --episodes "$T/episodes" serve --listen 127.0.0.1:0 "$@" \
        >"$T/url" 2>>"$T/log" &
    PID=$!
    i=0
    while [ ! -s "$T/url" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    URL=$(head -1 "$T/url")
}
stop() {
    kill -TERM "$PID"
    if wait "$PID"; then ok "the service stopped (exit status 0)"; else bad "the service stopped with status $?"; fi
    PID=
}
# scall NAME WANT METHOD PATH BODY [CURL_ARGS...]: with the session cookie $SID (when
# set) and no token; the answer in $T/body, its headers in $T/head
scall() {
    name=$1 want=$2 method=$3 path=$4 b=$5
    shift 5
    set -- -s -k --max-time 30 -D "$T/head" -o "$T/body" -w '%{http_code}' -X "$method" "$URL$path" "$@"
    [ -n "${SID:-}" ] && set -- "$@" -H "Cookie: cara_session=$SID"
    [ -n "$b" ] && set -- "$@" --data-binary "$b"
    got=$(curl "$@" || echo 000)
    if [ "$got" = "$want" ]; then ok "$name ($got)"; else bad "$name: HTTP $got, expected $want: $(head -c 300 "$T/body")"; fi
}
JSON='Content-Type: application/json'
# login NAME PASSWORD: POST /v1/session; sets SID and CSRF from the answer
login() {
    SID=
    scall "login as $1" 200 POST /v1/session "{\"name\":\"$1\",\"password\":\"$2\"}" -H "$JSON"
    SID=$(grep -i '^set-cookie: cara_session=' "$T/head" | sed 's/^[^=]*=\([0-9a-f]*\);.*/\1/')
    CSRF=$(field csrf_token)
}
hhas() { if grep -qi -- "$2" "$T/head"; then ok "$1"; else bad "$1: headers lack $2: $(tr -d '\r' <"$T/head" | tr '\n' '|')"; fi; }
hlacks() { if grep -qi -- "$2" "$T/head"; then bad "$1: headers have $2"; else ok "$1"; fi; }

echo 'admin password 1' | "$CARA" --db "$T/t.db" user add root --role cms --password-stdin >/dev/null
echo 'aco password 12' | "$CARA" --db "$T/t.db" user add ann@a0001 --role aco:A0001 --password-stdin >/dev/null
echo 'provider pass 1' | "$CARA" --db "$T/t.db" user add pia --role "provider:$NPI" --password-stdin >/dev/null
if setsid "$CARA" --db "$T/t.db" user add tty-less --role cms </dev/null 2>"$T/err"; then
    bad "user add without a terminal nor --password-stdin succeeded"
elif grep -q "no terminal" "$T/err"; then ok "user add refuses to prompt without a terminal"
else bad "user add without a terminal: $(cat "$T/err")"; fi

start
[ -n "$URL" ] || { bad "the service did not start again"; exit 1; }
SID=
scall "login needs a JSON body type" 415 POST /v1/session '{"name":"pia","password":"provider pass 1"}'
scall "login: wrong password" 401 POST /v1/session '{"name":"pia","password":"provider pass 2"}' -H "$JSON"
has "the same message for a wrong password" '"message":"wrong user name or password"'
scall "login: unknown user" 401 POST /v1/session '{"name":"nobody","password":"provider pass 1"}' -H "$JSON"
has "... and for an unknown user" '"message":"wrong user name or password"'
scall "session without a cookie" 401 GET /v1/session ""
login pia 'provider pass 1'
hhas "the cookie is HttpOnly, SameSite=Strict, Path=/" 'set-cookie: cara_session=[0-9a-f]\{64\}; Path=/; HttpOnly; SameSite=Strict'
hlacks "no Secure over plain HTTP" 'Secure'
hhas "nosniff on every answer" 'X-Content-Type-Options: nosniff'
hhas "frames denied on every answer" 'X-Frame-Options: DENY'
has "the login names the user and role" "\"user\":\"pia\",\"role\":\"provider:$NPI\""
has "idle timeout in the answer" '"idle_timeout_seconds":1800'
scall "GET /v1/session" 200 GET /v1/session ""
has "the same session" "\"csrf_token\":\"$CSRF\""
# a provider user sees what a provider token for its NPI sees, byte for byte
scall "provider user: own episodes" 200 GET "/v1/episodes?run=$RUN&limit=1000" ""
cp "$T/body" "$T/by_user"
curl -s -H "Authorization: Bearer $PROV" "$URL/v1/episodes?run=$RUN&limit=1000" >"$T/by_token"
if cmp -s "$T/by_user" "$T/by_token"; then ok "the provider user's episodes are its token's"; else bad "a provider user and token see different episodes"; fi
scall "provider user: another NPI" 403 GET "/v1/episodes?run=$RUN&npi=1234567893" ""
scall "provider user: the ACO report" 403 GET "/v1/reports/aco?run=$RUN" ""
scall "provider user: the users list" 403 GET /v1/users ""
n=$(sqlite3 "$T/t.db" "SELECT count(*) FROM audit_log WHERE actor = 'provider:$NPI (user pia)'")
if [ "$n" -gt 0 ]; then ok "a session's audit rows name the user ($n)"; else bad "no audit row names user pia"; fi
# CSRF: a state-changing request with the cookie needs X-CSRF-Token (and a matching Origin)
BODY='{"template":"falls_prevention","episodes":[]}'
scall "POST without X-CSRF-Token" 403 POST /v1/rules/try "$BODY" -H "$JSON"
has "... is a csrf refusal" '"code":"csrf"'
scall "POST with a wrong X-CSRF-Token" 403 POST /v1/rules/try "$BODY" -H "$JSON" -H "X-CSRF-Token: 0$CSRF"
scall "POST with the token, from another Origin" 403 POST /v1/rules/try "$BODY" -H "$JSON" \
    -H "X-CSRF-Token: $CSRF" -H "Origin: http://evil.example"
scall "POST with the token: no longer a csrf refusal" 403 POST /v1/runs "" -H "X-CSRF-Token: $CSRF" \
    -H "Origin: ${URL%/}"
has "... but the provider's own 403" 'only a CMS'
# bearer tokens work as before, with or without a cookie around
scall "a bearer token still works" 200 GET /v1/status "" -H "Authorization: Bearer $CMS"
scall "a token POST needs no CSRF header" 202 POST /v1/runs "" -H "Authorization: Bearer $CMS"
poll "/v1/jobs/$(field job_id)" '"state":"done"' 600 || bad "the token's run did not finish"
# own password; CMS's user administration
PIA_SID=$SID PIA_CSRF=$CSRF
scall "own password: wrong current" 403 POST /v1/session/password '{"current":"nope nope nope","new":"provider pass 2"}' \
    -H "$JSON" -H "X-CSRF-Token: $CSRF"
scall "own password" 200 POST /v1/session/password '{"current":"provider pass 1","new":"provider pass 2"}' \
    -H "$JSON" -H "X-CSRF-Token: $CSRF"
scall "the session it was changed in goes on" 200 GET /v1/session ""
scall "a token has no own password" 403 POST /v1/session/password '{"current":"a","new":"b"}' \
    -H "$JSON" -H "Authorization: Bearer $CMS"
login root 'admin password 1'
scall "CMS user: users list" 200 GET /v1/users ""
has "... lists pia" '"name":"pia"'
lacks "... never a hash" 'argon2'
scall "CMS user: add a user" 201 POST /v1/users '{"name":"bo","role":"aco:A0001","password":"bo password 1"}' \
    -H "$JSON" -H "X-CSRF-Token: $CSRF"
scall "CMS user: add without CSRF" 403 POST /v1/users '{"name":"bo2","role":"cms","password":"bo password 1"}' -H "$JSON"
scall "CMS user: the name is taken" 409 POST /v1/users '{"name":"bo","role":"cms","password":"bo password 1"}' \
    -H "$JSON" -H "X-CSRF-Token: $CSRF"
scall "CMS user: a short password" 400 POST /v1/users '{"name":"bo3","role":"cms","password":"short"}' \
    -H "$JSON" -H "X-CSRF-Token: $CSRF"
scall "CMS user: set bo's password" 200 POST /v1/users/bo/password '{"password":"bo password 2"}' \
    -H "$JSON" -H "X-CSRF-Token: $CSRF"
scall "CMS token: users list" 200 GET /v1/users "" -H "Authorization: Bearer $CMS"
scall "CMS user: disable pia" 200 POST /v1/users/pia/disable "" -H "X-CSRF-Token: $CSRF"
has "... disabled" '"disabled_at":"20'
scall "CMS user: disable pia again" 409 POST /v1/users/pia/disable "" -H "X-CSRF-Token: $CSRF"
scall "CMS user: disable nobody" 404 POST /v1/users/nobody/disable "" -H "X-CSRF-Token: $CSRF"
ROOT_SID=$SID ROOT_CSRF=$CSRF
SID=$PIA_SID
scall "a disabled user's session stops at once" 401 GET "/v1/episodes?run=$RUN" ""
SID=
scall "a disabled user cannot log in" 401 POST /v1/session '{"name":"pia","password":"provider pass 2"}' -H "$JSON"
has "... with the same message" '"message":"wrong user name or password"'
# logout
SID=$ROOT_SID
scall "logout without CSRF" 403 DELETE /v1/session ""
scall "logout" 204 DELETE /v1/session "" -H "X-CSRF-Token: $ROOT_CSRF"
hhas "logout clears the cookie" 'set-cookie: cara_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0'
scall "the session is over" 401 GET /v1/users ""
SID=
for a in user.add user.disable user.passwd session.login session.logout; do
    n=$(sqlite3 "$T/t.db" "SELECT count(*) FROM audit_log WHERE action = '$a'")
    if [ "$n" -gt 0 ]; then ok "audited: $a ($n)"; else bad "no $a audit row"; fi
done
n=$(sqlite3 "$T/t.db" "SELECT count(*) FROM audit_log WHERE instr(coalesce(after, '') || coalesce(before, ''), 'argon2') > 0 OR instr(coalesce(after, ''), '$ROOT_SID') > 0 OR instr(coalesce(after, ''), '$ROOT_CSRF') > 0")
if [ "$n" -eq 0 ]; then ok "no hash, secret or CSRF token in the audit log"; else bad "$n audit rows hold a secret"; fi
stop

# HTTPS with a self-signed certificate: Secure cookies; idle expiry; the login limit
if openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 1 \
    -subj /CN=127.0.0.1 >/dev/null 2>&1; then
    start --tls-cert "$T/cert.pem" --tls-key "$T/key.pem" --session-idle 2 --login-attempts 5 --login-window 900
    case "$URL" in https://*) ok "serves HTTPS: $URL" ;; *) bad "not HTTPS: '$URL'" ;; esac
    login ann@a0001 'aco password 12'
    hhas "over TLS the cookie is Secure" 'set-cookie: cara_session=[0-9a-f]\{64\}; Path=/; HttpOnly; SameSite=Strict; Secure'
    scall "ACO user over TLS" 200 GET "/v1/episodes?run=$RUN&limit=1" ""
    sleep 3
    scall "idle past --session-idle" 401 GET /v1/session ""
    has "... says so" 'idle seconds'
    SID=
    for i in 1 2 3 4; do
        scall "failed login $i" 401 POST /v1/session '{"name":"bo","password":"wrong password"}' -H "$JSON"
    done
    login bo 'bo password 2'
    SID=
    scall "failed login 5 (the success did not count)" 401 POST /v1/session '{"name":"bo","password":"wrong password"}' -H "$JSON"
    scall "the 6th attempt is refused, right password or not" 429 POST /v1/session '{"name":"bo","password":"bo password 2"}' -H "$JSON"
    has "... too_many_attempts" '"code":"too_many_attempts"'
    hhas "... with Retry-After" 'Retry-After: [0-9]'
    stop
else
    bad "openssl could not make a self-signed certificate"
fi

if [ "$fails" -ne 0 ]; then echo "serve_it: $fails failure(s)"; exit 1; fi
echo "serve_it: all passed"
