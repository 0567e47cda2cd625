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


# ---- the open data files (decarb_dashboard/open_data.py) and decarb export ----

def _small_store(root, database_url=None):
    """Cardiff 2019-20 (300 tCO2e), Newport 2019-20 (100 tCO2e), then Cardiff 2020-21 twice (280, corrected to 270)."""
    from decarb_dashboard.registry import bundled_registry
    from decarb_dashboard.store import SubmissionStore
    from decarb_dashboard.validate import validate_upload
    from tests.conftest import csv_bytes

    store = SubmissionStore(root, database_url=database_url)
    ids = []
    for lines in (["Cardiff,2019-20,Buildings,Electricity,,,,300,,,"],
                  ["Newport,2019-20,Buildings,Electricity,,,,100,,,"],
                  ["Cardiff,2020-21,Buildings,Electricity,,,,280,,,", "Cardiff,2020-21,Waste,,,,,10,,,=1+1"],
                  ["Cardiff,2020-21,Buildings,Electricity,,,,270,,,", "Cardiff,2020-21,Waste,,,,,10,,,@risk"]):
        data = csv_bytes(*lines)
        report = validate_upload(data, "r.csv", registry=bundled_registry(), max_bytes=0)
        assert report.lines is not None and len(report.lines) == len(lines), report.to_text("en")
        ids.append(store.submit(report.lines, data, submitted_by="test", file_name="r.csv"))
    return store, ids


def _csv(path):
    import io

    import pandas as pd

    return pd.read_csv(io.StringIO(path.read_bytes().decode("utf-8-sig")), keep_default_na=False, na_values=[""])


def test_decarb_export_versions_writes_every_version_with_its_dictionary_coverage_and_licence_beside(tmp_path, capsys,
                                                                                                    monkeypatch):
    from decarb_dashboard.cli import main

    monkeypatch.delenv("DECARB_PUBLISH", raising=False)
    for name in ("DECARB_DATA_LICENCE", "DECARB_DATA_LICENCE_CY", "DECARB_DATA_LICENCE_URL"):
        monkeypatch.delenv(name, raising=False)
    store, ids = _small_store(tmp_path / "d")
    out = tmp_path / "all.csv"
    assert main(["export", "--versions", "--lang", "cy", "-o", str(out), "--data-dir", str(store.root)]) == 0
    printed = capsys.readouterr().out
    assert "ysgrifennwyd 6 llinell" in printed and "all-README.txt" in printed
    frame = _csv(out)
    assert len(frame) == 6  # 1 + 1 + 2 + 2 lines, the superseded 2020-21 return included
    first = frame[frame["submission_id"] == ids[2]]
    assert first["version_state"].tolist() == ["superseded", "superseded"]
    assert first["version_number"].tolist() == [1, 1]
    assert first["reference"].tolist() == ["CARDIFF-2020-21-01"] * 2
    second = frame[frame["submission_id"] == ids[3]]
    assert second["version_state"].tolist() == ["current", "current"]
    assert second["version_number"].tolist() == [2, 2]
    assert second["submission_status"].unique().tolist() == ["submitted"]
    assert second["notes"].tolist()[1] == "'@risk"  # text that a spreadsheet would run is neutralised
    dictionary = _csv(tmp_path / "all-dictionary.csv")
    assert set(frame.columns) <= set(dictionary.loc[dictionary["table"] == "returns", "column"])
    described = dictionary.set_index("column")["description"]
    assert described["version_state"].startswith("Un o'r gwerthoedd a ganiateir")  # Welsh, with --lang cy
    assert described["category"] == "Y categori adrodd, yn Gymraeg neu'n Saesneg."  # the contract's own words
    coverage = _csv(tmp_path / "all-coverage.csv").set_index("reporting_year")
    covered = set(dictionary.loc[dictionary["table"] == "coverage", "column"])
    assert set(coverage.columns) | {"reporting_year"} <= covered
    assert coverage.loc["2020-21", "bodies_reported"] == 1 and coverage.loc["2020-21", "bodies_expected"] == 45
    assert coverage.loc["2020-21", "reported_pct"] == 2.2  # 1 of 45 = 2.22%
    assert coverage.loc["2020-21", "baseline_share_pct"] == 75.0  # Cardiff's 300 of the 400 tCO2e of 2019-20
    readme = (tmp_path / "all-README.txt").read_text(encoding="utf-8-sig")
    assert "Trwydded Llywodraeth Agored v3.0: https://www.nationalarchives.gov.uk/doc/open-government-licence/" \
           "version/3/" in readme
    assert "Yn cynnwys gwybodaeth sector cyhoeddus a drwyddedir o dan y drwydded hon" in readme


