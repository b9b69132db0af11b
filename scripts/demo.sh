#!/bin/sh
# The demo: generate a synthetic dataset, load it, run every template, print the
# arrangement report, then prepare the portal: a demo login per role and an EBRA offered
# to the demo provider; it ends with the command that serves the portal on the demo data.
# Usage: scripts/demo.sh [path/to/cara]   (make demo runs it)
set -eu
CARA=${1:-build/cara}
OUT=${DEMO_OUT:-demo-out}
DB=${DEMO_DB:-$OUT/demo.db}
N=${DEMO_BENEFICIARIES:-5000}
EPISODES=${DEMO_EPISODES:-episodes}
PLUGINS=${CARA_PLUGINS:-$(dirname "$CARA")/plugins}
# DEMO ONLY: a fixed password for the three demo logins, printed below. Never use it for
# real accounts (cara user add NAME --role ROLE asks for a password at a prompt).
DEMO_PASSWORD=${DEMO_PASSWORD:-cara-demo-only-2027}
rm -rf "$OUT"
echo "== cara synth: $N synthetic beneficiaries into $OUT/"
"$CARA" synth --out "$OUT" --beneficiaries "$N" --seed 42
echo "== cara load"
"$CARA" --db "$DB" load "$OUT"
if [ -f "$OUT/adt.hl7" ]; then
    echo "== cara adt take: the hospitals' ADT events (provisional episodes and care tasks)"
    "$CARA" --db "$DB" adt take "$OUT/adt.hl7" | tail -1
fi
echo "== cara run (it also confirms, changes or drops the provisional episodes)"
RUN=$("$CARA" --db "$DB" run)
echo "== cara report --run $RUN --by template"
"$CARA" --db "$DB" report --run "$RUN" --by template
echo "== cara report --run $RUN --by arrangement"
"$CARA" --db "$DB" report --run "$RUN" --by arrangement
echo "== cara export: ACO A0001's contracting workbook, ATR list, VBPR reports and episode file"
mkdir -p "$OUT/exports"
"$CARA" --db "$DB" export --format xlsx --aco A0001 --out "$OUT/exports/A0001.xlsx"
"$CARA" --db "$DB" export --format atr --aco A0001 --out "$OUT/exports/A0001-atr.json"
"$CARA" --db "$DB" export --format vbpr --aco A0001 --out "$OUT/exports/A0001-vbpr.json"
"$CARA" --db "$DB" export --format episodes --aco A0001 --out "$OUT/exports/A0001-episodes.csv"
echo
echo "More: $CARA --db $DB report --by episode|specialist|aco|leakage [--format json|csv]"
echo "      $CARA --db $DB adt tasks --status open | adt provisional --status confirmed (docs/adt.md)"
echo "      $CARA --db $DB export --format xlsx|atr|vbpr|episodes [--aco A | --ebra ID | --npi N] --out FILE (docs/exports.md)"

# ---- the portal: one demo login per role, an offer waiting for the demo provider
if ! "$CARA" help 2>&1 | grep -q '^ *user '; then
    echo
    echo "(this cara has no 'user' command: no portal logins were made)"
    exit 0
fi
# the demo provider: the NPI of ACO A0001 with the most attributed episodes in the run
NPI=$("$CARA" --db "$DB" report --run "$RUN" --by arrangement --aco A0001 --format csv |
      awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "npi") n = i; if ($i == "episodes") e = i } next }
               $e + 0 > best { best = $e + 0; npi = $n } END { print npi }')
TIN=$("$CARA" --db "$DB" ebra list --aco A0001 --npi "$NPI" --format json | head -1 | sed 's/.*"tin": *"\([0-9]*\)".*/\1/')
echo
echo "== the portal's demo logins (DEMO ONLY: a fixed, published password)"
for u in "cms-demo cms" "aco-demo aco:A0001" "pt-demo provider:$NPI"; do
    set -- $u
    printf '%s\n' "$DEMO_PASSWORD" | "$CARA" --db "$DB" user add "$1" --role "$2" --password-stdin >/dev/null
    printf '   %-9s role %-20s password %s\n' "$1" "$2" "$DEMO_PASSWORD"
done
OFFER=
for tmpl in knee_arthroplasty functional_independence falls_prevention; do
    if "$CARA" --db "$DB" ebra offer E000900 --aco A0001 --npi "$NPI" --tin "$TIN" --template "$tmpl" \
        --start 2027-06-01 >/dev/null 2>&1; then OFFER="E000900 ($tmpl)"; break; fi
done
echo "== an EBRA offered to the demo provider $NPI: ${OFFER:-none (every template is taken)}"
echo
echo "Start the portal on the demo data, then open http://127.0.0.1:8080/ and log in as one of the above:"
echo
echo "   $CARA --db $DB --episodes $EPISODES --plugins $PLUGINS serve --listen 127.0.0.1:8080"
