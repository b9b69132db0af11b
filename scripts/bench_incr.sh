#!/bin/sh
# scripts/bench_incr.sh: make bench, incremental runs (issue 19). On one generated world
# (cara synth --beneficiaries N --seed 1) loaded and run in full, a delivery adjusts the
# claims of every 20th beneficiary (5%: each of their claim lines paid 1.00 more, loaded
# as a CSV file that replaces those claims); then `cara run --incremental --base B` and a
# full `cara run` are each timed BENCH_RUNS times (the incremental run always builds on
# the same base B, so each recomputes the same 5%), their results are compared row for
# row (the bench fails when they differ), and the phases of one of each are printed
# (CARA_RUN_TIMING). Writes "## make bench: incremental runs" into docs/performance.md.
#
# Usage: make bench [BENCH_BENEFICIARIES=100000] [BENCH_RUNS=3]
#    or: sh scripts/bench_incr.sh   (after make)
# Environment: BENCH_BENEFICIARIES (default 100000), BENCH_RUNS (default 3), CARA_BIN,
# BENCH_TMP (where the temp dir goes), BENCH_DOC (the file written; empty: none).
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${BENCH_BENEFICIARIES:-100000}
RUNS=${BENCH_RUNS:-3}
CARA=${CARA_BIN:-$ROOT/build/cara}
DOC=${BENCH_DOC-$ROOT/docs/performance.md}
export CARA_PLUGINS="${CARA_PLUGINS:-$ROOT/build/plugins}"
export CARA_EPISODES="${CARA_EPISODES:-$ROOT/episodes}"

die() { echo "bench_incr: $*" >&2; exit 1; }
case $N in '' | *[!0-9]*) die "BENCH_BENEFICIARIES must be a positive integer, not '$N'" ;; esac
case $RUNS in '' | *[!0-9]*) die "BENCH_RUNS must be a positive integer, not '$RUNS'" ;; esac
[ -x "$CARA" ] || die "$CARA is not built: run 'make'"
command -v sqlite3 >/dev/null 2>&1 || die "the sqlite3 tool is missing (make deps)"
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (make deps)"

TMP=$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/cara-bench-incr.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
DB=$TMP/b.db
q() { sqlite3 -bail "$DB" "$1"; }
cx() { "$CARA" --db "$DB" "$@"; }

# timed NAME CMD...: wall seconds and peak RSS appended to NAME.times; the command's
# stdout in $TMP/out
timed() {
    name=$1
    shift
    /usr/bin/time -f '%e %M' -o "$TMP/time.out" "$@" >"$TMP/out" 2>"$TMP/err" ||
        { cat "$TMP/err" >&2; die "$name failed: $*"; }
    tail -n 1 "$TMP/time.out" >>"$TMP/$name.times"
    echo "  $name: $(tail -n 1 "$TMP/time.out" | awk '{ printf "%s s, %d MB", $1, $2 / 1024 }')"
}
med() { sort -n "$TMP/$1.times" | awk '{ w[NR] = $1 } END { print NR % 2 ? w[(NR + 1) / 2] : (w[NR / 2] + w[NR / 2 + 1]) / 2 }'; }
spread() { sort -n "$TMP/$1.times" | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo "-" hi }'; }
rss() { sort -n -k2 "$TMP/$1.times" | tail -1 | awk '{ printf "%d", $2 / 1024 }'; }

echo "== cara synth --beneficiaries $N --seed 1, load, full run (untimed)"
cx synth --out "$TMP/w" --beneficiaries "$N" --seed 1 >/dev/null
cx load "$TMP/w" >/dev/null
BASE=$(cx run --quiet --threads 2)

echo "== the delivery: every 20th beneficiary's claims adjusted"
cut -d, -f4 "$TMP/w/medical_claim.csv" | tail -n +2 | sort -u | awk 'NR % 20 == 0' >"$TMP/S"
awk -F, -v OFS=, -v S="$TMP/S" 'BEGIN { while ((getline p < S) > 0) s[p] = 1 }
    NR == 1 { print; next } ($4 in s) { $26 = sprintf("%.2f", $26 + 1); print }' \
    "$TMP/w/medical_claim.csv" >"$TMP/delivery.csv"
DLINES=$(($(wc -l <"$TMP/delivery.csv") - 1))
timed delivery "$CARA" --db "$DB" load "$TMP/delivery.csv"
PEOPLE=$(q "SELECT beneficiaries FROM runs WHERE run_id = $BASE")
CHANGED=$(q "SELECT count(*) FROM person_changes WHERE seq > (SELECT change_seq FROM runs WHERE run_id = $BASE)")

echo "== (f) cara run --incremental --base $BASE ($RUNS runs) and (g) cara run ($RUNS runs)"
i=0
while [ $i -lt "$RUNS" ]; do
    timed incr "$CARA" --db "$DB" run --threads 2 --incremental --base "$BASE"
    INCR=$(cat "$TMP/out")
    timed full "$CARA" --db "$DB" run --threads 2
    FULL=$(cat "$TMP/out")
    i=$((i + 1))
