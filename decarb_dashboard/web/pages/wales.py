"""Wales overview, Welsh Government's view: sectors, regions, categories, the map, the all-Wales trajectory,
coverage, who has submitted, and the figures to check."""

from __future__ import annotations

import datetime as dt

import dash
import pandas as pd
from dash import Dash, Input, Output, State, dcc, html

from decarb_dashboard import measures, peers, review, rollups
from decarb_dashboard.engine import Engine
from decarb_dashboard.memo import per_object
from decarb_dashboard.web import data, plan_views
from decarb_dashboard.web.components import (
    PALETTE,
    UNACCEPTED,
    Figure,
    base_layout,
    change_text,
    chart_block,
    download_name,
    dropdown,
    figure_text,
    publication_note,
    radios,
    review_statuses,
    stacked_panels,
    table_block,
    trajectory_figure,
    view_query,
)
from decarb_dashboard.web.controls import region_name, sector_name
from decarb_dashboard.web.flags import flag_items
from decarb_dashboard.web.i18n import language, t
from decarb_dashboard.web.map import LEVELS, map_block, measure_name, measures_offered
from uploads_schema.vocabulary import vocabulary

#: Longer lists are cut to this many entries on the page; the downloads hold them all.
MAX_ITEMS = 200
#: The Wales page lists bodies by review status: those with nothing in first, then those waiting on someone.
BODY_STATUS_ORDER = ("not_submitted", "queried", "submitted", "accepted")


def layout(lang: str = "en", year: str | None = None, gaps: str | None = None, measure: str | None = None,
           areas: str | None = None, **_query: str) -> html.Div:
    lang = language(lang)
    engine = data.engine()
    year = data.chosen_year(year)
    gap_fill = gaps == "fill"
    measure = measure if measure in measures_offered() else "total"
    areas = areas if areas in LEVELS else "council"
    return html.Div(
        [
            html.H1(t("wales_title", lang)),
            dcc.Store(id="wales-lang", data=lang),
            html.Div(
                [
                    html.Div(
                        [
                            html.Label(t("label_year", lang), htmlFor="wales-year"),
                            dcc.Dropdown(id="wales-year", options=data.year_options(lang), value=year,
                                         clearable=False),
                        ],
                        className="control",
                    ),
                    radios("wales-gaps", t("gap_fill_label", lang),
                           [{"label": t("gap_fill_off", lang), "value": "leave"},
                            {"label": t("gap_fill_on", lang), "value": "fill"}], "fill" if gap_fill else "leave"),
                    dropdown("wales-map-measure", t("map_label_measure", lang),
                             [{"label": measure_name(m, lang), "value": m} for m in measures_offered()], measure,
                             clearable=False),
                    radios("wales-map-areas", t("map_label_level", lang),
                           [{"label": t(f"map_level_{level}", lang), "value": level} for level in LEVELS], areas),
                ],
                className="controls",
            ),
            # The spinner is the view's own (a new year, say), never a page of a table's rows or a download: those
            # would hide the whole view, and the keyboard's focus on the button pressed with it.
            dcc.Loading(html.Div(id="wales-view", children=view(engine, year, lang, gap_fill, measure, areas)),
                        target_components={"wales-view": "children"}),
        ]
    )


def _provisional_years(lang: str) -> dict[str, str]:
    """Return {year: "1 of 45 bodies have reported"} for every year with too few returns."""
    return {y: t("coverage_short", lang, reported=c["bodies_reported"], expected=c["bodies_expected"])
            for y, c in data.year_coverage().items() if c["provisional"]}


def _year_totals(engine: Engine, column: str, gap_fill: bool) -> tuple[pd.DataFrame, pd.Series | None]:
    """Reported tCO2e (gross of land) per group and year, and what gap-filling adds per year (or None)."""

    def build() -> tuple[pd.DataFrame, pd.Series | None]:
        table = rollups.history_by_group(engine.categories, engine.registry, column)
        added = rollups.gap_filled_by_year(engine.categories, engine.registry, list(table.columns)) if gap_fill \
            else None
        return table, added

    return per_object(engine, ("year totals", column, gap_fill), build)


