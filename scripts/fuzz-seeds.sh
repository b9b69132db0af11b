#!/bin/sh
# Seed a fuzz target's corpus with real inputs from the repository.
# Usage: scripts/fuzz-seeds.sh TARGET DIR
# CARA_BIN (make fuzz sets it to build-fuzz/cara) writes a tiny synthetic dataset
# (cara synth) for the CCLF and FHIR delivery targets.
set -eu
target=$1
dir=$2
synth() { # synth FORMAT: a 3-beneficiary dataset in $tmp, or nothing without CARA_BIN
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  [ -n "${CARA_BIN:-}" ] && "$CARA_BIN" synth --out "$tmp" --beneficiaries 3 --seed 1 \
    --format "$1" >/dev/null 2>&1 || true
}
case "$target" in
fuzz_csv)      cp tests/fixtures/e2e/base/*.csv "$dir"/ ;;
fuzz_packed_lines)
    printf '[[1,"2027-01-01",null,"11","","97110","GP 59","1234567893","123456789","1234567893","123456789",7512,9390,0,null],[2,null,null,"","0024","","","","","","",-5,0,1,4200]]' >"$dir/two"
    printf '[ [ 3 , "a\\"b\\\\\\u00e9\\ud83d\\ude00" , null,"","","","","","","","",0,0,0,null ] ]' >"$dir/escapes" ;;
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
fuzz_http)     i=0
               for u in '/healthz' '/v1/episodes?run=1&npi=1234567893&limit=10&offset=0' \
                        '/v1/templates/falls_prevention/overlays/A0001' '/v1/reports/aco?aco=A0001&period=2027' \
                        '/v1/ebras/E%31/accept' '/v1/runs/%00' '/v1/jobs/1/cancel?x=%zz&=&&a' \
                        '/v1/templates/../history'; do
                 i=$((i+1)); printf "\\00$((i % 4))%s\nBearer cara_%040d" "$u" "$i" > "$dir/url$i"
               done
               printf '\000/v1/status\nbearer  cara_ABC' > "$dir/auth-bad" ;;
fuzz_api_bodies)
               printf '\000{"arrangement_id":"E9","aco_id":"A0001","npi":"1234567893","tin":"123456789","template_id":"falls_prevention","start_date":"2027-01-01","end_date":null,"discount_bps":300,"stop_loss_bps":2000}' > "$dir/offer"
               printf '\001{"end_date":"2027-06-30","by":"provider"}' > "$dir/end"
               printf '\002{"run":3,"version":"1.0.0","sha256":"%064d"}' 0 > "$dir/rollback"
               printf '\003{"template":"falls_prevention","episodes":["EP1","EP2"],"run":1,"attribution":"function attribute() return {method = \\"unattributed\\"} end"}' > "$dir/try"
               printf '\004{"template":"falls_prevention","period":2027}' > "$dir/run"
               { printf '\005'; cat tests/fixtures/guide/falls_a1/overlay.json; } > "$dir/overlay" ;;
fuzz_load)     i=0
               for f in tests/fixtures/e2e/base/*.csv tests/fixtures/risk/*.csv tests/fixtures/guide/*.csv; do
                 i=$((i+1))
                 case $(basename "$f") in
                   acos.csv) k=0 ;; providers.csv) k=1 ;; eligibility.csv) k=2 ;; alignment.csv) k=3 ;;
                   arrangements.csv) k=4 ;; participants.csv) k=5 ;; medical_claim.csv) k=6 ;; *) k=7 ;;
                 esac
                 { printf "\\00$k"; head -c 60000 "$f"; } > "$dir/$i-$(basename "$f")"
                 # the same file named input.csv: its kind from the header, skip_bad and strict
                 { printf '\037'; head -c 60000 "$f"; } > "$dir/$i-detect-$(basename "$f")"
               done ;;
fuzz_feed)     synth cclf
               if ls "$tmp"/cclf/*ZC1Y* >/dev/null 2>&1; then
                 { for n in 0 9 8 1 2 3 4 5 6; do
                     printf '%s' "$n"; head -c 7000 "$tmp"/cclf/*.ZC${n}Y*; printf '\0'
                   done; } > "$dir/delivery"
                 { printf '9'; cat "$tmp"/cclf/*.ZC9Y*; printf '\0'; printf '5'; head -c 3000 "$tmp"/cclf/*.ZC5Y*; printf '\0'
                   printf '5'; head -c 3000 "$tmp"/cclf/*.ZC5Y*; } > "$dir/two-deliveries"
               fi
               { printf '\205'; printf '%0388d\n' 0; } > "$dir/cclf5" ;;
fuzz_fhir_store)
               # the BCDA fixtures' Patient and Coverage Bundles (the EOB Bundle is over max_len)
               { cat tests/fixtures/bcda/Patient.json; printf '\0'; cat tests/fixtures/bcda/Coverage.json; } > "$dir/bcda"
               synth fhir
               if [ -f "$tmp/fhir/Patient.ndjson" ]; then
                 { cat "$tmp/fhir/Patient.ndjson"; printf '\0'; cat "$tmp/fhir/Coverage.ndjson"; printf '\0'
                   head -n 8 "$tmp/fhir/ExplanationOfBenefit.ndjson" | head -c 40000; } > "$dir/synth"
               fi ;;
fuzz_hl7)      # HL7 v2 messages (tests/test_hl7.c, tests/test_adt.c): the standard's A01, odd delimiters, an A40
               printf 'MSH|^~\\&|ADT1|GOOD HEALTH HOSPITAL|GHH LAB, INC.|GOOD HEALTH HOSPITAL|198808181126|SECURITY|ADT^A01^ADT_A01|MSG00001|P|2.5.1||\rEVN|A01|200708181123||\rPID|1||PATID1234^5^M11^ADT1^MR^GOOD HEALTH HOSPITAL~123456789^^^USSSA^SS||EVERYMAN^ADAM^A^III||19610615|M\rPV1|1|I|2000^2012^01||||004777^ATTEND^AARON^A|||SUR||||ADM|A0||||V9\r' > "$dir/a01"
               printf 'MSH|^~\\&|EPIC|GHH|CARA|ACO|20240105083000-0500||ADT^A03^ADT_A03|M3|P|2.3\rEVN|A03|20240105082900||||20240105080000\rPID|1||MRN123^^^GHH^MR~1EG4TE5MK73^^^CMS^MC||DOE^JANE\\T\\X\\.br\\||19450302|F\rPV1|1|I|||||1234567893^SMITH^JOHN^^^^^^NPPES^^^^NPI||||||||||||V100|||||||||||||||||01||||||||202401050800|20240109113000\rPV2|||S72.001A^Fx^I10\rDG1|1||S72.001A^Fx^I10|||A|||||||||1\rZPD|x\r' > "$dir/a03"
               printf 'MSH*%%$@!*SND*FAC*RCV*RFAC*20240101120000**ADT%%A40%%ADT_A39*C1*T*2.7.1\nPID*1**NEW7$1EG4TE5MK73%%%%%%CMS%%MC\r\nMRG*OLD9%%%%%%GHH%%MR$2AC3DE4FG56%%%%%%CMS%%MC\n' > "$dir/a40"
               printf 'MSH|^~\\&#|A|B|C|D|20240101||ADT^A08|X|D|2.8.2\rPID|||\\X4142\\\r' > "$dir/a08" ;;
fuzz_mllp)     # byte 1: the largest message, byte 2: the first read's size, then a stream
               { printf '\003\005'; printf '\013MSH|^~\\&|A\rPID|1\034\015junk\013MSH|^~\\&|B\034\013\013C\034\015'; } > "$dir/stream"
               { printf '\000\377\013'; head -c 3000 /dev/zero | tr '\0' 'x'; printf '\034\015\013ok\034\015'; } > "$dir/oversize" ;;
fuzz_rules_test)
               for t in episodes/*/tests/*.json; do cp "$t" "$dir/$(basename "$(dirname "$(dirname "$t")")")_$(basename "$t")"; done ;;
fuzz_rule_calls)
               # knobs (7 bytes), then claim lines of 24 bytes (tests/fuzz/fuzz_rule_calls.c)
               claims='\001\001\002\000\000\001\000\000\004\000\001\001\001\000\000\000\020\047\000\000\000\001\001\000'
               claims2='\001\002\002\012\000\002\000\000\004\000\007\001\000\000\001\001\210\023\000\000\100\000\002\001'
               printf "\000\001\002\000\000\002\002\000$claims$claims2$claims" > "$dir/shipped"
               printf "\000\003\002\001\001\001\001\001$claims2$claims2" > "$dir/shipped2"
               { printf '\001\000\001\000\000\002\002\000'; cat episodes/falls_prevention/attribution.lua \
                   episodes/falls_prevention/savings.lua; printf "\\0$claims$claims2"; } > "$dir/rules" ;;
esac
