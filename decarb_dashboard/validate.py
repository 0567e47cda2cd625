"""Check an uploaded annual return and turn it into validated return lines.

Every rule of the contract is applied to every row, and every problem is
reported at once with the spreadsheet row, the column, the value, a message
and a fix (:class:`decarb_dashboard.report.ValidationReport`). Rules run once
per distinct value of a column (:mod:`decarb_dashboard.cells`), so a
million-line file costs little more than reading it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from decarb_dashboard import config, years
from decarb_dashboard.cells import Terms, pair, spread
from decarb_dashboard.factors import FactorIndex, factor_index, factor_year, load_factors
from decarb_dashboard.intake import RawTable, assemble, read_upload
from decarb_dashboard.matcher import OrganisationMatcher, matcher_for
from decarb_dashboard.numbers import (
    K_BLANK,
    K_INVALID,
    K_NOT_FINITE,
    K_NUMBER,
    STATUS_BASE,
    ParsedNumbers,
    parse_column,
)
from decarb_dashboard.registry import load_registry
from decarb_dashboard.report import ERROR_ROWS_KEPT, Issue, IssueCollector, ValidationReport
from uploads_schema.codes import combine_codes, duplicated
from uploads_schema.columns import column
from uploads_schema.labels import normalise_label
from uploads_schema.vocabulary import Vocabulary, vocabulary

log = logging.getLogger(__name__)

TOTAL_ROW_LABELS = {"total", "totals", "grand total", "overall total", "total emissions", "cyfanswm",
                    "cyfanswm cyffredinol", "cyfanswm allyriadau"}
DEFAULT_STATUS = "measured"
Params = dict | Callable[[int], dict] | None


def _join(names: list[str], limit: int = 12) -> str:
    shown = ", ".join(names[:limit])
    return shown + (", ..." if len(names) > limit else "")


def _parse_scope(value: object) -> int:
    """Return 1, 2 or 3 from a scope cell ("1", 1.0, "Scope 2", "S3"), or 0 if it is none of them."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, int | float):
        return int(value) if float(value) in (1.0, 2.0, 3.0) else 0
    text = str(value).strip().casefold()
    for prefix in ("scope", "cwmpas", "s"):
        text = text.removeprefix(prefix).strip()
    try:
        number = float(text)
    except ValueError:
        return 0
    return int(number) if number in (1.0, 2.0, 3.0) else 0


