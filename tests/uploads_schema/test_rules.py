"""The rules written once in uploads_schema/rules.py agree with plain pandas on random frames.

They run on codes, once per distinct value, for speed; the references here are the obvious
pandas spelling of each rule, row by row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from decarb_dashboard.validate import validate_upload
from tests.conftest import HEADER, TODAY, csv_bytes
from uploads_schema import rules
from uploads_schema.models import LINE_KEY, line_key_codes
from uploads_schema.vocabulary import vocabulary

V = vocabulary()
CATEGORIES = list(V.categories)
STATUSES = list(V.statuses)
figure = st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False))


def _lines(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["organisation_id", "reporting_year", "category", "source", "scope",
                                        "emissions_tco2e", "activity_amount", "status"])
    for name in ("organisation_id", "reporting_year", "category", "source", "status"):
        frame[name] = frame[name].astype("category")
    frame["scope"] = frame["scope"].astype("Int64")
    return frame


line = st.tuples(st.sampled_from(["cardiff", "newport", None]), st.sampled_from(["2021-22", "2022-23"]),
                 st.sampled_from([*CATEGORIES, None]), st.sampled_from(["electricity", "natural_gas", None]),
                 st.sampled_from([1, 2, 3, None]), figure, figure, st.sampled_from([*STATUSES, None]))


@settings(max_examples=200, deadline=None)
@given(st.lists(line, max_size=40))
def test_the_coded_rules_agree_with_plain_pandas(rows):
    lines = _lines(rows)
    # One line per key: every row of a key that occurs twice (missing values compare equal, as in a key).
    expected_repeated = lines[LINE_KEY].astype(object).fillna("<none>").duplicated(keep=False).to_numpy()
    assert rules.repeated_lines(line_key_codes(lines)).tolist() == expected_repeated.tolist()
    # Negative only where the category allows it (Land); no category: not judged here.
    may = {c for c in CATEGORIES if V.categories[c].negative_allowed}
    expected_negative = [e is not None and e < 0 and c is not None and c not in may
                         for _, _, c, _, _, e, _, _ in rows]
    assert rules.lines_negative_not_allowed(lines, V).tolist() == expected_negative
    # Figures match the status: figures on a measured or estimated line, none on a not reported one.
    expected_status = [s is not None and ((e is not None or a is not None) != V.statuses[s].has_figures)
                       for _, _, _, _, _, e, a, s in rows]
    assert rules.lines_figures_against_status(lines, V).tolist() == expected_status


def test_only_land_may_be_negative_in_the_shipped_vocabulary():
    assert [c for c in CATEGORIES if rules.may_be_negative(V, c)] == ["land"]


BODIES = ["Cardiff Council", "Newport City Council"]
KINDS = [("Buildings", "Electricity", "kWh"), ("Buildings", "Natural gas", "kWh"), ("Fleet", "Diesel", "litres")]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(BODIES), st.sampled_from(["2021-22", "2022-23"]),
                          st.sampled_from(KINDS), st.integers(1, 10_000)), min_size=1, max_size=25))
def test_the_validator_refuses_the_same_lines_as_pandas_duplicated(rows):
    text = [f"{b},{y},{c},{s},,{n},{u},{n / 1000},measured,," for b, y, (c, s, u), n in rows]
    report = validate_upload(csv_bytes(*text, header=HEADER), "x.csv", today=TODAY)
    frame = pd.DataFrame([(b, y, c, s) for b, y, (c, s, _), _ in rows])
    expected = (np.flatnonzero(frame.duplicated(keep="first").to_numpy()) + 2).tolist()  # header is row 1
    assert [e.row for e in report.errors if e.code == "duplicate_line"] == expected
    assert {e.code for e in report.errors} <= {"duplicate_line"}
