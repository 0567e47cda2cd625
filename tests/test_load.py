"""The load test's correctness part, short: gunicorn with two workers, readers and submitters at once, on each
of the store's backends (a data directory, and a PostgreSQL database on the tests' throwaway cluster).

The full run (60 s, 50 readers, 5 submitters) is ``benchmarks/load.py`` (``--backend postgresql`` for
the database); its timings are reported, not asserted. What is asserted here: no request failed, and
every submission a submitter got a receipt for is in the store.
"""

from __future__ import annotations

import pytest

from benchmarks.load import run, side_by_side
from decarb_dashboard.store import SubmissionStore


@pytest.mark.xdist_group("load")
def test_a_short_load_run_has_no_errors_and_loses_no_submission(backend, store_database_url, tmp_path):
    result = run(seconds=8, readers=6, submitters=3, workers=2, threads=4, reader_think_s=(0.2, 1.0),
                 submitter_think_s=(0.3, 1.0), backend=backend, database_url=store_database_url)
    assert result["backend"] == backend
    assert result["errors"] == []
    assert result["server_problems"] == []  # no warning or error in the server's log (a failed request, a restart)
    assert result["receipts"] >= 3  # every submitter got through at least once
    assert result["lost"] == []
    assert result["stored_by_load"] == result["receipts"] == result["store_grew_by"]
    if store_database_url:  # the submissions went into the database, not into the run's data directory
        in_database = SubmissionStore(tmp_path / "elsewhere", database_url=store_database_url).submissions()
        assert sum(s.submitted_by.startswith("load") for s in in_database) == result["receipts"]


def test_the_backends_figures_are_printed_side_by_side_each_as_a_ratio_to_the_first_s(capsys):
    def ran(per_s, p50, p95, p99, probe, errors, receipts, stored):
        return {"requests_per_s": per_s, "p50_ms": p50, "p95_ms": p95, "p99_ms": p99, "errors": ["reset"] * errors,
                "by_kind": {"health probe (baseline)": (20, 10.0, probe)}, "receipts": receipts,
                "stored_by_load": stored, "lost": []}

    side_by_side({"sqlite": ran(8.0, 400, 2000, 4000, 50, 0, 16, 16),
                  "postgresql": ran(6.0, 500, 3000, 4000, 100, 2, 15, 15)})
    out = capsys.readouterr().out.splitlines()
    assert "each as a ratio to sqlite's" in out[1]
    rows = {line[:30].strip(): line[30:].split() for line in out[3:]}
    assert rows["requests per second"] == ["8.0", "(1.00x)", "6.0", "(0.75x)"]  # 6 / 8
    assert rows["latency p95 (ms)"] == ["2000", "(1.00x)", "3000", "(1.50x)"]
    assert rows["/healthz p95 (ms)"] == ["50", "(1.00x)", "100", "(2.00x)"]
    assert rows["errors"] == ["0", "2"]
    assert rows["receipts / stored / lost"] == ["16", "/", "16", "/", "0", "15", "/", "15", "/", "0"]
