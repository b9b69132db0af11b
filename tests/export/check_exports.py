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


def fhir_resources(path):
    """The resources of a Bundle file or an NDJSON file."""
    with open(path) as f:
        text = f.read()
    if text.lstrip().startswith("{") and "\n{" not in text.strip():
        doc = json.loads(text)
        if doc.get("resourceType") == "Bundle":
            return [e["resource"] for e in doc.get("entry", [])]
        return [doc]
    try:
        doc = json.loads(text)
        if doc.get("resourceType") == "Bundle":
            return [e["resource"] for e in doc.get("entry", [])]
    except ValueError:
        pass
    return [json.loads(l) for l in text.splitlines() if l.strip()]


def ext(elem, suffix):
    for e in elem.get("extension", []):
        if e.get("url", "").endswith(suffix):
            return e
    return None


def money_cents(group):
    """The Money of a VBPR group as cents: measureScore's alternate-measurescore valueMoney."""
    ms = group.get("measureScore", {})
    e = ext(ms, "alternate-measurescore")
    if e is None or "valueMoney" not in e:
        return None
    m = e["valueMoney"]
    if m.get("currency") != "USD":
        raise ValueError("currency %r" % m.get("currency"))
    return cents_of(m["value"])


def vbpr(report_path, bundle_path):
    rep = {(r["arrangement_id"], r["period"]): r for r in jsonl(report_path)}
    res = fhir_resources(bundle_path)
    mrs = [r for r in res if r["resourceType"] == "MeasureReport"]
    check(len(mrs) == len(rep), "vbpr: %d MeasureReports for the report's %d arrangement years" % (len(mrs), len(rep)))
    ids = {(r["resourceType"], r["id"]) for r in res}
    wrong = 0
    for m in mrs:
        year = int(m["period"]["start"][:4])
        mid = m["measure"].rsplit("/", 1)[-1]
        ebra = None
        for (a, p) in rep:
            if p == year and mid in ("ebra-" + a, a):
                ebra = a
        if ebra is None:
            bad("vbpr: %s names no arrangement year of the report" % m["id"])
            wrong += 1
            continue
        r = rep[(ebra, year)]
        g = {x.get("id"): x for x in m.get("group", [])}
        want = {"target": r["target_cents"], "actual": r["actual_cents"],
                "actual-winsorized": r["actual_winsorized_cents"], "payment": r["payment_cents"]}
        if r["gross_cents"] is not None:
            want["gross-savings"] = r["gross_cents"]
            want["quality-adjusted-savings"] = r["quality_adjusted_cents"]
        for k, v in want.items():
            got = money_cents(g[k]) if k in g else None
            if got != v:
                bad("vbpr %s: %s is %s cents, the report says %s" % (m["id"], k, got, v))
                wrong += 1
        if g["episodes"]["measureScore"]["value"] != r["episodes"]:
            bad("vbpr %s: %s episodes, the report says %s" % (m["id"], g["episodes"]["measureScore"]["value"], r["episodes"]))
            wrong += 1
        if r["quality_bps"] is not None:
            q = Decimal(str(g["quality"]["measureScore"]["value"])) * 10000
            if q != r["quality_bps"]:
                bad("vbpr %s: quality %s, the report says %s bps" % (m["id"], q, r["quality_bps"]))
                wrong += 1
        st = g["status"]["measureScore"] if "measureScore" in g["status"] else g["status"]
        codes = json.dumps(g["status"])
        if '"%s"' % r["status"] not in codes:
            bad("vbpr %s: status %s, the report says %s" % (m["id"], codes[:120], r["status"]))
            wrong += 1
        if m["status"] != ("pending" if r["status"] == "interim" else "complete"):
            bad("vbpr %s: status %s for a %s result" % (m["id"], m["status"], r["status"]))
            wrong += 1
        for ref in (m["subject"]["reference"], m["reporter"]["reference"]):
            if tuple(ref.split("/", 1)) not in ids:
                bad("vbpr %s: reference %s does not resolve in the Bundle" % (m["id"], ref))
                wrong += 1
    check(wrong == 0, "vbpr: every MeasureReport's episodes, target, actual, savings, quality, payment and status equal the report's, to the cent")


def atr_members(res):
    groups = [r for r in res if r["resourceType"] == "Group"]
    if len(groups) != 1:
        raise ValueError("%d Groups" % len(groups))
    roles = {r["id"]: r for r in res if r["resourceType"] == "PractitionerRole"}
    pracs = {r["id"]: r for r in res if r["resourceType"] == "Practitioner"}
    orgs = {r["id"]: r for r in res if r["resourceType"] == "Organization"}
    out = {}
    for m in groups[0].get("member", []):
        pid = m["entity"]["reference"].split("/", 1)[1]
        ct = ext(m, "changeType")
        prov = ext(m, "attributedProvider")
        npi = tin = None
        if prov:
            kind, rid = prov["valueReference"]["reference"].split("/", 1)
            if kind == "PractitionerRole":
                role = roles[rid]
                npi = [i["value"] for i in pracs[role["practitioner"]["reference"].split("/", 1)[1]]["identifier"]
                       if i.get("system") == "http://hl7.org/fhir/sid/us-npi"][0]
                tin = [i["value"] for i in orgs[role["organization"]["reference"].split("/", 1)[1]]["identifier"]
                       if i.get("system") == "urn:oid:2.16.840.1.113883.4.4"][0]
        out.setdefault(pid, []).append({
            "inactive": m.get("inactive", False), "change": ct["valueCode"] if ct else None,
            "npi": npi, "tin": tin, "period": m.get("period")})
    return groups[0], out


