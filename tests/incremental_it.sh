#!/bin/sh
# tests/incremental_it.sh: incremental runs (cara run --incremental) against full runs of
# the same store, row for row. A synthetic year is loaded and run in full; then monthly
# deliveries change a few beneficiaries through the loaders (adjusted claims, new
# claims, cancellations, deaths, ended alignments, an unchanged eligibility file loaded
# again), and after each the incremental run and a full run must store the same rows in
# run_episodes, run_leakage, run_arrangements, run_people and the same counts on the
# runs row. A changed template and a changed arrangement each make the run full, with
# the reason said. Also: what an incremental run stores itself (the rest is its rows
# base's), --base N, a chain of incremental runs, a delivery changing most
# beneficiaries, the Tuva Project's published seed with a delivery, bad options, and
# POST /v1/runs {"incremental": true} with curl. Run by make test.
# INCREMENTAL_BENEFICIARIES (default 2000) sizes the year.
set -eu
CARA=${CARA_BIN:-build/cara}
N=${INCREMENTAL_BENEFICIARIES:-2000}
T=$(mktemp -d /tmp/cara-incr-XXXXXX)
PID=
trap 'if [ -n "$PID" ]; then kill -TERM "$PID" 2>/dev/null || true; fi; rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"
DB="$T/t.db"
W="$T/world"
cx() { "$CARA" --db "$DB" "$@"; }
q() { sqlite3 "$DB" "$1"; }

# same A B WHAT: runs A and B stored the same rows (every column but run_id) in every
# results table, and the same counts
same() {
    a=$1 b=$2 what=$3 diff=""
    for t in run_episodes run_leakage run_arrangements run_people; do
        cols=$(q "SELECT group_concat(name, ', ') FROM pragma_table_info('$t') WHERE name <> 'run_id'")
        n=$(q "SELECT (SELECT count(*) FROM (SELECT $cols FROM $t WHERE run_id = $a EXCEPT
                SELECT $cols FROM $t WHERE run_id = $b)) + (SELECT count(*) FROM (SELECT $cols
                FROM $t WHERE run_id = $b EXCEPT SELECT $cols FROM $t WHERE run_id = $a))")
        rows=$(q "SELECT count(*) FROM $t WHERE run_id = $a")
        [ "$n" = 0 ] || diff="$diff $t: $n rows differ;"
        [ "$t" = run_episodes ] && eps=$rows
    done
    r=$(q "SELECT (SELECT beneficiaries || ' ' || claim_lines || ' ' || as_of_date || ' ' ||
            json_remove(inputs, '$.warnings') FROM runs WHERE run_id = $a) IS
            (SELECT beneficiaries || ' ' || claim_lines || ' ' || as_of_date || ' ' ||
            json_remove(inputs, '$.warnings') FROM runs WHERE run_id = $b)")
    [ "$r" = 1 ] || diff="$diff the runs rows' counts differ;"
    if [ -z "$diff" ]; then ok "$what: run $a = run $b, row for row ($eps episodes)"
    else bad "$what: run $a vs run $b:$diff"; fi
}

# run_incr [ARGS...]: an incremental run; its id in $R, its stderr in $T/err
run_incr() { R=$(cx run "$@" --incremental 2>"$T/err"); }
recomputed() { q "SELECT coalesce(recomputed, -1) FROM runs WHERE run_id = $1"; }
# adjusted LIST DOLLARS: the claims of the beneficiaries in file LIST, each line paid
# DOLLARS more (a CSV that replaces those claims)
adjusted() {
    awk -F, -v OFS=, -v A="$1" -v D="$2" 'BEGIN { while ((getline p < A) > 0) adj[p] = 1 }
        NR == 1 { print; next } ($4 in adj) { $26 = sprintf("%.2f", $26 + D); print }' \
        "$W/medical_claim.csv"
}
# storage RUN: "<rows base or -> <beneficiaries it stores itself> <episode rows it stores>"
storage() {
    q "SELECT coalesce(rows_base_run_id, '-') || ' ' || (SELECT count(*) FROM run_own_people o
        WHERE o.run_id = r.run_id) || ' ' || (SELECT count(*) FROM run_episode_rows e WHERE
        e.run_id = r.run_id) FROM runs r WHERE run_id = $1"
}

