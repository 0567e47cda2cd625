"""Building blocks shared by the pages: accessible tables, charts with a table alternative, downloads.

Every chart comes with the same figures as a table (in a disclosure) and a CSV
download; tables also download as Excel. Colours are the Okabe-Ito palette,
which stays distinguishable with the common forms of colour blindness.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import json
import math
import urllib.parse
from collections.abc import Iterator, Mapping, Sequence
from zoneinfo import ZoneInfo

import dash
import flask
import pandas as pd
from babel.dates import format_datetime
from dash import dcc, html

from decarb_dashboard import reasons
from decarb_dashboard.numbers import FIGURE_KINDS, INTENSITY_SIGNIFICANT_DIGITS, decimals, rounded  # noqa: F401
from decarb_dashboard.web.chart_margins import fit_margins
from decarb_dashboard.web.i18n import t
from uploads_schema import i18n

#: Rows of a table shown at once: a longer one shows its rows a page at a time (previous / next), and its
#: downloads hold every row.
PAGE_ROWS = 25
#: Okabe and Ito's colour-blind-safe palette.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000", "#999999", "#882255"]


#: The callbacks whose output holds download blocks and that may be run again to build a download
#: (they only read published figures); "page" is a page's layout, from its path and query string.
DOWNLOAD_VIEWS = ("org-view.children", "cmp-view.children", "wales-view.children", "rv-detail.children")
PAGE_VIEW = "page"
#: While a view is built again for a download: the frames its blocks are made from, by block id.
_REBUILDING: contextvars.ContextVar[dict[str, pd.DataFrame] | None] = contextvars.ContextVar("rebuilding",
                                                                                                default=None)
#: The query of the view being built, when the view says it itself (see :func:`view_query`).
_VIEW_QUERY: contextvars.ContextVar[dict | None] = contextvars.ContextVar("view query", default=None)

#: The one rounding rule of every figure on screen and in downloads, by kind of figure: whole tonnes
#: for emissions, one decimal for percentages, three significant figures for intensities (a ratio
#: of 0.0123 tCO2e per resident keeps its digits; 1,234.6 tCO2e per GBP m needs no decimals).


def download_query() -> dict | None:
    """Return the query the block being built comes from, to build its download again on the server.

    That is the page callback rendering it and the values it was sent (a body, a year, a
    measure ...), never the rows: a download is made by running the same view again with
    the same values, as the person asking (see :func:`rebuild_block`).
    """
    if (own := _VIEW_QUERY.get()) is not None:
        return own
    if not flask.has_request_context():
        return None
    body = flask.request.get_json(silent=True) if flask.request.is_json else None
    if not isinstance(body, dict):
        return None
    output = body.get("output")
    values = [i.get("value") for i in [*body.get("inputs", []), *body.get("state", [])] if isinstance(i, dict)]
    if output in DOWNLOAD_VIEWS:
        return {"view": output, "values": values}
    if isinstance(output, str) and "_pages_content.children" in output:
        return {"view": PAGE_VIEW, "values": values[:2]}  # the pathname and the query string
    return None


@contextlib.contextmanager
def view_query(view: str, values: list) -> Iterator[None]:
    """Build a view's blocks with the query of the callback ``view`` and its ``values``, whatever request builds it.

    A view kept per engine (:func:`data.page_view`) is built once, perhaps ahead of any visitor
    (``web.warm``, with no callback request to take the query from), and served to everyone who
    asks for the same figures: its downloads and pages of rows must come from its own values.
    """
    token = _VIEW_QUERY.set({"view": view, "values": list(values)})
    try:
        yield
    finally:
        _VIEW_QUERY.reset(token)


def rebuild_block(query: object, block_id: str) -> pd.DataFrame | None:
    """Build the view ``query`` names again, with its values, and return the frame of its block ``block_id``.

    Returns None if the query is not one of the views that make downloads, or the view
    refuses the values (each view checks what it is sent, as for any callback).
    """
    return (rebuild_frames(query) or {}).get(block_id)


def rebuild_frames(query: object) -> dict[str, pd.DataFrame] | None:
    """Build the view ``query`` names again, with its values; return the frames of all its blocks, by block id
    (None as for :func:`rebuild_block`)."""
    if not isinstance(query, dict) or not isinstance(query.get("values"), list) or len(query["values"]) > 16:
        return None
    view, values = query.get("view"), query["values"]
    if not all(_plain(v) or (isinstance(v, list) and len(v) <= 64 and all(map(_plain, v))) for v in values):
        return None  # the controls of a page send words, numbers and lists of words, nothing else
    frames: dict[str, pd.DataFrame] = {}
    token = _REBUILDING.set(frames)
    try:
        if view == PAGE_VIEW and len(values) == 2 and all(isinstance(v, str | None) for v in values):
            pathname, search = values[0] or "/", values[1] or ""
            page = next((p for p in dash.page_registry.values() if p["path"] == pathname), None)
            if page is None or not callable(page["layout"]):
                return None
            page["layout"](**dict(urllib.parse.parse_qsl(search.lstrip("?"))))
        elif view in DOWNLOAD_VIEWS:
            dash.get_app().callback_map[view]["callback"].__wrapped__(*values)
        else:
            return None
    except dash.exceptions.PreventUpdate:
        return None
    finally:
        _REBUILDING.reset(token)
    return frames


def rebuilding() -> bool:
    """Whether a view is being built again for a download now (a kept view would not hand over its frames)."""
    return _REBUILDING.get() is not None


def _plain(value: object) -> bool:
    return value is None or isinstance(value, int | float | bool) or (isinstance(value, str) and len(value) <= 200)


def _download_store(block_id: str, data: pd.DataFrame, name: str | None,
                    figures: Mapping[str, str] | None = None) -> dcc.Store:
    """The download's query (not its rows); while a view is built again for a download, hand over the frame.

    The frame carries the file's name (without extension) in ``attrs["download_name"]`` and the kind of each
    of its figures (for a page of its rows on screen) in ``attrs["figure_kinds"]``.
    """
    frames = _REBUILDING.get()
    if frames is not None:
        data = data.copy()
        data.attrs["download_name"] = name or block_id
        data.attrs["figure_kinds"] = dict(figures or {})
        frames[block_id] = data
    return dcc.Store(id={"type": "download-data", "block": block_id}, data=download_query())


def download_name(*parts: object, lang: str) -> str:
    """The name of a download (without extension): what it is about, its year, what it holds, its language.

    ``download_name("cardiff", "2022-23", "categories", lang="en")`` -> ``cardiff-2022-23-categories-en``;
    register ids' underscores become hyphens, and any other character than a letter, digit or hyphen goes.
    """
    words = [str(p).lower().replace("_", "-").replace(" ", "-") for p in (*parts, lang) if p not in (None, "")]
    return "-".join("".join(ch for ch in w if ch.isascii() and (ch.isalnum() or ch == "-")) for w in words)


def download_filename(frame: pd.DataFrame, block_id: str, extension: str) -> str:
    """The file name of a rebuilt block's download: ``cardiff-2022-23-categories-en.csv`` (the block id if unnamed)."""
    return f"{frame.attrs.get('download_name') or block_id}.{extension}"


