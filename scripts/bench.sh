#!/bin/sh
# scripts/bench.sh: make bench (issue 8). Measures, on one generated dataset
# (cara synth --beneficiaries N --seed 1), with wall-clock time and peak RSS:
#   (a) the raw scan limit: build/bench_scan mmaps medical_claim.csv and splits it
#   (b) sqlite3's limit: the sqlite3 CLI's .import --csv into a bare table
#   (c) cara load medical_claim.csv (the reference CSVs loaded first, untimed)
#   (d) cara run on that database (--threads 1 and 2 when cara run has --threads),
#       and cara run --template falls_prevention alone
#   (e) the SQL peer: scripts/falls_peer.sql in the sqlite3 CLI
# then checks the peer's episodes against cara's falls_prevention episodes, prints a
# report and writes it into docs/performance.md as "## make bench (issue 8)" (an
# earlier one is replaced in place; the other "## make bench" sections stay).
#
# Usage: make bench [BENCH_BENEFICIARIES=100000] [BENCH_RUNS=3]
#    or: sh scripts/bench.sh   (after make and build/bench_scan)
# Environment: BENCH_BENEFICIARIES (default 100000), BENCH_RUNS (default 3),
# CARA_BIN, BENCH_SCAN (the binaries), BENCH_TMP (where the temp dir goes, default
# $TMPDIR or /tmp), BENCH_DOC (the file the section goes to; empty: do not write).
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${BENCH_BENEFICIARIES:-100000}
RUNS=${BENCH_RUNS:-3}
CARA=${CARA_BIN:-$ROOT/build/cara}
SCAN=${BENCH_SCAN:-$ROOT/build/bench_scan}
PEER_SQL=$ROOT/scripts/falls_peer.sql
DOC=${BENCH_DOC-$ROOT/docs/performance.md}
export CARA_PLUGINS="${CARA_PLUGINS:-$ROOT/build/plugins}"
export CARA_EPISODES="${CARA_EPISODES:-$ROOT/episodes}"

die() { echo "bench: $*" >&2; exit 1; }

case $N in '' | *[!0-9]*) die "BENCH_BENEFICIARIES must be a positive integer, not '$N'" ;; esac
case $RUNS in '' | *[!0-9]*) die "BENCH_RUNS must be a positive integer, not '$RUNS'" ;; esac
[ "$N" -ge 1 ] || die "BENCH_BENEFICIARIES must be at least 1"
[ "$RUNS" -ge 1 ] || die "BENCH_RUNS must be at least 1"
command -v sqlite3 >/dev/null 2>&1 ||
    die "the sqlite3 command-line tool is missing: install the Debian package 'sqlite3' (or run 'make deps')"
[ -x /usr/bin/time ] ||
    die "/usr/bin/time is missing: install the Debian package 'time' (or run 'make deps')"
[ -x "$CARA" ] || die "$CARA is not built: run 'make' (or 'make bench')"
[ -x "$SCAN" ] || die "$SCAN is not built: run 'make bench'"
[ -r "$PEER_SQL" ] || die "$PEER_SQL is missing"

TMP=$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/cara-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
DATA=$TMP/data
CSV=$DATA/medical_claim.csv

# timed NAME CMD...: run CMD under /usr/bin/time, append "wall_s rss_kb" to NAME.times.
# The page cache's dirty pages are written first (sync, untimed): each step writes
# hundreds of MB, and without it a step paid for the writeback of the one before
# (the load's system time went from 0.6 to 2.3 s from one run to the next).
timed() {
    name=$1
    shift
    sync
    if ! /usr/bin/time -f '%e %M' -o "$TMP/time.out" "$@" >"$TMP/out" 2>"$TMP/err"; then
        cat "$TMP/err" >&2
        die "$name failed: $*"
    fi
    tail -n 1 "$TMP/time.out" >>"$TMP/$name.times"
    # shellcheck disable=SC2046 # two numbers, split on purpose
    set -- $(tail -n 1 "$TMP/time.out")
    echo "  $name: ${1} s, $(($2 / 1024)) MB peak RSS"
}