def grouped_history(engine: Engine, column: str, lang: str, title_key: str, gap_fill: bool = False
                    ) -> tuple[Figure, pd.DataFrame]:
    """Stacked bars of total tCO2e (gross of land) by sector or region over the years.

    A provisional year (too few returns) is drawn pale and labelled with its coverage; with
    ``gap_fill`` the figures carried forward are a separate, hatched part of each bar.
    """
    table, added = _year_totals(engine, column, gap_fill)
    provisional = _provisional_years(lang)
    year_list = list(table.columns)
    name = sector_name if column == "type" else region_name
    fig = Figure()
    for i, (group, row) in enumerate(table.iterrows()):
        fig.add_bar(
            name=name(str(group), lang), x=year_list, y=row.tolist(), marker_color=PALETTE[i % len(PALETTE)],
            marker_opacity=[0.35 if y in provisional else 1.0 for y in year_list],
        )
    if added is not None:
        fig.add_bar(name=t("series_gap_filled", lang), x=year_list, y=added.reindex(year_list).tolist(),
                    marker={"color": "#ffffff", "line": {"color": PALETTE[7], "width": 1},
                            "pattern": {"shape": "/", "fgcolor": PALETTE[8]}})
    fig.update_layout(barmode="stack")
    for y in year_list:
        if y in provisional:
            fig.annotate(y, t("provisional_mark", lang))
    title = t(title_key, lang, first=year_list[0] if year_list else "", last=year_list[-1] if year_list else "")
    frame = table.reset_index().rename(columns={"group": t("col_sector" if column == "type" else "col_region", lang)})
    frame.iloc[:, 0] = [name(str(g), lang) for g in frame.iloc[:, 0]]
    extra = []
    if added is not None:
        extra.append({frame.columns[0]: t("series_gap_filled", lang), **added.to_dict()})
    cover = data.year_coverage()
    extra.append({frame.columns[0]: t("col_coverage", lang),
                  **{y: t("coverage_short", lang, reported=cover[y]["bodies_reported"],
                          expected=cover[y]["bodies_expected"]) for y in year_list}})
    frame = pd.concat([frame, pd.DataFrame(extra)], ignore_index=True)
    return base_layout(fig, title, t("axis_year", lang), t("axis_tco2e", lang)), frame


def wales_categories(engine: Engine, lang: str) -> tuple[Figure, pd.DataFrame]:
    """All Wales's reported tCO2e by category over the years, in two panels (supply chain above every other
    category, each on its own scale, as a body's page draws them), and the same as a table.

    A category's bar is the sum over the bodies that reported it that year (not reported is left
    out, never counted as zero); the table says how many bodies that is. A provisional year is pale.
    """
    v = vocabulary()
    supply_chain = v.category_with_role("spend_based")
    reported = engine.categories[engine.categories["status"] == "reported"]
    g = reported.groupby(["category", "reporting_year"], observed=True)
    sums, counts = g["tco2e"].sum(), g["organisation_id"].nunique()
    year_list = engine.years()
    provisional = _provisional_years(lang)
    fig = Figure()
    rows = []
    for i, cat in enumerate(v.ordered_categories()):
        values = [float(sums[(cat.id, y)]) if (cat.id, y) in sums.index else None for y in year_list]
        if any(x is not None for x in values):
            axes = {} if cat.id == supply_chain else {"xaxis": "x2", "yaxis": "y2"}
            fig.add_bar(name=cat.name(lang), x=year_list, y=values, marker_color=PALETTE[i % len(PALETTE)],
                        marker_opacity=[0.35 if y in provisional else 1.0 for y in year_list],
                        hovertemplate="%{fullData.name}, %{x}: %{y:,.0f} tCO2e<extra></extra>", **axes)
        for y, value in zip(year_list, values, strict=True):
            rows.append({t("col_category", lang): cat.name(lang), t("col_year", lang): y, t("col_tco2e", lang): value,
                         t("col_bodies_with_category", lang): int(counts.get((cat.id, y), 0))})
    fig.update_layout(barmode="relative")
    title = t("chart_wales_by_category", lang, first=year_list[0] if year_list else "",
              last=year_list[-1] if year_list else "")
    fig = base_layout(fig, title, t("axis_year", lang), t("axis_tco2e", lang))
    for y in year_list:
        if y in provisional:
            fig.annotate(y, t("provisional_mark", lang))
    panels = (v.categories[supply_chain].name(lang), t("panel_other_categories", lang))
    return stacked_panels(fig, panels, t("unit_total", lang), height=760), pd.DataFrame(rows)


