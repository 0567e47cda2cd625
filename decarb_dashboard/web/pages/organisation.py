"""My organisation: one body's figures for a year, its history, its path to net zero, its peers and its map.

The map (:func:`area_map`) shows a council among every council of Wales, or a health board among
the health boards, each coloured by the page's measure for the year, with the body's own area
outlined: a councillor asks "how do we compare with the councils around us and across Wales?",
which a map of their own region (the body's area in one colour) cannot answer, and the peer chart
above gives the ranking. A body without an area of its own on the map (national bodies, NHS
trusts, fire and national park authorities) gets a sentence saying so instead.
"""

from __future__ import annotations

import dash
import pandas as pd
from dash import Dash, Input, Output, State, dcc, html

from decarb_dashboard import config, measures, reasons, rollups, years
from decarb_dashboard.engine import Engine
from decarb_dashboard.web import data, plan_views
from decarb_dashboard.web.components import (
    PALETTE,
    PEERS_NAMED,
    Figure,
    base_layout,
    change_text,
    chart_block,
    distribution_figure,
    download_name,
    figure_text,
    left_out_note,
    publication_note,
    radios,
    review_statuses,
    rounded,
    stacked_panels,
    status_badge,
    status_mark,
    status_words,
    table_block,
    trajectory_figure,
    view_query,
)
from decarb_dashboard.web.controls import (
    controls,
    metric_control,
    metrics,
    peer_control,
    peer_groups,
    register_body_search,
)
from decarb_dashboard.web.i18n import language, t
from decarb_dashboard.web.map import level_of, map_block, ons_code
from decarb_dashboard.web.navigation import href
from uploads_schema.vocabulary import vocabulary


def layout(lang: str = "en", body: str | None = None, year: str | None = None, **_query: str) -> html.Div:
    lang = language(lang)
    engine = data.engine()
    body, year = data.chosen_body(body), data.chosen_year(year)
    return html.Div(
        [
            html.H1(t("org_title", lang)),
            dcc.Store(id="org-lang", data=lang),
            html.Div(
                [
                    *controls(lang, body, year, "org"),
                    metric_control("org", lang, "total"),
                    peer_control("org", lang),
                    radios(
                        "org-supply",
                        t("label_supply_chain", lang),
                        [
                            {"label": t("supply_chain_with", lang), "value": "with"},
                            {"label": t("supply_chain_without", lang), "value": "without"},
                        ],
                        "with",
                    ),
                ],
                className="controls",
            ),
            dcc.Loading(html.Div(id="org-view", children=view(engine, body, year, "total", "type", True, lang)),
                        target_components={"org-view": "children"}),
        ]
    )


def trajectory_sentence(trajectory: dict, baseline: str, year: str, lang: str) -> str:
    """Say where a body stands on its path in plain words: "7.1% higher than 2019-20; 36.4% lower needed by
    2022-23 ..." (never "-7.1% reduction achieved", a double negative)."""
    required = figure_text(trajectory["required_reduction_pct"], "pct", lang)
    achieved = rounded(trajectory["achieved_reduction_pct"], "pct")  # a reduction: positive is lower
    if not isinstance(achieved, int | float):
        return t("trajectory_unknown", lang, baseline=baseline, required=required, year=year)
    key = "trajectory_lower" if achieved > 0 else "trajectory_higher" if achieved < 0 else "trajectory_same"
    return t(key, lang, pct=figure_text(abs(achieved), "pct", lang), baseline=baseline, required=required, year=year)


def rank_text(peer: dict, lang: str) -> str:
    """Say where a body stands in its peer group: its rank, or why it has none (alone, not a member)."""
    if peer["rank"] is None:
        return reasons.translate(peer["rank_reason"], lang) if peer.get("rank_reason") else t("not_available", lang)
    if peer["percentile"] is None:  # alone in its group: rank 1 of 1 says nothing
        return reasons.translate(peer["rank_reason"], lang)
    if not peer["member"]:
        return t("rank_value_not_member", lang, rank=peer["rank"], count=peer["peer_count"] + 1) + " " + \
            reasons.translate(peer["rank_reason"], lang)
    return t("rank_value", lang, rank=peer["rank"], count=peer["peer_count"]) + ", " + \
        t("quartile_value", lang, quartile=peer["quartile"])