cx synth --out "$W" --beneficiaries "$N" --seed 5 >/dev/null
# the claims through 2028-06-20 first; the last ten days come with the first delivery (so
# the data's as-of date moves, and episodes ending in those days turn interim to final)
awk -F, -v J="$T/late.csv" -v K="$T/early.csv" 'NR == 1 { print > J; print > K; next }
    $6 > "2028-06-20" { print > J; next } { print > K }' "$W/medical_claim.csv"
mv "$T/early.csv" "$W/medical_claim.csv"
cx load "$W" >/dev/null
R1=$(cx run --quiet)
ok "full run $R1"

# --- nothing changed: every beneficiary carried, the same rows
run_incr
grep -q "incremental on run $R1: 0 of" "$T/err" && ok "nothing changed: 0 recomputed" \
    || bad "nothing changed: $(cat "$T/err")"
same "$R1" "$R" "nothing changed"
[ "$(storage "$R")" = "$R1 0 0" ] && ok "nothing changed: run $R stores no row, it shares run $R1's" \
    || bad "nothing changed: run $R stores $(storage "$R") (rows base, people, episodes)"

# --- an unchanged eligibility file loaded again (its rows reordered, so that it is a new
# file to the loader) stamps nobody
{ head -1 "$W/eligibility.csv"; tail -n +2 "$W/eligibility.csv" | sort -r; } >"$T/elig_again.csv"
SEQ=$(q "SELECT change_seq FROM runs WHERE run_id = $R")
cx load "$T/elig_again.csv" >/dev/null
got=$(q "SELECT count(*) FROM person_changes WHERE seq > $SEQ")
[ "$got" = 0 ] && ok "the same eligibility loaded again stamps no beneficiary" \
    || bad "an unchanged eligibility reload stamped $got beneficiaries"

# --- a monthly delivery: every 20th beneficiary's claims adjusted (+1.00 paid), every
# 97th gets a new claim, every 89th loses one claim (a cancellation), every 61st dies,
# every 53rd leaves its ACO at mid-year
cut -d, -f4 "$W/medical_claim.csv" | tail -n +2 | sort -u >"$T/people"
awk 'NR % 20 == 0' "$T/people" >"$T/adjust"
awk 'NR % 97 == 0' "$T/people" >"$T/new"
awk 'NR % 89 == 0' "$T/people" >"$T/cancel"
awk 'NR % 61 == 0' "$T/people" >"$T/die"
awk 'NR % 53 == 0' "$T/people" >"$T/leave"
awk -F, -v OFS=, -v A="$T/adjust" -v B="$T/new" -v C="$T/cancel" '
    BEGIN { while ((getline p < A) > 0) adj[p] = 1; while ((getline p < B) > 0) nw[p] = 1
            while ((getline p < C) > 0) cn[p] = 1 }
    NR == 1 { print; for (i = 1; i <= NF; i++) if ($i == "adjustment_type_code") at = i; next }
    ($4 in adj) { $26 = sprintf("%.2f", $26 + 1); print; next }
    ($4 in cn) && !done[$4] { done[$4] = $1 }
    ($4 in cn) && done[$4] == $1 { $at = 1; print; next }
    ($4 in nw) && !made[$4] && $3 == "professional" { made[$4] = 1; $1 = "NEW" $1
        $5 = "2028-06-01"; $6 = "2028-06-01"; $7 = "2028-06-01"; $8 = "2028-06-01"
        $NF = "2028-06-20"; print }
' "$W/medical_claim.csv" >"$T/delivery_claims.csv"
awk -F, -v OFS=, -v D="$T/die" 'BEGIN { while ((getline p < D) > 0) d[p] = 1 }
    NR == 1 || !($1 in d) { print; next } { $4 = "2027-09-15"; print }' \
    "$W/eligibility.csv" >"$T/delivery_elig.csv"
awk -F, -v OFS=, -v L="$T/leave" 'BEGIN { while ((getline p < L) > 0) l[p] = 1 }
    NR == 1 || !($1 in l) || $3 >= "2027-06-30" { print; next } { $4 = "2027-06-30"; print }' \
    "$W/alignment.csv" >"$T/delivery_align.csv"
SEQ=$(q "SELECT max(change_seq) FROM runs")
cx load "$T/late.csv" "$T/delivery_claims.csv" "$T/delivery_elig.csv" "$T/delivery_align.csv" >/dev/null
changed=$(q "SELECT count(*) FROM person_changes p WHERE seq > $SEQ AND EXISTS (SELECT 1 FROM
    claims c WHERE c.person_id = p.person_id AND c.status = 'current')")
