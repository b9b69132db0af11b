#!/bin/sh
# scripts/bench_api.sh: part of make bench (issue 20): the HTTP API under load. On one
# generated dataset (cara synth --beneficiaries N --seed 1, loaded, cara run --threads 2)
# it starts `cara serve` and runs wrk (64 connections, 2 threads, a few seconds each)
# against the calls an ACO and a provider (specialist) make: the episode list (the first
# page and a later page, by its `next` cursor), one episode, and the reports they read.
# It prints requests/s, p50 and p99 per call; the target is p99 under 50 ms and at
# least 1,000 requests/s with 64 clients (docs/performance.md). wrk and the server share
# this machine's cores: the figures are for both on one box, over loopback.
#
# It writes the table into docs/performance.md as "## make bench: HTTP API under load"
# (an earlier such section is replaced).
#
# Usage: make bench   (runs scripts/bench.sh, bench_portal.sh, then this)
#    or: sh scripts/bench_api.sh   (after make)
# Environment: BENCH_BENEFICIARIES (default 100000), BENCH_DB (a store already loaded and
# run: reused as it is, not changed but for its audit log; else one is made in a
# temporary folder and removed), BENCH_SECONDS (per call, default 10), BENCH_CONNECTIONS
# (default 64), CARA_BIN, BENCH_TMP (default $TMPDIR or /tmp), BENCH_DOC (empty: do not
# write), BENCH_PORT (default 18481), BENCH_BODIES (a folder: save one body per call there,
# to compare builds).
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${BENCH_BENEFICIARIES:-100000}
SECS=${BENCH_SECONDS:-10}
CONNS=${BENCH_CONNECTIONS:-64}
CARA=${CARA_BIN:-$ROOT/build/cara}
DOC=${BENCH_DOC-$ROOT/docs/performance.md}
PORT=${BENCH_PORT:-18481}
export CARA_PLUGINS="${CARA_PLUGINS:-$ROOT/build/plugins}"
export CARA_EPISODES="${CARA_EPISODES:-$ROOT/episodes}"

die() { echo "bench_api: $*" >&2; exit 1; }
case $N in '' | *[!0-9]*) die "BENCH_BENEFICIARIES must be a positive integer, not '$N'" ;; esac
case $SECS in '' | *[!0-9]* | 0) die "BENCH_SECONDS must be a positive integer, not '$SECS'" ;; esac
case $CONNS in '' | *[!0-9]* | 0) die "BENCH_CONNECTIONS must be a positive integer, not '$CONNS'" ;; esac
for t in wrk curl sqlite3; do
    command -v $t >/dev/null 2>&1 || die "$t is missing: install the Debian package '$t' (or run 'make deps')"
done
[ -x "$CARA" ] || die "$CARA is not built: run 'make'"

