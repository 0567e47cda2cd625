"""Net zero plans: a body's projects against the straight path to zero in 2030-31 (issue 18).

The model, as the issue states it:

- business as usual holds the latest reported total flat;
- each project not completed has its yearly saving subtracted from its start year on, to 2030-31;
- completed projects are taken as already in the reported figures and are not subtracted again;
- the path is the straight line from the 2019-20 baseline to 0 in 2030-31, so
  ``gap_2030_tco2e`` is the projected 2030-31 emissions (the path there is 0);
- scenarios are cumulative: ``planned`` (completed + planned), ``with_tentative``, ``with_potential``;
- a saving given as ``activity_change`` is turned into tCO2e with the newest official factor set
  the package has (``factor_year`` says which); a line with no factor gets a note and no saving;
- cost per tCO2e saved is ``cost_gbp`` / yearly saving in tCO2e, where both are given.

A body with no 2019-20 baseline has no path (``path_tco2e`` is empty and a note says so).
Projections are not clipped at zero: a figure below zero means the projects save more than is emitted.
"""

from __future__ import annotations

import math

import pandas as pd

from decarb_dashboard import years
from decarb_dashboard.factors import factor_index

TARGET_YEAR = "2030-31"
SCENARIOS = {"planned": ("completed", "planned"),
             "with_tentative": ("completed", "planned", "tentative"),
             "with_potential": ("completed", "planned", "tentative", "potential")}


def stored_projects(store, organisation_id: str | None = None) -> pd.DataFrame:
    """Return the current projects (one row per project) from the store: the one place projects are read."""
    return store.current_projects(organisation_id)


def _number(value: object) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def project_savings(projects: pd.DataFrame, factors: pd.DataFrame) -> list[dict]:
    """Return each project with its yearly saving in tCO2e, the factor set used, cost per tCO2e and a note."""
    index = factor_index(factors)
    rows = []
    for p in projects.itertuples():
        saving, factor_set, note = _number(p.saving_tco2e), None, None
        change = _number(p.activity_change)
        if saving is None and change is not None:
            hit = index.find(p.category, p.source, p.activity_unit, index.newest_set or 0)
            if hit is None:
                note = "no_factor"
            else:
                saving, factor_set = -change * hit.kgco2e_per_unit / 1000.0, hit.factor_year
        cost = _number(p.cost_gbp)
        rows.append({"project": p.project, "category": p.category, "source": p.source, "status": p.status,
                     "start_year": p.start_year, "saving_tco2e_per_year": saving, "factor_year": factor_set,
                     "cost_gbp": cost,
                     "cost_gbp_per_tco2e": cost / saving if cost is not None and saving else None,
                     "note": note})
    return rows


def body_plan(totals_tco2e: dict[str, float], projects: pd.DataFrame, factors: pd.DataFrame) -> dict:
    """Return a body's plan from its reported totals by year (the engine's headline total) and its projects."""
    reported = {y: v for y, v in sorted(totals_tco2e.items()) if v is not None and not math.isnan(v)}
    baseline = reported.get(years.BASELINE_YEAR)
    latest_year = max(reported) if reported else None
    latest = reported.get(latest_year) if latest_year else None
    rows = project_savings(projects, factors)
    notes = [] if baseline is not None else ["no_baseline"]
    first, target = years.start_of(years.BASELINE_YEAR), years.start_of(TARGET_YEAR)
    path = ({years.label(s): baseline * (target - s) / (target - first) for s in range(first, target + 1)}
            if baseline is not None else {})
    scenarios = {}
    if latest_year is not None:
        future = [years.label(s) for s in range(years.start_of(latest_year) + 1, target + 1)]
        for name, statuses in SCENARIOS.items():
            counted = [r for r in rows if r["status"] in statuses and r["status"] != "completed"
                       and r["saving_tco2e_per_year"] is not None]
            projected = {y: latest - sum(r["saving_tco2e_per_year"] for r in counted
                                         if years.start_of(r["start_year"]) <= years.start_of(y))
                         for y in future}
            gap = projected.get(TARGET_YEAR, latest)
            scenarios[name] = {"projected_tco2e": projected, "gap_2030_tco2e": gap,
                               "saving_still_to_find_tco2e": max(gap, 0.0)}
    for r in rows:
        s = r["saving_tco2e_per_year"]
        r["saving_tco2e_by_year"] = ({years.label(y): s for y in range(years.start_of(r["start_year"]), target + 1)}
                                     if s is not None and r["status"] != "completed" else {})
    return {"reported_tco2e": reported, "baseline_tco2e": baseline, "latest_year": latest_year, "latest_tco2e": latest,
            "path_2030_tco2e": 0.0, "path_tco2e": path, "scenarios": scenarios, "projects": rows,
            "coverage": {"projects": len(rows), "with_saving": sum(r["saving_tco2e_per_year"] is not None
                                                                  for r in rows)},
            "notes": notes}


def plan_of(engine, store, organisation_id: str) -> dict:
    """``decarb plan --json`` and the API's ``bodies/{id}/plan``: the body's plan from its reported totals net of land
    (the path to net zero's measure, as :func:`decarb_dashboard.measures.trajectory` counts it) by year, and its
    current projects; JSON-ready (NaN as null, figures to 4 decimals as ``decarb compare``'s)."""
    from decarb_dashboard import measures
    from decarb_dashboard.compare import json_ready
    from decarb_dashboard.matcher import matcher_for
    from uploads_schema import i18n

    totals = measures.totals(engine.categories, net_of_land=True)
    mine = totals[totals["organisation_id"] == organisation_id]
    by_year = {str(y): float(v) for y, v in zip(mine["reporting_year"], mine["total_tco2e"], strict=True)}
    matcher = matcher_for(engine.registry)
    return json_ready({"organisation_id": organisation_id,
                       "organisation_name": {lang: matcher.name(organisation_id, lang) for lang in i18n.languages()},
                       **body_plan(by_year, stored_projects(store, organisation_id), engine.factors)})
