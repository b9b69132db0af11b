#!/bin/sh
# The demo: generate a synthetic dataset, load it, run every template, print the
# arrangement report. Usage: scripts/demo.sh [path/to/cara]   (make demo runs it)
set -eu
CARA=${1:-build/cara}
OUT=${DEMO_OUT:-demo-out}
DB=${DEMO_DB:-$OUT/demo.db}
N=${DEMO_BENEFICIARIES:-5000}
rm -rf "$OUT"
echo "== cara synth: $N synthetic beneficiaries into $OUT/"
"$CARA" synth --out "$OUT" --beneficiaries "$N" --seed 42
echo "== cara load"
"$CARA" --db "$DB" load "$OUT"
echo "== cara run"
RUN=$("$CARA" --db "$DB" run)
echo "== cara report --run $RUN --by template"
"$CARA" --db "$DB" report --run "$RUN" --by template
echo "== cara report --run $RUN --by arrangement"
"$CARA" --db "$DB" report --run "$RUN" --by arrangement
echo
echo "More: $CARA --db $DB report --by episode|specialist|aco|leakage [--format json|csv]"
