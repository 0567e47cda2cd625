"""The net zero plan's parts of the pages (issue 18), the model in :mod:`decarb_dashboard.plan`: a body's on My
organisation, all Wales's with each sector's and region's on the Wales overview, drawn the same way."""

from __future__ import annotations

import pandas as pd
from dash import html

from decarb_dashboard import plan
from decarb_dashboard.engine import Engine
from decarb_dashboard.memo import per_object
from decarb_dashboard.numbers import figure_text
from decarb_dashboard.web import data
from decarb_dashboard.web.components import PALETTE, Figure, chart_block, download_name, table_block, trajectory_figure
from decarb_dashboard.web.controls import region_name, sector_name
from decarb_dashboard.web.i18n import t

#: Each scenario's line on the chart: told apart by its dashes as well as its colour.
DASHES = {"planned": "solid", "with_tentative": "dot", "with_potential": "dashdot"}


def scenario_figure(result: dict, title: str, lang: str) -> tuple[Figure, pd.DataFrame]:
    """The reported figures, the straight path and each scenario's projection from the latest figure on, with the
    same as a table (a plan of :func:`plan.body_plan` or :func:`plan.group_plan`, JSON-ready)."""
    fig, frame = trajectory_figure(result["reported_tco2e"], result["path_tco2e"], title, lang)
    for k, (scenario, figures) in enumerate(result["scenarios"].items()):
        label = t(f"series_scenario_{scenario}", lang)
        points = {result["latest_year"]: result["latest_tco2e"], **figures["projected_tco2e"]}
        fig.add_scatter(name=label, x=list(points), y=list(points.values()), mode="lines",
                        line={"color": PALETTE[k + 2], "dash": DASHES[scenario]})
        frame[label] = frame[t("col_year", lang)].map(figures["projected_tco2e"])
    return fig, frame


def gap_sentences(result: dict, lang: str) -> list[html.P]:
    """Each scenario's gap in 2030-31 and the saving still to be found, in words."""
    return [html.P(t("plan_gap_sentence", lang, scenario=t(f"series_scenario_{scenario}", lang),
                     gap=figure_text(s["gap_2030_tco2e"], "tco2e", lang),
                     still=figure_text(s["saving_still_to_find_tco2e"], "tco2e", lang)))
            for scenario, s in result["scenarios"].items()]


def rollups_of(engine: Engine) -> dict:
    """All Wales's, each sector's and each region's plan, worked out once per engine (a projects submission changes
    the store's version, so the engine and this with it)."""
    return per_object(engine, "plan rollups", lambda: plan.rollup(engine, data.store()))


def wales_section(engine: Engine, lang: str) -> html.Section:
    """The Wales overview's net zero plans: how many bodies have recorded projects, all Wales's gap in each scenario,
    its chart, and every sector's and region's figures as a table."""
    found = rollups_of(engine)
    whole = found["all_wales"]
    c = whole["coverage"]
    coverage = html.P(t("plan_wales_coverage", lang, with_projects=c["bodies_with_projects"], bodies=c["bodies"],
                        projects=c["projects"], reported=c["bodies_reported"]), id="wales-plan-coverage")
    if not whole["scenarios"] or not c["projects"]:  # nothing to plot but business as usual
        return html.Section([html.H2(t("plan_wales_heading", lang)),
                             html.P(t("plan_wales_none", lang, bodies=c["bodies"]), id="wales-plan-coverage")],
                            id="wales-plan")
    fig, frame = scenario_figure(whole, t("chart_plan_wales", lang), lang)
    flagged = [html.P(t("plan_wales_realised_flags", lang, count=c["realised_below_expected"]))] \
        if c["realised_below_expected"] else []
    return html.Section([
        html.H2(t("plan_wales_heading", lang)),
        coverage,
        *gap_sentences(whole, lang),
        *flagged,
        chart_block("wales-plan-chart", fig, frame, lang, "tco2e", download_name("wales", "plan", lang=lang)),
        table_block("wales-plan-groups", group_table(found, lang), t("plan_groups_caption", lang), lang, heading=True,
                    kinds={t(f"col_plan_{k}", lang): "tco2e" for k in ("latest", "planned", "with_tentative",
                                                                        "with_potential", "still")},
                    download=download_name("wales", "plan-by-sector-and-region", lang=lang)),
        html.P(t("plan_model_groups", lang)),
    ], id="wales-plan")


def group_table(found: dict, lang: str) -> pd.DataFrame:
    """One row per group (all Wales, each sector, each region): its coverage, latest figure and 2030-31 gaps."""
    groups = [(t("plan_all_wales", lang), found["all_wales"])]
    groups += [(sector_name(k, lang), g) for k, g in found["sector"].items()]
    groups += [(region_name(k, lang), g) for k, g in found["region"].items()]

    def gap(g: dict, scenario: str) -> float | None:
        return g["scenarios"][scenario]["gap_2030_tco2e"] if g["scenarios"] else None

    return pd.DataFrame({
        t("col_plan_group", lang): [name for name, _ in groups],
        t("col_plan_bodies", lang): [g["coverage"]["bodies"] for _, g in groups],
        t("col_plan_bodies_reported", lang): [g["coverage"]["bodies_reported"] for _, g in groups],
        t("col_plan_bodies_with_projects", lang): [g["coverage"]["bodies_with_projects"] for _, g in groups],
        t("col_plan_latest", lang): [g["latest_tco2e"] for _, g in groups],
        t("col_plan_planned", lang): [gap(g, "planned") for _, g in groups],
        t("col_plan_with_tentative", lang): [gap(g, "with_tentative") for _, g in groups],
        t("col_plan_with_potential", lang): [gap(g, "with_potential") for _, g in groups],
        t("col_plan_still", lang): [g["scenarios"]["with_potential"]["saving_still_to_find_tco2e"]
                                    if g["scenarios"] else None for _, g in groups],
    })