class Figure:
    """A plotly figure as plain data: the few methods of ``go.Figure`` the pages use, without its
    validation, which costs more than everything else on a page (the browser's plotly.js checks
    the figure anyway)."""

    def __init__(self) -> None:
        self.data: list[dict] = []
        self.layout: dict = {"shapes": [], "annotations": []}

    def add_bar(self, **trace: object) -> None:
        self.data.append({"type": "bar", **_plotly_names(trace)})

    def add_scatter(self, **trace: object) -> None:
        self.data.append({"type": "scatter", **_plotly_names(trace)})

    def add_vrect(self, x0: float, x1: float, fillcolor: str, opacity: float, name: str | None = None) -> None:
        """Shade the band of the x axis from ``x0`` to ``x1``, named in the legend (never an annotation over the
        plot, which overlaps the median's at any width)."""
        self.layout["shapes"].append(
            {"type": "rect", "xref": "x", "yref": "paper", "x0": x0, "x1": x1, "y0": 0, "y1": 1,
             "fillcolor": fillcolor, "opacity": opacity, "line": {"width": 0}, "layer": "below",
             **({"name": name, "showlegend": True} if name else {})}
        )

    def add_vline(self, x: float, line_dash: str = "dash", line_color: str = "#000000", name: str | None = None
                  ) -> None:
        """Draw a vertical line at ``x``, named in the legend."""
        self.layout["shapes"].append(
            {"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x, "y0": 0, "y1": 1,
             "line": {"dash": line_dash, "color": line_color, "width": 2},
             **({"name": name, "showlegend": True} if name else {})}
        )

    def annotate(self, x: object, text: str) -> None:
        """Write ``text`` above category ``x`` of the x axis (a provisional year, say)."""
        self.layout["annotations"].append(
            {"x": x, "y": 1, "xref": "x", "yref": "paper", "text": text, "showarrow": False, "yanchor": "bottom",
             "font": {"size": 12}})

    def update_layout(self, **layout: object) -> None:
        for key, value in layout.items():
            if isinstance(value, dict) and isinstance(self.layout.get(key), dict):
                self.layout[key].update(value)
            else:
                self.layout[key] = value

    def update_xaxes(self, **axis: object) -> None:
        self.layout.setdefault("xaxis", {}).update(axis)

    @property
    def title(self) -> str:
        return str(self.layout.get("title", {}).get("text", ""))

    def to_plotly_json(self) -> dict:
        return {"data": self.data, "layout": self.layout}