def allowed_units_for(vocab: Vocabulary, category: str, source: str | None) -> tuple[str, ...]:
    """Return the units an activity amount may have for a category and (optional) source."""
    if source is not None:
        return vocab.sources[(category, source)].units
    return vocab.units_of_category(category)


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
        self.bad = np.zeros(self.n, dtype=bool)  # rows with an error in a field of the line's key

    # ---- helpers ----------------------------------------------------------
    def cell(self, name: str | None, i: int) -> object:
        """Return the cell of ``name`` at row position ``i`` as typed (None when blank or absent)."""
        if name is None or name not in self.frame.columns:
            return None
        value = self.frame[name].iat[i]
        if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
            return None
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value

    def _issues(self, code: str, positions: np.ndarray, name: str | None, params: Params,
                value: Callable[[int], object] | None) -> Iterator[Issue]:
        for i in positions:
            i = int(i)
            shown = value(i) if value is not None else self.cell(name, i)
            label = self.t.figure_column.get(i, name) if name == "emissions_tco2e" else name
            extra = params(i) if callable(params) else (params or {})
            yield Issue(code, int(self.rows[i]), label, None if shown is None else str(shown)[:120], extra)

    def flag(self, code: str, mask: np.ndarray, name: str | None, params: Params = None,
             key: bool = False, value: Callable[[int], object] | None = None) -> None:
        """Report ``code`` at every row in ``mask``; ``key`` marks the rows unusable for the key checks."""
        positions = np.flatnonzero(mask)
        if len(positions):
            self.p.add_many(code, len(positions), self._issues(code, positions, name, params, value))
            if key:
                self.bad[positions] = True

    def _require(self, name: str, chosen: str | None) -> bool:
        if name in self.frame.columns or chosen is not None:
            return True
        self.p.add("column_missing", column=name, description=column(name).description_en)
        self.bad[:] = True
        return False

    # ---- the rules --------------------------------------------------------
    def organisations(self) -> Terms:
        if not self._require("organisation", self.chosen_org):
            return Terms.empty(self.n)
        cells = self.t.column_cells("organisation")
        ids, unknown = cells.resolve(self.m.resolve)
        if self.chosen_org is not None:
            ids.assign(cells.blank, self.chosen_org)
        else:
            self.flag("organisation_missing", cells.blank, "organisation", key=True,
                      params=lambda i: {"example": self.m.example_name()})
        self.flag("organisation_unknown", unknown, "organisation", key=True,
                  params=lambda i: {"suggestion": self.m.suggest(cells.at(i))})
        if self.chosen_org is not None:
            other = ids.where(lambda org: org != self.chosen_org)
            self.flag("organisation_not_chosen", other, "organisation", key=True,
                      params=lambda i: {"value": self.m.name(str(ids.at(i))), "chosen": self.m.name(self.chosen_org)})
        return ids

    def reporting_years(self) -> Terms:
        if not self._require("reporting_year", self.chosen_year):
            return Terms.empty(self.n)
        cells = self.t.column_cells("reporting_year")
        parsed: list[object] = []
        for u in cells.uniques:
            try:
                parsed.append(years.label(years.parse(u)))
            except years.YearProblem as problem:
                parsed.append(problem)
        labels = Terms.from_distinct([p if isinstance(p, str) else None for p in parsed], cells.codes)
        if self.chosen_year is not None:
            labels.assign(cells.blank, self.chosen_year)
        else:
            self.flag("year_missing", cells.blank, "reporting_year", key=True)
        for code in ("year_bare", "year_invalid"):
            bad = cells.where([isinstance(p, years.YearProblem) and p.code == code for p in parsed])
            self.flag(code, bad, "reporting_year", key=True,
                      params=lambda i: dict(parsed[cells.codes[i]].params))  # type: ignore[union-attr]
        out_of_range = labels.where(lambda label: not self.first_year <= years.start_of(label) <= self.last_year)
        self.flag("year_out_of_range", out_of_range, "reporting_year", key=True, value=labels.at,
                  params={"first": years.label(self.first_year), "last": years.label(self.last_year)})
        labels.drop(out_of_range)
        if self.chosen_year is not None:
            other = labels.where(lambda label: label != self.chosen_year)
            self.flag("year_not_chosen", other, "reporting_year", key=True, value=labels.at,
                      params={"chosen": self.chosen_year})
        return labels

    def categories(self) -> Terms:
        cells = self.t.column_cells("category")
        ids, unknown = cells.resolve(self.v.category_index.resolve)
        allowed = ", ".join(c.name_en for c in self.v.ordered_categories())
        self.flag("category_missing", cells.blank, "category", key=True, params={"allowed": allowed})
        self.flag("category_unknown", unknown, "category", key=True,
                  params=lambda i: {"allowed": allowed, "suggestion": self.v.category_index.suggest(cells.at(i))})
        return ids

    def sources(self, categories: Terms) -> Terms:
        cells = self.t.column_cells("source")
        inverse, cat_codes, src_codes = pair(categories.codes, cells.codes)
        resolved = [
            self.v.source_index[categories.ids[c]].resolve(cells.uniques[s]) if c >= 0 and s >= 0 else None
            for c, s in zip(cat_codes, src_codes, strict=True)
        ]
        ids = Terms.from_distinct(resolved, inverse)
        # Each distinct (category, source cell as typed), its category and its source: the scope and unit
        # rules are decided once per such kind of row (and per scope or unit), not once per row.
        self.kind = inverse
        self.kind_category = cat_codes
        self.kind_source = Terms.from_distinct(resolved, np.arange(len(resolved))).codes
        unknown = spread((cat_codes >= 0) & (src_codes >= 0) & (self.kind_source < 0), inverse)

        def params(i: int) -> dict:
            cat = str(categories.at(i))
            return {"category": self.v.categories[cat].name_en,
                    "allowed": _join([s.name_en for s in self.v.sources_of(cat)]),
                    "suggestion": self.v.source_index[cat].suggest(cells.at(i))}

        self.flag("source_unknown", unknown, "source", key=True, params=params)
        return ids

    def scopes(self, categories: Terms, sources: Terms) -> np.ndarray:
        """Return the scope per row: given, or implied by the source or a single-scope category; 0 if none."""
        cells = self.t.column_cells("scope")
        inverse, kinds, scope_codes = pair(self.kind, cells.codes)  # each distinct (kind, scope cell)
        given = np.array([_parse_scope(u) for u in cells.uniques] + [0], dtype=np.int64)[scope_codes]
        cat_codes, src_codes = self.kind_category[kinds], self.kind_source[kinds]
        implied = np.zeros(len(kinds), dtype=np.int64)
        for k, (c, s) in enumerate(zip(cat_codes, src_codes, strict=True)):
            if c < 0:
                continue
            cat = self.v.categories[categories.ids[c]]
            if s >= 0:
                implied[k] = self.v.sources[(cat.id, sources.ids[s])].scope
            elif len(cat.scopes) == 1:
                implied[k] = cat.scopes[0]
        self.flag("scope_invalid", spread((scope_codes >= 0) & (given == 0), inverse), "scope", key=True)
        contradicts = (given > 0) & (src_codes >= 0) & (given != implied)
        self.flag("scope_contradicts_source", spread(contradicts, inverse), "scope", key=True,
                  params=lambda i: {"source": self.v.sources[(categories.at(i), sources.at(i))].name_en,
                                    "implied": implied[inverse[i]]})
        allowed = np.ones((len(categories.ids) + 1, 4), dtype=bool)  # the last row: unknown category
        for c, cat in enumerate(categories.ids):
            allowed[c] = [True] + [s in self.v.categories[cat].scopes for s in (1, 2, 3)]
        not_allowed = (given > 0) & ~contradicts & ~allowed[cat_codes, given]
        self.flag("scope_not_allowed", spread(not_allowed, inverse), "scope", key=True,
                  params=lambda i: {"category": self.v.categories[str(categories.at(i))].name_en,
                                    "allowed": " or ".join(map(str, self.v.categories[str(categories.at(i))].scopes))})
        scope = np.where(given > 0, given, implied)
        # The kind of line (category, source, scope) each row is: with its body and year, the line's key.
        self.line_kind = Terms.from_distinct(
            [(int(c), int(s), int(v)) if c >= 0 else None for c, s, v in zip(cat_codes, src_codes, scope, strict=True)],
            inverse)
        return scope[inverse]

    def statuses(self) -> tuple[Terms, np.ndarray]:
        """Return the status per row (measured when blank) and which status cells were blank."""
        cells = self.t.column_cells("status")
        ids, unknown = cells.resolve(self.v.status_index.resolve)
        allowed = ", ".join(s.name_en for s in self.v.statuses.values())
        self.flag("status_unknown", unknown, "status",
                  params=lambda i: {"allowed": allowed, "suggestion": self.v.status_index.suggest(cells.at(i))})
        ids.assign(cells.blank, DEFAULT_STATUS)
        return ids, cells.blank.copy()

    def figures(self, status: Terms, status_blank: np.ndarray) -> tuple[ParsedNumbers, ParsedNumbers]:
        """Parse emissions and activity; a status written in a number cell ("N/A") becomes the line's status."""
        tokens = self.v.status_tokens()
        parsed: list[ParsedNumbers] = []
        for name in ("emissions_tco2e", "activity_amount"):
            values = self.frame[name] if name in self.frame.columns else pd.Series(np.full(self.n, np.nan))
            numbers = parse_column(values, tokens)
            if name == "emissions_tco2e" and self.t.emissions_to_tonnes is not None:
                numbers.values = numbers.values * self.t.emissions_to_tonnes  # kgCO2e or ktCO2e given
            parsed.append(numbers)
            top = int(numbers.kind.max(initial=K_NUMBER))  # kinds are ordered: numbers and blanks first
            if top >= K_INVALID:
                self.flag("number_invalid", numbers.kind == K_INVALID, name)
                self.flag("number_not_finite", numbers.kind == K_NOT_FINITE, name)
            if top < STATUS_BASE:
                continue
            written = numbers.status_codes()
            for k, status_id in enumerate(numbers.statuses):
                said = written == k
                if not said.any():
                    continue
                adopt = said & status_blank
                status.assign(adopt, status_id)
                self.flag("status_from_cell", adopt, name,
                          params={"status": self.v.statuses[status_id].name_en})
                conflict = said & ~status_blank & ~status.missing & ~status.is_(status_id)
                self.flag("status_conflict", conflict, name,
                          params=lambda i, s=status_id: {"cell_status": self.v.statuses[s].name_en,
                                                         "status": self.v.statuses[str(status.at(i))].name_en})
                status_blank = status_blank & ~adopt
        return parsed[0], parsed[1]

    def units(self, amount: ParsedNumbers, categories: Terms, sources: Terms) -> Terms:
        cells = self.t.column_cells("activity_unit")
        ids, unknown = cells.resolve(self.v.unit_index.resolve)
        self.flag("unit_unknown", unknown, "activity_unit",
                  params=lambda i: {"allowed": ", ".join(self.v.units),
                                    "suggestion": self.v.unit_index.suggest(cells.at(i))})

        def allowed(i: int) -> tuple[str, ...]:
            cat = categories.at(i)
            return tuple(self.v.units) if cat is None else allowed_units_for(self.v, str(cat), sources.at(i))

        inverse, kinds, unit_codes = pair(self.kind, ids.codes)  # each distinct (kind, unit)
        cat_codes, src_codes = self.kind_category[kinds], self.kind_source[kinds]
        fits = np.array([
            u < 0 or c < 0
            or ids.ids[u] in allowed_units_for(self.v, categories.ids[c], sources.ids[s] if s >= 0 else None)
            for c, s, u in zip(cat_codes, src_codes, unit_codes, strict=True)
        ], dtype=bool)
        not_allowed = spread(~fits, inverse)

        def what(i: int) -> str:
            cat, src = str(categories.at(i)), sources.at(i)
            name = self.v.categories[cat].name_en
            return f"{self.v.sources[(cat, src)].name_en} in {name}" if src is not None else name

        self.flag("unit_not_allowed", not_allowed, "activity_unit", value=ids.at,
                  params=lambda i: {"what": what(i), "allowed": ", ".join(allowed(i))})
        amount_blank = amount.kind == K_BLANK
        self.flag("unit_without_amount", ~cells.blank & amount_blank & ~unknown, "activity_unit")
        self.flag("amount_without_unit", ~np.isnan(amount.values) & cells.blank, "activity_amount",
                  params=lambda i: {"allowed": ", ".join(allowed(i))})
        ids.drop(unknown | not_allowed)
        self.unit_given = ~cells.blank
        return ids

    def consistency(self, status: Terms, emissions: ParsedNumbers, amount: ParsedNumbers,
                    categories: Terms) -> None:
        has_emissions, has_amount = ~np.isnan(emissions.values), ~np.isnan(amount.values)
        without_figures = status.where(lambda s: not self.v.statuses[s].has_figures)  # not reported, n/a
        # A cell that holds something, even something wrong, is reported by its own rule.
        nothing_given = (emissions.kind == K_BLANK) & (amount.kind == K_BLANK) & ~self.unit_given
        self.flag("figures_missing", nothing_given & ~status.missing & ~without_figures, None)
        with_figures = without_figures & (has_emissions | has_amount)
        self.flag("figures_with_status", with_figures, "emissions_tco2e",
                  value=lambda i: self.cell("emissions_tco2e" if has_emissions[i] else "activity_amount", i),
                  params=lambda i: {"status": self.v.statuses[str(status.at(i))].name_en})
        negative = emissions.values < 0
        if negative.any():
            may_be_negative = categories.where(lambda c: self.v.categories[c].negative_allowed)
            in_tonnes = None if self.t.emissions_to_tonnes is None else (lambda i: f"{emissions.values[i]:g}")
            self.flag("emissions_negative", negative & ~may_be_negative & ~categories.missing, "emissions_tco2e",
                      params=lambda i: {"category": self.v.categories[str(categories.at(i))].name_en},
                      value=in_tonnes)  # the message says tCO2e: a figure given in kg is shown converted
        self.flag("activity_negative", amount.values < 0, "activity_amount")

    def computability(self, cat: Terms, src: Terms, unit: Terms, year: Terms, status: Terms,
                      emissions: ParsedNumbers, amount: ParsedNumbers,
                      factors: Callable[[], pd.DataFrame]) -> None:
        """Warn of lines whose activity will not become emissions (no figure given, no factor for it).

        Decided once per distinct (category, source, unit, year) with the one factor rule,
        :meth:`decarb_dashboard.factors.FactorIndex.find`; a line whose year has no factor
        set yet and will be computed at the newest set's factor is told so. Memo sources
        (renewable generation: recorded, never emissions) need no factor.
        """
        with_figures = ~status.missing & ~status.where(lambda s: not self.v.statuses[s].has_figures)
        needs = (~np.isnan(amount.values) & np.isnan(emissions.values) & with_figures
                 & ~cat.missing & ~unit.missing & ~year.missing)
        positions = np.flatnonzero(needs)
        if not len(positions):
            return
        key = combine_codes([c.codes[positions] for c in (cat, src, unit, year)])
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        index = factor_index(factors())
        found: list[tuple[str, dict]] = []  # per distinct kind: the code to report ("" for none), its params
        for j in positions[first].tolist():
            category, source, unit_id, label = cat.at(j), src.at(j), unit.at(j), str(year.at(j))
            found.append(self._factor_problem(index, str(category), source, str(unit_id), label))
        kind = np.full(self.n, -1, dtype=np.int64)
        kind[positions] = inverse.reshape(-1)
        for code in ("activity_not_computable", "activity_factor_newest_set"):
            hit = np.array([f[0] == code for f in found] + [False])
            self.flag(code, hit[kind], "activity_amount", params=lambda i: found[kind[i]][1])

    def _factor_problem(self, index: FactorIndex, category: str, source: str | None, unit_id: str,
                        label: str) -> tuple[str, dict]:
        """Return the warning for one kind of line that needs a factor ("" when none) and its parameters."""
        cat = self.v.categories[category]
        src = self.v.sources[(category, source)] if source is not None else None
        if src is not None and getattr(src, "stream", "direct") == "memo":
            return "", {}
        start = factor_year(label)
        what = {lang: (f"{src.name(lang)} ({cat.name(lang)})" if src is not None else cat.name(lang))
                for lang in ("en", "cy")}
        params = {"what_en": what["en"], "what_cy": what["cy"], "unit": unit_id, "year": label}
        hit = index.find(category, source, self.v.units[unit_id].canonical, start)
        if hit is None:
            others = [u for u in allowed_units_for(self.v, category, source)
                      if index.find(category, source, self.v.units[u].canonical, start) is not None]
            return "activity_not_computable", {**params, "factor_units": ", ".join(others)}
        if hit.newest_set_used:
            return "activity_factor_newest_set", {**params, "set_year": hit.factor_year}
        return "", {}

    def methods(self) -> Terms:
        cells = self.t.column_cells("method")
        ids, unknown = cells.resolve(self.v.method_index.resolve)
        allowed = ", ".join(m.name_en for m in self.v.methods.values())
        self.flag("method_unknown", unknown, "method",
                  params=lambda i: {"allowed": allowed, "suggestion": self.v.method_index.suggest(cells.at(i))})
        return ids

    def duplicates(self, org: Terms, year: Terms, cat: Terms, src: Terms) -> None:
        """Refuse two lines with the same key, and a category total beside lines by source."""
        ok = np.flatnonzero(~self.bad)
        every = len(ok) == self.n  # the usual case: no copies of the columns needed

        def usable(codes: np.ndarray) -> np.ndarray:
            return codes if every else codes[ok]

        key_codes = [usable(org.codes), usable(year.codes), usable(self.line_kind.codes)]
        dup = duplicated(key_codes)
        if dup.any():
            key = combine_codes(key_codes)
            rows_of: dict[int, tuple[int, str]] = {}
            dup_positions = ok[dup]
            order = np.argsort(key[dup], kind="stable")
            starts = np.flatnonzero(np.diff(key[dup][order])) + 1
            for members in np.split(order, starts):
                positions = dup_positions[members]
                numbers = self.rows[positions].tolist()
                label = (numbers[0], _join([str(r) for r in numbers[:13]]))
                for p in positions[1:].tolist():
                    rows_of[p] = label
            mask = np.zeros(self.n, dtype=bool)
            mask[list(rows_of)] = True
            self.flag("duplicate_line", mask, None,
                      params=lambda i: {"value": f"row {rows_of[i][0]}", "rows": rows_of[i][1]})

        # A well-to-tank, T&D or memo line is a stream of its own beside its category's total, not a
        # breakdown of it: leave those lines out of the comparison of totals and breakdowns.
        others = {key for key, s in self.v.sources.items() if s.stream != "direct"}
        stream = np.zeros((len(cat.ids) + 1, len(src.ids) + 1), dtype=bool)  # the last row, column: code -1
        for i, c in enumerate(cat.ids):
            stream[i, :-1] = [(c, s) in others for s in src.ids]
        ok = ok[~stream[usable(cat.codes), usable(src.codes)]]
        every = len(ok) == self.n
        is_total = usable(src.missing)
        if is_total.all() or not is_total.any():
            return  # all lines are category totals, or none is
        group, _, _ = pair(usable(org.codes).astype(np.int64) * (len(year.ids) + 1) + usable(year.codes),
                           usable(cat.codes))
        totals = np.bincount(group, weights=is_total.astype(float))
        sizes = np.bincount(group)
        mixed_group = (totals > 0) & (totals < sizes)
        in_mixed = mixed_group[group]
        if not in_mixed.any():
            return
        breakdown: dict[int, list[int]] = {}
        for g, p in zip(group[in_mixed & ~is_total], ok[in_mixed & ~is_total], strict=True):
            breakdown.setdefault(int(g), []).append(int(self.rows[p]))
        group_of = dict(zip(ok[in_mixed & is_total].tolist(), group[in_mixed & is_total].tolist(), strict=True))
        mask = np.zeros(self.n, dtype=bool)
        mask[list(group_of)] = True
        self.flag("total_and_breakdown", mask, "source",
                  params=lambda i: {"category": self.v.categories[str(cat.at(i))].name_en,
                                    "rows": _join([str(r) for r in breakdown[group_of[i]]])})


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


