"""Check an uploaded annual return and turn it into validated return lines.

Every rule of the contract is applied to every row, and every problem is
reported at once with the spreadsheet row, the column, the value, a message
and a fix (:class:`decarb_dashboard.report.ValidationReport`). Checks work on
the distinct values of a column where they can (a return has few distinct
categories, units or years), so a million-line file costs little more than
reading it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from decarb_dashboard import config, years
from decarb_dashboard.numbers import INVALID, NOT_FINITE, parse_column
from decarb_dashboard.read import RawTable, read_upload
from decarb_dashboard.registry import OrganisationMatcher, load_registry
from decarb_dashboard.report import Issue, IssueCollector, ValidationReport
from uploads_schema.columns import column
from uploads_schema.labels import normalise_label
from uploads_schema.models import LINE_KEY, ReturnLines
from uploads_schema.vocabulary import Vocabulary, vocabulary

log = logging.getLogger(__name__)

TOTAL_ROW_LABELS = {"total", "totals", "grand total", "overall total", "total emissions", "cyfanswm",
                    "cyfanswm cyffredinol", "cyfanswm allyriadau"}
DEFAULT_STATUS = "measured"


def _join(names: list[str], limit: int = 12) -> str:
    shown = ", ".join(names[:limit])
    return shown + (", ..." if len(names) > limit else "")


def _cells(frame: pd.DataFrame, name: str) -> np.ndarray:
    """Return a column's cells as objects, None where blank (all-None if the column is absent)."""
    if name not in frame.columns:
        return np.full(len(frame), None, dtype=object)
    values = frame[name]
    cells = np.array(values.to_numpy(dtype=object, na_value=None), dtype=object, copy=True)
    if values.dtype == object:
        blank = np.fromiter((v is None or (isinstance(v, str) and not v.strip())
                             or (isinstance(v, float) and v != v) for v in cells), dtype=bool, count=len(cells))
    else:
        blank = (values.isna() | (values.str.strip() == "")).to_numpy(dtype=bool)
    if blank.any():
        cells[blank] = None
    return cells


def _factorize(cells: np.ndarray) -> tuple[np.ndarray, list]:
    """Return (codes, distinct values); blank cells (None or whitespace) get code -1."""
    codes, uniques = pd.factorize(pd.Series(cells, dtype=object), use_na_sentinel=True)
    uniques = list(uniques)
    blank = [i for i, u in enumerate(uniques) if u is None or (isinstance(u, str) and not u.strip())]
    if blank:
        codes = codes.copy()
        codes[np.isin(codes, blank)] = -1
    return codes, uniques


