"""Every value a drop-down list of the Excel template offers is one the check accepts, in English and in Welsh,
and the prompts say in plain words of the template's language what to choose."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from openpyxl.utils import column_index_from_string

from decarb_dashboard.validate import validate_upload
from tests.conftest import TODAY
from uploads_schema import template
from uploads_schema.columns import columns
from uploads_schema.vocabulary import vocabulary


def _workbook(lang: str, rows=()) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(template.xlsx_template(rows, lang)))


def _drop_downs(wb: openpyxl.Workbook, lang: str) -> dict[str, tuple[list[str], object]]:
    """{column header: (the values its drop-down offers, read from the sheet it points at, the validation)}."""
    ws = wb[template.sheet_names(lang)[0]]
    headers = [c.value for c in ws[1]]
    out = {}
    for dv in ws.data_validations.dataValidation:
        sheet, cells = dv.formula1.lstrip("=").split("!")
        values = [str(row[0].value) for row in wb[sheet.strip("'")][cells.replace("$", "")]]
        first = str(dv.sqref).split(":")[0]
        out[headers[column_index_from_string(re.sub(r"\d", "", first)) - 1]] = (values, dv)
    return out


def _line(lang: str, **cells: object) -> str:
    names = [c.name for c in columns()]
    return ",".join(f'"{cells.get(n, "")}"' for n in names)


def _lines_using_every_value(lists: dict[str, list[str]], lang: str) -> list[str]:
    """One line per value of each list (in ``lang``), each completed with what its line needs to be valid
    (each is checked as a return of its own: two lines of one category's total would clash)."""
    v = vocabulary()
    sources = list(v.sources.values())
    name = {c.name: c.header(lang) for c in columns()}
    lines = []
    for value in lists[name["category"]]:
        lines.append(_line(lang, category=value, emissions_tco2e=10))
    for value in lists[name["source"]]:
        s = next(s for s in sources if s.name(lang) == value)
        figures = {"activity_amount": 100, "activity_unit": s.units[0]} if s.stream == "memo" else \
            {"emissions_tco2e": 10}
        lines.append(_line(lang, category=v.categories[s.category].name(lang), source=value, **figures))
    for value in lists[name["activity_unit"]]:
        s = next(s for s in sources if value in s.units and s.stream != "memo")
        lines.append(_line(lang, category=v.categories[s.category].name(lang), source=s.name(lang),
                           activity_amount=100, activity_unit=value, emissions_tco2e=10))
    for value in lists[name["scope"]]:
        s = next(s for s in sources if str(s.scope) == value and s.stream == "direct")
        lines.append(_line(lang, category=v.categories[s.category].name(lang), source=s.name(lang), scope=value,
                           emissions_tco2e=10))
    for value in lists[name["status"]]:
        status = next(s for s in v.statuses.values() if s.name(lang) == value)
        lines.append(_line(lang, category=v.categories["water"].name(lang), status=value,
                           **({"emissions_tco2e": 10} if status.has_figures else {})))
    for value in lists[name["method"]]:
        lines.append(_line(lang, category=v.categories["supply_chain"].name(lang), method=value,
                           emissions_tco2e=10))
    return lines


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_every_value_a_drop_down_offers_is_accepted_by_the_check(lang):
    lists = {header: values for header, (values, _) in _drop_downs(_workbook(lang), lang).items()}
    assert set(lists) == {template.column(n).header(lang) for n in template.LIST_COLUMNS}
    v = vocabulary()
    # Every term of each vocabulary is offered in the template's language (a source once, though in several categories).
    assert len(lists[template.column("category").header(lang)]) == len(v.categories) == 10
    assert len(lists[template.column("status").header(lang)]) == len(v.statuses) == 5
    assert len(lists[template.column("activity_unit").header(lang)]) == len(v.units) == 13
    header = ",".join(template.header(lang))
    refused = {}
    for line in _lines_using_every_value(lists, lang):
        raw = f"{header}\n{line}\n".encode()
        report = validate_upload(raw, "lists.csv", organisation="cardiff", reporting_year="2022-23", today=TODAY)
        if not report.valid or report.line_count != 1:
            refused[line] = [(i.code, i.column, i.value) for i in report.errors]
    assert refused == {}


def test_the_welsh_drop_downs_offer_the_welsh_names():
    lists = {h: values for h, (values, _) in _drop_downs(_workbook("cy"), "cy").items()}
    assert lists["categori"][:3] == ["Adeiladau", "Goleuadau stryd", "Fflyd"]
    assert "Nwy naturiol" in lists["ffynhonnell"] and "Natural gas" not in lists["ffynhonnell"]
    assert lists["statws"] == ["wedi'i fesur", "amcangyfrif", "llenwi bwlch", "heb ei adrodd", "amherthnasol"]
    assert lists["cwmpas"] == ["1", "2", "3"]
    assert lists["uned"][:3] == ["kWh", "MWh", "GWh"]  # units keep their symbols


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_no_prompt_names_a_column_by_its_code_or_says_a_activity(lang):
    codes = {c.name for c in columns()} | {c.header_cy for c in columns()}
    for _, dv in _drop_downs(_workbook(lang), lang).values():
        words = [dv.promptTitle, dv.prompt, dv.errorTitle, dv.error]
        assert all(words) and dv.showInputMessage and dv.showErrorMessage
        assert len(dv.promptTitle) <= 32 and len(dv.prompt) <= 255 and len(dv.error) <= 255  # Excel's limits
        for text in words:
            assert not any(re.search(rf"\b{re.escape(code)}\b", text) for code in codes if "_" in code), text
            assert not re.search(r"\ba [aeiou]", text), text


def test_the_prompts_say_what_to_choose_in_plain_words():
    said = template.prompts("en")["activity_unit"]
    assert said["prompt_title"] == "Unit of the activity amount"
    assert said["prompt"] == "Choose the unit of the activity amount from the list, for example kWh."
    cy = template.prompts("cy")
    assert cy["category"]["prompt"] == "Dewiswch o'r rhestr: categori adrodd, er enghraifft Adeiladau."
    assert cy["status"]["error"] == ("Nid yw hwn yn un o werthoedd y rhestr. Dewiswch o'r rhestr: statws ansawdd y "
                                     "data. Mae taflen Rhestrau yn eu dangos i gyd.")


def test_the_welsh_template_is_in_welsh():
    wb = _workbook("cy")
    assert wb.sheetnames == ["Ffurflen", "Rhestrau", "Colofnau"]
    assert [c.value for c in wb["Ffurflen"][1]] == [
        "sefydliad", "blwyddyn_ariannol", "categori", "ffynhonnell", "cwmpas", "swm_gweithgarwch", "uned",
        "allyriadau_tco2e", "statws", "dull", "nodiadau"]
    guide = wb["Colofnau"]
    assert [c.value for c in guide[1]] == ["colofn", "gofynnol", "enghraifft", "beth i'w roi"]
    assert guide["B4"].value == "gofynnol" and guide["C4"].value == "Adeiladau"
    assert guide["D4"].value == "Y categori adrodd, yn Gymraeg neu'n Saesneg."
    english = {"the", "and", "choose", "from", "list", "not", "example", "column", "required", "units"}
    texts = [str(c.value) for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    texts += [str(t) for _, dv in _drop_downs(wb, "cy").values() for t in (dv.prompt, dv.error, dv.errorTitle)]
    assert [t for t in texts if set(re.findall(r"[a-z]+", t.lower())) & english] == []


def test_number_cells_are_formatted_and_the_year_is_text():
    ws = _workbook("en")["Return"]
    assert ws["F2"].number_format == ws["H500"].number_format == "#,##0.00"  # activity_amount, emissions_tco2e
    assert ws["B2"].number_format == "@"  # 2022-23 stays text, never a date


def test_the_columns_sheet_says_what_the_rows_are_above_its_headings():
    guide = _workbook("en")["Columns"]
    assert guide["A1"].value == "column" and guide["D1"].font.b
    wb = openpyxl.load_workbook(io.BytesIO(template.xlsx_template([], "en", guidance="The first row is an example.")))
    guide = wb["Columns"]
    assert guide["A1"].value == "The first row is an example."
    assert [c.value for c in guide[3]] == ["column", "required", "example", "what to enter"] and guide["D3"].font.b
    assert guide["A4"].value == "organisation" and guide["A4"].alignment.wrap_text
