"""Wales overview, Welsh Government's view: sectors, regions, the all-Wales trajectory, coverage,
who has submitted, and the figures to check."""

from __future__ import annotations

import dash
import pandas as pd
from dash import Dash, Input, Output, State, dcc, html

from decarb_dashboard import benchmark, measures
from decarb_dashboard.compare import Engine
from decarb_dashboard.memo import per_object
from decarb_dashboard.web import data
from decarb_dashboard.web.components import PALETTE, Figure, base_layout, chart_block, table_block, trajectory_figure
from decarb_dashboard.web.i18n import language, t
from uploads_schema.vocabulary import vocabulary

#: Longer lists are cut to this many entries on the page; the downloads hold them all.
MAX_ITEMS = 200


def sector_name(kind: str, lang: str) -> str:
    return t(f"type_{kind}", lang)


def region_name(region: str, lang: str) -> str:
    return t("region_" + region.lower().replace(" ", "_"), lang)


def layout(lang: str = "en", year: str | None = None, **_query: str) -> html.Div:
    lang = language(lang)
    engine = data.engine()
    year = data.chosen_year(year)
    return html.Div(
        [
            html.H1(t("wales_title", lang)),
            dcc.Store(id="wales-lang", data=lang),
            html.Div(
                [
                    html.Label(t("label_year", lang), htmlFor="wales-year"),
                    dcc.Dropdown(id="wales-year", options=data.year_options(), value=year, clearable=False),
                ],
                className="control",
            ),
            dcc.Loading(html.Div(id="wales-view", children=view(engine, year, lang))),
        ]
    )


def grouped_history(engine: Engine, column: str, lang: str, title_key: str) -> tuple[Figure, pd.DataFrame]:
    """Stacked bars of total tCO2e (gross of land) by sector or region over the years."""
    totals = measures.totals(engine.categories)
    groups = engine.registry.set_index("id")[column]
    totals["group"] = totals["organisation_id"].map(groups)
    table = totals.groupby(["group", "reporting_year"])["total_tco2e"].sum().unstack("reporting_year")
    name = sector_name if column == "type" else region_name
    fig = Figure()
    for i, (group, row) in enumerate(table.iterrows()):
        fig.add_bar(
            name=name(str(group), lang), x=list(table.columns), y=row.tolist(), marker_color=PALETTE[i % len(PALETTE)]
        )
    fig.update_layout(barmode="stack")
    years = list(table.columns)
    title = t(title_key, lang, first=years[0] if years else "", last=years[-1] if years else "")
    frame = table.reset_index().rename(columns={"group": t("col_sector" if column == "type" else "col_region", lang)})
    frame.iloc[:, 0] = [name(str(g), lang) for g in frame.iloc[:, 0]]
    return base_layout(fig, title, t("axis_year", lang), t("axis_tco2e", lang)), frame


def wales_trajectory(engine: Engine, lang: str) -> tuple[Figure, pd.DataFrame]:
    actual, path = per_object(engine, "all-Wales trajectory", lambda: _wales_path(engine))
    return trajectory_figure(actual, path, t("chart_wales_trajectory", lang), lang)


def _wales_path(engine: Engine) -> tuple[dict, dict]:
    """All Wales's tCO2e per year and the required path to 2030: the same for every year and language."""
    bodies = sorted(engine.registry["id"])
    each_year = {y: measures.trajectory(engine.categories, bodies, y) for y in engine.years()}
    actual = {y: tr["tco2e"] for y, tr in each_year.items()}
    path = (each_year[max(each_year)].get("required_path_tco2e") or {}) if each_year else {}
    return actual, path


def coverage_table(engine: Engine, year: str, lang: str) -> pd.DataFrame:
    m = data.matcher()
    bodies = sorted(engine.registry["id"], key=lambda b: m.name(b, lang, short=True))
    grid = benchmark.coverage(engine.categories, year, bodies)
    frame = grid.map(lambda s: t(s, lang))
    frame.columns = [vocabulary().categories[c].name(lang) for c in grid.columns]
    frame.insert(0, t("col_body", lang), [m.name(b, lang, short=True) for b in grid.index])
    return frame.reset_index(drop=True)


