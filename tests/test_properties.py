"""Property-based: arbitrary bytes and arbitrary tables never raise, only report.

Every valid report's lines satisfy the ``ReturnLines`` contract, and the two
CSV readers (Arrow's for well-formed UTF-8, pandas' for the rest) agree.
"""

from __future__ import annotations

import csv
import io
import os
from unittest import mock

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from decarb_dashboard.validate import validate_frame, validate_upload
from tests.conftest import HEADER, TODAY
from uploads_schema.models import ReturnLines

#: HYPOTHESIS_EXAMPLES=3000 for a deeper search than the suite's default.
EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", "150"))
COLUMNS = HEADER.split(",")
cells = st.one_of(
    st.none(), st.text(max_size=30), st.integers(-10**12, 10**12),
    st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
    st.sampled_from(["Cardiff", "Buildings", "2022-23", "2022", "N/A", "-", "kWh", "Electricity", "1,234.5",
                     "£12", "Land", "-5", "not reported", "3", "Ŵ ŷ â", "=HYPERLINK(\"x\")", "<script>"]),
)


def _assert_reported(report) -> None:
    assert "internal_error" not in report.counts, report.to_text()
    report.to_json()
    report.to_text("cy")
    if report.valid:  # the validator builds lines that keep the contract the store enforces
        ReturnLines.validate(report.lines)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2048))
def test_arbitrary_bytes_never_raise(data):
    _assert_reported(validate_upload(data, "x", today=TODAY))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=500))
def test_arbitrary_text_after_a_header_never_raises(text):
    _assert_reported(validate_upload((HEADER + "\n" + text).encode("utf-8"), "x.csv", today=TODAY))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.fixed_dictionaries({c: cells for c in COLUMNS}), max_size=8),
       st.lists(st.sampled_from(COLUMNS), unique=True, min_size=1))
def test_arbitrary_tables_never_raise(rows, keep):
    frame = pd.DataFrame(rows, columns=COLUMNS)[keep]
    _assert_reported(validate_frame(frame, today=TODAY))
    out = io.StringIO()
    frame.to_csv(out, index=False)
    _assert_reported(validate_upload(out.getvalue().encode(), "x.csv", today=TODAY))


#: Cells as people type them into a CSV, the awkward ones included: quotes, line breaks, "nan", spaces.
csv_cells = st.one_of(
    st.sampled_from(["", " ", "Cardiff", "cardiff council", "Cyngor Caerdydd", "Newport", "2022-23", "2021/22",
                     "2022", "Buildings", "Waste", "Land", "Electricity", "Landfill", "Woodland", "2", "Scope 3",
                     "x", "kWh", "tonnes", "ha", "1250", "-350", "1,234.5", "£12", " 12 ", "N/A", "-", "nan",
                     "inf", "1e3", "0x10", "not reported", "estimated", "spend", "two\nlines", 'say "hi"',
                     "a,b", "Môn", "total"]),
    st.text(alphabet="0123456789.,-e ", max_size=6),
)


def _outcome(report):
    issues = [(i.code, i.row, i.column) for i in report.issues]
    lines = None if report.lines is None else report.lines.astype(str).to_dict("list")
    return report.valid, report.counts, issues, lines


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(csv_cells, min_size=len(COLUMNS), max_size=len(COLUMNS)), min_size=1, max_size=8),
       st.sampled_from([",", ";", "\t"]), st.sampled_from(["\r\n", "\n", "\r"]),
       st.lists(st.integers(0, 8), max_size=3), st.booleans())
def test_the_arrow_and_pandas_readers_agree(rows, delimiter, newline, blank_lines, title):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    if title:
        writer.writerow(["Annual return, 2022-23"])
    writer.writerow(COLUMNS)
    for k, row in enumerate(rows):
        if k in blank_lines:
            out.write(newline)
        writer.writerow(row)
    data = out.getvalue().encode("utf-8")
    fast = validate_upload(data, "x.csv", today=TODAY)
    with mock.patch("decarb_dashboard.intake.csv._read_csv_arrow", return_value=None):
        slow = validate_upload(data, "x.csv", today=TODAY)
    assert _outcome(fast) == _outcome(slow)
