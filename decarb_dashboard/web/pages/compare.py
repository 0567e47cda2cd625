"""Compare: several bodies, or a peer group, on one measure and year, ranked, with quartile bands."""

from __future__ import annotations

import dash
import pandas as pd
from dash import Dash, Input, Output, State, dcc, html

from decarb_dashboard import peers, rollups
from decarb_dashboard.engine import Engine
from decarb_dashboard.web import data
from decarb_dashboard.web.components import (
    PALETTE,
    PEERS_NAMED,
    Figure,
    base_layout,
    chart_block,
    distribution_figure,
    download_name,
    figure_text,
    left_out_note,
    publication_note,
    review_statuses,
    status_mark,
    status_words,
    view_query,
)
from decarb_dashboard.web.controls import (
    body_selector,
    metric_control,
    metrics,
    peer_control,
    peer_groups,
    register_body_search,
)
from decarb_dashboard.web.flags import flag_items
from decarb_dashboard.web.i18n import language, t


def layout(lang: str = "en", **_query: str) -> html.Div:
    lang = language(lang)
    engine = data.engine()
    year = data.chosen_year(None)
    bodies = ["cardiff", "newport", "swansea", "wrexham"]
    return html.Div(
        [
            html.H1(t("compare_title", lang)),
            dcc.Store(id="cmp-lang", data=lang),
            html.Div(
                [
                    body_selector("cmp-bodies", t("compare_pick_bodies", lang), lang, bodies, wide=True, multi=True),
                    peer_control("cmp", lang),
                    metric_control("cmp", lang, "per_fte"),
                    html.Div(
                        [
                            html.Label(t("label_year", lang), htmlFor="cmp-year"),
                            dcc.Dropdown(id="cmp-year", options=data.year_options(lang), value=year, clearable=False),
                        ],
                        className="control",
                    ),
                ],
                className="controls",
            ),
            dcc.Loading(html.Div(id="cmp-view", children=view(engine, bodies, "type", "per_fte", year, lang)),
                        target_components={"cmp-view": "children"}),
        ]
    )


def view(engine: Engine, bodies: list[str], peer_group: str, metric: str, year: str, lang: str) -> list:
    """A ranked chart of the chosen bodies (or the first one's peer group) with quartile bands, and a table; worked
    out once per engine (:func:`data.page_view`)."""
    def build() -> list:
        # Its downloads and pages of rows are this view's, however it was first asked for (perhaps ahead of anyone).
        with view_query("cmp-view.children", [list(bodies), peer_group, metric, year, lang]):
            return _figures(engine, list(bodies), peer_group, metric, year, lang)

    return data.page_view(engine, "compare", (tuple(bodies), peer_group, metric, year, lang), build)