def submission_status(engine: Engine, year: str, lang: str) -> pd.DataFrame:
    m = data.matcher()
    c = engine.categories
    done = set(c.loc[c["reporting_year"] == year, "organisation_id"].astype(str))
    rows = [
        {
            t("col_body", lang): m.name(b, lang, short=True),
            t("col_sector", lang): sector_name(kind, lang),
            t("col_submitted", lang): t("submitted_yes" if b in done else "submitted_no", lang),
        }
        for b, kind in zip(engine.registry["id"], engine.registry["type"], strict=True)
    ]
    return pd.DataFrame(rows).sort_values([t("col_submitted", lang), t("col_body", lang)]).reset_index(drop=True)


def quality_list(engine: Engine, year: str, lang: str) -> html.Section:
    """The figures to check, each linking to the body's page for that year."""
    m = data.matcher()
    flags = data.quality_flags(year)
    title = t("quality_title", lang, year=year)
    if flags.empty:
        return html.Section([html.H2(title), html.P(t("quality_none", lang))], id="quality-flags")
    order = {"unit_slip": 0, "jump": 1, "outlier": 2, "estimated_share": 3}
    flags = flags.assign(order=flags["kind"].map(order)).sort_values(["order", "organisation_id"], kind="stable")
    shown = flags.head(MAX_ITEMS)
    items = []
    for f in shown.itertuples():
        category = vocabulary().categories[f.category].name(lang) if isinstance(f.category, str) else ""
        link = html.A(
            m.name(f.organisation_id, lang, short=True),
            href=f"/organisation?lang={lang}&body={f.organisation_id}&year={year}",
        )
        items.append(
            html.Li(
                [
                    html.Strong(t(f"flag_{f.kind}", lang)),
                    ": ",
                    link,
                    f", {category}: " if category else ": ",
                    flag_detail(f, lang),
                ],
                className=f"flag flag-{f.kind}",
            )
        )
    more = [html.P(t("showing_first", lang, shown=len(shown), total=len(flags)))] if len(flags) > len(shown) else []
    return html.Section([html.H2(title), html.Ul(items), *more], id="quality-flags")


def flag_detail(f, lang: str) -> str:  # type: ignore[no-untyped-def]
    """Say what a quality flag found, in ``lang``, from its figures."""
    if f.kind == "unit_slip":
        key = "flag_detail_unit_slip_self" if f.against == "previous_year" else "flag_detail_unit_slip_peers"
        return t(key, lang, value=f"{f.value_tco2e:,.1f}", ratio=f"{f.ratio:,.0f}", previous=f.previous_year)
    if f.kind == "jump":
        return t(
            "flag_detail_jump",
            lang,
            pct=f"{f.change_pct:+.0f}",
            previous=f.previous_year,
            before=f"{f.before_tco2e:,.1f}",
            now=f"{f.value_tco2e:,.1f}",
        )
    if f.kind == "outlier":
        return t("flag_detail_outlier", lang, z=f"{f.z:+.1f}")
    return t("flag_detail_estimated_share", lang, share=f"{f.share_pct:.0f}")


def view(engine: Engine, year: str, lang: str) -> list:
    sector_fig, sector = grouped_history(engine, "type", lang, "chart_by_sector")
    region_fig, region = grouped_history(engine, "region", lang, "chart_by_region")
    path_fig, path = wales_trajectory(engine, lang)
    return [
        quality_list(engine, year, lang),
        chart_block("wales-sector", sector_fig, sector, lang),
        chart_block("wales-region", region_fig, region, lang),
        chart_block("wales-trajectory", path_fig, path, lang),
        table_block("wales-submissions", submission_status(engine, year, lang),
                    t("submission_status_title", lang, year=year), lang, heading=True),
        table_block("wales-coverage", coverage_table(engine, year, lang), t("coverage_title", lang, year=year), lang,
                    heading=True),
    ]


def update(year: str, lang: str) -> list:
    engine = data.engine()
    if year not in engine.years():
        raise dash.exceptions.PreventUpdate
    return view(engine, year, language(lang))


def register(app: Dash) -> None:
    dash.register_page(__name__, path="/wales", layout=layout, title="Wales overview")
    app.callback(
        Output("wales-view", "children"),
        Input("wales-year", "value"),
        State("wales-lang", "data"),
        prevent_initial_call=True,
    )(update)
