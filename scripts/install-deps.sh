#!/bin/sh
# Install exactly the Debian 12 packages cara needs to build, test and benchmark.
# Non-interactive; uses sudo when not root. Keep in step with DEP_PKGS in the Makefile.
set -eu
PKGS="gcc make pkg-config libuv1-dev liblua5.4-dev libsqlite3-dev libjansson-dev libmicrohttpd-dev libzip-dev libssl-dev libsodium-dev libxlsxwriter-dev check sqlite3 curl openssl time python3 python3-hl7 python3-openpyxl libjs-chart.js chromium firefox-esr wrk"
# node and npm for the browser test (tests/browser); kept when already installed (e.g. NodeSource's)
command -v node >/dev/null 2>&1 || PKGS="$PKGS nodejs"
command -v npm >/dev/null 2>&1 || PKGS="$PKGS npm"
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends $PKGS
