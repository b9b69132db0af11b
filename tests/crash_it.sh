#!/bin/sh
# tests/crash_it.sh: crash safety. `cara load`, `cara run` and `cara serve` are killed
# with SIGKILL at several points of their work; after each kill the store must pass
# `PRAGMA integrity_check`, hold no half-loaded file (a load is one transaction) and no
# half-written run results, and doing the work again must give results identical, byte
# for byte, to an uninterrupted reference. Run by `make test` (needs sqlite3 and curl).
#
# The kill points are fixed delays (not random), so a failure reproduces; they spread
# over the whole of each command on this machine's speed: the script first times the
# uninterrupted command and kills at 10%, 30%, 50%, 70% and 90% of that time.
set -eu
CARA=${CARA_BIN:-build/cara}
EPISODES=${CARA_EPISODES:-episodes}
T=$(mktemp -d /tmp/cara-crash-XXXXXX)
PID=
cleanup() {
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then kill -KILL "$PID" 2>/dev/null || true; fi
    rm -rf "$T"
}
trap cleanup EXIT
. "$(dirname "$0")/lib.sh"
cara_db() { db=$1; shift; "$CARA" --db "$db" --episodes "$EPISODES" "$@"; }

# now in milliseconds
ms() { date +%s%3N; }

integrity() { # integrity DB NAME
    r=$(sqlite3 "$1" "PRAGMA integrity_check" 2>&1 || true)
    if [ "$r" = "ok" ]; then ok "$2: integrity_check ok"; else bad "$2: integrity_check: $r"; fi
}

reports() { # reports DB RUN PREFIX: the three result reports of run RUN as CSV
    for by in episode arrangement leakage; do
        cara_db "$1" report --run "$2" --by "$by" --format csv >"$3.$by.csv"
    done
}

same() { # same PREFIX_A PREFIX_B NAME
    for by in episode arrangement leakage; do
        if cmp -s "$1.$by.csv" "$2.$by.csv"; then ok "$3: $by report identical"
        else bad "$3: $by report differs from the reference"; fi
    done
}

"$CARA" synth --out "$T/d" --beneficiaries 3000 --seed 7 --format cclf >/dev/null

# ---- the reference, uninterrupted ----------------------------------------------------------
t0=$(ms)
cara_db "$T/ref.db" load "$T/d/cclf" >/dev/null 2>&1
t1=$(ms)
cara_db "$T/ref.db" run --quiet >/dev/null
t2=$(ms)
reports "$T/ref.db" 1 "$T/ref"
LOAD_MS=$((t1 - t0))
RUN_MS=$((t2 - t1))
[ "$LOAD_MS" -gt 0 ] || LOAD_MS=1
[ "$RUN_MS" -gt 0 ] || RUN_MS=1
echo "     reference: load ${LOAD_MS} ms, run ${RUN_MS} ms"