class _Totals:
    """Checks each total row against the sum of the lines it totals: the same body, year and category.

    A cell labelled total, or left blank, does not narrow the lines: "Total" under category is
    every category of the body and year; a category with "Total" as its source is that category.
    A total matches if it is within ``TOTAL_TOLERANCE_PCT`` of the lines' sum with Land or without it.
    """

    def __init__(self, c: _Checker, totals: RawTable, labelled: dict[str, np.ndarray]) -> None:
        self.c, self.t, self.labelled = c, totals, labelled
        self.n = len(totals.frame)

    def _ids(self, name: str, resolve: Callable[[object], object],
             chosen: str | None) -> tuple[np.ndarray, np.ndarray]:
        """Return per total row the id its cell names (None: any), and a mask of the cells not understood.

        Decided once per distinct cell; a blank cell is the chosen body or year, if there is one.
        """
        cells = self.t.column_cells(name)
        resolved = np.array([resolve(u) for u in cells.uniques] + [chosen], dtype=object)
        label = self.labelled.get(name, np.zeros(self.n, dtype=bool))
        ids = resolved[cells.codes]  # code -1 (blank) takes the last slot: the chosen value
        bad = ~label & ~cells.blank & np.array([r is None for r in resolved], dtype=bool)[cells.codes]
        ids[label] = None
        return ids, bad

    def check(self, org: Terms, year: Terms, cat: Terms, emissions: ParsedNumbers, problems: IssueCollector) -> None:
        c, v = self.c, self.c.v

        def year_label(u: object) -> str | None:
            try:
                return years.label(years.parse(u))
            except years.YearProblem:
                return None

        orgs, bad_org = self._ids("organisation", c.m.resolve, c.chosen_org)
        labels, bad_year = self._ids("reporting_year", year_label, c.chosen_year)
        cats, bad_cat = self._ids("category", v.category_index.resolve, None)
        values = parse_column(self.t.frame["emissions_tco2e"], v.status_tokens()).values if (
            "emissions_tco2e" in self.t.frame.columns) else np.full(self.n, np.nan)
        if self.t.emissions_to_tonnes is not None:
            values = values * self.t.emissions_to_tonnes
        # Each distinct (body, year, category) totalled is summed once: few, however many total rows.
        key_codes = [pd.factorize(ids, use_na_sentinel=True)[0] for ids in (orgs, labels, cats)]
        _, first, inverse = np.unique(combine_codes(key_codes), return_index=True, return_inverse=True)
        inverse = inverse.reshape(-1)
        has = ~np.isnan(emissions.values)
        land = cat.where(lambda k: v.categories[k].negative_allowed)
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
                yield Issue("total_row_mismatch", int(self.t.rows[i]), self.t.figure_column.get(i, "emissions_tco2e"),
                            str(self._label(i))[:120],
                            {"total": _tonnes(values[i]), "sum": _tonnes(net[i]), "difference": _tonnes(difference),
                             "pct": f"{difference / abs(net[i]) * 100:+.1f}" if net[i] else "∞",
                             **self._what(keys[inverse[i]], year)})

        if mismatch.any():
            problems.add_many("total_row_mismatch", int(mismatch.sum()), mismatches())
        # One note per sheet row without a mismatch (a melted short layout has a total line per year).
        sheet_rows, where, of_row = np.unique(self.t.rows, return_index=True, return_inverse=True)
        of_row = of_row.reshape(-1)
        any_mismatch = np.bincount(of_row, weights=mismatch, minlength=len(sheet_rows)) > 0
        any_match = np.bincount(of_row, weights=match, minlength=len(sheet_rows)) > 0
        for code, rows in (("total_row_ignored", ~any_mismatch & any_match),
                           ("total_row_unchecked", ~any_mismatch & ~any_match)):
            picked = np.flatnonzero(rows)
            if len(picked):
                problems.add_many(code, len(picked), (
                    Issue(code, int(sheet_rows[r]), None, str(self._label(int(where[r])))[:120])
                    for r in picked.tolist()))

    def _label(self, i: int) -> object:
        return _total_label(self.t, self.labelled, i)

    def _what(self, key: tuple, year: Terms) -> dict[str, str]:
        """Say which lines a total totals ("Buildings, Cardiff Council, 2022-23"), in English and Welsh."""
        org_id, label, category = key
        out = {}
        for lang in ("en", "cy"):
            parts = [self.c.v.categories[category].name(lang)] if category is not None else []
            if org_id is not None:
                parts.append(self.c.m.name(org_id, lang))
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
        problems.add("column_missing", column="category", description=column("category").description_en)
    elif not ({"emissions_tco2e", "activity_amount"} & set(table.frame.columns)):
        problems.add("column_needs_figures")
    elif len(table.frame) == 0:
        problems.add("no_lines")
    if problems.has_errors():
        if totals is not None:
            for row, i in _first_positions(totals).items():
                problems.add("total_row_unchecked", row=row, value=_total_label(totals, labelled, i))
        return _report(file_name, problems, table, None, matcher)

    c = _Checker(table, problems, matcher, vocabulary(), organisation, reporting_year, today)
    org = c.organisations()
    year = c.reporting_years()
    cat = c.categories()
    src = c.sources(cat)
    scope = c.scopes(cat, src)
    status, status_blank = c.statuses()
    emissions, amount = c.figures(status, status_blank)
    unit = c.units(amount, cat, src)
    c.consistency(status, emissions, amount, cat)
    c.computability(cat, src, unit, year, status, emissions, amount,
                    lambda: factors if factors is not None else load_factors(config.data_dir()))
    method = c.methods()
    c.duplicates(org, year, cat, src)
    if totals is not None:
        _Totals(c, totals, labelled).check(org, year, cat, emissions, problems)
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