def own_baseline_item(r: dict, lang: str) -> list[tuple[str, str]]:
    """The change since the body's own baseline year, when it keeps one beside the scheme's 2019-20."""
    own = r.get("own_baseline")
    if not own:
        return []
    if own["change_pct"] is None:
        why = "; ".join(sorted({reasons.translate(v, lang) for v in own["left_out"].values()}))
        return [(t("org_headline_change_own_baseline", lang, baseline=own["year"]),
                 t("not_available", lang) + (f" ({why})" if why else ""))]
    return [(t("org_headline_change_own_baseline", lang, baseline=own["year"]),
             change_text(own["change_pct"], own["change_tco2e"], lang) + ", "
             + t("over_categories", lang, count=len(own["categories"])))]


def _marked(body: str, year: str, lang: str) -> str:
    """" (provisional (awaiting review))" after a title of figures from a return not yet accepted, else ""."""
    mark = status_mark(review_statuses().get((body, year)), lang)
    return f" ({mark})" if mark else ""


def headlines(r: dict, metric: str, lang: str) -> html.Dl:
    """Return the headline figures of a comparison as a description list."""
    year, peer, trajectory = r["reporting_year"], r["peer_group"], r["trajectory"]
    key = measures.metric_key(metric)
    value = r["total_tco2e"] if metric == "total" else r["intensities"].get(key)
    previous = years.previous(year)
    status = t(f"status_{trajectory['status']}", lang)
    mark = status_badge(review_statuses().get((r["organisation"]["id"], year)), lang, "org-status")
    items = [
        (t("org_headline_total", lang, year=year),
         [figure_text(r["total_tco2e"], "tco2e", lang, "tCO2e"), " " if mark else "", mark]),
        (
            t("org_headline_change_baseline", lang, baseline=r["baseline_year"]),
            change_text(r["change_vs_baseline_pct"], r["change_vs_baseline_tco2e"], lang) + ", "
            + t("over_categories", lang, count=len(r["change_vs_baseline_categories"])),
        ),
        *own_baseline_item(r, lang),
        (
            t("org_headline_change_yoy", lang, previous=previous),
            change_text(r["change_year_on_year_pct"], r["change_year_on_year_tco2e"], lang),
        ),
        (
            t("org_headline_intensity", lang, metric=t(f"metric_{metric}", lang), year=year),
            figure_text(value, "tco2e" if metric == "total" else "intensity", lang, t(f"unit_{metric}", lang)),
        ),
        (
            t("org_headline_rank", lang, group=t(f"peer_phrase_{peer['name'].split(':')[0]}", lang)),
            rank_text(peer, lang),
        ),
        (t("org_headline_trajectory", lang), status),
    ]
    children = []
    for term, detail in items:
        children += [html.Dt(term), html.Dd(detail)]
    return html.Dl(children, className="headlines", id="org-headlines")


