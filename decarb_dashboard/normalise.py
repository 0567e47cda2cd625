"""Normalise current return lines into facts: canonical units, factor years, computed emissions.

One tidy long frame flows on from here (pyam-style): one row per line with its
activity in the canonical unit, the emissions used (reported, or computed from
the activity and the factor of the year), and the factor's provenance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from decarb_dashboard.factors import factor_index, factor_year
from decarb_dashboard.reasons import Reason
from uploads_schema.codes import combine_codes
from uploads_schema.vocabulary import vocabulary

#: A reported figure further than this from the one computed from the activity gets a warning.
FACTOR_MISMATCH_PCT = 5.0
#: How a line's ``emissions_tco2e`` came about: "not_computed" has an activity but no figure and
#: no factor (its category cannot be totalled); "memo" is recorded but never an emission.
EMISSIONS_BASES = ["reported", "computed", "not_computed", "memo"]
FACT_COLUMNS = [
    "organisation_id", "reporting_year", "year_start", "category", "source", "scope", "status",
    "activity_canonical", "activity_canonical_unit", "emissions_reported_tco2e", "emissions_computed_tco2e",
    "emissions_tco2e", "emissions_basis", "factor_activity", "factor_year", "factor_kgco2e_per_unit",
    "factor_confirmed", "factor_newest_set_used",
]


def _lookup(series: pd.Series, mapping: dict, default: object = np.nan, dtype: object = float) -> np.ndarray:
    """Map a (categorical) column through ``mapping``, once per distinct value."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        table = np.array([mapping.get(c, default) for c in series.cat.categories] + [default], dtype=dtype)
        return table[series.cat.codes.to_numpy()]
    return np.array([mapping.get(v, default) for v in series], dtype=dtype)