def test_every_version_and_its_lines_come_from_either_backend_alike(tmp_path, store_database_url):
    """The store's versions (what the versions export lists) and their lines, on SQLite + Parquet and on PostgreSQL."""
    store, ids = _small_store(tmp_path / "d", store_database_url)
    parts = store.version_parts()
    cardiff = parts[(parts["organisation_id"] == "cardiff") & (parts["reporting_year"] == "2020-21")]
    assert cardiff["submission_id"].tolist() == ids[2:]
    assert cardiff["version_number"].tolist() == [1, 2]
    assert cardiff["version_state"].tolist() == ["superseded", "current"]
    assert cardiff["line_count"].tolist() == [2, 2]
    lines = store.parts_lines(parts)
    assert len(lines) == 6  # 1 + 1 + 2 + 2
    assert sorted(lines.loc[lines["submission_id"] == ids[2], "emissions_tco2e"]) == [10.0, 280.0]
    assert sorted(lines.loc[lines["submission_id"] == ids[3], "emissions_tco2e"]) == [10.0, 270.0]


def test_decarb_export_current_leaves_the_superseded_version_out(tmp_path, monkeypatch):
    from decarb_dashboard.cli import main

    monkeypatch.delenv("DECARB_PUBLISH", raising=False)
    monkeypatch.delenv("DECARB_DATA_LICENCE", raising=False)
    store, ids = _small_store(tmp_path / "d")
    out = tmp_path / "current.csv"
    assert main(["export", "-o", str(out), "--data-dir", str(store.root)]) == 0
    frame = _csv(out)
    assert len(frame) == len(store.current_lines()) == 4
    assert ids[2] not in set(frame["submission_id"]) and set(frame["version_state"]) == {"current"}
    assert frame.loc[frame["submission_id"] == ids[3], "emissions_tco2e"].tolist() == [270.0, 10.0]
    assert "Open Government Licence v3.0" in (tmp_path / "current-README.txt").read_text(encoding="utf-8-sig")


def test_the_excel_file_has_the_lines_dictionary_coverage_and_licence_as_sheets(tmp_path, monkeypatch):
    import openpyxl

    from decarb_dashboard.cli import main

    monkeypatch.delenv("DECARB_PUBLISH", raising=False)
    monkeypatch.setenv("DECARB_DATA_LICENCE", "CC BY 4.0")
    monkeypatch.setenv("DECARB_DATA_LICENCE_URL", "https://creativecommons.org/licenses/by/4.0/")
    store, _ = _small_store(tmp_path / "d")
    out = tmp_path / "all.xlsx"
    assert main(["export", "--versions", "--format", "xlsx", "-o", str(out), "--data-dir", str(store.root)]) == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Returns", "Dictionary", "Coverage", "About"] and wb.active.title == "Returns"
    assert wb["Returns"].max_row == 1 + 6
    notes = [c for c in wb["Returns"]["L"] if c.value == "=1+1"]
    assert len(notes) == 1 and notes[0].data_type == "s"  # text, never a formula
    about = {row[0]: row[1] for row in wb["About"].iter_rows(min_row=2, values_only=True)}
    assert about["Licence"] == "CC BY 4.0: https://creativecommons.org/licenses/by/4.0/"
    assert about["Attribution"] == "Contains public sector information licensed under the CC BY 4.0 (Welsh Government)."
    headers = [c.value for c in wb["Dictionary"][1]]
    columns = {row[headers.index("column")] for row in wb["Dictionary"].iter_rows(min_row=2, values_only=True)}
    assert {c.value for c in wb["Returns"][1]} <= columns and {c.value for c in wb["Coverage"][1]} <= columns


def test_the_parquet_file_carries_the_licence_dictionary_and_coverage_in_its_metadata(tmp_path, monkeypatch):
    import json

    import pyarrow.parquet as pq

    from decarb_dashboard.cli import main

    monkeypatch.delenv("DECARB_PUBLISH", raising=False)
    for name in ("DECARB_DATA_LICENCE", "DECARB_DATA_LICENCE_CY", "DECARB_DATA_LICENCE_URL"):
        monkeypatch.delenv(name, raising=False)
    store, _ = _small_store(tmp_path / "d")
    out = tmp_path / "current.parquet"
    assert main(["export", "--format", "parquet", "--lang", "cy", "-o", str(out), "--data-dir", str(store.root)]) == 0
    table = pq.read_table(out)
    assert table.num_rows == 4
    meta = table.schema.metadata
    assert meta[b"licence"].decode() == "Trwydded Llywodraeth Agored v3.0"
    coverage = {row["reporting_year"]: row for row in json.loads(meta[b"coverage"])}
    assert coverage["2020-21"]["baseline_share_pct"] == 75.0 and coverage["2020-21"]["provisional"] is True
    assert {row["column"] for row in json.loads(meta[b"dictionary"])} >= set(table.column_names)
    described = table.schema.field("organisation_name").metadata[b"description"].decode()
    assert described == "Enw Saesneg y corff, o'r gofrestr."


