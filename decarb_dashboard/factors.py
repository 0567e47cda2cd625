"""Emission factors: the shipped table, its provenance, and importing the official UK "flat file".

``data/factors.csv`` holds one row per factor: calendar year of the UK
Government set, activity, unit, kg CO2e per unit, scope, whether the value is
confirmed from a public source, and where it comes from. Values not confirmed
are marked ``confirmed = no`` and every figure computed from one says so.
``data/factor_map.csv`` says which activity a return line (category, source,
canonical unit) uses, and where that activity sits in the official flat file.

A financial year uses the set of the calendar year in which it starts:
FY 2019-20 uses the 2019 set.
"""

from __future__ import annotations

import csv
import fcntl
import functools
import io
import os
import re
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

from decarb_dashboard import reasons, years
from decarb_dashboard.reasons import ReasonError
from uploads_schema import i18n

FACTORS_FILE = "factors.csv"
FACTOR_COLUMNS = ["factor_year", "activity", "unit", "kgco2e_per_unit", "scope", "confirmed", "source", "note"]


def factor_year(reporting_year: str) -> int:
    """Return the factor set year for a financial year: the calendar year it starts in ("2019-20" -> 2019).

    Written once, as :func:`decarb_dashboard.years.start_of`; this name says why it is used here.
    """
    return years.start_of(reporting_year)


def _read_data(name: str) -> str:
    return resources.files("decarb_dashboard").joinpath(f"data/{name}").read_text("utf-8")


@functools.cache
def factor_map() -> pd.DataFrame:
    """Return which factor activity each (category, source, canonical unit) uses."""
    return pd.read_csv(io.StringIO(_read_data("factor_map.csv")), dtype=str, keep_default_na=False)


@dataclass(frozen=True)
class FactorHit:
    """The factor a line's activity is computed with.

    ``factor_year`` is the set used; ``newest_set_used`` is True when the line's own year has
    no official set yet and the newest set stands in for it (every figure computed so says so).
    """

    activity: str
    factor_year: int
    kgco2e_per_unit: float
    confirmed: bool
    newest_set_used: bool


class FactorIndex:
    """Find the factor of a (category, source, canonical unit) in a factor set year, once per key.

    The one rule for which factor applies, shared by normalisation (figures) and validation
    (the warning for a line that cannot be computed): the activity comes from
    ``factor_map.csv``; the set is the line's own year's, or the newest set when the line's
    year is newer than every set in the table. A set that exists but lacks the activity (no
    homeworking factor before 2022) means no factor, not an older one.
    """

    def __init__(self, factors: pd.DataFrame) -> None:
        self._activity = {(m.category, m.source, m.unit): m.activity for m in factor_map().itertuples()}
        self._factor = {(f.activity, int(f.factor_year), f.unit): (float(f.kgco2e_per_unit), bool(f.confirmed))
                        for f in factors.itertuples()}
        self.newest_set = int(factors["factor_year"].max()) if len(factors) else None

    def set_year(self, year_start: int) -> tuple[int | None, bool]:
        """Return (the factor set year used for a financial year starting in ``year_start``, is it a stand-in)."""
        if self.newest_set is not None and year_start > self.newest_set:
            return self.newest_set, True
        return year_start, False

    def activity(self, category: str | None, source: str | None, unit: str | None) -> str | None:
        """Return the factor activity a line of (category, source, canonical unit) uses, or None."""
        return self._activity.get((category, source or "", unit))

    def find(self, category: str | None, source: str | None, unit: str | None, year_start: int) -> FactorHit | None:
        """Return the factor for a line, or None when there is none (the line cannot be computed)."""
        activity = self.activity(category, source, unit)
        set_year, stand_in = self.set_year(year_start)
        if activity is None or set_year is None:
            return None
        found = self._factor.get((activity, set_year, unit))
        if found is None:
            return None
        return FactorHit(activity, set_year, found[0], found[1], stand_in)


def factor_index(factors: pd.DataFrame) -> FactorIndex:
    """Return the :class:`FactorIndex` of a factor table (built once per table object)."""
    from decarb_dashboard.memo import per_object

    return per_object(factors, "factor index", lambda: FactorIndex(factors))