def _plotly_names(trace: dict) -> dict:
    """Turn ``marker_color=...`` keyword style into plotly's nested ``{"marker": {"color": ...}}``."""
    out: dict = {}
    for key, value in trace.items():
        if hasattr(value, "tolist"):
            value = value.tolist()
        if key.startswith("marker_"):
            out.setdefault("marker", {})[key.removeprefix("marker_")] = value
        else:
            out[key] = value
    return out


def fmt(value: object, digits: int = 1, unit: str = "", lang: str = "en") -> str:
    """Return a number for people: thousands separated with ``lang``'s CLDR symbols, ``n/a`` in words when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return t("not_available", lang)
    if isinstance(value, int | float):
        return f"{i18n.number(value, digits, lang)}{(' ' + unit) if unit else ''}"
    return str(value)


def _element(tag: str, children: object, **props: object) -> dict:
    """An HTML element as Dash sends it to the browser, without building a component object.

    A table of a few hundred cells would otherwise spend most of a page's time in
    Dash's component constructors; the browser receives exactly the same JSON.
    """
    return {"type": tag, "namespace": "dash_html_components", "props": {"children": children, **props}}


def figure_text(value: object, kind: str, lang: str, unit: str = "") -> str:
    """A figure for people: rounded by the one rule, in ``lang``'s CLDR number format; "n/a" in words when missing."""
    value = rounded(value, kind)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return fmt(value, decimals(float(value), kind), unit, lang)
    return fmt(value, lang=lang)


def _numbers(series: pd.Series, floats_only: bool = False) -> bool:
    """Whether ``series`` holds a number (a float, with ``floats_only``), whatever else it holds (text, gaps)."""
    dtype = series.dtype
    # A column of one type answers from its type (a table of 5,000 bodies has 50,000 cells of text)
    if pd.api.types.is_bool_dtype(dtype) or isinstance(dtype, pd.StringDtype):
        return False
    if pd.api.types.is_integer_dtype(dtype):  # counts: numbers, never fractional ones
        return not floats_only and bool(series.notna().any())
    if pd.api.types.is_float_dtype(dtype):
        return bool(series.notna().any())
    kinds = float if floats_only else int | float
    return any(isinstance(v, kinds) and not isinstance(v, bool) and not (isinstance(v, float) and math.isnan(v))
               for v in series)


def kinds_of(frame: pd.DataFrame, kinds: Mapping[str, str] | str) -> dict[str, str]:
    """Return {column: kind} of the figures of ``frame``: ``kinds`` names each column's, or is one kind for
    every column holding fractional numbers (counts such as ranks and quartiles are left as they are)."""
    if isinstance(kinds, str):
        return {c: kinds for c in frame.columns if _numbers(frame[c], floats_only=True)}
    return {c: kind for c, kind in kinds.items() if c in frame.columns and _numbers(frame[c])}


def rounded_frame(frame: pd.DataFrame, kinds: Mapping[str, str] | str) -> pd.DataFrame:
    """``frame`` with every figure rounded by the one rule (the frame a table shows and a download holds).

    A column of whole tonnes holds ints (and None where there is no figure), so that a CSV reads
    ``20641``, never ``20640.699999999997`` or ``20641.0``.
    """
    out = frame.copy()
    for column, kind in kinds_of(frame, kinds).items():
        out[column] = pd.Series([rounded(v, kind) for v in frame[column]], index=frame.index, dtype=object)
        out[column] = out[column].where(out[column].notna(), None)
    return out