def wales_trajectory(engine: Engine, lang: str) -> tuple[Figure, pd.DataFrame]:
    actual, path = per_object(engine, "all-Wales trajectory", lambda: _wales_path(engine))
    return trajectory_figure(actual, path, t("chart_wales_trajectory", lang), lang,
                             provisional=_provisional_years(lang), actual_key="series_wales_like_for_like")


def _wales_path(engine: Engine) -> tuple[dict, dict]:
    """All Wales's tCO2e per year (the all-Wales baseline less the like-for-like reduction) and the path to 2030.

    The path starts from the all-Wales 2019-20 baseline whatever year is shown, so one early
    return for a new year moves neither the path nor any earlier point.
    """
    bodies = sorted(engine.registry["id"].astype(str))
    each_year = {y: rollups.group_trajectory(engine.categories, engine.registry, bodies, y) for y in engine.years()}
    actual = {y: tr["tco2e"] for y, tr in each_year.items() if tr["tco2e"] is not None}
    path = next((tr["required_path_tco2e"] for tr in each_year.values() if tr["required_path_tco2e"]), {})
    return actual, path


def coverage_notice(engine: Engine, year: str, lang: str, gap_fill: bool) -> html.Section:
    """The year's headline figures with their coverage, and a warning when the year is provisional."""
    flags = data.quality_flags(year)
    summary = per_object(engine, ("all-Wales summary", year, gap_fill), lambda: rollups.group_summary(
        engine.categories, engine.registry, sorted(engine.registry["id"].astype(str)), year, flags, gap_fill))
    c, lfl = summary["coverage"], summary["like_for_like"]
    share = figure_text(c["baseline_share_pct"], "pct", lang) + "%"
    coverage_text = t("coverage_line", lang, year=year, reported=c["bodies_reported"], expected=c["bodies_expected"],
                      share=share)
    trajectory = per_object(engine, ("all-Wales trajectory", year), lambda: rollups.group_trajectory(
        engine.categories, engine.registry, rollups.expected_bodies(engine.registry, year), year))
    items = [
        (t("wales_headline_total", lang, year=year), figure_text(summary["total_tco2e"], "tco2e", lang, "tCO2e")),
        (t("wales_headline_coverage", lang), coverage_text),
        (t("wales_headline_change", lang, count=len(lfl["bodies"])),
         change_text(lfl["change_vs_baseline_pct"], lfl["change_vs_baseline_tco2e"], lang)),
        (t("org_headline_trajectory", lang), t(f"status_{trajectory['status']}", lang)),
    ]
    if gap_fill and summary["gap_filled_tco2e"] is not None:
        items.insert(1, (t("wales_headline_gap_filled", lang, year=year),
                         t("gap_filled_value", lang,
                           total=figure_text(summary["gap_filled_tco2e"], "tco2e", lang, "tCO2e"),
                           added=figure_text(summary["gap_fill"]["filled_tco2e"], "tco2e", lang, "tCO2e"),
                           cells=len(summary["gap_fill"]["cells"]))))
    children = []
    for term, detail in items:
        children += [html.Dt(term), html.Dd(detail)]
    out = [html.Dl(children, className="headlines", id="wales-headlines"), unaccepted_note(year, lang)]
    if c["provisional"]:
        out.insert(0, html.P(t("coverage_provisional", lang, year=year, reported=c["bodies_reported"],
                                expected=c["bodies_expected"], share=share), className="warning-text",
                             id="wales-provisional"))
    flagged = summary["flagged_figures"]
    if flagged:
        m = data.matcher()
        v = vocabulary()
        names = "; ".join(
            f"{m.name(f['organisation_id'], lang, short=True)}, "
            f"{v.categories[f['category']].name(lang) if f['category'] else ''} ({t('flag_' + f['kind'], lang)})"
            for f in flagged[:10])
        out.append(html.P([t("flagged_note", lang, count=len(flagged), items=names), " ",
                           html.A(t("flagged_see", lang), href="#quality-flags")], className="flagged-note"))
    return html.Section(out, id="wales-coverage-notice")


