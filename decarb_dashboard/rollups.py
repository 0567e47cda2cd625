"""Group figures (all Wales, a sector, a region, a peer group), each with its coverage.

A group's figure for a year is only as good as the returns behind it. Every
aggregate here says how many of the bodies expected that year have reported and
what share of the group's baseline emissions they stand for; a change over time
is like for like, over the bodies that reported in both years (each over the
categories it reported in both); and a year in which too few bodies have reported
is *provisional*, never a fall. Optional gap-filling carries a missing
body-category forward from its latest reported year and is always shown as such.

Rules, once:

- **Expected**: every body in the register is expected to report every year.
- **Reported**: a body with a return for the year (any line for it).
- **Baseline share**: the reporting bodies' 2019-20 totals over the 2019-20 totals
  of every expected body that has a 2019-20 return, in per cent.
- **Adequate coverage**: at least ``adequate_coverage_pct()`` per cent of the
  expected bodies (``DECARB_ADEQUATE_COVERAGE_PCT``, default 80); a year below it
  is provisional, and the pages open on the latest adequate year.
- **A group's trajectory** starts from the group's whole 2019-20 baseline, whatever
  year is shown: the reduction achieved is the like-for-like one, and the group's
  figure for a year is that baseline less the like-for-like reduction.
"""

from __future__ import annotations

import os

import pandas as pd

from decarb_dashboard import measures, peers, reasons, years
from decarb_dashboard.cells import distinct_strings, rows_where, strings
from decarb_dashboard.measures import BASELINE_YEAR
from decarb_dashboard.memo import per_object
from uploads_schema import i18n
from uploads_schema.vocabulary import vocabulary

#: At least this share of the expected bodies (per cent) makes a year's figures final, not provisional.
DEFAULT_ADEQUATE_COVERAGE_PCT = 80.0
OVERVIEW_SCHEMA_VERSION = 1


def adequate_coverage_pct() -> float:
    """Return the share of expected bodies (per cent) that makes a year adequate (``DECARB_ADEQUATE_COVERAGE_PCT``)."""
    raw = os.environ.get("DECARB_ADEQUATE_COVERAGE_PCT", "").strip()
    if not raw:
        return DEFAULT_ADEQUATE_COVERAGE_PCT
    value = float(raw)
    if not 0 < value <= 100:
        raise ValueError(f"DECARB_ADEQUATE_COVERAGE_PCT must be a percentage above 0 and at most 100, not {raw!r}")
    return value


def expected_bodies(registry: pd.DataFrame, year: str) -> list[str]:
    """Return the bodies expected to report in ``year``: every body in the register (sorted once per register)."""
    del year  # the scheme expects every registered body every year; a body's first year would go here
    return list(per_object(registry, "expected bodies", lambda: tuple(sorted(registry["id"].astype(str)))))


def reported_bodies(categories: pd.DataFrame, year: str) -> set[str]:
    """Return the bodies with a return for ``year`` (found once per table and year)."""
    return set(per_object(categories, ("reported bodies", year), lambda: frozenset(distinct_strings(
        categories.loc[(categories["reporting_year"] == year).to_numpy(), "organisation_id"]))))


def body_totals(categories: pd.DataFrame, year: str, include_supply_chain: bool = True) -> dict[str, float]:
    """Return {body: total tCO2e in ``year``}, gross of land, over reported categories."""
    t = measures.totals(categories[categories["reporting_year"] == year], include_supply_chain)
    return dict(zip(t["organisation_id"].astype(str), t["total_tco2e"].astype(float), strict=True))


def coverage(categories: pd.DataFrame, registry: pd.DataFrame, bodies: list[str], year: str) -> dict:
    """Return the coverage of ``bodies`` in ``year``.

    Keys: ``bodies_reported``, ``bodies_expected``, ``reported_pct`` (of the expected),
    ``baseline_share_pct`` (the reporting bodies' share of the group's 2019-20 emissions,
    null when no body of the group has a 2019-20 return), ``provisional`` (below the
    adequate share) and ``bodies_missing`` (expected, no return).
    """
    expected = sorted(set(bodies) & set(expected_bodies(registry, year)))
    done = reported_bodies(categories, year) & set(expected)
    baseline = per_object(categories, "baseline totals", lambda: body_totals(categories, BASELINE_YEAR))
    group_baseline = sum(baseline[b] for b in expected if b in baseline)
    share = (100.0 * sum(baseline[b] for b in done if b in baseline) / group_baseline) if group_baseline else None
    reported_pct = 100.0 * len(done) / len(expected) if expected else None
    return {
        "bodies_reported": len(done), "bodies_expected": len(expected), "reported_pct": reported_pct,
        "baseline_share_pct": share,
        "provisional": reported_pct is None or reported_pct < adequate_coverage_pct(),
        "bodies_missing": [b for b in expected if b not in done],
    }


