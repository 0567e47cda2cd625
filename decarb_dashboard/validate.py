"""Check an uploaded annual return and turn it into validated return lines.

Every rule of the contract is applied to every row, and every problem is
reported at once with the spreadsheet row, the column, the value, a message
and a fix (:class:`decarb_dashboard.report.ValidationReport`). Rules run once
per distinct value of a column (:mod:`decarb_dashboard.cells`), so a
million-line file costs little more than reading it.

The rules for the lines are plain functions in :mod:`decarb_dashboard.checks` (those the pandera
model shares, in :mod:`uploads_schema.rules`); this module splits off total rows and checks them,
runs the rules in order and builds the report.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from decarb_dashboard import checks, config, years
from decarb_dashboard.cells import Terms
from decarb_dashboard.factors import load_factors
from decarb_dashboard.intake import RawTable, assemble, read_upload
from decarb_dashboard.matcher import OrganisationMatcher, matcher_for
from decarb_dashboard.numbers import ParsedNumbers, parse_column
from decarb_dashboard.registry import load_registry
from decarb_dashboard.report import ERROR_ROWS_KEPT, Issue, IssueCollector, ValidationReport
from uploads_schema.codes import combine_codes
from uploads_schema.columns import column
from uploads_schema.i18n import languages
from uploads_schema.labels import normalise_label
from uploads_schema.vocabulary import Vocabulary, vocabulary

log = logging.getLogger(__name__)

TOTAL_ROW_LABELS = {"total", "totals", "grand total", "overall total", "total emissions", "cyfanswm",
                    "cyfanswm cyffredinol", "cyfanswm allyriadau"}


#: A total row more than this far from the sum of the lines it totals gets a warning (per cent of the sum).
TOTAL_TOLERANCE_PCT = 0.5


def _split_total_rows(table: RawTable) -> tuple[RawTable, RawTable | None, dict[str, np.ndarray]]:
    """Split off the rows labelled as totals (in the organisation, category or source cell).

    Returns (the lines, the total rows or None, per total row and per labelled column a mask
    saying that column's cell is the total label). A total row never becomes a line.
    """
    is_total = np.zeros(len(table.frame), dtype=bool)
    labelled: dict[str, np.ndarray] = {}
    for name in ("category", "organisation", "source"):
        if name not in table.frame.columns:
            continue
        cells = table.column_cells(name)
        total_codes = [k for k, u in enumerate(cells.uniques) if normalise_label(u) in TOTAL_ROW_LABELS]
        if total_codes:
            labelled[name] = np.isin(cells.codes, total_codes)
            is_total |= labelled[name]
    if not is_total.any():
        return table, None, {}
    return table.subset(~is_total), table.subset(is_total), {k: m[is_total] for k, m in labelled.items()}


def _total_ids(totals: RawTable, labelled: dict[str, np.ndarray], name: str, resolve: Callable[[object], object],
               chosen: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Return per total row the id its cell names (None: any), and a mask of the cells not understood.

    Decided once per distinct cell; a blank cell is the chosen body or year, if there is one.
    """
    n = len(totals.frame)
    cells = totals.column_cells(name)
    resolved = np.array([resolve(u) for u in cells.uniques] + [chosen], dtype=object)
    label = labelled.get(name, np.zeros(n, dtype=bool))
    ids = resolved[cells.codes]  # code -1 (blank) takes the last slot: the chosen value
    bad = ~label & ~cells.blank & np.array([r is None for r in resolved], dtype=bool)[cells.codes]
    ids[label] = None
    return ids, bad


def _year_label(value: object) -> str | None:
    try:
        return years.label(years.parse(value))
    except years.YearProblem:
        return None


def check_total_rows(totals: RawTable, labelled: dict[str, np.ndarray], org: Terms, year: Terms, cat: Terms,
                     emissions: ParsedNumbers, problems: IssueCollector, matcher: OrganisationMatcher,
                     vocab: Vocabulary, chosen_org: str | None, chosen_year: str | None) -> None:
    """Check each total row against the sum of the lines it totals: the same body, year and category.

    A cell labelled total, or left blank, does not narrow the lines: "Total" under category is
    every category of the body and year; a category with "Total" as its source is that category.
    A total matches if it is within ``TOTAL_TOLERANCE_PCT`` of the lines' sum (tCO2e) with Land or
    without it. ``org``, ``year``, ``cat`` and ``emissions`` are the lines' (not the totals').
    """
    n = len(totals.frame)
    orgs, bad_org = _total_ids(totals, labelled, "organisation", matcher.resolve, chosen_org)
    labels, bad_year = _total_ids(totals, labelled, "reporting_year", _year_label, chosen_year)
    cats, bad_cat = _total_ids(totals, labelled, "category", vocab.category_index.resolve, None)
    values = parse_column(totals.frame["emissions_tco2e"], vocab.status_tokens()).values if (
        "emissions_tco2e" in totals.frame.columns) else np.full(n, np.nan)
    if totals.emissions_to_tonnes is not None:
        values = values * totals.emissions_to_tonnes
    # Each distinct (body, year, category) totalled is summed once: few, however many total rows.
    key_codes = [pd.factorize(ids, use_na_sentinel=True)[0] for ids in (orgs, labels, cats)]
    _, first, inverse = np.unique(combine_codes(key_codes), return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    has = ~np.isnan(emissions.values)
    land = cat.where(lambda k: vocab.categories[k].negative_allowed)
    keys = [(orgs[j], labels[j], cats[j]) for j in first.tolist()]
    sums = np.zeros((len(keys), 3))  # net, without Land, lines summed
    for k, key in enumerate(keys):
        mask = has.copy()
        for terms, wanted in zip((org, year, cat), key, strict=True):
            if wanted is not None:
                mask &= terms.is_(wanted)
        sums[k] = (emissions.values[mask].sum(), emissions.values[mask & ~land].sum(), mask.sum())
    net, gross, count = sums[inverse, 0], sums[inverse, 1], sums[inverse, 2]
    checked = ~np.isnan(values) & ~bad_org & ~bad_year & ~bad_cat & (count > 0)
    tolerance = TOTAL_TOLERANCE_PCT / 100
    match = checked & ((np.abs(values - net) <= tolerance * np.abs(net))
                       | (np.abs(values - gross) <= tolerance * np.abs(gross)))
    mismatch = checked & ~match

    def mismatches() -> Iterator[Issue]:
        for i in np.flatnonzero(mismatch).tolist():
            difference = values[i] - net[i]
            yield Issue("total_row_mismatch", int(totals.rows[i]), totals.figure_column.get(i, "emissions_tco2e"),
                        str(_total_label(totals, labelled, i))[:120],
                        {"total": _tonnes(values[i]), "sum": _tonnes(net[i]), "difference": _tonnes(difference),
                         "pct": f"{difference / abs(net[i]) * 100:+.1f}" if net[i] else "∞",
                         **_what_totalled(keys[inverse[i]], year, matcher, vocab)})

    if mismatch.any():
        problems.add_many("total_row_mismatch", int(mismatch.sum()), mismatches())
    # One note per sheet row without a mismatch (a melted short layout has a total line per year).
    sheet_rows, where, of_row = np.unique(totals.rows, return_index=True, return_inverse=True)
    of_row = of_row.reshape(-1)
    any_mismatch = np.bincount(of_row, weights=mismatch, minlength=len(sheet_rows)) > 0
    any_match = np.bincount(of_row, weights=match, minlength=len(sheet_rows)) > 0
    for code, rows in (("total_row_ignored", ~any_mismatch & any_match),
                       ("total_row_unchecked", ~any_mismatch & ~any_match)):
        picked = np.flatnonzero(rows)
        if len(picked):
            problems.add_many(code, len(picked), (
                Issue(code, int(sheet_rows[r]), None, str(_total_label(totals, labelled, int(where[r])))[:120])
                for r in picked.tolist()))


def _what_totalled(key: tuple, year: Terms, matcher: OrganisationMatcher, vocab: Vocabulary) -> dict[str, str]:
    """Say which lines a total totals ("Buildings, Cardiff Council, 2022-23"), in English and Welsh."""
    org_id, label, category = key
    out = {}
    for lang in languages():
        parts = [vocab.categories[category].name(lang)] if category is not None else []
        if org_id is not None:
            parts.append(matcher.name(org_id, lang))
        parts.append(label if label is not None else ", ".join(sorted(str(y) for y in year.ids)))
        out[f"what_{lang}"] = ", ".join(parts)
    return out


def _first_positions(table: RawTable) -> dict[int, int]:
    """Return the first position of each sheet row (a melted short layout has one per figure column)."""
    rows = table.rows.tolist()
    first: dict[int, int] = {}
    for position, row in enumerate(rows):
        first.setdefault(row, position)
    return first


def _total_label(totals: RawTable, labelled: dict[str, np.ndarray], i: int) -> object:
    """Return the total label ("Total", "Cyfanswm") of total row ``i`` as typed."""
    return next(totals.column_cells(name).at(i) for name, mask in labelled.items() if mask[i])

def _tonnes(value: float) -> str:
    """Return a figure in tCO2e as shown in a message: thousands separated, at most 3 decimals."""
    return f"{round(float(value), 3):,}".removesuffix(".0")


def _notes(table: RawTable) -> pd.Categorical:
    cells = table.column_cells("notes")
    return Terms.from_distinct([str(u).strip() or None for u in cells.uniques], cells.codes).categorical()


def check_table(table: RawTable, problems: IssueCollector | None = None, *,
                organisation: str | None = None, reporting_year: str | None = None,
                registry: pd.DataFrame | None = None, today: dt.date | None = None,
                file_name: str | None = None, factors: pd.DataFrame | None = None) -> ValidationReport:
    """Apply every rule of the contract to a raw table and return the report.

    ``organisation`` (a registry id) and ``reporting_year`` ("2022-23") are the
    body and year chosen on the upload page or command line: they fill blank
    cells, and lines for any other body or year are errors. ``factors`` is the
    factor table (default: :func:`decarb_dashboard.factors.load_factors` of the
    data directory) that says which activity amounts can become emissions.
    """
    problems = problems or IssueCollector()
    matcher = matcher_for(registry if registry is not None else load_registry(config.data_dir()))
    table, totals, labelled = _split_total_rows(table)
    if "category" not in table.frame.columns:
        problems.add("column_missing", column="category", **checks.in_each_language("description",
                                                                          column("category").description))
    elif not ({"emissions_tco2e", "activity_amount"} & set(table.frame.columns)):
        problems.add("column_needs_figures")
    elif len(table.frame) == 0:
        problems.add("no_lines")
    if problems.has_errors():
        if totals is not None:
            for row, i in _first_positions(totals).items():
                problems.add("total_row_unchecked", row=row, value=_total_label(totals, labelled, i))
        return _report(file_name, problems, table, None, matcher)

    vocab = vocabulary()
    first_year, last_year = years.accepted_range(today)
    flags = checks.Flags(table, problems)
    cells = table.column_cells
    org = (checks.organisations(cells("organisation"), flags, matcher, organisation)
           if flags.require("organisation", organisation) else Terms.empty(len(table.frame)))
    year = (checks.reporting_years(cells("reporting_year"), flags, reporting_year, first_year, last_year)
            if flags.require("reporting_year", reporting_year) else Terms.empty(len(table.frame)))
    cat = checks.categories(cells("category"), flags, vocab)
    src, kinds = checks.sources(cells("source"), cat, flags, vocab)
    scope = checks.scopes(cells("scope"), cat, src, kinds, flags, vocab)
    status, status_blank = checks.statuses(cells("status"), flags, vocab)
    emissions, amount = checks.figures(_figure_cells(table, "emissions_tco2e"), _figure_cells(table, "activity_amount"),
                                       table.emissions_to_tonnes, status, status_blank, flags, vocab)
    unit = checks.units(cells("activity_unit"), amount, cat, src, kinds, flags, vocab)
    checks.consistency(status, emissions, amount, ~cells("activity_unit").blank, cat,
                       table.emissions_to_tonnes is not None, flags, vocab)
    checks.computability(cat, src, unit, year, status, emissions, amount,
                         lambda: factors if factors is not None else load_factors(config.data_dir()), flags, vocab)
    method = checks.methods(cells("method"), flags, vocab)
    checks.duplicates(org, year, cat, src, scope, flags, vocab)
    if totals is not None:
        check_total_rows(totals, labelled, org, year, cat, emissions, problems, matcher, vocab, organisation,
                         reporting_year)
    lines = pd.DataFrame({
        "organisation_id": org.categorical(),
        "reporting_year": year.categorical(),
        "category": cat.categorical(),
        "source": src.categorical(),
        "scope": pd.arrays.IntegerArray(scope.astype(np.int64), mask=scope == 0),
        "activity_amount": amount.values,
        "activity_unit": unit.categorical(),
        "emissions_tco2e": emissions.values,
        "status": status.categorical(),
        "method": method.categorical(),
        "notes": _notes(table),
        "row": table.rows.astype(np.int64),
    }, copy=False)  # the columns are new: no need to copy them again into 2-D blocks
    return _report(file_name, problems, table, lines, matcher, valid=not problems.has_errors())


def _figure_cells(table: RawTable, name: str) -> pd.Series:
    """Return a figures column as typed, or a column of blanks when the table has none."""
    frame = table.frame
    return frame[name] if name in frame.columns else pd.Series(np.full(len(frame), np.nan))


def _present(values: pd.Series) -> list:
    """Return the categories of a categorical column that some row holds, in the categories' order."""
    seen = np.zeros(len(values.cat.categories) + 1, dtype=bool)  # the last slot: code -1, a missing value
    seen[values.cat.codes.to_numpy()] = True
    return values.cat.categories[seen[:-1]].tolist()


def _report(file_name: str | None, problems: IssueCollector, table: RawTable | None,
            lines: pd.DataFrame | None, matcher: OrganisationMatcher, valid: bool = False) -> ValidationReport:
    organisations: dict[str, str] = {}
    organisation_names: dict[str, dict[str, str]] = {}
    reporting_years: list[str] = []
    if lines is not None:
        for org in _present(lines["organisation_id"]):
            organisations[str(org)] = matcher.name(str(org))
            for lang in languages():
                organisation_names.setdefault(lang, {})[str(org)] = matcher.name(str(org), lang)
        reporting_years = sorted(str(y) for y in _present(lines["reporting_year"]))
    # The contract (ReturnLines) is checked where the lines enter the store, not here as well: on a
    # million lines it costs as much as all the rules above, and it would run twice on every submission.
    clean = lines if valid and lines is not None else None
    ordered = sorted(problems.listed, key=lambda i: (i.row is not None, i.row or 0))
    return ValidationReport(
        file_name=file_name, issues=ordered, counts=dict(problems.counts),
        rows_read=table.rows_read if table is not None else 0,
        layout=table.layout if table is not None else None,
        organisations=organisations, organisation_names=organisation_names, reporting_years=reporting_years,
        lines=clean,
        line_count=0 if lines is None else len(lines),
        error_rows=_error_rows(table, ordered) if table is not None else None,
    )


def _error_rows(table: RawTable, issues: list[Issue]) -> pd.DataFrame | None:
    """Return the first rows with an error as typed (see :class:`ValidationReport`), or None if there are none."""
    wanted = sorted({i.row for i in issues if i.row and i.severity == "error"})[:ERROR_ROWS_KEPT]
    if not wanted:
        return None
    first: dict[int, int] = {}  # a melted short layout has a line per figure column on one sheet row
    for position in np.flatnonzero(np.isin(table.rows, wanted)).tolist():
        first.setdefault(int(table.rows[position]), position)
    rows = [r for r in wanted if r in first]
    shown = table.frame.iloc[[first[r] for r in rows]].astype(object)
    shown = shown.where(shown.notna(), None).reset_index(drop=True)
    shown.insert(0, "row", rows)
    return shown


def validate_upload(data: bytes, file_name: str | None = None, *, organisation: str | None = None,
                    reporting_year: str | None = None, max_bytes: int | None = None,
                    registry: pd.DataFrame | None = None, today: dt.date | None = None,
                    max_rows: int = config.DEFAULT_MAX_ROWS, path: Path | None = None,
                    factors: pd.DataFrame | None = None) -> ValidationReport:
    """Read and check an uploaded file's bytes; never raises for bad input.

    See :func:`check_table` for ``organisation``, ``reporting_year`` and ``factors``.
    ``max_bytes`` defaults to the configured upload limit (10 MB); 0 means no limit.
    """
    try:
        table, problems = read_upload(data, max_bytes=max_bytes, max_rows=max_rows, path=path)
        if table is None:
            return ValidationReport(file_name, problems.listed, dict(problems.counts))
        return check_table(table, problems, organisation=organisation, reporting_year=reporting_year,
                           registry=registry, today=today, file_name=file_name, factors=factors)
    except Exception:  # a fault of ours must not become the user's traceback
        log.exception("internal error while validating %s", file_name)
        problems = IssueCollector()
        problems.add("internal_error")
        return ValidationReport(file_name, problems.listed, dict(problems.counts))


def validate_file(path: str | Path, **kwargs) -> ValidationReport:
    """Read and check the file at ``path``; see :func:`validate_upload`."""
    path = Path(path)
    return validate_upload(path.read_bytes(), path.name, path=path, **kwargs)


def validate_frame(frame: pd.DataFrame, **kwargs) -> ValidationReport:
    """Check a table already in memory (header = its column names, first row = row 2)."""
    from decarb_dashboard.intake import cell_value

    problems = IssueCollector()
    header = [str(c) for c in frame.columns]
    body = pd.DataFrame({k: [cell_value(v) for v in frame.iloc[:, k]] for k in range(len(header))},
                        columns=range(len(header)), dtype=object)
    table = assemble(header, body, 1, "frame", problems)
    return check_table(table, problems, **kwargs)