# stats NAME: "median min max peak_rss_kb" of NAME.times.
stats() {
    sort -n "$TMP/$1.times" | awk '{ w[NR] = $1; if ($2 > r) r = $2 }
        END { m = NR % 2 ? w[(NR + 1) / 2] : (w[NR / 2] + w[NR / 2 + 1]) / 2
              printf "%.2f %.2f %.2f %d\n", m, w[1], w[NR], r }'
}

# thousands NUMBER: 1234567.8 -> 1,234,568
thousands() {
    awk -v x="$1" 'BEGIN { s = sprintf("%.0f", x); o = ""
        while (length(s) > 3) { o = "," substr(s, length(s) - 2) o; s = substr(s, 1, length(s) - 3) }
        print s o }'
}

# rate COUNT SECONDS: COUNT per second (SECONDS of 0.00 counts as 0.01).
rate() { awk -v n="$1" -v t="$2" 'BEGIN { if (t < 0.01) t = 0.01; printf "%.0f", n / t }'; }
# ratio A B: A / B with two decimals.
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (b < 0.01) b = 0.01; r = a / b
        printf (r < 0.1 ? "%.3f" : "%.2f"), r }'
}

q() { sqlite3 -bail "$@"; }

# ---- data -------------------------------------------------------------------------------
echo "== cara synth --beneficiaries $N --seed 1 (untimed)"
"$CARA" synth --out "$DATA" --beneficiaries "$N" --seed 1 >/dev/null
CSV_MB=$(awk -v b="$(wc -c <"$CSV")" 'BEGIN { printf "%.0f", b / 1048576 }')

echo "== reference CSVs into a fresh database (untimed)"
(cd "$DATA" && "$CARA" --db "$TMP/ref.db" load acos.csv providers.csv eligibility.csv \
    alignment.csv arrangements.csv >/dev/null)

# ---- (a) raw scan -----------------------------------------------------------------------
echo "== (a) raw scan: $(basename "$SCAN") $CSV ($RUNS runs)"
i=0
while [ $i -lt "$RUNS" ]; do
    timed scan "$SCAN" "$CSV"
    i=$((i + 1))
done
# shellcheck disable=SC2046 # "RECORDS FIELDS", split on purpose
set -- $(cat "$TMP/out")
RECORDS=$1
FIELDS=$2
LINES=$((RECORDS - 1)) # the header is not a claim line
echo "  $LINES claim lines, $FIELDS fields (header included), $CSV_MB MB"

# ---- (b) sqlite3 .import and (c) cara load, alternated ----------------------------------
# Side by side: run i of .import, then run i of cara load, and so on, so that a host
# that slows down for a while (a shared VM's neighbours) slows both, not one of them.
echo "== (b) sqlite3 .import --csv into a bare table and (c) cara load medical_claim.csv, alternated ($RUNS runs each; each load into a copy of the reference database)"
i=0
while [ $i -lt "$RUNS" ]; do
    rm -f "$TMP/import.db"
    timed import sqlite3 "$TMP/import.db" ".import --csv $CSV medical_claim"
    IMPORTED=$(q "$TMP/import.db" "SELECT count(*) FROM medical_claim")
    [ "$IMPORTED" = "$LINES" ] || die ".import stored $IMPORTED rows, bench_scan counted $LINES lines"
    rm -f "$TMP/import.db"
    rm -f "$TMP/cara.db" "$TMP/cara.db-wal" "$TMP/cara.db-shm"
    cp "$TMP/ref.db" "$TMP/cara.db"
    timed load "$CARA" --db "$TMP/cara.db" load "$CSV"
    i=$((i + 1))