def category_history(engine: Engine, body: str, lang: str) -> tuple[Figure, pd.DataFrame]:
    """A body's reported emissions by category over the years, as stacked bars in two panels, and as a table.

    Supply chain (spend-based, typically 60-90% of a total) has the top panel to itself and every
    other category shares the bottom one on its own scale, so that water, homeworking and travel
    are seen rather than flattened under it.
    """
    v = vocabulary()
    supply_chain = v.category_with_role("spend_based")
    cells = measures.body_cells(engine.categories, body)
    years = sorted({y for y, _ in cells})
    statuses = review_statuses()
    fig = Figure()
    rows = []
    for i, cat in enumerate(v.ordered_categories()):
        status = {y: cells.get((y, cat.id), ("missing", None))[0] for y in years}
        values = [cells[(y, cat.id)][1] if status[y] == "reported" else None for y in years]
        if any(x is not None for x in values):
            axes = {} if cat.id == supply_chain else {"xaxis": "x2", "yaxis": "y2"}
            fig.add_bar(name=cat.name(lang), x=years, y=values, marker_color=PALETTE[i % len(PALETTE)],
                        hovertemplate="%{fullData.name}, %{x}: %{y:,.0f} tCO2e<extra></extra>", **axes)
        for y, value in zip(years, values, strict=True):
            rows.append(
                {
                    t("col_category", lang): cat.name(lang),
                    t("col_year", lang): y,
                    t("col_tco2e", lang): value,
                    t("col_status", lang): t(status[y], lang),
                    t("col_review_status", lang): status_words(statuses.get((body, y)), lang),
                }
            )
    fig.update_layout(barmode="relative")
    title = t("chart_by_category", lang, first=years[0] if years else "", last=years[-1] if years else "")
    fig = base_layout(fig, title, t("axis_year", lang), t("axis_tco2e", lang))
    panels = (v.categories[supply_chain].name(lang), t("panel_other_categories", lang))
    # The panels name what they hold; their axes say the unit only, which leaves room for the plot on a phone.
    return stacked_panels(fig, panels, t("unit_total", lang), height=760), pd.DataFrame(rows)


def trajectory_chart(engine: Engine, body: str, r: dict, lang: str) -> tuple[Figure, pd.DataFrame]:
    """The body's emissions each year against the straight path from its whole 2019-20 baseline to 2030.

    Each year's point is the baseline less the like-for-like reduction (over the categories
    reported in both years, net of land), so every point and the path share one baseline.
    """
    actual, path = {}, {}
    for y in engine.years():
        tr = rollups.group_trajectory(engine.categories, engine.registry, [body], y)
        if tr["tco2e"] is not None:
            actual[y] = tr["tco2e"]
            path = path or tr["required_path_tco2e"]
    return trajectory_figure(actual, path, t("chart_trajectory", lang), lang)


def plan_section(engine: Engine, body: str, lang: str) -> html.Section:
    """The body's net zero plan (issue 18): its projects' scenarios against the straight path to 2030-31, the gap
    in 2030-31 and the saving still to be found in each, its projects as a table, and how it is worked out."""
    from decarb_dashboard import plan
    from uploads_schema.projects import project_statuses

    result = plan.plan_of(engine, data.store(), body)
    name = result["organisation_name"][lang]
    upload = html.A(t("upload_projects_link", lang), href=href("/projects/upload", lang, body=body))
    if not result["projects"]:
        return html.Section([html.H2(t("plan_heading", lang)), html.P(t("plan_none", lang, body=name)), html.P(upload)],
                            id="org-plan")
    fig, frame = plan_views.scenario_figure(result, t("chart_plan", lang), lang)
    sentences = plan_views.gap_sentences(result, lang)
    if "no_baseline" in result["notes"]:
        sentences.append(html.P(t("plan_no_baseline", lang)))
    projects = pd.DataFrame({
        t("col_project", lang): [p["project"] for p in result["projects"]],
        t("col_status", lang): [project_statuses()[p["status"]].name(lang) for p in result["projects"]],
        t("col_category", lang): [vocabulary().categories[p["category"]].name(lang) for p in result["projects"]],
        t("col_start_year", lang): [p["start_year"] for p in result["projects"]],
        t("col_saving_tco2e_per_year", lang): [p["saving_tco2e_per_year"] for p in result["projects"]],
        t("col_cost_gbp_per_tco2e", lang): [p["cost_gbp_per_tco2e"] for p in result["projects"]],
        t("col_realised_tco2e", lang): [p["realised_saving_tco2e"] for p in result["projects"]],
        t("col_realised_check", lang): [realised_words(p, lang) for p in result["projects"]],
    })
    return html.Section([
        html.H2(t("plan_heading", lang)),
        *sentences,
        chart_block("org-plan-chart", fig, frame, lang, "tco2e", download_name(body, "plan", lang=lang)),
        table_block("org-plan-projects", projects, t("plan_projects_caption", lang, body=name), lang,
                    kinds={t("col_saving_tco2e_per_year", lang): "tco2e", t("col_cost_gbp_per_tco2e", lang): "tco2e",
                           t("col_realised_tco2e", lang): "tco2e"},
                    download=download_name(body, "projects", lang=lang)),
        html.P(t("plan_model", lang)),
        html.P(t("plan_realised_model", lang, pct=f"{config.realised_flag_pct():g}")),
        html.P(upload),
    ], id="org-plan")


