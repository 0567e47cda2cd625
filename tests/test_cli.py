"""The decarb command line: exit codes, human and JSON reports, templates."""

from __future__ import annotations

import argparse
import gettext
import io
import json
import pickle
import re
import subprocess
import sys

import pytest

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


# ---- argparse in the reader's language --------------------------------------------------------
def _parse(capsys, *argv: str) -> tuple[int, str, str]:
    """Run decarb to argparse's exit (help, a usage error): its exit code, standard output and error."""
    with pytest.raises(SystemExit) as done:
        main(list(argv))
    captured = capsys.readouterr()
    return done.value.code, captured.out, captured.err


def test_decarb_submit_help_in_welsh_says_argparse_words_and_help_texts_in_welsh(capsys):
    code, out, _ = _parse(capsys, "--lang", "cy", "submit", "--help")
    assert code == 0
    assert out.startswith("defnydd: decarb submit [-h] [--data-dir CYFEIRIADUR_DATA]")
    assert re.search(r"\ndadleuon safleol:\n  ffeil +y ffurflen: ffeil CSV neu lyfr gwaith .xlsx\n", out)
    assert "\nopsiynau:\n  -h, --help" in out and "dangos y neges gymorth hon a gorffen" in out
    assert "y ffurflen: ffeil CSV neu lyfr gwaith .xlsx" in out and "iaith y negeseuon" in out
    for english in ("usage", "positional arguments", "options:", "show this help", "the return", "language"):
        assert english not in out
    assert argparse._ is gettext.gettext and argparse.ngettext is gettext.ngettext  # argparse is itself again


def test_a_missing_argument_is_reported_in_welsh_wherever_lang_is_given(capsys):
    assert _parse(capsys, "--lang", "cy", "submit")[2].splitlines()[-1] == \
        "decarb submit: gwall: mae angen y dadleuon canlynol: ffeil"
    assert _parse(capsys, "validate", "--lang=cy")[2].splitlines()[-1] == \
        "decarb validate: gwall: mae angen y dadleuon canlynol: ffeil"
    assert _parse(capsys, "--lang", "cy")[2].splitlines()[-1].startswith(
        "decarb: gwall: mae angen y dadleuon canlynol: {validate,submit,")  # no English "command"
    assert _parse(capsys, "--lang", "cy", "status", "x", "--set", "bogus")[2].splitlines()[-1] == (
        "decarb status: gwall: dadl --set: dewis annilys: 'bogus' (dewiswch o blith 'queried', 'accepted', "
        "'withdrawn')")
    assert _parse(capsys, "--lang", "cy", "bodies", "add", "x", "--population", "lots")[2].splitlines()[-1] == \
        "decarb bodies: gwall: dadl --population: gwerth annilys: 'lots'"


def test_a_lang_without_a_value_or_of_no_supported_language_is_a_usage_error_of_decarb(capsys):
    assert _parse(capsys, "validate", "x.csv", "--lang")[2].splitlines()[-1] == \
        "decarb validate: error: argument --lang: expected one argument"
    assert _parse(capsys, "--lang=xx", "validate", "x.csv")[2].splitlines()[-1] == \
        "decarb: error: argument --lang: invalid choice: 'xx' (choose from 'en', 'cy')"


def test_lang_en_leaves_argparse_in_english(capsys):
    code, err = _parse(capsys, "--lang", "en", "submit")[::2]
    assert code == 2 and err.splitlines()[-1] == "decarb submit: error: the following arguments are required: file"
    english = _parse(capsys, "--lang", "en", "submit", "--help")[1]
    assert english == _parse(capsys, "submit", "--help")[1]
    assert english.startswith("usage: decarb submit [-h] [--data-dir DATA_DIR] [--user USER]")
    assert "\npositional arguments:\n  file " in english
    assert re.search(r"\noptions:\n  -h, --help +show this help message and exit\n", english)


def test_every_command_s_help_in_welsh_has_no_english_word_but_what_the_reader_types(capsys):
    from decarb_dashboard.cli import build_parser
    from uploads_schema.models import BODY_TYPES, REGIONS

    words = re.compile(r"[^\W\d_]+")
    commands = list(build_parser()._subparsers._group_actions[0].choices)
    assert len(commands) >= 12
    for command in [None, *commands]:
        argv = [command] if command else []
        welsh, english = (_parse(capsys, "--lang", lang, *argv, "--help")[1] for lang in ("cy", "en"))
        typed = " ".join([*re.findall(r"--?[\w-]+|\{[^}]*\}", english), *commands, *BODY_TYPES, *REGIONS,
                          "DECARB_DATA_DIR DECARB_MAX_UPLOAD_MB ./var/decarb-data",
                          "cardiff transport_for_wales W06000015 column_unknown",  # a warning group's key
                          "CSV xls xlsx JSON Markdown MB GBP_M STAFF_FTE NAME_CY DATA_DIR",
                          "e a carbon sector person net"])  # e.g. is e.e.; words Welsh shares with English ("sero net")
        shared = set(words.findall(welsh)) & set(words.findall(english))
        assert shared - set(words.findall(typed)) == set(), command


# ---- errors in the reader's language ----------------------------------------------------------
def _said(capsys, monkeypatch, *argv: str, stdin: str = "") -> tuple[int, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(argv))
    return code, capsys.readouterr().err.strip()


