"""The net zero projects file (issue 18): its check, in English and Welsh, and its store on both backends."""

from __future__ import annotations

import hashlib
import json
import math

import pytest

from decarb_dashboard.projects import validate_projects_upload
from decarb_dashboard.store import StoreError, SubmissionStore
from uploads_schema.projects import PROJECT_COLUMNS

HEADER = ("organisation,project,category,source,status,start_year,saving_tco2e,activity_change,activity_unit,"
          "cost_gbp,notes")
THREE = (
    'Cardiff Council,LED street lighting,Street lighting,Electricity,planned,2025-26,,"-1,200,000",kWh,"£450,000",'
    "Replaces sodium lanterns",
    "Cardiff Council,Fleet electrification,Fleet,,tentative,2026/27,85.5,,,,",
    "Cardiff Council,Heat pumps at County Hall,Buildings,Natural gas,completed,2023-24,120,,,0,",
)


def projects_csv(*rows: str, header: str = HEADER) -> bytes:
    return "\n".join((header, *rows)).encode()


def problems(report) -> list[tuple[int | None, str | None, str]]:
    return [(i.row, i.column, i.code) for i in report.issues]


def test_three_projects_of_different_status_become_one_row_each_with_their_figures_and_units():
    report = validate_projects_upload(projects_csv(*THREE), "projects.csv")
    assert report.valid, problems(report)
    lines = report.lines
    assert list(lines.columns) == PROJECT_COLUMNS
    assert list(lines["status"]) == ["planned", "tentative", "completed"]
    assert list(lines["start_year"]) == ["2025-26", "2026-27", "2023-24"]  # 2026/27 written the usual way
    led = lines.iloc[0]
    assert (led["organisation_id"], led["category"], led["source"]) == ("cardiff", "street_lighting", "electricity")
    assert (led["activity_change"], led["activity_unit"], led["cost_gbp"]) == (-1_200_000.0, "kWh", 450_000.0)
    assert math.isnan(led["saving_tco2e"])  # given as an activity change: no saving, not a saving of 0
    assert list(lines["saving_tco2e"].iloc[1:]) == [85.5, 120.0]
    assert math.isnan(lines["cost_gbp"].iloc[1]) and lines["cost_gbp"].iloc[2] == 0.0  # not given is not zero
    assert lines["source"].iloc[1] is None and lines["notes"].iloc[1] is None


def test_welsh_headers_and_welsh_names_are_understood():
    welsh = ("sefydliad,prosiect,categori,ffynhonnell,statws,blwyddyn_gychwyn,arbediad_tco2e,newid_gweithgarwch,"
             "uned,cost_gbp,nodiadau")
    report = validate_projects_upload(projects_csv(
        "Caerdydd,Goleuadau LED,Goleuadau stryd,Trydan,wedi'i gynllunio,2025-26,,-1200000,kWh,,",
        "Caerdydd,Pympiau gwres,Adeiladau,Nwy naturiol,petrus,2027-28,40,,,,",
        "Caerdydd,Paneli solar,Adeiladau,,posibl,2028-29,12.5,,,,",
        "Caerdydd,Fflyd drydan,Fflyd,,wedi'i gwblhau,2022-23,30,,,,", header=welsh))
    assert report.valid, problems(report)
    assert list(report.lines["status"]) == ["planned", "tentative", "potential", "completed"]
    assert list(report.lines["category"]) == ["street_lighting", "buildings", "buildings", "fleet"]
    assert report.lines["source"].iloc[0] == "electricity"


def test_the_chosen_body_fills_a_blank_organisation_and_refuses_another_body():
    report = validate_projects_upload(projects_csv(
        ",Solar,Buildings,,planned,2025-26,10,,,,", "Swansea Council,Fleet,Fleet,,planned,2025-26,5,,,,"),
        organisation="cardiff")
    assert problems(report) == [(3, "organisation", "organisation_not_chosen")]


