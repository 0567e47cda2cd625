"""The net zero projects file's contract (issue 18), loaded from ``projects_columns.toml`` and
``vocabulary/project_statuses.csv``; :class:`ProjectLines` is the checked frame the store keeps.

The columns are :class:`uploads_schema.columns.ColumnSpec` as the return's are, so the return's
header matching, messages and template machinery serve them unchanged.
"""

from __future__ import annotations

import functools
import tomllib
from importlib import resources

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from uploads_schema.columns import ColumnSpec
from uploads_schema.labels import LabelIndex, normalise_label
from uploads_schema.models import FINANCIAL_YEAR
from uploads_schema.vocabulary import Term, _read, vocabulary

#: The columns of :meth:`decarb_dashboard.store.SubmissionStore.current_projects`, in order.
PROJECT_COLUMNS = ["organisation_id", "project", "category", "source", "status", "start_year", "saving_tco2e",
                   "activity_change", "activity_unit", "cost_gbp", "notes"]


@functools.cache
def _raw() -> dict:
    return tomllib.loads(resources.files("uploads_schema").joinpath("projects_columns.toml").read_text("utf-8"))


@functools.cache
def project_columns() -> tuple[ColumnSpec, ...]:
    """Return the declared columns of the projects file, in template order."""
    return tuple(
        ColumnSpec(name=c["name"], kind=c["kind"], required=c["required"], aliases=tuple(c.get("aliases", ())),
                   example=c["example"], description_en=c["description_en"], description_cy=c["description_cy"],
                   vocabulary=c.get("vocabulary"), header_cy=c.get("header_cy"), label_en=c["label_en"],
                   label_cy=c["label_cy"])
        for c in _raw()["column"])


def project_column(name: str) -> ColumnSpec:
    """Return the declared projects column called ``name``."""
    return next(c for c in project_columns() if c.name == name)


def start_year_range() -> tuple[int, int]:
    """Return the first and last start years (2019: 2019-20) a project may start in (``[years]``)."""
    years = _raw()["years"]
    return int(years["first_start"]), int(years["last_start"])


@functools.cache
def project_header_index() -> dict[str, str]:
    """Map every accepted header spelling of the projects file (normalised) to its column name."""
    index: dict[str, str] = {}
    for c in project_columns():
        for label in (c.name, c.name.replace("_", " "), *([c.header_cy] if c.header_cy else []), *c.aliases):
            index[normalise_label(label)] = c.name
    return index


def match_project_header(text: object) -> str | None:
    """Return the projects column a header cell means ("Statws y prosiect" -> "status"), or None."""
    return project_header_index().get(normalise_label(text))


@functools.cache
def project_statuses() -> dict[str, Term]:
    """Return the project statuses (planned, tentative, potential, completed) by id, in their order."""
    return {r["id"]: Term(r["id"], r["name_en"], r["name_cy"], tuple(a for a in r["aliases"].split("|") if a))
            for r in _read("project_statuses.csv")}


@functools.cache
def project_status_index() -> LabelIndex:
    """The spellings of the project statuses, English and Welsh, to their ids."""
    return LabelIndex((t.id, t.name_en, t.labels) for t in project_statuses().values())


_V = vocabulary()


class ProjectLines(pa.DataFrameModel):
    """One body's projects, checked: one row per project.

    Units: ``saving_tco2e`` tonnes CO2e a year (positive); ``activity_change`` a year in
    ``activity_unit`` (signed); ``cost_gbp`` pounds. A project gives a saving or an activity change
    with its unit, never both; a figure not given is missing, never zero.
    """

    organisation_id: Series[str]
    project: Series[str] = pa.Field(str_length={"min_value": 1})
    category: Series[str] = pa.Field(isin=list(_V.categories))
    source: Series[str] = pa.Field(nullable=True, isin=sorted({s.id for s in _V.sources.values()}))
    status: Series[str] = pa.Field(isin=list(project_statuses()))
    start_year: Series[str] = pa.Field(str_matches=FINANCIAL_YEAR)
    saving_tco2e: Series[float] = pa.Field(nullable=True, gt=0)
    activity_change: Series[float] = pa.Field(nullable=True)
    activity_unit: Series[str] = pa.Field(nullable=True, isin=list(_V.units))
    cost_gbp: Series[float] = pa.Field(nullable=True, ge=0)
    notes: Series[str] = pa.Field(nullable=True)

    class Config:
        strict = "filter"
        coerce = True

    @pa.dataframe_check(error="a project gives a saving or an activity change with its unit, exactly one")
    def saving_or_activity_change(cls, df: pd.DataFrame) -> Series[bool]:
        saving, change = df["saving_tco2e"].notna(), df["activity_change"].notna()
        return (saving != change) & (change == df["activity_unit"].notna())

    @pa.dataframe_check(error="the same project name twice for one body")
    def one_row_per_project(cls, df: pd.DataFrame) -> Series[bool]:
        return ~df.duplicated(["organisation_id", "project"], keep=False)
