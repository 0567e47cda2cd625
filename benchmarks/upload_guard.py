"""Hostile workbooks under the upload size limit: each must be answered within 5 s and 500 MB (issue 12, item 1).

Each file is validated in a fresh child process (so that its peak resident memory is its
own) and its CPU time and peak memory printed, with the ratio to a plain one-line return
validated the same way in this run. The files are generated here, not kept:

- 43.7 million empty ``<row/>`` elements (a 375 KB workbook that once took 213 s and 4.5 GB),
- 974,000 rows of one short cell (1.1 MB, once 160 s and 0.9 GB),
- the largest return the guard lets through (just under ``intake.xlsx.MAX_WORKBOOK_CELLS``),
- a sheet of 9 MB of incompressible text in one shared string.

    python benchmarks/upload_guard.py
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
TARGET_S, TARGET_MIB = 5.0, 500.0


def child(path: str) -> None:
    import resource
    import time

    from decarb_dashboard.registry import bundled_registry
    from decarb_dashboard.validate import validate_upload

    registry = bundled_registry()
    data = Path(path).read_bytes()
    start = time.process_time()
    report = validate_upload(data, Path(path).name, registry=registry)
    seconds = time.process_time() - start
    codes = sorted({e.code for e in report.errors})[:3]
    print(json.dumps({"cpu_s": seconds, "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "valid": report.valid, "codes": codes}))


def workbooks() -> dict[str, bytes]:
    import openpyxl

    from decarb_dashboard.intake import xlsx as read
    from tests.hostile.make_corpus import HEADER, _row_flood

    def book(lines: int) -> bytes:
        wb = openpyxl.Workbook(write_only=True)
        ws = wb.create_sheet("Return")
        ws.append(HEADER)
        for k in range(lines):
            ws.append(["Cardiff Council", "2022-23", "Buildings", "Electricity", 2, 1000 + k, "kWh", 0.2 + k,
                       "measured", "activity", f"meter {k}"])
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()

    one = book(1)
    largest = read.MAX_WORKBOOK_CELLS // 11
    while True:  # the most lines of 11 cells the guard lets through, to within 2%
        big = book(largest)
        try:
            read._check_workbook_archive(big)
            break
        except read.UnreadableFile:
            largest = int(largest * 0.98)
    noise = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(one)) as source, zipfile.ZipFile(noise, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b"</sheetData>", b'<row r="3"><c r="K3" t="inlineStr"><is><t>'
                                          + os.urandom(4_500_000).hex().encode() + b"</t></is></c></row></sheetData>")
            target.writestr(info, content)
    return {
        "one line (baseline)": one,
        "43.7 million empty rows": _row_flood(one, lambda k: b"<row/>", 43_700_000),
        "974,000 short rows": _row_flood(one, lambda k: b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (k, k),
                                         974_000),
        f"largest accepted ({largest:,} lines)": big,
        "9 MB of random text in one cell": noise.getvalue(),
    }


def main() -> None:
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in workbooks().items():
            path = Path(tmp) / "upload.xlsx"
            path.write_bytes(data)
            run = subprocess.run([sys.executable, __file__, "--child", str(path)], capture_output=True, text=True,
                                 timeout=900, cwd=HERE.parent)
            results[name] = {"kb": len(data) / 1024, **json.loads(run.stdout.strip().splitlines()[-1])}
    base = results["one line (baseline)"]
    print(f"{'workbook':36} {'KB':>8} {'CPU s':>7} {'x base':>7} {'peak MiB':>9} {'x base':>7}  answer")
    for name, r in results.items():
        answer = "valid" if r["valid"] else ", ".join(r["codes"])
        print(f"{name:36} {r['kb']:8,.0f} {r['cpu_s']:7.2f} {r['cpu_s'] / max(base['cpu_s'], 1e-3):7.1f} "
              f"{r['peak_mib']:9.0f} {r['peak_mib'] / base['peak_mib']:7.2f}  {answer}")
    worst_s = max(r["cpu_s"] for r in results.values())
    worst_mib = max(r["peak_mib"] for r in results.values())
    print(f"worst: {worst_s:.2f} s CPU (target {TARGET_S:g} s), {worst_mib:.0f} MiB (target {TARGET_MIB:g} MiB)")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2])
    else:
        main()
