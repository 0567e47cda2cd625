"""The report's JSON form is stable: the CLI and the web page both render it."""

from __future__ import annotations

import json

from decarb_dashboard.report import MAX_LISTED_PER_CODE
from tests.conftest import check


def test_json_shape():
    report = check("Cardiff,2022-23,Bulidings,,,,,5,,,", "Cardiff,2022-23,Waste,,,,,5,,,")
    d = json.loads(report.to_json())
    assert list(d) == ["schema_version", "valid", "file", "summary", "errors", "warnings"]
    assert d["schema_version"] == 1
    assert list(d["summary"]) == ["layout", "rows_read", "lines", "organisations", "reporting_years",
                                  "error_count", "warning_count", "errors_by_code", "warnings_by_code",
                                  "errors_not_listed", "warnings_not_listed"]
    assert d["errors"] == [{
        "code": "category_unknown", "row": 2, "column": "category", "value": "Bulidings",
        "title": "Unknown category", "message": "“Bulidings” is not a reporting category.",
        "fix": "Use one of: Buildings, Street lighting, Fleet, Business travel, Commuting, Homeworking, Waste, "
               "Water, Supply chain, Land. Did you mean “Buildings”?"}]


def test_many_errors_are_counted_but_not_all_listed():
    lines = [f"Cardiff,2022-23,Nonsense{i},,,,,5,,," for i in range(MAX_LISTED_PER_CODE + 50)]
    d = check(*lines).to_dict()
    assert d["summary"]["error_count"] == MAX_LISTED_PER_CODE + 50
    assert len(d["errors"]) == MAX_LISTED_PER_CODE
    assert d["summary"]["errors_not_listed"] == 50


def test_long_values_are_shortened():
    d = check("Cardiff,2022-23," + "x" * 5000 + ",,,,,5,,,").to_dict()
    assert len(d["errors"][0]["value"]) == 120


def test_the_rows_with_errors_are_kept_as_typed_for_the_page():
    report = check("Cardiff,2022-23,Buildings,Electricity,,,,100,,,",  # row 2: fine
                   "Cardiff,2022-23,Bulidings,,,,,5,,,",  # row 3: unknown category
                   "Cardiff,2022-23,Waste,,,,,lots,,,  a note ")  # row 4: not a number
    rows = report.error_rows
    assert rows["row"].tolist() == [3, 4]
    assert rows.loc[0, "category"] == "Bulidings" and rows.loc[1, "emissions_tco2e"] == "lots"
    assert rows.loc[1, "notes"] == "  a note " and rows.loc[0, "source"] is None  # as typed; blank is empty
    assert "error_rows" not in json.loads(report.to_json())
    assert check("Cardiff,2022-23,Buildings,Electricity,,,,100,,,").error_rows is None