def like_for_like(categories: pd.DataFrame, bodies: list[str], year: str, other: str,
                  include_land: bool = False) -> dict:
    """Return a group's change from ``other`` to ``year`` over the bodies that reported in both.

    Each body counts over the categories it reported in both years (as
    :func:`measures.like_for_like`). Keys: ``bodies`` compared, ``tco2e`` (``year``),
    ``other_tco2e``, ``change_tco2e``, ``change_pct``, ``left_out`` {body: reason}.
    """
    now = then = 0.0
    counted, left_out = [], {}
    done = {y: reported_bodies(categories, y) for y in (year, other)}
    none = [None] * len(bodies)
    # every body at once, as measures.like_for_like sums each (which has no change when the years are the same)
    nows, thens = (none, none) if year == other else measures.pair_sums(categories, bodies, year, other, include_land)
    said: dict[tuple, str] = {}  # a reason is worded once, however many bodies it is given for
    for body, body_now, body_then in zip(bodies, nows, thens, strict=True):
        if body_now is None:
            left_out[body] = _why_not_compared(done, body, year, other, said)
            continue
        now += body_now
        then += body_then
        counted.append(body)
    if not counted:
        return {"bodies": [], "tco2e": None, "other_tco2e": None, "change_tco2e": None, "change_pct": None,
                "left_out": left_out}
    return {"bodies": counted, "tco2e": now, "other_tco2e": then, "change_tco2e": now - then,
            "change_pct": (now - then) / abs(then) * 100 if then else None, "left_out": left_out}


def _why_not_compared(done: dict[str, set[str]], body: str, year: str, other: str, said: dict[tuple, str]) -> str:
    def reason(code: str, **params: str) -> str:
        key = (code, *params.values())
        if key not in said:
            said[key] = reasons.text(code, **params)
        return said[key]

    if year == other:
        return reason("baseline_year")
    for y in (year, other):
        if body not in done[y]:
            return reason("no_return", year=y)
    return reason("no_common_categories", year=year)


def gap_fill(categories: pd.DataFrame, bodies: list[str], year: str, include_supply_chain: bool = True
             ) -> list[dict]:
    """Return the figures that gap-filling adds to ``year``: one per missing body-category.

    A body-category the scheme asks for in ``year`` (land aside) with no figure, whether
    the body sent no return or left the category unreported, is carried forward from the
    body's latest earlier year with a figure for it. "Not applicable" is not a gap. Each
    entry: ``organisation_id``, ``category``, ``from_year``, ``tco2e``.
    """
    start = years.start_of(year)
    wanted = [c.id for c in vocabulary().ordered_categories()
              if c.role != "land" and (include_supply_chain or c.role != "spend_based")
              and years.start_of(c.required_from) <= start]
    filled = []
    for body in bodies:
        cells = measures.body_cells(categories, body)
        for category in wanted:
            status = cells.get((year, category), ("missing", None))[0]
            if status in ("reported", "not_applicable"):
                continue
            earlier = [(years.start_of(y), y, v) for (y, c), (st, v) in cells.items()
                       if c == category and st == "reported" and years.start_of(y) < start]
            if earlier:
                _, from_year, value = max(earlier)
                filled.append({"organisation_id": body, "category": category, "from_year": from_year,
                               "tco2e": float(value)})
    return filled


def flagged_figures(flags: pd.DataFrame, bodies: list[str]) -> list[dict]:
    """Return the flagged figures of ``bodies`` that a group's figure includes (unit slips and jumps)."""
    if flags is None or flags.empty:
        return []
    f = flags[flags["kind"].isin(peers.FIGURE_FLAG_KINDS) & flags["organisation_id"].isin(bodies)]
    return [{"organisation_id": body, "kind": kind, "category": category, "value_tco2e": value}
            for body, kind, category, value in zip(  # columns at once, not row by row: thousands of flags a year
                strings(f["organisation_id"]).tolist(), strings(f["kind"]).tolist(),
                f["category"].astype(object).tolist(), f["value_tco2e"].astype(object).tolist(), strict=True)]


