#!/bin/sh
# tests/synth_adt_py.sh: `cara synth`'s adt.hl7 read by a parser cara did not write,
# Debian's python3-hl7 (hl7.client.read_loose, as `mllp_send --loose` splits the file,
# then hl7.parse), against adt_manifest.csv: every message is ADT with MSH-12 2.5.1 and
# a PV1-19 of the manifest; each sent claim-backed visit has one admission (A04 PV1-2 E
# or A01 PV1-2 I) whose PV1-44 is on admit_date and an A03 whose PV1-45 is on
# discharge_date and PV1-36 is discharge_disposition; a cancelled visit has an A11; the
# repeated MSH-10 are the manifest's duplicated messages. Not part of `make test` (it
# needs python3-hl7): run it by hand as
#   CARA_BIN=build/cara sh tests/synth_adt_py.sh
set -eu
CARA=${CARA_BIN:-build/cara}
PY=python3
for p in /usr/bin/python3 python3; do
    if "$p" -c 'import hl7' 2>/dev/null; then PY=$p; break; fi
done
if ! "$PY" -c 'import hl7' 2>/dev/null; then
    echo "skipped: no python3 with the hl7 module (Debian: python3-hl7)"
    exit 0
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/cara-adt-py-XXXXXX")
trap 'rm -rf "$T"' EXIT
"$CARA" synth --out "$T/d" --beneficiaries "${ADT_PY_BENEFICIARIES:-1500}" --seed 17 >"$T/synth.out"
"$PY" - "$T/d" <<'EOF'
import collections, csv, io, sys
import hl7, hl7.client

d = sys.argv[1]
fails = passes = 0
def check(ok, what):
    global fails, passes
    if ok:
        passes += 1
    else:
        fails += 1
        print("FAIL", what)

rows = {r["visit_number"]: r for r in csv.DictReader(open(d + "/adt_manifest.csv"))}
with open(d + "/adt.hl7", "rb") as f:
    raw = list(hl7.client.read_loose(f))
by_visit = collections.defaultdict(list)
ctrl = collections.Counter()
for r in raw:
    m = hl7.parse(r.decode())
    msh, pv1 = m.segment("MSH"), m.segment("PV1")
    ev = str(msh[9][0][1])
    ctrl[str(msh[10])] += 1
    check(str(msh[9][0][0]) == "ADT" and str(msh[12]) == "2.5.1", "MSH-9/MSH-12 of %s" % msh[10])
    visit = str(pv1[19][0][0])
    check(visit in rows, "PV1-19 %s not in the manifest" % visit)
    f = lambda n: str(pv1[n]) if len(pv1) > n else ""  # trailing empty fields are left out
    by_visit[visit].append((ev, f(2), f(36), f(44), f(45)))
dups = sum(int(r["duplicated_messages"]) for r in rows.values())
check(sum(n - 1 for n in ctrl.values()) == dups, "repeated MSH-10 = the manifest's duplicates")
for v, r in rows.items():
    msgs = by_visit.get(v, [])
    if r["fate"] == "missing":
        check(not msgs, "%s missing but sent" % v)
        continue
    if r["fate"] == "cancelled":
        check(any(e[0] == "A11" for e in msgs) and r["claim_id"] == "", "%s: cancelled" % v)
        continue
    day = lambda ts: "%s-%s-%s" % (ts[0:4], ts[4:6], ts[6:8])
    adm = [e for e in msgs if e[0] in ("A04", "A01")]
    a03 = [e for e in msgs if e[0] == "A03"]
    want = ("A04", "E") if r["kind"] == "ed" else ("A01", "I")
    check(adm and all(e[:2] == want for e in adm), "%s: admission %s" % (v, adm[:1]))
    check(adm and day(adm[0][3]) == r["admit_date"], "%s: PV1-44 %s" % (v, adm[:1]))
    check(a03 and day(a03[-1][4]) == r["discharge_date"], "%s: PV1-45" % v)
    check(a03 and a03[-1][2] == r["discharge_disposition"], "%s: PV1-36" % v)
print("python3-hl7: %d messages, %d visits" % (len(raw), len(rows)))
print("%d passed, %d failed" % (passes, fails))
sys.exit(1 if fails else 0)
EOF
