"""Numbers as people type them into spreadsheets.

``1,234.5``, ``1 234.5``, ``£1,234``, `` 12 `` and ``(12)`` (accounting
negative) are numbers. ``N/A``, ``-`` and ``Not reported`` are statuses, not
errors and not zero. ``nan`` and ``inf`` are refused: a return holds finite
figures. The fast path is pandas' own parser; only cells it cannot read go
through the slower, friendlier one.

Figures going out (pages, downloads, the CLI's flag texts) are rounded by one rule,
:func:`rounded`: whole tonnes, percentages to one decimal, intensities to three
significant digits; :func:`figure_text` says them in a language's CLDR number format.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from uploads_schema import i18n

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']+")
# ASCII digits only: float() would read other scripts' digits too, and a figure must read the same to everyone.
_SPACE_GROUPED = re.compile(r"\d{1,3}(?:[\s\u00a0\u202f\u2009']\d{3})+(?:\.\d+)?", re.ASCII)
_GROUPED = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$", re.ASCII)
_PLAIN = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$", re.ASCII)
_NON_FINITE = {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity",
               "#num!", "#div/0!", "#value!", "#ref!", "#n/a", "#name?", "#null!"}

#: The kinds of figure the one rounding rule knows (:func:`decimals`).
FIGURE_KINDS = ("tco2e", "pct", "intensity")
INTENSITY_SIGNIFICANT_DIGITS = 3

BLANK = "blank"
INVALID = "invalid"
NOT_FINITE = "not_finite"

#: Kinds of cell in :class:`ParsedNumbers`; a status written in a cell is ``STATUS_BASE + k``.
K_NUMBER, K_BLANK, K_INVALID, K_NOT_FINITE, STATUS_BASE = 0, 1, 2, 3, 4


@dataclass
class ParsedNumbers:
    """Parsed figures of one column.

    ``values`` are floats (NaN where there is no number). ``kind`` says what
    each cell held: ``K_NUMBER``, ``K_BLANK``, ``K_INVALID``, ``K_NOT_FINITE``,
    or ``STATUS_BASE + k`` for text meaning ``statuses[k]`` ("N/A" ->
    not_applicable).
    """

    values: np.ndarray
    kind: np.ndarray
    statuses: list[str]

    def status_codes(self) -> np.ndarray:
        """Return, per cell, the index into ``statuses`` of the status it names, or -1."""
        return np.where(self.kind >= STATUS_BASE, self.kind.astype(np.int64) - STATUS_BASE, -1)


def parse_cell(value: object, status_tokens: dict[str, str]) -> float | str:
    """Return the number in one cell, or what it holds instead: "blank", "invalid", "not_finite" or a status id."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return BLANK
    if isinstance(value, bool):
        return INVALID
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else NOT_FINITE
    text = str(value).strip()
    if not text:
        return BLANK
    folded = " ".join(text.casefold().split())
    if folded in status_tokens:
        return status_tokens[folded]
    if folded.replace(" ", "") in _NON_FINITE:
        return NOT_FINITE
    negative = text.startswith("(") and text.endswith(")")
    core = text[1:-1] if negative else text
    sign = ""
    if core[:1] in "+-":
        sign, core = core[0], core[1:]
    core = core.strip().removeprefix("£").removeprefix("GBP").strip()
    if core[:1] in "+-" and not sign:
        sign, core = core[0], core[1:]
    spaced = _SPACES.sub("", core)
    if _SPACES.search(core.strip()) and not _SPACE_GROUPED.fullmatch(core.strip()):
        return INVALID
    if _GROUPED.match(spaced) or _PLAIN.match(spaced):
        number = float(spaced.replace(",", ""))
        if not math.isfinite(number):
            return NOT_FINITE
        if sign == "-" or negative:
            number = -number
        return number
    return INVALID


def parse_column(values: pd.Series, status_tokens: dict[str, str]) -> ParsedNumbers:
    """Parse a column of cells; see :class:`ParsedNumbers`.

    A float column (as a CSV reader typed it) costs nothing; other columns go
    through pandas' parser first and only the cells it refuses through
    :func:`parse_cell`, once per distinct text.
    """
    statuses = sorted(set(status_tokens.values()))
    status_kind = {s: STATUS_BASE + k for k, s in enumerate(statuses)}
    n = len(values)
    kind = np.zeros(n, dtype=np.int8)
    if pd.api.types.is_bool_dtype(values.dtype):  # a column of tick boxes holds no figures
        kind[:] = K_INVALID
        return ParsedNumbers(np.full(n, np.nan), kind, statuses)
    if pd.api.types.is_float_dtype(values.dtype) or pd.api.types.is_integer_dtype(values.dtype):
        numbers = values.to_numpy(dtype=float, na_value=np.nan)
        kind[np.isnan(numbers)] = K_BLANK
        infinite = np.isinf(numbers)
        if infinite.any():
            kind[infinite] = K_NOT_FINITE
            numbers = np.where(infinite, np.nan, numbers)
        return ParsedNumbers(numbers, kind, statuses)
    fast = pd.to_numeric(values, errors="coerce")
    numbers = np.asarray(fast, dtype=float).copy() if not isinstance(fast, pd.Series) else \
        fast.to_numpy(dtype=float, na_value=np.nan).copy()
    ok = np.isfinite(numbers)
    if values.dtype == object:
        # pandas reads True as 1; a tick box is not a figure.
        ok &= ~np.fromiter((isinstance(v, bool) for v in values.to_numpy(dtype=object)), dtype=bool, count=n)
    slow = np.flatnonzero(~ok)
    if len(slow):
        cells = values.to_numpy(dtype=object, na_value=None)[slow]
        cache: dict[object, float | str] = {}
        for j, cell in enumerate(cells):
            key: object = "nan" if isinstance(cell, float) and math.isnan(cell) else (type(cell), cell)
            result = cache.get(key)
            if result is None:
                result = cache[key] = parse_cell(cell, status_tokens)
            i = slow[j]
            if isinstance(result, float):
                numbers[i] = result
            else:
                numbers[i] = np.nan
                kind[i] = {BLANK: K_BLANK, INVALID: K_INVALID, NOT_FINITE: K_NOT_FINITE}.get(
                    result, status_kind.get(result, K_INVALID))
    return ParsedNumbers(numbers, kind, statuses)


def decimals(value: float, kind: str) -> int:
    """How many decimals a figure of ``kind`` (one of :data:`FIGURE_KINDS`) keeps, on screen and in downloads."""
    if kind == "tco2e":
        return 0
    if kind == "pct":
        return 1
    if kind != "intensity":
        raise ValueError(f"unknown kind of figure {kind!r}: one of {', '.join(FIGURE_KINDS)}")
    if value == 0 or not math.isfinite(value):
        return 0
    return max(0, INTENSITY_SIGNIFICANT_DIGITS - 1 - math.floor(math.log10(abs(value))))


def rounded(value: object, kind: str) -> object:
    """Round a figure by the one rule: whole tonnes come back as an int, others as a float; text and gaps unchanged.

    20640.699999999997 tCO2e -> 20641; -7.0789 % -> -7.1; 0.012345 tCO2e per resident -> 0.0123.
    """
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return value
    digits = decimals(float(value), kind)
    return round(float(value)) if digits == 0 else round(float(value), digits)


def figure_text(value: float, kind: str, lang: str) -> str:
    """A finite figure rounded by the one rule, in ``lang``'s CLDR number format: 1927646.6 tCO2e -> "1,927,647"."""
    value = rounded(value, kind)
    return i18n.number(value, decimals(float(value), kind), lang)
