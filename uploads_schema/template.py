"""Templates and documentation generated from the contract's one declaration.

``csv_template`` and ``xlsx_template`` give a return to fill in, in the template's language
(headers, drop-down lists, prompts and guidance): pre-filled with a body's lines of the year
before (:func:`previous_year_rows`) or with one example row (:func:`example_rows`) that
passes the check and whose notes say to replace or delete it. The Excel one has drop-down
lists for category, source, scope, unit, status and method whose every value the checker
accepts, a sheet explaining every column and a sheet listing every vocabulary.
``format_markdown`` gives the format documentation in ``docs/upload-format.md``.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from uploads_schema.columns import ColumnSpec, column, columns, emissions_units
from uploads_schema.i18n import gettext
from uploads_schema.vocabulary import vocabulary

TEMPLATE_ROWS = 500  # rows the drop-down lists cover
#: The Excel format of the number columns' cells: thousands grouped, two decimals.
NUMBER_FORMAT = "#,##0.00"
#: The columns with a drop-down list in the Excel template, in the order of the Lists sheet.
LIST_COLUMNS = ("category", "source", "scope", "activity_unit", "status", "method")
#: What the example row holds (ids of the vocabularies; figures in the unit given): 1,250,000 kWh of natural gas
#: burnt in buildings, 228.5 tCO2e (the UK 2022 factor, 0.18254 kgCO2e/kWh, gives 228.2: within the check's 5%).
EXAMPLE_LINE = {"category": "buildings", "source": "natural_gas", "scope": 1, "activity_amount": 1250000,
                "activity_unit": "kWh", "emissions_tco2e": 228.5, "status": "measured", "method": "activity"}

_REQUIRED_TEXT = {
    "always": ("required", "gofynnol"),
    "unless-chosen": ("required unless chosen on the upload page", "gofynnol oni bai ei ddewis ar y dudalen lwytho"),
    "optional": ("optional", "dewisol"),
}


def _say(key: str, lang: str, **params: object) -> str:
    return gettext("messages", key, lang, **params)


def sheet_names(lang: str = "en") -> tuple[str, str, str]:
    """Return the names of the Excel template's sheets in ``lang``: the return, the lists and the columns."""
    return (_say("template_sheet_return", lang), _say("template_sheet_lists", lang),
            _say("template_sheet_columns", lang))


def header(lang: str = "en") -> list[str]:
    """Return the header row of the return in ``lang`` (``header_cy`` of columns.toml in Welsh)."""
    return [c.header(lang) for c in columns()]


def template_row(values: Mapping[str, object]) -> list[object]:
    """Return a row of the return in the contract's column order: the given columns' values, the others blank.

    ``{"organisation": "Newport City Council", "category": "Buildings"}`` -> a row with those two cells
    filled, under whichever columns ``columns.toml`` puts them. A name that is not a column is refused
    (``KeyError``): a template row must not lose a value silently.
    """
    names = [c.name for c in columns()]
    unknown = set(values) - set(names)
    if unknown:
        raise KeyError(f"not columns of the return: {', '.join(sorted(unknown))}")
    return [values.get(name) for name in names]