def table(frame: pd.DataFrame, caption: str, table_id: str | None = None, lang: str = "en",
          kinds: Mapping[str, str] | str = "intensity", caption_hidden: bool = False,
          rows: slice | None = None, block_id: str | None = None) -> html.Table:
    """Return an accessible HTML table with a caption and column headers; figures rounded by the one rule.

    A figure's column (and its header) has the class ``num``: right-aligned, in figures of equal
    width. ``caption_hidden`` keeps the caption for screen readers only, where a heading just above
    says the same. ``rows`` shows only those rows (a page of a long table, of the block ``block_id``), the
    columns' alignment still that of the whole frame.
    """
    figures = kinds_of(frame, kinds)
    numeric = _numeric_columns(frame, figures)
    head = _element("Thead", _element("Tr", [
        _element("Th", str(c), scope="col", **({"className": "num"} if c in numeric else {})) for c in frame.columns]))
    shown = frame if rows is None else frame.iloc[rows]
    body = _element("Tbody", body_rows(shown, figures, numeric, lang),
                    **({"id": {"type": "table-rows", "block": block_id}} if block_id else {}))
    props = {"id": table_id} if table_id else {}
    return html.Table([html.Caption(caption, className="visually-hidden" if caption_hidden else None), head, body],
                      className="data-table", **props)


def _numeric_columns(frame: pd.DataFrame, figures: Mapping[str, str]) -> set:
    return {c for c in frame.columns if c in figures or _numbers(frame[c])}


def body_rows(frame: pd.DataFrame, figures: Mapping[str, str], numeric: set, lang: str) -> list[dict]:
    """The rows of a table's body: figures by the one rule in ``lang``, figure columns right-aligned."""
    columns = list(frame.columns)
    return [
        _element("Tr", [
            _element("Td", figure_text(value, figures[c], lang) if c in figures else _cell(value, lang),
                     **({"className": "num"} if c in numeric else {}))
            for c, value in zip(columns, row, strict=True)
        ])
        for row in frame.itertuples(index=False)
    ]


def paged_table(frame: pd.DataFrame, caption: str, block_id: str, lang: str, kinds: Mapping[str, str] | str,
                caption_hidden: bool = False) -> list:
    """A table of at most :data:`PAGE_ROWS` rows at a time; a longer one has its previous / next controls.

    The controls are a navigation landmark named for the table, two buttons and where the rows shown
    are in the whole ("Rows 1 to 25 of 5,000", said again by a screen reader when it changes). A page
    of rows is built on the server from the block's query, as its download is (:func:`table_page`):
    the page holds only the rows it shows.
    """
    table_id = f"{block_id}-table"
    if len(frame) <= PAGE_ROWS:
        return [table(frame, caption, table_id, lang, kinds, caption_hidden)]
    return [table(frame, caption, table_id, lang, kinds, caption_hidden, rows=slice(0, PAGE_ROWS), block_id=block_id),
            page_controls(block_id, caption, 1, len(frame), lang)]


def _page_words(page: int, total: int, lang: str) -> str:
    first = (page - 1) * PAGE_ROWS + 1
    return t("table_page_rows", lang, first=i18n.number(first, 0, lang),
             last=i18n.number(min(total, page * PAGE_ROWS), 0, lang), count=i18n.number(total, 0, lang))


def page_controls(block_id: str, caption: str, page: int, total: int, lang: str) -> html.Nav:
    """Previous / next and "Rows 26 to 50 of 5,000" under a long table (``total`` rows), showing page ``page``.

    The buttons stay in the tab order at either end (a disabled button would drop the keyboard's
    focus when the last page is reached): there they are marked ``aria-disabled`` and do nothing.
    """
    last = math.ceil(total / PAGE_ROWS)

    def button(kind: str, key: str, off: bool) -> html.Button:
        return html.Button(t(key, lang), id={"type": kind, "block": block_id}, className="secondary-button",
                           **{"aria-disabled": "true" if off else "false", "aria-controls": f"{block_id}-table"})

    return html.Nav(
        [
            button("table-previous", "table_page_previous", page <= 1),
            html.Span(_page_words(page, total, lang), id={"type": "table-status", "block": block_id},
                      className="table-page-status", role="status"),
            button("table-next", "table_page_next", page >= last),
            dcc.Store(id={"type": "table-page", "block": block_id}, data={"page": page, "lang": lang}),
        ],
        className="table-pages",
        **{"aria-label": t("table_pages_label", lang, caption=caption)},
    )


