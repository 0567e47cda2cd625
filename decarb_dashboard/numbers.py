"""Numbers as people type them into spreadsheets.

``1,234.5``, ``1 234.5``, ``£1,234``, `` 12 `` and ``(12)`` (accounting
negative) are numbers. ``N/A``, ``-`` and ``Not reported`` are statuses, not
errors and not zero. ``nan`` and ``inf`` are refused: a return holds finite
figures. The fast path is pandas' own parser; only cells it cannot read go
through the slower, friendlier one.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']+")
_SPACE_GROUPED = re.compile(r"\d{1,3}(?:[\s\u00a0\u202f\u2009']\d{3})+(?:\.\d+)?")
_GROUPED = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_PLAIN = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
_NON_FINITE = {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity",
               "#num!", "#div/0!", "#value!", "#ref!", "#n/a", "#name?", "#null!"}

BLANK = "blank"
INVALID = "invalid"
NOT_FINITE = "not_finite"


@dataclass
class ParsedNumbers:
    """Parsed figures of one column.

    ``values`` are floats (NaN where there is no number); ``problem`` is None
    where the cell held a number, else ``"blank"``, ``"invalid"``,
    ``"not_finite"`` or the id of the status the text means.
    """

    values: np.ndarray
    problem: np.ndarray


def parse_cell(value: object, status_tokens: dict[str, str]) -> float | str:
    """Return the number in one cell, or the kind of problem (see :class:`ParsedNumbers`)."""
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
    """Parse a column of cells; see :class:`ParsedNumbers`."""
    n = len(values)
    fast = pd.to_numeric(values, errors="coerce")
    if not isinstance(fast, pd.Series):
        fast = pd.Series(fast, index=values.index)
    fast_values = fast.to_numpy(dtype=float, na_value=np.nan)
    problem = np.full(n, None, dtype=object)
    ok = np.isfinite(fast_values)
    if values.dtype == object:
        # pandas reads True as 1; a tick box is not a figure.
        ok &= ~values.map(lambda v: isinstance(v, bool)).to_numpy(dtype=bool)
    slow = np.flatnonzero(~ok)
    if len(slow):
        cells = values.to_numpy(dtype=object)[slow]
        cache: dict[object, float | str] = {}
        out = np.empty(len(slow), dtype=float)
        for j, cell in enumerate(cells):
            key = (type(cell), cell) if not (isinstance(cell, float) and math.isnan(cell)) else "nan"
            result = cache.get(key)
            if result is None:
                result = cache[key] = parse_cell(cell, status_tokens)
            if isinstance(result, float):
                out[j] = result
            else:
                out[j] = np.nan
                problem[slow[j]] = result
        fast_values = fast_values.copy()
        fast_values[slow] = out
    return ParsedNumbers(fast_values, problem)