def _figures(engine: Engine, bodies: list[str], peer_group: str, metric: str, year: str, lang: str) -> list:
    m = data.matcher()
    chosen = bodies
    if len(bodies) == 1:
        bodies = peers.peer_bodies(engine.registry, bodies[0], peer_group)[1]
    v = engine.values[
        (engine.values["metric"] == metric)
        & (engine.values["reporting_year"] == year)
        & engine.values["organisation_id"].isin(bodies)
    ]
    available = v[v["value"].notna()].sort_values("value")
    left_out = v[v["value"].isna()]
    names = [m.name(b, lang, short=True) for b in available["organisation_id"]]
    kind = "tco2e" if metric == "total" else "intensity"
    unit = t(f"unit_{metric}", lang)
    many = len(names) > PEERS_NAMED  # their distribution, the chosen body marked; the table lists every one
    if many:
        fig = distribution_figure(available["value"].tolist(), [
            (t("series_this_body", lang, body=m.name(b, lang, short=True)), float(x))
            for b, x in zip(available["organisation_id"], available["value"], strict=True) if b in chosen], kind,
            unit, lang)
    else:
        fig = Figure()
        fig.add_bar(
            x=available["value"], y=names, orientation="h", marker_color=PALETTE[0], name=t(f"metric_{metric}", lang),
            text=[figure_text(x, kind, lang, unit) for x in available["value"]],
            textposition="none", hovertemplate="%{y}: %{text}<extra></extra>",
        )
    if len(available) >= 2:
        q1, median, q3 = peers.quartiles(available["value"].to_numpy())
        fig.add_vrect(x0=q1, x1=q3, fillcolor=PALETTE[4], opacity=0.2, name=t("series_quartiles", lang))
        fig.add_vline(x=median, line_dash="dash", line_color=PALETTE[7], name=t("series_median", lang))
    fig = base_layout(
        fig, t("chart_ranked", lang, metric=t(f"metric_{metric}", lang), year=year),
        f"{unit}, {year}", t("axis_bodies", lang) if many else ""  # the unit and year: a phone cuts a longer one
    )
    if many:
        fig.update_layout(height=420, showlegend=True)
    else:
        # The band and the median in the legend (as labels over the plot they overlapped); the bars need none.
        fig.data[0]["showlegend"] = False
        fig.update_layout(height=max(350, 30 * len(names) + 180), showlegend=True,
                          yaxis={"autorange": "reversed"})  # room for the names: chart_block
    values = available["value"].to_numpy()
    places = [peers.standing(x, values) for x in values]  # the library's one rule: ties share the lower rank
    ranks = [p["rank"] for p in places]
    quartiles = [p["quartile"] for p in places]
    statuses = review_statuses()
    frame = pd.DataFrame(
        {
            t("col_rank", lang): ranks,
            t("col_body", lang): names,
            t(f"metric_{metric}", lang): available["value"].tolist(),
            t("col_quartile", lang): quartiles,
            t("col_review_status", lang): [status_words(statuses.get((b, year)), lang)
                                           for b in available["organisation_id"]],
        }
    )
    unaccepted = [n for n, b in zip(names, available["organisation_id"], strict=True)
                  if status_mark(statuses.get((b, year)), lang)]
    out = [chart_block("cmp-ranked", fig, frame, lang, {t(f"metric_{metric}", lang): kind},
                       download_name("compare", year, metric, lang=lang)), publication_note(lang)]
    if unaccepted:
        out.insert(0, html.P(html.Strong(t("compare_unaccepted", lang, count=len(unaccepted),
                                           names=", ".join(unaccepted)), className="status-badge status-submitted"),
                             id="cmp-unaccepted"))
    cover = rollups.coverage(engine.categories, engine.registry, bodies, year)
    out.append(html.P(t("peer_coverage", lang, reported=cover["bodies_reported"], expected=cover["bodies_expected"],
                        year=year), className="warning-text" if cover["provisional"] else None))
    flags = data.quality_flags(year)
    shown = flags[flags["organisation_id"].isin(bodies)]
    if len(shown):
        out.append(html.Section([html.H2(t("org_flags_title", lang, year=year)),
                                 html.Ul(flag_items(shown, year, lang))], id="cmp-flags", className="flag-list"))
    if len(left_out):
        out.append(left_out_note(dict(zip(left_out["organisation_id"], left_out["missing_reason"], strict=True)), lang))
    return out


def update(bodies: list[str] | None, peers: str, metric: str, year: str, lang: str) -> list:
    engine = data.engine()
    known = set(engine.registry["id"])
    bodies = [b for b in (bodies or []) if b in known]
    if metric not in metrics() or peers not in peer_groups() or year not in engine.years() or not bodies:
        raise dash.exceptions.PreventUpdate
    return view(engine, bodies, peers, metric, year, language(lang))


def register(app: Dash) -> None:
    dash.register_page(__name__, path="/compare", layout=layout, title="Compare")
    app.callback(
        Output("cmp-view", "children"),
        Input("cmp-bodies", "value"),
        Input("cmp-peers", "value"),
        Input("cmp-metric", "value"),
        Input("cmp-year", "value"),
        State("cmp-lang", "data"),
        prevent_initial_call=True,
    )(update)
    register_body_search(app, "cmp-bodies", "cmp-lang")
