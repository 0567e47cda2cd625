"""The contract's rules for the lines of a return, as plain functions.

Each rule takes the cells of the columns it needs (:class:`decarb_dashboard.cells.Cells`), the
ids already worked out by the rules before it (:class:`decarb_dashboard.cells.Terms`) and the
vocabulary, reports what it finds through :class:`Flags`, and returns the ids or figures it
worked out. Rules run once per distinct value (or distinct combination of values), so a
million-line return costs little more than reading it. :func:`decarb_dashboard.validate.check_table`
calls them in order. The rules the pandera model applies too are in :mod:`uploads_schema.rules`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from babel.lists import format_list

from decarb_dashboard import years
from decarb_dashboard.cells import Cells, Terms, pair, spread
from decarb_dashboard.factors import FactorIndex, factor_index, factor_year
from decarb_dashboard.intake import RawTable
from decarb_dashboard.matcher import OrganisationMatcher
from decarb_dashboard.numbers import (
    K_BLANK,
    K_INVALID,
    K_NOT_FINITE,
    K_NUMBER,
    STATUS_BASE,
    ParsedNumbers,
    parse_column,
)
from decarb_dashboard.report import Issue, IssueCollector
from uploads_schema import i18n, rules
from uploads_schema.codes import combine_codes
from uploads_schema.columns import column
from uploads_schema.i18n import babel_locale, languages
from uploads_schema.vocabulary import Term, Vocabulary

DEFAULT_STATUS = "measured"
Params = dict | Callable[[int], dict] | None


def in_each_language(name: str, say: Callable[[str], object]) -> dict[str, object]:
    """Return ``{<name>_<lang>: say(lang)}`` for every language: a value a message fills in its reader's language.

    A list of names or a name put into a message (``allowed``, ``category``) is given so, never in English alone.
    """
    return {f"{name}_{lang}": say(lang) for lang in languages()}


def _term_names(terms: Iterable[Term]) -> Callable[[str], str]:
    return lambda lang: ", ".join(t.name(lang) for t in terms)


def suggested(term_id: str | None, name: Callable[[str, str], str]) -> dict[str, object]:
    """The "Did you mean ...?" of a message: the nearest term named in each language (nothing if none is near)."""
    return {} if term_id is None else in_each_language("suggestion", lambda lang: name(term_id, lang))


def join_shown(names: list[str], limit: int = 12) -> str:
    """Return names joined for a message, the first ``limit`` of them ("a, b, ..." beyond that)."""
    shown = ", ".join(names[:limit])
    return shown + (", ..." if len(names) > limit else "")


def parse_scope(value: object) -> int:
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


@dataclass
class Flags:
    """Where the rules report problems: the problems collected, at the table's row numbers.

    ``unusable`` marks the rows with an error in a field of the line's key: the key rules
    (:func:`duplicates`) leave them out.
    """

    table: RawTable
    problems: IssueCollector
    unusable: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.unusable = np.zeros(len(self.table.frame), dtype=bool)

    def cell(self, name: str | None, i: int) -> object:
        """Return the cell of ``name`` at row position ``i`` as typed (None when blank or absent)."""
        frame = self.table.frame
        if name is None or name not in frame.columns:
            return None
        value = frame[name].iat[i]
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
            label = self.table.figure_column.get(i, name) if name == "emissions_tco2e" else name
            extra = params(i) if callable(params) else (params or {})
            yield Issue(code, int(self.table.rows[i]), label, None if shown is None else str(shown)[:120], extra)

    def flag(self, code: str, mask: np.ndarray, name: str | None, params: Params = None,
             key: bool = False, value: Callable[[int], object] | None = None) -> None:
        """Report ``code`` at every row in ``mask``; ``key`` marks the rows unusable for the key rules."""
        positions = np.flatnonzero(mask)
        if len(positions):
            self.problems.add_many(code, len(positions), self._issues(code, positions, name, params, value))
            if key:
                self.unusable[positions] = True

    def require(self, name: str, chosen: str | None) -> bool:
        """Say a column is missing unless it is there or its value was chosen; every row is then unusable."""
        if name in self.table.frame.columns or chosen is not None:
            return True
        self.problems.add("column_missing", column=name, **in_each_language("description", column(name).description))
        self.unusable[:] = True
        return False


@dataclass(frozen=True)
class SourceKinds:
    """Each distinct (category, source cell as typed) of a return: the kinds of row the scope and unit rules judge.

    ``of_row`` is each row's kind; ``category`` and ``source`` the codes (in the category and
    source ids) of each kind, -1 when there is none.
    """

    of_row: np.ndarray
    category: np.ndarray
    source: np.ndarray


def organisations(cells: Cells, flags: Flags, matcher: OrganisationMatcher, chosen: str | None) -> Terms:
    """Return the register id of the body each row names; a blank cell is the ``chosen`` body, if any."""
    ids, unknown = cells.resolve(matcher.resolve)
    if chosen is not None:
        ids.assign(cells.blank, chosen)
    else:
        flags.flag("organisation_missing", cells.blank, "organisation", key=True,
                   params=lambda i: in_each_language("example", matcher.example_name))
    flags.flag("organisation_unknown", unknown, "organisation", key=True,
               params=lambda i: suggested(matcher.suggest_id(cells.at(i)), matcher.name))
    if chosen is not None:
        other = ids.where(lambda org: org != chosen)
        flags.flag("organisation_not_chosen", other, "organisation", key=True,
                   params=lambda i: {**in_each_language("value", lambda lang: matcher.name(str(ids.at(i)), lang)),
                                     **in_each_language("chosen", lambda lang: matcher.name(chosen, lang))})
    return ids


def financial_years(cells: Cells, flags: Flags, column: str, key: bool = False) -> Terms:
    """Return each row's financial year ("2022-23") as written in ``column``, flagging a bare year ("2022": which
    one?) and what is not a year; the return's reporting year and a project's start year are both read so."""
    parsed: list[object] = []
    for u in cells.uniques:
        try:
            parsed.append(years.label(years.parse(u)))
        except years.YearProblem as problem:
            parsed.append(problem)
    for code in ("year_bare", "year_invalid"):
        bad = cells.where([isinstance(p, years.YearProblem) and p.code == code for p in parsed])
        flags.flag(code, bad, column, key=key, params=lambda i: dict(parsed[cells.codes[i]].params))
    return Terms.from_distinct([p if isinstance(p, str) else None for p in parsed], cells.codes)


def reporting_years(cells: Cells, flags: Flags, chosen: str | None, first_year: int, last_year: int) -> Terms:
    """Return each row's financial year ("2022-23"), accepted between ``first_year`` and ``last_year`` (start years)."""
    labels = financial_years(cells, flags, "reporting_year", key=True)
    if chosen is not None:
        labels.assign(cells.blank, chosen)
    else:
        flags.flag("year_missing", cells.blank, "reporting_year", key=True)
    out_of_range = labels.where(lambda label: not first_year <= years.start_of(label) <= last_year)
    flags.flag("year_out_of_range", out_of_range, "reporting_year", key=True, value=labels.at,
               params={"first": years.label(first_year), "last": years.label(last_year)})
    labels.drop(out_of_range)
    if chosen is not None:
        other = labels.where(lambda label: label != chosen)
        flags.flag("year_not_chosen", other, "reporting_year", key=True, value=labels.at,
                   params={"chosen": chosen})
    return labels