def _mapped_categorical(series: pd.Series, mapping: dict) -> pd.Categorical:
    """Map a column through ``mapping`` (missing: null) into a Categorical, once per distinct value."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        targets = [mapping.get(c) for c in series.cat.categories]
        codes_of = series.cat.codes.to_numpy()
    else:
        uniques_codes, uniques = pd.factorize(series.to_numpy(dtype=object))
        targets = [mapping.get(c) for c in uniques]
        codes_of = uniques_codes
    names = sorted({t for t in targets if t is not None})
    position = {name: k for k, name in enumerate(names)}
    table = np.array([position.get(t, -1) if t is not None else -1 for t in targets] + [-1], dtype=np.int64)
    return pd.Categorical.from_codes(table[codes_of], categories=pd.Index(names, dtype=object))


def _memo_lines(frame: pd.DataFrame) -> np.ndarray:
    """Return which lines are of a memo source (``stream`` "memo" in the vocabulary)."""
    memo = {(category, source) for (category, source), s in vocabulary().sources.items()
            if getattr(s, "stream", "direct") == "memo"}
    if not memo:
        return np.zeros(len(frame), dtype=bool)
    pairs = pd.MultiIndex.from_arrays([frame["category"].astype(object), frame["source"].astype(object)])
    return np.asarray(pairs.isin(list(memo)), dtype=bool)


def normalise(lines: pd.DataFrame, factors: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (facts, warnings) for validated return lines.

    ``facts`` has one row per line (columns ``FACT_COLUMNS``). ``emissions_tco2e``
    is the reported figure when there is one, else the figure computed from the
    activity (``emissions_basis`` "reported" / "computed"), else null: a line
    that is not reported stays null, never zero. ``warnings`` lists lines whose
    reported figure is more than 5% from the computed one.
    """
    v = vocabulary()
    frame = lines[["organisation_id", "reporting_year", "category", "source", "status"]].copy()
    frame["scope"] = lines["scope"].astype("Int64")
    year = lines["reporting_year"]
    year_values = year.cat.categories if isinstance(year.dtype, pd.CategoricalDtype) else year.dropna().unique()
    frame["year_start"] = _lookup(lines["reporting_year"], {y: factor_year(y) for y in year_values}, 0, np.int64)
    unit = lines["activity_unit"]
    to_canonical = _lookup(unit, {u.id: u.to_canonical for u in v.units.values()})
    frame["activity_canonical"] = lines["activity_amount"].to_numpy(dtype=float) * to_canonical
    frame["activity_canonical_unit"] = _mapped_categorical(unit, {u.id: u.canonical for u in v.units.values()})
    frame["emissions_reported_tco2e"] = lines["emissions_tco2e"].to_numpy(dtype=float)

    # Only lines with an activity amount need a factor: join those few, not every line.
    n = len(frame)
    activity_codes, activity_names = np.full(n, -1, dtype=np.int64), pd.Index([], dtype=object)
    rate, confirmed = np.full(n, np.nan), np.empty(0, dtype=object)  # confirmed: of the lines in ``has``
    fyear = np.full(n, np.nan)
    stand_in = np.zeros(n, dtype=bool)
    has = np.flatnonzero(~np.isnan(frame["activity_canonical"].to_numpy()))
    if len(has):
        # Few distinct (category, source, unit, year) among the lines: look each up once, then spread.
        parts = [frame[c].take(has) for c in ("category", "source", "activity_canonical_unit")]
        starts = frame["year_start"].to_numpy()[has]
        codes = [p.cat.codes.to_numpy() if isinstance(p.dtype, pd.CategoricalDtype) else pd.factorize(p)[0]
                 for p in parts]
        _, first, inverse = np.unique(combine_codes([*codes, starts - starts.min()]), return_index=True,
                                      return_inverse=True)
        index = factor_index(factors)
        found = []
        for j in first:
            category, source, unit = (None if pd.isna(p.iat[j]) else p.iat[j] for p in parts)
            hit = index.find(category, source, unit, int(starts[j]))
            found.append((hit.activity, hit.kgco2e_per_unit, hit.confirmed, hit.factor_year, hit.newest_set_used)
                         if hit is not None else (index.activity(category, source, unit), np.nan, None, np.nan,
                                                  False))
        names = sorted({f[0] for f in found if f[0] is not None})
        code_of = {name: k for k, name in enumerate(names)}
        inverse = inverse.reshape(-1)
        activity_codes[has] = np.array([code_of.get(f[0], -1) for f in found], dtype=np.int64)[inverse]
        activity_names = pd.Index(names, dtype=object)
        rate[has] = np.array([f[1] for f in found], dtype=float)[inverse]
        confirmed = np.array([f[2] for f in found], dtype=object)[inverse]
        fyear[has] = np.array([f[3] for f in found], dtype=float)[inverse]
        stand_in[has] = np.array([f[4] for f in found], dtype=bool)[inverse]
    frame["factor_activity"] = pd.Categorical.from_codes(activity_codes, categories=activity_names)
    missing_year = np.isnan(fyear)
    frame["factor_year"] = pd.arrays.IntegerArray(np.where(missing_year, 0, fyear).astype(np.int64), missing_year)
    frame["factor_kgco2e_per_unit"] = rate
    unknown = pd.isna(confirmed)  # no factor found for the line
    confirmed_mask = np.ones(n, dtype=bool)
    confirmed_values = np.zeros(n, dtype=bool)
    confirmed_mask[has] = unknown
    confirmed_values[has] = np.where(unknown, False, confirmed).astype(bool)
    frame["factor_confirmed"] = pd.arrays.BooleanArray(confirmed_values, confirmed_mask)
    frame["emissions_computed_tco2e"] = frame["activity_canonical"] * rate / 1000
    reported = frame["emissions_reported_tco2e"].notna()
    computed = frame["emissions_computed_tco2e"].notna()
    frame["emissions_tco2e"] = frame["emissions_reported_tco2e"].where(reported, frame["emissions_computed_tco2e"])
    # An activity amount with no figure and no factor is "not_computed": its category cannot be
    # totalled, and every comparison says so (not reported is not zero, and neither is this).
    # A memo line (renewable generation) is recorded, never an emission: it is neither.
    memo = _memo_lines(frame)
    not_computed = ~reported & ~computed & frame["activity_canonical"].notna() & ~memo
    frame["emissions_basis"] = pd.Categorical.from_codes(
        np.select([memo, reported, computed, not_computed], [3, 0, 1, 2], default=-1),
        categories=EMISSIONS_BASES)
    frame["factor_newest_set_used"] = stand_in & computed.to_numpy() & ~reported.to_numpy()

    # Only lines with both figures can disagree: compare those few, not every line.
    both = np.flatnonzero((reported & computed & (frame["emissions_computed_tco2e"] != 0)).to_numpy())
    said = frame["emissions_reported_tco2e"].to_numpy()[both]
    worked_out = frame["emissions_computed_tco2e"].to_numpy()[both]
    difference = pd.Series(np.nan, index=frame.index)
    difference.iloc[both] = (said - worked_out) / np.abs(worked_out) * 100
    mismatch = difference.abs() > FACTOR_MISMATCH_PCT
    warnings = frame.loc[mismatch, ["organisation_id", "reporting_year", "category", "source",
                                    "emissions_reported_tco2e", "emissions_computed_tco2e", "factor_year",
                                    "factor_confirmed"]].assign(difference_pct=difference[mismatch].round(1))
    warnings = warnings.astype({c: object for c in ("organisation_id", "reporting_year", "category", "source")})
    # Each a Reason, English, said in the reader's language by the pages (object dtype keeps it one).
    warnings["message"] = pd.Series([
        Reason("factor_mismatch", reported=f"{r.emissions_reported_tco2e:,.1f}", pct=f"{r.difference_pct:+.1f}",
               computed=f"{r.emissions_computed_tco2e:,.1f}", factor_year=r.factor_year)
        for r in warnings.itertuples()], index=warnings.index, dtype=object)
    return frame[FACT_COLUMNS], warnings.reset_index(drop=True)
