"""The return templates a body downloads: the same file from the upload page and from ``decarb template``.

With a body and a store, a template holds the body's lines of its latest return before the
year (their figures and their own year, to be brought up to date); otherwise one example
row, for the body if one is chosen (:mod:`uploads_schema.template`). Everything is in the
template's language; the file is named by body, year and language.
"""

from __future__ import annotations

import pandas as pd

from decarb_dashboard import years
from decarb_dashboard.matcher import matcher_for
from decarb_dashboard.store import SubmissionStore
from uploads_schema import template
from uploads_schema.i18n import gettext

FORMATS = ("csv", "xlsx")


def default_year() -> str:
    """Return the year a template is for when none is chosen: the financial year just ended (as the upload page)."""
    return years.label(years.current_start() - 1)


def return_template(fmt: str, lang: str, registry: pd.DataFrame, store: SubmissionStore | None = None,
                    body: str | None = None, year: str | None = None) -> tuple[bytes, str]:
    """Return (the template's bytes, its file name) in format ``fmt`` (csv or xlsx) and language ``lang``.

    ``body`` is a register id (or None); ``year`` a financial year such as "2024-25" (default
    :func:`default_year`). The rows are the body's previous-year lines from ``store`` when it
    has any, else the example row for the body (or for the register's example body).
    """
    year = year or default_year()
    matcher = matcher_for(registry)
    organisation = matcher.name(body, lang) if body else matcher.example_name(lang)
    rows: list[list[object]] = []
    previous = None
    if body and store is not None:
        rows, previous = template.previous_year_rows(store.current_lines(body), organisation, year, lang)
    if previous:
        guidance = gettext("messages", "template_guide_previous", lang, previous=previous, year=year)
    else:
        rows = template.example_rows(organisation, year, lang)
        guidance = gettext("messages", "template_guide_example_row", lang)
    data = template.csv_template(rows, lang) if fmt == "csv" else template.xlsx_template(rows, lang, guidance)
    return data, template.template_file_name(fmt, lang, body, year)