TMP=$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/cara-bench-api.XXXXXX")
SERVE_PID=
cleanup() {
    [ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null && wait "$SERVE_PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ -n "${BENCH_DB:-}" ]; then
    DB=$BENCH_DB
    [ -f "$DB" ] || die "BENCH_DB=$DB: no such file"
    echo "== reusing $DB"
else
    DB=$TMP/bench.db
    echo "== cara synth --beneficiaries $N --seed 1, load, run --threads 2 (untimed)"
    "$CARA" synth --out "$TMP/data" --beneficiaries "$N" --seed 1 >/dev/null
    "$CARA" --db "$DB" load "$TMP/data" >/dev/null
    "$CARA" --db "$DB" run --threads 2 >/dev/null 2>&1
    rm -rf "$TMP/data"
fi
RUN=$(sqlite3 "$DB" "SELECT max(run_id) FROM runs WHERE status = 'done'")
[ -n "$RUN" ] || die "$DB has no completed run"
ACO=$(sqlite3 "$DB" "SELECT aco_id FROM run_episodes WHERE run_id = $RUN AND aco_id IS NOT NULL GROUP BY aco_id ORDER BY count(*) DESC, aco_id LIMIT 1")
NPI=$(sqlite3 "$DB" "SELECT npi FROM run_episodes WHERE run_id = $RUN AND npi IS NOT NULL GROUP BY npi ORDER BY count(*) DESC, npi LIMIT 1")
EP_ACO=$(sqlite3 "$DB" "SELECT episode_id FROM run_episodes WHERE run_id = $RUN AND aco_id = '$ACO' ORDER BY episode_id LIMIT 1 OFFSET 100")
EP_NPI=$(sqlite3 "$DB" "SELECT episode_id FROM run_episodes WHERE run_id = $RUN AND npi = '$NPI' ORDER BY episode_id LIMIT 1 OFFSET 10")
EPISODES=$(sqlite3 "$DB" "SELECT count(*) FROM run_episodes WHERE run_id = $RUN")
ACO_TOK=$("$CARA" --db "$DB" token create --role "aco:$ACO" --label bench-api 2>/dev/null)
NPI_TOK=$("$CARA" --db "$DB" token create --role "provider:$NPI" --label bench-api 2>/dev/null)

# every client is on 127.0.0.1: the per-address limit (default 16) is raised to the clients
"$CARA" --db "$DB" serve --listen "127.0.0.1:$PORT" --max-connections $((CONNS + 16)) \
    --max-per-ip $((CONNS + 8)) >"$TMP/serve.log" 2>&1 &
SERVE_PID=$!
i=0
until curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz"; do
    i=$((i + 1))
    [ $i -lt 100 ] || die "cara serve did not start: $(cat "$TMP/serve.log")"
    sleep 0.1
done

# get TOKEN PATH: the body of one GET (a failed request stops the script).
get() {
    code=$(curl -s -o "$TMP/body" -w '%{http_code}' -H "Authorization: Bearer $1" \
        "http://127.0.0.1:$PORT$2")
    [ "$code" = 200 ] || die "GET $2 answered $code: $(head -c 300 "$TMP/body")"
    cat "$TMP/body"
}
# later TOKEN PATH: PATH for a later page of the list: the fifth, or the last when there
# are fewer, by the `next` cursors (a build without cursors, or a one-page list: offset=200).
later() {
    p=$2
    k=1
    while [ $k -lt 5 ]; do
        nxt=$(get "$1" "$p" | sed -n 's/.*"next": *"\([^"]*\)".*/\1/p')
        if [ -z "$nxt" ]; then
            [ $k -gt 1 ] || p="$2&offset=200"
            break
        fi
        p="$2&after=$nxt"
        k=$((k + 1))
    done
    echo "$p"
}

# wrk's --latency lines in milliseconds: "50% 1.23ms" -> 1.23
to_ms() {
    awk '{ v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
           if (u == "us") v /= 1000; else if (u == "s") v *= 1000; else if (u == "m") v *= 60000
           printf "%.2f\n", v }'
}

# the server's user + system CPU time so far, in clock ticks (/proc/PID/stat fields 14, 15)
HZ=$(getconf CLK_TCK)
cpu_ticks() { sed 's/.*) //' "/proc/$SERVE_PID/stat" | awk '{ print $12 + $13 }'; }

ROWS=$TMP/rows
: >"$ROWS"
k=0
measure() { # measure WHO TOKEN PATH
    k=$((k + 1))
    # the first request alone, timed: it computes what later ones may find kept
    first=$(curl -s -o "$TMP/body" -w '%{http_code} %{time_total}' -H "Authorization: Bearer $2" \
        "http://127.0.0.1:$PORT$3")
    case $first in 200\ *) ;; *) die "GET $3 answered ${first%% *}: $(head -c 300 "$TMP/body")" ;; esac
    first=$(echo "${first#* }" | awk '{ printf "%.1f", $1 * 1000 }')
    if [ -n "${BENCH_BODIES:-}" ]; then
        mkdir -p "$BENCH_BODIES"
        cp "$TMP/body" "$BENCH_BODIES/$k.json"
    fi
    cat >"$TMP/auth.lua" <<EOF