def _blank(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _line_row(line: Mapping[str, object], organisation: str, year: str, lang: str) -> list[object]:
    """A row of the return from a line of vocabulary ids, named in ``lang``."""
    v = vocabulary()
    category = str(line["category"])
    source = line.get("source")
    cells: dict[str, object] = {"organisation": organisation, "reporting_year": year,
                                "category": v.categories[category].name(lang)}
    if not _blank(source):
        cells["source"] = v.sources[(category, str(source))].name(lang)
    for name in ("scope", "activity_amount", "activity_unit", "emissions_tco2e", "notes"):
        value = line.get(name)
        if not _blank(value):  # a whole number as one (34649311, not 34649311.0)
            whole = name == "scope" or (isinstance(value, float) and value.is_integer())
            cells[name] = int(value) if whole else value
    for name, terms in (("status", v.statuses), ("method", v.methods)):
        value = line.get(name)
        if not _blank(value):
            cells[name] = terms[str(value)].name(lang)
    return template_row(cells)


def previous_year_rows(lines: pd.DataFrame, organisation: str, year: str, lang: str = "en"
                       ) -> tuple[list[list[object]], str | None]:
    """Return a body's lines of its latest return before ``year`` as rows of the return, and that year.

    ``lines`` are the body's stored lines (vocabulary ids, as ``SubmissionStore.current_lines`` gives
    them); each row keeps its figures, status, method and notes, names the body ``organisation`` and
    the category, source, status and method in ``lang``, and keeps *its own* year: the return cannot
    be checked for ``year`` until each figure, and the year, are this year's. ``([], None)`` when the
    body has no earlier return.
    """
    if lines.empty:
        return [], None
    earlier = sorted(y for y in lines["reporting_year"].astype(str).unique() if y < year)
    if not earlier:
        return [], None
    last = lines[lines["reporting_year"].astype(str) == earlier[-1]]
    if "row" in last:
        last = last.sort_values("row")
    return [_line_row(line, organisation, earlier[-1], lang) for line in last.to_dict("records")], earlier[-1]


def example_rows(organisation: str, year: str, lang: str = "en") -> list[list[object]]:
    """Return the template's example row (:data:`EXAMPLE_LINE` for ``organisation`` in ``year``), in ``lang``.

    It passes the check as it is; its notes say it is an example to replace with the body's
    own figures or delete (the check reads notes as free text).
    """
    return [_line_row({**EXAMPLE_LINE, "notes": _say("template_example_note", lang)}, organisation, year, lang)]


def csv_template(rows: Iterable[Sequence[object]] = (), lang: str = "en") -> bytes:
    """Return a CSV return (UTF-8 with a byte order mark, so Excel shows Welsh letters): the header in ``lang``,
    then ``rows``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header(lang))
    for row in rows:
        writer.writerow(["" if _blank(v) else v for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def drop_down_values(lang: str = "en") -> dict[str, list[str]]:
    """Return the values of each drop-down list of the Excel template (:data:`LIST_COLUMNS`), in ``lang``.

    Vocabulary names in ``lang`` (each source name once, though several categories have it);
    units are their symbols in every language; scope is 1, 2 or 3.
    """
    v = vocabulary()
    return {
        "category": [c.name(lang) for c in v.ordered_categories()],
        "source": list(dict.fromkeys(s.name(lang) for s in v.sources.values())),
        "scope": ["1", "2", "3"],
        "activity_unit": list(v.units),
        "status": [s.name(lang) for s in v.statuses.values()],
        "method": [m.name(lang) for m in v.methods.values()],
    }


def _example_value(name: str, lang: str) -> str:
    """The example a prompt gives for list column ``name``, in ``lang`` (from :data:`EXAMPLE_LINE`)."""
    v = vocabulary()
    value = EXAMPLE_LINE[name]
    if name == "category":
        return v.categories[str(value)].name(lang)
    if name == "source":
        return v.sources[(str(EXAMPLE_LINE["category"]), str(value))].name(lang)
    if name == "status":
        return v.statuses[str(value)].name(lang)
    if name == "method":
        return v.methods[str(value)].name(lang)
    return str(value)


@dataclass(frozen=True)
class Contract:
    """What a template is made from: a file's declared columns, its drop-down lists and their examples, in a
    language. The return's is :data:`RETURN`; the projects file's is
    :data:`uploads_schema.projects_template.PROJECTS`."""

    columns: Callable[[], tuple[ColumnSpec, ...]]
    drop_downs: Callable[[str], dict[str, list[str]]]
    list_examples: Callable[[str], dict[str, str]]

    def spec(self, name: str) -> ColumnSpec:
        return next(c for c in self.columns() if c.name == name)


RETURN = Contract(columns, lambda lang: drop_down_values(lang),
                  lambda lang: {name: _example_value(name, lang) for name in LIST_COLUMNS})


def prompts(lang: str = "en", contract: Contract = RETURN) -> dict[str, dict[str, str]]:
    """Return the input prompt and error alert of each drop-down list, in plain words in ``lang``.

    ``{"activity_unit": {"prompt_title": "Unit of the activity amount", "prompt": "Choose the unit of the
    activity amount from the list, for example kWh.", "error_title": ..., "error": ...}}``: each names the
    column by its label (columns.toml), never its code. Excel shows at most 32 characters of a title.
    """
    lists_sheet = sheet_names(lang)[1]
    out = {}
    examples = contract.list_examples(lang)
    for name in contract.drop_downs(lang):
        label = contract.spec(name).label(lang)
        out[name] = {
            "prompt_title": label[:1].upper() + label[1:],
            "prompt": _say("template_prompt", lang, label=label, example=examples[name]),
            "error_title": _say("template_error_title", lang),
            "error": _say("template_error", lang, label=label, sheet=lists_sheet),
        }
    return out


def xlsx_template(rows: Iterable[Sequence[object]] = (), lang: str = "en", guidance: str | None = None,
                  contract: Contract = RETURN, sheet: str | None = None) -> bytes:
    """Return an Excel return in ``lang``: the return sheet (with ``rows``), the lists and the columns explained.

    ``guidance``, a sentence on what the rows are (an example, last year's lines), heads the columns sheet.
    ``contract`` is the file's (the return's by default) and ``sheet`` the first sheet's name.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    v = vocabulary()
    return_name, lists_name, columns_name = sheet_names(lang)
    wb = Workbook()
    ws = wb.active
    ws.title = sheet or return_name
    ws.append([c.header(lang) for c in contract.columns()])
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="top")
    for cell in ws[1]:
        cell.font, cell.fill = bold, fill
    for row in rows:
        ws.append([None if _blank(x) else x for x in row])
    ws.freeze_panes = "A2"
    position = {}
    for i, spec in enumerate(contract.columns(), start=1):
        letter = get_column_letter(i)
        position[spec.name] = letter
        ws.column_dimensions[letter].width = max(14, len(spec.header(lang)) + 4)
        # Text format stops Excel turning 2022-23 into a date; numbers show grouped in thousands.
        number_format = "@" if spec.kind == "year" else NUMBER_FORMAT if spec.kind == "number" else None
        if number_format:
            for r in range(2, TEMPLATE_ROWS + 2):
                ws.cell(row=r, column=i).number_format = number_format

    lists = wb.create_sheet(lists_name)
    words = prompts(lang, contract)
    drop_downs = contract.drop_downs(lang)
    for col, (name, values) in enumerate(drop_downs.items(), start=1):
        lists.cell(row=1, column=col, value=contract.spec(name).header(lang)).font = bold
        for r, value in enumerate(values, start=2):
            lists.cell(row=r, column=col, value=value)
        letter = get_column_letter(col)
        said = words[name]
        # A warning, not a stop: the checker also takes the other language's names and common spellings.
        rule = DataValidation(
            type="list", formula1=f"='{lists_name}'!${letter}$2:${letter}${len(values) + 1}", allow_blank=True,
            showInputMessage=True, promptTitle=said["prompt_title"], prompt=said["prompt"],
            showErrorMessage=True, errorStyle="warning", errorTitle=said["error_title"], error=said["error"],
        )
        target = position[name]
        rule.add(f"{target}2:{target}{TEMPLATE_ROWS + 1}")
        ws.add_data_validation(rule)
        lists.column_dimensions[letter].width = 28

    # Which sources each category has, with their scope and units.
    start = len(drop_downs) + 2
    titles = [column("category").header(lang), column("source").header(lang), column("scope").header(lang),
              _say("template_units_heading", lang)]
    for col, title in enumerate(titles, start=start):
        lists.cell(row=1, column=col, value=title).font = bold
        lists.column_dimensions[get_column_letter(col)].width = 30
    for r, s in enumerate(v.sources.values(), start=2):
        cells = [v.categories[s.category].name(lang), s.name(lang), s.scope, ", ".join(s.units)]
        for col, value in enumerate(cells, start=start):
            lists.cell(row=r, column=col, value=value)

    guide = wb.create_sheet(columns_name)
    if guidance:
        guide.append([guidance])
        guide.merge_cells(start_row=1, start_column=1, end_row=1, end_column=4)
        guide.cell(row=1, column=1).alignment = wrap
        guide.row_dimensions[1].height = 45
        guide.append([])
    guide.append([_say(key, lang) for key in ("template_guide_column", "template_guide_required",
                                              "template_guide_example", "template_guide_meaning")])
    first = guide.max_row  # the row of the headings
    for cell in guide[first]:
        cell.font, cell.fill = bold, fill
    example = {**{c.name: c.example for c in contract.columns()}, **contract.list_examples(lang)}
    for spec in contract.columns():
        guide.append([spec.header(lang), _REQUIRED_TEXT[spec.required][1 if lang == "cy" else 0],
                      example[spec.name], spec.description(lang)])
    for letter, width in zip("ABCD", (20, 24, 22, 90), strict=True):
        guide.column_dimensions[letter].width = width
    for row in guide.iter_rows(min_row=first + 1):
        for cell in row:
            cell.alignment = wrap

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def template_file_name(extension: str, lang: str, body: str | None = None, year: str | None = None) -> str:
    """Return a template's file name, by body, year and language as every download is named
    (``cardiff-2024-25-return-template-cy.xlsx``; ``return-template-2024-25-en.csv`` without a body)."""
    parts = [body, year, "return-template"] if body else ["return-template", year]
    return "-".join(p for p in (*parts, lang) if p) + f".{extension}"


def format_markdown() -> str:
    """Return the upload format documentation (``docs/upload-format.md``) as Markdown."""
    v = vocabulary()
    lines = [
        "# The annual return: upload format",
        "",
        "Generated by `decarb template --format md` from `uploads_schema/columns.toml` and the",
        "vocabularies in `uploads_schema/vocabulary/`. Do not edit by hand.",
        "",
        "One row per emission line. Header names are matched ignoring case, spaces and punctuation;",
        "column order is free; columns not listed here are ignored with a warning. CSV (UTF-8,",
        "UTF-16 or Windows-1252; comma, semicolon or tab) and Excel `.xlsx` are accepted.",
        "",
        "## Columns",
        "",
        "| column | required | example | meaning |",
        "|---|---|---|---|",
    ]
    for spec in columns():
        aliases = f" Also accepted as: {', '.join(spec.aliases)}." if spec.aliases else ""
        lines.append(f"| `{spec.name}` | {_REQUIRED_TEXT[spec.required][0]} | {spec.example} | "
                     f"{spec.description_en}{aliases} |")
    lines += ["", "## Categories", "", "| category | Welsh | scopes | may be negative | required from |",
              "|---|---|---|---|---|"]
    for c in v.ordered_categories():
        lines.append(f"| {c.name_en} | {c.name_cy} | {', '.join(map(str, c.scopes))} | "
                     f"{'yes' if c.negative_allowed else 'no'} | {c.required_from} |")
    lines += ["", "## Sources within each category", "",
              "The scope column may be left blank: the source implies it.", "",
              "| category | source | Welsh | scope | units |", "|---|---|---|---|---|"]
    for s in v.sources.values():
        lines.append(f"| {v.categories[s.category].name_en} | {s.name_en} | {s.name_cy} | {s.scope} | "
                     f"{', '.join(s.units)} |")
    lines += ["", "## Units", "", "| unit | also written | converts to |", "|---|---|---|"]
    for u in v.units.values():
        lines.append(f"| {u.id} | {', '.join(u.aliases)} | {u.to_canonical:g} {u.canonical} |")
    lines += ["", "## Statuses", "", "| status | Welsh | has figures | also understood in a number cell |",
              "|---|---|---|---|"]
    for s in v.statuses.values():
        tokens = ", ".join(f"`{t}`" for t in s.number_cell_tokens)
        lines.append(f"| {s.name_en} | {s.name_cy} | {'yes' if s.has_figures else 'no'} | {tokens} |")
    lines += ["", "## Emissions in kg or kt CO2e", "",
              "A header of the emissions column, or of a short layout's year or total column, may end in",
              "the unit its figures are in (`emissions_kgco2e`, `Emissions (kg CO2e)`, `ktCO2e`,",
              "`2022-23 (ktCO2e)`); with no activity amount, a units cell beside the figure may say it.",
              "The figures are converted to tonnes with a warning. Columns of emissions in different",
              "units are an error; a header that names no unit is tCO2e.", "",
              "| unit | to tCO2e | also written |", "|---|---|---|"]
    for e in emissions_units().values():
        lines.append(f"| {e.id} | x {e.to_tonnes:g} | {', '.join(e.spellings)} |")
    lines += ["", "## Short layout", "",
              "A table with one row per category and its figures under financial-year columns",
              "(`2019-20`, `2020-21 (tCO2e)`, ...) or under a `total` column, the way bodies publish",
              "their figures, is also accepted and turned into the long layout.", "",
              "## Total rows", "",
              "A row labelled `Total` (in the category, source or organisation cell) is never stored: it is",
              "checked against the sum of the lines it totals (the same body, year and category; a cell",
              "left blank or labelled total covers them all), with or without Land, and a total more than",
              "0.5% away is a warning that gives both figures.", "",
              "## Templates", "",
              "The upload page's template downloads and `decarb template --format csv|xlsx [--org BODY] [--year",
              "2024-25] [--lang cy]` give the same file, named by body, year and language",
              "(`cardiff-2024-25-return-template-cy.xlsx`; `return-template-2024-25-en.csv` without a body), in the",
              "template's language: headers (`header_cy` of `columns.toml` in Welsh), names of categories, sources,",
              "statuses and methods, prompts and guidance. Units keep their symbols.", "",
              "- **Pre-filled**: for a body with an earlier return in the store, the lines of its latest return",
              "  before the year, with their figures, status, method, notes and *their own year*. Change the year",
              "  and each figure to this year's: the upload page (and `decarb validate --year`) refuses lines of",
              "  another year, so the file cannot be submitted unchanged as this year's.",
              "- **Example row**: otherwise one line (1,250,000 kWh of natural gas in Buildings, 228.5 tCO2e) for",
              "  the body, or for Cardiff Council without one, that passes the check as it is. Its notes say",
              "  \"Example: replace it with your own figures or delete this row\": replace it or delete it, or it",
              "  is submitted as a line of the return.", "",
              "The Excel template's drop-down lists (category, source, scope, unit, status, method) offer the",
              "vocabularies' names in the template's language, every one of which the check accepts; each says in",
              "plain words what to choose (\"Choose the unit of the activity amount from the list, for example",
              "kWh.\", from the `messages` catalogue and `label_en`/`label_cy` of `columns.toml`) and warns, without",
              "refusing, about a value not in the list (the check also takes the other language's names and",
              "common spellings). Number cells are formatted with thousands grouped, the year cells as text.",
              "The *Lists* sheet (*Rhestrau*) lists every vocabulary and which units each source allows; the",
              "*Columns* sheet (*Colofnau*) explains every column and says what the rows are.", ""]
    return "\n".join(lines)
