"""The map of Wales: council or health board areas coloured by a measure, with the same figures as a table.

Three ways to colour the map (:data:`LEVELS`): ``council``, each council's own figure on its
area; ``health_board``, each health board's own figure on its area (the union of its councils,
``uploads_schema/vocabulary/health_board_areas.csv``); ``health_board_area``, the councils of each
health board area together: the sum of their tCO2e, an intensity as the ratio of the sums (total
tCO2e / total denominator), a change like for like over the councils that reported both years.
An area with a council missing is drawn as incomplete, never as a smaller figure.

The measures (:func:`measures`) are the metrics of ``metrics.csv`` and the change since 2019-20.
Areas fall into at most :data:`BIN_COUNT` colour bands cut at the quantiles of the figures shown,
each band's bounds rounded by the one rule; a figure equal to a bound belongs to the lower band.
An area with no figure is drawn hatched grey and named under the map, never coloured as zero.

The map is plain ``scatter`` traces (``fill="toself"``, one per area) on cartesian axes whose
scale keeps the shape of Wales (:data:`Y_SCALE`): no geo or tile traces, no network, and the page's
partial plotly.js bundle needs nothing more than cartesian traces. The boundaries are
``decarb_dashboard/data/wales_boundaries.geojson`` (``python -m decarb_dashboard.build_boundaries``),
shown with the attribution their licence requires (:data:`ATTRIBUTION_KEY`).
"""

from __future__ import annotations

import functools
import itertools
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from dash import html

from decarb_dashboard import measures, reasons, rollups
from decarb_dashboard.cells import rows_where
from decarb_dashboard.engine import Engine
from decarb_dashboard.matcher import matcher_for
from decarb_dashboard.memo import per_object
from decarb_dashboard.web.components import Figure, base_layout, chart_block, figure_text, rounded
from decarb_dashboard.web.i18n import t
from uploads_schema.vocabulary import vocabulary