wrk.headers["Authorization"] = "Bearer $2"
EOF
    cpu0=$(cpu_ticks)
    wrk -t2 -c"$CONNS" -d"${SECS}s" --timeout 10s --latency -s "$TMP/auth.lua" \
        "http://127.0.0.1:$PORT$3" >"$TMP/wrk.out" 2>&1 || die "wrk failed: $(cat "$TMP/wrk.out")"
    bad=$(sed -n 's/^ *Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p' "$TMP/wrk.out")
    [ -z "$bad" ] || die "GET $3: $bad answers were not 200: $(cat "$TMP/wrk.out")"
    errs=$(sed -n 's/^ *Socket errors: *\(.*\)/\1/p' "$TMP/wrk.out")
    rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$TMP/wrk.out" | awk '{ printf "%.0f", $1 }')
    p50=$(grep '^ *50% ' "$TMP/wrk.out" | to_ms)
    p99=$(grep '^ *99% ' "$TMP/wrk.out" | to_ms)
    reqs=$(sed -n 's/^ *\([0-9]*\) requests in .*/\1/p' "$TMP/wrk.out")
    cpu=$(awk -v a="$cpu0" -v b="$(cpu_ticks)" -v n="$reqs" -v hz="$HZ" \
        'BEGIN { if (n > 0) printf "%.2f", (b - a) * 1000 / hz / n; else print "-" }')
    ok=yes
    awk -v a="$p99" -v r="$rps" 'BEGIN { exit !(a < 50 && r >= 1000) }' || ok=no
    shown=$(echo "$3" | sed 's/after=[^&]*/after=<cursor>/')
    printf '| %s | `%s` | %s | %s | %s | %s | %s | %s |\n' "$1" "$shown" "$first" "$rps" "$p50" "$p99" "$cpu" "$ok" >>"$ROWS"
    printf '   %-9s first %7s ms  %7s req/s  p50 %8s ms  p99 %8s ms  cpu %6s ms/req  %-3s %s%s\n' \
        "$1" "$first" "$rps" "$p50" "$p99" "$cpu" "$ok" "$shown" "${errs:+  (socket errors: $errs)}"
}

A_LATER=$(later "$ACO_TOK" "/v1/episodes?limit=50")
P_LATER=$(later "$NPI_TOK" "/v1/episodes?limit=50")
echo "== wrk -t2 -c$CONNS -d${SECS}s per call; run $RUN ($EPISODES episodes), ACO $ACO, NPI $NPI"
measure aco "$ACO_TOK" "/v1/episodes?limit=50"
measure aco "$ACO_TOK" "$A_LATER"
measure aco "$ACO_TOK" "/v1/episodes/$EP_ACO"
measure aco "$ACO_TOK" "/v1/reports/month?aco=$ACO"
measure aco "$ACO_TOK" "/v1/reports/leakage?aco=$ACO"
measure aco "$ACO_TOK" "/v1/reports/specialist?aco=$ACO"
measure aco "$ACO_TOK" "/v1/reports/arrangement?aco=$ACO"
measure provider "$NPI_TOK" "/v1/episodes?limit=50"
measure provider "$NPI_TOK" "$P_LATER"
measure provider "$NPI_TOK" "/v1/episodes/$EP_NPI"
measure provider "$NPI_TOK" "/v1/reports/arrangement?npi=$NPI"
measure provider "$NPI_TOK" "/v1/reports/specialist?npi=$NPI"

over=$(grep -c '| no |$' "$ROWS" || true)
echo "== $over of $(wc -l <"$ROWS") calls miss the target (p99 < 50 ms and >= 1000 req/s)"

[ -n "$DOC" ] || exit 0
SECTION=$TMP/section.md
{
    echo "## make bench: HTTP API under load"
    echo
    echo "$(date -u +%Y-%m-%d), this machine ($(nproc) cores, shared by wrk and the server),"
    echo "\`sh scripts/bench_api.sh\`: $N synthetic beneficiaries (seed 1), $EPISODES episodes in"
    echo "run $RUN; each call \`wrk -t2 -c$CONNS -d${SECS}s --latency\` over loopback with an"
    echo "ACO token (the ACO with the most episodes) or a provider token (the NPI with the most"
    echo "episodes). The later list page is the fifth (or the last, for a shorter list), reached"
    echo "by the \`next\` cursors. Target:"
    echo "p99 under 50 ms and at least 1,000 requests/s. $over of $(wc -l <"$ROWS") calls miss it."
    echo "First request: the call made once alone before wrk starts (it computes what is then"
    echo "kept: a report, a list's total). Server CPU: the server's user + system time over the"
    echo "requests wrk counted (less noisy than the rates on a shared machine)."
    echo
    echo "| token | call | first request ms | requests/s | p50 ms | p99 ms | server CPU ms/request | target met |"
    echo "|---|---|---|---|---|---|---|---|"
    cat "$ROWS"
} >"$SECTION"
if [ -f "$DOC" ] && grep -q '^## make bench: HTTP API under load' "$DOC"; then
    awk -v sec="$SECTION" '
        /^## make bench: HTTP API under load/ { while ((getline l < sec) > 0) print l; skip = 1; next }
        skip && /^## / { skip = 0 }
        !skip { print }' "$DOC" >"$TMP/doc" && cp "$TMP/doc" "$DOC"
else
    { [ -f "$DOC" ] && cat "$DOC" && echo; cat "$SECTION"; } >"$TMP/doc" && cp "$TMP/doc" "$DOC"
fi
echo "== written to $DOC"
