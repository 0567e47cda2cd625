"""Validate every file of the hostile corpus in this process; print one JSON line per file, then the peak memory.

Run as a subprocess by the tests, so that the peak resident memory it reports
(``ru_maxrss``) belongs to the corpus alone and not to the rest of the suite.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import resource
import sys
import time
from pathlib import Path

from decarb_dashboard.registry import bundled_registry
from decarb_dashboard.validate import validate_upload

HERE = Path(__file__).parent
TODAY = dt.date(2026, 11, 28)


def main() -> None:
    registry = bundled_registry()
    start_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with open(HERE / "MANIFEST.csv", encoding="utf-8") as manifest:
        rows = list(csv.DictReader(manifest))
    for row in rows:
        data = (HERE / "files" / row["file"]).read_bytes()
        began = time.perf_counter()
        report = validate_upload(data, row["file"], registry=registry, today=TODAY)
        seconds = time.perf_counter() - began
        print(json.dumps({"file": row["file"], "seconds": seconds, "report_en": report.to_dict("en"),
                          "report_cy": report.to_dict("cy"), "peak_mib": resource.getrusage(
                              resource.RUSAGE_SELF).ru_maxrss / 1024}, ensure_ascii=False))
    print(json.dumps({"imports_mib": start_kib / 1024}))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
