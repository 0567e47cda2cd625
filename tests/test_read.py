"""Reading uploads: encodings, delimiters, workbooks, and every way a file can be broken."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from decarb_dashboard.intake import csv as csv_reader
from decarb_dashboard.intake import limits
from decarb_dashboard.intake.csv import _read_csv_arrow
from decarb_dashboard.validate import validate_upload
from tests.conftest import HEADER, TODAY, VALID_LINES, csv_bytes

WELSH_LINE = "Cyngor Sir Ynys Môn,2022-23,Dŵr,,,,,12.5,,,Swyddfa'r Cyngor"


def validate(data: bytes, **kwargs):
    kwargs.setdefault("today", TODAY)
    return validate_upload(data, "upload", **kwargs)


def codes(report) -> list[str]:
    return [i.code for i in report.errors]


def workbook_bytes(rows: list[list[object]], title: str = "Sheet1", extra_first: str | None = None) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    if extra_first:
        ws.title = extra_first
        ws.append(["This sheet explains the return"])
        ws = wb.create_sheet(title)
    else:
        ws.title = title
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


ROWS = [HEADER.split(","), ["Cardiff", "2022-23", "Buildings", "Electricity", None, 1000, "kWh"]]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le"])
def test_unicode_encodings_keep_welsh_letters(encoding):
    report = validate(csv_bytes(WELSH_LINE, encoding=encoding))
    assert report.valid, report.to_text()
    assert report.lines["category"].tolist() == ["water"]
    assert report.lines["notes"].tolist() == ["Swyddfa'r Cyngor"]
    assert report.lines["organisation_id"].tolist() == ["isle_of_anglesey"]


def test_windows_1252():
    line = "Cyngor Sir Ynys Môn,2022-23,Waste,,,,,“12.5”,,,café"
    report = validate(csv_bytes(line.replace("“12.5”", "12.5"), encoding="cp1252"))
    assert report.valid, report.to_text()
    assert report.lines["notes"].tolist() == ["café"]


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_semicolon_and_tab_delimited(delimiter):
    lines = [HEADER, "Cardiff,2022-23,Buildings,Electricity,,1000,kWh,,,,"]
    data = "\n".join(line.replace(",", delimiter) for line in lines).encode()
    report = validate(data)
    assert report.valid, report.to_text()


def test_title_rows_above_the_header_keep_spreadsheet_row_numbers():
    data = ("Annual return 2022-23\n\n" + HEADER + "\nCardiff,2022-23,Bulidings,,,,,5,,,\n").encode()
    report = validate(data)
    assert [(e.row, e.code) for e in report.errors] == [(4, "category_unknown")]


def test_blank_rows_are_skipped_but_counted_in_row_numbers():
    report = validate(csv_bytes(VALID_LINES[0], "", ",,,,,,,,,,", "Cardiff,2022-23,Bulidings,,,,,5,,,"))
    assert [(e.row, e.code) for e in report.errors] == [(5, "category_unknown")]


def test_a_ragged_row_is_a_clear_csv_error():
    report = validate(csv_bytes(VALID_LINES[0], "Cardiff,2022-23,Waste,,,,,5,,,,,,extra"))
    assert codes(report) == ["csv_malformed"]
    assert "row 3 has 14 cells but the header row has 11, and the extra cells are not empty" in (
        report.errors[0].message())
    assert not report.readable


def test_trailing_empty_cells_are_tolerated():
    report = validate(csv_bytes(VALID_LINES[0], "Cardiff,2022-23,Waste,,,,,5,,,,,,"))
    assert report.valid, report.to_text()


def test_xlsx_first_sheet():
    report = validate(workbook_bytes(ROWS))
    assert report.valid, report.to_text()
    assert report.lines["row"].tolist() == [2]


def test_xlsx_sheet_named_like_the_template_is_preferred():
    report = validate(workbook_bytes(ROWS, title="Return", extra_first="Guidance"))
    assert report.valid, report.to_text()


def test_xlsx_numbers_dates_and_booleans():
    rows = [HEADER.split(","),
            ["Cardiff", "2022-23", "Buildings", "Electricity", 2, 1000.5, "kWh", None, None, None, None],
            ["Cardiff", "2022-23", "Waste", None, None, True, "tonnes"],
            ["Cardiff", 2022, "Water", None, None, None, None, 4]]
    report = validate(workbook_bytes(rows))
    assert [(e.row, e.code) for e in report.errors] == [(3, "number_invalid"), (4, "year_bare")]


def test_empty_file():
    report = validate(b"")
    assert codes(report) == ["file_empty"]
    assert report.errors[0].message() == "The file has no content."


def test_file_over_the_size_limit():
    report = validate(csv_bytes(*VALID_LINES), max_bytes=100)
    assert codes(report) == ["file_too_large"]
    assert report.errors[0].message() == "The file is 0.0 MB; the largest file accepted is 0 MB."


def test_size_limit_default_is_ten_megabytes(monkeypatch):
    monkeypatch.delenv("DECARB_MAX_UPLOAD_MB", raising=False)
    big = b"x" * (10 * 1024 * 1024 + 1)
    report = validate(big)
    assert report.errors[0].message() == "The file is 10.0 MB; the largest file accepted is 10 MB."


def test_binary_junk():
    assert codes(validate(bytes(range(256)) * 10)) == ["file_type_unknown"]


def test_legacy_xls_and_encrypted_workbook_are_told_apart():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512
    assert codes(validate(ole + b"Workbook".join([b"", b""]))) == ["file_legacy_xls"]


def test_a_really_encrypted_workbook():
    msoffcrypto = pytest.importorskip("msoffcrypto")
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = io.BytesIO(workbook_bytes(ROWS))
    encrypted = io.BytesIO()
    OOXMLFile(plain).encrypt("secret", encrypted)
    assert msoffcrypto  # the encryption above is the real thing Excel writes
    report = validate(encrypted.getvalue())
    assert codes(report) == ["workbook_encrypted"]


def test_truncated_workbook():
    data = workbook_bytes(ROWS)
    assert codes(validate(data[: len(data) // 2])) == ["workbook_corrupt"]


def test_a_zip_that_is_not_a_workbook():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("word/document.xml", "<w/>")
    assert codes(validate(out.getvalue())) == ["file_type_unknown"]


def test_zip_bomb_is_refused_before_unpacking():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(300):
                part.write(chunk)
    data = out.getvalue()
    assert len(data) < 2 * 1024 * 1024
    report = validate(data)
    assert codes(report) == ["archive_bomb"]
    assert report.errors[0].message() == "The workbook would unpack to 300 MB, far more than any return needs."


def test_xml_entity_bomb_is_refused():
    source = zipfile.ZipFile(io.BytesIO(workbook_bytes(ROWS)))
    out = io.BytesIO()
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>')
    with zipfile.ZipFile(out, "w") as z:
        for info in source.infolist():
            data = bomb.encode() if info.filename == "xl/worksheets/sheet1.xml" else source.read(info)
            z.writestr(info, data)
    assert codes(validate(out.getvalue())) == ["xml_entities"]


def test_too_many_columns():
    header = HEADER + "," + ",".join(f"c{i}" for i in range(10_000))
    report = validate(csv_bytes(VALID_LINES[0], header=header))
    assert codes(report) == ["too_many_columns"]


def test_too_many_rows():
    report = validate(csv_bytes(*([VALID_LINES[0]] * 30)), max_rows=20)
    assert codes(report) == ["too_many_rows"]


def test_a_million_empty_rows_are_just_empty():
    data = csv_bytes(VALID_LINES[0]) + b",,,,,,,,,,\n" * 1_000_000
    report = validate(data, max_bytes=0)
    assert report.valid, report.to_text()
    assert len(report.lines) == 1


def test_no_header_row():
    report = validate(b"a,b,c\n1,2,3\n")
    assert codes(report) == ["header_not_found"]


def test_header_only():
    assert codes(validate(csv_bytes())) == ["no_lines"]


def test_short_layout_with_year_columns_is_melted_into_lines():
    data = (b"category,2019-20,2020-21 (tCO2e),2021-22\n"
            b"Buildings,\"12,000\",11500,11000\n"
            b"Commuting,,,Not reported\n"
            b"Supply chain,90000,85000,80000\n"
            b"Total,102000,96500,91000\n")
    report = validate(data, organisation="cardiff")
    assert report.valid, report.to_text()
    assert report.layout == "short"
    lines = report.lines.sort_values(["category", "reporting_year"])
    buildings = lines[lines["category"] == "buildings"]
    assert buildings["reporting_year"].tolist() == ["2019-20", "2020-21", "2021-22"]
    assert buildings["emissions_tco2e"].tolist() == [12000.0, 11500.0, 11000.0]
    assert buildings["row"].tolist() == [2, 2, 2]
    # Blank cells for 2019-20 and 2020-21 commuting: the line did not exist; no line, not zero.
    commuting = lines[lines["category"] == "commuting"]
    assert [(r.reporting_year, r.status) for r in commuting.itertuples()] == [("2021-22", "not_reported")]
    assert [w.code for w in report.warnings].count("total_row_ignored") == 1


def test_short_layout_with_a_total_column():
    data = b"organisation,reporting_year,category,total\nNewport,2023-24,Fleet,850\nNewport,2023-24,Waste,n/a\n"
    report = validate(data)
    assert report.valid, report.to_text()
    assert report.layout == "short"
    assert report.lines["emissions_tco2e"].tolist()[0] == 850.0
    assert report.lines["status"].tolist() == ["measured", "not_applicable"]


def test_quoted_newlines_in_notes_keep_rows_and_row_numbers():
    data = csv_bytes('Cardiff,2022-23,Waste,,,,,5,,,"two\nlines"', "Cardiff,2022-23,Bulidings,,,,,5,,,")
    report = validate(data)
    assert [(e.row, e.code) for e in report.errors] == [(3, "category_unknown")]


def test_utf8_that_breaks_late_is_read_as_windows_1252():
    long_note = "x" * 300_000  # past the part decoded to find the header
    data = csv_bytes(f"Cardiff,2022-23,Waste,Landfill,,5,tonnes,,,,{long_note}") + \
        "Cardiff,2022-23,Water,,,,,1,,,café\n".encode("cp1252")
    report = validate(data)
    assert report.valid, report.to_text()
    assert report.lines["notes"].tolist()[-1] == "café"


def test_thousands_of_duplicates_are_counted_quickly():
    lines = [f"Cardiff,2022-23,Waste,Landfill,,{i},tonnes,,,," for i in range(1, 20_000)]
    report = validate(csv_bytes(*lines))
    assert report.to_dict()["summary"]["errors_by_code"] == {"duplicate_line": 19_998}
    assert report.errors[0].message().startswith("This line repeats row 2: rows 2, 3, 4,")


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])  # read by Arrow, then by pandas
def test_old_mac_line_endings_keep_an_empty_first_cell(encoding):
    # A line ended by \r alone, then a line starting with an empty cell: pandas' parser used to drop that
    # cell, moving the note into the method column ("method_unknown: café").
    data = "\r".join([HEADER, ",2022-23,Waste,,,,,5,,,café", ""]).encode(encoding)
    report = validate(data, organisation="cardiff")
    assert report.valid, report.to_text()
    assert report.lines["notes"].tolist() == ["café"]
    assert report.lines["organisation_id"].tolist() == ["cardiff"]


def _arrow(text: str):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return _read_csv_arrow(data, ",", 1, 11, {5, 7})


def test_a_well_formed_utf8_file_is_read_by_arrow_with_figures_as_numbers():
    body = _arrow(HEADER + "\nCardiff,2022-23,Buildings,Electricity,2,1250,kWh,241.7,,,\n\n")
    assert body is not None
    assert body[5].tolist()[:1] == [1250.0] and body[7].tolist()[:1] == [241.7]
    assert body[0].cat.codes.tolist() == [0, -1]  # the blank line is kept, empty: row numbers stay true
    assert str(body[0].dtype) == "category"


@pytest.mark.parametrize("body, why", [
    ("Cardiff,2022-23,Waste,,,,,5,,,\nCardiff,2022-23,Waste,,,,,5\n", "a short row: pandas fills it in"),
    ("Cardiff,2022-23,Waste,,,,,5,,,\"never closed\n", "a quote left open: pandas says so"),
    (b"Cardiff,2022-23,Waste,,,,,5,,,caf\xe9\n", "not UTF-8: read as Windows-1252"),
])
def test_arrow_gives_way_to_pandas(body, why):
    data = (HEADER + "\n").encode() + (body if isinstance(body, bytes) else body.encode())
    assert _arrow(data) is None, why


@pytest.mark.parametrize("cell", ["N/A", "1,234", "nan", "£12"])
def test_text_among_the_figures_reaches_the_checks_as_typed(cell):
    body = _arrow(HEADER + f'\nCardiff,2022-23,Waste,,,,,"{cell}",,,\nCardiff,2022-23,Water,,,,,7,,,\n')
    assert body[7].tolist() == [cell, "7"]


def test_mostly_blank_lines_are_skipped_as_read_and_rows_keep_their_numbers(monkeypatch):
    # Header (row 1), a line (row 2), 100 blank lines (rows 3 to 102), a misspelt category on row 103.
    data = csv_bytes("Cardiff,2022-23,Waste,Landfill,,5,tonnes,,,,", *[""] * 100, "Cardiff,2022-23,Bulidings,,,,,5,,,")
    expected = [(103, "category_unknown")]
    assert [(e.row, e.code) for e in validate(data).errors] == expected  # the whole file read at once
    # Past the cell limit (made small here) the file is read row by row and the blank lines never become rows.
    monkeypatch.setattr(limits, "MAX_CELLS", 100)
    reached: list = []
    monkeypatch.setattr(csv_reader, "_read_csv_arrow", lambda *a: reached.append(a))
    report = validate(data)
    assert [(e.row, e.code) for e in report.errors] == expected
    assert report.rows_read == 2 and reached == []


def test_a_workbook_keeps_row_numbers_across_empty_rows_and_ignores_a_million_of_them():
    rows = [["Annual return"], HEADER.split(","), ["Cardiff", "2022-23", "Waste", "Landfill", None, 5, "tonnes"]]
    rows += [[None]] * 3 + [["Cardiff", "2022-23", "Bulidings", None, None, None, None, 5]]

    def far_cell(wb):
        wb.active.cell(row=1_048_576, column=40, value="x")  # a million empty rows, 40 columns wide

    data = workbook_bytes(rows)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    far_cell(wb)
    out = io.BytesIO()
    wb.save(out)
    # Title (row 1), header (row 2), a line (row 3), empty rows 4 to 6, the misspelt category on row 7.
    report = validate(out.getvalue())
    assert [(e.row, e.code) for e in report.errors] == [(7, "category_unknown")]
    assert report.rows_read == 2  # the far cell is under no header: not a line


def test_a_workbook_of_too_many_cells_is_refused_as_it_is_read(monkeypatch):
    # A few megabytes of workbook can hold a million rows as wide as its widest: refused at the cell limit
    # (made small here) instead of filling memory.
    monkeypatch.setattr(limits, "MAX_CELLS", 50)
    rows = [HEADER.split(",")] + [["Cardiff", "2022-23", "Waste", "Landfill", None, k, "tonnes"] for k in range(1, 9)]
    report = validate(workbook_bytes(rows))
    assert codes(report) == ["too_many_cells"]
    assert report.errors[0].message() == ("The sheet's rows and columns add up to more than 50 cells, "
                                          "far more than a return needs.")


# ---- emissions given in kg or kt CO2e (issue 11, item 5) --------------------

def test_a_kilogram_column_is_divided_into_tonnes_with_a_warning_that_says_so():
    # Powys published "85,773,255 kg CO2e" for 2022-23.
    report = validate(b"organisation,reporting_year,category,Emissions (kg CO2e)\n"
                      b'Powys,2022-23,Buildings,"85,773,255"\nPowys,2022-23,Fleet,500\n')
    assert report.valid, report.to_text()
    assert report.lines["emissions_tco2e"].tolist() == [85_773.255, 0.5]
    (warning,) = report.warnings
    assert warning.code == "emissions_converted"
    assert warning.message() == ("The emissions in “Emissions (kg CO2e)” are in kgCO2e: they were divided by 1,000 "
                                 "to give tonnes (tCO2e).")
    assert warning.message("cy") == ("Mae'r allyriadau yn “Emissions (kg CO2e)” mewn kgCO2e: maent wedi'u rhannu â "
                                     "1,000 i roi tunelli (tCO2e).")


@pytest.mark.parametrize(("heading", "tonnes", "converted"), [
    ("emissions_kgco2e", 3.353, True), ("emissions_ktco2e", 3_353_000.0, True), ("kgCO2e", 3.353, True),
    ("ktCO2e", 3_353_000.0, True), ("Allyriadau (kg CO2e)", 3.353, True), ("tonnes CO2e", 3353.0, False),
    ("Emissions (tCO2e)", 3353.0, False), ("emissions_tco2e", 3353.0, False),
])
def test_the_unit_in_an_emissions_header_is_read(heading, tonnes, converted):
    report = validate(f'category,{heading}\nWaste,"3,353"\n'.encode(), organisation="cardiff",
                      reporting_year="2022-23")
    assert report.valid, report.to_text()
    assert report.lines["emissions_tco2e"].tolist() == [pytest.approx(tonnes)]
    assert [w.code for w in report.warnings] == (["emissions_converted"] if converted else [])


def test_a_short_layout_in_kilotonnes_is_multiplied_into_tonnes():
    # Public Health Wales and the all-Wales analysis publish ktCO2e.
    data = b'category,2021-22 (ktCO2e),2022-23 (ktCO2e)\nBuildings,3.353,"3,353"\nFleet,1.2,\n'
    report = validate(data, organisation="public_health_wales")
    assert report.valid, report.to_text()
    lines = report.lines.sort_values(["reporting_year", "category"])
    assert lines["emissions_tco2e"].tolist() == [pytest.approx(3_353.0), pytest.approx(1_200.0), 3_353_000.0]
    assert report.warnings[0].message() == ("The emissions in “2021-22 (ktCO2e)”, “2022-23 (ktCO2e)” are in ktCO2e: "
                                            "they were multiplied by 1,000 to give tonnes (tCO2e).")


def test_a_units_cell_beside_the_figures_says_their_unit():
    data = b"organisation,reporting_year,category,emissions,units\nCardiff,2022-23,Buildings,1200,kgCO2e\n" \
           b"Cardiff,2022-23,Fleet,3,tCO2e\nCardiff,2022-23,Waste,4,\n"
    report = validate(data)
    assert report.valid, report.to_text()
    assert report.lines["emissions_tco2e"].tolist() == [1.2, 3.0, 4.0]
    assert [w.code for w in report.warnings] == ["emissions_converted"]
    assert report.lines["activity_unit"].isna().all()  # the units cell was the emissions', not an activity's


@pytest.mark.parametrize(("data", "shown"), [
    (b"category,emissions_tco2e,emissions_kgco2e\nWaste,3,3000\n",
     "“emissions_tco2e” (tCO2e), “emissions_kgco2e” (kgCO2e)"),
    (b"category,2019-20,2020-21 (kgCO2e)\nWaste,3,3000\n", "“2019-20” (tCO2e), “2020-21 (kgCO2e)” (kgCO2e)"),
    (b"category,Emissions (tCO2e),unit\nWaste,3,kgCO2e\n", "“Emissions (tCO2e)” (tCO2e)"),
])
def test_emissions_in_two_units_are_an_error_naming_the_columns(data, shown):
    report = validate(data, organisation="cardiff", reporting_year="2022-23")
    assert codes(report) == ["emissions_units_mixed"]
    assert report.errors[0].message().startswith(f"The columns of emissions are in different units: {shown}.")
    assert report.lines is None


def test_a_negative_figure_given_in_kilograms_is_told_in_tonnes():
    report = validate(b"category,kgCO2e\nWaste,-5000\n", organisation="cardiff", reporting_year="2022-23")
    assert codes(report) == ["emissions_negative"]
    assert report.errors[0].message().startswith("Emissions of -5 tCO2e in Waste are negative")
