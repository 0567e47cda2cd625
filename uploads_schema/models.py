"""Pandera models: the contracts at the boundaries of the data flow.

``ReturnLines`` is the cleaned, long-format annual return the validator hands
on (one row per emission line); ``Registry`` is the register of public bodies.
Both are checked again wherever they cross a boundary (store, engine).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera import extensions
from pandera.typing import Series

from uploads_schema import rules
from uploads_schema.vocabulary import vocabulary

_V = vocabulary()

FINANCIAL_YEAR = r"^\d{4}-\d{2}$"
#: The register's regions and body types (``vocabulary/regions.csv``, ``vocabulary/body_types.csv``).
REGIONS = list(_V.regions)
BODY_TYPES = list(_V.body_types)
LINE_KEY = ["organisation_id", "reporting_year", "category", "source", "scope"]


def line_key_codes(df: pd.DataFrame) -> list[np.ndarray]:
    """Return the codes of the columns that identify a line: organisation, year, category, source, scope."""
    parts = []
    for name in LINE_KEY:
        values = df[name]
        if isinstance(values.dtype, pd.CategoricalDtype):
            parts.append(values.cat.codes.to_numpy())
        else:
            parts.append(pd.factorize(values, use_na_sentinel=True)[0])
    return parts


def is_one_of(values: pd.Series, allowed: list) -> pd.Series:
    """Return which values are in ``allowed`` (missing ones count as in); once per category when categorical."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        ok = np.append(values.cat.categories.isin(allowed), True)  # the last slot: code -1, a missing value
        return pd.Series(ok[values.cat.codes.to_numpy()], index=values.index)
    return values.isin(allowed) | values.isna()


@extensions.register_check_method(statistics=["allowed"])
def one_of(values: pd.Series, *, allowed: list) -> pd.Series:
    """Pandera check: like ``isin``, but a million-line categorical column costs a lookup per category."""
    return is_one_of(values, allowed)


Category = pd.CategoricalDtype


class ReturnLines(pa.DataFrameModel):
    """The annual return in its canonical long layout: one row per emission line.

    Units: ``emissions_tco2e`` in tonnes CO2e; ``activity_amount`` in ``activity_unit``.
    A not reported or not applicable line carries no figures (null, never zero).
    Text columns are categorical: a return repeats a few values many times.
    """

    organisation_id: Series[Category]
    reporting_year: Series[Category] = pa.Field(str_matches=FINANCIAL_YEAR)
    category: Series[Category] = pa.Field(one_of={"allowed": list(_V.categories)})
    source: Series[Category] = pa.Field(nullable=True, one_of={"allowed": sorted({s.id for s in _V.sources.values()})})
    scope: Series[pd.Int64Dtype] = pa.Field(nullable=True, isin=[1, 2, 3])
    activity_amount: Series[float] = pa.Field(nullable=True, ge=0)
    activity_unit: Series[Category] = pa.Field(nullable=True, one_of={"allowed": list(_V.units)})
    emissions_tco2e: Series[float] = pa.Field(nullable=True)
    status: Series[Category] = pa.Field(one_of={"allowed": list(_V.statuses)})
    method: Series[Category] = pa.Field(nullable=True, one_of={"allowed": list(_V.methods)})
    notes: Series[Category] = pa.Field(nullable=True)
    row: Series[int] = pa.Field(ge=1, description="row number in the uploaded sheet")

    class Config:
        strict = True
        coerce = True

    @pa.dataframe_check(error="negative emissions outside Land")
    def negative_only_in_land(cls, df: pd.DataFrame) -> Series[bool]:
        return pd.Series(~rules.lines_negative_not_allowed(df, _V), index=df.index)

    @pa.dataframe_check(error="figures on a not reported / not applicable line, or none on a reported one")
    def figures_match_status(cls, df: pd.DataFrame) -> Series[bool]:
        return pd.Series(~rules.lines_figures_against_status(df, _V), index=df.index)

    @pa.dataframe_check(error="the same organisation, year, category, source and scope twice")
    def one_line_per_key(cls, df: pd.DataFrame) -> Series[bool]:
        return pd.Series(~rules.repeated_lines(line_key_codes(df)), index=df.index)


class Registry(pa.DataFrameModel):
    """The register of Welsh public bodies and their denominators.

    Denominators: ``population`` (residents; a health board's is the population
    it serves) in ``population_year``; ``staff_fte`` in full-time equivalents;
    ``floor_area_m2`` in square metres; ``gross_expenditure_gbp_m`` in GBP million.
    ``provenance`` says where each figure comes from and which are illustrative.
    ``own_baseline_year`` (blank for most) is shown on the body's own page only:
    comparisons between bodies keep the scheme's 2019-20 baseline.
    """

    id: Series[str] = pa.Field(unique=True, str_matches=r"^[a-z0-9_]+$")
    ons_code: Series[str] = pa.Field(nullable=True, str_matches=r"^W\d{8}$")
    type: Series[str] = pa.Field(isin=BODY_TYPES)
    name_en: Series[str] = pa.Field(unique=True)
    name_cy: Series[str]
    short_name_en: Series[str]
    short_name_cy: Series[str]
    aliases: Series[str] = pa.Field(nullable=True)
    region: Series[str] = pa.Field(isin=REGIONS)
    coverage: Series[str] = pa.Field(isin=["local", "national"])
    ccr_member: Series[bool]
    population: Series[pd.Int64Dtype] = pa.Field(nullable=True, gt=0)
    population_year: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=2000)
    staff_fte: Series[float] = pa.Field(nullable=True, gt=0)
    floor_area_m2: Series[float] = pa.Field(nullable=True, gt=0)
    gross_expenditure_gbp_m: Series[float] = pa.Field(nullable=True, gt=0)
    own_baseline_year: Series[str] = pa.Field(nullable=True, str_matches=FINANCIAL_YEAR,
                                              description="a baseline the body keeps besides the scheme's 2019-20")
    provenance: Series[str]

    class Config:
        strict = True
        coerce = True