done
DB=$TMP/cara.db
LOADED=$(q "$DB" "SELECT count(*) FROM claim_lines")
# the same load with the claims written on the loading thread (no write-behind), once
echo "== (c) cara load medical_claim.csv with CARA_LOAD_SERIAL=1 (1 run)"
rm -f "$TMP/serial.db" "$TMP/serial.db-wal" "$TMP/serial.db-shm"
cp "$TMP/ref.db" "$TMP/serial.db"
timed loadserial env CARA_LOAD_SERIAL=1 "$CARA" --db "$TMP/serial.db" load "$CSV"
for t in claims claim_lines; do
    [ "$(q "$TMP/serial.db" "SELECT * FROM $t" | sha256sum)" = "$(q "$DB" "SELECT * FROM $t" | sha256sum)" ] ||
        die "the serial load and the written-behind load stored different $t"
done
rm -f "$TMP/serial.db" "$TMP/serial.db-wal" "$TMP/serial.db-shm"

# ---- (d) cara run -----------------------------------------------------------------------
if "$CARA" run --help 2>&1 | grep -q -- --threads; then
    RUN_VARIANTS="run_t1 run_t2"
else
    RUN_VARIANTS="run"
fi
run_label() { echo "cara run${1#run}" | sed 's/_t/ --threads /'; }
run_args() {
    case $1 in
    run_t1) echo "--threads 1" ;;
    run_t2) echo "--threads 2" ;;
    *) echo "" ;;
    esac
}
for v in $RUN_VARIANTS; do
    echo "== (d) $(run_label "$v") ($RUNS runs)"
    i=0
    while [ $i -lt "$RUNS" ]; do
        # shellcheck disable=SC2046 # no argument or "--threads N"
        timed "$v" "$CARA" --db "$DB" run --quiet $(run_args "$v")
        i=$((i + 1))
    done
    RUN_ID=$(tail -n 1 "$TMP/out")
    eval "EPS_$v=\$(q \"\$DB\" \"SELECT count(*) FROM run_episodes WHERE run_id = $RUN_ID\")"
