#!/bin/sh
# scripts/bench_portal.sh: the second half of make bench (issue 16): how fast `cara serve`
# answers the data calls behind every portal page, on one generated dataset
# (cara synth --beneficiaries N --seed 1, loaded and run as the demo does).
#
# For each call it makes REQS sequential requests with curl (one client, keep-alive off,
# as a browser's first view of a page) and reports the median and the 95th percentile
# in milliseconds, and their ratio to the same machine's baseline: GET /healthz, a round
# trip that touches no database. The portal's target is every data call under 50 ms at
# 100,000 beneficiaries (docs/performance.md). Login (POST /v1/session) is left out on
# purpose: it runs Argon2id, which is slow by design (docs/security.md).
#
# It writes the table into docs/performance.md as "## make bench: portal data calls"
# (an earlier such section is replaced).
#
# Usage: make bench   (runs scripts/bench.sh, then this)
#    or: sh scripts/bench_portal.sh   (after make)
# Environment: BENCH_BENEFICIARIES (default 100000), BENCH_REQUESTS (default 30),
# CARA_BIN, BENCH_TMP (default $TMPDIR or /tmp), BENCH_DOC (empty: do not write),
# BENCH_PORT (default 18480).
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${BENCH_BENEFICIARIES:-100000}
REQS=${BENCH_REQUESTS:-30}
CARA=${CARA_BIN:-$ROOT/build/cara}
DOC=${BENCH_DOC-$ROOT/docs/performance.md}
PORT=${BENCH_PORT:-18480}
export CARA_PLUGINS="${CARA_PLUGINS:-$ROOT/build/plugins}"
export CARA_EPISODES="${CARA_EPISODES:-$ROOT/episodes}"

die() { echo "bench_portal: $*" >&2; exit 1; }
case $N in '' | *[!0-9]*) die "BENCH_BENEFICIARIES must be a positive integer, not '$N'" ;; esac
case $REQS in '' | *[!0-9]*) die "BENCH_REQUESTS must be a positive integer, not '$REQS'" ;; esac
command -v curl >/dev/null 2>&1 || die "curl is missing: install the Debian package 'curl' (or run 'make deps')"
[ -x "$CARA" ] || die "$CARA is not built: run 'make'"

TMP=$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/cara-bench-portal.XXXXXX")
SERVE_PID=
cleanup() {
    [ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null && wait "$SERVE_PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
DB=$TMP/bench.db

echo "== cara synth --beneficiaries $N --seed 1, load, run (untimed)"
"$CARA" synth --out "$TMP/data" --beneficiaries "$N" --seed 1 >/dev/null
"$CARA" --db "$DB" load "$TMP/data" >/dev/null
RUN_A=$("$CARA" --db "$DB" run 2>/dev/null)
# a what-if run for the diff page: the same data with one template's trend changed
cp -R "$CARA_EPISODES" "$TMP/eps"
sed -i 's/"trend_bps": [0-9]*/"trend_bps": 450/' "$TMP/eps/falls_prevention/template.json"
RUN_B=$("$CARA" --db "$DB" --episodes "$TMP/eps" run 2>/dev/null)

CMS=$("$CARA" --db "$DB" token create --role cms 2>/dev/null)
ACO=$(sqlite3 "$DB" "SELECT aco_id FROM run_episodes WHERE run_id = $RUN_B AND aco_id IS NOT NULL GROUP BY aco_id ORDER BY count(*) DESC LIMIT 1")
NPI=$(sqlite3 "$DB" "SELECT npi FROM run_episodes WHERE run_id = $RUN_B AND npi IS NOT NULL GROUP BY npi ORDER BY count(*) DESC LIMIT 1")
EP=$(sqlite3 "$DB" "SELECT episode_id FROM run_episodes WHERE run_id = $RUN_B AND npi = '$NPI' ORDER BY episode_id LIMIT 1")
EPISODES=$(sqlite3 "$DB" "SELECT count(*) FROM run_episodes WHERE run_id = $RUN_B")
ACO_TOK=$("$CARA" --db "$DB" token create --role "aco:$ACO" 2>/dev/null)
NPI_TOK=$("$CARA" --db "$DB" token create --role "provider:$NPI" 2>/dev/null)

"$CARA" --db "$DB" serve --listen "127.0.0.1:$PORT" >"$TMP/serve.log" 2>&1 &
SERVE_PID=$!
i=0
until curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz"; do
    i=$((i + 1))
    [ $i -lt 100 ] || die "cara serve did not start: $(cat "$TMP/serve.log")"
    sleep 0.1
done

# ms TOKEN PATH: REQS timings in milliseconds, one a line (a failed request stops).
ms() {
    tok=$1
    path=$2
    : >"$TMP/t"
    k=0
    while [ $k -lt "$REQS" ]; do
        code=$(curl -s -o "$TMP/body" -w '%{http_code} %{time_total}' \
            ${tok:+-H "Authorization: Bearer $tok"} "http://127.0.0.1:$PORT$path")
        case $code in 200\ *) ;; *) die "GET $path answered ${code%% *}: $(head -c 300 "$TMP/body")" ;; esac
        echo "${code#* }" | awk '{ printf "%.2f\n", $1 * 1000 }' >>"$TMP/t"
        k=$((k + 1))
    done
    sort -n "$TMP/t"
}
# p50 / p95 of a sorted list
pct() { awk -v p="$1" '{ v[NR] = $1 } END { i = int(NR * p / 100 + 0.999); if (i < 1) i = 1; print v[i] }'; }

