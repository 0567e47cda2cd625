"""Templates and documentation are generated from the one declaration, and round-trip."""

from __future__ import annotations

import io

import openpyxl

from decarb_dashboard.validate import validate_upload
from tests.conftest import REPO, TODAY
from uploads_schema import template
from uploads_schema.columns import column_names


def test_csv_template_is_the_header_with_a_bom():
    data = template.csv_template()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").strip() == ",".join(column_names())


def test_xlsx_template_has_drop_downs_and_a_column_guide():
    wb = openpyxl.load_workbook(io.BytesIO(template.xlsx_template()))
    assert wb.sheetnames == ["Return", "Lists", "Columns"]
    ws = wb["Return"]
    assert [c.value for c in ws[1]] == list(column_names())
    ranges = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    assert ranges["C2:C501"] == "=Lists!$A$2:$A$11"  # the ten categories
    assert ranges["E2:E501"] == '"1,2,3"'
    assert {"D2:D501", "G2:G501", "I2:I501", "J2:J501"} <= set(ranges)
    guide = wb["Columns"]
    assert [row[0].value for row in guide.iter_rows(min_row=2)] == list(column_names())
    assert "negative only in the Land category" in guide["D9"].value


def test_a_filled_in_template_validates():
    rows = [["Newport", "2023-24", "Buildings", "Natural gas", None, 1500000, "kWh", None, "measured"],
            ["Newport", "2023-24", "Supply chain", "Works", None, 2_000_000, "GBP", 640.5, "estimated", "spend"]]
    report = validate_upload(template.xlsx_template(rows), "t.xlsx", today=TODAY)
    assert report.valid, report.to_text()
    assert report.lines["source"].tolist() == ["natural_gas", "works"]
    report = validate_upload(template.csv_template(rows), "t.csv", today=TODAY)
    assert report.valid, report.to_text()


def test_the_format_documentation_is_up_to_date():
    committed = (REPO / "docs" / "upload-format.md").read_text(encoding="utf-8")
    assert committed == template.format_markdown(), "run: decarb template --format md -o docs/upload-format.md"