done
RUN_ID_CHECK=$RUN_ID
FP_EPISODES=$(q "$DB" "SELECT count(*) FROM run_episodes WHERE run_id = $RUN_ID
                        AND template_id = 'falls_prevention'")

# ---- (e) the SQL peer -------------------------------------------------------------------
# The peer reads claims and lines as normalized tables, the schema it was written for:
# a copy of the store where claim_lines is a table again (its key, in line order) and
# claims has no packed lines, made before the timing (not timed). Through the
# claim_lines view it would parse JSON for every line and look slower than it is.
echo "== (e) SQL peer: a copy of the store with claim_lines as a table"
rm -f "$TMP/peer.db" "$TMP/peer.db-wal" "$TMP/peer.db-shm"
q "$DB" "VACUUM INTO '$TMP/peer.db'" >/dev/null
q "$TMP/peer.db" >/dev/null <<'SQL'
CREATE TABLE peer_lines (
  claim_id TEXT NOT NULL, claim_line_number INTEGER NOT NULL, claim_line_start_date TEXT,
  claim_line_end_date TEXT, place_of_service_code TEXT NOT NULL DEFAULT '',
  revenue_center_code TEXT NOT NULL DEFAULT '', hcpcs_code TEXT NOT NULL DEFAULT '',
  hcpcs_modifiers TEXT NOT NULL DEFAULT '', rendering_npi TEXT NOT NULL DEFAULT '',
  rendering_tin TEXT NOT NULL DEFAULT '', billing_npi TEXT NOT NULL DEFAULT '',
  billing_tin TEXT NOT NULL DEFAULT '', paid_cents INTEGER NOT NULL,
  allowed_cents INTEGER NOT NULL, denied INTEGER NOT NULL DEFAULT 0, detail_paid_cents INTEGER,
  PRIMARY KEY (claim_id, claim_line_number)) STRICT, WITHOUT ROWID;
INSERT INTO peer_lines SELECT * FROM claim_lines ORDER BY claim_id, claim_line_number;
DROP VIEW claim_lines;
ALTER TABLE peer_lines RENAME TO claim_lines;
ALTER TABLE claims DROP COLUMN lines;
VACUUM;
SQL
# Like for like, side by side: run i of cara's falls prevention, then run i of the peer.
echo "== (d) cara run --threads 2 --template falls_prevention and (e) sqlite3 < scripts/falls_peer.sql, alternated ($RUNS runs each)"
i=0
while [ $i -lt "$RUNS" ]; do
    timed runfp "$CARA" --db "$DB" run --quiet --threads 2 --template falls_prevention
    timed peer sqlite3 -bail "$TMP/peer.db" ".read $PEER_SQL"
    i=$((i + 1))
done

# ---- (f) the rules: Lua against their C twins, on one run -------------------------------
NATIVE_LINES=
if "$CARA" run --help 2>&1 | grep -q -- --compare-native; then
    for tm in falls_prevention functional_independence; do
        echo "== (f) cara run --threads 1 --compare-native $tm"
        "$CARA" --db "$DB" run --threads 1 --compare-native "$tm" 2>"$TMP/native" >/dev/null ||
            die "cara run --compare-native $tm failed: $(cat "$TMP/native")"
        l=$(grep -- '--compare-native' "$TMP/native")
        echo "  $l"
        NATIVE_LINES="$NATIVE_LINES
- $l"
    done
fi

PEER_EPISODES=$(q "$TMP/peer.db" "SELECT count(*) FROM peer_episodes")
q "$DB" "DROP TABLE IF EXISTS peer_episodes; ATTACH '$TMP/peer.db' AS peer;
         CREATE TABLE peer_episodes AS SELECT * FROM peer.peer_episodes;" >/dev/null
rm -f "$TMP/peer.db" "$TMP/peer.db-wal" "$TMP/peer.db-shm"

# ---- the check: peer_episodes against run_episodes --------------------------------------
echo "== check: peer_episodes against run $RUN_ID_CHECK's falls_prevention episodes"
q "$DB" >"$TMP/check" <<EOF
CREATE TEMP TABLE c AS
  SELECT person_id, trigger_type, trigger_date, end_date, actual_cents FROM run_episodes
  WHERE run_id = $RUN_ID_CHECK AND template_id = 'falls_prevention';
CREATE INDEX temp.c_key ON c (person_id, trigger_date);
CREATE TEMP TABLE p AS SELECT * FROM peer_episodes;
CREATE INDEX temp.p_key ON p (person_id, trigger_date);
SELECT (SELECT count(*) FROM c JOIN p USING (person_id, trigger_type, trigger_date,
                                              end_date, actual_cents)) || ' ' ||
       (SELECT count(*) FROM c JOIN p USING (person_id, trigger_date)
         WHERE c.trigger_type <> p.trigger_type OR c.end_date <> p.end_date
            OR c.actual_cents <> p.actual_cents) || ' ' ||
       (SELECT count(*) FROM c WHERE NOT EXISTS
          (SELECT 1 FROM p WHERE p.person_id = c.person_id AND p.trigger_date = c.trigger_date)) || ' ' ||
       (SELECT count(*) FROM p WHERE NOT EXISTS
          (SELECT 1 FROM c WHERE c.person_id = p.person_id AND c.trigger_date = p.trigger_date));
SELECT '  differ: ' || c.person_id || ' ' || c.trigger_date || ': cara ' || c.trigger_type ||
       ' to ' || c.end_date || ' ' || c.actual_cents || ' cents; peer ' || p.trigger_type ||
       ' to ' || p.end_date || ' ' || p.actual_cents || ' cents'
  FROM c JOIN p USING (person_id, trigger_date)
  WHERE c.trigger_type <> p.trigger_type OR c.end_date <> p.end_date
     OR c.actual_cents <> p.actual_cents
  LIMIT 5;
SELECT '  only in cara: ' || person_id || ' ' || trigger_type || ' ' || trigger_date || ' to ' ||
       end_date || ' ' || actual_cents || ' cents'
  FROM c WHERE NOT EXISTS
    (SELECT 1 FROM p WHERE p.person_id = c.person_id AND p.trigger_date = c.trigger_date)
  LIMIT 5;
SELECT '  only in the peer: ' || person_id || ' ' || trigger_type || ' ' || trigger_date ||
       ' to ' || end_date || ' ' || actual_cents || ' cents'
  FROM p WHERE NOT EXISTS
    (SELECT 1 FROM c WHERE c.person_id = p.person_id AND c.trigger_date = p.trigger_date)
  LIMIT 5;
EOF
# shellcheck disable=SC2046 # four counts, split on purpose
set -- $(head -n 1 "$TMP/check")
MATCH=$1
DIFFER=$2
ONLY_CARA=$3
ONLY_PEER=$4
CHECK_LINE="$MATCH of $FP_EPISODES cara episodes match the peer exactly (person, trigger type, trigger date, end date, actual_cents); $DIFFER differ, $ONLY_CARA only in cara, $ONLY_PEER only in the peer ($PEER_EPISODES peer episodes)"
echo "  $CHECK_LINE"
tail -n +2 "$TMP/check"

# ---- the report ------------------------------------------------------------------------
NPROC=$(nproc 2>/dev/null || echo '?')
MEM=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null || echo '?')
KERNEL=$(uname -r)
GCC=$(gcc --version 2>/dev/null | head -n 1 || echo 'gcc ?')
SQLITE=$(sqlite3 --version | awk '{ print $1 }')
REV=$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ "$REV" != unknown ] && ! (cd "$ROOT" && git diff --quiet HEAD -- 2>/dev/null); then
    REV="$REV (with uncommitted changes)"
