#!/bin/sh
# tests/browser_it.sh: the portal in a real browser. Builds the demo's store (as
# scripts/demo.sh does: 5,000 beneficiaries, seed 42; 800 for the Firefox pass), one login per role, an EBRA offered to the
# demo provider, starts `cara serve` on a free loopback port and runs
# tests/browser/portal.test.mjs in headless Debian chromium, then again on a fresh store in
# headless Debian firefox-esr (puppeteer-core: CDP and WebDriver BiDi). Chromium's
# screenshots go to docs/img/. Run by `make test`.
# The hospital ADT feed: the synth's adt.hl7 is taken (`cara adt take`) before the run, so
# that the run confirms, changes or drops its provisional episodes; after the run two
# hand-written ED falls (hl7_ed_fall below) give the demo provider a task (its NPI as the
# attending) and one beneficiary a missed one (aligned to A0001 by hand for 2026-11, so
# that the task's due date is past on the wall clock); the test itself takes a third
# while the ACO's Tasks page is open, to see the long poll bring it. Needs chromium, node and tests/browser/node_modules
# (`make deps`): without them it fails, saying so.
set -eu
CARA=${CARA_BIN:-build/cara}
SRC_EPISODES=${CARA_EPISODES:-episodes}
PLUGINS=${CARA_PLUGINS:-build/plugins}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CHROME=${CARA_CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
FIREFOX=${CARA_FIREFOX:-$(command -v firefox-esr || command -v firefox || true)}
missing=
[ -n "$CHROME" ] && [ -x "$CHROME" ] || missing="Debian chromium"
[ -n "$FIREFOX" ] && [ -x "$FIREFOX" ] || missing="${missing:+$missing, }Debian firefox-esr"
command -v node >/dev/null 2>&1 || missing="${missing:+$missing, }node"
[ -d "$ROOT/tests/browser/node_modules/puppeteer-core" ] || missing="${missing:+$missing, }tests/browser/node_modules (npm ci)"
if [ -n "$missing" ]; then
    echo "browser_it: FAIL: the browser test needs $missing: run 'make deps'" >&2
    exit 1
fi
if ! "$CARA" help 2>&1 | grep -q '^ *user '; then
    echo "browser_it: FAIL: this cara has no 'user' command (log-in accounts): the portal cannot be tested" >&2
    exit 1
fi
T=$(mktemp -d /tmp/cara-br-XXXXXX)
PID=
status=1
cleanup() {
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then kill -TERM "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
    if [ "$status" -ne 0 ]; then echo "--- service log:"; tail -30 "${LOG:-$T/log}" 2>/dev/null || true; fi
    rm -rf "$T"
}
trap cleanup EXIT
# adt_take FILE OUT: `cara adt take FILE` into $DB, its lines into OUT; prints the summary
# (its last line). Every message must be taken: an AE or AR (exit 1) fails the test.
adt_take() {
    if ! "$CARA" --db "$DB" --episodes "$W/episodes" --plugins "$PLUGINS" adt take "$1" >"$2" 2>&1; then
        echo "browser_it: FAIL: cara adt take $1 refused messages or failed:" >&2
        grep -v ': AA ' "$2" >&2 || true
        return 1
    fi
    echo "adt take $(basename "$1"): $(tail -1 "$2")"
}
# hl7_candidates DATE N: N beneficiaries aligned to A0001 and enrolled on DATE (not ESRD,
# not in hospice, born before 1955, alive), with no provisional episode and not a previous
# MBI: an ED fall on DATE opens a falls_prevention episode for each.
hl7_candidates() {
    q "SELECT a.person_id FROM alignment a JOIN eligibility e ON e.person_id = a.person_id
       WHERE a.aco_id = 'A0001' AND a.start_date <= '$1' AND (a.end_date IS NULL OR a.end_date >= '$1')
       AND e.enrollment_start_date <= '$1' AND (e.enrollment_end_date IS NULL OR e.enrollment_end_date >= '$1')
       AND e.death_date IS NULL AND e.hospice_flag = 0 AND e.medicare_status_code IN ('10', '20')
       AND e.birth_date < '1955-01-01'
       AND a.person_id NOT IN (SELECT person_id FROM provisional_episodes)
       AND a.person_id NOT IN (SELECT previous_mbi FROM mbi_xwalk)
       AND a.person_id NOT IN (SELECT person_id FROM alignment WHERE start_date < '2027-01-01')
       GROUP BY a.person_id ORDER BY a.person_id LIMIT $2"
}
# hl7_ed_fall CONTROL_ID MBI YYYYMMDDHHMM ATTENDING_NPI: an ED registration (A04, patient
# class E) with a fall external cause (W19XXXA), as in tests/fixtures/adt/messages.hl7.
hl7_ed_fall() {
    att=
    [ -n "$4" ] && att="$4^ATTENDING^PAT^^^^^^NPI^^^^NPI"
    printf 'MSH|^~\\&|EPIC|GENHOSP|CARA|A1|%s||ADT^A04^ADT_A01|%s|P|2.5.1\n' "$3" "$1"
    printf 'EVN|A04|%s\n' "$3"
    printf 'PID|1||MRN%s^^^GENHOSP^MR~%s^^^CMS^MC||DOE^PAT||19500615|F\n' "$1" "$2"
    printf 'PV1|1|E|||||%s||||||||||||V%s|||||||||||||||||||||||||%s\n' "$att" "$1" "$3"
    printf 'DG1|1||W19XXXA^^I10|||W|||||||||1\n\n'
}
# one_pass BROWSER SHOTS N: a fresh demo store of N beneficiaries, its service and the test in BROWSER
# (chromium or firefox), screenshots into SHOTS. 0 when every check passed.
one_pass() {
    BR=$1
    SHOTS_DIR=$2
    BENES=$3
    W="$T/$BR"
        mkdir -p "$W"
        DB="$W/demo.db"
    PASSWORD="browser-test-password"

    cp -R "$SRC_EPISODES" "$W/episodes"
    LOG="$W/log"
    "$CARA" synth --out "$W/d" --beneficiaries "$BENES" --seed 42 >/dev/null || return 1
    "$CARA" --db "$DB" load "$W/d" >/dev/null || return 1
    adt_take "$W/d/adt.hl7" "$W/adt-synth.out" || return 1
    "$CARA" --db "$DB" --episodes "$W/episodes" --plugins "$PLUGINS" run >/dev/null || return 1

    q() { sqlite3 "$DB" "$1"; }
    # the demo provider: the ACO A0001 NPI with the most attributed episodes
    NPI=$(q "SELECT npi FROM run_episodes WHERE aco_id = 'A0001' AND npi IS NOT NULL GROUP BY npi ORDER BY count(*) DESC, npi LIMIT 1")
    TIN=$(q "SELECT tin FROM arrangements WHERE npi = '$NPI' AND aco_id = 'A0001' ORDER BY arrangement_id LIMIT 1")
    OWN_EP=$(q "SELECT episode_id FROM run_episodes WHERE npi = '$NPI' ORDER BY episode_id LIMIT 1")
    OTHER_PROV_EP=$(q "SELECT episode_id FROM run_episodes WHERE aco_id = 'A0001' AND npi IS NOT NULL AND npi <> '$NPI' ORDER BY episode_id LIMIT 1")
    OTHER_ACO_EP=$(q "SELECT episode_id FROM run_episodes WHERE aco_id <> 'A0001' AND npi IS NOT NULL ORDER BY episode_id LIMIT 1")
    [ -n "$NPI" ] && [ -n "$OWN_EP" ] && [ -n "$OTHER_PROV_EP" ] && [ -n "$OTHER_ACO_EP" ] || {
        echo "browser_it: FAIL: the demo store has no attributed episodes to test with" >&2; exit 1; }

    # ED falls by hand: beneficiaries of A0001 on the day with no provisional episode yet
    # (hl7_candidates), the first for the demo provider (attending; it has the ACO's
    # falls_prevention arrangement), the second for the live test, the third missed
    set -- $(hl7_candidates 2027-03-10 3)
    [ $# -eq 3 ] || { echo "browser_it: FAIL: no three A0001 beneficiaries for the ED falls (got: $*)" >&2; exit 1; }
    PT_PERSON=$1 LIVE_PERSON=$2 MISSED_PERSON=$3
    [ -n "$(q "SELECT arrangement_id FROM arrangements WHERE npi = '$NPI' AND aco_id = 'A0001' AND template_id = 'falls_prevention' AND status = 'active' AND start_date <= '2027-03-10'")" ] || {
        echo "browser_it: FAIL: the demo provider $NPI has no active falls_prevention arrangement with A0001 on 2027-03-10 (its task comes from one)" >&2; exit 1; }
    hl7_ed_fall BRPT1 "$PT_PERSON" 202703101225 "$NPI" >"$W/pt-fall.hl7"
    q "INSERT INTO alignment (person_id, aco_id, start_date, end_date) VALUES ('$MISSED_PERSON', 'A0001', '2026-10-01', '2026-12-31')"
    hl7_ed_fall BRMISSED1 "$MISSED_PERSON" 202610200900 "" >"$W/missed-fall.hl7"
    adt_take "$W/pt-fall.hl7" "$W/adt-pt.out" || return 1
    adt_take "$W/missed-fall.hl7" "$W/adt-missed.out" || return 1
    [ "$(q "SELECT count(*) FROM care_tasks WHERE npi = '$NPI' AND status = 'open'")" -ge 1 ] &&
        [ "$(q "SELECT count(*) FROM care_tasks WHERE person_id = '$MISSED_PERSON' AND due_date < date('now')")" -ge 1 ] || {
        echo "browser_it: FAIL: the hand-written ED falls opened no task for $NPI or none past due:" >&2
        cat "$W/adt-pt.out" "$W/adt-missed.out" >&2; exit 1; }
    hl7_ed_fall BRLIVE1 "$LIVE_PERSON" 202703101300 "" >"$W/live-fall.hl7"

    for u in "cms-test cms" "aco-test aco:A0001" "pt-test provider:$NPI"; do
        set -- $u
        printf '%s\n' "$PASSWORD" | "$CARA" --db "$DB" user add "$1" --role "$2" --password-stdin >/dev/null
    done
    # an offer to the demo provider, on a template it has no arrangement for
    OFFER=
    for tmpl in knee_arthroplasty functional_independence falls_prevention; do
        if "$CARA" --db "$DB" --episodes "$W/episodes" ebra offer E000901 --aco A0001 --npi "$NPI" --tin "$TIN" \
            --template "$tmpl" --start 2027-06-01 >/dev/null 2>&1; then OFFER=E000901; break; fi
    done
    [ -n "$OFFER" ] || { echo "browser_it: FAIL: no EBRA could be offered to $NPI" >&2; exit 1; }

    "$CARA" --db "$DB" --episodes "$W/episodes" --plugins "$PLUGINS" serve --listen 127.0.0.1:0 >"$W/url" 2>"$W/log" &
    PID=$!
    i=0
    while [ ! -s "$W/url" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    URL=$(head -1 "$W/url")
    [ -n "$URL" ] || { echo "browser_it: FAIL: the service did not start" >&2; exit 1; }

    mkdir -p "$SHOTS_DIR"
    echo "== the portal in $BR"
    BROWSER=$BR CARA_URL="$URL" CHROME="$CHROME" FIREFOX="$FIREFOX" SHOTS="$SHOTS_DIR" PASSWORD="$PASSWORD" \
        PT_NPI="$NPI" OFFER="$OFFER" OWN_EP="$OWN_EP" OTHER_PROV_EP="$OTHER_PROV_EP" \
        OTHER_ACO_EP="$OTHER_ACO_EP" CARA="$CARA" DB="$DB" EPISODES="$W/episodes" PLUGINS="$PLUGINS" \
        LIVE_FALL="$W/live-fall.hl7" LIVE_PERSON="$LIVE_PERSON" MISSED_PERSON="$MISSED_PERSON" \
        node "$ROOT/tests/browser/portal.test.mjs" || return 1
    kill -TERM "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
    PID=
}

# Chromium's screenshots are the documentation's; Firefox's go to the scratch folder.
# Chromium runs on the demo's own dataset (scripts/demo.sh: 5,000 beneficiaries, seed 42),
# so the pictures show the demo; Firefox on a smaller one of the same seed.
one_pass chromium "$ROOT/docs/img" "${BROWSER_BENEFICIARIES:-5000}" &&
    one_pass firefox "$T/firefox-shots" "${BROWSER_FIREFOX_BENEFICIARIES:-800}" && status=0
exit $status