def realised_words(project: dict, lang: str) -> str:
    """A completed project's realised saving against its expected one, in words (empty for any other project)."""
    if project["realised_note"] is not None:
        return t(f"realised_{project['realised_note']}", lang, year=project["realised_from_year"])
    if project["realised_saving_tco2e"] is None:
        return ""
    return t("realised_below" if project["realised_below_expected"] else "realised_in_line", lang,
             start=project["realised_from_year"], end=project["realised_to_year"])


def peer_chart(
    engine: Engine, body: str, r: dict, metric: str, include_sc: bool, lang: str
) -> tuple[Figure, pd.DataFrame]:
    """Every peer as a point, the body highlighted, the median and quartiles marked; more than
    :data:`PEERS_NAMED` peers as their distribution, the body a point on it (the table lists every peer)."""
    m = data.matcher()
    peer = r["peer_group"]
    values = engine.values if include_sc else engine.values_without_supply_chain
    v = values[
        (values["metric"] == metric)
        & (values["reporting_year"] == r["reporting_year"])
        & values["organisation_id"].isin(peer["members"])
        & values["value"].notna()
    ]
    v = v.sort_values("value")
    names = [m.name(b, lang, short=True) for b in v["organisation_id"]]
    own = (v["organisation_id"] == body).to_numpy()
    unit, kind = t(f"unit_{metric}", lang), "tco2e" if metric == "total" else "intensity"
    this_body = t("series_this_body", lang, body=m.name(body, lang, short=True))
    if len(names) > PEERS_NAMED:
        fig = distribution_figure(v["value"].tolist(), [(this_body, float(x)) for x in v["value"][own]], kind, unit,
                                  lang)
    else:
        fig = _named_peers(v["value"], names, own, this_body, kind, unit, lang)
    key = measures.metric_key(metric)
    q1, median, q3 = peer.get(f"peer_q1_{key}"), peer.get(f"peer_median_{key}"), peer.get(f"peer_q3_{key}")
    if median is not None:
        fig.add_vrect(x0=q1, x1=q3, fillcolor=PALETTE[4], opacity=0.2, name=t("series_quartiles", lang))
        fig.add_vline(x=median, line_dash="dash", line_color=PALETTE[7], name=t("series_median", lang))
    title = t(
        "chart_peers",
        lang,
        body=m.name(body, lang, short=True),
        group=t(f"peer_phrase_{peer['name'].split(':')[0]}", lang),
        metric=t(f"metric_{metric}", lang),
        year=r["reporting_year"],
    )
    x_title = f"{t(f'unit_{metric}', lang)}, {r['reporting_year']}"
    if len(names) > PEERS_NAMED:
        fig = base_layout(fig, title, x_title, t("axis_bodies", lang))
        fig.update_layout(height=420, showlegend=True)
    else:
        fig = base_layout(fig, title, x_title, "")
        fig.update_layout(height=max(350, 28 * len(names) + 180), showlegend=True, yaxis={
            "dtick": 1, "categoryorder": "array", "categoryarray": names})  # by value
    frame = pd.DataFrame({t("col_body", lang): names, t(f"metric_{metric}", lang): v["value"].tolist()})
    return fig, frame