def _block_frame(query: object, block_id: str) -> pd.DataFrame | None:
    """The frame of block ``block_id`` of the view ``query`` names (:func:`rebuild_block`); the view's frames are
    kept per engine, query, reader and day, so that moving through its long tables' pages builds it once."""
    from decarb_dashboard.memo import per_object
    from decarb_dashboard.web import auth, data

    account = auth.current_account()
    who = None if account is None else (account.username, account.role, tuple(account.bodies))
    try:
        key = json.dumps(query, sort_keys=True)
    except (TypeError, ValueError):
        return None
    # The review and upload pages' engine: rebuilt on every change to the store, so never older than the view's.
    owner = data.engine(drafts=True)
    frames = per_object(owner, ("table rows", key, who, datetime.date.today()), lambda: rebuild_frames(query))
    return (frames or {}).get(block_id)


def table_page(block_id: str, query: object, state: object, step: int) -> tuple[list, str, str, str, dict]:
    """Move a long table ``step`` pages on (-1 previous, +1 next) from the page ``state`` says it shows.

    Returns the rows of the new page, its "Rows 26 to 50 of 5,000", whether previous and next are
    off (``aria-disabled``), and the new state. Raises PreventUpdate when there is no such page or
    the view refuses its query (a forged one builds nothing).
    """
    if not isinstance(state, dict) or not isinstance(state.get("page"), int) or step not in (-1, 1):
        raise dash.exceptions.PreventUpdate
    lang = i18n.language(state.get("lang") if isinstance(state.get("lang"), str) else None)
    frame = _block_frame(query, block_id)
    if frame is None:
        raise dash.exceptions.PreventUpdate
    last = max(1, math.ceil(len(frame) / PAGE_ROWS))
    page = state["page"] + step
    if not 1 <= page <= last:
        raise dash.exceptions.PreventUpdate
    figures = {c: k for c, k in frame.attrs.get("figure_kinds", {}).items() if c in frame.columns}
    rows = body_rows(frame.iloc[(page - 1) * PAGE_ROWS:page * PAGE_ROWS], figures,
                     _numeric_columns(frame, figures), lang)
    return (rows, _page_words(page, len(frame), lang), "true" if page <= 1 else "false",
            "true" if page >= last else "false", {"page": page, "lang": lang})


def change_text(pct: float | None, tco2e: float | None, lang: str) -> str:
    """Say a change in words, never as a negative reduction: "7.1% higher (+1,235 tCO2e)", "7.1% lower (-1,235 tCO2e)".

    The percentage and the tonnes are rounded by the one rule (one decimal, whole tonnes).
    """
    if pct is None:
        return t("not_available", lang)
    pct, tonnes = rounded(pct, "pct"), rounded(tco2e, "tco2e")
    key = "change_higher" if pct > 0 else "change_lower" if pct < 0 else "change_none"
    signed = t("not_available", lang) if not isinstance(tonnes, int) else \
        ("+" if tonnes > 0 else "") + i18n.number(tonnes, 0, lang)
    return t(key, lang, pct=i18n.number(abs(pct), 1, lang), tco2e=signed)


def stacked_panels(fig: Figure, titles: tuple[str, str], y_title: str, height: int = 620) -> Figure:
    """Lay out a figure as two panels, one above the other, over the same years, each with its own scale.

    Traces on axes ``x``/``y`` are drawn in the top panel, those on ``x2``/``y2`` in the bottom one,
    so that a category of 60-90% of a total (supply chain) does not flatten the others to nothing.
    Apply after :func:`base_layout`: the bottom panel takes the top one's axes' style and year order.
    """
    x, y = fig.layout.get("xaxis", {}), fig.layout.get("yaxis", {})
    fig.update_layout(
        height=height,
        yaxis={**y, "domain": [0.55, 1.0], "title": {"text": y_title}},
        xaxis={**x, "anchor": "y", "title": {"text": ""}, "showticklabels": False},  # the years are below
        yaxis2={**y, "domain": [0.0, 0.47], "anchor": "x2", "title": {"text": y_title}},
        xaxis2={**x, "anchor": "y2", "matches": "x"},
    )
    for top, text in zip((1.0, 0.47), titles, strict=True):
        fig.layout["annotations"].append(
            {"x": 0, "y": top, "xref": "paper", "yref": "paper", "text": f"<b>{text}</b>", "showarrow": False,
             "xanchor": "left", "yanchor": "bottom", "font": {"size": 14}})
    return fig


def _cell(value: object, lang: str) -> str:
    """Text as it is, a count as a whole number, a gap as "n/a" in words."""
    if isinstance(value, str):
        return value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return t("not_available", lang)
    return str(value)


