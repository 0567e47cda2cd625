"""The load test's correctness part, short: gunicorn with two workers, readers and submitters at once.

The full run (60 s, 50 readers, 5 submitters) is ``benchmarks/load.py``; its timings
are reported, not asserted. What is asserted here: no request failed, and every
submission a submitter got a receipt for is in the store.
"""

from __future__ import annotations

import pytest

from benchmarks.load import run


@pytest.mark.xdist_group("load")
def test_a_short_load_run_has_no_errors_and_loses_no_submission():
    result = run(seconds=8, readers=6, submitters=3, workers=2, threads=4, reader_think_s=(0.2, 1.0),
                 submitter_think_s=(0.3, 1.0))
    assert result["errors"] == []
    assert result["receipts"] >= 3  # every submitter got through at least once
    assert result["lost"] == []
    assert result["stored_by_load"] == result["receipts"] == result["store_grew_by"]
