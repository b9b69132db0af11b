#!/bin/sh
# scripts/bench_mllp.sh: the third part of make bench (issue 17): how many HL7 v2 ADT
# messages a second `cara serve --mllp` takes over loopback, committing each one to the
# store before its ACK, and the time to ACK (p50 / p99 / max), measured by
# build/mllp_load (scripts/mllp_load.c).
#
# The store: cara synth --beneficiaries N --seed 1, loaded (as the demo does); the
# messages: the synth's adt.hl7 when it writes one (their MBIs are the store's), else
# mllp_load's generated ADT^A04 / A03. Runs, after a warm-up of 3 s:
#   sustained  8 connections x window 16, as fast as the ACKs allow, SECS seconds
#   paced      the same at RATE messages a second (the issue's aim: 5,000/s, p99 < 20 ms)
#   lone       1 connection x window 1 (the latency of a lone sender), 5 s
# Baselines, on the same machine and disk: (1) the sqlite3 CLI committing K single-row
# INSERTs one transaction each (WAL, synchronous=NORMAL as cara's store; a row of ~800
# bytes), rows a second: the floor cost of a commit per message; (2) tests/mllp_fake.py
# --sqlite, a Python MLLP listener that INSERTs and commits each message the same way
# before its ACK, under the same sustained and lone loads. cara's msg/s is reported as
# a ratio to both.
#
# It writes "## make bench: ADT over MLLP" into docs/performance.md (an earlier such
# section is replaced). When `cara help serve` does not mention --mllp it prints
# "skipped: cara serve has no --mllp" and exits 0.
#
# Usage: make bench   (after bench.sh and bench_portal.sh)
#    or: sh scripts/bench_mllp.sh   (after make and make build/mllp_load)
# Environment: BENCH_MLLP_BENEFICIARIES (default 5000), BENCH_MLLP_SECONDS (30),
# BENCH_MLLP_RATE (5000), BENCH_MLLP_ROWS (baseline rows, 20000), CARA_BIN, MLLP_LOAD,
# BENCH_TMP (default $TMPDIR or /tmp), BENCH_DOC (empty: do not write).
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${BENCH_MLLP_BENEFICIARIES:-5000}
SECS=${BENCH_MLLP_SECONDS:-30}
RATE=${BENCH_MLLP_RATE:-5000}
ROWS=${BENCH_MLLP_ROWS:-20000}
CARA=${CARA_BIN:-$ROOT/build/cara}
LOAD=${MLLP_LOAD:-$ROOT/build/mllp_load}
DOC=${BENCH_DOC-$ROOT/docs/performance.md}
export CARA_PLUGINS="${CARA_PLUGINS:-$ROOT/build/plugins}"
export CARA_EPISODES="${CARA_EPISODES:-$ROOT/episodes}"

die() { echo "bench_mllp: $*" >&2; exit 1; }
for v in N SECS RATE ROWS; do
    eval "x=\$$v"
    case $x in '' | *[!0-9]* | 0) die "$v must be a positive integer, not '$x'" ;; esac
done
[ -x "$CARA" ] || die "$CARA is not built: run 'make'"
if ! "$CARA" help serve 2>&1 | grep -q -- '--mllp'; then
    echo "bench_mllp: skipped: cara serve has no --mllp"
    exit 0
fi
[ -x "$LOAD" ] || die "$LOAD is not built: run 'make build/mllp_load'"
command -v python3 >/dev/null 2>&1 || die "python3 is missing: install the Debian package 'python3'"
command -v sqlite3 >/dev/null 2>&1 || die "sqlite3 is missing: install the Debian package 'sqlite3'"