fi
DATE=$(date -u '+%Y-%m-%d %H:%M UTC')

row() { # row LABEL NAME COUNT UNIT
    # shellcheck disable=SC2046 # four numbers, split on purpose
    set -- "$1" "$2" "$3" "$4" $(stats "$2")
    echo "| $1 | $5 s | $6-$7 s | $(thousands "$(rate "$3" "$5")") $4/s | $(($8 / 1024)) MB |"
}
med() { stats "$1" | awk '{ print $1 }'; }

SECTION=$TMP/section.md
{
    echo "## make bench (issue 8)"
    echo
    echo "Written by \`make bench\` (scripts/bench.sh); a rerun replaces this section."
    echo
    echo "- machine: $NPROC cores (nproc), $MEM, Linux $KERNEL; $GCC; sqlite3 $SQLITE"
    echo "- date: $DATE; commit $REV"
    echo "- data: \`cara synth --beneficiaries $N --seed 1\`: medical_claim.csv has $(thousands "$LINES") claim lines ($CSV_MB MB, $(thousands "$FIELDS") fields with the header); \`cara load\` keeps $(thousands "$LOADED") of them (cancellations and replaced versions dropped)"
    echo "- $RUNS runs of each step; median wall time, min-max spread, peak RSS (largest of the runs) from \`/usr/bin/time -f '%e %M'\` (0.01 s steps: the short (a) has an approximate rate)"
    echo
    echo "| step | median | spread | rate | peak RSS |"
    echo "|---|---|---|---|---|"
    row "(a) raw scan: \`bench_scan\` (mmap, RFC 4180 split, gcc -O2)" scan "$LINES" lines
    row "(b) \`sqlite3 .import --csv\` into a bare table" import "$LINES" lines
    row "(c) \`cara load medical_claim.csv\` (reference data loaded first)" load "$LINES" lines
    row "(c) the same with \`CARA_LOAD_SERIAL=1\` (no write-behind thread; 1 run; same rows)" loadserial "$LINES" lines
    for v in $RUN_VARIANTS; do
        eval "e=\$EPS_$v"
        # shellcheck disable=SC2154 # e is set by the eval
        row "(d) \`$(run_label "$v")\` (every template: build, attribute, price, reconcile; $(thousands "$e") episodes)" "$v" "$e" episodes
    done
    row "(d) \`cara run --threads 2 --template falls_prevention\` ($(thousands "$FP_EPISODES") episodes)" runfp "$FP_EPISODES" episodes
    row "(e) SQL peer \`scripts/falls_peer.sql\` (falls prevention only, $(thousands "$PEER_EPISODES") episodes)" peer "$PEER_EPISODES" episodes
    echo
    FIRST=${RUN_VARIANTS%% *}
    D1=$(med "$FIRST")
    echo "Ratios (of median times):"
    echo
    echo "- c/a, load lines/s over raw scan lines/s: $(ratio "$(med scan)" "$(med load)")"
    echo "- c/b, load lines/s over \`.import\` lines/s: $(ratio "$(med import)" "$(med load)")"
    echo "- d/e, the peer's time over \`$(run_label "$FIRST")\`, every template: $(ratio "$(med peer)" "$D1") (cara is that many times faster)"
    if [ -f "$TMP/run_t2.times" ]; then
        echo "- d/e with \`cara run --threads 2\`: $(ratio "$(med peer)" "$(med run_t2)")"
    fi
    echo "- d/e, like for like (\`cara run --threads 2 --template falls_prevention\`): $(ratio "$(med peer)" "$(med runfp)")"
    echo
    echo "Issue 20's targets: load lines/s over \`.import\` $(ratio "$(med import)" "$(med load)") (target 2.5); run, like for like on 2 threads, over the SQL peer $(ratio "$(med peer)" "$(med runfp)") (target 10)."
    echo
    if [ -n "$NATIVE_LINES" ]; then
        echo "Rules in Lua against the same rules in C (\`cara run --threads 1 --compare-native\`:"
        echo "every episode of the template priced by both, results identical, time of each):"
        echo "$NATIVE_LINES"
        echo
    fi
    echo "Check of the peer: $CHECK_LINE."
    if [ "$(wc -l <"$TMP/check")" -gt 1 ]; then
        echo "Examples:"
        echo
        tail -n +2 "$TMP/check" | sed 's/^  /    /'
    fi
    echo
    echo "cara run and the peer do different amounts of work: cara run builds all templates' episodes"
    echo "and attributes, prices (Lua rules), winsorizes and reconciles them, and saves the"
    echo "run; the peer only builds falls prevention episodes and sums their included cost."
    echo "The like-for-like row runs cara on the falls prevention template alone (it still"
    echo "attributes, prices and saves)."
} >"$SECTION"

echo
cat "$SECTION"
if [ -n "$DOC" ]; then
    if [ -f "$DOC" ] && grep -q '^## make bench (issue 8)' "$DOC"; then
        # in place: the other "## make bench" sections (the later scripts') stay
        awk -v sec="$SECTION" '/^## make bench \(issue 8\)/ { while ((getline l < sec) > 0) print l
                                                               print ""; skip = 1; next }
                               /^## / { skip = 0 } !skip' "$DOC" >"$TMP/doc"
        cat "$TMP/doc" >"$DOC"
    elif [ -f "$DOC" ]; then
        # drop trailing blank lines, then one blank line before the section
        awk '{ a[NR] = $0 } END { n = NR; while (n > 0 && a[n] == "") n--; for (i = 1; i <= n; i++) print a[i] }' \
            "$DOC" >"$TMP/doc2"
        { cat "$TMP/doc2"; echo; cat "$SECTION"; } >"$TMP/doc"
        cat "$TMP/doc" >"$DOC"
    else
        cp "$SECTION" "$DOC"
    fi
    echo "(written to $DOC)"
fi
