#!/bin/sh
# scripts/bench_feeds.sh: make bench, the feed loaders (issue 20). One generated dataset
# (cara synth --beneficiaries N --seed 1 --format all) holds the same claims as the CSV
# input layer (medical_claim.csv), as CCLF deliveries (cclf/: a monthly delivery and a
# run-out bundle) and as BCDA FHIR NDJSON (fhir/). For each format the reference CSVs of
# its directory are loaded first (untimed) and then its claims are loaded BENCH_RUNS times,
# each into a copy of that reference database, under /usr/bin/time (wall, user CPU, peak
# RSS). Prints claim lines per second (the claim_lines rows each load stores), records
# or resources per second (CCLF records, FHIR NDJSON lines) and each feed's time per claim
# line over CSV's (wall and user CPU), and writes "## make bench: feed loads" into
# docs/performance.md.
#
# Usage: make bench [BENCH_FEEDS_BENEFICIARIES=10000] [BENCH_RUNS=3]
#    or: sh scripts/bench_feeds.sh   (after make)
# Environment: BENCH_FEEDS_BENEFICIARIES (default 10000: the FHIR files are about 11
# times the CSV's size, 620 MB at 10,000), BENCH_RUNS (default 3), CARA_BIN, BENCH_TMP
# (where the temp dir goes), BENCH_DOC (the file written; empty: none).
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${BENCH_FEEDS_BENEFICIARIES:-10000}
RUNS=${BENCH_RUNS:-3}
CARA=${CARA_BIN:-$ROOT/build/cara}
DOC=${BENCH_DOC-$ROOT/docs/performance.md}
export CARA_PLUGINS="${CARA_PLUGINS:-$ROOT/build/plugins}"
export CARA_EPISODES="${CARA_EPISODES:-$ROOT/episodes}"

die() { echo "bench_feeds: $*" >&2; exit 1; }
case $N in '' | *[!0-9]*) die "BENCH_FEEDS_BENEFICIARIES must be a positive integer, not '$N'" ;; esac
case $RUNS in '' | *[!0-9]*) die "BENCH_RUNS must be a positive integer, not '$RUNS'" ;; esac
[ "$N" -ge 1 ] && [ "$RUNS" -ge 1 ] || die "BENCH_FEEDS_BENEFICIARIES and BENCH_RUNS must be at least 1"
[ -x "$CARA" ] || die "$CARA is not built: run 'make'"
command -v sqlite3 >/dev/null 2>&1 || die "the sqlite3 tool is missing (make deps)"
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (make deps)"

TMP=$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/cara-bench-feeds.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
DATA=$TMP/data
REFS="acos.csv providers.csv eligibility.csv alignment.csv arrangements.csv participants.csv"

echo "== cara synth --beneficiaries $N --seed 1 --format all (untimed)"
"$CARA" synth --out "$DATA" --beneficiaries "$N" --seed 1 --format all >/dev/null
# the 700 MB just written go to disk now, not while the first loads are timed (a CSV
# load measured during that writeback took twice its time)
sync

# dir_of FORMAT, files_of FORMAT: where a format's files are and which of them are its claims
dir_of() { case $1 in csv) echo "$DATA" ;; cclf) echo "$DATA/cclf" ;; fhir) echo "$DATA/fhir" ;; esac; }
files_of() {
    case $1 in
    csv) echo medical_claim.csv ;;
    cclf) (cd "$DATA/cclf" && ls | grep -E '^[PT]\.' | tr '\n' ' ') ;;
    # Patient first, as BCDA's guide orders them: an EOB read before its Patient is
    # deferred and parsed again (a directory loads them by name: see docs/performance.md)
    fhir) (cd "$DATA/fhir" && { ls | grep -E '^Patient.*\.ndjson$'; ls | grep -E '^Coverage.*\.ndjson$'
        ls | grep -E '\.ndjson$' | grep -v -E '^(Patient|Coverage)'; } | tr '\n' ' ') ;;
    esac
}
# records_of FORMAT: CCLF records (the loose files' lines and the bundles' members'),
# FHIR resources (NDJSON lines), CSV rows (lines less the header)
records_of() {
    d=$(dir_of "$1")
    case $1 in
    csv) echo $(($(wc -l <"$d/medical_claim.csv") - 1)) ;;
    fhir) (cd "$d" && cat $(files_of fhir) | grep -c .) ;;
    cclf)
        n=0
        for f in $(files_of cclf); do
            if unzip -tq "$d/$f" >/dev/null 2>&1; then
                c=$(unzip -p "$d/$f" | wc -l)
            else
                c=$(wc -l <"$d/$f")
            fi
            n=$((n + c))
        done
        echo "$n"
        ;;
    esac
}