def base_layout(fig: Figure, title: str, x_title: str, y_title: str) -> Figure:
    """Apply the house style; financial years on an x axis stay in calendar order.

    The title is kept in the figure's layout for the table's caption and the chart's label, and
    shown as the page's own heading above the chart (:func:`chart_block`): in the page it wraps on a
    phone and the toolbar never covers it. :func:`chart_block` gives the axes room for their labels (no
    "Vrexham", no "2030-3"; :mod:`.chart_margins`); the legend sits below the plot.
    """
    values = [x for trace in fig.data for x in (trace.get("x") or [])]
    labels = sorted({x for x in values if isinstance(x, str) and len(x) == 7 and x[4] == "-"})
    if labels:  # at a slant, so that a phone's narrow axis has room for every year ("2030-31", never "2030-3")
        fig.update_xaxes(categoryorder="array", categoryarray=labels, tickangle=-45)
    # A plain layout instead of a named template: plotly rebuilds a named template on every figure.
    grid = {"gridcolor": "#e5e5e5", "zerolinecolor": "#b1b4b6", "linecolor": "#b1b4b6"}
    fig.update_layout(
        title={"text": title},
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
        xaxis={**grid, "title": {"text": x_title}},
        yaxis={**grid, "title": {"text": y_title}},
        colorway=PALETTE,
        font={"family": "Arial, sans-serif", "size": 14},
        margin={"l": 10, "r": 30, "t": 30, "b": 10},
        # Below the axis title, however many rows the legend takes at the page's width.
        legend={"orientation": "h", "yref": "container", "yanchor": "bottom", "y": 0, "x": 0, "xanchor": "left"},
    )
    return fig


#: The toolbar's buttons a chart keeps: download as an image, zoom and reset (no selection tools: nothing
#: on these pages acts on a selection; never "Share chart...", which uploads the figures to Plotly's cloud).
MODEBAR_REMOVE = ["select2d", "lasso2d", "toggleSpikelines", "hoverClosestCartesian", "hoverCompareCartesian",
                  "sendChartToCloud"]


def graph_config(lang: str) -> dict:
    """The chart's plotly config: plotly's own words (toolbar, number format) in ``lang`` when it is not English
    (``assets/plotly-locale-<lang>.js`` registers them), the toolbar shown on hover, without plotly's logo."""
    config: dict = {"displaylogo": False, "displayModeBar": "hover", "modeBarButtonsToRemove": MODEBAR_REMOVE,
                    "showSendToCloud": False}
    if lang != i18n.default_language():
        config["locale"] = lang
    return config


def chart_block(block_id: str, fig: Figure, data: pd.DataFrame, lang: str, kinds: Mapping[str, str] | str = "intensity",
                download: str | None = None) -> html.Section:
    """Return a chart under its title (a heading), with its table alternative and a CSV download of the same figures.

    ``kinds`` says how the table's figures are rounded (one of :data:`FIGURE_KINDS` for every
    fractional column, or one per column); ``download`` names the file (:func:`download_name`).
    """
    title = fig.title or block_id
    figures = kinds_of(data, kinds)
    data = rounded_frame(data, figures)
    # Margins from the labels, worked out here: plotly.js measuring them (automargin) was most of drawing a chart.
    shown = {"data": fig.data, "layout": fit_margins({k: v for k, v in fig.layout.items() if k != "title"}, fig.data)}
    return html.Section(
        [
            html.H2(title, className="chart-title", id=f"{block_id}-title"),
            dcc.Graph(
                id=f"{block_id}-graph",
                figure=shown,
                config=graph_config(lang),
                responsive=True,
                className="chart",
                # A responsive graph takes its container's height, never the figure's: give the container that.
                **({"style": {"height": f"{fig.layout['height']}px"}} if fig.layout.get("height") else {}),
            ),
            html.Details([html.Summary(t("show_table", lang)),
                          *paged_table(data, title, block_id, lang, figures, caption_hidden=True)]),
            html.Button(
                t("download_csv", lang), id={"type": "download-csv", "block": block_id}, className="secondary-button"
            ),
            _download_store(block_id, data, download, figures),
        ],
        className="chart-block",
        **{"aria-labelledby": f"{block_id}-title"},
    )


def table_block(block_id: str, data: pd.DataFrame, caption: str, lang: str, heading: bool = False,
                kinds: Mapping[str, str] | str = "intensity", download: str | None = None) -> html.Section:
    """Return a table with CSV and Excel downloads; a long table shows a page of rows at a time, the downloads all.

    ``heading`` puts the caption above it as a section heading (h2), the caption then for screen
    readers only; ``kinds`` and ``download`` as for :func:`chart_block`.
    """
    figures = kinds_of(data, kinds)
    data = rounded_frame(data, figures)
    return html.Section(
        [
            *([html.H2(caption)] if heading else []),
            *paged_table(data, caption, block_id, lang, figures, caption_hidden=heading),
            html.Div(
                [
                    html.Button(
                        t("download_csv", lang),
                        id={"type": "download-csv", "block": block_id},
                        className="secondary-button",
                    ),
                    html.Button(
                        t("download_xlsx", lang),
                        id={"type": "download-xlsx", "block": block_id},
                        className="secondary-button",
                    ),
                ],
                className="button-row",
            ),
            _download_store(block_id, data, download, figures),
        ],
        className="table-block",
    )