def test_a_zip_holds_the_csv_with_its_dictionary_coverage_and_licence(tmp_path, monkeypatch):
    import zipfile

    from decarb_dashboard.cli import main

    monkeypatch.delenv("DECARB_PUBLISH", raising=False)
    store, _ = _small_store(tmp_path / "d")
    out = tmp_path / "everything.zip"
    assert main(["export", "--format", "zip", "-o", str(out), "--data-dir", str(store.root)]) == 0
    names = zipfile.ZipFile(out).namelist()
    assert len(names) == 4 and names[0].startswith("wales-returns-current-") and names[0].endswith("-en.csv")
    assert [n.rsplit("-", 1)[-1] for n in names[1:]] == ["dictionary.csv", "coverage.csv", "README.txt"]


def test_only_accepted_returns_and_versions_are_exported_when_only_accepted_ones_are_published(tmp_path, monkeypatch):
    from decarb_dashboard.cli import main

    store, ids = _small_store(tmp_path / "d")
    store.set_status(ids[0], "accepted", actor="wg.reviewer")  # Cardiff 2019-20
    store.set_status(ids[2], "accepted", actor="wg.reviewer")  # Cardiff 2020-21, first version (the second awaits)
    monkeypatch.setenv("DECARB_PUBLISH", "accepted")
    current, versions = tmp_path / "current.csv", tmp_path / "versions.csv"
    assert main(["export", "-o", str(current), "--data-dir", str(store.root)]) == 0
    assert main(["export", "--versions", "-o", str(versions), "--data-dir", str(store.root)]) == 0
    frame = _csv(current)
    assert sorted(set(frame["submission_id"])) == sorted([ids[0], ids[2]])  # Newport's, submitted only, is absent
    assert frame.loc[frame["submission_id"] == ids[2], "emissions_tco2e"].tolist() == [280.0, 10.0]
    assert set(frame["version_state"]) == {"current"} and set(frame["submission_status"]) == {"accepted"}
    assert len(frame) == len(store.current_lines(accepted_only=True)) == 3
    assert sorted(set(_csv(versions)["submission_id"])) == sorted([ids[0], ids[2]])  # nor is the one awaiting review


def test_a_withdrawn_version_is_marked_withdrawn_and_never_current(tmp_path, monkeypatch):
    from decarb_dashboard.cli import main

    monkeypatch.delenv("DECARB_PUBLISH", raising=False)
    store, ids = _small_store(tmp_path / "d")
    store.set_status(ids[3], "withdrawn", actor="test")  # the correction: the first 2020-21 version is current again
    out = tmp_path / "versions.csv"
    assert main(["export", "--versions", "-o", str(out), "--data-dir", str(store.root)]) == 0
    states = _csv(out).drop_duplicates("submission_id").set_index("submission_id")["version_state"]
    assert states[ids[2]] == "current" and states[ids[3]] == "withdrawn"


def test_an_export_longer_than_an_excel_sheet_goes_on_to_another_sheet(tmp_path, monkeypatch):
    import io

    import openpyxl

    from decarb_dashboard import open_data
    from decarb_dashboard.engine import Engine

    monkeypatch.delenv("DECARB_PUBLISH", raising=False)
    monkeypatch.setattr(open_data, "EXCEL_MAX_ROWS", 4)  # Excel's is 1,048,575 lines under the header
    store, _ = _small_store(tmp_path / "d")
    found = open_data.build(store, Engine.from_store(store), "versions", "en", False)
    wb = openpyxl.load_workbook(io.BytesIO(open_data.file_bytes(found, "xlsx")))
    assert wb.sheetnames[:2] == ["Returns", "Returns 2"]
    assert [wb[name].max_row for name in wb.sheetnames[:2]] == [1 + 4, 1 + 2]  # the 6 lines, each sheet headed


def test_an_export_that_cannot_be_written_says_so_and_leaves_nothing(tmp_path, capsys, monkeypatch):
    from decarb_dashboard.cli import main

    monkeypatch.delenv("DECARB_PUBLISH", raising=False)
    store, _ = _small_store(tmp_path / "d")
    out = tmp_path / "missing-folder" / "x.xlsx"
    assert main(["export", "--format", "xlsx", "-o", str(out), "--data-dir", str(store.root)]) == 1
    assert "missing-folder" in capsys.readouterr().err and not out.parent.exists()