TMP=$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/cara-bench-mllp.XXXXXX")
SERVE_PID=
FAKE_PID=
stop() { # stop PID: SIGTERM, then wait for it
    [ -n "$1" ] || return 0
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}
cleanup() {
    stop "$SERVE_PID"
    stop "$FAKE_PID"
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
DB=$TMP/bench.db

# wait_mllp PORT LOG: until one message is acknowledged there (10 s at most)
wait_mllp() {
    i=0
    until "$LOAD" --port "$1" --messages 1 --connections 1 --window 1 --timeout 2000 \
        --unique-prefix "probe$i" >/dev/null 2>"$TMP/probe.err"; do
        i=$((i + 1))
        [ $i -lt 100 ] || die "no ACK on 127.0.0.1:$1: $(cat "$TMP/probe.err") $(tail -5 "$2")"
        sleep 0.1
    done
}
# j FILE KEY: a number of mllp_load's JSON answer
j() { grep -o "\"$2\":[0-9.]*" "$1" | head -1 | sed 's/^[^:]*://'; }

RESULTS=$TMP/results
: >"$RESULTS"
# load NAME PORT ARGS...: one mllp_load run; its JSON in $TMP/NAME.json, a table row in
# $RESULTS as "NAME|connections|window|messages|msg/s|p50|p99|max|AA"
load() {
    name=$1 port=$2
    shift 2
    rc=0
    "$LOAD" --port "$port" --json $FILE_ARG "$@" >"$TMP/$name.json" 2>"$TMP/$name.err" || rc=$?
    [ -s "$TMP/$name.json" ] || die "mllp_load ($name) failed: $(cat "$TMP/$name.err")"
    f=$TMP/$name.json
    printf '%s|%s|%s|%s|%s|%s|%s|%s|%s\n' "$name" "$(j "$f" connections)" "$(j "$f" window)" \
        "$(j "$f" acked)" "$(j "$f" msg_per_s)" "$(j "$f" p50_ms)" "$(j "$f" p99_ms)" \
        "$(j "$f" max_ms)" "$(j "$f" aa)" >>"$RESULTS"
    printf '   %-22s %6s msg/s  p50 %7s ms  p99 %7s ms  max %7s ms  (%s acked, %s missing)\n' \
        "$name" "$(j "$f" msg_per_s)" "$(j "$f" p50_ms)" "$(j "$f" p99_ms)" "$(j "$f" max_ms)" \
        "$(j "$f" acked)" "$(j "$f" missing)"
    [ $rc -eq 0 ] || die "mllp_load ($name) exit status $rc: $(cat "$f" "$TMP/$name.err")"
}
row() { grep "^$1|" "$RESULTS" | cut -d'|' -f"$2"; }

echo "== cara synth --beneficiaries $N --seed 1, load (untimed)"
"$CARA" synth --out "$TMP/data" --beneficiaries "$N" --seed 1 >/dev/null
"$CARA" --db "$DB" load "$TMP/data" >/dev/null
FILE_ARG=
MSGS="mllp_load's generated ADT^A04 / ADT^A03 (HL7 2.5.1, random MBIs)"
if [ -s "$TMP/data/adt.hl7" ]; then
    FILE_ARG="--file $TMP/data/adt.hl7"
    MSGS="the synth's adt.hl7 ($(grep -c '^MSH' "$TMP/data/adt.hl7") messages, sent in turn: from the second pass on the same visits come again under new control ids)"
fi
echo "   messages: $MSGS"

# ---- baseline 1: the sqlite3 CLI, one INSERT + COMMIT a row --------------------------
echo "== baseline: sqlite3, $ROWS single-row INSERT + COMMIT (WAL, synchronous=NORMAL)"
{
    echo "PRAGMA journal_mode = WAL;"
    echo "PRAGMA synchronous = NORMAL;"
    echo "CREATE TABLE messages (id INTEGER PRIMARY KEY, control_id TEXT UNIQUE, body BLOB);"
} | sqlite3 "$TMP/base.db" >/dev/null
awk -v n="$ROWS" 'BEGIN {
    print "PRAGMA synchronous = NORMAL;"
    for (i = 0; i < n; i++)
        printf "INSERT INTO messages (control_id, body) VALUES (%cB-%d%c, randomblob(800));\n", 39, i, 39
}' >"$TMP/base.sql"
t0=$(date +%s%N)
sqlite3 "$TMP/base.db" <"$TMP/base.sql"
t1=$(date +%s%N)
got=$(sqlite3 "$TMP/base.db" "SELECT count(*) FROM messages")
[ "$got" = "$ROWS" ] || die "the baseline table has $got rows, expected $ROWS"
SQL_RATE=$(awk -v n="$ROWS" -v ns=$((t1 - t0)) 'BEGIN { printf "%.0f", n / (ns / 1e9) }')
echo "   $SQL_RATE rows/s"

