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

**Realised savings.** A completed project's realised saving is the fall in its category's reported emissions
from the year before its start year (the last year without it) to the latest year the category is reported
(its start year or later). It is flagged when that fall is below ``config.realised_flag_pct()`` per cent of the
saving the project expected (``DECARB_REALISED_FLAG_PCT``, default 50: a choice, not a published rule). Two
completed projects in one category are each set beside the same fall. Where either year is not reported there is no
realised figure and a note says which is missing: not reported is not a saving of zero.

**Roll-ups** (:func:`group_plan`: a sector, a region, all Wales) add up their bodies' plans: the projections are
the sums of each reported body's projection (a body with no projects stays at its latest figure), from the year
after the newest latest year among them; the reported figure of a year is given only where every body counted
reported that year; the gap and the saving still to be found are sums of the bodies' own (one
body's projects do not close another's gap); cost per tCO2e is a ratio of sums. The coverage says how many bodies
are in the group, have reported, have a baseline and have recorded projects.
"""

from __future__ import annotations

import math

import pandas as pd

from decarb_dashboard import config, years
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


def body_plan(totals_tco2e: dict[str, float], projects: pd.DataFrame, factors: pd.DataFrame,
              category_tco2e: dict[tuple[str, str], float] | None = None) -> dict:
    """Return a body's plan from its reported totals by year (the engine's headline total), its projects and its
    reported emissions by (year, category) (for the realised savings of completed projects; none: not worked out)."""
    return _plan(totals_tco2e, project_savings(projects, factors), category_tco2e)


def _plan(totals_tco2e: dict[str, float], rows: list[dict], category_tco2e: dict[tuple[str, str], float] | None
          ) -> dict:
    reported = {y: v for y, v in sorted(totals_tco2e.items()) if v is not None and not math.isnan(v)}
    baseline = reported.get(years.BASELINE_YEAR)
    latest_year = max(reported, key=years.start_of) if reported else None
    latest = reported.get(latest_year) if latest_year else None
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
        r.update(realised(r, category_tco2e))
    return {"reported_tco2e": reported, "baseline_tco2e": baseline, "latest_year": latest_year, "latest_tco2e": latest,
            "path_2030_tco2e": 0.0, "path_tco2e": path, "scenarios": scenarios, "projects": rows,
            "coverage": {"projects": len(rows), "with_saving": sum(r["saving_tco2e_per_year"] is not None
                                                                  for r in rows)},
            "notes": notes}


def realised(project: dict, category_tco2e: dict[tuple[str, str], float] | None) -> dict:
    """A completed project's realised saving beside its expected one (see the module's *Realised savings*):
    ``realised_saving_tco2e``, ``realised_from_year`` and ``realised_to_year``, ``realised_below_expected`` (the
    flag) and ``realised_note`` (``not_reported_before`` / ``not_reported_since``). All null for any other project
    or where the figures were not given."""
    out = {"realised_saving_tco2e": None, "realised_from_year": None, "realised_to_year": None,
           "realised_below_expected": None, "realised_note": None}
    if project["status"] != "completed" or category_tco2e is None:
        return out
    start = years.start_of(project["start_year"])
    before = years.label(start - 1)
    since = [y for y, c in category_tco2e if c == project["category"] and years.start_of(y) >= start]
    if (before, project["category"]) not in category_tco2e:
        return {**out, "realised_note": "not_reported_before", "realised_from_year": before}
    if not since:
        return {**out, "realised_note": "not_reported_since", "realised_from_year": before}
    after = max(since, key=years.start_of)
    fall = category_tco2e[(before, project["category"])] - category_tco2e[(after, project["category"])]
    expected = project["saving_tco2e_per_year"]
    flag = None if expected is None else fall < expected * config.realised_flag_pct() / 100
    return {**out, "realised_saving_tco2e": fall, "realised_from_year": before, "realised_to_year": after,
            "realised_below_expected": flag}


def group_plan(plans: dict[str, dict], members: list[str]) -> dict:
    """Return the plan of a group (a sector, a region, all Wales) from its members' plans (:func:`body_plan`'s, by
    body; a member without one is not reported), as the module's *Roll-ups* says, with its coverage."""
    mine = [plans[b] for b in members if b in plans]
    counted = [p for p in mine if p["latest_year"] is not None]
    with_baseline = [p for p in counted if p["baseline_tco2e"] is not None]
    costed = [r for p in counted for r in p["projects"]
              if r["cost_gbp"] is not None and r["saving_tco2e_per_year"]]
    out = {"coverage": {"bodies": len(members), "bodies_reported": len(counted),
                        "bodies_with_baseline": len(with_baseline),
                        "bodies_with_projects": sum(bool(p["projects"]) for p in counted),
                        "projects": sum(len(p["projects"]) for p in counted),
                        "realised_below_expected": sum(bool(r["realised_below_expected"])
                                                       for p in counted for r in p["projects"])},
           "baseline_tco2e": sum(p["baseline_tco2e"] for p in with_baseline) if with_baseline else None,
           "latest_year": max((p["latest_year"] for p in counted), key=years.start_of) if counted else None,
           "latest_tco2e": sum(p["latest_tco2e"] for p in counted) if counted else None,
           # A year's figure only where every body counted reported it: one left out is not a zero.
           "reported_tco2e": {y: sum(p["reported_tco2e"][y] for p in counted) for y in
                              (sorted(set.intersection(*(set(p["reported_tco2e"]) for p in counted)),
                                      key=years.start_of) if counted else [])},
           "path_2030_tco2e": 0.0,
           "path_tco2e": {y: sum(p["path_tco2e"][y] for p in with_baseline)
                          for y in (with_baseline[0]["path_tco2e"] if with_baseline else {})},
           "cost_gbp_per_tco2e": (sum(r["cost_gbp"] for r in costed) / sum(r["saving_tco2e_per_year"] for r in costed)
                                  if costed else None),
           "scenarios": {}}
    if counted:
        target = years.start_of(TARGET_YEAR)
        future = [years.label(s) for s in range(years.start_of(out["latest_year"]) + 1, target + 1)]
        for name in SCENARIOS:
            each = [p["scenarios"][name] for p in counted]
            out["scenarios"][name] = {
                "projected_tco2e": {y: sum(s["projected_tco2e"][y] for s in each) for y in future},
                "gap_2030_tco2e": sum(s["gap_2030_tco2e"] for s in each),
                "saving_still_to_find_tco2e": sum(s["saving_still_to_find_tco2e"] for s in each)}
    return out


