"""Financial years (April to March), as written in returns and as stored ("2022-23")."""

from __future__ import annotations

import datetime as dt
import re

BASELINE_YEAR = "2019-20"
FIRST_ACCEPTED_START = 2015

_FY = re.compile(r"^(?:fy\s*)?(\d{4})\s*[-/–—_]\s*(\d{2}|\d{4})$", re.IGNORECASE)
_BARE = re.compile(r"^(\d{4})(?:\.0+)?$")


class YearProblem(ValueError):
    """A year cell that is not a financial year; ``code`` and ``params`` feed the message catalogue."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def label(start: int) -> str:
    """Return the label of the financial year starting in April of ``start``: 2022 -> "2022-23"."""
    return f"{start}-{(start + 1) % 100:02d}"


def start_of(year_label: str) -> int:
    """Return the calendar year in which a financial year label starts: "2022-23" -> 2022."""
    return int(year_label[:4])


def previous(year_label: str) -> str:
    """Return the financial year before ``year_label``: "2022-23" -> "2021-22"."""
    return label(start_of(year_label) - 1)


def parse(value: object) -> int:
    """Return the start year of the financial year written in ``value``.

    Accepts ``2022-23``, ``2022/23``, ``2022-2023``, ``2022/2023`` (and an "FY" prefix).
    Raises :class:`YearProblem` for a bare year (which could mean either of two
    financial years) or anything else.
    """
    text = str(value).strip()
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
        text = str(int(value))
    bare = _BARE.match(text)
    if bare:
        year = int(bare.group(1))
        raise YearProblem(
            "year_bare", value=year, earlier=label(year - 1), later=label(year),
            earlier_start=year - 1, later_end=year + 1,
        )
    match = _FY.match(text)
    if not match:
        raise YearProblem("year_invalid", value=text)
    start, end = int(match.group(1)), match.group(2)
    expected_end = start + 1 if len(end) == 4 else (start + 1) % 100
    if int(end) != expected_end:
        raise YearProblem("year_invalid", value=text)
    return start


def current_start(today: dt.date | None = None) -> int:
    """Return the start year of the financial year containing ``today``."""
    today = today or dt.date.today()
    return today.year if today.month >= 4 else today.year - 1


def accepted_range(today: dt.date | None = None) -> tuple[int, int]:
    """Return the first and last start years accepted in a return: 2015-16 up to next year."""
    return FIRST_ACCEPTED_START, current_start(today) + 1