BOUNDARIES = Path(__file__).resolve().parents[1] / "data" / "wales_boundaries.geojson"
LEVELS = ("council", "health_board", "health_board_area")
#: The measure beside the metrics: the like-for-like change since the scheme's baseline year, per cent.
CHANGE = "change_baseline"
BIN_COUNT = 5
#: ColorBrewer's sequential "Blues" (5 classes, darker is more): readable in the common colour blindnesses.
BIN_COLOURS = ("#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
#: An area with no figure: pale grey, hatched, so that it never reads as the lightest band.
NO_FIGURE = {"fillcolor": "#f3f2f1", "fillpattern": {"shape": "/", "fgcolor": "#505a5f", "size": 6, "solidity": 0.2}}
BORDER = "#505a5f"
#: Degrees of latitude against longitude at the middle of Wales (52.4 N): a degree east is cos(52.4) of one north.
Y_SCALE = 1 / math.cos(math.radians(52.4))
ATTRIBUTION_KEY = "map_attribution"


def measures_offered() -> list[str]:
    """The measures a map can show: every metric of ``metrics.csv``, then the change since 2019-20."""
    return [*vocabulary().metrics, CHANGE]


@functools.cache
def boundaries() -> dict[str, dict[str, list[list[list[float]]]]]:
    """{level ("council", "health_board"): {ONS code: its polygons, each a ring of [longitude, latitude]}}."""
    out: dict[str, dict[str, list]] = {"council": {}, "health_board": {}}
    for f in json.loads(BOUNDARIES.read_text("utf-8"))["features"]:
        out[f["properties"]["level"]][f["properties"]["ons_code"]] = [p[0] for p in f["geometry"]["coordinates"]]
    return out


@dataclass
class Area:
    """One area of the map: its ONS code and name, its figure (None when it has none) and why not, or what it covers.

    ``note`` is in the page's language; ``partial`` is the figure of the councils that have one when some do not.
    """

    code: str
    name: str
    value: float | None
    note: str = ""
    bodies: list[str] = field(default_factory=list)
    partial: float | None = None


def kind(measure: str) -> str:
    """How the measure's figures are rounded (:data:`components.FIGURE_KINDS`)."""
    return "tco2e" if measure == "total" else "pct" if measure == CHANGE else "intensity"


def unit(measure: str, lang: str) -> str:
    return "%" if measure == CHANGE else t(f"unit_{measure}", lang)


def measure_name(measure: str, lang: str) -> str:
    return t(f"map_measure_{CHANGE}", lang, baseline=measures.BASELINE_YEAR) if measure == CHANGE \
        else t(f"metric_{measure}", lang)


def value_words(value: float, measure: str, lang: str) -> str:
    """A figure in words with its unit: "3,900 tCO2e", "0.403 tCO2e per resident"; a change as higher or lower
    ("10.0% lower than 2019-20"), never a signed percentage alone."""
    if measure != CHANGE:
        return figure_text(value, kind(measure), lang, unit(measure, lang))
    pct = rounded(value, "pct")
    key = "map_change_higher" if pct > 0 else "map_change_lower" if pct < 0 else "map_change_none"
    return t(key, lang, pct=figure_text(abs(pct), "pct", lang), baseline=measures.BASELINE_YEAR)


def legend_title(measure: str, year: str, lang: str) -> str:
    """The legend's title: the bands' unit and year ("tCO2e, 2022-23"; for a change, what its sign means)."""
    if measure == CHANGE:
        return t("map_legend_change", lang, baseline=measures.BASELINE_YEAR, year=year)
    return f"{unit(measure, lang)}, {year}"


def _body_figure(engine: Engine, values: pd.DataFrame, bodies: list[str], year: str, measure: str, lang: str
                 ) -> tuple[float | None, dict[str, str]]:
    """The figure of ``bodies`` together and {body left out: why, in ``lang``}: a sum, a ratio of sums or a change."""
    if measure == CHANGE:
        lfl = rollups.like_for_like(engine.categories, bodies, year, measures.BASELINE_YEAR)
        return lfl["change_pct"], {b: reasons.translate(w, lang) for b, w in lfl["left_out"].items()}
    v = rows_where(values, metric=measure, reporting_year=year)
    v = v[v["organisation_id"].isin(bodies).to_numpy()]
    # A body with a figure has no reason (None, or NaN once the frames were put together).
    found = {b: why if isinstance(why, str) else None
             for b, why in zip(v["organisation_id"].astype(str), v["missing_reason"], strict=True)}
    returned = rollups.reported_bodies(engine.categories, year)

    def why(body: str) -> str:
        if body in found:
            return found[body] or ""
        # a return with no figure counted in it, or no return at all
        return reasons.text("no_figures") if body in returned else reasons.text("no_return", year=year)

    missing = {b: reasons.translate(why(b), lang) for b in bodies if found.get(b, "") is not None}
    return measures.group_intensity(values, bodies, year, measure), missing


def areas(engine: Engine, year: str, measure: str, level: str, lang: str, include_supply_chain: bool = True
          ) -> list[Area]:
    """Every area of ``level`` with its figure of ``measure`` in ``year`` (see the module's docstring), by name."""
    values = engine.values if include_supply_chain else engine.values_without_supply_chain
    m = matcher_for(engine.registry)
    reg = engine.registry[engine.registry["ons_code"].notna() & (engine.registry["ons_code"] != "")]
    by_code = dict(zip(reg["ons_code"].astype(str), reg["id"].astype(str), strict=True))
    council_of = {c: by_code[c] for c in vocabulary().health_board_areas if c in by_code}
    out = []
    if level in ("council", "health_board"):
        for code in boundaries()[level]:
            body = by_code.get(code)
            if body is None:  # a register without this area's body: the area is drawn, with no figure
                out.append(Area(code, code, None, t("map_no_body", lang)))
                continue
            value, missing = _body_figure(engine, values, [body], year, measure, lang)
            out.append(Area(code, m.name(body, lang, short=True), value, missing.get(body, ""), [body]))
    else:
        for code in boundaries()["health_board"]:
            members = [council_of[c] for c, b in vocabulary().health_board_areas.items()
                       if b == code and c in council_of]
            value, missing = _body_figure(engine, values, members, year, measure, lang)
            name = m.name(by_code[code], lang, short=True) if code in by_code else code
            councils = ", ".join(sorted(m.name(b, lang, short=True) for b in members))
            if missing:
                why = "; ".join(f"{m.name(b, lang, short=True)}: {w}" for b, w in missing.items())
                note = t("map_area_incomplete", lang, reported=len(members) - len(missing), count=len(members),
                         why=why)
                out.append(Area(code, name, None, note, members, partial=value))
            else:
                out.append(Area(code, name, value, t("map_area_councils", lang, councils=councils), members))
    return sorted(out, key=lambda a: a.name)


def bin_bounds(values: list[float], measure: str) -> list[float]:
    """The upper bounds of the colour bands but the last: the quantiles that cut the figures into :data:`BIN_COUNT`
    bands of about as many areas each (numpy's linear quantiles), to two significant figures (a legend reads
    "up to 40,000", not "up to 40,047") and then by the one rule, none twice, none at or above the largest figure.

    Ten areas at 10, 20, ..., 100 tCO2e: bounds 28, 46, 64 and 82; no bound (one band) when every figure is the same.
    """
    if not values:
        return []
    cuts = np.quantile(np.asarray(values, dtype=float), [k / BIN_COUNT for k in range(1, BIN_COUNT)])
    bounds: list[float] = []
    for c in cuts:
        r = float(rounded(_two_figures(float(c)), kind(measure)))
        if (not bounds or r > bounds[-1]) and r < max(values):
            bounds.append(r)
    return bounds


def _two_figures(x: float) -> float:
    return 0.0 if x == 0 or not math.isfinite(x) else round(x, 1 - math.floor(math.log10(abs(x))))


def bin_of(value: float, bounds: list[float], measure: str) -> int:
    """The band of ``value``: the first whose upper bound it does not exceed (a figure on a bound is in the lower
    band), compared as shown (rounded by the one rule)."""
    shown = rounded(value, kind(measure))
    return next((k for k, b in enumerate(bounds) if shown <= b), len(bounds))


def bin_labels(bounds: list[float], measure: str, lang: str) -> list[str]:
    """The legend's words of each band: "up to 28", "over 28 to 46", ..., "over 82"; "all 10" for a single band."""
    f = functools.partial(figure_text, kind=kind(measure), lang=lang)
    if not bounds:
        return [t("map_bin_all", lang)]
    return [t("map_bin_first", lang, upper=f(bounds[0])),
            *(t("map_bin", lang, lower=f(lo), upper=f(hi)) for lo, hi in itertools.pairwise(bounds)),
            t("map_bin_last", lang, lower=f(bounds[-1]))]


@functools.cache
def outline(level: str, code: str) -> tuple[list, list]:
    """The x and y of area ``code``'s trace at ``level`` ("council" or "health_board"), worked out once per process:
    every map of every page and language draws the same outlines (the lists are shared: never change them)."""
    return _rings(boundaries()[level][code])


def _rings(polygons: list) -> tuple[list, list]:
    """One trace's x and y: every polygon of an area, closed, separated by a gap (each is filled on its own)."""
    xs: list = []
    ys: list = []
    for ring in polygons:
        if xs:
            xs.append(None)
            ys.append(None)
        xs += [p[0] for p in ring]
        ys += [p[1] for p in ring]
    return xs, ys


def map_figure(found: list[Area], year: str, measure: str, level: str, lang: str, highlight: str | None = None
               ) -> Figure:
    """The map: one filled trace per area, in the colour of its band or hatched grey without a figure.

    The legend names each band (the first area of a band carries its entry) and says the unit and
    year in its title; hovering an area (or tapping it on a phone) gives its name, figure and unit;
    ``highlight`` (an ONS code) is outlined in black and named in the legend.
    """
    shape_level = "council" if level == "council" else "health_board"
    shapes = boundaries()[shape_level]
    shown = [a.value for a in found if a.value is not None]
    bounds = bin_bounds(shown, measure)
    labels = bin_labels(bounds, measure, lang)
    fig = Figure()
    ordered = sorted(found, key=lambda a: (-1 if a.value is None else bin_of(a.value, bounds, measure), a.name))
    legend_done: set[int] = set()
    for a in ordered:
        band = -1 if a.value is None else bin_of(a.value, bounds, measure)
        xs, ys = outline(shape_level, a.code)
        words = value_words(a.value, measure, lang) if a.value is not None else a.note
        style = NO_FIGURE if band < 0 else {"fillcolor": BIN_COLOURS[_colour_index(band, len(labels))]}
        fig.add_scatter(
            x=xs, y=ys, mode="lines", fill="toself", line={"color": BORDER, "width": 0.8}, hoveron="fills",
            text=f"{a.name}: {words} ({year})", name=t("map_no_figure", lang) if band < 0 else labels[band],
            legendgroup=f"band{band}", showlegend=band not in legend_done, legendrank=band + 2, **style)
        legend_done.add(band)
    if highlight and highlight in shapes:
        own = next((a for a in found if a.code == highlight), None)
        xs, ys = outline(shape_level, highlight)
        fig.add_scatter(x=xs, y=ys, mode="lines", line={"color": "#000000", "width": 3}, hoverinfo="skip",
                        name=t("map_highlight", lang, name=own.name if own else highlight), legendrank=0)
    title = t(f"map_title_{level}", lang, measure=measure_name(measure, lang), year=year)
    fig = base_layout(fig, title, "", "")
    # No automargin: hidden axes have no labels to make room for, and measuring them is most of a map's drawing.
    hidden = {"visible": False, "fixedrange": False, "automargin": False}
    fig.update_layout(
        height=640, hovermode="closest", dragmode="pan", showlegend=True,
        xaxis={**hidden, "constrain": "domain"},
        yaxis={**hidden, "scaleanchor": "x", "scaleratio": Y_SCALE, "constrain": "domain"},
        legend={**fig.layout["legend"], "title": {"text": legend_title(measure, year, lang), "side": "top"},
                "traceorder": "normal"},
        margin={"l": 0, "r": 0, "t": 10, "b": 10},
    )
    return fig


def _colour_index(band: int, bands: int) -> int:
    """The colour of ``band`` among ``bands``: spread over the palette, lightest first, darkest for the last."""
    if bands <= 1:
        return len(BIN_COLOURS) // 2
    return round(band * (len(BIN_COLOURS) - 1) / (bands - 1))


def map_table(found: list[Area], measure: str, level: str, lang: str, year: str) -> pd.DataFrame:
    """The map's figures as a table: each area's name, ONS code, figure (with its unit and year), band and note."""
    shown = [a.value for a in found if a.value is not None]
    bounds = bin_bounds(shown, measure)
    labels = bin_labels(bounds, measure, lang)
    value_col = t("map_col_value", lang, measure=measure_name(measure, lang), year=year)
    partial_col = t("map_col_partial", lang, measure=measure_name(measure, lang), year=year)
    rows = []
    for a in found:
        row = {t(f"map_col_area_{level}", lang): a.name, t("map_col_ons_code", lang): a.code,
               value_col: a.value,
               t("map_col_band", lang): labels[bin_of(a.value, bounds, measure)] if a.value is not None
               else t("map_no_figure", lang),
               t("map_col_note", lang): a.note}
        if level == "health_board_area":
            row[partial_col] = a.partial if a.value is None else None
        rows.append(row)
    frame = pd.DataFrame(rows)
    frame.attrs["figure_columns"] = [c for c in (value_col, partial_col) if c in frame.columns]
    return frame


def map_block(block_id: str, engine: Engine, year: str, measure: str, level: str, lang: str,
              include_supply_chain: bool = True, highlight: str | None = None, download: str | None = None
              ) -> html.Div:
    """The map under its heading, its table alternative and CSV download, the areas without a figure named in words,
    and the boundaries' attribution."""
    found = per_object(engine, ("map", year, measure, level, lang, include_supply_chain),
                       lambda: areas(engine, year, measure, level, lang, include_supply_chain))
    fig = map_figure(found, year, measure, level, lang, highlight)
    frame = map_table(found, measure, level, lang, year)
    kinds = {c: kind(measure) for c in frame.attrs["figure_columns"]}
    missing = [a.name for a in found if a.value is None]
    words = [html.P(t("map_missing", lang, count=len(missing), year=year, names=", ".join(missing)),
                    id=f"{block_id}-missing")] if missing else []
    return html.Div([chart_block(block_id, fig, frame, lang, kinds, download), *words,
                     html.P(t(ATTRIBUTION_KEY, lang), className="map-attribution", id=f"{block_id}-attribution")],
                    className="map-block")


def ons_code(engine: Engine, body: str) -> str | None:
    """The body's ONS code if the map has its area (a council or a health board), else None."""
    row = engine.registry[engine.registry["id"] == body]
    if row.empty:
        return None
    code = row["ons_code"].iloc[0]
    if not isinstance(code, str) or not code:
        return None
    return code if any(code in shapes for shapes in boundaries().values()) else None


def level_of(code: str) -> str:
    """The map level whose areas include ``code``."""
    return "council" if code in boundaries()["council"] else "health_board"
