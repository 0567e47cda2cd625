"""Export the current returns to CSV, Excel or Parquet, safe to open in a spreadsheet.

Text that came from an upload (notes, and names from a replacement register)
could begin with ``=``, ``+``, ``-`` or ``@`` and be run by Excel as a formula
("CSV injection"). In CSV such cells get a leading apostrophe; in Excel they
are written as text cells, never formulas.
"""

from __future__ import annotations

import io

import pandas as pd

from decarb_dashboard import rollups
from decarb_dashboard.engine import Engine
from decarb_dashboard.matcher import OrganisationMatcher
from uploads_schema.columns import columns
from uploads_schema.vocabulary import vocabulary

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = ("csv", "xlsx", "parquet")


def neutralise(value: object) -> object:
    """Return a text cell that a spreadsheet will not run as a formula; other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def export_table(lines: pd.DataFrame, matcher: OrganisationMatcher) -> pd.DataFrame:
    """Return the lines to export: the body's English name beside its id, text as plain objects."""
    frame = lines.copy()
    names = {org: matcher.name(org) for org in frame["organisation_id"].dropna().unique()}
    frame.insert(1, "organisation_name", frame["organisation_id"].map(names).astype(object))
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.CategoricalDtype) or frame[column].dtype == object \
                or pd.api.types.is_string_dtype(frame[column].dtype):
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """Return CSV (UTF-8 with a byte order mark, for Excel) with formula-like text neutralised."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):  # pandas 3: str dtype
            safe[column] = safe[column].map(neutralise)
    return ("\ufeff" + safe.to_csv(index=False, lineterminator="\r\n")).encode("utf-8")


def to_xlsx_bytes(frame: pd.DataFrame, sheet: str = "Returns") -> bytes:
    """Return an Excel workbook of ``frame`` in which every text cell is text, never a formula."""
    return workbook_bytes([(sheet, frame)])


def workbook_bytes(sheets: list[tuple[str, pd.DataFrame]]) -> bytes:
    """Return an Excel workbook of one sheet per (name, frame), the first active; text cells text, never formulas.

    Written in openpyxl's write-only mode, row by row, so that a large export needs memory for its
    file, not for a workbook of cell objects.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    for sheet, frame in sheets:
        ws = wb.create_sheet(sheet[:31])  # Excel's longest sheet name
        ws.freeze_panes = "A2"
        ws.append([str(c) for c in frame.columns])
        for row in frame.itertuples(index=False):
            ws.append([_cell(ws, value, WriteOnlyCell) for value in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _cell(ws: object, value: object, make: type) -> object:
    """One cell of a write-only sheet: nothing for a missing value, a text cell for text, else the value."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, str):
        cell = make(ws, value=value)
        cell.data_type = "s"  # never a formula, whatever it begins with
        return cell
    return value.item() if hasattr(value, "item") else value


def _ids(entries: dict) -> list[str]:
    """The ids a vocabulary allows; a vocabulary keyed by (category, source) gives each source id once."""
    return list(dict.fromkeys(key[-1] if isinstance(key, tuple) else key for key in entries))


def data_dictionary() -> pd.DataFrame:
    """Return the data dictionary of the exported lines, generated from the contract (``columns.toml``).

    One row per column of a return, in template order: its name, its header in English and
    Welsh, its kind, whether it is required, the vocabulary its values come from and the ids
    that vocabulary allows (``|``-separated), and its description in English and Welsh.
    """
    vocab = vocabulary()
    rows = [{
        "column": spec.name,
        "header_en": spec.header("en"),
        "header_cy": spec.header("cy"),
        "kind": spec.kind,
        "required": spec.required,
        "vocabulary": spec.vocabulary,
        "allowed_values": "|".join(_ids(getattr(vocab, spec.vocabulary))) if spec.vocabulary else None,
        "description_en": spec.description("en"),
        "description_cy": spec.description("cy"),
    } for spec in columns()]
    return pd.DataFrame(rows, dtype=object)


def coverage_table(engine: Engine) -> pd.DataFrame:
    """Return the all-Wales coverage of each year in ``engine``, oldest first (see :func:`rollups.coverage`).

    Columns: ``reporting_year, bodies_reported, bodies_expected, reported_pct, baseline_share_pct``
    (the reporting bodies' share of the 2019-20 emissions, per cent; empty without 2019-20 returns)
    and ``provisional`` (below the adequate share of bodies).
    """
    everyone = sorted(engine.registry["id"].astype(str))
    keys = ("bodies_reported", "bodies_expected", "reported_pct", "baseline_share_pct", "provisional")
    rows = [{"reporting_year": year, **{k: rollups.coverage(engine.categories, engine.registry, everyone, year)[k]
                                        for k in keys}} for year in engine.years()]
    return pd.DataFrame(rows, columns=["reporting_year", *keys])