def _named_peers(values: pd.Series, names: list[str], own, this_body: str, kind: str, unit: str, lang: str
                 ) -> Figure:
    """Each peer a point on its own row (``names``, by value), the body's in its own colour: two traces."""
    fig = Figure()
    for chosen, name, colour, size in ((~own, t("series_peer", lang), PALETTE[0], 11),
                                       (own, this_body, PALETTE[5], 14)):
        if chosen.any():
            fig.add_scatter(x=values[chosen], y=[n for n, c in zip(names, chosen, strict=True) if c],
                            mode="markers", marker={"color": colour, "size": size}, name=name,
                            text=[figure_text(x, kind, lang, unit) for x in values[chosen]],
                            hovertemplate="%{y}: %{text}<extra></extra>")
    return fig


def category_vs_median(engine: Engine, body: str, r: dict, lang: str) -> pd.DataFrame:
    """A body's categories against the median of its peers that reported each."""
    c = engine.categories[
        (engine.categories["reporting_year"] == r["reporting_year"])
        & engine.categories["organisation_id"].isin(r["peer_group"]["members"])
    ]
    rows = []
    for entry in r["categories"]:
        cat = vocabulary().categories[entry["category"]]
        peers = c[(c["category"] == cat.id) & (c["status"] == "reported") & (c["organisation_id"] != body)]
        rows.append(
            {
                t("col_category", lang): cat.name(lang),
                t("col_tco2e", lang): entry["tco2e"] if entry["tco2e"] is not None else t(entry["status"], lang),
                t("col_peer_median", lang): float(peers["tco2e"].median()) if len(peers) else None,
                t("col_change_baseline", lang): entry["change_vs_baseline_pct"]
                if entry["change_vs_baseline_pct"] is not None
                else reasons.translate(entry["change_vs_baseline_reason"], lang),
                t("col_change_yoy", lang): entry["change_year_on_year_pct"]
                if entry["change_year_on_year_pct"] is not None
                else reasons.translate(entry["change_year_on_year_reason"], lang),
            }
        )
    return pd.DataFrame(rows)


def body_flags(body: str, year: str, lang: str) -> html.Section:
    """The body's own quality flags for ``year``, as the reviewers see them on the Wales overview."""
    from decarb_dashboard.web.flags import flag_items

    flags = data.quality_flags(year)
    own = flags[flags["organisation_id"] == body]
    title = t("org_flags_title", lang, year=year)
    if own.empty:
        return html.Section([html.H2(title), html.P(t("org_flags_none", lang, year=year))], id="org-flags")
    return html.Section([html.H2(title), html.Ul(flag_items(own, year, lang, link=False))], id="org-flags",
                        className="flag-list")


def area_map(engine: Engine, body: str, year: str, metric: str, include_sc: bool, lang: str) -> html.Div | html.P:
    """The body's area outlined on the map of its kind of area (councils or health boards), each coloured by
    ``metric`` in ``year``; a sentence for a body with no area of its own on the map."""
    m = data.matcher()
    code = ons_code(engine, body)
    if code is None:
        return html.P(t("map_org_none", lang, body=m.name(body, lang, short=True)), id="org-map-none")
    level = level_of(code)
    return html.Div([
        html.P(t("map_org_peers", lang, level=t(f"map_org_level_{level}", lang), body=m.name(body, lang, short=True))),
        map_block("org-map", engine, year, metric, level, lang, include_sc, highlight=code,
                  download=download_name(body, year, "map", metric, None if include_sc else "without-supply-chain",
                                         lang=lang)),
    ], id="org-map-section")


def report_link(body: str, year: str, peer_group: str, metric: str, lang: str) -> str:
    """The report pack's address, its place among peers in the peer group and metric chosen (defaults left out)."""
    return href(f"/report/{body}/{year}.pdf", lang, peers="" if peer_group == "type" else peer_group,
                metric="" if metric == "total" else metric)


def view(engine: Engine, body: str, year: str, metric: str, peer_group: str, include_sc: bool, lang: str) -> list:
    """Return the page's figures for a body and year (the callback is a thin wrapper around this), worked out
    once per engine (:func:`data.page_view`)."""
    def build() -> list:
        # Its downloads and pages of rows are this view's, however it was first asked for (perhaps ahead of anyone).
        with view_query("org-view.children", [body, year, metric, peer_group, "with" if include_sc else "without",
                                              lang]):
            return _figures(engine, body, year, metric, peer_group, include_sc, lang)

    return data.page_view(engine, "organisation", (body, year, metric, peer_group, include_sc, lang), build)


