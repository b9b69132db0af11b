#!/bin/sh
# scripts/report-checksums.sh OUTDIR [CARA_ROOT]: the checksums that prove a refactoring
# changed no output. On the demo's dataset (cara synth --beneficiaries 5000 --seed 42)
# and on make bench's (100,000 beneficiaries, --seed 1): synth, load, run --threads 2,
# then every report (--by template|arrangement|episode|specialist|aco|leakage, each as
# table, json and csv), and writes OUTDIR/{demo,bench}/reports.sha (one SHA-256 per
# report) and synth.sha (one per generated file). Run it with the build before and the
# build after a change and compare: `diff -r A/demo/reports.sha B/demo/reports.sha`.
# It prints one checksum over both reports.sha files. About a minute on 2 cores.
set -eu
[ $# -ge 1 ] || { echo "usage: sh scripts/report-checksums.sh OUTDIR [CARA_ROOT]" >&2; exit 2; }
O=$1
R=${2:-$(cd "$(dirname "$0")/.." && pwd)}
CARA=$R/build/cara
[ -x "$CARA" ] || { echo "report-checksums: $CARA is not built: run make" >&2; exit 1; }
export CARA_PLUGINS=$R/build/plugins CARA_EPISODES=$R/episodes
mkdir -p "$O"
for set in demo:5000:42 bench:100000:1; do
    name=${set%%:*}
    rest=${set#*:}
    n=${rest%%:*}
    seed=${rest#*:}
    D=$O/$name
    rm -rf "$D"
    mkdir -p "$D"
    "$CARA" synth --out "$D/data" --beneficiaries "$n" --seed "$seed" >/dev/null
    "$CARA" --db "$D/db" load "$D/data" >/dev/null
    RUN=$("$CARA" --db "$D/db" run --threads 2)
    for by in template arrangement episode specialist aco leakage; do
        for f in table json csv; do
            "$CARA" --db "$D/db" report --run "$RUN" --by $by --format $f >"$D/report.$by.$f"
        done
    done
    (cd "$D/data" && find . -type f | sort | xargs sha256sum) >"$D/synth.sha"
    (cd "$D" && sha256sum report.*) >"$D/reports.sha"
done
cat "$O"/demo/reports.sha "$O"/bench/reports.sha | sha256sum