def categories(cells: Cells, flags: Flags, vocab: Vocabulary) -> Terms:
    """Return each row's category id."""
    ids, unknown = cells.resolve(vocab.category_index.resolve)
    allowed = in_each_language("allowed", _term_names(vocab.ordered_categories()))
    flags.flag("category_missing", cells.blank, "category", key=True, params=allowed)
    flags.flag("category_unknown", unknown, "category", key=True,
               params=lambda i: {**allowed, **suggested(vocab.category_index.suggest_id(cells.at(i)),
                                                        lambda t, lang: vocab.categories[t].name(lang))})
    return ids


def sources(cells: Cells, category: Terms, flags: Flags, vocab: Vocabulary) -> tuple[Terms, SourceKinds]:
    """Return each row's source id (missing for a category total) and the kinds of row (see :class:`SourceKinds`)."""
    inverse, cat_codes, src_codes = pair(category.codes, cells.codes)
    resolved = [
        vocab.source_index[category.ids[c]].resolve(cells.uniques[s]) if c >= 0 and s >= 0 else None
        for c, s in zip(cat_codes, src_codes, strict=True)
    ]
    ids = Terms.from_distinct(resolved, inverse)
    kinds = SourceKinds(inverse, cat_codes, Terms.from_distinct(resolved, np.arange(len(resolved))).codes)
    unknown = spread((cat_codes >= 0) & (src_codes >= 0) & (kinds.source < 0), inverse)

    def params(i: int) -> dict:
        cat = str(category.at(i))
        return {**in_each_language("category", vocab.categories[cat].name),
                **in_each_language("allowed", lambda lang: join_shown([s.name(lang) for s in vocab.sources_of(cat)])),
                **suggested(vocab.source_index[cat].suggest_id(cells.at(i)),
                            lambda t, lang: vocab.sources[(cat, t)].name(lang))}

    flags.flag("source_unknown", unknown, "source", key=True, params=params)
    return ids, kinds