class _Checker:
    """Applies the contract's rules to one raw table, collecting problems."""

    def __init__(self, table: RawTable, problems: IssueCollector, matcher: OrganisationMatcher,
                 vocab: Vocabulary, organisation: str | None, reporting_year: str | None,
                 today: dt.date | None) -> None:
        self.t = table
        self.frame = table.frame
        self.rows = table.rows
        self.n = len(table.frame)
        self.p = problems
        self.m = matcher
        self.v = vocab
        self.chosen_org = organisation
        self.chosen_year = reporting_year
        self.first_year, self.last_year = years.accepted_range(today)
        self.bad = np.zeros(self.n, dtype=bool)  # rows with an error in a key field

    # ---- helpers ----------------------------------------------------------
    def _issues(self, code: str, positions: np.ndarray, column_name: str | None,
                values: np.ndarray | None, params) -> Iterator[Issue]:  # type: ignore[no-untyped-def]
        for i in positions:
            value = None if values is None else values[i]
            shown = None if value is None else str(value)
            extra = params(i) if callable(params) else params
            col = self.t.figure_column.get(int(i), column_name) if column_name == "emissions_tco2e" else column_name
            yield Issue(code, int(self.rows[i]), col, shown[:120] if shown else shown, extra)

    def flag(self, code: str, mask: np.ndarray, column_name: str | None, values: np.ndarray | None = None,
             params=None, key: bool = False) -> None:  # type: ignore[no-untyped-def]
        positions = np.flatnonzero(mask)
        if len(positions):
            self.p.add_many(code, len(positions),
                            self._issues(code, positions, column_name, values, params or {}))
            if key:
                self.bad[positions] = True

    def _resolve(self, cells: np.ndarray, resolve) -> tuple[np.ndarray, np.ndarray, list]:  # type: ignore[no-untyped-def]
        """Resolve distinct cells; return (ids per row or None, codes, uniques)."""
        codes, uniques = _factorize(cells)
        resolved = np.array([resolve(u) for u in uniques] + [None], dtype=object)
        return resolved[codes], codes, uniques

    # ---- the rules --------------------------------------------------------
    def organisations(self) -> np.ndarray:
        cells = _cells(self.frame, "organisation")
        if "organisation" not in self.frame.columns and self.chosen_org is None:
            self.p.add("column_missing", column="organisation",
                       description=column("organisation").description_en)
            self.bad[:] = True
            return np.full(self.n, None, dtype=object)
        ids, codes, uniques = self._resolve(cells, self.m.resolve)
        blank = codes == -1
        if self.chosen_org is not None:
            ids[blank] = self.chosen_org
        else:
            self.flag("organisation_missing", blank, "organisation", key=True,
                      params={"example": self.m.name("cardiff")})
        unknown = (codes >= 0) & np.equal(ids, None)
        suggestions = {u: self.m.suggest(u) for u in (uniques[c] for c in np.unique(codes[unknown]))}
        self.flag("organisation_unknown", unknown, "organisation", cells, key=True,
                  params=lambda i: {"suggestion": suggestions.get(cells[i])})
        if self.chosen_org is not None:
            other = ~blank & ~unknown & (ids != self.chosen_org)
            self.flag("organisation_not_chosen", other, "organisation", cells, key=True,
                      params=lambda i: {"value": self.m.name(ids[i]), "chosen": self.m.name(self.chosen_org)})
        return ids

    def reporting_years(self) -> np.ndarray:
        cells = _cells(self.frame, "reporting_year")
        if "reporting_year" not in self.frame.columns and self.chosen_year is None:
            self.p.add("column_missing", column="reporting_year",
                       description=column("reporting_year").description_en)
            self.bad[:] = True
            return np.full(self.n, None, dtype=object)
        codes, uniques = _factorize(cells)
        parsed: list[object] = []
        for u in uniques:
            try:
                parsed.append(years.parse(u))
            except years.YearProblem as problem:
                parsed.append(problem)
        labels = np.array([p if isinstance(p, years.YearProblem) else years.label(p) for p in parsed] + [None],
                          dtype=object)[codes]
        blank = codes == -1
        if self.chosen_year is not None:
            labels[blank] = self.chosen_year
        else:
            self.flag("year_missing", blank, "reporting_year", key=True)
        problem = np.array([isinstance(x, years.YearProblem) for x in labels], dtype=bool)
        for code in ("year_bare", "year_invalid"):
            mask = problem & np.array([isinstance(x, years.YearProblem) and x.code == code for x in labels])
            self.flag(code, mask, "reporting_year", cells, key=True, params=lambda i: dict(labels[i].params))
        labels[problem] = None
        starts = np.array([years.start_of(x) if x else 0 for x in labels])
        out_of_range = ~np.equal(labels, None) & ((starts < self.first_year) | (starts > self.last_year))
        self.flag("year_out_of_range", out_of_range, "reporting_year", labels, key=True,
                  params={"first": years.label(self.first_year), "last": years.label(self.last_year)})
        labels[out_of_range] = None
        if self.chosen_year is not None:
            other = ~np.equal(labels, None) & ~blank & (labels != self.chosen_year)
            self.flag("year_not_chosen", other, "reporting_year", labels, key=True,
                      params={"chosen": self.chosen_year})
        return labels

    def categories(self) -> np.ndarray:
        cells = _cells(self.frame, "category")
        ids, codes, _uniques = self._resolve(cells, self.v.category_index.resolve)
        allowed = ", ".join(c.name_en for c in self.v.ordered_categories())
        self.flag("category_missing", codes == -1, "category", key=True, params={"allowed": allowed})
        unknown = (codes >= 0) & np.equal(ids, None)
        self.flag("category_unknown", unknown, "category", cells, key=True,
                  params=lambda i: {"allowed": allowed, "suggestion": self.v.category_index.suggest(cells[i])})
        return ids

    def sources(self, categories: np.ndarray) -> np.ndarray:
        cells = _cells(self.frame, "source")
        codes, uniques = _factorize(cells)
        out = np.full(self.n, None, dtype=object)
        has = (codes >= 0) & ~np.equal(categories, None)
        if not has.any():
            return out
        pairs = pd.DataFrame({"c": categories[has], "s": codes[has]})
        resolved: dict[tuple[str, int], str | None] = {}
        for cat, code in pairs.drop_duplicates().itertuples(index=False):
            resolved[(cat, code)] = self.v.source_index[cat].resolve(uniques[code])
        positions = np.flatnonzero(has)
        out[positions] = [resolved[(c, s)] for c, s in zip(categories[has], codes[has], strict=True)]
        unknown = has & np.equal(out, None)

        def params(i: int) -> dict:
            cat = categories[i]
            index = self.v.source_index[cat]
            return {"category": self.v.categories[cat].name_en,
                    "allowed": _join([s.name_en for s in self.v.sources_of(cat)]),
                    "suggestion": index.suggest(cells[i])}

        self.flag("source_unknown", unknown, "source", cells, key=True, params=params)
        return out

    def scopes(self, categories: np.ndarray, sources: np.ndarray) -> np.ndarray:
        cells = _cells(self.frame, "scope")
        codes, uniques = _factorize(cells)
        parsed = np.array([_parse_scope(u) for u in uniques] + [None], dtype=object)[codes]
        invalid = (codes >= 0) & np.equal(parsed, None)
        self.flag("scope_invalid", invalid, "scope", cells, key=True)
        implied = np.full(self.n, None, dtype=object)
        for i in np.flatnonzero(~np.equal(categories, None)):
            source = sources[i]
            if source is not None:
                implied[i] = self.v.sources[(categories[i], source)].scope
            else:
                scopes = self.v.categories[categories[i]].scopes
                implied[i] = scopes[0] if len(scopes) == 1 else None
        given = ~np.equal(parsed, None)
        contradicts = given & ~np.equal(sources, None) & (parsed != implied)
        self.flag("scope_contradicts_source", contradicts, "scope", parsed, key=True,
                  params=lambda i: {"source": self.v.sources[(categories[i], sources[i])].name_en,
                                    "implied": implied[i]})
        in_category = np.array([c is None or s is None or s in self.v.categories[c].scopes
                                for c, s in zip(categories, parsed, strict=True)], dtype=bool)
        not_allowed = given & ~contradicts & ~in_category
        self.flag("scope_not_allowed", not_allowed, "scope", parsed, key=True,
                  params=lambda i: {"category": self.v.categories[categories[i]].name_en,
                                    "allowed": " or ".join(str(s) for s in self.v.categories[categories[i]].scopes)})
        return np.where(given, parsed, implied)

    def statuses(self) -> tuple[np.ndarray, np.ndarray]:
        """Return (status id per row or None when invalid, whether the status cell was blank)."""
        cells = _cells(self.frame, "status")
        ids, codes, _uniques = self._resolve(cells, self.v.status_index.resolve)
        blank = codes == -1
        unknown = ~blank & np.equal(ids, None)
        allowed = ", ".join(s.name_en for s in self.v.statuses.values())
        self.flag("status_unknown", unknown, "status", cells,
                  params=lambda i: {"allowed": allowed, "suggestion": self.v.status_index.suggest(cells[i])})
        ids[blank] = DEFAULT_STATUS
        return ids, blank

    def figures(self, status: np.ndarray, status_blank: np.ndarray,
                categories: np.ndarray, sources: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Parse emissions and activity; settle statuses written in number cells; check units."""
        tokens = self.v.status_tokens()
        figures: dict[str, np.ndarray] = {}
        for name in ("emissions_tco2e", "activity_amount"):
            cells = _cells(self.frame, name)
            parsed = parse_column(pd.Series(cells, dtype=object), tokens)
            figures[name] = parsed.values
            problem = parsed.problem
            self.flag("number_invalid", problem == INVALID, name, cells)
            self.flag("number_not_finite", problem == NOT_FINITE, name, cells)
            token = np.array([p in self.v.statuses for p in problem], dtype=bool)
            # Text such as "N/A" in a number cell is the matching status.
            adopt = token & status_blank
            status[adopt] = problem[adopt]
            self.flag("status_from_cell", adopt, name, cells,
                      params=lambda i, p=problem: {"status": self.v.statuses[p[i]].name_en})
            conflict = token & ~status_blank & ~np.equal(status, None) & (problem != status)
            self.flag("status_conflict", conflict, name, cells,
                      params=lambda i, p=problem: {"cell_status": self.v.statuses[p[i]].name_en,
                                                   "status": self.v.statuses[status[i]].name_en})
            status_blank = status_blank & ~adopt
        emissions, amount = figures["emissions_tco2e"], figures["activity_amount"]
        units = self.units(amount, categories, sources)
        return emissions, amount, units

    def units(self, amount: np.ndarray, categories: np.ndarray, sources: np.ndarray) -> np.ndarray:
        cells = _cells(self.frame, "activity_unit")
        ids, codes, _uniques = self._resolve(cells, self.v.unit_index.resolve)
        given = codes >= 0
        unknown = given & np.equal(ids, None)
        self.flag("unit_unknown", unknown, "activity_unit", cells,
                  params=lambda i: {"allowed": ", ".join(self.v.units),
                                    "suggestion": self.v.unit_index.suggest(cells[i])})

        def allowed_units(i: int) -> tuple[str, ...]:
            c, s = categories[i], sources[i]
            if c is None:
                return tuple(self.v.units)
            return self.v.sources[(c, s)].units if s is not None else self.v.units_of_category(c)

        known = given & ~unknown & ~np.equal(categories, None)
        combos = set(zip(categories[known], sources[known], ids[known], strict=True))
        fits = {(c, s, u): u in allowed_units_for(self.v, c, s) for c, s, u in combos}
        not_allowed = np.zeros(self.n, dtype=bool)
        for i in np.flatnonzero(known):
            not_allowed[i] = not fits[(categories[i], sources[i], ids[i])]

        def what(i: int) -> str:
            c, s = categories[i], sources[i]
            return (f"{self.v.sources[(c, s)].name_en} in {self.v.categories[c].name_en}" if s is not None
                    else self.v.categories[c].name_en)

        self.flag("unit_not_allowed", not_allowed, "activity_unit", ids,
                  params=lambda i: {"what": what(i), "allowed": ", ".join(allowed_units(i))})
        amount_cells = _cells(self.frame, "activity_amount")
        has_amount = ~np.equal(amount_cells, None)
        self.flag("unit_without_amount", given & ~has_amount & ~unknown, "activity_unit", cells,
                  params={})
        self.flag("amount_without_unit", ~np.isnan(amount) & ~given, "activity_amount", amount_cells,
                  params=lambda i: {"allowed": ", ".join(allowed_units(i))})
        ids[unknown | not_allowed] = None
        return ids

    def consistency(self, status: np.ndarray, emissions: np.ndarray, amount: np.ndarray,
                    categories: np.ndarray) -> None:
        has_emissions, has_amount = ~np.isnan(emissions), ~np.isnan(amount)
        expects = np.array([s is None or self.v.statuses[s].has_figures for s in status], dtype=bool)
        known = ~np.equal(status, None)
        amount_cells = _cells(self.frame, "activity_amount")
        unit_cells = _cells(self.frame, "activity_unit")
        emission_cells = _cells(self.frame, "emissions_tco2e")
        # A cell that holds something, even something wrong, is reported by its own rule.
        given = ~np.equal(emission_cells, None) | ~np.equal(amount_cells, None) | ~np.equal(unit_cells, None)
        self.flag("figures_missing", known & expects & ~given, None)
        with_figures = known & ~expects & (has_emissions | has_amount)
        self.flag("figures_with_status", with_figures, "emissions_tco2e",
                  np.where(has_emissions, emission_cells, amount_cells),
                  params=lambda i: {"status": self.v.statuses[status[i]].name_en})
        negative_allowed = np.array([c is not None and self.v.categories[c].negative_allowed
                                     for c in categories], dtype=bool)
        self.flag("emissions_negative", (emissions < 0) & ~negative_allowed & ~np.equal(categories, None),
                  "emissions_tco2e", emission_cells,
                  params=lambda i: {"category": self.v.categories[categories[i]].name_en})
        self.flag("activity_negative", amount < 0, "activity_amount", amount_cells)

    def methods(self) -> np.ndarray:
        cells = _cells(self.frame, "method")
        ids, codes, _uniques = self._resolve(cells, self.v.method_index.resolve)
        unknown = (codes >= 0) & np.equal(ids, None)
        allowed = ", ".join(m.name_en for m in self.v.methods.values())
        self.flag("method_unknown", unknown, "method", cells,
                  params=lambda i: {"allowed": allowed, "suggestion": self.v.method_index.suggest(cells[i])})
        return ids

    def duplicates(self, lines: pd.DataFrame) -> None:
        ok_positions = np.flatnonzero(~self.bad)
        ok = lines.iloc[ok_positions]
        key = ok[LINE_KEY].astype(object).where(ok[LINE_KEY].notna(), "")
        dup = key.duplicated(keep=False).to_numpy()
        if dup.any():
            rows_of: dict[int, str] = {}
            first_of: dict[int, int] = {}
            dup_positions = ok_positions[dup]
            for members in key[dup].groupby(LINE_KEY, sort=False).indices.values():
                positions = dup_positions[members]
                row_numbers = [int(self.rows[p]) for p in positions]
                label = _join([str(r) for r in row_numbers])
                for p in positions[1:]:
                    rows_of[int(p)], first_of[int(p)] = label, row_numbers[0]
            mask = np.zeros(self.n, dtype=bool)
            mask[list(rows_of)] = True
            self.flag("duplicate_line", mask, None,
                      params=lambda i: {"value": f"row {first_of[i]}", "rows": rows_of[i]})
        # A category total beside lines by source would count the category twice.
        group = ok.assign(total=ok["source"].isna())
        mixed = group.groupby(["organisation_id", "reporting_year", "category"], sort=False)["total"].agg(
            ["any", "all"])
        mixed = mixed[mixed["any"] & ~mixed["all"]]
        if len(mixed):
            keys = set(mixed.index)
            in_mixed = np.array([k in keys for k in zip(ok["organisation_id"], ok["reporting_year"],
                                                        ok["category"], strict=True)], dtype=bool)
            totals = ok.index.to_numpy()[in_mixed & ok["source"].isna().to_numpy()]
            breakdown_rows: dict[tuple, list[int]] = {}
            for p in ok.index.to_numpy()[in_mixed & ok["source"].notna().to_numpy()]:
                k = (lines.at[p, "organisation_id"], lines.at[p, "reporting_year"], lines.at[p, "category"])
                breakdown_rows.setdefault(k, []).append(int(self.rows[p]))
            mask = np.zeros(self.n, dtype=bool)
            mask[totals] = True

            def params(i: int) -> dict:
                k = (lines.at[i, "organisation_id"], lines.at[i, "reporting_year"], lines.at[i, "category"])
                return {"category": self.v.categories[k[2]].name_en,
                        "rows": _join([str(r) for r in breakdown_rows[k]])}

            self.flag("total_and_breakdown", mask, "source", params=params)


def allowed_units_for(vocab: Vocabulary, category: str, source: str | None) -> tuple[str, ...]:
    """Return the units an activity amount may have for a category and (optional) source."""
    if source is not None:
        return vocab.sources[(category, source)].units
    return vocab.units_of_category(category)


def _parse_scope(value: object) -> int | None:
    """Return 1, 2 or 3 from a scope cell ("1", 1.0, "Scope 2", "S3"), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value) if float(value) in (1.0, 2.0, 3.0) else None
    text = str(value).strip().casefold()
    for prefix in ("scope", "cwmpas", "s"):
        text = text.removeprefix(prefix).strip()
    try:
        number = float(text)
    except ValueError:
        return None
    return int(number) if number in (1.0, 2.0, 3.0) else None