sleep_ms() { sleep "$(awk "BEGIN { printf \"%.3f\", $1 / 1000 }")"; }

# kill_after MS CMD...: run CMD in the background (the command itself, so that the kill
# reaches it) and SIGKILL it after MS milliseconds
kill_after() {
    ka_ms=$1
    shift
    "$@" >/dev/null 2>&1 &
    PID=$!
    sleep_ms "$ka_ms"
    kill -KILL "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
    PID=
}

# ---- load killed -----------------------------------------------------------------------------
REF_LOADS=$(sqlite3 "$T/ref.db" "SELECT count(*) FROM loads")
cut=0
for pct in 10 30 50 70 90; do
    db="$T/load$pct.db"
    # "$CARA" itself (a shell function would be a subshell, and the kill would miss it)
    kill_after $((LOAD_MS * pct / 100)) "$CARA" --db "$db" --episodes "$EPISODES" load "$T/d/cclf"
    integrity "$db" "load killed at ${pct}%"
    got=$(sqlite3 "$db" "SELECT count(*) FROM loads" 2>/dev/null || echo 0)
    [ "${got:-0}" -lt "$REF_LOADS" ] && cut=$((cut + 1))
    cara_db "$db" load "$T/d/cclf" >"$T/reload.out" 2>&1 ||
        bad "load killed at ${pct}%: the load again failed: $(tail -3 "$T/reload.out")"
    cara_db "$db" run --quiet >/dev/null || bad "load killed at ${pct}%: the run after it failed"
    run=$(sqlite3 "$db" "SELECT max(run_id) FROM runs WHERE status = 'done'")
    reports "$db" "$run" "$T/load$pct"
    same "$T/ref" "$T/load$pct" "load killed at ${pct}%, loaded again"
done

if [ "$cut" -gt 0 ]; then ok "$cut of the 5 kills landed inside the load (fewer files loaded than $REF_LOADS)"
else bad "no kill landed inside the load: the kill points prove nothing"; fi

# ---- a later CSV claims file killed -----------------------------------------------------------
# A later file onto stored claims is written into the file directly too (a rollback journal)
# when nothing else has the store open: killed, the journal is rolled back at the next open
# and the store holds the first file's claims only; loaded again, the claims are the
# reference's.
"$CARA" synth --out "$T/c" --beneficiaries 3000 --seed 7 >/dev/null
awk -F, -v out="$T/c" 'NR == 1 { print > (out "/a.csv"); print > (out "/b.csv"); next }
    { if (!sw && NR > 40000 && $4 != last) sw = 1; last = $4; print > (out (sw ? "/b.csv" : "/a.csv")) }' \
    "$T/c/medical_claim.csv"
claims_sum() { sqlite3 "$1" "SELECT claim_id, person_id, status, lines FROM claims ORDER BY claim_id" | sha256sum; }
cara_db "$T/first.db" load "$T/c/acos.csv" "$T/c/providers.csv" "$T/c/eligibility.csv" \
    "$T/c/alignment.csv" "$T/c/participants.csv" "$T/c/arrangements.csv" "$T/c/a.csv" >/dev/null
FIRST=$(claims_sum "$T/first.db")
cp "$T/first.db" "$T/both.db"
t0=$(ms)
cara_db "$T/both.db" load "$T/c/b.csv" >/dev/null
LATER_MS=$(($(ms) - t0))
[ "$LATER_MS" -gt 0 ] || LATER_MS=1
BOTH=$(claims_sum "$T/both.db")
[ "$FIRST" != "$BOTH" ] || bad "the later file added no claims: the test proves nothing"
cut=0
for pct in 20 50 80; do
    db="$T/later$pct.db"
    cp "$T/first.db" "$db"
    rm -f "$db-wal" "$db-shm" "$db-journal"
    kill_after $((LATER_MS * pct / 100)) "$CARA" --db "$db" --episodes "$EPISODES" load "$T/c/b.csv"
    [ -s "$db-journal" ] && cut=$((cut + 1)) # killed while writing directly: a hot journal
    integrity "$db" "later file killed at ${pct}%"
    got=$(claims_sum "$db")
    if [ "$got" = "$FIRST" ] || [ "$got" = "$BOTH" ]; then ok "later file killed at ${pct}%: the first file's claims, whole (or both files')"
    else bad "later file killed at ${pct}%: the claims are neither the first file's nor both files'"; fi
    cara_db "$db" load "$T/c/b.csv" >/dev/null 2>&1 || bad "later file killed at ${pct}%: the load again failed"
    [ "$(sqlite3 "$db" "PRAGMA journal_mode")" = "wal" ] && ok "later file killed at ${pct}%: WAL mode again after cara opened it" ||
        bad "later file killed at ${pct}%: not back in WAL mode"
    [ "$(claims_sum "$db")" = "$BOTH" ] && ok "later file killed at ${pct}%, loaded again: the reference's claims" ||
        bad "later file killed at ${pct}%, loaded again: the claims differ from the reference"
done
if [ "$cut" -gt 0 ]; then ok "$cut of the 3 kills left a hot journal (killed while writing the file directly)"
else bad "no kill landed while the later file was written directly: the kill points prove nothing"; fi

# ---- run killed ------------------------------------------------------------------------------
# the killed runs sleep 1 ms per beneficiary (the CARA_TEST_RUN_DELAY_MS hook, one thread) so the
# kill points fall inside the run, not in its start-up
SLOW_MS=$((RUN_MS + 3000))
for pct in 10 50 90; do
    db="$T/run$pct.db"
    cp "$T/ref.db" "$db"
    rm -f "$db-wal" "$db-shm"
    kill_after $((SLOW_MS * pct / 100)) env CARA_TEST_RUN_DELAY_MS=1 "$CARA" --db "$db" \
        --episodes "$EPISODES" run --quiet --threads 1
    integrity "$db" "run killed at ${pct}%"
    # a killed run keeps no results: rows only for runs that finished
    orphans=$(sqlite3 "$db" "SELECT (SELECT count(*) FROM run_episodes e JOIN runs r USING (run_id) WHERE r.status != 'done') + (SELECT count(*) FROM run_arrangements a JOIN runs r USING (run_id) WHERE r.status != 'done')")
    [ "$orphans" = "0" ] && ok "run killed at ${pct}%: no results of an unfinished run" || bad "run killed at ${pct}%: $orphans result rows of an unfinished run"
    cara_db "$db" run --quiet >/dev/null 2>&1 || bad "run killed at ${pct}%: the run again failed"
    # no half-finished run is shown as running: the killed one is abandoned
    left=$(sqlite3 "$db" "SELECT count(*) FROM runs WHERE status = 'running'")
    [ "$left" = "0" ] && ok "run killed at ${pct}%: no run left running" || bad "run killed at ${pct}%: $left runs still running"
    if cara_db "$db" runs | grep -q abandoned; then ok "run killed at ${pct}%: shown as abandoned"
    else bad "run killed at ${pct}%: 'cara runs' does not show it abandoned"; fi
    run=$(sqlite3 "$db" "SELECT max(run_id) FROM runs WHERE status = 'done'")
    reports "$db" "$run" "$T/run$pct"
    same "$T/ref" "$T/run$pct" "run killed at ${pct}%, run again"
done

# ---- serve killed with a run in flight -------------------------------------------------------
db="$T/serve.db"
cp "$T/ref.db" "$db"
rm -f "$db-wal" "$db-shm"
TOKEN=$(cara_db "$db" token create --role cms 2>/dev/null)
cp -R "$EPISODES" "$T/episodes"
"$CARA" --db "$db" --episodes "$T/episodes" serve --listen 127.0.0.1:0 >"$T/url" 2>"$T/serve.log" &
PID=$!
n=0
while [ ! -s "$T/url" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
URL=$(head -1 "$T/url")
[ -n "$URL" ] || bad "serve did not start: $(tail -3 "$T/serve.log")"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $TOKEN" "$URL/v1/runs" || echo 000)
[ "$code" = "202" ] || [ "$code" = "201" ] && ok "serve: a run started ($code)" || bad "serve: POST /v1/runs answered $code"
sleep_ms $((RUN_MS / 2))
kill -KILL "$PID" 2>/dev/null || true
wait "$PID" 2>/dev/null || true
PID=
integrity "$db" "serve killed with a run in flight"
orphans=$(sqlite3 "$db" "SELECT count(*) FROM run_episodes e JOIN runs r USING (run_id) WHERE r.status != 'done'")
[ "$orphans" = "0" ] && ok "serve killed: no results of an unfinished run" || bad "serve killed: $orphans result rows of an unfinished run"
cara_db "$db" run --quiet >/dev/null 2>&1 || bad "serve killed: the run afterwards failed"
left=$(sqlite3 "$db" "SELECT count(*) FROM runs WHERE status = 'running'")
[ "$left" = "0" ] && ok "serve killed: no run left running" || bad "serve killed: $left runs still running"
run=$(sqlite3 "$db" "SELECT max(run_id) FROM runs WHERE status = 'done'")
reports "$db" "$run" "$T/serve"
same "$T/ref" "$T/serve" "serve killed, run again"

if [ "$fails" -ne 0 ]; then echo "crash_it: $fails failure(s)"; exit 1; fi
echo "crash_it: all passed"
