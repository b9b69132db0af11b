#!/usr/bin/python3
"""tests/export/xlsx_read.py FILE.xlsx...: an independent reader of the contracting workbook
for tests/test_export_xlsx.c. Prints one JSON object, {"FILE.xlsx": BOOK, ...}, where a
BOOK is

  {"xml_ok": true,                       every XML part of the zip is well-formed
   "sheets": ["Summary", ...],           in the workbook's order
   "freeze": {"Summary": "B9", ...},     the top-left cell of the unfrozen pane
   "filter": {"Summary": "A8:U10", ...}, the autofilter's range
   "widths": {"Summary": {"A": 22.7, ...}},
   "cells": {"Summary!B2": {"t": "n", "v": 42, "f": null, "fmt": "0"}, ...}}

t is openpyxl's data type of the cached value (n number, s string, d date, b bool),
v the cached value (dates as ISO text), f the formula text ("=...") or null, fmt the
number format. Only cells holding a value or a formula are listed.
Exit 3 when openpyxl is missing (the test is skipped then), 2 on an unreadable file.
"""
import datetime
import json
import sys
import xml.dom.minidom
import zipfile

try:
    import openpyxl
except ImportError:
    sys.stderr.write("xlsx_read.py: openpyxl is not installed for %s\n" % sys.executable)
    sys.exit(3)


def read(path):
    out = {"xml_ok": True, "sheets": [], "freeze": {}, "filter": {}, "widths": {}, "cells": {}}
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.endswith(".xml") or name.endswith(".rels"):
                try:
                    xml.dom.minidom.parseString(z.read(name))
                except Exception as e:  # noqa: BLE001 - any parse error fails the check
                    out["xml_ok"] = False
                    sys.stderr.write("xlsx_read.py: %s: %s\n" % (name, e))
    formulas = openpyxl.load_workbook(path, data_only=False)
    values = openpyxl.load_workbook(path, data_only=True)
    out["sheets"] = values.sheetnames
    for name in values.sheetnames:
        sv, sf = values[name], formulas[name]
        out["freeze"][name] = sv.freeze_panes
        out["filter"][name] = sv.auto_filter.ref
        out["widths"][name] = {k: d.width for k, d in sv.column_dimensions.items() if d.width}
        for row in sf.iter_rows():
            for cf in row:
                cv = sv[cf.coordinate]
                f = cf.value if cf.data_type == "f" else None
                if cv.value is None and f is None:
                    continue
                v = cv.value
                if isinstance(v, (datetime.datetime, datetime.date)):
                    v = v.isoformat()
                out["cells"]["%s!%s" % (name, cf.coordinate)] = {
                    "t": cv.data_type, "v": v, "f": f, "fmt": cv.number_format}
    return out


if __name__ == "__main__":
    try:
        json.dump({p: read(p) for p in sys.argv[1:]}, sys.stdout)
    except (OSError, zipfile.BadZipFile, KeyError) as e:
        sys.stderr.write("xlsx_read.py: %s\n" % e)
        sys.exit(2)
