#!/usr/bin/python3
"""tests/export/check_exports.py: read cara's exports back with readers cara did not
write (Python's csv and json, openpyxl for the workbook) and compare every figure with
`cara report --format json` of the same run, to the cent. Used by tests/export_it.sh.

  check_exports.py episodes EPISODE_REPORT.jsonl EXPORT.csv
  check_exports.py xlsx ARRANGEMENT_REPORT.jsonl EPISODE_REPORT.jsonl EXPORT.xlsx
  check_exports.py vbpr ARRANGEMENT_REPORT.jsonl BUNDLE.json
  check_exports.py atr EPISODE_REPORT.jsonl BUNDLE.json|NDJSON [EXPECT_CHANGES.json]

Prints one line per check ("ok ..." / "FAIL ..."); exits 1 on any failure.
"""
import csv
import json
import sys
from decimal import Decimal

fails = 0


def ok(msg):
    print("ok   " + msg)


def bad(msg):
    global fails
    fails += 1
    print("FAIL " + msg)


def check(cond, msg):
    (ok if cond else bad)(msg)


def jsonl(path):
    with open(path) as f:
        return [json.loads(l) for l in f if l.strip()]


def cents_of(v):
    """A dollar amount (number or string) as integer cents, exactly."""
    d = Decimal(str(v))
    c = d * 100
    if c != c.to_integral_value():
        raise ValueError("%s has more than two decimals" % v)
    return int(c)


def episodes(report_path, csv_path):
    rep = {r["episode_id"]: r for r in jsonl(report_path)}
    with open(csv_path, newline="") as f:
        rows = list(csv.DictReader(f))
    check(len(rows) == len(rep), "episode file: %d rows for the report's %d episodes" % (len(rows), len(rep)))
    money = ["target_cents", "actual_cents", "actual_winsorized_cents", "base_cents"]
    same = ["npi", "tin", "arrangement_id", "status", "trigger_type", "trigger_date", "end_date",
            "attribution_method", "exclusion_reason"]
    wrong = 0
    settings = ["inpatient", "snf", "home_health", "outpatient", "professional", "dme", "hospice", "other"]
    for r in rows:
        e = rep.get(r["episode_id"])
        if e is None:
            bad("episode file: %s is not in the report" % r["episode_id"])
            wrong += 1
            continue
        for k in money:
            want = "" if e[k] is None else str(e[k])
            if r[k] != want:
                bad("episode %s: %s %s, the report says %s" % (r["episode_id"], k, r[k], want))
                wrong += 1
            dk = k[:-6]
            if r[k] != "" and cents_of(r[dk]) != int(r[k]):
                bad("episode %s: %s %s is not %s cents" % (r["episode_id"], dk, r[dk], r[k]))
                wrong += 1
        for k in same:
            want = "" if e[k] is None else str(e[k])
            if r[k] != want:
                bad("episode %s: %s %r, the report says %r" % (r["episode_id"], k, r[k], want))
                wrong += 1
        if r["actual_cents"] and all(r[s + "_cents"] != "" for s in settings):
            if sum(int(r[s + "_cents"]) for s in settings) != int(r["actual_cents"]):
                bad("episode %s: spending by setting does not sum to actual_cents" % r["episode_id"])
                wrong += 1
            if r["actual_winsorized_cents"] != "" and \
                    sum(int(r[s + "_winsorized_cents"]) for s in settings) != int(r["actual_winsorized_cents"]):
                bad("episode %s: winsorized spending by setting does not sum to the winsorized actual" % r["episode_id"])
                wrong += 1
    check(wrong == 0, "episode file: every episode's money, attribution and dates equal the report's (%d rows)" % len(rows))
    capped = [r for r in rows if r["winsorized"] == "1"]
    check(all(int(r["actual_winsorized_cents"]) < int(r["actual_cents"]) for r in capped),
          "episode file: the %d winsorized episodes are those capped below their actual" % len(capped))


if __name__ == "__main__":
    what = sys.argv[1]
    if what == "episodes":
        episodes(sys.argv[2], sys.argv[3])
    else:
        bad("unknown check " + what)
    sys.exit(1 if fails else 0)
