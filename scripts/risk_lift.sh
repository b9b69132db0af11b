#!/bin/sh
# scripts/risk_lift.sh: the lift of the falls prevention risk rule (issue 19, part 4;
# docs/monthly.md "The risk score", docs/performance.md "Risk list lift (issue 19)").
#
# On one generated dataset (cara synth --beneficiaries N --seed S, loaded, one run),
# for each month end M of the alignment year it lists the falls prevention risk list as
# of M (cara risk-list --template falls_prevention --as-of M --format csv: every
# eligible candidate, aligned and not in an open falls episode on M, with its score) and
# counts who had a falls prevention episode (non-excluded, any trigger) with day 0 in
# (M, end of month M+6], the six months that follow:
#   rate_all      = candidates with such an episode / candidates        (the base rate)
#   rate_flagged  = flagged (score >= risk.threshold) with one / flagged
#   rate_top      = the top 5% by rank with one / the top 5%
#   lift          = rate_flagged / rate_all   (and rate_top / rate_all)
# per month and pooled over the months whose six-month window ends inside the
# alignment year (later windows are cut short by the end of alignment: no episode
# opens for a beneficiary who is no longer aligned).
#
# Usage: sh scripts/risk_lift.sh [N] [SEED]   (defaults 20000 and 1; after make)
# Environment: CARA_BIN (default build/cara), RISK_TMP (where the temp dir goes).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-20000}
SEED=${2:-1}
CARA=${CARA_BIN:-$ROOT/build/cara}
export CARA_PLUGINS="${CARA_PLUGINS:-$ROOT/build/plugins}"
export CARA_EPISODES="${CARA_EPISODES:-$ROOT/episodes}"
command -v sqlite3 >/dev/null || { echo "risk_lift.sh: needs the sqlite3 command" >&2; exit 1; }
T=$(mktemp -d "${RISK_TMP:-${TMPDIR:-/tmp}}/cara-lift.XXXXXX")
trap 'rm -rf "$T"' EXIT
DB=$T/lift.db
"$CARA" synth --out "$T/data" --beneficiaries "$N" --seed "$SEED" >/dev/null
"$CARA" --db "$DB" load "$T/data" >/dev/null
"$CARA" --db "$DB" run >/dev/null
YEAR=$(sqlite3 "$DB" "SELECT substr(min(start_date), 1, 4) FROM alignment")
RUN=$(sqlite3 "$DB" "SELECT max(run_id) FROM runs WHERE status = 'done'")
sqlite3 "$DB" "CREATE TABLE lift_rows (month TEXT, rank INTEGER, aco_id TEXT, person_id TEXT,
  template_id TEXT, score INTEGER, flagged TEXT, reasons TEXT, npi TEXT, tin TEXT,
  last_claim_date TEXT, run_id INTEGER)"
for m in 01 02 03 04 05 06 07 08 09 10 11 12; do
  M=$(sqlite3 "$DB" "SELECT date('$YEAR-$m-01', '+1 month', '-1 day')")
  "$CARA" --db "$DB" risk-list --template falls_prevention --as-of "$M" --format csv \
    2>/dev/null | tail -n +2 | sed "s/^/$M,/" > "$T/rows.csv"
  sqlite3 "$DB" ".mode csv" ".import $T/rows.csv lift_rows"
done
sqlite3 -header -column "$DB" "
WITH c AS (
  SELECT r.month, r.rank, r.flagged = 'true' AS flagged,
         EXISTS (SELECT 1 FROM run_episodes e WHERE e.run_id = $RUN AND e.person_id = r.person_id
                 AND e.template_id = 'falls_prevention' AND e.status <> 'excluded'
                 AND e.trigger_date > r.month
                 AND e.trigger_date <= date(r.month, 'start of month', '+7 months', '-1 day')) AS hit,
         count(*) OVER (PARTITION BY r.month) AS n_month
  FROM lift_rows r),
m AS (
  SELECT month, count(*) AS candidates, sum(hit) AS with_episode,
         sum(flagged) AS flagged, sum(flagged AND hit) AS flagged_with,
         sum(rank <= n_month / 20) AS top5, sum(rank <= n_month / 20 AND hit) AS top5_with
  FROM c GROUP BY month),
p AS (
  SELECT 'pooled Jan-Jun' AS month, sum(candidates) AS candidates, sum(with_episode) AS with_episode,
         sum(flagged) AS flagged, sum(flagged_with) AS flagged_with, sum(top5) AS top5,
         sum(top5_with) AS top5_with
  FROM m WHERE month <= '$YEAR-06-30')
SELECT month, candidates, with_episode,
       printf('%.2f%%', 100.0 * with_episode / candidates) AS rate_all,
       flagged, flagged_with, printf('%.2f%%', 100.0 * flagged_with / max(flagged, 1)) AS rate_flagged,
       printf('%.2f', (1.0 * flagged_with / max(flagged, 1)) / max(1.0 * with_episode / candidates, 1e-9)) AS lift,
       top5, top5_with,
       printf('%.2f', (1.0 * top5_with / max(top5, 1)) / max(1.0 * with_episode / candidates, 1e-9)) AS lift_top5
FROM (SELECT * FROM m UNION ALL SELECT * FROM p)"