BAD = (
    "Cardiff Council,LED,Street lighting,Electricity,planned,2025-26,,-1200000,kWh,,",  # 2: repeated below
    "Cardiff Council,led,Buildings,,tentative,2025-26,10,,,,",  # 3: the same name, whatever the case
    "Cardiff Council,,Buildings,,potential,2025-26,10,,,,",  # 4
    "Nowhere Council,Solar,Buildings,,planned,2025-26,10,,,,",  # 5
    "Cardiff Council,Both,Buildings,Electricity,planned,2025-26,10,-5,kWh,,",  # 6
    "Cardiff Council,Neither,Buildings,,planned,2025-26,,,,,",  # 7
    "Cardiff Council,Negative,Buildings,,planned,2025-26,-3,,,-10,",  # 8
    "Cardiff Council,Bad status,Buildings,,maybe,2025,abc,,,,",  # 9
    "Cardiff Council,Bad source,Buildings,Petrol,planned,2060-61,5,,,,",  # 10
    "Cardiff Council,Bad unit,Street lighting,Electricity,planned,2025-26,,-100,litres,,",  # 11
    "Cardiff Council,No unit,Street lighting,Electricity,planned,2025-26,,-100,,,",  # 12
    "Cardiff Council,Unit only,Street lighting,Electricity,planned,2025-26,5,,kWh,,",  # 13
    "Cardiff Council,Blanks,Nope,,,,5,,,,",  # 14
    "Cardiff Council,Odd unit,Street lighting,Electricity,planned,2025-26,,-100,parsecs,,",  # 15
)


def test_every_problem_is_reported_at_once_with_its_row_and_column():
    report = validate_projects_upload(projects_csv(*BAD), "projects.csv")
    assert not report.valid and report.lines is None
    assert sorted(problems(report)) == sorted([
        (2, "project", "project_duplicate"), (3, "project", "project_duplicate"),
        (4, "project", "project_missing"),
        (5, "organisation", "organisation_unknown"),
        (6, "saving_tco2e", "saving_and_change"),
        (7, "saving_tco2e", "saving_missing"),
        (8, "saving_tco2e", "saving_not_positive"), (8, "cost_gbp", "cost_negative"),
        (9, "status", "project_status_unknown"), (9, "start_year", "year_bare"),
        (9, "saving_tco2e", "project_number_invalid"),
        (10, "source", "source_unknown"), (10, "start_year", "start_year_out_of_range"),
        (11, "activity_unit", "unit_not_allowed"),
        (12, "activity_change", "change_without_unit"),
        (13, "activity_unit", "unit_without_change"),
        (14, "category", "category_unknown"), (14, "status", "project_status_missing"),
        (14, "start_year", "start_year_missing"),
        (15, "activity_unit", "unit_unknown"),
    ])


def test_the_messages_say_what_is_wrong_and_how_to_fix_it_in_english_and_welsh():
    report = validate_projects_upload(projects_csv(*BAD))
    by = {(i.row, i.code): i for i in report.issues}
    out_of_range = by[(10, "start_year_out_of_range")]
    assert out_of_range.message("en") == "2060-61 is outside the start years accepted, 2019-20 to 2050-51."
    assert out_of_range.message("cy") == ("Mae 2060-61 y tu allan i'r blynyddoedd cychwyn a dderbynnir, 2019-20 i"
                                          " 2050-51.")
    status = by[(9, "project_status_unknown")]
    assert status.fix("en") == "Enter one of: planned, tentative, potential, completed."
    assert status.fix("cy") == "Rhowch un o: wedi'i gynllunio, petrus, posibl, wedi'i gwblhau."
    assert by[(11, "unit_not_allowed")].fix("en") == "Use one of: kWh, MWh, GWh."
    assert by[(9, "project_number_invalid")].message("cy") == "Nid yw “abc” yn arbediad_tco2e yn rhif."
    assert "{" not in report.to_text("cy") and "{" not in report.to_text("en")


def test_a_file_without_the_required_columns_says_which_and_a_broken_file_is_refused_in_words():
    report = validate_projects_upload(b"organisation,category\nCardiff Council,Buildings\n")
    assert {(i.code, i.column) for i in report.issues} == {
        ("column_missing", "project"), ("column_missing", "status"), ("column_missing", "start_year")}
    assert [i.code for i in validate_projects_upload(b"").issues] == ["file_empty"]
    many = validate_projects_upload(projects_csv(*[THREE[1].replace("Fleet", f"Fleet {k}", 1)
                                                    for k in range(5_001)]))
    assert [i.code for i in many.issues] == ["too_many_rows"]
    twice = validate_projects_upload(projects_csv(THREE[1] + ",x", header=HEADER.replace(
        "saving_tco2e", "Yearly saving") + ",statws,budget code"))
    assert [(i.code, i.severity) for i in twice.issues] == [("column_duplicate", "error"),
                                                            ("projects_column_unknown", "warning")]
    assert twice.issues[1].message("en") == ("These columns are not part of the projects file and were ignored:"
                                             " “budget code”.")