BASE=$(ms "" /healthz | pct 50)
echo "== baseline GET /healthz: median $BASE ms"

ROWS=$TMP/rows
: >"$ROWS"
measure() { # measure PAGE WHO TOKEN PATH
    t=$(ms "$3" "$4")
    p50=$(echo "$t" | pct 50)
    p95=$(echo "$t" | pct 95)
    ratio=$(awk -v a="$p50" -v b="$BASE" 'BEGIN { if (b < 0.01) b = 0.01; printf "%.1f", a / b }')
    printf '| %s | %s | `%s` | %s | %s | %s |\n' "$1" "$2" "$4" "$p50" "$p95" "$ratio" >>"$ROWS"
    printf '   %-28s %-9s %8s ms  p95 %8s ms  (%s x baseline)  %s\n' "$1" "$2" "$p50" "$p95" "$ratio" "$4"
}

echo "== the portal's data calls ($REQS requests each)"
measure "offers" provider "$NPI_TOK" "/v1/ebras?status=offered&npi=$NPI"
measure "my episodes (page 1)" provider "$NPI_TOK" "/v1/episodes?limit=50&offset=0"
measure "my episodes (page 5)" provider "$NPI_TOK" "/v1/episodes?limit=50&offset=200"
measure "episode drill-down" provider "$NPI_TOK" "/v1/episodes/$EP"
measure "scorecard" provider "$NPI_TOK" "/v1/reports/arrangement?npi=$NPI"
measure "network" aco "$ACO_TOK" "/v1/network?aco=$ACO&date=2027-06-01"
measure "spending by month" aco "$ACO_TOK" "/v1/reports/month?aco=$ACO"
measure "leakage" aco "$ACO_TOK" "/v1/reports/leakage?aco=$ACO"
measure "specialists" aco "$ACO_TOK" "/v1/reports/specialist?aco=$ACO"
measure "episode list (page 1)" aco "$ACO_TOK" "/v1/episodes?aco=$ACO&limit=50"
measure "episode list (excluded)" aco "$ACO_TOK" "/v1/episodes?aco=$ACO&status=excluded&limit=50"
measure "templates" aco "$ACO_TOK" "/v1/templates"
measure "runs" cms "$CMS" "/v1/runs"
measure "every ACO" cms "$CMS" "/v1/reports/aco"
measure "diff of two runs" cms "$CMS" "/v1/runs/$RUN_A/diff/$RUN_B"

over=$(awk -F'|' '$5 + 0 > 50 { n++ } END { print n + 0 }' "$ROWS")
echo "== $over of $(wc -l <"$ROWS") calls have a median over 50 ms"

[ -n "$DOC" ] || exit 0
SECTION=$TMP/section.md
{
    echo "## make bench: portal data calls"
    echo
    echo "$(date -u +%Y-%m-%d), this machine ($(nproc) cores), \`sh scripts/bench_portal.sh\`:"
    echo "$N synthetic beneficiaries (seed 1), $EPISODES episodes in run $RUN_B; each call"
    echo "$REQS times in a row by one curl client. Baseline: \`GET /healthz\` (no database),"
    echo "median $BASE ms. Target: every data call under 50 ms at 100,000 beneficiaries."
    echo "Login (Argon2id) is slow by design and not listed. $over of $(wc -l <"$ROWS") calls"
    echo "have a median over 50 ms."
    echo
    echo "| page | role | call | median ms | p95 ms | median / baseline |"
    echo "|---|---|---|---|---|---|"
    cat "$ROWS"
} >"$SECTION"
if [ -f "$DOC" ] && grep -q '^## make bench: portal data calls' "$DOC"; then
    awk -v sec="$SECTION" '
        /^## make bench: portal data calls/ { while ((getline l < sec) > 0) print l; skip = 1; next }
        skip && /^## / { skip = 0 }
        !skip { print }' "$DOC" >"$TMP/doc" && cp "$TMP/doc" "$DOC"
else
    { [ -f "$DOC" ] && cat "$DOC" && echo; cat "$SECTION"; } >"$TMP/doc" && cp "$TMP/doc" "$DOC"
fi
echo "== written to $DOC"