def every_plan(engine, store) -> dict[str, dict]:
    """Return every reported body's plan (:func:`body_plan`) by body: one reading of the totals, the projects and
    the factors for them all."""
    by_body = _totals_by_body(engine)
    projects = stored_projects(store)
    rows = project_savings(projects, engine.factors)
    of_body: dict[str, list[dict]] = {}
    for body, row in zip(projects["organisation_id"].astype(str), rows, strict=True):
        of_body.setdefault(body, []).append(row)
    return {b: _plan(t, of_body.get(b, []), _category_tco2e(engine, b) if b in of_body else None)
            for b, t in by_body.items()}


def rollup(engine, store) -> dict:
    """Return the plan of all Wales, of each sector and of each region (``decarb plan --rollup --json``)."""
    from decarb_dashboard import rollups
    from decarb_dashboard.compare import json_ready

    plans = every_plan(engine, store)
    g = rollups.groups(engine.registry)
    return json_ready({"all_wales": group_plan(plans, g["all_wales"]["all"]),
                       "sector": {k: group_plan(plans, v) for k, v in g["sector"].items()},
                       "region": {k: group_plan(plans, v) for k, v in g["region"].items()}})


def _totals_by_body(engine) -> dict[str, dict[str, float]]:
    """Every body's reported totals net of land (the path to net zero's measure, as
    :func:`decarb_dashboard.measures.trajectory` counts it) by year, worked out once per engine."""
    from decarb_dashboard import measures
    from decarb_dashboard.cells import strings
    from decarb_dashboard.memo import per_object

    def build() -> dict[str, dict[str, float]]:
        totals = measures.totals(engine.categories, net_of_land=True)
        by_body: dict[str, dict[str, float]] = {}
        for body, year, value in zip(strings(totals["organisation_id"]).tolist(),
                                     strings(totals["reporting_year"]).tolist(),
                                     totals["total_tco2e"].to_numpy(dtype=float).tolist(), strict=True):
            by_body.setdefault(body, {})[year] = value
        return by_body

    return per_object(engine, "plan totals by body", build)


def _category_tco2e(engine, body: str) -> dict[tuple[str, str], float]:
    """A body's reported emissions by (year, category): the figures a realised saving is read from."""
    from decarb_dashboard import measures

    return {k: v for k, (status, v) in measures.body_cells(engine.categories, body).items()
            if status == "reported" and v is not None}


def plan_of(engine, store, organisation_id: str) -> dict:
    """``decarb plan --json`` and the API's ``bodies/{id}/plan``: the body's plan from its reported totals net of land
    (the path to net zero's measure, as :func:`decarb_dashboard.measures.trajectory` counts it) by year, and its
    current projects; JSON-ready (NaN as null, figures to 4 decimals as ``decarb compare``'s)."""
    from decarb_dashboard.compare import json_ready
    from decarb_dashboard.matcher import matcher_for
    from uploads_schema import i18n

    by_year = dict(_totals_by_body(engine).get(organisation_id, {}))
    matcher = matcher_for(engine.registry)
    return json_ready({"organisation_id": organisation_id,
                       "organisation_name": {lang: matcher.name(organisation_id, lang) for lang in i18n.languages()},
                       **body_plan(by_year, stored_projects(store, organisation_id), engine.factors,
                                   _category_tco2e(engine, organisation_id))})
