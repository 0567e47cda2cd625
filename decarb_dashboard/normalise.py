"""Normalise current return lines into facts: canonical units, factor years, computed emissions.

One tidy long frame flows on from here (pyam-style): one row per line with its
activity in the canonical unit, the emissions used (reported, or computed from
the activity and the factor of the year), and the factor's provenance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from decarb_dashboard.factors import factor_map, factor_year
from uploads_schema.vocabulary import vocabulary

#: A reported figure further than this from the one computed from the activity gets a warning.
FACTOR_MISMATCH_PCT = 5.0
ESTIMATED_STATUSES = ("estimated", "gap_filled")
FACT_COLUMNS = [
    "organisation_id", "reporting_year", "year_start", "category", "source", "scope", "status",
    "activity_canonical", "activity_canonical_unit", "emissions_reported_tco2e", "emissions_computed_tco2e",
    "emissions_tco2e", "emissions_basis", "factor_activity", "factor_year", "factor_kgco2e_per_unit",
    "factor_confirmed",
]


def _text(series: pd.Series) -> pd.Series:
    return series.astype(object).where(series.notna(), None)


def normalise(lines: pd.DataFrame, factors: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (facts, warnings) for validated return lines.

    ``facts`` has one row per line (columns ``FACT_COLUMNS``). ``emissions_tco2e``
    is the reported figure when there is one, else the figure computed from the
    activity (``emissions_basis`` "reported" / "computed"), else null: a line
    that is not reported stays null, never zero. ``warnings`` lists lines whose
    reported figure is more than 5% from the computed one.
    """
    v = vocabulary()
    frame = pd.DataFrame({
        "organisation_id": _text(lines["organisation_id"]),
        "reporting_year": _text(lines["reporting_year"]),
        "category": _text(lines["category"]),
        "source": _text(lines["source"]),
        "scope": lines["scope"].astype("Int64"),
        "status": _text(lines["status"]),
    })
    frame["year_start"] = frame["reporting_year"].map(lambda y: factor_year(y)).astype(int)
    unit = _text(lines["activity_unit"])
    to_canonical = unit.map({u.id: u.to_canonical for u in v.units.values()}).astype(float)
    frame["activity_canonical"] = lines["activity_amount"].astype(float).to_numpy() * to_canonical.to_numpy()
    frame["activity_canonical_unit"] = unit.map({u.id: u.canonical for u in v.units.values()})
    frame["emissions_reported_tco2e"] = lines["emissions_tco2e"].astype(float).to_numpy()

    mapping = factor_map().rename(columns={"unit": "activity_canonical_unit", "activity": "factor_activity"})
    frame = frame.merge(mapping[["category", "source", "activity_canonical_unit", "factor_activity"]],
                        on=["category", "source", "activity_canonical_unit"], how="left")
    table = factors.rename(columns={"activity": "factor_activity", "unit": "activity_canonical_unit",
                                    "kgco2e_per_unit": "factor_kgco2e_per_unit", "confirmed": "factor_confirmed"})
    frame = frame.merge(
        table[["factor_activity", "factor_year", "activity_canonical_unit", "factor_kgco2e_per_unit",
               "factor_confirmed"]],
        left_on=["factor_activity", "year_start", "activity_canonical_unit"],
        right_on=["factor_activity", "factor_year", "activity_canonical_unit"], how="left")
    frame["factor_year"] = frame["factor_year"].astype("Int64")
    frame["emissions_computed_tco2e"] = frame["activity_canonical"] * frame["factor_kgco2e_per_unit"] / 1000
    reported = frame["emissions_reported_tco2e"].notna()
    computed = frame["emissions_computed_tco2e"].notna()
    frame["emissions_tco2e"] = frame["emissions_reported_tco2e"].where(reported, frame["emissions_computed_tco2e"])
    frame["emissions_basis"] = np.select([reported, computed], ["reported", "computed"], default=None)
    frame["factor_confirmed"] = frame["factor_confirmed"].astype("boolean")

    both = reported & computed & (frame["emissions_computed_tco2e"] != 0)
    difference = (frame["emissions_reported_tco2e"] - frame["emissions_computed_tco2e"]) \
        / frame["emissions_computed_tco2e"].abs() * 100
    mismatch = both & (difference.abs() > FACTOR_MISMATCH_PCT)
    warnings = frame.loc[mismatch, ["organisation_id", "reporting_year", "category", "source",
                                    "emissions_reported_tco2e", "emissions_computed_tco2e", "factor_year",
                                    "factor_confirmed"]].assign(difference_pct=difference[mismatch].round(1))
    warnings["message"] = [
        f"reported {r.emissions_reported_tco2e:,.1f} tCO2e is {r.difference_pct:+.1f}% from "
        f"{r.emissions_computed_tco2e:,.1f} tCO2e computed at the {r.factor_year} factor: "
        "check the factor year and the unit" for r in warnings.itertuples()]
    return frame[FACT_COLUMNS], warnings.reset_index(drop=True)
