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
import functools
import io
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

FACTORS_FILE = "factors.csv"
FACTOR_COLUMNS = ["factor_year", "activity", "unit", "kgco2e_per_unit", "scope", "confirmed", "source", "note"]


def factor_year(reporting_year: str) -> int:
    """Return the factor set year for a financial year: the calendar year it starts in ("2019-20" -> 2019)."""
    return int(reporting_year[:4])


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


class FlatFileError(ValueError):
    """The file is not a UK Government GHG conversion factors flat file."""


_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?(?:[eE]-?\d+)?$")


def read_flat_file(data: bytes, source_name: str) -> ImportResult:
    """Read an official flat file (CSV, or the .xlsx as published) and return our activities' factors.

    Columns: ``Scope, Level 1, Level 2, Level 3, Level 4, Column Text, UOM, GHG/Unit,
    GHG Conversion Factor YYYY`` (the unit header is ``GHG/kWh`` in some years).
    Only kg CO2e rows are taken; text cells such as ``(<1)`` are skipped.
    """
    if data[:2] == b"PK":
        frame = pd.read_excel(io.BytesIO(data), dtype=str, header=None)
        header_row = next((i for i, row in frame.iterrows() if "Level 1" in row.astype(str).tolist()), None)
        if header_row is None:
            raise FlatFileError("no header row with 'Level 1' found")
        frame.columns = [str(c).strip() for c in frame.iloc[header_row]]
        frame = frame.iloc[header_row + 1:]
    else:
        text = data.decode("utf-8-sig", errors="replace")
        lines = text.splitlines()
        start = next((i for i, line in enumerate(lines[:50]) if "Level 1" in line), None)
        if start is None:
            raise FlatFileError("no header row with 'Level 1' found")
        frame = pd.read_csv(io.StringIO("\n".join(lines[start:])), dtype=str, keep_default_na=False)
        frame.columns = [c.strip() for c in frame.columns]
    value_columns = [c for c in frame.columns if re.match(r"GHG Conversion Factor \d{4}", c)]
    unit_column = next((c for c in frame.columns if c.startswith("GHG/")), None)
    needed = {"Level 1", "Level 2", "Level 3", "Level 4", "Column Text", "UOM"}
    if not value_columns or unit_column is None or not needed <= set(frame.columns):
        raise FlatFileError("expected columns Scope, Level 1-4, Column Text, UOM, GHG/Unit and "
                            "GHG Conversion Factor YYYY")
    year = int(value_columns[0][-4:])
    frame = frame.fillna("")
    key = frame[["Level 1", "Level 2", "Level 3", "Level 4", "Column Text"]].astype(str).apply(
        lambda r: "|".join(v.strip() for v in r), axis=1)
    frame = frame.assign(key=key.str.casefold())
    wanted = factor_map().drop_duplicates("activity")
    rows, missing = [], []
    for m in wanted.itertuples():
        hit = frame[(frame["key"] == m.flat_file_key.casefold())
                    & (frame["UOM"].str.strip().str.casefold() == m.unit.casefold())
                    & (frame[unit_column].str.replace(" ", "").str.casefold() == "kgco2e")]
        values = [v.strip() for v in hit[value_columns[0]] if _NUMBER.match(v.strip())]
        if not values:
            missing.append(m.activity)
            continue
        scope = str(hit["Scope"].iloc[0]).replace("Scope", "").strip() if "Scope" in hit else ""
        rows.append({"factor_year": year, "activity": m.activity, "unit": m.unit,
                     "kgco2e_per_unit": float(values[0]), "scope": scope, "confirmed": True,
                     "source": f"UK Government GHG conversion factors {year}, flat file {source_name}",
                     "note": "imported"})
    return ImportResult(year, pd.DataFrame(rows, columns=FACTOR_COLUMNS), missing)


def import_flat_file(data: bytes, source_name: str, data_dir: Path) -> ImportResult:
    """Import a flat file's factors into ``data_dir/factors.csv`` (replacing that year's imported ones)."""
    result = read_flat_file(data, source_name)
    path = data_dir / FACTORS_FILE
    existing = pd.read_csv(path, dtype=str, keep_default_na=False) if path.is_file() else \
        pd.DataFrame(columns=FACTOR_COLUMNS)
    existing = existing[existing["factor_year"].astype(str) != str(result.factor_year)]
    table = pd.concat([existing, result.imported.astype(str).assign(confirmed="yes")])
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as f:
        table[FACTOR_COLUMNS].to_csv(f, index=False, quoting=csv.QUOTE_MINIMAL)
    tmp.replace(path)
    return result
