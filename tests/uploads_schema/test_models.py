"""The ReturnLines contract refuses what the validator must never hand on."""

from __future__ import annotations

import pandas as pd
import pandera.errors
import pytest

from decarb_dashboard.validate import validate_upload
from tests.conftest import TODAY, VALID_LINES, csv_bytes
from uploads_schema.models import ReturnLines


@pytest.fixture
def lines() -> pd.DataFrame:
    report = validate_upload(csv_bytes(*VALID_LINES), "return.csv", today=TODAY)
    assert report.valid
    return report.lines.copy()


def test_valid_lines_keep_the_contract(lines):
    assert len(ReturnLines.validate(lines)) == 6


@pytest.mark.parametrize("column, value", [("category", "bogus"), ("status", "probably"), ("activity_unit", "cubits")])
def test_a_value_outside_the_vocabulary_is_refused(lines, column, value):
    lines[column] = lines[column].cat.add_categories([value])
    lines.loc[0, column] = value
    with pytest.raises(pandera.errors.SchemaError, match="one_of"):
        ReturnLines.validate(lines)


def test_an_unused_unknown_category_is_not_a_problem(lines):
    lines["category"] = lines["category"].cat.add_categories(["bogus"])  # declared, held by no line
    ReturnLines.validate(lines)


def test_a_repeated_line_is_refused(lines):
    twice = pd.concat([lines, lines.iloc[[0]]], ignore_index=True)
    with pytest.raises(pandera.errors.SchemaError, match="the same organisation, year, category, source and scope"):
        ReturnLines.validate(twice)
