#!/usr/bin/python3
"""tests/export/xlsx_recalc.py FILE.xlsx: recalculate the workbook with LibreOffice and
compare every formula's cached result (what cara wrote) with LibreOffice's.

The cached results are removed from a copy first (LibreOffice would otherwise keep
them: it does not recalculate an xlsx on load by default), the copy is converted with
`soffice --headless --convert-to xlsx` (a private profile in the work folder), and both
are read with openpyxl. Prints each formula that differs and a count; exit 0 when none
does, 1 when some do, 2 when soffice or openpyxl is missing or the conversion fails.
Run by tests/export_it.sh when LibreOffice is installed (docs/exports.md, "To recompute").
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

try:
    import openpyxl
except ImportError:
    sys.stderr.write("xlsx_recalc.py: openpyxl is not installed for %s\n" % sys.executable)
    sys.exit(2)


def strip(src, dst):
    """dst: src without the cached results of its formula cells."""
    with zipfile.ZipFile(src) as zi, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zo:
        for item in zi.infolist():
            data = zi.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                s = data.decode("utf-8")
                s = re.sub(r"(<f>[^<]*</f>)<v>[^<]*</v>", r"\1", s)
                s = s.replace(' t="str"><f>', "><f>")
                data = s.encode("utf-8")
            zo.writestr(item, data)


def same(a, b):
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b) < 1e-9
    return (a or "") == (b or "")


def main(path):
    soffice = shutil.which("soffice")
    if not soffice:
        sys.stderr.write("xlsx_recalc.py: soffice (LibreOffice) is not installed\n")
        return 2
    work = tempfile.mkdtemp(prefix="cara-recalc-")
    try:
        bare = os.path.join(work, "bare.xlsx")
        strip(path, bare)
        out = os.path.join(work, "out")
        r = subprocess.run([soffice, "-env:UserInstallation=file://" + os.path.join(work, "profile"),
                            "--headless", "--convert-to", "xlsx", "--outdir", out, bare],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300, check=False)
        done = os.path.join(out, "bare.xlsx")
        if r.returncode != 0 or not os.path.exists(done):
            sys.stderr.write("xlsx_recalc.py: soffice failed: %s\n" % r.stderr.decode(errors="replace"))
            return 2
        cached = openpyxl.load_workbook(path, data_only=True)
        formulas = openpyxl.load_workbook(path, data_only=False)
        lo = openpyxl.load_workbook(done, data_only=True)
        n = bad = 0
        for name in formulas.sheetnames:
            for row in formulas[name].iter_rows():
                for c in row:
                    if c.data_type != "f":
                        continue
                    n += 1
                    a, b = cached[name][c.coordinate].value, lo[name][c.coordinate].value
                    if not same(a, b):
                        bad += 1
                        print("%s!%s %s: cached %r, LibreOffice %r" % (name, c.coordinate, c.value, a, b))
        print("%d formulas, %d differ" % (n, bad))
        return 1 if bad else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