def _drop_total_rows(table: RawTable, problems: IssueCollector) -> RawTable:
    """Drop rows labelled as totals (in the organisation, category or source cell), with a warning."""
    is_total = np.zeros(len(table.frame), dtype=bool)
    label_of = np.full(len(table.frame), None, dtype=object)
    for name in ("category", "organisation", "source"):
        cells = _cells(table.frame, name)
        codes, uniques = _factorize(cells)
        hit = np.array([normalise_label(u) in TOTAL_ROW_LABELS for u in uniques] + [False])[codes]
        label_of[hit & ~is_total] = cells[hit & ~is_total]
        is_total |= hit
    if not is_total.any():
        return table
    shown = set()
    for i in np.flatnonzero(is_total):
        if table.rows[i] not in shown:  # a melted short layout repeats a row per year column
            shown.add(table.rows[i])
            problems.add("total_row_ignored", row=int(table.rows[i]), value=label_of[i])
    keep = ~is_total
    figure_column = {}
    new_positions = np.cumsum(keep) - 1
    for old, label in table.figure_column.items():
        if keep[old]:
            figure_column[int(new_positions[old])] = label
    return RawTable(table.frame.loc[keep].reset_index(drop=True), table.rows[keep], table.layout,
                    table.kind, table.rows_read, figure_column)