def dropdown(
    control_id: str, label: str, options: list[dict], value: object, wide: bool = False, **kwargs: object
) -> html.Div:
    """Return a labelled dropdown (the label's ``for`` names the control)."""
    return html.Div(
        [html.Label(label, htmlFor=control_id), dcc.Dropdown(id=control_id, options=options, value=value, **kwargs)],
        className="control wide" if wide else "control",
    )


def radios(control_id: str, legend: str, options: list[dict], value: object) -> html.Fieldset:
    """Return a group of radio buttons in a fieldset with its legend."""
    return html.Fieldset(
        [html.Legend(legend), dcc.RadioItems(id=control_id, value=value, options=options)], className="control"
    )


#: A chart of peers names each on its axis (one row each) up to this many; more are drawn as their distribution
#: (:func:`distribution_figure`), the figures table and its CSV listing every one: 830 named rows made a chart
#: 23,000 px tall whose drawing took the browser seconds.
PEERS_NAMED = 60


def distribution_figure(values: Sequence[float], marked: Sequence[tuple[str, float]], kind: str, unit: str,
                        lang: str) -> Figure:
    """The bodies' ``values`` as bars of how many fall in each of equal ranges (about the square root of their
    number, at most 30), in one trace; each of ``marked`` (its legend name, its value) a point on its bar.

    ``kind`` and ``unit`` say how the ranges read in the hover text ("1.2 to 1.4 tCO2e per FTE").
    """
    import numpy as np

    figures = np.asarray([float(x) for x in values], dtype=float)
    counts, edges = np.histogram(figures, bins=min(30, max(1, math.ceil(math.sqrt(len(figures))))))
    ranges = [t("chart_peer_range", lang, low=figure_text(lo, kind, lang), high=figure_text(hi, kind, lang, unit),
                count=int(n)) for lo, hi, n in zip(edges[:-1], edges[1:], counts, strict=True)]
    fig = Figure()
    fig.add_bar(x=((edges[:-1] + edges[1:]) / 2).tolist(), y=counts.tolist(), width=np.diff(edges).tolist(),
                marker_color=PALETTE[0], name=t("series_peer", lang), text=ranges, textposition="none",
                hovertemplate="%{text}<extra></extra>")
    for i, (name, value) in enumerate(marked):
        on = int(np.clip(np.searchsorted(edges, value, side="right") - 1, 0, len(counts) - 1))  # its bar
        fig.add_scatter(x=[value], y=[int(counts[on])], mode="markers", name=name,
                        marker={"color": PALETTE[(5 + i) % len(PALETTE)], "size": 14, "line": {"width": 1}},
                        text=[figure_text(value, kind, lang, unit)],
                        hovertemplate="%{fullData.name}: %{text}<extra></extra>")
    fig.update_layout(bargap=0.05)
    return fig


def trajectory_figure(actual: dict, path: dict, title: str, lang: str, provisional: dict | None = None,
                      actual_key: str = "series_actual") -> tuple[Figure, pd.DataFrame]:
    """Emissions each year against the straight path to net zero, and the same as a table.

    ``provisional`` maps a year with too few returns to the words that say so ("1 of 45
    bodies"): its point is drawn open and apart, never joined to the line as a fall.
    """
    provisional = provisional or {}
    final = {y: v for y, v in actual.items() if y not in provisional}
    fig = Figure()
    fig.add_scatter(
        name=t(actual_key, lang),
        x=list(final),
        y=list(final.values()),
        mode="lines+markers",
        line={"color": PALETTE[0], "width": 3},
    )
    early = {y: v for y, v in actual.items() if y in provisional}
    if early:
        fig.add_scatter(
            name=t("series_provisional", lang),
            x=list(early),
            y=list(early.values()),
            mode="markers",
            marker={"color": "#ffffff", "size": 12, "line": {"color": PALETTE[0], "width": 2}, "symbol": "circle"},
            text=[provisional[y] for y in early],
            hovertemplate="%{x}: %{y:,.0f} tCO2e<br>%{text}<extra></extra>",
        )
    fig.add_scatter(
        name=t("series_required", lang),
        x=list(path),
        y=list(path.values()),
        mode="lines",
        line={"color": PALETTE[5], "dash": "dash"},
    )
    frame = pd.DataFrame({t("col_year", lang): list(path) or list(actual)})
    frame[t(actual_key, lang)] = frame[t("col_year", lang)].map(actual)
    frame[t("series_required", lang)] = frame[t("col_year", lang)].map(path)
    if provisional:
        frame[t("col_coverage", lang)] = frame[t("col_year", lang)].map(provisional).fillna("")
    return base_layout(fig, title, t("axis_year", lang), t("axis_tco2e", lang)), frame