def _present(values: pd.Series) -> list:
    """Return the categories of a categorical column that some row holds, in the categories' order."""
    seen = np.zeros(len(values.cat.categories) + 1, dtype=bool)  # the last slot: code -1, a missing value
    seen[values.cat.codes.to_numpy()] = True
    return values.cat.categories[seen[:-1]].tolist()


def _report(file_name: str | None, problems: IssueCollector, table: RawTable | None,
            lines: pd.DataFrame | None, matcher: OrganisationMatcher, valid: bool = False) -> ValidationReport:
    organisations: dict[str, str] = {}
    reporting_years: list[str] = []
    if lines is not None:
        for org in _present(lines["organisation_id"]):
            organisations[str(org)] = matcher.name(str(org))
        reporting_years = sorted(str(y) for y in _present(lines["reporting_year"]))
    # The contract (ReturnLines) is checked where the lines enter the store, not here as well: on a
    # million lines it costs as much as all the rules above, and it would run twice on every submission.
    clean = lines if valid and lines is not None else None
    ordered = sorted(problems.listed, key=lambda i: (i.row is not None, i.row or 0))
    return ValidationReport(
        file_name=file_name, issues=ordered, counts=dict(problems.counts),
        rows_read=table.rows_read if table is not None else 0,
        layout=table.layout if table is not None else None,
        organisations=organisations, reporting_years=reporting_years, lines=clean,
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


def validate_file(path: str | Path, **kwargs) -> ValidationReport:  # type: ignore[no-untyped-def]
    """Read and check the file at ``path``; see :func:`validate_upload`."""
    path = Path(path)
    return validate_upload(path.read_bytes(), path.name, path=path, **kwargs)


def validate_frame(frame: pd.DataFrame, **kwargs) -> ValidationReport:  # type: ignore[no-untyped-def]
    """Check a table already in memory (header = its column names, first row = row 2)."""
    from decarb_dashboard.intake import cell_value

    problems = IssueCollector()
    header = [str(c) for c in frame.columns]
    body = pd.DataFrame({k: [cell_value(v) for v in frame.iloc[:, k]] for k in range(len(header))},
                        columns=range(len(header)), dtype=object)
    table = assemble(header, body, 1, "frame", problems)
    return check_table(table, problems, **kwargs)