def unaccepted_note(year: str, lang: str) -> html.P:
    """How many of the year's figures come from returns not yet accepted, and which returns the page includes."""
    statuses = [s for (_, y), s in review_statuses().items() if y == year]
    counts = {s: statuses.count(s) for s in UNACCEPTED}
    words = t("wales_unaccepted", lang, count=sum(counts.values()),
              submitted=counts["submitted"], queried=counts["queried"]) if sum(counts.values()) else ""
    return html.P([html.Strong(words, className="status-badge status-submitted") if words else "", " " if words else "",
                   publication_note(lang).children], id="wales-unaccepted", className="publication-note")


def coverage_table(engine: Engine, year: str, lang: str) -> pd.DataFrame:
    m = data.matcher()
    bodies = sorted(engine.registry["id"], key=lambda b: m.name(b, lang, short=True))
    grid = peers.category_grid(engine.categories, year, bodies)
    words = {s: t(s, lang) for s in pd.unique(grid.to_numpy().ravel())}  # each status worded once, not per cell
    frame = grid.apply(lambda column: column.map(words))
    frame.columns = [vocabulary().categories[c].name(lang) for c in grid.columns]
    frame.insert(0, t("col_body", lang), [m.name(b, lang, short=True) for b in grid.index])
    return frame.reset_index(drop=True)


def submission_status(year: str, lang: str) -> pd.DataFrame:
    """Every expected body's review status for ``year`` (:func:`review.body_statuses`), in words: not submitted,
    submitted (awaiting review), queried or accepted, and whether its return came (or is) late."""
    m = data.matcher()
    registry = data.registry()
    found = review.body_statuses(data.store(), registry, year)
    sectors = dict(zip(registry["id"], registry["type"], strict=True))
    rows = [
        {
            t("col_body", lang): m.name(b, lang, short=True),
            t("col_sector", lang): sector_name(sectors[b], lang) if b in sectors else "",
            t("col_review_status", lang): t(f"body_status_{status}", lang),
            t("col_late", lang): t("late_yes" if late else "late_no", lang),
        }
        for b, status, late in zip(found["organisation_id"], found["status"], found["late"], strict=True)
    ]
    order = {s: k for k, s in enumerate(BODY_STATUS_ORDER)}
    frame = pd.DataFrame(rows).assign(order=found["status"].map(order).to_numpy())
    return frame.sort_values(["order", t("col_body", lang)], kind="stable").drop(columns="order") \
        .reset_index(drop=True)