def _clean(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame[FACTOR_COLUMNS].copy()
    frame["factor_year"] = frame["factor_year"].astype(int)
    frame["kgco2e_per_unit"] = frame["kgco2e_per_unit"].astype(float)
    frame["confirmed"] = frame["confirmed"].astype(str).str.lower().isin(["yes", "true", "1"])
    frame["note"] = frame["note"].fillna("")
    return frame


@functools.cache
def _shipped() -> pd.DataFrame:
    return _clean(pd.read_csv(io.StringIO(_read_data(FACTORS_FILE)), dtype=str, keep_default_na=False))


def load_factors(data_dir: Path | None = None) -> pd.DataFrame:
    """Return the factor table: the shipped one, with any imported factors in ``data_dir`` taking precedence."""
    table = _shipped()
    if data_dir is not None and (data_dir / FACTORS_FILE).is_file():
        imported = _clean(pd.read_csv(data_dir / FACTORS_FILE, dtype=str, keep_default_na=False))
        table = pd.concat([imported, table]).drop_duplicates(["factor_year", "activity", "unit"], keep="first")
    return table.sort_values(["activity", "factor_year"]).reset_index(drop=True)


@dataclass(frozen=True)
class ImportResult:
    """What ``import_flat_file`` found: the year, the factors taken, the known activities missing."""

    factor_year: int
    imported: pd.DataFrame
    missing: list[str]


class FlatFileError(ReasonError, ValueError):
    """The file is not a UK Government GHG conversion factors flat file.

    ``FlatFileError(code, **params)``, a message of the ``reasons`` catalogue: English in ``str()``, in the
    reader's language with :func:`decarb_dashboard.reasons.said`.
    """


#: The official flat files are 0.5-3 MB; anything far larger is not one, and is not read.
MAX_FLAT_FILE_BYTES = 20 * 1024 * 1024
#: The header row is the 5th (2018-2022) or 6th (2023-2024) row; look a little further, no more.
_HEADER_SEARCH_ROWS = 30
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (Excel 97-2003)
_ZIP = b"PK\x03\x04"  # .xlsx
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?(?:[eE]-?\d+)?$")
_VALUE_COLUMN = re.compile(r"^GHG Conversion Factor (\d{4})$")
#: The gas column is headed "GHG" until the 2021 set and "GHG/Unit" from 2022.
_GAS_COLUMNS = ("GHG/Unit", "GHG")
_LEVELS = ("level_1", "level_2", "level_3", "level_4", "column_text", "uom")
_HEADINGS = ("Level 1", "Level 2", "Level 3", "Level 4", "Column Text", "UOM")


def _text(cell: object) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _workbook_rows(data: bytes) -> list[list[object]]:
    """Return the rows of the sheet with the flat file's header ("Factors by Category" as published)."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = book.sheet_names
        order = sorted(names, key=lambda n: n != "Factors by Category")
        for name in order:
            rows = book.get_sheet_by_name(name).to_python(nrows=_HEADER_SEARCH_ROWS)
            if any("Level 1" in [_text(c) for c in row] for row in rows):
                return book.get_sheet_by_name(name).to_python()
    except Exception as exc:  # calamine raises several kinds for a corrupt or encrypted workbook
        raise FlatFileError("flat_file_unreadable", detail=exc) from exc
    raise FlatFileError("flat_file_no_header_sheet", **{
        f"sheets_{lang}": ", ".join(names) or reasons.text("flat_file_no_sheets", lang) for lang in i18n.languages()})


def _csv_rows(data: bytes) -> list[list[object]]:
    if b"\x00" in data[:4096]:
        raise FlatFileError("flat_file_not_text")
    text = data.decode("utf-8-sig", errors="replace")
    return list(csv.reader(io.StringIO(text)))


def _flat_frame(data: bytes) -> tuple[int, pd.DataFrame]:
    """Return (the set's year, its rows as text with the columns Scope, Level 1-4, Column Text, UOM, gas, value)."""
    if not data.strip():
        raise FlatFileError("flat_file_empty")
    if len(data) > MAX_FLAT_FILE_BYTES:
        raise FlatFileError("flat_file_too_large", size_mb=f"{len(data) / 2**20:.0f}",
                            max_mb=MAX_FLAT_FILE_BYTES // 2**20)
    rows = _workbook_rows(data) if data[:8] == _OLE2 or data[:4] == _ZIP else _csv_rows(data)
    header_at = next((i for i, row in enumerate(rows[:_HEADER_SEARCH_ROWS])
                      if "Level 1" in [_text(c) for c in row]), None)
    if header_at is None:
        raise FlatFileError("flat_file_no_header", rows=_HEADER_SEARCH_ROWS)
    header = [_text(c) for c in rows[header_at]]
    value = next((c for c in header if _VALUE_COLUMN.match(c)), None)
    gas = next((c for c in _GAS_COLUMNS if c in header), None)
    absent = [c for c in ("Scope", *_HEADINGS) if c not in header]
    if value is None or gas is None or absent:
        raise FlatFileError("flat_file_header_lacks", columns=", ".join(
            absent + (["GHG/Unit (or GHG)"] if gas is None else [])
            + (["GHG Conversion Factor YYYY"] if value is None else [])))
    width = len(header)
    body = [list(r[:width]) + [""] * (width - len(r)) for r in rows[header_at + 1:]]
    frame = pd.DataFrame(body, columns=header, dtype=object)
    wanted = ["Scope", *_HEADINGS, gas, value]
    frame = frame.loc[:, ~frame.columns.duplicated()][wanted]
    frame.columns = ["scope", *_LEVELS, "gas", "value"]
    for column in ("scope", *_LEVELS, "gas"):
        frame[column] = [_text(c).casefold() for c in frame[column]]
    frame = frame[frame["gas"].str.replace(" ", "") == "kgco2e"]
    if frame.empty:
        raise FlatFileError("flat_file_no_kgco2e")
    return int(_VALUE_COLUMN.match(value).group(1)), frame


def _number(cell: object) -> float | None:
    """Return a factor cell as a number (10 significant figures, as published), or None if blank or text."""
    if isinstance(cell, bool):
        return None
    if isinstance(cell, (int, float)):
        return float(f"{float(cell):.10g}")
    text = str(cell).strip()
    return float(f"{float(text):.10g}") if _NUMBER.match(text) else None


def read_flat_file(data: bytes, source_name: str) -> ImportResult:
    """Read an official flat file (.xls or .xlsx as published, or a CSV of it) and return our activities' factors.

    The header row (``Scope, Level 1-4, Column Text, UOM, GHG`` or ``GHG/Unit``, ``GHG
    Conversion Factor YYYY``) is found wherever it is in the first rows. Each activity of
    ``factor_map.csv`` is the kg CO2e row whose levels, column text and unit of measure
    match the map (an empty cell of the map matches any text, since the government
    reworded some levels between sets); blank and text cells such as ``(<1)`` are no factor.
    ``kgco2e_per_unit`` is per the map's canonical unit.
    """
    year, frame = _flat_frame(data)
    rows, missing = [], []
    for (activity, unit), m in factor_map().groupby(["activity", "unit"], sort=False):
        spec = m.iloc[0]
        hit = frame
        for level in _LEVELS:
            if spec[level]:
                hit = hit[hit[level] == spec[level].casefold()]
        values = {v for v in (_number(c) for c in hit["value"]) if v is not None}
        if len(values) != 1:  # absent, blank, or (never seen) two different values for one row
            missing.append(f"{activity} [{unit}]")
            continue
        scope = hit["scope"].iloc[0].replace("scope", "").strip()
        described = " | ".join(spec[level] for level in _LEVELS if spec[level])
        rows.append({"factor_year": year, "activity": activity, "unit": unit, "kgco2e_per_unit": values.pop(),
                     "scope": scope, "confirmed": True,
                     "source": f"UK Government GHG conversion factors {year}, flat file {source_name}",
                     "note": described})
    return ImportResult(year, pd.DataFrame(rows, columns=FACTOR_COLUMNS), missing)


def write_factor_table(table: pd.DataFrame, path: Path) -> None:
    """Write a factor table (columns ``FACTOR_COLUMNS``) to ``path`` at once: a reader sees the old or the new file."""
    table = table[FACTOR_COLUMNS].assign(
        kgco2e_per_unit=[f"{float(v):.10g}" for v in table["kgco2e_per_unit"]],
        confirmed=["yes" if str(c).lower() in ("yes", "true", "1") else "no" for c in table["confirmed"]])
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            table.to_csv(f, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def import_flat_file(data: bytes, source_name: str, data_dir: Path) -> ImportResult:
    """Import a flat file's factors into ``data_dir/factors.csv``, replacing that year's imported ones.

    Nothing is written when the file is refused. Two imports at once are serialised by a
    lock beside the table, so neither loses the other's year.
    """
    result = read_flat_file(data, source_name)
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / FACTORS_FILE
    with (data_dir / f".{FACTORS_FILE}.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        existing = pd.read_csv(path, dtype=str, keep_default_na=False) if path.is_file() else \
            pd.DataFrame(columns=FACTOR_COLUMNS)
        existing = existing[existing["factor_year"].astype(str) != str(result.factor_year)]
        write_factor_table(pd.concat([existing, result.imported.astype(str)]), path)
    return result