cut -d, -f4 "$T/late.csv" | tail -n +2 >"$T/late"
want=$(sort -u "$T/adjust" "$T/new" "$T/cancel" "$T/die" "$T/leave" "$T/late" | wc -l)
[ "$changed" -gt 0 ] && [ "$changed" -le "$want" ] &&
    ok "the delivery stamped $changed beneficiaries (of $want it touched)" ||
    bad "the delivery stamped $changed beneficiaries, it touched $want"
run_incr
R2=$R
[ "$(recomputed "$R2")" = "$changed" ] && ok "run $R2 recomputed the $changed changed beneficiaries" \
    || bad "run $R2 recomputed $(recomputed "$R2"), $changed changed: $(cat "$T/err")"
F2=$(cx run --quiet)
same "$F2" "$R2" "after a monthly delivery"
# the runs count the store's current claims from what they read (run_people.claims)
want=$(q "SELECT count(*) FROM claims WHERE status = 'current'")
got=$(q "SELECT json_extract(inputs, '$.claims') || ' ' || (SELECT sum(claims) FROM run_people
    p WHERE p.run_id = r.run_id) FROM runs r WHERE run_id = $R2")
[ "$got" = "$want $want" ] && ok "inputs.claims = the store's $want current claims" ||
    bad "inputs.claims and run_people's claims: $got, the store has $want current claims"
set -- $(storage "$R2")
eps_all=$(q "SELECT count(*) FROM run_episodes WHERE run_id = $R2")
# the new claims moved the data's as-of date: carried episodes whose window ended in
# between turned final, and the run stores their beneficiaries too
moved=$(q "SELECT count(DISTINCT person_id) FROM run_episodes a WHERE run_id = $R2 AND
    EXISTS (SELECT 1 FROM run_episodes b WHERE b.run_id = $R1 AND b.episode_id = a.episode_id
    AND b.status <> a.status) AND person_id NOT IN (SELECT person_id FROM person_changes
    WHERE seq > $SEQ)")
[ "$1" = "$R1" ] && [ "$2" -ge "$changed" ] && [ "$3" -lt "$eps_all" ] &&
    ok "run $R2 stores the rows of $2 beneficiaries ($3 of $eps_all episodes), the rest are run $R1's" ||
    bad "run $R2's storage: $* (rows base, people, episodes of $eps_all)"
notown=$(q "SELECT count(*) FROM (SELECT person_id FROM person_changes WHERE seq > $SEQ EXCEPT
    SELECT person_id FROM run_own_people WHERE run_id = $R2)")
[ "$notown" = 0 ] && ok "every changed beneficiary is stored by run $R2" ||
    bad "$notown changed beneficiaries not stored by run $R2"
[ "$moved" -gt 0 ] && [ "$2" -ge $((changed + moved)) ] &&
    ok "$moved unchanged beneficiaries whose episodes moved (status) are stored too" ||
    bad "moved: $moved beneficiaries with a status change, the run stores $2 ($changed changed)"
died=$(q "SELECT count(*) FROM run_episodes WHERE run_id = $R2 AND died = 1")
[ "$died" -gt "$(q "SELECT count(*) FROM run_episodes WHERE run_id = $R1 AND died = 1")" ] &&
    ok "the deaths moved episodes ($died died)" || bad "the deaths changed no episode"

# --- a chain: built on an incremental run (--base), after a second delivery
awk 'NR % 31 == 0' "$T/people" >"$T/adjust2"
adjusted "$T/adjust2" 2 >"$T/delivery2.csv"
cx load "$T/delivery2.csv" >/dev/null
run_incr --base "$R2"
grep -q "incremental on run $R2:" "$T/err" && ok "--base $R2: built on run $R2" \
    || bad "--base $R2: $(cat "$T/err")"
R3=$R
F3=$(cx run --quiet)
same "$F3" "$R3" "an incremental run on an incremental run"
set -- $(storage "$R3")
own2=$(q "SELECT count(*) FROM run_own_people WHERE run_id = $R2")
[ "$1" = "$R1" ] && [ "$2" -ge "$own2" ] &&
    ok "run $R3 shares run $R1's rows too (one level), storing $2 beneficiaries" ||
    bad "run $R3's storage: $* (run $R2 stored $own2)"

# --- a delivery that changes most beneficiaries: the run stores every row
awk 'NR % 3 != 0' "$T/people" >"$T/adjust3"
adjusted "$T/adjust3" 3 >"$T/delivery3.csv"
cx load "$T/delivery3.csv" >/dev/null
run_incr --base "$R3"
R4=$R
F4=$(cx run --quiet)
same "$F4" "$R4" "after a delivery changing two thirds"
set -- $(storage "$R4")
[ "$1" = "-" ] && [ "$2" = 0 ] && [ "$3" = "$(q "SELECT count(*) FROM run_episodes WHERE run_id = $R4")" ] &&
    ok "two thirds changed: run $R4 stores every row itself" || bad "run $R4's storage: $*"

# --- what every beneficiary shares changed: the run is full and says why
cp -r "$CARA_EPISODES" "$T/eps"
sed -i 's/"base_cents": 200000/"base_cents": 210000/' "$T/eps/falls_prevention/template.json"
run_incr --episodes "$T/eps"
grep -q "a full run: a plugin, template, rule or table changed" "$T/err" &&
    ok "a changed template: $(grep "a full run" "$T/err")" || bad "a changed template: $(cat "$T/err")"
[ "$(recomputed "$R")" = -1 ] && ok "the full run records no recomputed count" || bad "recomputed $(recomputed "$R")"
awk -F, -v OFS=, 'NR == 2 { $8 = 150 } { print }' "$W/arrangements.csv" >"$T/arr.csv"
cx load "$T/arr.csv" >/dev/null
run_incr --base "$R3"
grep -q "a full run: the arrangements" "$T/err" && ok "a changed arrangement: $(grep "a full run" "$T/err")" \
    || bad "a changed arrangement: $(cat "$T/err")"
got=$(q "SELECT full_reason FROM runs WHERE run_id = $R")
case $got in *arrangements*) ok "runs.full_reason says why" ;; *) bad "full_reason: $got" ;; esac
run_incr --as-of 2027-06-30 2>/dev/null && bad "--incremental --as-of accepted" ||
    ok "--incremental --as-of refused: $(head -1 "$T/err")"
