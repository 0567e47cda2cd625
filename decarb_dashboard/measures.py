"""Measures over normalised facts: category totals, totals, intensities, changes, restatement, trajectory.

Rules that keep comparisons honest live here, once:

- Not reported is not zero: a category without a figure is left out of sums
  and every comparison says which categories it left out.
- A group's intensity is the ratio of sums (total tCO2e / total denominator).
- A change is computed only over categories present in both years; a category
  missing from either gives a reason instead of a number.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from decarb_dashboard import reasons, years
from decarb_dashboard.cells import rows_where, strings
from decarb_dashboard.memo import per_object
from uploads_schema.codes import compact, fold
from uploads_schema.i18n import languages
from uploads_schema.vocabulary import vocabulary

BASELINE_YEAR = years.BASELINE_YEAR
NET_ZERO_START = 2030  # net zero in the financial year starting in 2030 (the Welsh public sector ambition)
#: A category's status in a body's year (see :func:`category_table`).
CATEGORY_STATUSES = ["reported", "not_applicable", "not_reported", "not_computed"]


def metric_key(metric: str) -> str:
    """Return the JSON key, with its unit, of ``metric`` (``metrics.csv``): ``tco2e_per_fte``."""
    return vocabulary().metrics[metric].key


def category_table(facts: pd.DataFrame) -> pd.DataFrame:
    """Return one row per body, year and category: tCO2e, status, estimated tCO2e.

    ``status`` is "not_computed" when a line gives an activity with no figure and no
    factor (the category's total is unknown, not smaller), else "reported" when any
    line has a figure, "not_applicable" when every line is not applicable, else
    "not_reported". ``tco2e`` is null unless reported. Memo lines are left out.
    """
    keys = ["organisation_id", "reporting_year", "category"]
    if facts["emissions_basis"].eq("memo").any():  # recorded, never an emission: not part of any category
        facts = facts[facts["emissions_basis"].ne("memo").to_numpy()]
    group = group_numbers(facts, keys)
    n = int(group.max(initial=-1)) + 1
    emissions = facts["emissions_tco2e"].to_numpy(dtype=float)
    has_figure = ~np.isnan(emissions)
    estimated = facts["status"].isin(vocabulary().estimated_statuses()).to_numpy() & has_figure
    not_applicable = facts["status"].eq("not_applicable").to_numpy()
    unconfirmed = (facts["emissions_basis"].eq("computed") & facts["factor_confirmed"].eq(False)).to_numpy()
    lines = np.bincount(group, minlength=n)
    figures = np.bincount(group, weights=has_figure, minlength=n)
    # A line with an activity and no factor leaves its category unknown, never smaller.
    not_computed = np.bincount(group, weights=facts["emissions_basis"].eq("not_computed").to_numpy(),
                               minlength=n) > 0
    first = np.full(n, len(group), dtype=np.int64)
    np.minimum.at(first, group, np.arange(len(group)))
    table = facts[keys].iloc[first].reset_index(drop=True)
    summed = np.bincount(group, weights=np.where(has_figure, emissions, 0.0), minlength=n)
    table["tco2e"] = np.where((figures > 0) & ~not_computed, summed, np.nan)
    table["estimated_tco2e"] = np.bincount(group, weights=np.where(estimated, emissions, 0.0), minlength=n)
    table["uses_unconfirmed_factor"] = np.bincount(group, weights=unconfirmed, minlength=n) > 0
    all_not_applicable = np.bincount(group, weights=not_applicable, minlength=n) == lines
    # Categorical: a column of half a million short strings would cost more than the sums above.
    table["status"] = pd.Categorical.from_codes(
        np.select([not_computed, figures > 0, all_not_applicable], [3, 0, 1], default=2),
        categories=CATEGORY_STATUSES)
    return table


def group_numbers(frame: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """Number the groups of ``keys`` in sorted order (as ``groupby(sort=True, observed=True).ngroup()``).

    With categorical keys (as the store gives them) the numbers come straight from the
    category codes, without pandas' general grouping machinery.
    """
    columns = [frame[k] for k in keys]
    if not all(isinstance(c.dtype, pd.CategoricalDtype) for c in columns) or any(c.isna().any() for c in columns):
        return frame.groupby(keys, sort=True, observed=True).ngroup().to_numpy()
    return compact(*fold([c.cat.codes.to_numpy() for c in columns]))[0]


def totals(categories: pd.DataFrame, include_supply_chain: bool = True, net_of_land: bool = False,
           list_categories: bool = False) -> pd.DataFrame:
    """Return per body and year: ``total_tco2e`` over reported categories (and, with
    ``list_categories``, which categories count).

    Gross of land (land left out) unless ``net_of_land``; ``include_supply_chain`` False leaves
    out the spend-based supply chain, which moves with prices and budgets.
    """
    v = vocabulary()
    keep = (categories["status"] == "reported").to_numpy().copy()
    if not include_supply_chain:
        keep &= (categories["category"] != v.category_with_role("spend_based")).to_numpy()
    if not net_of_land:
        keep &= (categories["category"] != v.category_with_role("land")).to_numpy()
    c = categories[keep]  # one copy of the rows counted, not one per condition
    g = c.groupby(["organisation_id", "reporting_year"])
    out = pd.DataFrame({"total_tco2e": g["tco2e"].sum(), "estimated_tco2e": g["estimated_tco2e"].sum()})
    if list_categories:
        out["categories"] = g["category"].agg(lambda s: tuple(sorted(s)))
    out["estimated_share_pct"] = (out["estimated_tco2e"] / out["total_tco2e"] * 100).where(out["total_tco2e"] > 0)
    return out.reset_index()


def metric_values(categories: pd.DataFrame, registry: pd.DataFrame, include_supply_chain: bool = True
                  ) -> pd.DataFrame:
    """Return per body, year and metric: numerator, denominator, value, and why it is missing if it is.

    One set per metric of ``metrics.csv``: ``total_tco2e``; ``tco2e_per_fte``;
    ``tco2e_per_resident`` (residents for councils, the population served for health boards);
    ``buildings_kgco2e_per_m2`` (the category with role ``buildings`` only); ``tco2e_per_gbp_m``
    (per GBP million gross expenditure). A metric's denominator is its register column.
    """
    metrics = vocabulary().metrics
    total = totals(categories, include_supply_chain)[["organisation_id", "reporting_year", "total_tco2e"]]
    base = total
    for role in sorted({m.category_role for m in metrics.values() if m.category_role}):
        covered = categories[(categories["category"] == vocabulary().category_with_role(role))
                             & (categories["status"] == "reported")]
        covered = covered[["organisation_id", "reporting_year", "tco2e"]].rename(columns={"tco2e": role})
        base = base.merge(covered, on=["organisation_id", "reporting_year"], how="left")
    reg = registry.set_index("id")
    frames = []
    for k, metric in enumerate(metrics.values()):
        numerator = base[metric.category_role or "total_tco2e"] * metric.scale
        if metric.denominator is None:
            den = pd.Series(1.0, index=base.index)
            reason = pd.Series(None, index=base.index, dtype=object)
        else:
            den = pd.Series(_lookup_body(base["organisation_id"], reg[metric.denominator].astype(float)),
                            index=base.index)
            missing = reasons.text("no_denominator", denominator=metric.denominator_name(),
                                   **{f"denominator_{lang}": metric.denominator_name(lang) for lang in languages()})
            # Filled in place, not with np.where, which would turn the Reason into a plain str that no page
            # could put into Welsh.
            why = np.full(len(base), None, dtype=object)
            why[(den.isna() | (den <= 0)).to_numpy()] = missing
            reason = pd.Series(why, index=base.index, dtype=object)
        no_numerator = reasons.text(f"no_{metric.category_role}" if metric.category_role else "no_figures")
        reason = reason.where(numerator.notna(), no_numerator)
        frames.append(pd.DataFrame({
            "organisation_id": base["organisation_id"], "reporting_year": base["reporting_year"],
            # Categorical: a few names repeated for every body and year cost nothing this way.
            "metric": pd.Categorical.from_codes(np.full(len(base), k), categories=list(metrics)),
            "key": pd.Categorical.from_codes(np.full(len(base), k), categories=[m.key for m in metrics.values()]),
            "numerator": numerator.where(reason.isna()),
            "denominator": den.where(reason.isna()),
            "value": (numerator / den).where(reason.isna()), "missing_reason": reason,
        }))
    return pd.concat(frames, ignore_index=True)


def _lookup_body(bodies: pd.Series, values: pd.Series) -> np.ndarray:
    """Return ``values`` (indexed by body id) for each body in ``bodies``, NaN where absent."""
    codes, uniques = pd.factorize(bodies)
    per_unique = values.reindex(pd.Index(uniques, dtype=object)).to_numpy(dtype=float)
    return np.append(per_unique, np.nan)[codes]


def group_intensity(values: pd.DataFrame, bodies: list[str], reporting_year: str, metric: str) -> float | None:
    """Return a group's figure over the bodies with the metric available: for ``total`` the sum
    (tCO2e), for an intensity the ratio of sums (total tCO2e / total denominator)."""
    v = rows_where(values, metric=metric, reporting_year=reporting_year)
    v = v[(v["organisation_id"].isin(bodies) & v["value"].notna()).to_numpy()]
    if v.empty:
        return None
    if metric == "total":
        return float(v["numerator"].sum())
    if v["denominator"].sum() <= 0:
        return None
    return float(v["numerator"].sum() / v["denominator"].sum())


class _Body:
    """One body's category table as a dictionary: (year, category) -> (status, tCO2e)."""

    def __init__(self, cells: dict[tuple[str, str], tuple[str, float | None]]) -> None:
        self.cells = cells
        self.years = {y for y, _ in cells}

    def reason(self, year: str, category: str) -> str | None:
        """Why the category has no figure in ``year``, or None when it has one."""
        cell = self.cells.get((year, category))
        if cell is not None:
            if cell[0] == "reported":
                return None
            if cell[0] == "not_computed":
                return reasons.text("not_computed", year=year)
            return reasons.text("not_applicable" if cell[0] == "not_applicable" else "not_reported", year=year)
        required = vocabulary().categories[category].required_from
        if years.start_of(year) < years.start_of(required):
            return reasons.text("not_in_scheme", year=required)
        if year not in self.years:
            return reasons.text("no_return", year=year)
        return reasons.text("not_in_return", year=year)

    def tco2e(self, year: str, category: str) -> float:
        return self.cells[(year, category)][1]


def _all_bodies(categories: pd.DataFrame) -> _BodyTables:
    """Every body's table, each built when first asked for and kept while that table lives."""
    return per_object(categories, "body tables", lambda: _BodyTables(categories))


class _BodyTables:
    """Each body's rows of a category table, found in one pass; a body's :class:`_Body` is built when first asked
    for (a page of one body must not build 5,000 bodies' tables)."""

    def __init__(self, categories: pd.DataFrame) -> None:
        codes, bodies = pd.factorize(strings(categories["organisation_id"]))
        order = np.argsort(codes, kind="stable")  # each body's rows in the table's order
        ends = np.cumsum(np.bincount(codes[codes >= 0], minlength=len(bodies)))
        self._rows = {str(b): order[e - n:e] for b, e, n in zip(
            bodies, ends, np.bincount(codes[codes >= 0], minlength=len(bodies)), strict=True)}
        self._columns = (strings(categories["reporting_year"]), strings(categories["category"]),
                         strings(categories["status"]), categories["tco2e"].to_numpy(dtype=float))
        self._built: dict[str, _Body] = {}

    def get(self, body: str) -> _Body | None:
        found = self._built.get(body)
        if found is None and body in self._rows:
            rows = self._rows[body]
            year, category, status, value = (c[rows] for c in self._columns)
            found = self._built[body] = _Body({(y, c): (st, None if v != v else float(v)) for y, c, st, v in zip(
                year.tolist(), category.tolist(), status.tolist(), value.tolist(), strict=True)})
        return found


def body_cells(categories: pd.DataFrame, body: str) -> dict[tuple[str, str], tuple[str, float | None]]:
    """Return a body's category table as {(year, category): (status, tCO2e)} (built once per table)."""
    return _body(categories, body).cells


def _body(categories: pd.DataFrame, body: str) -> _Body:
    return _all_bodies(categories).get(body) or _Body({})


def _missing_reason(categories: pd.DataFrame, body: str, year: str, category: str) -> str | None:
    return _body(categories, body).reason(year, category)


def _change(now: float, then: float) -> tuple[float, float | None]:
    pct = (now - then) / abs(then) * 100 if then != 0 else None
    return now - then, pct


def category_changes(categories: pd.DataFrame, body: str, year: str) -> list[dict]:
    """Return, per category of the scheme, the body's tCO2e in ``year`` and its change vs baseline and last year.

    A category missing from either year has no change figure but a reason.
    """
    previous = years.previous(year)
    b = _body(categories, body)
    out = []
    for cat in vocabulary().ordered_categories():
        cell = b.cells.get((year, cat.id))
        entry: dict = {"category": cat.id, "tco2e": None, "status": cell[0] if cell else "missing"}
        if entry["status"] == "reported":
            entry["tco2e"] = b.tco2e(year, cat.id)
        for label, other in (("vs_baseline", BASELINE_YEAR), ("year_on_year", previous)):
            reason = b.reason(year, cat.id) or (
                b.reason(other, cat.id) if other != year else reasons.text("baseline_year"))
            if reason is None:
                tco2e, pct = _change(entry["tco2e"], b.tco2e(other, cat.id))
                entry[f"change_{label}_tco2e"], entry[f"change_{label}_pct"] = tco2e, pct
                entry[f"change_{label}_reason"] = None
            else:
                entry[f"change_{label}_tco2e"] = entry[f"change_{label}_pct"] = None
                entry[f"change_{label}_reason"] = reason
        out.append(entry)
    return out


def _counted(include_land: bool) -> list[str]:
    """The categories a body's change is over, in the vocabulary's order (land only when asked)."""
    return [cat.id for cat in vocabulary().ordered_categories() if include_land or cat.role != "land"]


def _over(b: _Body, year: str, other: str, counted: list[str]) -> tuple[list[str], float, float]:
    """The categories of ``counted`` reported in both years (a figure each), and their tCO2e in ``year`` and
    ``other``: the one rule of a like-for-like change."""
    compared, now, then = [], 0.0, 0.0
    for cat in counted:
        mine, theirs = b.cells.get((year, cat)), b.cells.get((other, cat))
        if mine is None or theirs is None or mine[0] != "reported" or theirs[0] != "reported":
            continue
        now += mine[1]
        then += theirs[1]
        compared.append(cat)
    return compared, now, then


def like_for_like(categories: pd.DataFrame, body: str, year: str, other: str,
                  include_land: bool = False, _b: _Body | None = None) -> dict:
    """Return a body's change from ``other`` to ``year`` over the categories reported in both.

    Keys: ``tco2e`` (year), ``other_tco2e``, ``change_tco2e``, ``change_pct``,
    ``categories`` compared and ``left_out`` ({category: reason}).
    """
    b = _b if _b is not None else _body(categories, body)
    counted = _counted(include_land)
    compared, now, then = _over(b, year, other, counted)
    chosen = set(compared)
    left_out = {cat: b.reason(year, cat) or b.reason(other, cat) for cat in counted if cat not in chosen}
    if not compared or year == other:
        return {"tco2e": None, "other_tco2e": None, "change_tco2e": None, "change_pct": None,
                "categories": compared, "left_out": left_out}
    change, pct = _change(now, then)
    return {"tco2e": now, "other_tco2e": then, "change_tco2e": change, "change_pct": pct,
            "categories": compared, "left_out": left_out}


def _reported_grid(categories: pd.DataFrame, include_land: bool) -> tuple[dict, dict, np.ndarray]:
    """Every body's reported tCO2e as an array [body, year, category of :func:`_counted`] (NaN where not
    reported), with the position of each body and year: built once per table."""

    def build() -> tuple[dict, dict, np.ndarray]:
        counted = _counted(include_land)
        cat_codes = pd.Index(counted).get_indexer(strings(categories["category"]))  # -1: not counted
        kept = (categories["status"] == "reported").to_numpy() & (cat_codes >= 0)
        c, cat_codes = categories[kept], cat_codes[kept]
        body_codes, bodies = pd.factorize(strings(c["organisation_id"]))
        year_codes, labels = pd.factorize(strings(c["reporting_year"]))
        grid = np.full((len(bodies), len(labels), len(counted)), np.nan)
        grid[body_codes, year_codes, cat_codes] = c["tco2e"].to_numpy(dtype=float)
        return ({b: k for k, b in enumerate(bodies)}, {y: k for k, y in enumerate(labels)}, grid)

    return per_object(categories, ("reported grid", include_land), build)


def like_for_like_pcts(categories: pd.DataFrame, pairs: Iterable[tuple[str, str, str]],
                       include_land: bool = False) -> dict[tuple[str, str, str], float | None]:
    """Return :func:`like_for_like`'s ``change_pct`` for every (body, year, other) of ``pairs``, in % (None where
    it has none), as arrays over the whole set: the grid of reported figures is built once per table, no reason
    is worded, and each pair's sums add its categories in the vocabulary's order, as :func:`like_for_like` does
    (the same figure to the last bit)."""
    pairs = list(set(pairs))
    if not pairs:
        return {}
    body_at, year_at, grid = _reported_grid(categories, include_land)
    body = np.array([body_at.get(p[0], -1) for p in pairs], dtype=np.int64)
    year = np.array([year_at.get(p[1], -1) for p in pairs], dtype=np.int64)
    other = np.array([year_at.get(p[2], -1) for p in pairs], dtype=np.int64)
    known = (body >= 0) & (year >= 0) & (other >= 0) & (year != other)
    if grid.size == 0 or not known.any():
        return dict.fromkeys(pairs)
    now_cells, then_cells = grid[body[known], year[known]], grid[body[known], other[known]]
    both = ~np.isnan(now_cells) & ~np.isnan(then_cells)
    now = np.zeros(len(now_cells))
    then = np.zeros(len(now_cells))
    for k in range(grid.shape[2]):  # one category at a time, in order: the sums of like_for_like, bit for bit
        now += np.where(both[:, k], now_cells[:, k], 0.0)
        then += np.where(both[:, k], then_cells[:, k], 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = (now - then) / np.abs(then) * 100
    has = both.any(axis=1) & (then != 0)
    out: dict[tuple[str, str, str], float | None] = dict.fromkeys(pairs)
    for i, value, ok in zip(np.flatnonzero(known).tolist(), pct.tolist(), has.tolist(), strict=True):
        out[pairs[i]] = value if ok else None
    return out


def restatement_activities() -> list[str]:
    """Return the factor activities (``factor_map.csv``) of the sources restatement covers, in kWh."""
    from decarb_dashboard.factors import factor_map

    covered = vocabulary().restatement_sources()
    return sorted({m.activity for m in factor_map().itertuples()
                   if (m.category, m.source) in covered and m.unit == "kWh"})


def restatement(facts: pd.DataFrame, factors: pd.DataFrame, body: str, year: str) -> dict:
    """Recompute a body's electricity and gas at the baseline year's factors.

    Returns the tCO2e of those lines in ``year`` at that year's factors and at the
    baseline's, the baseline year's own figure, and the change since the baseline
    split into the body's own doing (less energy used) and the factors' (a cleaner grid).
    Only lines with activity in kWh count, of the sources marked ``in_restatement`` in
    ``sources.csv`` (electricity and natural gas).
    """
    energy = facts[(facts["organisation_id"] == body) & facts["factor_activity"].isin(restatement_activities())
                   & facts["activity_canonical"].notna()]
    base_year = years.start_of(BASELINE_YEAR)
    at_base = factors[factors["factor_year"] == base_year].set_index("factor_activity" if "factor_activity"
                                                                    in factors else "activity")
    rate = energy["factor_activity"].astype(object).map(at_base["kgco2e_per_unit"]).astype(float)
    if rate.isna().any():
        return {"available": False, "reason": reasons.text("no_baseline_factor", year=base_year)}
    energy = energy.assign(at_baseline_tco2e=energy["activity_canonical"] * rate / 1000)
    this, base = energy[energy["reporting_year"] == year], energy[energy["reporting_year"] == BASELINE_YEAR]
    if this.empty or base.empty or this["emissions_computed_tco2e"].isna().any():
        return {"available": False, "reason": reasons.text("no_energy_in_both")}
    actual = float(this["emissions_computed_tco2e"].sum())
    restated = float(this["at_baseline_tco2e"].sum())
    baseline = float(base["at_baseline_tco2e"].sum())
    return {"available": True, "reason": None, "energy_tco2e": actual,
            "energy_at_baseline_factors_tco2e": restated, "baseline_energy_tco2e": baseline,
            "change_from_activity_tco2e": restated - baseline, "change_from_factors_tco2e": actual - restated}


def required_reduction_pct(year: str) -> float:
    """Return the reduction since the baseline that a straight path to net zero in 2030 requires by ``year``."""
    done = (years.start_of(year) - years.start_of(BASELINE_YEAR)) / (NET_ZERO_START - years.start_of(BASELINE_YEAR))
    return float(min(max(done, 0.0), 1.0) * 100)


def pair_sums(categories: pd.DataFrame, bodies: list[str], year: str, other: str, include_land: bool = False
              ) -> tuple[list[float | None], list[float | None]]:
    """Return each body's tCO2e in ``year`` and in ``other`` over the categories reported in both (with ``year`` the
    same as ``other``: every category reported), as :func:`like_for_like` sums them (category by category in the
    vocabulary's order), over the grid of reported figures for every body at once. None where there is none."""
    body_at, year_at, grid = _reported_grid(categories, include_land)
    at = np.array([body_at.get(b, -1) for b in bodies], dtype=np.int64)
    y, o = year_at.get(year), year_at.get(other)
    if y is None or o is None or not len(bodies) or grid.size == 0:
        return [None] * len(bodies), [None] * len(bodies)
    known = at >= 0
    cells_now, cells_then = grid[np.where(known, at, 0), y], grid[np.where(known, at, 0), o]
    both = ~np.isnan(cells_now) & ~np.isnan(cells_then) & known[:, None]
    now, then = np.zeros(len(bodies)), np.zeros(len(bodies))
    for k in range(grid.shape[2]):
        now += np.where(both[:, k], cells_now[:, k], 0.0)
        then += np.where(both[:, k], cells_then[:, k], 0.0)
    has = both.any(axis=1).tolist()
    return ([v if h else None for v, h in zip(now.tolist(), has, strict=True)],
            [v if h else None for v, h in zip(then.tolist(), has, strict=True)])


def trajectory(categories: pd.DataFrame, bodies: list[str], year: str) -> dict:
    """Return progress to net zero for one body or a group, net of land, over like-for-like categories.

    Each body's ``year`` is compared with its own 2019-20 baseline over the
    categories in both; a group sums its bodies' figures (ratio of sums).
    Status: "on_track" when the reduction achieved is at least the one required,
    else "off_track"; "no_baseline" when no body has both years.
    """
    now = then = 0.0
    counted, left_out = [], {}
    none_in_both = reasons.text("no_categories_in_both", year=year)  # one reason, said once for every body
    nows, thens = pair_sums(categories, bodies, year, BASELINE_YEAR, include_land=True)
    for body, body_now, body_then in zip(bodies, nows, thens, strict=True):
        if body_now is None:
            left_out[body] = none_in_both
            continue
        now += body_now
        then += body_then
        counted.append(body)
    required = required_reduction_pct(year)
    if not counted:
        return {"status": "no_baseline", "required_reduction_pct": required, "achieved_reduction_pct": None,
                "baseline_tco2e": None, "tco2e": None, "bodies": [], "left_out": left_out}
    if then <= 0:
        status, achieved = "at_or_below_net_zero", None
    else:
        achieved = (then - now) / then * 100
        status = "on_track" if achieved >= required else "off_track"
    path = {years.label(y): then * (1 - required_reduction_pct(years.label(y)) / 100)
            for y in range(years.start_of(BASELINE_YEAR), NET_ZERO_START + 1)}
    return {"status": status, "required_reduction_pct": required, "achieved_reduction_pct": achieved,
            "baseline_tco2e": then, "tco2e": now, "required_path_tco2e": path, "bodies": counted,
            "left_out": left_out}


def all_changes(categories: pd.DataFrame) -> pd.DataFrame:
    """Return every body's category changes at once: one row per body, year and category reported.

    Columns ``change_vs_baseline_tco2e/_pct`` and ``change_year_on_year_tco2e/_pct``
    are null where the category was not reported in the other year (see
    :func:`category_changes` for the reason of one body's).
    """
    out = categories.loc[categories["status"] == "reported",
                         ["organisation_id", "reporting_year", "category", "tco2e"]].copy()
    start = _year_starts(out["reporting_year"])
    org_codes, _ = pd.factorize(out["organisation_id"])
    cat_codes, cat_uniques = pd.factorize(out["category"])
    series = org_codes.astype(np.int64) * (len(cat_uniques) + 1) + cat_codes
    order = np.lexsort((start, series))
    s_series, s_start, s_value = series[order], start[order], out["tco2e"].to_numpy(dtype=float)[order]
    same = np.r_[False, s_series[1:] == s_series[:-1]]
    consecutive = same & np.r_[False, s_start[1:] == s_start[:-1] + 1]
    previous = np.where(consecutive, np.r_[np.nan, s_value[:-1]], np.nan)
    base_start = years.start_of(BASELINE_YEAR)
    baseline_of_series = np.full(int(series.max(initial=-1)) + 2, np.nan)
    at_base = start == base_start
    baseline_of_series[series[at_base]] = out["tco2e"].to_numpy(dtype=float)[at_base]
    out["baseline_tco2e"] = baseline_of_series[series]
    previous_in_place = np.empty(len(out))
    previous_in_place[order] = previous
    out["previous_tco2e"] = previous_in_place
    for label, other in (("vs_baseline", "baseline_tco2e"), ("year_on_year", "previous_tco2e")):
        out[f"change_{label}_tco2e"] = out["tco2e"] - out[other]
        out[f"change_{label}_pct"] = (out["tco2e"] - out[other]) / out[other].abs().where(out[other] != 0) * 100
    return out.reset_index(drop=True)


def _year_starts(labels: pd.Series) -> np.ndarray:
    codes, uniques = pd.factorize(labels)
    return np.array([years.start_of(str(u)) for u in uniques] + [0], dtype=np.int64)[codes]


def scope_totals(facts: pd.DataFrame) -> pd.DataFrame:
    """Return per body, year and scope the tCO2e with a figure, gross of land.

    ``scope`` is 1, 2 or 3, or 0 for category totals that span scopes and were
    not split (a Buildings total with no source, say): "unsplit", not a guess.
    """
    f = facts[facts["emissions_tco2e"].notna() & (facts["category"] != vocabulary().category_with_role("land"))]
    scope = f["scope"].fillna(0).astype(int)
    out = f.groupby([f["organisation_id"], f["reporting_year"], scope.rename("scope")], observed=True)[
        "emissions_tco2e"].sum()
    return out.rename("tco2e").reset_index()
