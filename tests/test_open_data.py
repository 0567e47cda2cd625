"""The open data's data dictionary (generated from the contract) and its licence (a setting)."""

from __future__ import annotations

from decarb_dashboard import config
from decarb_dashboard.export import data_dictionary
from uploads_schema.columns import columns


def test_the_data_dictionary_has_every_column_of_the_contract_in_both_languages():
    dictionary = data_dictionary().set_index("column")
    assert list(dictionary.index) == [spec.name for spec in columns()]
    category = dictionary.loc["category"]
    assert category["header_cy"] == "categori"
    assert category["description_cy"] == "Y categori adrodd, yn Gymraeg neu'n Saesneg."
    assert "buildings" in category["allowed_values"].split("|")
    assert dictionary.loc["notes", "allowed_values"] is None  # free text: no list of values


def test_the_licence_is_the_open_government_licence_unless_the_deployment_sets_one(monkeypatch):
    for name in ("DECARB_DATA_LICENCE", "DECARB_DATA_LICENCE_CY", "DECARB_DATA_LICENCE_URL"):
        monkeypatch.delenv(name, raising=False)
    assert config.data_licence("en") == (
        "Open Government Licence v3.0", "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/")
    assert config.data_licence("cy")[0] == "Trwydded Llywodraeth Agored v3.0"
    monkeypatch.setenv("DECARB_DATA_LICENCE", "CC BY 4.0")
    monkeypatch.setenv("DECARB_DATA_LICENCE_URL", "https://creativecommons.org/licenses/by/4.0/")
    assert config.data_licence("cy") == ("CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/")


def test_the_coverage_of_each_year_counts_the_bodies_that_reported(tmp_path):
    import pandas as pd
    import pyarrow as pa

    from decarb_dashboard.engine import Engine
    from decarb_dashboard.export import coverage_table
    from decarb_dashboard.factors import load_factors
    from decarb_dashboard.registry import bundled_registry
    from decarb_dashboard.store import LINES_SCHEMA, from_arrow

    def line(org: str, year: str, tco2e: float) -> dict:
        return {"organisation_id": org, "reporting_year": year, "category": "buildings", "source": None,
                "scope": None, "activity_amount": None, "activity_unit": None, "emissions_tco2e": tco2e,
                "status": "measured", "method": None, "notes": None, "row": 2, "submission_id": "s1"}

    rows = pd.DataFrame([line("cardiff", "2019-20", 300.0), line("newport", "2019-20", 100.0),
                         line("cardiff", "2020-21", 280.0)])
    lines = from_arrow(pa.Table.from_pandas(rows, schema=LINES_SCHEMA, preserve_index=False))
    engine = Engine.from_lines(lines, bundled_registry(), load_factors(tmp_path))
    table = coverage_table(engine).set_index("reporting_year")
    assert table.loc["2019-20", "bodies_reported"] == 2
    assert table.loc["2020-21", "bodies_reported"] == 1
    assert table.loc["2020-21", "baseline_share_pct"] == 75.0  # Cardiff's 300 of the 400 tCO2e of 2019-20
    assert bool(table.loc["2020-21", "provisional"]) is True  # 1 of 45 bodies