# ---- the store, on both backends -------------------------------------------------------------------------


@pytest.fixture
def store(tmp_path, store_database_url) -> SubmissionStore:
    return SubmissionStore(tmp_path / "data", database_url=store_database_url)


def test_nothing_stored_is_an_empty_frame_of_the_projects_columns(store):
    current = store.current_projects()
    assert current.empty and list(current.columns) == PROJECT_COLUMNS
    assert store.projects_history("cardiff") == []


def test_a_resubmission_becomes_current_and_the_old_one_history(store):
    first = validate_projects_upload(projects_csv(*THREE)).lines
    before = store.version()
    assert store.submit_projects(first, b"first", submitted_by="alice", file_name="p.csv") == "CARDIFF-PROJECTS-01"
    assert store.version() > before  # every server's engine follows the version: it sees the new projects
    current = store.current_projects("cardiff")
    assert list(current.columns) == PROJECT_COLUMNS and len(current) == 3
    assert current["activity_change"].iloc[0] == -1_200_000.0 and math.isnan(current["saving_tco2e"].iloc[0])
    assert current["saving_tco2e"].iloc[1:].tolist() == [85.5, 120.0]
    assert current["source"].iloc[1] is None

    second = validate_projects_upload(projects_csv(THREE[1])).lines
    assert store.submit_projects(second, b"second", submitted_by="bob") == "CARDIFF-PROJECTS-02"
    assert store.current_projects("cardiff")["project"].tolist() == ["Fleet electrification"]
    history = store.projects_history("cardiff")
    assert [(h["reference"], h["submitted_by"], h["project_count"], h["current"]) for h in history] == [
        ("CARDIFF-PROJECTS-01", "alice", 3, False), ("CARDIFF-PROJECTS-02", "bob", 1, True)]
    assert history[0]["sha256"] == hashlib.sha256(b"first").hexdigest()
    assert [e["action"] for e in store.audit_log(history[1]["submission_id"])] == ["submit_projects"]


def test_each_body_keeps_its_own_latest_projects(store):
    both = validate_projects_upload(projects_csv(THREE[1], THREE[1].replace("Cardiff Council", "Swansea Council")))
    store.submit_projects(both.lines, b"both", submitted_by="wg")
    store.submit_projects(validate_projects_upload(projects_csv(THREE[0])).lines, b"cardiff", submitted_by="alice")
    current = store.current_projects()
    assert sorted(zip(current["organisation_id"], current["project"], strict=True)) == [
        ("cardiff", "LED street lighting"), ("swansea", "Fleet electrification")]


def test_projects_that_break_the_contract_are_refused_and_nothing_is_stored(store):
    lines = validate_projects_upload(projects_csv(*THREE)).lines
    lines.loc[1, "saving_tco2e"] = -1.0
    with pytest.raises(StoreError):
        store.submit_projects(lines, b"x", submitted_by="alice")
    with pytest.raises(StoreError):
        store.submit_projects(validate_projects_upload(projects_csv(*THREE)).lines, b"x", submitted_by=" ")
    assert store.current_projects().empty


# ---- templates ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_both_templates_pass_the_check_as_they_are_in_either_language(lang):
    from uploads_schema.projects_template import csv_projects_template, example_rows, xlsx_projects_template

    rows = example_rows("Cardiff Council", lang)
    for data in (csv_projects_template(rows, lang), xlsx_projects_template(rows, lang)):
        report = validate_projects_upload(data)
        assert report.valid, problems(report)
        assert list(report.lines["status"]) == ["planned", "tentative", "completed"]
        assert report.lines["activity_change"].iloc[0] == -1_200_000.0