def _figures(engine: Engine, body: str, year: str, metric: str, peer_group: str, include_sc: bool, lang: str
             ) -> list:
    r = data.comparison(engine, body, year, peer_group=peer_group, metric=metric, include_supply_chain=include_sc)
    history_fig, history = category_history(engine, body, lang)
    history_years = sorted(history[t("col_year", lang)].unique()) if len(history) else []
    first, last = (history_years[0], history_years[-1]) if history_years else (None, None)
    path_fig, path = trajectory_chart(engine, body, r, lang)
    peers_fig, peers = peer_chart(engine, body, r, metric, include_sc, lang)
    notes = []
    if r["peer_group"]["left_out"]:
        notes.append(left_out_note(r["peer_group"]["left_out"], lang))
    if r["peer_group"]["note"]:
        notes.append(
            html.P(
                t(
                    "category_note",
                    lang,
                    categories=", ".join(
                        vocabulary().categories[c].name(lang) for c in r["peer_group"]["categories_not_reported_by_all"]
                    ),
                )
            )
        )
    coverage = r["peer_group"]["coverage"]
    notes.append(html.P(t("peer_coverage", lang, reported=coverage["bodies_reported"],
                          expected=coverage["bodies_expected"], year=year),
                        className="warning-text" if coverage["provisional"] else None))
    trajectory = r["trajectory"]
    return [
        headlines(r, metric, lang),
        html.P(html.A(t("report_download", lang, year=year), href=report_link(body, year, peer_group, metric, lang),
                      id="org-report-link", className="report-link"), className="report-download"),
        body_flags(body, year, lang),
        html.P(trajectory_sentence(trajectory, r["baseline_year"], year, lang), id="org-trajectory-sentence"),
        chart_block("org-history", history_fig, history, lang, {t("col_tco2e", lang): "tco2e"},
                    download_name(body, f"{first}-to-{last}" if first else None, "categories", lang=lang)),
        chart_block("org-trajectory", path_fig, path, lang, "tco2e", download_name(body, "trajectory", lang=lang)),
        plan_section(engine, body, lang),
        chart_block("org-peers", peers_fig, peers, lang, "tco2e" if metric == "total" else "intensity",
                    download_name(body, year, "peers", metric, lang=lang)),
        *notes,
        area_map(engine, body, year, metric, include_sc, lang),
        table_block("org-categories", category_vs_median(engine, body, r, lang),
                    t("chart_category_vs_median", lang, year=year) + _marked(body, year, lang), lang, heading=True,
                    kinds={t("col_tco2e", lang): "tco2e", t("col_peer_median", lang): "tco2e",
                           t("col_change_baseline", lang): "pct", t("col_change_yoy", lang): "pct"},
                    download=download_name(body, year, "categories", lang=lang)),
        publication_note(lang),
    ]


def update(body: str, year: str, metric: str, peers: str, supply: str, lang: str) -> list:
    engine = data.engine()
    if (
        body not in set(engine.registry["id"])
        or year not in engine.years()
        or metric not in metrics()
        or peers not in peer_groups()
    ):
        raise dash.exceptions.PreventUpdate
    return view(engine, body, year, metric, peers, supply != "without", language(lang))


def register(app: Dash) -> None:
    dash.register_page(__name__, path="/organisation", layout=layout, title="My organisation")
    app.callback(
        Output("org-view", "children"),
        Input("org-body", "value"),
        Input("org-year", "value"),
        Input("org-metric", "value"),
        Input("org-peers", "value"),
        Input("org-supply", "value"),
        State("org-lang", "data"),
        prevent_initial_call=True,
    )(update)
    register_body_search(app, "org-body", "org-lang")