def group_summary(categories: pd.DataFrame, registry: pd.DataFrame, bodies: list[str], year: str,
                  flags: pd.DataFrame | None = None, with_gap_fill: bool = False,
                  include_supply_chain: bool = True) -> dict:
    """Return a group's total for ``year`` with its coverage, like-for-like change and (optionally) gap-filling.

    ``total_tco2e`` sums the reporting bodies' totals (gross of land): with incomplete coverage
    it is a part, not the whole, and ``coverage`` says how big a part. ``like_for_like`` is the
    change since 2019-20 over the bodies that reported in both years. ``gap_filled_tco2e``, only
    ``with_gap_fill``, is the total with every missing body-category carried forward
    (``gap_fill`` lists them). ``flagged_figures`` are the flagged figures included.
    """
    totals = body_totals(categories, year, include_supply_chain)
    members = [b for b in bodies if b in totals]
    total = sum(totals[b] for b in members) if members else None
    lfl = like_for_like(categories, bodies, year, BASELINE_YEAR)
    out = {
        "total_tco2e": total,
        "coverage": coverage(categories, registry, bodies, year),
        "like_for_like": {"bodies": lfl["bodies"], "change_vs_baseline_tco2e": lfl["change_tco2e"],
                          "change_vs_baseline_pct": lfl["change_pct"], "tco2e": lfl["tco2e"],
                          "baseline_tco2e": lfl["other_tco2e"], "left_out": lfl["left_out"]},
        "gap_filled_tco2e": None,
        "gap_fill": None,
        "flagged_figures": flagged_figures(flags, bodies),
    }
    if with_gap_fill:
        filled = gap_fill(categories, bodies, year, include_supply_chain)
        added = sum(f["tco2e"] for f in filled)
        out["gap_filled_tco2e"] = (total or 0.0) + added if (members or filled) else None
        out["gap_fill"] = {"filled_tco2e": added, "cells": filled}
    return out


def group_trajectory(categories: pd.DataFrame, registry: pd.DataFrame, bodies: list[str], year: str) -> dict:
    """Return a group's progress to net zero in 2030 from the group's whole 2019-20 baseline.

    ``baseline_tco2e`` is the sum of every member's 2019-20 figures (net of land), the same for
    every year shown. ``achieved_reduction_pct`` is the like-for-like reduction over the bodies
    that reported in both years (each over the categories in both, net of land), and ``tco2e``
    the baseline less that reduction: what the group's emissions would be if the bodies not yet
    in had moved as those in did. ``status`` compares it with the straight path; ``coverage``
    says how many bodies stand behind it.
    """
    one = measures.trajectory(categories, bodies, year)
    baseline = _group_baseline(categories, bodies)
    out = {**one, "like_for_like_baseline_tco2e": one["baseline_tco2e"], "like_for_like_tco2e": one["tco2e"],
           "baseline_tco2e": baseline, "coverage": coverage(categories, registry, bodies, year)}
    if baseline is None or one["achieved_reduction_pct"] is None:
        out["tco2e"] = None
        out["required_path_tco2e"] = {}
        return out
    out["tco2e"] = baseline * (1 - one["achieved_reduction_pct"] / 100)
    out["required_path_tco2e"] = {
        years.label(y): baseline * (1 - measures.required_reduction_pct(years.label(y)) / 100)
        for y in range(years.start_of(BASELINE_YEAR), measures.NET_ZERO_START + 1)}
    return out


def _group_baseline(categories: pd.DataFrame, bodies: list[str]) -> float | None:
    """Sum of the members' 2019-20 figures, net of land, over every category each reported."""
    c = rows_where(categories, reporting_year=BASELINE_YEAR)
    c = c[(c["organisation_id"].isin(bodies) & (c["status"] == "reported")).to_numpy()]
    return float(c["tco2e"].sum()) if len(c) else None