for fmt in csv cclf fhir; do
    d=$(dir_of $fmt)
    # shellcheck disable=SC2086 # the file names, split on purpose
    (cd "$d" && "$CARA" --db "$TMP/ref.$fmt.db" load $REFS >/dev/null) ||
        die "loading the reference CSVs of $d failed"
    echo "== cara load, $fmt: $(files_of $fmt)($RUNS runs)"
    i=0
    while [ $i -lt "$RUNS" ]; do
        rm -f "$TMP/x.db" "$TMP/x.db-wal" "$TMP/x.db-shm"
        cp "$TMP/ref.$fmt.db" "$TMP/x.db"
        # shellcheck disable=SC2046 # the file names, split on purpose
        if ! (cd "$d" && /usr/bin/time -f '%e %U %M' -o "$TMP/time.out" "$CARA" --db "$TMP/x.db" \
            load $(files_of $fmt) >"$TMP/out" 2>"$TMP/err"); then
            cat "$TMP/err" >&2
            die "cara load ($fmt) failed"
        fi
        tail -n 1 "$TMP/time.out" >>"$TMP/$fmt.times"
        echo "  $(tail -n 1 "$TMP/time.out" | awk '{ printf "%s s wall, %s s user, %d MB peak RSS", $1, $2, $3 / 1024 }')"
        i=$((i + 1))
    done
    sqlite3 "$TMP/x.db" "SELECT count(*) FROM claim_lines" >"$TMP/$fmt.lines"
    records_of $fmt >"$TMP/$fmt.records"
    rm -f "$TMP/x.db" "$TMP/x.db-wal" "$TMP/x.db-shm" "$TMP/ref.$fmt.db"
done

# med FORMAT COLUMN: the median of a column of FORMAT.times (1 wall, 2 user, 3 RSS KB)
med() {
    awk -v c="$2" '{ print $c }' "$TMP/$1.times" | sort -n |
        awk '{ w[NR] = $1 } END { print NR % 2 ? w[(NR + 1) / 2] : (w[NR / 2] + w[NR / 2 + 1]) / 2 }'
}
peak() { awk '$3 > m { m = $3 } END { printf "%d", m / 1024 }' "$TMP/$1.times"; }
thousands() {
    awk -v x="$1" 'BEGIN { s = sprintf("%.0f", x); o = ""
        while (length(s) > 3) { o = "," substr(s, length(s) - 2) o; s = substr(s, 1, length(s) - 3) }
        print s o }'
}
rate() { awk -v n="$1" -v t="$2" 'BEGIN { if (t < 0.01) t = 0.01; printf "%.0f", n / t }'; }
# per_line_ratio FORMAT COLUMN: FORMAT's time per claim line over CSV's
per_line_ratio() {
    awk -v t="$(med "$1" "$2")" -v n="$(cat "$TMP/$1.lines")" -v ct="$(med csv "$2")" \
        -v cn="$(cat "$TMP/csv.lines")" 'BEGIN { if (ct < 0.01) ct = 0.01
        printf "%.2f", (t / n) / (ct / cn) }'
}

REV=$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ "$REV" != unknown ] && ! (cd "$ROOT" && git diff --quiet HEAD -- 2>/dev/null); then
    REV="$REV (with uncommitted changes)"
fi
SECTION=$TMP/section.md
{
    echo "## make bench: feed loads"
    echo
    echo "Written by \`make bench\` (scripts/bench_feeds.sh); a rerun replaces this section."
    echo
    echo "- machine: $(nproc 2>/dev/null || echo '?') cores (nproc); date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit $REV"
    echo "- data: \`cara synth --beneficiaries $N --seed 1 --format all\`: the same claims as CSV, as CCLF (a monthly delivery and a run-out bundle) and as BCDA FHIR NDJSON (loaded Patient, Coverage, ExplanationOfBenefit); each format's reference CSVs loaded first (untimed)"
    echo "- $RUNS runs each; median wall and user CPU time, peak RSS (largest of the runs), \`/usr/bin/time -f '%e %U %M'\`; claim lines: the claim_lines rows the load stores"
    echo
    echo "| format | claim lines | records | median wall | median user | claim lines/s (wall) | records/s (wall) | peak RSS | per claim line / CSV (wall) | per claim line / CSV (user) |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
    for fmt in csv cclf fhir; do
        case $fmt in
        csv) label="CSV \`medical_claim.csv\`"; unit=rows ;;
        cclf) label="CCLF deliveries"; unit=records ;;
        fhir) label="FHIR NDJSON"; unit=resources ;;
        esac
        w=$(med $fmt 1)
        u=$(med $fmt 2)
        l=$(cat "$TMP/$fmt.lines")
        r=$(cat "$TMP/$fmt.records")
        echo "| $label | $(thousands "$l") | $(thousands "$r") $unit | $w s | $u s | $(thousands "$(rate "$l" "$w")") | $(thousands "$(rate "$r" "$w")") $unit/s | $(peak $fmt) MB | $(per_line_ratio $fmt 1) | $(per_line_ratio $fmt 2) |"
    done
    echo
    echo "The issue's bar: each feed no more than 1.5 times CSV's time per claim line, and"
    echo "memory flat in the feed's size (see \"Feed loads (issue 20)\" for RSS at two sizes)."
} >"$SECTION"

echo
cat "$SECTION"
if [ -n "$DOC" ]; then
    if [ -f "$DOC" ]; then
        awk '/^## make bench: feed loads/ { skip = 1; next } /^## / { skip = 0 } !skip' "$DOC" >"$TMP/doc"
        awk '{ a[NR] = $0 } END { n = NR; while (n > 0 && a[n] == "") n--; for (i = 1; i <= n; i++) print a[i] }' \
            "$TMP/doc" >"$TMP/doc2"
        { cat "$TMP/doc2"; echo; cat "$SECTION"; } >"$DOC"
    else
        cp "$SECTION" "$DOC"
    fi
    echo "(written to $DOC)"
fi