if cx run --base 1 2>"$T/err2"; then bad "--base without --incremental accepted"
else ok "--base without --incremental refused: $(head -1 "$T/err2")"; fi
if cx run --incremental --base 999 2>"$T/err2"; then bad "--base 999 accepted"
else grep -q "no run 999" "$T/err2" && ok "--base 999: $(head -1 "$T/err2")" || bad "--base 999: $(cat "$T/err2")"; fi

# --- data cara did not write: the Tuva Project's synthetic seed (its own CSV forms: person
# ids that are not MBIs, amounts as Tuva writes them), read where the repository's
# neighbour keeps it (never copied in); a delivery adjusts two of its ten beneficiaries
TUVA="$(cd "$(dirname "$0")/.." && pwd)/../shared/reference/public-data/tuva_synthetic_seed"
if [ -f "$TUVA/medical_claim_seed.csv" ]; then
    MAIN_DB=$DB
    DB="$T/tuva.db"
    mkdir "$T/tuva" "$T/tuva2"
    ln -s "$TUVA/medical_claim_seed.csv" "$T/tuva/medical_claim.csv"
    ln -s "$TUVA/eligibility_seed.csv" "$T/tuva/eligibility.csv"
    cx load "$T/tuva" >/dev/null
    TB=$(cx run --quiet)
    cut -d, -f4 "$TUVA/medical_claim_seed.csv" | tail -n +2 | sort -u | awk 'NR % 5 == 0' >"$T/tuva_adj"
    awk -F, -v OFS=, -v A="$T/tuva_adj" 'BEGIN { while ((getline p < A) > 0) adj[p] = 1 }
        NR == 1 { for (i = 1; i <= NF; i++) if ($i == "paid_amount") pa = i; print; next }
        ($4 in adj) { $pa = sprintf("%.2f", $pa + 1); print }' "$TUVA/medical_claim_seed.csv" \
        >"$T/tuva2/medical_claim.csv"
    cx load "$T/tuva2/medical_claim.csv" >/dev/null
    run_incr
    TI=$R
    TF=$(cx run --quiet)
    [ "$(recomputed "$TI")" = 2 ] && ok "Tuva seed: run $TI recomputed the 2 adjusted of 10" ||
        bad "Tuva seed: run $TI recomputed $(recomputed "$TI"): $(cat "$T/err")"
    same "$TF" "$TI" "Tuva's seed after a delivery"
    set -- $(storage "$TI")
    [ "$1" = "$TB" ] && [ "$2" = 2 ] && ok "Tuva seed: run $TI stores 2 beneficiaries, shares run $TB's" ||
        bad "Tuva seed: run $TI's storage: $*"
    # the seed as Tuva ships it is not in claim order (read grouped, one thread); sorted by
    # claim_id it loads in file order, its claims written behind on a second thread, and
    # once more with CARA_LOAD_SERIAL=1: the three stores hold the same claims and lines
    mkdir "$T/tuvas"
    { head -n 1 "$TUVA/medical_claim_seed.csv"
      tail -n +2 "$TUVA/medical_claim_seed.csv" | LC_ALL=C sort -t, -k1,1 -s; } >"$T/tuvas/medical_claim.csv"
    for w in grouped behind serial; do
        DB="$T/tuva_$w.db"
        cx load "$TUVA/eligibility_seed.csv" >/dev/null
        if [ $w = grouped ]; then cx load "$TUVA/medical_claim_seed.csv" >/dev/null
        elif [ $w = serial ]; then env CARA_LOAD_SERIAL=1 "$CARA" --db "$DB" load "$T/tuvas/medical_claim.csv" >/dev/null
        else cx load "$T/tuvas/medical_claim.csv" >/dev/null; fi
        sqlite3 "$DB" "SELECT * FROM claim_lines ORDER BY claim_id, claim_line_number;
            SELECT claim_id, claim_type, person_id, claim_start_date, claim_end_date, admission_date,
            discharge_date, diagnosis_codes, status FROM claims ORDER BY claim_id" >"$T/tuva_$w.rows"
    done
    n=$(sqlite3 "$T/tuva_behind.db" "SELECT count(*) FROM claim_lines")
    if [ "$n" -gt 2000 ] && cmp -s "$T/tuva_grouped.rows" "$T/tuva_behind.rows" &&
        cmp -s "$T/tuva_serial.rows" "$T/tuva_behind.rows"; then
        ok "Tuva seed in claim order: written behind, on one thread and grouped, the same $n lines"
    else bad "Tuva seed: the loads differ ($n lines written behind)"; fi
    DB=$MAIN_DB