done
RECOMP=$(q "SELECT recomputed FROM runs WHERE run_id = $INCR")

echo "== the incremental run against the full run, row for row"
for t in run_episodes run_leakage run_arrangements run_people; do
    cols=$(q "SELECT group_concat(name, ', ') FROM pragma_table_info('$t') WHERE name <> 'run_id'")
    n=$(q "SELECT (SELECT count(*) FROM (SELECT $cols FROM $t WHERE run_id = $INCR EXCEPT
        SELECT $cols FROM $t WHERE run_id = $FULL)) + (SELECT count(*) FROM (SELECT $cols FROM $t
        WHERE run_id = $FULL EXCEPT SELECT $cols FROM $t WHERE run_id = $INCR))")
    [ "$n" = 0 ] || die "run $INCR (incremental) and run $FULL (full) differ: $n rows of $t"
done
EPS=$(q "SELECT count(*) FROM run_episodes WHERE run_id = $FULL")
LEAKS=$(q "SELECT count(*) FROM run_leakage WHERE run_id = $FULL")
echo "  identical: $EPS episodes, $LEAKS leakage rows, $PEOPLE beneficiaries"

echo "== phases (CARA_RUN_TIMING)"
CARA_RUN_TIMING=1 "$CARA" --db "$DB" run --threads 2 --incremental --base "$BASE" 2>"$TMP/pi" >/dev/null
CARA_RUN_TIMING=1 "$CARA" --db "$DB" run --threads 2 2>"$TMP/pf" >/dev/null
# "cara run: timing: NAME   0.123 s  rss 4567 KB" -> "NAME|0.123|4567"
phases() { awk '/^cara run: timing:/ { sub(/^cara run: timing: +/, "")
    if (match($0, / +[0-9.]+ s  rss [0-9]+ KB$/)) {
        tail = substr($0, RSTART); name = substr($0, 1, RSTART - 1)
        split(tail, w, " "); print name "|" w[1] "|" w[4] } }' "$1"; }
phases "$TMP/pf" >"$TMP/pf2"
phases "$TMP/pi" >"$TMP/pi2"

MI=$(med incr)
MF=$(med full)
RATIO=$(awk -v a="$MF" -v b="$MI" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }')
NPROC=$(nproc)
REV=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
SECTION=$TMP/section.md
{
    echo "## make bench: incremental runs"
    echo
    echo "Written by \`make bench\` (scripts/bench_incr.sh); a rerun replaces this section."
    echo
    echo "- machine: $NPROC cores; date $(date -u +%Y-%m-%d); commit $REV"
    echo "- data: \`cara synth --beneficiaries $N --seed 1\`, loaded and run in full (run $BASE); then a delivery of $DLINES claim lines replacing the claims of every 20th beneficiary (each line paid 1.00 more), loaded in $(med delivery) s: $CHANGED beneficiaries stamped, $RECOMP of the $PEOPLE recomputed"
    echo "- $RUNS runs of each, \`--threads 2\`; median wall time, spread, peak RSS"
    echo
    echo "| step | median | spread | peak RSS |"
    echo "|---|---|---|---|"
    echo "| (f) \`cara run --incremental --base $BASE\` | $MI s | $(spread incr) s | $(rss incr) MB |"
    echo "| (g) \`cara run\` (full) | $MF s | $(spread full) s | $(rss full) MB |"
    echo
    echo "- g/f: the incremental run is **$RATIO times** faster than the full run (the aim: 10)"
    echo "- the two runs' rows are identical: $EPS episodes, $LEAKS leakage rows, $PEOPLE beneficiaries in run_people (checked every time, the bench fails otherwise)"
    echo
    echo "Where the time goes (one run of each, \`CARA_RUN_TIMING=1\`):"
    echo
    echo "| phase | full | incremental | full: RSS after | incremental: RSS after |"
    echo "|---|---|---|---|---|"
    awk -F'|' 'NR == FNR { f[$1] = $2; fr[$1] = $3; o[++n] = $1; next } { i[$1] = $2; ir[$1] = $3 }
        END { for (k = 1; k <= n; k++) printf "| %s | %s s | %s s | %d MB | %d MB |\n", o[k],
              f[o[k]], i[o[k]], fr[o[k]] / 1024, ir[o[k]] / 1024 }' "$TMP/pf2" "$TMP/pi2"
} >"$SECTION"

echo
cat "$SECTION"
if [ -n "$DOC" ]; then
    if [ -f "$DOC" ]; then
        awk '/^## make bench: incremental runs/ { skip = 1; next } /^## / { skip = 0 } !skip' "$DOC" >"$TMP/doc"
        awk '{ a[NR] = $0 } END { n = NR; while (n > 0 && a[n] == "") n--; for (i = 1; i <= n; i++) print a[i] }' \
            "$TMP/doc" >"$TMP/doc2"
        { cat "$TMP/doc2"; echo; cat "$SECTION"; } >"$DOC"
    else
        cp "$SECTION" "$DOC"
    fi
    echo "(written to $DOC)"
fi
