#!/bin/sh
# Seed a fuzz target's corpus with real inputs from the repository.
# Usage: scripts/fuzz-seeds.sh TARGET DIR
set -eu
target=$1
dir=$2
case "$target" in
fuzz_csv)      cp tests/fixtures/e2e/base/*.csv "$dir"/ ;;
fuzz_fields)   printf '2027-01-04' > "$dir/date"; printf '123.45' > "$dir/money"
               printf '1234567893' > "$dir/npi"; printf 'S72001A' > "$dir/icd" ;;
fuzz_codes)    printf 'Z9181\nW0????A\nS720*\n0450-0459\n' > "$dir/codes" ;;
fuzz_template) for t in episodes/*/template.json; do cp "$t" "$dir/$(basename "$(dirname "$t")").json"; done
               cp tests/fixtures/guide/falls_a1/overlay.json "$dir/overlay.json" ;;
fuzz_hcc)      { head -200 episodes/common/cms_hcc_v28_dx_to_hcc.csv; printf '\0'
                 cat episodes/common/cms_hcc_v28_hierarchies.csv; } > "$dir/tables" ;;
fuzz_rules)    for f in episodes/*/attribution.lua episodes/*/savings.lua; do
                 cp "$f" "$dir/$(basename "$(dirname "$f")")_$(basename "$f")"; done ;;
fuzz_cclf)     { printf '\005'; printf '%0388d\n' 0; } > "$dir/cclf5"
               printf '\001P.A1234.ACO.ZC1Y27.D270115.T1200000' > "$dir/name" ;;
fuzz_fhir)     cp tests/fixtures/bcda/*.json "$dir"/
               printf '{"resourceType":"Patient","id":"p1","identifier":[{"system":"http://hl7.org/fhir/sid/us-mbi","value":"1EG4TE5MK73"}],"birthDate":"1950-04-02"}\n{"resourceType":"Coverage","id":"c1","status":"active","beneficiary":{"reference":"Patient/p1"},"period":{"start":"2020-01-01"}}\n' > "$dir/ndjson" ;;
esac
