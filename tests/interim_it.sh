#!/bin/sh
# tests/interim_it.sh: interim runs (cara run --as-of) on a synthetic year whose final
# values are known: the same year run as of each month end, each projection compared with
# the final run's figures for the same arrangements and years. Prints the error per month
# (docs/monthly.md quotes this table); fails when the projection does not approach the
# final run, or a report lacks status interim and paid_through_date. Run by make test.
# INTERIM_BENEFICIARIES (default 5000) sizes the year; the accuracy assertions are those
# of that year (a smaller one, 2,000, is noisier: one month end projects further off than
# its paid to date).
set -eu
CARA=${CARA_BIN:-build/cara}
N=${INTERIM_BENEFICIARIES:-5000}
T=$(mktemp -d /tmp/cara-interim-XXXXXX)
PID=
trap 'if [ -n "$PID" ]; then kill -TERM "$PID" 2>/dev/null || true; fi; rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"
DB="$T/t.db"
cx() { "$CARA" --db "$DB" "$@"; }
q() { sqlite3 "$DB" "$1"; }

cx synth --out "$T/world" --beneficiaries "$N" --seed 3 >/dev/null
cx load "$T/world" >/dev/null
FINAL=$(cx run --quiet --period 2027)
ok "final run $FINAL"

# --- the paid dates: every claim has one, 10 to 40 days after its thru date (originals)
got=$(q "SELECT count(*) FROM claims WHERE status = 'current' AND paid_date IS NULL")
[ "$got" = 0 ] && ok "every claim has a paid date" || bad "$got claims without a paid date"

echo "as-of      episodes final-eps paid-to-date projection-error final-in-band band(low..high, % of final)"
prev_err=
late_worst=0
for m in 01-31 02-28 03-31 04-30 05-31 06-30 07-31 08-31 09-30 10-31 11-30 12-31; do
    D=2027-$m
    R=$(cx run --quiet --period 2027 --as-of "$D")
    # like for like: the arrangements x years of the interim run against the final run's
    # same rows; paid to date, projected (central, low, high) and final actual
    row=$(q "SELECT count(*), sum(i.actual_cents), sum(i.projected_actual_cents),
        sum(i.projected_payment_low_cents), sum(i.projected_payment_high_cents),
        sum(f.actual_cents), sum(i.projected_payment_cents), sum(f.payment_cents),
        sum(CASE WHEN f.payment_cents BETWEEN i.projected_payment_low_cents AND
                      i.projected_payment_high_cents THEN 1 ELSE 0 END)
        FROM run_arrangements i JOIN run_arrangements f ON f.run_id = $FINAL AND
        f.arrangement_id = i.arrangement_id AND f.period = i.period WHERE i.run_id = $R")
    eps=$(q "SELECT count(*) FROM run_episodes WHERE run_id = $R AND status != 'excluded' AND trigger_date <= '$D'")
    feps=$(q "SELECT count(*) FROM run_episodes WHERE run_id = $FINAL AND status != 'excluded' AND trigger_date <= '$D'")
    # episodes of day 0 up to the as-of date, in both runs: projected cost against final
    cmp=$(q "SELECT sum(i.actual_cents), sum(i.projected_actual_cents), sum(i.projected_low_cents),
        sum(i.projected_high_cents), sum(f.actual_cents) FROM run_episodes i JOIN run_episodes f
        ON f.run_id = $FINAL AND f.episode_id = i.episode_id WHERE i.run_id = $R AND
        i.status != 'excluded' AND f.status != 'excluded'")
    echo "$D $eps $feps $cmp" | tr '|' ' ' | awk '{ paid = $4; proj = $5; lo = $6; hi = $7; fin = $8;
        if (fin <= 0 || NF != 8) { print $1 " no final cost to compare"; exit 1 }
        e = 100 * (proj - fin) / fin; p = 100 * paid / fin;
        printf "%s  %5d  %5d  %6.1f%%  %+7.1f%%  %s  %5.1f%%..%5.1f%%\n", $1, $2, $3, p, e,
            (lo <= fin && fin <= hi) ? "in band" : "OUT of band", fin ? 100 * lo / fin : 0,
            fin ? 100 * hi / fin : 0 }' | tee -a "$T/table"
    st=$(q "SELECT count(*) FROM run_episodes WHERE run_id = $R AND status = 'interim'")
    [ "$st" -gt 0 ] || bad "$D: no interim episode"
done
# the projection approaches the final run: the mean error of the last three month ends
# is within 10% (measured: 9.3% on this year; mid-year open windows undershoot most)
awk '{ gsub(/[%+]/, "", $5); gsub(/%/, "", $4); e = $5 < 0 ? -$5 : $5; s = 100 - $4;
       if (NR <= 3) { first_short += s; first_err += e } if (NR >= 10) late += e }
     END { if (late / 3 > 10) bad = 1; printf "first three: paid-to-date short by %.1f%% on average, projection off by %.1f%%; last three: off by %.1f%%\n",
           first_short / 3, first_err / 3, late / 3; exit bad }' "$T/table" \
    && ok "the last three month ends project within 10% of the final run on average" \
    || bad "the last three month ends' projections are more than 10% off the final run"
