"""decarb submit, history, status and export."""

from __future__ import annotations

import io
import json

import openpyxl
import pandas as pd

from decarb_dashboard.cli import main
from decarb_dashboard.store import SubmissionStore
from tests.conftest import csv_bytes

#: What decarb submit needs besides the file: who approved the return, and their role.
DECLARED = ["--approved-by", "Jane Jones", "--approver-role", "Director of Resources"]

GOOD = ["Cardiff,2022-23,Buildings,Electricity,,,,100,,,=HYPERLINK(\"http://x\")",
        "Cardiff,2022-23,Land,Woodland,,10,ha,-45,,,@risk", "Cardiff,2022-23,Waste,,,,,5,,,-5 tonnes"]


def test_submit_stores_a_valid_file_and_prints_its_id(tmp_path, capsys):
    path = tmp_path / "r.csv"
    path.write_bytes(csv_bytes(*GOOD))
    assert main(["submit", str(path), "--data-dir", str(tmp_path / "d"), "--user", "alice", *DECLARED]) == 0
    submission_id = capsys.readouterr().out.strip()
    s = SubmissionStore(tmp_path / "d").submission(submission_id)
    assert (s.submitted_by, s.file_name, s.line_count) == ("alice", "r.csv", 3)


def test_submit_refuses_an_invalid_file_and_stores_nothing(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(GOOD[0], "Cardiff,2022-23,Bulidings,,,,,5,,,"))
    assert main(["submit", str(path), "--data-dir", str(tmp_path / "d"), *DECLARED]) == 1
    err = capsys.readouterr().err
    assert "“Bulidings” is not a reporting category." in err and "Nothing was stored." in err
    assert SubmissionStore(tmp_path / "d").is_empty()
    path.write_bytes(b"\x00\x01junk")
    assert main(["submit", str(path), "--data-dir", str(tmp_path / "d"), *DECLARED]) == 2
    assert SubmissionStore(tmp_path / "d").is_empty()


def test_history_and_status(tmp_path, capsys):
    path = tmp_path / "r.csv"
    path.write_bytes(csv_bytes(*GOOD))
    d = str(tmp_path / "d")
    main(["submit", str(path), "--data-dir", d, "--user", "alice", *DECLARED])
    path.write_bytes(csv_bytes(*GOOD) + b"\n")  # a new file (the same one again is refused as a duplicate)
    main(["submit", str(path), "--data-dir", d, "--user", "bob", *DECLARED])
    first, second = capsys.readouterr().out.split()
    assert main(["status", first, "--set", "queried", "--data-dir", d]) == 1  # a query needs a message
    assert main(["status", first, "--set", "queried", "--message", "why so low?", "--data-dir", d,
                 "--user", "wg"]) == 0
    capsys.readouterr()
    assert main(["history", "--org", "Caerdydd", "--year", "2022-23", "--data-dir", d]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].startswith(first) and "queried" in out[1] and "(current)" not in out[1]
    assert out[2].strip() == "queried: why so low?"
    assert out[3].startswith(second) and out[3].endswith("(current)")
    assert main(["history", "--org", "cardiff", "--json", "--data-dir", d]) == 0
    assert [h["submitted_by"] for h in json.loads(capsys.readouterr().out)] == ["alice", "bob"]


def submitted(tmp_path) -> str:
    """Submit the GOOD return into a new data directory and return that directory."""
    path = tmp_path / "r.csv"
    path.write_bytes(csv_bytes(*GOOD))
    d = str(tmp_path / "d")
    assert main(["submit", str(path), "--data-dir", d, *DECLARED]) == 0
    return d


def test_export_csv_neutralises_formulas_but_not_numbers(tmp_path, capsys):
    d = submitted(tmp_path)
    out = tmp_path / "export.csv"
    assert main(["export", "--format", "csv", "-o", str(out), "--data-dir", d]) == 0
    frame = pd.read_csv(io.StringIO(out.read_bytes().decode("utf-8-sig")))
    assert frame["notes"].tolist() == ["'=HYPERLINK(\"http://x\")", "'@risk", "'-5 tonnes"]
    assert frame["emissions_tco2e"].tolist() == [100.0, -45.0, 5.0]  # a negative number stays a number
    assert frame["organisation_name"].unique().tolist() == ["Cardiff Council"]


def test_export_xlsx_writes_text_never_formulas(tmp_path):
    d = submitted(tmp_path)
    out = tmp_path / "export.xlsx"
    assert main(["export", "--format", "xlsx", "-o", str(out), "--data-dir", d]) == 0
    ws = openpyxl.load_workbook(out).active
    notes = next(c for c in ws[1] if c.value == "notes").column
    cell = ws.cell(row=2, column=notes)
    assert cell.value == "=HYPERLINK(\"http://x\")" and cell.data_type == "s"


def test_export_parquet(tmp_path):
    d = submitted(tmp_path)
    assert main(["export", "--format", "parquet", "-o", str(tmp_path / "e.parquet"), "--data-dir", d]) == 0
    assert pd.read_parquet(tmp_path / "e.parquet")["emissions_tco2e"].sum() == 60.0