def test_the_excel_template_offers_status_category_source_and_unit_from_lists_in_plain_words():
    import io

    from openpyxl import load_workbook

    from uploads_schema.projects_template import xlsx_projects_template

    book = load_workbook(io.BytesIO(xlsx_projects_template(lang="cy")))
    sheet = book.worksheets[0]
    assert sheet.title == "Prosiectau"
    assert [c.value for c in sheet[1]][:5] == ["sefydliad", "prosiect", "categori", "ffynhonnell", "statws"]
    rules = {str(r.sqref).split(":")[0]: r for r in sheet.data_validations.dataValidation}
    assert set(rules) == {"C2", "D2", "E2", "I2"}  # category, source, status, unit
    assert rules["E2"].promptTitle == "Statws y prosiect"
    lists = book.worksheets[1]
    assert [lists.cell(row=r, column=1).value for r in range(1, 6)] == [
        "statws", "wedi'i gynllunio", "petrus", "posibl", "wedi'i gwblhau"]


# ---- the command line, on both backends ---------------------------------------------------------------------


def test_decarb_projects_submit_list_and_template_from_the_command_line(tmp_path, backend_env, capsys):
    from decarb_dashboard.cli import main

    data = tmp_path / "data"
    good, bad = tmp_path / "projects.csv", tmp_path / "bad.csv"
    good.write_bytes(projects_csv(*THREE))
    bad.write_bytes(projects_csv(*BAD[:2]))
    assert main(["projects", "validate", str(bad), "--lang", "cy", "--data-dir", str(data)]) == 1
    assert "Mae “LED” wedi'i enwi fwy nag unwaith ar gyfer yr un corff." in capsys.readouterr().out
    assert main(["projects", "submit", str(bad), "--as", "alice", "--data-dir", str(data)]) == 1
    assert "Nothing was stored." in capsys.readouterr().err
    assert main(["projects", "submit", str(good), "--org", "Cardiff", "--as", "alice", "--data-dir", str(data)]) == 0
    assert capsys.readouterr().out.strip() == "CARDIFF-PROJECTS-01"
    assert main(["projects", "list", "--org", "cardiff", "--json", "--data-dir", str(data)]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(p["project"], p["saving_tco2e"], p["activity_change"]) for p in listed] == [
        ("LED street lighting", None, -1200000.0), ("Fleet electrification", 85.5, None),
        ("Heat pumps at County Hall", 120.0, None)]
    assert main(["projects", "list", "--org", "cardiff", "--lang", "cy", "--data-dir", str(data)]) == 0
    assert "-1,200,000 kWh y flwyddyn" in capsys.readouterr().out
    out = tmp_path / "t.csv"
    assert main(["projects", "template", "--format", "csv", "--org", "cardiff", "-o", str(out),
                 "--data-dir", str(data)]) == 0
    assert out.read_text("utf-8-sig").splitlines()[1] == (
        "Cardiff Council,LED street lighting,Street lighting,Electricity,planned,2025-26,,-1200000,kWh,450000,"
        "Replaces sodium lanterns")
    assert main(["projects", "submit", str(out), "--as", "bob", "--data-dir", str(data)]) == 0  # round trip
    assert SubmissionStore(data).current_projects("cardiff")["cost_gbp"].iloc[0] == 450_000.0


def test_the_format_documentation_is_the_one_generated_from_the_contract():
    from pathlib import Path

    from uploads_schema.projects_template import projects_markdown

    doc = Path(__file__).parent.parent / "docs" / "projects-format.md"
    assert doc.read_text("utf-8") == projects_markdown()
    assert "`blwyddyn_gychwyn`" in doc.read_text("utf-8") and "2019-20 to 2050-51" in doc.read_text("utf-8")


@pytest.mark.sqlite_only
def test_a_backup_keeps_the_projects_and_their_history(tmp_path, store):
    from decarb_dashboard import maintenance

    store.submit_projects(validate_projects_upload(projects_csv(*THREE)).lines, b"first", submitted_by="alice")
    store.submit_projects(validate_projects_upload(projects_csv(THREE[0])).lines, b"second", submitted_by="bob")
    maintenance.backup(store, tmp_path / "backup")
    maintenance.restore(tmp_path / "backup", tmp_path / "restored")
    restored = SubmissionStore(tmp_path / "restored", database_url="")
    assert restored.current_projects()["project"].tolist() == ["LED street lighting"]
    assert [h["submitted_by"] for h in restored.projects_history("cardiff")] == ["alice", "bob"]
