"""The decarb command line: exit codes, human and JSON reports, templates."""

from __future__ import annotations

import json
import subprocess
import sys

from decarb_dashboard.cli import main
from tests.conftest import VALID_LINES, csv_bytes


def test_validate_a_valid_file_exits_0(tmp_path, capsys):
    path = tmp_path / "ok.csv"
    path.write_bytes(csv_bytes(*VALID_LINES))
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ok.csv: valid. 6 lines.")
    assert "Organisations: Cardiff Council" in out


def test_validate_a_file_with_errors_exits_1(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes("Cardif,2022-23,Buildings,,,,,5,,,"))
    assert main(["validate", str(path), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["valid"] is False
    assert report["summary"]["errors_by_code"] == {"organisation_unknown": 1}
    assert report["errors"][0]["row"] == 2
    assert report["errors"][0]["fix"].endswith("Did you mean “Cardiff Council”?")


def test_validate_an_unreadable_file_exits_2(tmp_path, capsys):
    path = tmp_path / "junk.csv"
    path.write_bytes(bytes(range(256)))
    assert main(["validate", str(path)]) == 2
    assert main(["validate", str(tmp_path / "missing.csv")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_validate_in_welsh(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes("Cardiff,2022-23,Adeiladu,,,,,5,,,"))
    assert main(["validate", str(path), "--lang", "cy"]) == 1
    assert "Nid yw “Adeiladu” yn gategori adrodd." in capsys.readouterr().out


def test_validate_with_a_chosen_body(tmp_path, capsys):
    path = tmp_path / "r.csv"
    path.write_bytes(b"category,emissions_tco2e\nWaste,12\n")
    assert main(["validate", str(path), "--org", "Casnewydd", "--year", "2023/24"]) == 0
    assert main(["validate", str(path), "--org", "Atlantis"]) == 2


def test_template_commands(tmp_path):
    assert main(["template", "--format", "csv", "-o", str(tmp_path / "t.csv")]) == 0
    assert (tmp_path / "t.csv").read_bytes().startswith(b"\xef\xbb\xbforganisation,reporting_year,category")
    assert main(["template", "--format", "xlsx", "-o", str(tmp_path / "t.xlsx")]) == 0
    assert (tmp_path / "t.xlsx").read_bytes()[:2] == b"PK"


def test_python_dash_m_runs_the_same_command(tmp_path):
    path = tmp_path / "ok.csv"
    path.write_bytes(csv_bytes(*VALID_LINES))
    done = subprocess.run([sys.executable, "-m", "decarb_dashboard", "validate", str(path), "--json"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["summary"]["lines"] == 6