def quality_list(engine: Engine, year: str, lang: str) -> html.Section:
    """The figures to check, each linking to the body's page for that year."""
    flags = data.quality_flags(year)
    title = t("quality_title", lang, year=year)
    if flags.empty:
        return html.Section([html.H2(title), html.P(t("quality_none", lang))], id="quality-flags")
    items = flag_items(flags, year, lang, limit=MAX_ITEMS)
    more = [html.P(t("showing_first", lang, shown=len(items), total=len(flags)))] if len(flags) > len(items) else []
    return html.Section([html.H2(title), html.Ul(items), *more], id="quality-flags")


def view(engine: Engine, year: str, lang: str, gap_fill: bool = False, measure: str = "total",
         areas: str = "council") -> list:
    """The page's figures for a year (the callback is a thin wrapper around this), worked out once per engine
    (:func:`data.page_view`) and day (whether a return is late turns on the date)."""
    def build() -> list:
        # Its downloads and pages of rows are this view's, however it was first asked for (perhaps ahead of anyone).
        with view_query("wales-view.children", [year, "fill" if gap_fill else "leave", measure, areas, lang]):
            return _figures(engine, year, lang, gap_fill, measure, areas)

    return data.page_view(engine, "wales", (year, lang, gap_fill, measure, areas, dt.date.today()), build)


def _figures(engine: Engine, year: str, lang: str, gap_fill: bool, measure: str, areas: str) -> list:
    sector_fig, sector = grouped_history(engine, "type", lang, "chart_by_sector", gap_fill)
    category_fig, category = per_object(engine, ("all-Wales categories", lang), lambda: wales_categories(engine, lang))
    region_fig, region = grouped_history(engine, "region", lang, "chart_by_region", gap_fill)
    path_fig, path = wales_trajectory(engine, lang)
    baseline = per_object(engine, "all-Wales trajectory", lambda: _wales_path(engine))[1].get(measures.BASELINE_YEAR)
    filled = "gap-filled" if gap_fill else None
    return [
        coverage_notice(engine, year, lang, gap_fill),
        quality_list(engine, year, lang),
        chart_block("wales-sector", sector_fig, sector, lang, "tco2e",
                    download_name("wales", "sectors-by-year", filled, lang=lang)),
        chart_block("wales-region", region_fig, region, lang, "tco2e",
                    download_name("wales", "regions-by-year", filled, lang=lang)),
        chart_block("wales-categories", category_fig, category, lang, {t("col_tco2e", lang): "tco2e"},
                    download_name("wales", "categories-by-year", lang=lang)),
        map_block("wales-map", engine, year, measure, areas, lang,
                  download=download_name("wales", year, "map", areas, measure, lang=lang)),
        chart_block("wales-trajectory", path_fig, path, lang, "tco2e", download_name("wales", "trajectory", lang=lang)),
        html.P(t("trajectory_wales_note", lang, baseline=figure_text(baseline, "tco2e", lang, "tCO2e"))),
        plan_views.wales_section(engine, lang),
        table_block("wales-submissions", submission_status(year, lang),
                    t("wales_status_title", lang, year=year), lang, heading=True,
                    download=download_name("wales", year, "submissions", lang=lang)),
        table_block("wales-coverage", coverage_table(engine, year, lang), t("coverage_title", lang, year=year), lang,
                    heading=True, download=download_name("wales", year, "coverage", lang=lang)),
    ]


def update(year: str, gaps: str, measure: str, areas: str, lang: str) -> list:
    engine = data.engine()
    if year not in engine.years() or gaps not in ("leave", "fill") or measure not in measures_offered() \
            or areas not in LEVELS:
        raise dash.exceptions.PreventUpdate
    return view(engine, year, language(lang), gaps == "fill", measure, areas)


def register(app: Dash) -> None:
    dash.register_page(__name__, path="/wales", layout=layout, title="Wales overview")
    app.callback(
        Output("wales-view", "children"),
        Input("wales-year", "value"),
        Input("wales-gaps", "value"),
        Input("wales-map-measure", "value"),
        Input("wales-map-areas", "value"),
        State("wales-lang", "data"),
        prevent_initial_call=True,
    )(update)