def scopes(cells: Cells, category: Terms, source: Terms, kinds: SourceKinds, flags: Flags,
           vocab: Vocabulary) -> np.ndarray:
    """Return the scope per row: given, or implied by the source or a single-scope category; 0 if none."""
    inverse, of_kind, scope_codes = pair(kinds.of_row, cells.codes)  # each distinct (kind, scope cell)
    given = np.array([parse_scope(u) for u in cells.uniques] + [0], dtype=np.int64)[scope_codes]
    cat_codes, src_codes = kinds.category[of_kind], kinds.source[of_kind]
    implied = np.zeros(len(of_kind), dtype=np.int64)
    for k, (c, s) in enumerate(zip(cat_codes, src_codes, strict=True)):
        if c < 0:
            continue
        cat = vocab.categories[category.ids[c]]
        if s >= 0:
            implied[k] = vocab.sources[(cat.id, source.ids[s])].scope
        elif len(cat.scopes) == 1:
            implied[k] = cat.scopes[0]
    flags.flag("scope_invalid", spread((scope_codes >= 0) & (given == 0), inverse), "scope", key=True)
    contradicts = (given > 0) & (src_codes >= 0) & (given != implied)
    flags.flag("scope_contradicts_source", spread(contradicts, inverse), "scope", key=True,
               params=lambda i: {**in_each_language("source", vocab.sources[(category.at(i), source.at(i))].name),
                                 "implied": implied[inverse[i]]})
    allowed = np.ones((len(category.ids) + 1, 4), dtype=bool)  # the last row: unknown category
    for c, cat_id in enumerate(category.ids):
        allowed[c] = [True] + [s in vocab.categories[cat_id].scopes for s in (1, 2, 3)]
    not_allowed = (given > 0) & ~contradicts & ~allowed[cat_codes, given]
    flags.flag("scope_not_allowed", spread(not_allowed, inverse), "scope", key=True,
               params=lambda i: {**in_each_language("category", vocab.categories[str(category.at(i))].name),
                                 **in_each_language("allowed", lambda lang: format_list(
                                     list(map(str, vocab.categories[str(category.at(i))].scopes)), style="or",
                                     locale=babel_locale(lang)))})
    return np.where(given > 0, given, implied)[inverse]


def statuses(cells: Cells, flags: Flags, vocab: Vocabulary) -> tuple[Terms, np.ndarray]:
    """Return the status per row (measured when blank) and which status cells were blank."""
    ids, unknown = cells.resolve(vocab.status_index.resolve)
    allowed = in_each_language("allowed", _term_names(vocab.statuses.values()))
    flags.flag("status_unknown", unknown, "status",
               params=lambda i: {**allowed, **suggested(vocab.status_index.suggest_id(cells.at(i)),
                                                        lambda t, lang: vocab.statuses[t].name(lang))})
    ids.assign(cells.blank, DEFAULT_STATUS)
    return ids, cells.blank.copy()