def atr(report_path, bundle_path, previous_path=None):
    res = fhir_resources(bundle_path)
    group, members = atr_members(res)
    ids = {(r["resourceType"], r["id"]) for r in res}
    check(group.get("type") == "person" and group.get("actual") is True, "atr: a Group of type person, actual")
    check(ext(group, "attributionListStatus") is not None, "atr: the Group has its attributionListStatus")
    refs = []
    for pid, ms in members.items():
        refs.append(("Patient", pid))
    check(all(r in ids for r in refs), "atr: every member's Patient is in the list")
    active = {p: [m for m in ms if not m["inactive"]] for p, ms in members.items()}
    active = {p: ms[0] for p, ms in active.items() if ms}
    if report_path and report_path != "-":
        eps = [r for r in jsonl(report_path) if r["arrangement_id"] and r["target_cents"] is not None]
        latest = {}
        for e in eps:
            k = e["person_id"]
            if k not in latest or e["trigger_date"] > latest[k]["trigger_date"]:
                latest[k] = e
        check(set(active) == set(latest), "atr: the active members are the beneficiaries with attributed episodes (%d)" % len(latest))
        wrong = [p for p, e in latest.items() if p in active and (active[p]["npi"], active[p]["tin"]) != (e["npi"], e["tin"])]
        check(not wrong, "atr: each member's attributed provider (NPI and TIN) is its latest episode's specialist")
    if previous_path:
        _, prev = atr_members(fhir_resources(previous_path))
        prev = {p: [m for m in ms if not m["inactive"]][0] for p, ms in prev.items() if any(not m["inactive"] for m in ms)}
        counts = {}
        wrong = 0
        for p, m in active.items():
            o = prev.get(p)
            want = "new" if o is None else ("nochange" if (o["npi"], o["tin"], o["period"]) == (m["npi"], m["tin"], m["period"]) else "changed")
            counts[want] = counts.get(want, 0) + 1
            if m["change"] != want:
                bad("atr: member %s is %s, expected %s (previously %s, now %s)" % (p, m["change"], want, o, m))
                wrong += 1
        dropped = [p for p in prev if p not in active]
        for p in dropped:
            if not any(m["inactive"] and m["change"] == "dropped" for m in members.get(p, [])):
                bad("atr: %s left the list but is not listed inactive with changeType dropped" % p)
                wrong += 1
        counts["dropped"] = len(dropped)
        check(wrong == 0, "atr: every changeType against the previous list is right (%s)" %
              ", ".join("%s %d" % kv for kv in sorted(counts.items())))
        print("counts " + json.dumps(counts, sort_keys=True))


def sheet_rows(ws, header_row):
    rows = list(ws.iter_rows(min_row=header_row, values_only=True))
    head = rows[0]
    return [dict(zip(head, r)) for r in rows[1:] if any(v is not None for v in r)]