def test_an_account_refused_is_said_in_welsh_and_stays_english_for_logs(tmp_path, capsys, monkeypatch):
    from decarb_dashboard.accounts import AccountError

    where = ["--data-dir", str(tmp_path)]
    assert _said(capsys, monkeypatch, "--lang", "cy", "users", "add", "wg.admin", "--role", "admin", "--body",
                 "cardiff", "--password-stdin", *where, stdin="four unrelated words here\n") == (
        1, "decarb: mae'r rôl admin yn gweithio ar draws pob corff; rhowch --body ar gyfer cyflwynydd yn unig")
    assert _said(capsys, monkeypatch, "users", "add", "a.b", "--role", "admin", "--password-stdin", *where,
                 "--lang", "cy", stdin="short\n")[1] == (
        "decarb: mae angen o leiaf 12 nod mewn cyfrinair (heb gyfrif bylchau ar y naill ben na'r llall); mae "
        "ychydig eiriau'n gwneud un da")
    assert _said(capsys, monkeypatch, "users", "disable", "nobody", *where)[1] == \
        "decarb: there is no account called 'nobody'"
    error = AccountError("account_unknown", username="'nobody'")
    assert str(error) == "there is no account called 'nobody'"  # the log's English
    copy = pickle.loads(pickle.dumps(error))  # as it crosses to another process
    assert type(copy) is AccountError and copy.reason.code == "account_unknown" and str(copy) == str(error)


def test_store_and_flat_file_refusals_are_said_in_welsh(tmp_path, capsys, monkeypatch):
    (tmp_path / "not-a-backup").mkdir()
    assert _said(capsys, monkeypatch, "--lang", "cy", "store", "restore", str(tmp_path / "not-a-backup"),
                 "--data-dir", str(tmp_path / "new")) == (
        1, f"decarb: nid yw {tmp_path / 'not-a-backup'} yn gopi wrth gefn a wnaed gan `decarb store backup` "
           "(methu darllen backup-manifest.json)")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"  \n")
    assert _said(capsys, monkeypatch, "--lang", "cy", "factors", "import", str(empty), "--data-dir", str(tmp_path)) \
        == (1, f"decarb: methu mewnforio {empty}: mae'r ffeil yn wag")
    assert _said(capsys, monkeypatch, "factors", "import", str(empty), "--data-dir", str(tmp_path))[1] == \
        f"decarb: cannot import {empty}: the file is empty"


def test_an_os_error_names_the_file_and_what_to_do_in_welsh(tmp_path, capsys, monkeypatch):
    target = tmp_path / "no-such-folder" / "t.csv"
    code, err = _said(capsys, monkeypatch, "--lang", "cy", "template", "--format", "csv", "-o", str(target))
    assert code == 1 and err == (
        f"decarb: {target}: No such file or directory. Gwiriwch ei fod yno a bod gennych hawl i'w ddarllen (ac i "
        "ysgrifennu i'w ffolder), yna rhowch gynnig arall arni.")  # the system's own words, framed in Welsh
    code, err = _said(capsys, monkeypatch, "factors", "import", str(target), "--data-dir", str(tmp_path))
    assert code == 1 and err.startswith(f"decarb: {target}: No such file or directory. Check that it is there")


# ---- allowed values and columns in the reader's language ---------------------------------------
#: A return with an error of most kinds: a misspelt category, a negative figure, an unknown body, source and
#: method, a scope that is no scope, a misspelt status, a unit not allowed, a blank body and a bare year.
SEVERAL_KINDS = csv_bytes(
    "Cardiff,2024-25,Bulidings,,,,,5,,,,x", "Cardiff,2024-25,Waste,,,,,-5,,,,y",
    "Cardif,2024-25,Buildings,Natral gas,,5,litres,,,spnd,,",
    "Cardiff,2024-25,Buildings,Electricity,4,5,litres,,estimatd,,,",
    ",2024,Fleet,,,,,,,,,",
    header="organisation,reporting_year,category,source,scope,amount,unit,tco2e,status,method,notes,colour")
ENGLISH = ["Use one of", "row", "column", "Fix", "error(s)", "Buildings", "Did you mean", "Electricity", "Natural gas",
           "measured", "estimated", "spend-based", "Cardiff Council", "or", "in", "category", "source", "status",
           "method", "emissions_tco2e", "activity_amount", "activity_unit", "reporting_year", "organisation"]


def test_decarb_validate_in_welsh_names_lists_columns_and_bodies_in_welsh(tmp_path, capsys):
    path = tmp_path / "several.csv"
    path.write_bytes(SEVERAL_KINDS)
    assert main(["validate", str(path), "--lang", "cy"]) == 1
    welsh = capsys.readouterr().out
    assert welsh.startswith("several.csv: mae problem. 11 gwall, 2 rybudd.")
    assert [w for w in ENGLISH if re.search(rf"(?<![\w“]){re.escape(w)}(?!\w)", welsh)] == []
    assert "- rhes 2, colofn categori: " in welsh and "Defnyddiwch un o: Adeiladau, Goleuadau stryd, Fflyd" in welsh
    assert "Ai “Cyngor Caerdydd” oedd gennych mewn golwg?" in welsh and "Rhowch 1, 2 neu 3" in welsh
    assert "Nid yw litres yn uned ar gyfer Trydan yn y categori Adeiladau." in welsh  # litres: the file's own value
    assert main(["validate", str(path)]) == 1
    english = capsys.readouterr().out
    assert "- row 2, column category: " in english and "Use one of: Buildings, Street lighting, Fleet" in english
    assert "litres is not a unit for Electricity in Buildings." in english and "Did you mean “Cardiff Council”?" \
        in english
