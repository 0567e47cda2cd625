"""When each reporting year's returns are due, and whether a return came in late.

The scheme's guidance (``../shared/reference/domain.md``) says only that bodies
submit "around September" for the financial year that ended in March. So the
**default deadline is 30 September after the year ends** (2024-25, which ends on
31 March 2025, is due by 30 September 2025): an assumption, stated in the README's
settings. A CSV file named by ``DECARB_DEADLINES_CSV`` (columns ``reporting_year,deadline``,
the deadline an ISO date, e.g. ``2024-25,2025-10-31``) sets a year's deadline instead.

A return is **late** when the first submission for that body and year (not
withdrawn) arrived after the end of its deadline day in Wales (Europe/London).
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import os
from pathlib import Path
from zoneinfo import ZoneInfo

from decarb_dashboard import years
from decarb_dashboard.config import ConfigurationError

#: Days are counted in Wales' own time (GMT or BST).
WALES = ZoneInfo("Europe/London")
#: The default deadline: this month and day of the calendar year after the financial year starts.
DEFAULT_MONTH, DEFAULT_DAY = 9, 30


def default_deadline(reporting_year: str) -> dt.date:
    """Return the assumed deadline of ``reporting_year``: 30 September after it ends ("2024-25" -> 2025-09-30)."""
    return dt.date(years.start_of(reporting_year) + 1, DEFAULT_MONTH, DEFAULT_DAY)


@functools.cache
def _read(path: str, mtime_ns: int) -> dict[str, dt.date]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as fp:
            rows = list(csv.DictReader(fp))
    except OSError as exc:
        raise ConfigurationError(f"DECARB_DEADLINES_CSV names {path}, which cannot be read ({exc.strerror}): "
                                 "correct the path or unset the variable") from exc
    out: dict[str, dt.date] = {}
    for number, row in enumerate(rows, start=2):
        year, when = (row.get("reporting_year") or "").strip(), (row.get("deadline") or "").strip()
        try:
            label = years.label(years.parse(year))
            out[label] = dt.date.fromisoformat(when)
        except (years.YearProblem, ValueError):
            raise ConfigurationError(
                f"{path} row {number}: {year!r}, {when!r} is not a financial year and an ISO date; each row needs "
                "reporting_year (e.g. 2024-25) and deadline (e.g. 2025-09-30)") from None
    return out


def configured() -> dict[str, dt.date]:
    """Return the deadlines set by ``DECARB_DEADLINES_CSV`` ({reporting year: date}; empty when unset)."""
    path = os.environ.get("DECARB_DEADLINES_CSV", "").strip()
    if not path:
        return {}
    try:
        mtime = Path(path).stat().st_mtime_ns
    except OSError:
        mtime = -1  # _read says what is wrong with it
    return _read(path, mtime)


def deadline(reporting_year: str) -> dt.date:
    """Return the day by which returns for ``reporting_year`` are due (the file's, else the default rule)."""
    return configured().get(reporting_year) or default_deadline(reporting_year)


def is_late(reporting_year: str, first_submitted_at_iso: str | None, history_until_iso: str | None = None) -> bool:
    """Return whether a first submission at ``first_submitted_at_iso`` (UTC ISO 8601) came after the deadline day.

    The day ends at midnight in Wales: 23:30 UTC on 30 September is 00:30 BST on 1 October, late.
    No submission (None) is not a late submission, and nor is one stored up to ``history_until_iso``
    (returns loaded as history, such as the sample data: nobody sent them for the deadline).
    """
    if not first_submitted_at_iso:
        return False
    if history_until_iso and first_submitted_at_iso <= history_until_iso:
        return False
    at = dt.datetime.fromisoformat(first_submitted_at_iso.replace("Z", "+00:00"))
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(WALES).date() > deadline(reporting_year)


def is_overdue(reporting_year: str, today: dt.date | None = None) -> bool:
    """Return whether the deadline of ``reporting_year`` has passed (today in Wales)."""
    today = today or dt.datetime.now(WALES).date()
    return today > deadline(reporting_year)


def due_year(today: dt.date | None = None) -> str:
    """Return the reporting year whose return is due now: the latest financial year to have ended (today in Wales).

    From 1 April 2026 to 31 March 2027 it is 2025-26 (due by 30 September 2026 by default), overdue or not.
    """
    today = today or dt.datetime.now(WALES).date()
    return years.label(years.current_start(today) - 1)
