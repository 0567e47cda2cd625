"""The lines a store gives back are the lines it was given, on either backend: on PostgreSQL they come back
through ``COPY ... TO STDOUT`` as CSV (store_sql.PostgresCatalogue.read_lines), where a comma, a quote, a line
break, an empty text and a missing one must each survive as they were."""

from __future__ import annotations

import pandas as pd

from decarb_dashboard.store import SubmissionStore
from tests.conftest import check

ROWS = [
    'Cardiff,2022-23,Buildings,Natural gas,,2 000 000,kWh,,estimated,,"boilers, the ""old"" ones"',
    'Cardiff,2022-23,Buildings,Electricity,2,"1,250,000",kWh,241.7,measured,activity,"two\nlines"',
    "Cardiff,2022-23,Waste,,,,,5.125,,,",
    "Cardiff,2022-23,Homeworking,,,,,,not reported,,",
    "Cardiff,2021-22,Land,Woodland,,120,ha,-350,,,",
]


def test_the_lines_come_back_as_they_went_in(tmp_path, store_database_url):
    report = check(*ROWS)
    assert report.valid, report.to_text()
    store = SubmissionStore(tmp_path, database_url=store_database_url)
    sid = store.submit(report.lines, b"cardiff", submitted_by="alice")
    back = store.lines(sid).sort_values("row").reset_index(drop=True)
    given = report.lines.sort_values("row").reset_index(drop=True)
    assert back["notes"].tolist()[:2] == ['boilers, the "old" ones', "two\nlines"]
    assert pd.isna(back["notes"].iloc[2]) and pd.isna(back["emissions_tco2e"].iloc[0])  # missing stays missing
    assert back["emissions_tco2e"].iloc[2] == 5.125 and back["scope"].iloc[1] == 2
    for column in ("organisation_id", "reporting_year", "category", "source", "status", "notes"):
        assert back[column].astype(object).where(back[column].notna(), None).tolist() == \
            given[column].astype(object).where(given[column].notna(), None).tolist(), column
    pd.testing.assert_series_equal(back["activity_amount"], given["activity_amount"], check_names=False)
    current = store.current_lines()
    assert len(current) == 5 and current["emissions_tco2e"].sum() == -350 + 241.7 + 5.125