def check_table(table: RawTable, problems: IssueCollector | None = None, *,
                organisation: str | None = None, reporting_year: str | None = None,
                registry: pd.DataFrame | None = None, today: dt.date | None = None,
                file_name: str | None = None) -> ValidationReport:
    """Apply every rule of the contract to a raw table and return the report.

    ``organisation`` (a registry id) and ``reporting_year`` ("2022-23") are the
    body and year chosen on the upload page or command line: they fill blank
    cells, and lines for any other body or year are errors.
    """
    problems = problems or IssueCollector()
    matcher = OrganisationMatcher(registry if registry is not None else load_registry(config.data_dir()))
    vocab = vocabulary()
    table = _drop_total_rows(table, problems)
    if "category" not in table.frame.columns:
        problems.add("column_missing", column="category", description=column("category").description_en)
    elif not ({"emissions_tco2e", "activity_amount"} & set(table.frame.columns)):
        problems.add("column_needs_figures")
    elif len(table.frame) == 0:
        problems.add("no_lines")
    if problems.has_errors():
        return _report(file_name, problems, table, None, matcher)

    c = _Checker(table, problems, matcher, vocab, organisation, reporting_year, today)
    organisation_ids = c.organisations()
    year_labels = c.reporting_years()
    categories = c.categories()
    sources = c.sources(categories)
    scopes = c.scopes(categories, sources)
    status, status_blank = c.statuses()
    emissions, amount, units = c.figures(status, status_blank, categories, sources)
    c.consistency(status, emissions, amount, categories)
    methods = c.methods()
    notes = _cells(table.frame, "notes")
    lines = pd.DataFrame({
        "organisation_id": organisation_ids,
        "reporting_year": year_labels,
        "category": categories,
        "source": sources,
        "scope": pd.array(scopes, dtype="Int64"),
        "activity_amount": amount,
        "activity_unit": units,
        "emissions_tco2e": emissions,
        "status": status,
        "method": methods,
        "notes": [None if v is None or not str(v).strip() else str(v).strip() for v in notes],
        "row": table.rows.astype(int),
    })
    c.duplicates(lines)
    if problems.has_errors():
        return _report(file_name, problems, table, lines, matcher, valid=False)
    return _report(file_name, problems, table, lines, matcher, valid=True)