# ---- baseline 2: a Python MLLP listener committing each message to SQLite -------------
python3 "$ROOT/tests/mllp_fake.py" --port 0 --sqlite "$TMP/fake.db" \
    >"$TMP/fake.out" 2>"$TMP/fake.log" &
FAKE_PID=$!
i=0
until grep -q '^port ' "$TMP/fake.out"; do
    i=$((i + 1))
    [ $i -lt 100 ] || die "tests/mllp_fake.py did not start: $(cat "$TMP/fake.log")"
    sleep 0.1
done
FPORT=$(sed -n 's/^port //p' "$TMP/fake.out")
wait_mllp "$FPORT" "$TMP/fake.log"
echo "== baseline: tests/mllp_fake.py --sqlite (Python, INSERT + COMMIT a message, then ACK)"
load "python-sustained" "$FPORT" --connections 8 --window 16 --seconds "$SECS" --unique-prefix PYS
load "python-lone" "$FPORT" --connections 1 --window 1 --seconds 5 --unique-prefix PYL
stop "$FAKE_PID"
FAKE_PID=

# ---- cara serve --mllp ----------------------------------------------------------------
# rows of adt_messages (the messages cara took), before and after the runs
adt_rows() { sqlite3 "$DB" "SELECT count(*) FROM adt_messages" 2>/dev/null || echo; }
ROWS_BEFORE=$(adt_rows)
"$CARA" --db "$DB" serve --listen 127.0.0.1:0 --mllp 127.0.0.1:0 \
    >"$TMP/serve.out" 2>"$TMP/serve.log" &
SERVE_PID=$!
i=0
until grep -q '^mllp://' "$TMP/serve.out"; do
    i=$((i + 1))
    [ $i -lt 100 ] || die "cara serve --mllp did not print its mllp:// address: $(tail -5 "$TMP/serve.log")"
    sleep 0.1
done
MPORT=$(grep '^mllp://' "$TMP/serve.out" | head -1 | sed 's/.*://')
echo "== cara serve --mllp 127.0.0.1:0 (listening on port $MPORT)"
wait_mllp "$MPORT" "$TMP/serve.log"
RUN=$(date -u +%Y%m%d%H%M%S)
"$LOAD" --port "$MPORT" --seconds 3 --json $FILE_ARG --unique-prefix "W$RUN" >"$TMP/warm.json" \
    2>"$TMP/warm.err" || die "the warm-up failed: $(cat "$TMP/warm.json" "$TMP/warm.err")"
echo "   warm-up: $(j "$TMP/warm.json" acked) messages in 3 s"
load "sustained" "$MPORT" --connections 8 --window 16 --seconds "$SECS" --unique-prefix "S$RUN"
load "paced" "$MPORT" --connections 8 --window 16 --seconds "$SECS" --rate "$RATE" \
    --unique-prefix "P$RUN"
load "lone" "$MPORT" --connections 1 --window 1 --seconds 5 --unique-prefix "L$RUN"
# every message acknowledged AA (the probe and the warm-up's included) is a row
ACKED=$(awk -F'|' '$1 !~ /^python/ { n += $9 } END { print n + 0 }' "$RESULTS")
ACKED=$((ACKED + $(j "$TMP/warm.json" aa) + 1))
ROWS_AFTER=$(adt_rows)
STORED=
if [ -n "$ROWS_BEFORE" ] && [ -n "$ROWS_AFTER" ]; then
    STORED=$((ROWS_AFTER - ROWS_BEFORE))
    echo "== adt_messages: $STORED new rows; $ACKED messages acknowledged AA"
fi
stop "$SERVE_PID"
SERVE_PID=

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) print "-"; else printf "%.2f", a / b }'; }
S_RATE=$(row sustained 5)
P_RATE=$(row paced 5)
P_P99=$(row paced 7)
PY_RATE=$(row python-sustained 5)
MET=no
awk -v r="$P_RATE" -v t="$RATE" -v p="$P_P99" 'BEGIN { exit !(r >= 0.98 * t && p < 20) }' && MET=yes
echo "== cara sustained: $S_RATE msg/s = $(ratio "$S_RATE" "$SQL_RATE") x sqlite3's commits a second, $(ratio "$S_RATE" "$PY_RATE") x the Python listener's"
echo "== paced at $RATE/s: $P_RATE msg/s, p99 $P_P99 ms: aim (5,000/s, p99 < 20 ms) met: $MET"

