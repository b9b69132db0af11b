#!/bin/sh
# tests/browser_it.sh: the portal in a real browser. Builds the demo's store (as
# scripts/demo.sh does: 5,000 beneficiaries, seed 42; 800 for the Firefox pass), one login per role, an EBRA offered to the
# demo provider, starts `cara serve` on a free loopback port and runs
# tests/browser/portal.test.mjs in headless Debian chromium, then again on a fresh store in
# headless Debian firefox-esr (puppeteer-core: CDP and WebDriver BiDi). Chromium's
# screenshots go to docs/img/. Run by `make test`. Needs chromium, node and tests/browser/node_modules
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
        OTHER_ACO_EP="$OTHER_ACO_EP" node "$ROOT/tests/browser/portal.test.mjs" || return 1
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
