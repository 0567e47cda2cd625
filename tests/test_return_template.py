"""The templates a body downloads (decarb_dashboard/return_template.py): last year's lines or an example row,
checked by the same check as an upload, in the template's language, named by body, year and language."""

from __future__ import annotations

import csv
import io

import openpyxl

from decarb_dashboard.cli import main
from decarb_dashboard.registry import bundled_registry
from decarb_dashboard.return_template import return_template
from decarb_dashboard.validate import validate_upload
from tests.conftest import TODAY


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _check(rows: list[list[str]], **kwargs):
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return validate_upload(out.getvalue().encode("utf-8"), "template.csv", today=TODAY, **kwargs)


def test_cardiff_s_csv_template_holds_its_2023_24_lines_and_passes_the_check_once_the_year_is_changed(sample_store):
    data, name = return_template("csv", "en", bundled_registry(), sample_store, "cardiff", "2024-25")
    assert name == "cardiff-2024-25-return-template-en.csv"
    header, *rows = _rows(data)
    assert header[:3] == ["organisation", "reporting_year", "category"]
    # sample_data/returns/cardiff.csv has 11 lines for 2023-24, among them gas at 45,317,619 kWh and 8,290.0 tCO2e.
    assert len(rows) == 11 and {r[1] for r in rows} == {"2023-24"}
    gas = next(r for r in rows if r[2:4] == ["Buildings", "Natural gas"])
    assert gas[5:8] == ["45317619", "kWh", "8290"]
    assert rows[-1][2] == "Land" and rows[-1][7] == "" and rows[-1][8] == "not reported"  # not reported, not zero
    # As downloaded it cannot pass for 2024-25: every line is still 2023-24's.
    assert not _check([header, *rows], organisation="cardiff", reporting_year="2024-25").valid
    report = _check([header, *[[r[0], "2024-25", *r[2:]] for r in rows]], organisation="cardiff",
                    reporting_year="2024-25")
    assert report.valid and report.line_count == 11
    # 7,174.8 + 8,290.0 + 2,549.5 + 7,168.4 + 1,786.6 + 808.23 + 1,391.4 + 3,562.5 + 607.9 + 119,214.6
    assert round(report.lines["emissions_tco2e"].sum(), 2) == 152553.93


def test_the_welsh_csv_template_has_welsh_headers_and_names_and_passes_the_check(sample_store):
    data, name = return_template("csv", "cy", bundled_registry(), sample_store, "cardiff", "2024-25")
    assert name == "cardiff-2024-25-return-template-cy.csv"
    header, *rows = _rows(data)
    assert header == ["sefydliad", "blwyddyn_ariannol", "categori", "ffynhonnell", "cwmpas", "swm_gweithgarwch",
                      "uned", "allyriadau_tco2e", "statws", "dull", "nodiadau"]
    assert rows[1][:4] == ["Cyngor Caerdydd", "2023-24", "Adeiladau", "Nwy naturiol"]
    assert _check([header, *[[r[0], "2024-25", *r[2:]] for r in rows]], reporting_year="2024-25").valid


def test_a_body_with_no_earlier_return_gets_the_example_row_which_passes_the_check(sample_store):
    for lang, note in (("en", "Example: replace it with your own figures or delete this row"),
                       ("cy", "Enghraifft: rhowch eich ffigurau eich hun yn ei lle neu dilëwch y rhes hon")):
        data, name = return_template("csv", lang, bundled_registry(), sample_store, "cardiff", "2019-20")
        assert name == f"cardiff-2019-20-return-template-{lang}.csv"
        header, *rows = _rows(data)
        assert len(rows) == 1 and rows[0][1] == "2019-20" and rows[0][-1] == note
        report = _check([header, *rows])
        assert report.valid and report.line_count == 1
        assert report.lines["organisation_id"].tolist() == ["cardiff"]


def test_without_a_body_the_example_row_is_for_the_register_s_example_body():
    data, name = return_template("csv", "en", bundled_registry(), None, None, "2022-23")
    assert name == "return-template-2022-23-en.csv"
    header, row = _rows(data)
    assert row[:8] == ["Cardiff Council", "2022-23", "Buildings", "Natural gas", "1", "1250000", "kWh", "228.5"]
    report = _check([header, row])
    assert report.valid and report.warnings == []  # 1,250,000 kWh x 0.18254 kgCO2e/kWh = 228.2 t, within 5%


def test_the_excel_template_holds_the_same_lines_and_says_what_they_are(sample_store):
    data, name = return_template("xlsx", "cy", bundled_registry(), sample_store, "cardiff", "2024-25")
    assert name == "cardiff-2024-25-return-template-cy.xlsx"
    wb = openpyxl.load_workbook(io.BytesIO(data))
    rows = [r for r in wb["Ffurflen"].iter_rows(min_row=2, values_only=True) if any(r)]
    assert len(rows) == 11 and rows[1][:8] == ("Cyngor Caerdydd", "2023-24", "Adeiladau", "Nwy naturiol", 1,
                                               45317619, "kWh", 8290)
    assert wb["Colofnau"]["A1"].value.startswith("Eich ffurflen 2023-24 fel y'i storiwyd yw'r rhesi: newidiwch y "
                                                 "flwyddyn i 2024-25")


def test_decarb_template_writes_the_same_file_as_the_upload_page(sample_store, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = ["template", "--format", "csv", "--org", "Caerdydd", "--year", "2024/25", "--data-dir",
            str(sample_store.root)]
    assert main(["--lang", "cy", *args]) == 0
    written = tmp_path / "cardiff-2024-25-return-template-cy.csv"
    assert capsys.readouterr().out.strip().endswith(written.name)
    assert written.read_bytes() == return_template("csv", "cy", bundled_registry(), sample_store, "cardiff",
                                                   "2024-25")[0]


def test_decarb_template_refuses_an_unknown_body_or_year_in_the_reader_s_language(sample_store, tmp_path, capsys):
    out = str(tmp_path / "t.csv")
    assert main(["template", "--format", "csv", "--org", "Atlantis", "--data-dir", str(sample_store.root),
                 "-o", out]) == 2
    assert capsys.readouterr().err.strip() == "decarb: no body called 'Atlantis' in the register"
    assert main(["--lang", "cy", "template", "--org", "cardiff", "--year", "2024", "--data-dir",
                 str(sample_store.root), "-o", out]) == 2
    assert "2024" in capsys.readouterr().err
    assert not (tmp_path / "t.csv").exists()