def dollars_cents(v):
    """A workbook dollar cell (cents / 100 as a float) as cents, exactly or an error."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ValueError("not a number: %r" % (v,))
    c = round(v * 100)
    if abs(v * 100 - c) > 1e-6:
        raise ValueError("%r is not a whole number of cents" % v)
    return c


def xlsx(arr_report, ep_report, path):
    import openpyxl
    wb = openpyxl.load_workbook(path, data_only=True)
    want = ["Summary", "Terms", "Target prices", "Baseline", "Episodes", "Projected payment"]
    check(wb.sheetnames == want, "xlsx: the six sheets in order (%s)" % ", ".join(wb.sheetnames))
    rep = {(r["arrangement_id"], r["period"]): r for r in jsonl(arr_report)}
    summ = sheet_rows(wb["Summary"], 8)
    check(len(summ) == len(rep), "xlsx Summary: %d rows for the report's %d arrangement years" % (len(summ), len(rep)))
    money = {"target": "target_cents", "actual": "actual_cents", "winsorized actual": "actual_winsorized_cents",
             "gross (target - winsorized)": "gross_cents", "quality-adjusted": "quality_adjusted_cents",
             "payment": "payment_cents", "leakage paid": "leakage_paid_cents"}
    wrong = 0
    for row in summ:
        r = rep.get((row["arrangement_id"], row["period"]))
        if r is None:
            bad("xlsx Summary: %s %s is not in the report" % (row["arrangement_id"], row["period"]))
            wrong += 1
            continue
        for col, key in money.items():
            v = row[col]
            got = None if v is None else dollars_cents(v)
            if got != r[key]:
                bad("xlsx Summary %s %s: %s %r, the report says %s cents" % (row["arrangement_id"], row["period"], col, v, r[key]))
                wrong += 1
        if row["episodes"] != r["episodes"] or not isinstance(row["episodes"], int):
            bad("xlsx Summary %s: episodes %r, the report says %s" % (row["arrangement_id"], row["episodes"], r["episodes"]))
            wrong += 1
        for col, key in (("quality %", "quality_bps"), ("share %", "share_bps")):
            got = None if row[col] is None else round(row[col] * 10000)
            if got != r[key]:
                bad("xlsx Summary %s: %s %r, the report says %s bps" % (row["arrangement_id"], col, row[col], r[key]))
                wrong += 1
        if (row["cap applied"] or None) != r["cap_applied"] or row["status"] != r["status"]:
            bad("xlsx Summary %s: cap %r status %r, the report says %r %r" % (row["arrangement_id"], row["cap applied"], row["status"], r["cap_applied"], r["status"]))
            wrong += 1
    check(wrong == 0, "xlsx Summary: every figure equals the arrangement report's, to the cent, as numbers")
    eps = {r["episode_id"]: r for r in jsonl(ep_report)}
    erows = sheet_rows(wb["Episodes"], 2)
    check(len(erows) == len(eps), "xlsx Episodes: %d rows for the report's %d episodes" % (len(erows), len(eps)))
    wrong = 0
    for row in erows:
        e = eps.get(row["episode_id"])
        if e is None:
            wrong += 1
            continue
        for col, key in (("target", "target_cents"), ("actual", "actual_cents"), ("winsorized actual", "actual_winsorized_cents")):
            got = None if row[col] is None else dollars_cents(row[col])
            if got != e[key]:
                bad("xlsx Episodes %s: %s %r, the report says %s" % (row["episode_id"], col, row[col], e[key]))
                wrong += 1
        if (row["arrangement_id"] or None) != e["arrangement_id"] or row["status"] != e["status"]:
            wrong += 1
        if row["trigger date"] is None or not hasattr(row["trigger date"], "year") or row["trigger date"].strftime("%Y-%m-%d") != e["trigger_date"]:
            bad("xlsx Episodes %s: trigger date %r is not the date %s" % (row["episode_id"], row["trigger date"], e["trigger_date"]))
            wrong += 1
    check(wrong == 0, "xlsx Episodes: every episode's target, actual, winsorized actual, EBRA, status and date equal the report's")
    prices = sheet_rows(wb["Target prices"], 2)
    top = max((r["HCC count (min)"] for r in prices), default=0)
    wrong = seen = 0
    for e in eps.values():
        if e["target_cents"] is None:
            continue
        f4 = lambda s: round(float(s), 4)
        rows = [r for r in prices if r["template"] == e["template_id"] and r["performance year"] == int(e["trigger_date"][:4])
                and r["trigger"] == e["trigger_type"] and round(r["age factor"], 4) == f4(e["age_factor"])
                and r["HCC count (min)"] == min(e["hcc_count"], top) and round(r["dual factor"], 4) == f4(e["dual_factor"])]
        col = (e["arrangement_id"] + " discounted target") if e["arrangement_id"] else "target before discount"
        vals = {dollars_cents(r[col]) for r in rows if r.get(col) is not None}
        seen += 1
        if vals != {e["target_cents"]}:
            bad("xlsx Target prices: episode %s (target %s cents) reads %s in column %r" % (e["episode_id"], e["target_cents"], sorted(vals), col))
            wrong += 1
    check(seen > 0 and wrong == 0, "xlsx Target prices: the price of every priced episode's risk band and EBRA is its target (%d episodes)" % seen)
    proj = sheet_rows(wb["Projected payment"], 2)
    wrong = 0
    for row in proj:
        r = rep.get((row["arrangement_id"], row["period"]))
        if r is None or dollars_cents(row["projected payment"]) != r["payment_cents"] or row["difference"] != 0:
            bad("xlsx Projected payment %s %s: %r (difference %r), the report says %s" % (row["arrangement_id"], row["period"], row["projected payment"], row["difference"], r and r["payment_cents"]))
            wrong += 1
    check(len(proj) == len(rep) and wrong == 0, "xlsx Projected payment: the recomputed payment of every row is the run's (difference 0)")
    wf = openpyxl.load_workbook(path, data_only=False)
    ws = wf["Projected payment"]
    head = [c.value for c in ws[2]]
    col = head.index("projected payment") + 1
    forms = [ws.cell(row=i, column=col).value for i in range(3, 3 + len(proj))]
    check(all(isinstance(f, str) and f.startswith("=") for f in forms), "xlsx: the projected payments are formulas (%s)" % (forms[0] if forms else None))


if __name__ == "__main__":
    what = sys.argv[1]
    if what == "episodes":
        episodes(sys.argv[2], sys.argv[3])
    elif what == "xlsx":
        xlsx(sys.argv[2], sys.argv[3], sys.argv[4])
    elif what == "vbpr":
        vbpr(sys.argv[2], sys.argv[3])
    elif what == "atr":
        atr(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else None)
    else:
        bad("unknown check " + what)
    sys.exit(1 if fails else 0)
