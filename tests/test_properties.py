"""Property-based: arbitrary bytes and arbitrary tables never raise, only report."""

from __future__ import annotations

import io
import os

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from decarb_dashboard.validate import validate_frame, validate_upload
from tests.conftest import HEADER, TODAY

#: HYPOTHESIS_EXAMPLES=3000 for a deeper search than the suite's default.
EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", "150"))
COLUMNS = HEADER.split(",")
cells = st.one_of(
    st.none(), st.text(max_size=30), st.integers(-10**12, 10**12),
    st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
    st.sampled_from(["Cardiff", "Buildings", "2022-23", "2022", "N/A", "-", "kWh", "Electricity", "1,234.5",
                     "£12", "Land", "-5", "not reported", "3", "Ŵ ŷ â", "=HYPERLINK(\"x\")", "<script>"]),
)


def _assert_reported(report) -> None:  # type: ignore[no-untyped-def]
    assert "internal_error" not in report.counts, report.to_text()
    report.to_json()
    report.to_text("cy")


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2048))
def test_arbitrary_bytes_never_raise(data):  # type: ignore[no-untyped-def]
    _assert_reported(validate_upload(data, "x", today=TODAY))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=500))
def test_arbitrary_text_after_a_header_never_raises(text):  # type: ignore[no-untyped-def]
    _assert_reported(validate_upload((HEADER + "\n" + text).encode("utf-8"), "x.csv", today=TODAY))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.fixed_dictionaries({c: cells for c in COLUMNS}), max_size=8),
       st.lists(st.sampled_from(COLUMNS), unique=True, min_size=1))
def test_arbitrary_tables_never_raise(rows, keep):  # type: ignore[no-untyped-def]
    frame = pd.DataFrame(rows, columns=COLUMNS)[keep]
    _assert_reported(validate_frame(frame, today=TODAY))
    out = io.StringIO()
    frame.to_csv(out, index=False)
    _assert_reported(validate_upload(out.getvalue().encode(), "x.csv", today=TODAY))