[ -n "$DOC" ] || exit 0
SECTION=$TMP/section.md
CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
FS=$(df -PT "$TMP" | awk 'NR == 2 { print $2 }')
{
    echo "## make bench: ADT over MLLP"
    echo
    echo "$(date -u +%Y-%m-%d), this machine ($(nproc) cores, ${CPU:-unknown CPU}; the store on $FS),"
    echo "\`sh scripts/bench_mllp.sh\`: \`cara serve --mllp 127.0.0.1:PORT\` on a store of $N synthetic"
    echo "beneficiaries (seed 1), fed over loopback by \`build/mllp_load\` (scripts/mllp_load.c),"
    echo "each message with a control id of its own, each ACK matched to its message by MSA-2."
    echo "Messages: $MSGS."
    echo "Time to ACK: from the write of the message to the read of its ACK."
    echo "Every run below had every message acknowledged AA. Commands (after a 3 s warm-up):"
    echo
    echo '```'
    echo "cara --db bench.db serve --listen 127.0.0.1:0 --mllp 127.0.0.1:0"
    printf '%-78s # %s\n' "mllp_load --port PORT --connections 8 --window 16 --seconds $SECS" sustained \
        "mllp_load --port PORT --connections 8 --window 16 --seconds $SECS --rate $RATE" paced \
        "mllp_load --port PORT --connections 1 --window 1 --seconds 5" lone
    echo '```'
    echo
    echo "Baselines on the same machine and disk: the \`sqlite3\` CLI committing $ROWS single-row"
    echo "INSERTs of ~800 bytes, one transaction each (WAL, synchronous=NORMAL, as cara's store):"
    echo "**$SQL_RATE rows/s**; and \`tests/mllp_fake.py --sqlite\`, a one-thread Python listener that"
    echo "INSERTs and commits each message the same way before its ACK, under the same loads."
    echo
    echo "| run | connections | window | messages | msg/s | p50 ms | p99 ms | max ms | msg/s / sqlite3 commits/s |"
    echo "|---|---|---|---|---|---|---|---|---|"
    while IFS='|' read -r name c w m r p50 p99 mx aa; do
        case $name in
            sustained) label="cara, sustained" ;;
            paced) label="cara, paced at $RATE/s" ;;
            lone) label="cara, lone sender" ;;
            python-sustained) label="baseline: Python + SQLite, sustained" ;;
            python-lone) label="baseline: Python + SQLite, lone sender" ;;
            *) label=$name ;;
        esac
        echo "| $label | $c | $w | $m | $r | $p50 | $p99 | $mx | $(ratio "$r" "$SQL_RATE") |"
    done <"$RESULTS"
    echo
    echo "cara sustained: $(ratio "$S_RATE" "$SQL_RATE") x the sqlite3 per-commit rate and"
    echo "$(ratio "$S_RATE" "$PY_RATE") x the Python listener's msg/s. The issue's aim (5,000"
    echo "messages/s with p99 under 20 ms, every message committed before its ACK): met: **$MET**"
    echo "(paced run: $P_RATE msg/s of the $RATE asked, p99 $P_P99 ms)."
    if [ -n "$STORED" ]; then
        echo "The store's \`adt_messages\` gained $STORED rows over the runs; $ACKED messages were"
        echo "acknowledged AA (the readiness probe and the warm-up included)."
    fi
    echo # the blank line before the next section
} >"$SECTION"
if [ -f "$DOC" ] && grep -q '^## make bench: ADT over MLLP' "$DOC"; then
    awk -v sec="$SECTION" '
        /^## make bench: ADT over MLLP/ { while ((getline l < sec) > 0) print l; skip = 1; next }
        skip && /^## / { skip = 0 }
        !skip { print }' "$DOC" >"$TMP/doc" && cp "$TMP/doc" "$DOC"
else
    { [ -f "$DOC" ] && cat "$DOC" && echo; cat "$SECTION"; } >"$TMP/doc" && cp "$TMP/doc" "$DOC"
fi
echo "== written to $DOC"