def figures(emissions_cells: pd.Series, amount_cells: pd.Series, emissions_to_tonnes: np.ndarray | None,
            status: Terms, status_blank: np.ndarray, flags: Flags,
            vocab: Vocabulary) -> tuple[ParsedNumbers, ParsedNumbers]:
    """Return the emissions (tCO2e) and activity amounts parsed; a status in a number cell ("N/A") becomes the line's.

    ``emissions_to_tonnes`` is, per row, what the emissions figure given is multiplied by to be in tCO2e
    (None: all are in tCO2e). ``status`` is changed in place where a cell gives a blank status.
    """
    tokens = vocab.status_tokens()
    parsed: list[ParsedNumbers] = []
    for name, values in (("emissions_tco2e", emissions_cells), ("activity_amount", amount_cells)):
        numbers = parse_column(values, tokens)
        if name == "emissions_tco2e" and emissions_to_tonnes is not None:
            numbers.values = numbers.values * emissions_to_tonnes  # kgCO2e or ktCO2e given
        parsed.append(numbers)
        top = int(numbers.kind.max(initial=K_NUMBER))  # kinds are ordered: numbers and blanks first
        if top >= K_INVALID:
            flags.flag("number_invalid", numbers.kind == K_INVALID, name)
            flags.flag("number_not_finite", numbers.kind == K_NOT_FINITE, name)
        if top < STATUS_BASE:
            continue
        written = numbers.status_codes()
        for k, status_id in enumerate(numbers.statuses):
            said = written == k
            if not said.any():
                continue
            adopt = said & status_blank
            status.assign(adopt, status_id)
            flags.flag("status_from_cell", adopt, name,
                       params=in_each_language("status", vocab.statuses[status_id].name))
            conflict = said & ~status_blank & ~status.missing & ~status.is_(status_id)
            flags.flag("status_conflict", conflict, name,
                       params=lambda i, s=status_id: {
                           **in_each_language("cell_status", vocab.statuses[s].name),
                           **in_each_language("status", vocab.statuses[str(status.at(i))].name)})
            status_blank = status_blank & ~adopt
    return parsed[0], parsed[1]


def units(cells: Cells, amount: ParsedNumbers, category: Terms, source: Terms, kinds: SourceKinds, flags: Flags,
          vocab: Vocabulary) -> Terms:
    """Return each row's activity unit id, missing where it is unknown or not allowed for the line."""
    ids, unknown = cells.resolve(vocab.unit_index.resolve)
    flags.flag("unit_unknown", unknown, "activity_unit",
               params=lambda i: {"allowed": ", ".join(vocab.units),  # units by their symbols, in any language
                                 **suggested(vocab.unit_index.suggest_id(cells.at(i)),
                                             lambda t, lang: vocab.units[t].name(lang))})

    def allowed(i: int) -> tuple[str, ...]:
        cat = category.at(i)
        return tuple(vocab.units) if cat is None else allowed_units_for(vocab, str(cat), source.at(i))

    inverse, of_kind, unit_codes = pair(kinds.of_row, ids.codes)  # each distinct (kind, unit)
    cat_codes, src_codes = kinds.category[of_kind], kinds.source[of_kind]
    fits = np.array([
        u < 0 or c < 0
        or ids.ids[u] in allowed_units_for(vocab, category.ids[c], source.ids[s] if s >= 0 else None)
        for c, s, u in zip(cat_codes, src_codes, unit_codes, strict=True)
    ], dtype=bool)
    not_allowed = spread(~fits, inverse)

    def what(i: int, lang: str) -> str:
        cat, src = str(category.at(i)), source.at(i)
        name = vocab.categories[cat].name(lang)
        return name if src is None else i18n.gettext("messages", "source_in_category", lang,
                                                     source=vocab.sources[(cat, src)].name(lang), category=name)

    flags.flag("unit_not_allowed", not_allowed, "activity_unit", value=ids.at,
               params=lambda i: {**in_each_language("what", lambda lang: what(i, lang)),
                                 "allowed": ", ".join(allowed(i))})
    amount_blank = amount.kind == K_BLANK
    flags.flag("unit_without_amount", ~cells.blank & amount_blank & ~unknown, "activity_unit")
    flags.flag("amount_without_unit", ~np.isnan(amount.values) & cells.blank, "activity_amount",
               params=lambda i: {"allowed": ", ".join(allowed(i))})
    ids.drop(unknown | not_allowed)
    return ids