def history_by_group(categories: pd.DataFrame, registry: pd.DataFrame, column: str) -> pd.DataFrame:
    """Return the reported tCO2e (gross of land) of each group of bodies (``column``: "type" or "region") per year.

    One row per group, one column per year; a year's figure is a part of the whole when its
    coverage is incomplete (see :func:`coverage`).
    """
    totals = measures.totals(categories)
    totals["group"] = totals["organisation_id"].map(registry.set_index("id")[column])
    return totals.groupby(["group", "reporting_year"])["total_tco2e"].sum().unstack("reporting_year")


def gap_filled_by_year(categories: pd.DataFrame, registry: pd.DataFrame, year_list: list[str]) -> pd.Series:
    """Return what gap-filling adds (tCO2e) to all Wales in each year of ``year_list``."""
    bodies = sorted(registry["id"].astype(str))
    return pd.Series({y: sum(f["tco2e"] for f in gap_fill(categories, bodies, y)) for y in year_list}, dtype=float)


def sector_name(kind: str, lang: str) -> str:
    """A body type's name in ``lang`` ("Councils"): the pages' and ``decarb plan --rollup``'s."""
    return i18n.gettext("web", f"type_{kind}", lang)


def region_name(region: str, lang: str) -> str:
    """A region's name in ``lang`` ("Gogledd Cymru"): the pages' and ``decarb plan --rollup``'s."""
    return i18n.gettext("web", "region_" + region.lower().replace(" ", "_"), lang)


def groups(registry: pd.DataFrame) -> dict[str, dict[str, list[str]]]:
    """Return {"sector": {type: members}, "region": {region: members}, "all_wales": {"all": everyone}}."""
    out: dict[str, dict[str, list[str]]] = {"sector": {}, "region": {}}
    for label, column in (("sector", "type"), ("region", "region")):
        for value, members in registry.groupby(column)["id"]:
            out[label][str(value)] = sorted(members.astype(str))
    out["all_wales"] = {"all": sorted(registry["id"].astype(str))}
    return out


def trajectory_rollups(categories: pd.DataFrame, registry: pd.DataFrame, year: str) -> dict:
    """Return the trajectory (with coverage) of every sector, every region and all Wales for ``year``."""
    g = groups(registry)
    return {"sector": {k: group_trajectory(categories, registry, v, year) for k, v in g["sector"].items()},
            "region": {k: group_trajectory(categories, registry, v, year) for k, v in g["region"].items()},
            "all_wales": group_trajectory(categories, registry, g["all_wales"]["all"], year)}


def default_year(categories: pd.DataFrame, registry: pd.DataFrame) -> str | None:
    """Return the year the pages open on: the latest with adequate coverage, else the best-covered one."""
    known = sorted(categories["reporting_year"].astype(str).unique(), key=years.start_of)
    if not known:
        return None
    everyone = sorted(registry["id"].astype(str))
    share = {y: coverage(categories, registry, everyone, y)["reported_pct"] or 0.0 for y in known}
    adequate = [y for y in known if share[y] >= adequate_coverage_pct()]
    if adequate:
        return adequate[-1]
    return max(known, key=lambda y: (share[y], years.start_of(y)))


def overview(categories: pd.DataFrame, registry: pd.DataFrame, year: str, flags: pd.DataFrame | None = None,
             with_gap_fill: bool = False) -> dict:
    """Return the ``decarb overview`` figures for ``year``: all Wales, each sector and region, the trajectory."""
    g = groups(registry)

    def summary(bodies: list[str]) -> dict:
        return group_summary(categories, registry, bodies, year, flags, with_gap_fill)

    path = group_trajectory(categories, registry, g["all_wales"]["all"], year)
    return {
        "schema_version": OVERVIEW_SCHEMA_VERSION,
        "reporting_year": year,
        "baseline_year": BASELINE_YEAR,
        "adequate_coverage_pct": adequate_coverage_pct(),
        "all_wales": summary(g["all_wales"]["all"]),
        "by_sector": {k: summary(v) for k, v in g["sector"].items()},
        "by_region": {k: summary(v) for k, v in g["region"].items()},
        "trajectory": {k: path[k] for k in ("baseline_tco2e", "status", "required_reduction_pct",
                                           "achieved_reduction_pct", "tco2e", "like_for_like_baseline_tco2e",
                                           "like_for_like_tco2e", "bodies", "coverage")},
    }
