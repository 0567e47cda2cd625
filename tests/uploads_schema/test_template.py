"""Template rows are built from the contract's columns (columns.toml), not from a list tied to their order."""

from __future__ import annotations

import pytest

from uploads_schema.template import header, template_row


def test_a_template_row_puts_each_value_under_its_own_column_and_leaves_the_rest_blank():
    row = template_row({"activity_unit": "kWh", "organisation": "Newport City Council", "category": "Buildings"})
    assert len(row) == len(header()) == 11
    assert row[header().index("organisation")] == "Newport City Council"
    assert row[header().index("category")] == "Buildings"
    assert row[header().index("activity_unit")] == "kWh"
    assert sum(v is not None for v in row) == 3  # the figures, status, method and notes stay blank


def test_a_value_for_a_column_the_return_does_not_have_is_refused():
    with pytest.raises(KeyError, match="staff_fte"):
        template_row({"organisation": "Cardiff Council", "staff_fte": 12})


def test_the_format_documentation_is_the_one_generated_from_the_contract():
    from pathlib import Path

    from uploads_schema.template import format_markdown

    assert (Path(__file__).parents[2] / "docs" / "upload-format.md").read_text("utf-8") == format_markdown()


def test_a_template_file_is_named_by_body_year_and_language():
    from uploads_schema.template import template_file_name

    assert template_file_name("xlsx", "cy", "cardiff", "2024-25") == "cardiff-2024-25-return-template-cy.xlsx"
    assert template_file_name("csv", "en", None, "2024-25") == "return-template-2024-25-en.csv"