def consistency(status: Terms, emissions: ParsedNumbers, amount: ParsedNumbers, unit_given: np.ndarray,
                category: Terms, emissions_converted: bool, flags: Flags, vocab: Vocabulary) -> None:
    """Report figures that do not match the status, negative emissions outside Land, and negative amounts.

    ``unit_given`` marks the rows with something in the unit cell; ``emissions_converted`` says the
    emissions were given in another unit than tCO2e (the message then shows the figure converted).
    """
    has_emissions, has_amount = ~np.isnan(emissions.values), ~np.isnan(amount.values)
    # A cell that holds something, even something wrong, is reported by its own rule.
    anything_given = (emissions.kind != K_BLANK) | (amount.kind != K_BLANK) | unit_given
    with_figures = rules.per_value(status.ids, status.codes, lambda s: rules.has_figures(vocab, s))
    missing, unexpected = rules.figures_against_status(anything_given, has_emissions | has_amount,
                                                       ~status.missing, with_figures)
    flags.flag("figures_missing", missing, None)
    flags.flag("figures_with_status", unexpected, "emissions_tco2e",
               value=lambda i: flags.cell("emissions_tco2e" if has_emissions[i] else "activity_amount", i),
               params=lambda i: in_each_language("status", vocab.statuses[str(status.at(i))].name))
    if (emissions.values < 0).any():
        may_be_negative = rules.per_value(category.ids, category.codes, lambda c: rules.may_be_negative(vocab, c),
                                          missing=True)  # a row of no known category has its own error
        in_tonnes = (lambda i: f"{emissions.values[i]:g}") if emissions_converted else None
        flags.flag("emissions_negative", rules.negative_not_allowed(emissions.values, may_be_negative),
                   "emissions_tco2e", params=lambda i: in_each_language("category",
                                                                         vocab.categories[str(category.at(i))].name),
                   value=in_tonnes)  # the message says tCO2e: a figure given in kg is shown converted
    flags.flag("activity_negative", amount.values < 0, "activity_amount")


def computability(category: Terms, source: Terms, unit: Terms, year: Terms, status: Terms,
                  emissions: ParsedNumbers, amount: ParsedNumbers, factors: Callable[[], pd.DataFrame],
                  flags: Flags, vocab: Vocabulary) -> None:
    """Warn of lines whose activity will not become emissions (no figure given, no factor for it).

    Decided once per distinct (category, source, unit, year) with the one factor rule,
    :meth:`decarb_dashboard.factors.FactorIndex.find`; a line whose year has no factor
    set yet and will be computed at the newest set's factor is told so. Memo sources
    (renewable generation: recorded, never emissions) need no factor. ``factors`` returns
    the factor table, read only when some line needs it.
    """
    with_figures = rules.per_value(status.ids, status.codes, lambda s: rules.has_figures(vocab, s))
    needs = (~np.isnan(amount.values) & np.isnan(emissions.values) & with_figures
             & ~category.missing & ~unit.missing & ~year.missing)
    positions = np.flatnonzero(needs)
    if not len(positions):
        return
    key = combine_codes([c.codes[positions] for c in (category, source, unit, year)])
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    index = factor_index(factors())
    found: list[tuple[str, dict]] = []  # per distinct kind: the code to report ("" for none), its params
    for j in positions[first].tolist():
        found.append(factor_problem(index, vocab, str(category.at(j)), source.at(j), str(unit.at(j)),
                                    str(year.at(j))))
    kind = np.full(len(needs), -1, dtype=np.int64)
    kind[positions] = inverse.reshape(-1)
    for code in ("activity_not_computable", "activity_factor_newest_set"):
        hit = np.array([f[0] == code for f in found] + [False])
        flags.flag(code, hit[kind], "activity_amount", params=lambda i: found[kind[i]][1])


def factor_problem(index: FactorIndex, vocab: Vocabulary, category: str, source: object, unit_id: str,
                   label: str) -> tuple[str, dict]:
    """Return the warning for one kind of line that needs a factor ("" when none) and its parameters."""
    cat = vocab.categories[category]
    src = vocab.sources[(category, source)] if source is not None else None
    if src is not None and getattr(src, "stream", "direct") == "memo":
        return "", {}
    start = factor_year(label)
    what = {lang: (f"{src.name(lang)} ({cat.name(lang)})" if src is not None else cat.name(lang))
            for lang in languages()}
    params = {**{f"what_{lang}": name for lang, name in what.items()}, "unit": unit_id, "year": label}
    source_id = None if source is None else str(source)
    hit = index.find(category, source_id, vocab.units[unit_id].canonical, start)
    if hit is None:
        others = [u for u in allowed_units_for(vocab, category, source_id)
                  if index.find(category, source_id, vocab.units[u].canonical, start) is not None]
        return "activity_not_computable", {**params, "factor_units": ", ".join(others)}
    if hit.newest_set_used:
        return "activity_factor_newest_set", {**params, "set_year": hit.factor_year}
    return "", {}


