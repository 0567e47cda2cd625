"""Compare one body's return for a year with its own past and with its peers: the ``decarb compare`` contract.

:func:`compare` reads from an :class:`decarb_dashboard.engine.Engine`. JSON keys carry their
units (``total_tco2e``, ``change_vs_baseline_pct``); the shape is documented in
the README and versioned by ``schema_version``.
"""

from __future__ import annotations

import math

import pandas as pd

from decarb_dashboard import measures, peers, rollups, years
from decarb_dashboard.engine import Engine
from decarb_dashboard.matcher import matcher_for
from uploads_schema.vocabulary import vocabulary

COMPARE_SCHEMA_VERSION = 1


def json_ready(value: object) -> object:
    """Make a value JSON-safe: numpy numbers to Python, NaN to None."""
    if isinstance(value, dict):
        return {k: json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else round(value, 4)
    return value


def compare(engine: Engine, body: str, year: str, peer_group: str | list[str] = "type",
            metric: str = "total", include_supply_chain: bool = True,
            all_flags: pd.DataFrame | None = None) -> dict:
    """Return the comparison of ``body`` in ``year``: totals, categories, changes, intensities,
    peer ranking, trajectory, restatement and quality flags.

    ``all_flags``, every body's quality flags for ``year`` when a caller keeps them, saves
    working out the body's own.
    """
    matcher = matcher_for(engine.registry)
    cats = engine.categories
    values = engine.values if include_supply_chain else engine.values_without_supply_chain
    # Only this body's rows: a callback for one body must not total every body.
    own = cats[(cats["organisation_id"] == body) & (cats["reporting_year"] == year)]
    mine = measures.totals(own, list_categories=True)
    without_sc = measures.totals(own, include_supply_chain=False)
    land = own[(own["category"] == vocabulary().category_with_role("land")) & (own["status"] == "reported")]["tco2e"]
    total = float(mine["total_tco2e"].iloc[0]) if not mine.empty else None
    previous = years.previous(year)
    vs_base = measures.like_for_like(cats, body, year, measures.BASELINE_YEAR)
    yoy = measures.like_for_like(cats, body, year, previous)
    intensities = {}
    for m, spec in vocabulary().metrics.items():
        if spec.denominator is None:
            continue
        key = spec.key
        row = values[(values["organisation_id"] == body) & (values["reporting_year"] == year)
                     & (values["metric"] == m)]
        intensities[key] = None if row.empty else row["value"].iloc[0]
    own_year = engine.registry.set_index("id").get("own_baseline_year", pd.Series(dtype=object)).get(body)
    own_baseline = None
    if isinstance(own_year, str) and own_year:
        since_own = measures.like_for_like(cats, body, year, own_year)
        own_baseline = {"year": own_year, "change_tco2e": since_own["change_tco2e"],
                        "change_pct": since_own["change_pct"], "categories": since_own["categories"],
                        "left_out": since_own["left_out"]}
    group_name, members = peers.peer_bodies(engine.registry, body, peer_group)
    label = peer_group if isinstance(peer_group, str) else "chosen"
    ranking = peers.rank_in_group(values, body, members, year, metric, group_label=label)
    key = measures.metric_key(metric)
    peer = {
        "name": group_name, "members": members, "metric": key, f"body_{key}": ranking.get("value"),
        "rank": ranking["rank"], "peer_count": ranking["peer_count"], "percentile": ranking["percentile"],
        "quartile": ranking["quartile"], "member": ranking["member"], "rank_reason": ranking["rank_reason"],
        f"peer_median_{key}": ranking["peer_median"],
        f"peer_q1_{key}": ranking["peer_q1"], f"peer_q3_{key}": ranking["peer_q3"],
        "best": ranking["best"], f"best_{key}": ranking["best_value"],
        f"gap_to_median_{key}": ranking["gap_to_median"],
        f"group_{key}": measures.group_intensity(values, members, year, metric),
        "left_out": ranking["left_out"],
        "coverage": rollups.coverage(cats, engine.registry, members, year),
        **peers.category_set_note(cats, year, members),
    }
    if all_flags is not None:
        flags = peers.with_details(all_flags[all_flags["organisation_id"] == body])
    else:
        flags = peers.quality_flags(engine.facts, cats, engine.values, engine.registry, year, [body])
    warnings = engine.factor_warnings[(engine.factor_warnings["organisation_id"] == body)
                                      & (engine.factor_warnings["reporting_year"] == year)]
    facts = engine.facts[(engine.facts["organisation_id"] == body) & (engine.facts["reporting_year"] == year)]
    unconfirmed = facts[(facts["emissions_basis"] == "computed") & facts["factor_confirmed"].eq(False)]
    scopes = measures.scope_totals(facts)
    by_scope = {("unsplit_tco2e" if s == 0 else f"scope_{s}_tco2e"): float(t)
                for s, t in zip(scopes["scope"], scopes["tco2e"], strict=True)}
    return json_ready({
        "schema_version": COMPARE_SCHEMA_VERSION,
        "organisation": {"id": body, "name": matcher.name(body), "name_cy": matcher.name(body, "cy"),
                         "type": engine.registry.set_index("id").at[body, "type"]},
        "reporting_year": year,
        "baseline_year": measures.BASELINE_YEAR,
        "total_tco2e": total,
        "total_without_supply_chain_tco2e": float(without_sc["total_tco2e"].iloc[0]) if not without_sc.empty
        else None,
        "land_tco2e": float(land.iloc[0]) if not land.empty else None,
        "net_tco2e": None if total is None else total + (float(land.iloc[0]) if not land.empty else 0.0),
        "total_categories": list(mine["categories"].iloc[0]) if not mine.empty else [],
        "by_scope": {k: by_scope.get(k) for k in ("scope_1_tco2e", "scope_2_tco2e", "scope_3_tco2e",
                                                  "unsplit_tco2e")},
        "categories": measures.category_changes(cats, body, year),
        "change_vs_baseline_tco2e": vs_base["change_tco2e"], "change_vs_baseline_pct": vs_base["change_pct"],
        "change_vs_baseline_categories": vs_base["categories"],
        "change_vs_baseline_left_out": vs_base["left_out"],
        "own_baseline": own_baseline,  # the body's own baseline year, beside the scheme's (null if it keeps none)
        "change_year_on_year_tco2e": yoy["change_tco2e"], "change_year_on_year_pct": yoy["change_pct"],
        "change_year_on_year_categories": yoy["categories"],
        "change_year_on_year_left_out": yoy["left_out"],
        "intensities": intensities,
        "include_supply_chain": include_supply_chain,
        "peer_group": peer,
        "trajectory": measures.trajectory(cats, [body], year),
        "restatement": measures.restatement(engine.facts, engine.factors, body, year),
        "quality_flags": flags[["kind", "category", "source", "value_tco2e", "detail"]].to_dict("records"),
        "factor_warnings": warnings["message"].tolist(),
        "computed_with_unconfirmed_factors": [
            f"{r.category}/{r.source}: factor {r.factor_activity} {r.factor_year} is not confirmed"
            for r in unconfirmed.itertuples()],
    })