def _report(file_name: str | None, problems: IssueCollector, table: RawTable | None,
            lines: pd.DataFrame | None, matcher: OrganisationMatcher, valid: bool = False) -> ValidationReport:
    organisations: dict[str, str] = {}
    reporting_years: list[str] = []
    if lines is not None:
        for org in pd.unique(lines["organisation_id"].dropna()):
            organisations[str(org)] = matcher.name(str(org))
        reporting_years = sorted(str(y) for y in pd.unique(lines["reporting_year"].dropna()))
    clean = None
    if valid and lines is not None:
        clean = ReturnLines.validate(lines)
    ordered = sorted(problems.listed, key=lambda i: (i.row is not None, i.row or 0))
    return ValidationReport(
        file_name=file_name, issues=ordered, counts=dict(problems.counts),
        rows_read=table.rows_read if table is not None else 0,
        layout=table.layout if table is not None else None,
        organisations=organisations, reporting_years=reporting_years, lines=clean,
        line_count=0 if lines is None else len(lines),
    )


def validate_upload(data: bytes, file_name: str | None = None, *, organisation: str | None = None,
                    reporting_year: str | None = None, max_bytes: int | None = None,
                    registry: pd.DataFrame | None = None, today: dt.date | None = None,
                    max_rows: int = config.DEFAULT_MAX_ROWS) -> ValidationReport:
    """Read and check an uploaded file's bytes; never raises for bad input.

    See :func:`check_table` for ``organisation`` and ``reporting_year``.
    ``max_bytes`` defaults to the configured upload limit (10 MB).
    """
    try:
        table, problems = read_upload(data, max_bytes=max_bytes, max_rows=max_rows)
        if table is None:
            return ValidationReport(file_name, problems.listed, dict(problems.counts))
        return check_table(table, problems, organisation=organisation, reporting_year=reporting_year,
                           registry=registry, today=today, file_name=file_name)
    except Exception:  # a fault of ours must not become the user's traceback
        log.exception("internal error while validating %s", file_name)
        problems = IssueCollector()
        problems.add("internal_error")
        return ValidationReport(file_name, problems.listed, dict(problems.counts))


def validate_file(path: str | Path, **kwargs) -> ValidationReport:  # type: ignore[no-untyped-def]
    """Read and check the file at ``path``; see :func:`validate_upload`."""
    path = Path(path)
    return validate_upload(path.read_bytes(), path.name, **kwargs)


def validate_frame(frame: pd.DataFrame, **kwargs) -> ValidationReport:  # type: ignore[no-untyped-def]
    """Check a table already in memory (header = its column names, first row = row 2)."""
    problems = IssueCollector()
    from decarb_dashboard.read import _assemble

    body = frame.copy()
    header = list(body.columns)
    body.columns = range(len(header))
    body = body.astype(object).where(body.notna(), None)
    table = _assemble(header, body, 1, "frame", problems)
    return check_table(table, problems, **kwargs)