def methods(cells: Cells, flags: Flags, vocab: Vocabulary) -> Terms:
    """Return each row's method id."""
    ids, unknown = cells.resolve(vocab.method_index.resolve)
    allowed = in_each_language("allowed", _term_names(vocab.methods.values()))
    flags.flag("method_unknown", unknown, "method",
               params=lambda i: {**allowed, **suggested(vocab.method_index.suggest_id(cells.at(i)),
                                                        lambda t, lang: vocab.methods[t].name(lang))})
    return ids


def duplicates(org: Terms, year: Terms, category: Terms, source: Terms, scope: np.ndarray, flags: Flags,
               vocab: Vocabulary) -> None:
    """Refuse two lines with the same key, and a category total beside lines by source.

    The rows :attr:`Flags.unusable` marks (an error in a field of the key) are left out.
    """
    n = len(scope)
    rows = flags.table.rows
    ok = np.flatnonzero(~flags.unusable)
    every = len(ok) == n  # the usual case: no copies of the columns needed

    def usable(codes: np.ndarray) -> np.ndarray:
        return codes if every else codes[ok]

    key_codes = [usable(org.codes), usable(year.codes), usable(category.codes), usable(source.codes),
                 usable(scope)]  # the line key of uploads_schema.models.LINE_KEY
    dup = rules.repeated_lines(key_codes)
    if dup.any():
        key = combine_codes(key_codes)
        rows_of: dict[int, tuple[int, str]] = {}
        dup_positions = ok[dup]
        order = np.argsort(key[dup], kind="stable")
        starts = np.flatnonzero(np.diff(key[dup][order])) + 1
        for members in np.split(order, starts):
            positions = dup_positions[members]
            numbers = rows[positions].tolist()
            label = (numbers[0], join_shown([str(r) for r in numbers[:13]]))
            for p in positions[1:].tolist():
                rows_of[p] = label
        mask = np.zeros(n, dtype=bool)
        mask[list(rows_of)] = True
        flags.flag("duplicate_line", mask, None,
                   params=lambda i: {"value": f"row {rows_of[i][0]}", "rows": rows_of[i][1]})

    # A well-to-tank, T&D or memo line is a stream of its own beside its category's total, not a
    # breakdown of it: leave those lines out of the comparison of totals and breakdowns.
    others = {key for key, s in vocab.sources.items() if s.stream != "direct"}
    stream = np.zeros((len(category.ids) + 1, len(source.ids) + 1), dtype=bool)  # the last row, column: code -1
    for i, c in enumerate(category.ids):
        stream[i, :-1] = [(c, s) in others for s in source.ids]
    ok = ok[~stream[usable(category.codes), usable(source.codes)]]
    every = len(ok) == n
    is_total = usable(source.missing)
    if is_total.all() or not is_total.any():
        return  # all lines are category totals, or none is
    group, _, _ = pair(usable(org.codes).astype(np.int64) * (len(year.ids) + 1) + usable(year.codes),
                       usable(category.codes))
    totals = np.bincount(group, weights=is_total.astype(float))
    sizes = np.bincount(group)
    mixed_group = (totals > 0) & (totals < sizes)
    in_mixed = mixed_group[group]
    if not in_mixed.any():
        return
    breakdown: dict[int, list[int]] = {}
    for g, p in zip(group[in_mixed & ~is_total], ok[in_mixed & ~is_total], strict=True):
        breakdown.setdefault(int(g), []).append(int(rows[p]))
    group_of = dict(zip(ok[in_mixed & is_total].tolist(), group[in_mixed & is_total].tolist(), strict=True))
    mask = np.zeros(n, dtype=bool)
    mask[list(group_of)] = True
    flags.flag("total_and_breakdown", mask, "source",
               params=lambda i: {**in_each_language("category", vocab.categories[str(category.at(i))].name),
                                 "rows": join_shown([str(r) for r in breakdown[group_of[i]]])})
