"""Find the header row of a return and say what each header cell names."""

from __future__ import annotations

from decarb_dashboard import years
from decarb_dashboard.intake.limits import UnreadableFile
from uploads_schema.columns import EmissionsUnit, match_header, split_emissions_unit

#: Rows searched for the header row (title rows above it are common).
HEADER_SEARCH_ROWS = 20
#: Headers of a short layout's single column of figures (each may end in an emissions unit: "Total (kgCO2e)").
TOTAL_HEADERS = {"total", "total emissions", "cyfanswm", "cyfanswm allyriadau"}


def year_header(cell: object) -> tuple[str, EmissionsUnit | None] | None:
    """Return (the year, the emissions unit) a short layout's year header names, or None if it is no year.

    ``"2019-20"`` -> ``("2019-20", None)``; ``"2022-23 (kgCO2e)"`` or ``"2022-23 emissions kgCO2e"``
    -> ``("2022-23", kgCO2e)``.
    """
    words = str(cell).split()
    for k in range(min(len(words), 3), 0, -1):  # "2019-20", "2019 - 20", "2019 / 2020"
        head = " ".join(words[:k])
        try:
            years.parse(head)
        except years.YearProblem:
            continue
        rest, unit = split_emissions_unit(" ".join(words[k:]))
        if rest == "" or match_header(rest) == "emissions_tco2e":
            return head, unit
    return None


def total_header(cell: object) -> tuple[str, EmissionsUnit | None] | None:
    """Return (the header, its emissions unit) when it heads a short layout's total column, else None."""
    words, unit = split_emissions_unit(cell)
    return (str(cell).strip(), unit) if words in TOTAL_HEADERS else None


#: Header roles whose cells are figures: read as numbers where they are.
FIGURE_ROLES = frozenset({"emissions_tco2e", "activity_amount", "total", "year"})


def header_role(cell: object) -> str | None:
    """Return what a header cell names: a return column, "total" or "year" (the short layout's figures), or None."""
    text = "" if cell is None else str(cell).strip()
    name = match_header(text)
    if name is not None:
        return name
    if total_header(text) is not None:
        return "total"
    if text and year_header(text) is not None:
        return "year"
    return None


def find_header(head: list[list[str]]) -> int:
    for index, row in enumerate(head):
        if any(match_header(cell) == "category" for cell in row):
            return index
    # No category column: a row naming two return columns is still the header,
    # so that the report can say which column is missing.
    for index, row in enumerate(head):
        if len({match_header(cell) for cell in row} - {None}) >= 2:
            return index
    raise UnreadableFile("header_not_found", rows=HEADER_SEARCH_ROWS)