else
    echo "skip Tuva seed: not found at $TUVA"
fi

# --- the API: POST /v1/runs {"incremental": true}, with curl
CMS=$(cx token create --role cms 2>/dev/null)
"$CARA" --db "$DB" serve --listen 127.0.0.1:0 >"$T/url" 2>"$T/log" &
PID=$!
i=0
while [ ! -s "$T/url" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
URL=$(head -1 "$T/url")
LAST=$(q "SELECT max(run_id) FROM runs WHERE status = 'done'")
code=$(curl -s -o "$T/job" -w '%{http_code}' -X POST -H "Authorization: Bearer $CMS" \
    -H 'Content-Type: application/json' -d '{"incremental": true}' "$URL/v1/runs")
[ "$code" = 202 ] && ok "POST /v1/runs {\"incremental\": true}: 202" || bad "POST incremental: $code $(cat "$T/job")"
HREF=$(sed 's/.*"href": *"\([^"]*\)".*/\1/' "$T/job")
i=0
while [ $i -lt 300 ]; do
    curl -s -H "Authorization: Bearer $CMS" "$URL$HREF" >"$T/job"
    grep -q '"state": *"\(done\|failed\)"' "$T/job" && break
    sleep 0.2
    i=$((i + 1))
done
grep -q "\"base_run_id\": *$LAST" "$T/job" && grep -q '"recomputed": *0' "$T/job" &&
    ok "the API's job built on run $LAST, recomputing nobody" || bad "the API's job: $(cat "$T/job")"
API_RUN=$(sed 's/.*"run_id": *\([0-9]*\).*/\1/' "$T/job")
same "$LAST" "$API_RUN" "the API's incremental run"
for body in '{"incremental": "yes"}' '{"base_run": 3}' '{"incremental": true, "base_run": 0}' \
    '{"incremental": true, "as_of": "2027-06-30"}'; do
    code=$(curl -s -o "$T/body" -w '%{http_code}' -X POST -H "Authorization: Bearer $CMS" \
        -H 'Content-Type: application/json' -d "$body" "$URL/v1/runs")
    [ "$code" = 400 ] && ok "POST /v1/runs $body: 400 $(head -c 100 "$T/body")" || bad "POST $body: $code"
done
kill -TERM "$PID" 2>/dev/null || true
wait "$PID" 2>/dev/null || true
PID=

[ "$fails" = 0 ] || { echo "incremental_it: $fails failures"; exit 1; }
echo "incremental_it: all passed"
