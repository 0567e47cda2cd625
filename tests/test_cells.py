"""Columns as codes of distinct values: rules decided once per value, spread to the rows."""

from __future__ import annotations

import numpy as np
import pandas as pd

from decarb_dashboard.cells import Cells, Terms, distinct_strings, rows_where, spread, strings
from uploads_schema.labels import normalise_label


def test_spread_marks_the_rows_of_flagged_values_and_never_a_blank():
    codes = np.array([0, 1, -1, 1, 2])
    assert spread(np.array([False, True, False]), codes).tolist() == [False, True, False, True, False]
    assert spread(np.array([False, False, False]), codes).tolist() == [False] * 5


def test_cells_where_and_terms_where():
    cells = Cells(np.array([0, 1, -1, 0], dtype=np.int8), ["Cardiff", "Nowhere"])
    assert cells.where([False, True]).tolist() == [False, True, False, False]
    terms = Terms.from_distinct(["cardiff", None], cells.codes)
    assert terms.codes.tolist() == [0, -1, -1, 0]
    assert terms.where(lambda body: body != "newport").tolist() == [True, False, False, True]


def test_a_clean_column_keeps_its_codes_and_two_spellings_of_one_id_share_one():
    codes = np.array([1, 0, 1, -1], dtype=np.int16)
    same = Terms.from_distinct(["newport", "cardiff"], codes)
    assert same.codes is codes and same.ids == ["newport", "cardiff"]
    merged = Terms.from_distinct(["cardiff", "cardiff"], codes)  # "Cardiff" and "Cardiff Council"
    assert merged.codes.tolist() == [0, 0, 0, -1] and merged.ids == ["cardiff"]


def test_assigning_a_new_id_to_narrow_codes_widens_them():
    codes = np.array([126, -1], dtype=np.int8)  # 127 distinct values: int8 codes
    terms = Terms.from_distinct([f"body_{k}" for k in range(127)], codes)
    terms.assign(terms.missing, "cardiff")  # the 128th id: code 127, then 128 would not fit in int8
    terms.assign(np.array([True, False]), "newport")
    assert terms.codes.tolist() == [128, 127]
    assert terms.at(0) == "newport" and terms.at(1) == "cardiff"


def test_label_keys_are_remembered_by_type():
    # 1, 1.0 and True are equal as dictionary keys but are typed differently.
    assert [normalise_label(v) for v in (1, 1.0, True)] == ["1", "1 0", "true"]
    assert normalise_label(["a list"]) == "a list"  # cannot be remembered; still normalised


def test_strings_of_a_categorical_are_its_names_by_row_and_a_missing_one_stays_missing():
    # Unused and non-string categories too, as a category table's years or a register's ids may have.
    column = pd.Series(pd.Categorical(["newport", None, "cardiff", "newport"],
                                      categories=["cardiff", "newport", "unused"]))
    out = strings(column)
    assert out[[0, 2, 3]].tolist() == ["newport", "cardiff", "newport"] and out[1] != out[1]  # NaN
    assert all(type(v) is str for v in out[[0, 2, 3]])
    years = pd.Series(pd.Categorical([2019, 2020, 2019]))
    assert strings(years).tolist() == ["2019", "2020", "2019"] == years.astype(str).tolist()
    plain = pd.Series(["a", None, "b"])
    assert strings(plain)[[0, 2]].tolist() == ["a", "b"] and strings(plain)[1] != strings(plain)[1]


def test_distinct_strings_are_the_values_present_not_every_category_and_never_a_missing_one():
    column = pd.Series(pd.Categorical(["newport", None, "cardiff", "newport"],
                                      categories=["cardiff", "newport", "unused"]))
    assert sorted(distinct_strings(column)) == ["cardiff", "newport"]
    assert sorted(distinct_strings(column[column == "newport"])) == ["newport"]
    assert distinct_strings(pd.Series(pd.Categorical([2019, 2020, 2019]))) == ["2019", "2020"]
    assert sorted(distinct_strings(pd.Series(["b", None, "a", "b"]))) == ["a", "b"]


def test_the_rows_of_a_metric_and_year_are_those_a_comparison_of_every_row_picks_in_the_frame_s_order():
    values = pd.DataFrame({
        "metric": pd.Categorical(["total", "per_fte", "total", "total", "per_fte"]),
        "reporting_year": pd.Categorical(["2022-23", "2022-23", "2023-24", "2022-23", "2022-23"]),
        "value": [1.0, 2.0, 3.0, 4.0, 5.0]}, index=[10, 11, 12, 13, 14])
    found = rows_where(values, metric="total", reporting_year="2022-23")
    assert found["value"].tolist() == [1.0, 4.0] and found.index.tolist() == [10, 13]  # labels kept, in order
    pd.testing.assert_frame_equal(found, values[(values["metric"] == "total")
                                                & (values["reporting_year"] == "2022-23")])
    assert rows_where(values, reporting_year="2023-24")["value"].tolist() == [3.0]
    assert rows_where(values, metric="per_m2", reporting_year="2022-23").empty  # no such metric: no rows
    assert list(rows_where(values, metric="total", reporting_year="2030-31").columns) == list(values.columns)
