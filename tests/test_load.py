"""The load test's correctness part, short: gunicorn with two workers, readers and submitters at once, on each
of the store's backends (a data directory, and a PostgreSQL database on the tests' throwaway cluster).

The full run (60 s, 50 readers, 5 submitters) is ``benchmarks/load.py`` (``--backend postgresql`` for
the database); its timings are reported, not asserted. What is asserted here: no request failed, and
every submission a submitter got a receipt for is in the store.
"""

from __future__ import annotations

import pytest

from benchmarks.load import run
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
