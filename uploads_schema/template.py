"""Templates and documentation generated from the contract's one declaration.

``csv_template`` and ``xlsx_template`` give a blank return (the Excel one with
drop-down lists for category, source, unit, status and method, a sheet
explaining every column, and a sheet listing every vocabulary), and
``format_markdown`` the format documentation in ``docs/upload-format.md``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence

from uploads_schema.columns import columns, emissions_units
from uploads_schema.vocabulary import vocabulary

RETURN_SHEET = "Return"
COLUMNS_SHEET = "Columns"
LISTS_SHEET = "Lists"
TEMPLATE_ROWS = 500  # rows the drop-down lists cover

_REQUIRED_TEXT = {
    "always": ("required", "gofynnol"),
    "unless-chosen": ("required unless chosen on the upload page", "gofynnol oni bai ei ddewis ar y dudalen lwytho"),
    "optional": ("optional", "dewisol"),
}


def header() -> list[str]:
    """Return the header row of the return."""
    return [c.name for c in columns()]


def template_row(values: Mapping[str, object]) -> list[object]:
    """Return a row of the return in the contract's column order: the given columns' values, the others blank.

    ``{"organisation": "Newport City Council", "category": "Buildings"}`` -> a row with those two cells
    filled, under whichever columns ``columns.toml`` puts them. A name that is not a column is refused
    (``KeyError``): a template row must not lose a value silently.
    """
    names = header()
    unknown = set(values) - set(names)
    if unknown:
        raise KeyError(f"not columns of the return: {', '.join(sorted(unknown))}")
    return [values.get(name) for name in names]


def csv_template(rows: Iterable[Sequence[object]] = ()) -> bytes:
    """Return a CSV return (UTF-8 with a byte order mark, so Excel shows Welsh letters) with ``rows``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header())
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _lists() -> dict[str, list[str]]:
    v = vocabulary()
    sources: list[str] = []
    for s in v.sources.values():
        if s.name_en not in sources:
            sources.append(s.name_en)
    return {
        "category": [c.name_en for c in v.ordered_categories()],
        "source": sources,
        "activity_unit": list(v.units),
        "status": [s.name_en for s in v.statuses.values()],
        "method": [m.name_en for m in v.methods.values()],
    }


def xlsx_template(rows: Iterable[Sequence[object]] = (), lang: str = "en") -> bytes:
    """Return an Excel return: the ``Return`` sheet (with ``rows``), ``Columns`` and ``Lists``."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    v = vocabulary()
    wb = Workbook()
    ws = wb.active
    ws.title = RETURN_SHEET
    names = header()
    ws.append(names)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in ws[1]:
        cell.font, cell.fill = bold, fill
    for row in rows:
        ws.append(["" if x is None else x for x in row])
    ws.freeze_panes = "A2"
    for i, spec in enumerate(columns(), start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(14, len(spec.name) + 4)
        if spec.kind == "year":
            # Text format stops Excel turning 2022-23 into a date.
            for r in range(2, TEMPLATE_ROWS + 2):
                ws.cell(row=r, column=i).number_format = "@"

    lists = wb.create_sheet(LISTS_SHEET)
    position = {name: i for i, name in enumerate(names, start=1)}
    for col, (name, values) in enumerate(_lists().items(), start=1):
        lists.cell(row=1, column=col, value=name).font = bold
        for r, value in enumerate(values, start=2):
            lists.cell(row=r, column=col, value=value)
        letter = get_column_letter(col)
        rule = DataValidation(
            type="list", formula1=f"={LISTS_SHEET}!${letter}$2:${letter}${len(values) + 1}",
            allow_blank=True, showErrorMessage=name in ("category", "status", "method"),
            errorTitle="Not in the list", error=f"Choose a {name} from the list (see the Lists sheet).",
        )
        target = get_column_letter(position[name])
        rule.add(f"{target}2:{target}{TEMPLATE_ROWS + 1}")
        ws.add_data_validation(rule)
        lists.column_dimensions[letter].width = 28
    scope_col = get_column_letter(position["scope"])
    scope_rule = DataValidation(type="list", formula1='"1,2,3"', allow_blank=True)
    scope_rule.add(f"{scope_col}2:{scope_col}{TEMPLATE_ROWS + 1}")
    ws.add_data_validation(scope_rule)

    # Which sources each category has, with their scope and units.
    start = len(_lists()) + 2
    for col, title in enumerate(["category", "source", "scope", "units"], start=start):
        lists.cell(row=1, column=col, value=title).font = bold
        lists.column_dimensions[get_column_letter(col)].width = 30
    for r, s in enumerate(v.sources.values(), start=2):
        cells = [v.categories[s.category].name(lang), s.name(lang), s.scope, ", ".join(s.units)]
        for col, value in enumerate(cells, start=start):
            lists.cell(row=r, column=col, value=value)

    guide = wb.create_sheet(COLUMNS_SHEET)
    guide.append(["column", "required", "example", "what to enter", "beth i'w roi"])
    for cell in guide[1]:
        cell.font, cell.fill = bold, fill
    for spec in columns():
        guide.append([spec.name, _REQUIRED_TEXT[spec.required][0], spec.example,
                      spec.description_en, spec.description_cy])
    for letter, width in zip("ABCDE", (18, 22, 22, 80, 80), strict=True):
        guide.column_dimensions[letter].width = width
    for row in guide.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


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
              "0.5% away is a warning that gives both figures.", ""]
    return "\n".join(lines)