def utc_time(at: str) -> str:
    """A stored timestamp ("2026-11-28T13:52:22.123Z") as people read it: "2026-11-28 13:52:22.123" (UTC)."""
    return at.replace("T", " ").rstrip("Z")


#: Where the returns' times are shown as people there read them.
LOCAL_ZONE = ZoneInfo("Europe/London")


def local_time(at: str, lang: str) -> str:
    """A stored UTC timestamp as Welsh readers read it: Europe/London time to the minute, in ``lang``'s words
    ("1 Dec 2026, 14:33"; "1 Rhag 2026, 14:33"); British Summer Time applied where it was in force."""
    when = datetime.datetime.fromisoformat(at.replace("Z", "+00:00"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)
    return format_datetime(when, "d MMM y, HH:mm", tzinfo=LOCAL_ZONE, locale=i18n.babel_locale(lang))


#: A public figure from a return not yet accepted says so: the words of each status that is not final.
UNACCEPTED = ("submitted", "queried")


def status_mark(status: str | None, lang: str) -> str:
    """The words that mark a public figure from a return in ``status``: "provisional (awaiting review)",
    "queried", or "" for an accepted return (or no return)."""
    return t(f"public_status_{status}", lang) if status in UNACCEPTED else ""


def review_statuses() -> dict[tuple[str, str], str]:
    """{(body, year): review status} of every return the public pages show (the store's current ones, or only the
    accepted ones with ``DECARB_PUBLISH=accepted``), worked out once per engine so the marks match the figures."""
    from decarb_dashboard import config, review
    from decarb_dashboard.memo import per_object
    from decarb_dashboard.web import data

    def build() -> dict[tuple[str, str], str]:
        s = data.store()
        version = data.built_version(s.root)  # the engine's version: its figures' statuses, read once with the
        # Wales page's column of the same version
        found = review.current_statuses(s, s.version() if version is None else version,
                                        config.publish_accepted_only())
        return dict(zip(zip(found["organisation_id"], found["reporting_year"], strict=True), found["status"],
                        strict=True))

    return per_object(data.engine(), "review statuses", build)


def status_words(status: str | None, lang: str) -> str:
    """A public return's review status in a figures table: the mark of :func:`status_mark`, "accepted", or "" when
    there is no return."""
    return status_mark(status, lang) or (t("review_accepted", lang) if status == "accepted" else "")


def status_badge(status: str | None, lang: str, badge_id: str | None = None) -> html.Strong | str:
    """The mark of :func:`status_mark` as a badge beside a headline figure ("" when there is nothing to mark)."""
    words = status_mark(status, lang)
    if not words:
        return ""
    return html.Strong(words, className=f"status-badge status-{status}", **({"id": badge_id} if badge_id else {}))


def publication_note(lang: str) -> html.P:
    """Say which returns the public figures include: every current one, marked until accepted
    (the default), or only the accepted ones (``DECARB_PUBLISH=accepted``)."""
    from decarb_dashboard import config

    key = "publication_accepted_only" if config.publish_accepted_only() else "publication_all"
    return html.P(t(key, lang), className="publication-note", id="publication-note")


def refused(lang: str, key: str = "action_refused") -> html.Div:
    """What a callback returns instead of acting when the person asking may not: nothing was read or stored."""
    return html.Div(t(key, lang), className="error-summary", role="alert", id="refused")


def left_out_note(left_out: dict[str, str], lang: str) -> html.P:
    """Name the bodies a comparison left out, each with the reason (in ``lang``)."""
    from decarb_dashboard.web import data

    m = data.matcher()
    names = ", ".join(f"{m.name(b, lang, short=True)} ({reasons.translate(why, lang)})" for b, why in left_out.items())
    return html.P(t("left_out", lang, names=names), className="left-out")