awk '{ gsub(/[%+]/, "", $5); gsub(/%/, "", $4); e = $5 < 0 ? -$5 : $5; s = 100 - $4; if (e > s + 0.5) { print "worse than paid-to-date: " $0; bad = 1 } } END { exit bad }' "$T/table" \
    && ok "every month's projection is closer to the final run than its paid to date" \
    || bad "a projection is further from the final run than the paid to date"

# the band holds the final figure at half the month ends at least (measured: 8 of 12)
inband=$(grep -c ' in band ' "$T/table" || true)
[ "$inband" -ge 6 ] && ok "the band holds the final cost at $inband of 12 month ends" \
    || bad "the band holds the final cost at only $inband of 12 month ends"

# --- the reports say it: status interim and paid_through_date, in JSON and CSV
cx report --by arrangement --run "$R" --format json >"$T/a.json"
# (an arrangement below the volume floor stays insufficient_volume, interim or not)
grep -q '"status": *"\(interim\|insufficient_volume\)"' "$T/a.json" &&
    grep -q '"paid_through_date": *"2027-12-31"' "$T/a.json" &&
    grep -q '"projected_payment_cents": *-*[0-9]' "$T/a.json" \
    && ok "arrangement JSON: status, paid_through_date, projected_payment_cents" \
    || bad "arrangement JSON lacks interim fields"
grep -q '"status": *"interim"' "$T/a.json" || echo "     (no arrangement of this run is interim: every one is below the volume floor)"
cx report --by episode --run "$R" --format csv >"$T/e.csv"
head -1 "$T/e.csv" | grep -q 'paid_through_date' && grep -q ',interim,' "$T/e.csv" \
    && ok "episode CSV: status interim, paid_through_date" || bad "episode CSV lacks interim fields"
got=$(q "SELECT json_extract(projection, '$.paid_through_date') FROM runs WHERE run_id = $R")
[ "$got" = 2027-12-31 ] && ok "the run records its projection's method" || bad "projection: $got"

# --- the API: POST /v1/runs {"as_of"} starts the same interim run (a real client: curl)
CMS=$(cx token create --role cms 2>/dev/null)
"$CARA" --db "$DB" serve --listen 127.0.0.1:0 >"$T/url" 2>"$T/log" &
PID=$!
i=0
while [ ! -s "$T/url" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
URL=$(head -1 "$T/url")
code=$(curl -s -o "$T/job" -w '%{http_code}' -X POST -H "Authorization: Bearer $CMS" \
    -H 'Content-Type: application/json' -d '{"period": 2027, "as_of": "2027-06-30"}' "$URL/v1/runs")
[ "$code" = 202 ] && ok "POST /v1/runs with as_of: 202" || bad "POST /v1/runs with as_of: $code $(cat "$T/job")"
HREF=$(sed 's/.*"href": *"\([^"]*\)".*/\1/' "$T/job")
i=0
while [ $i -lt 300 ]; do
    curl -s -H "Authorization: Bearer $CMS" "$URL$HREF" >"$T/job"
    grep -q '"state": *"\(done\|failed\)"' "$T/job" && break
    sleep 0.2
    i=$((i + 1))
done
API_RUN=$(sed 's/.*"run_id": *\([0-9]*\).*/\1/' "$T/job")
got=$(q "SELECT paid_through_date FROM runs WHERE run_id = '$API_RUN'")
[ "$got" = 2027-06-30 ] && ok "the API's job ran an interim run (run $API_RUN, paid through $got)" \
    || bad "the API's job: $(cat "$T/job")"
CLI_RUN=$(q "SELECT min(run_id) FROM runs WHERE paid_through_date = '2027-06-30'")
same=$(q "SELECT count(*) FROM run_episodes a JOIN run_episodes b ON b.run_id = $API_RUN AND
    b.episode_id = a.episode_id AND b.projected_actual_cents IS a.projected_actual_cents
    WHERE a.run_id = $CLI_RUN")
all=$(q "SELECT count(*) FROM run_episodes WHERE run_id = $CLI_RUN")
[ "$same" = "$all" ] && ok "the API's interim run projects as the CLI's did ($all episodes)" \
    || bad "API and CLI interim runs differ: $same of $all episodes alike"
code=$(curl -s -o "$T/job" -w '%{http_code}' -X POST -H "Authorization: Bearer $CMS" \
    -H 'Content-Type: application/json' -d '{"as_of": "June 30"}' "$URL/v1/runs")
[ "$code" = 400 ] && ok "POST /v1/runs with a bad as_of: 400" || bad "a bad as_of: $code"
kill -TERM "$PID" 2>/dev/null || true
wait "$PID" 2>/dev/null || true

# --- bad input: a clear error, exit 2
if cx run --as-of 2027-13-01 2>"$T/err"; then bad "--as-of 2027-13-01 accepted"; else
    grep -q "not a date" "$T/err" && ok "--as-of 2027-13-01 refused: $(cat "$T/err" | head -1)" \
        || bad "unclear error: $(cat "$T/err")"; fi
echo "interim_it: $fails failure(s)"
[ "$fails" -eq 0 ]
