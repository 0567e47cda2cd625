"""Building blocks shared by the pages: accessible tables, charts with a table alternative, downloads.

Every chart comes with the same figures as a table (in a disclosure) and a CSV
download; tables also download as Excel. Colours are the Okabe-Ito palette,
which stays distinguishable with the common forms of colour blindness.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from decarb_dashboard.web.i18n import t

#: Rows of a table shown on the page; its downloads hold every row.
MAX_TABLE_ROWS = 200
#: Okabe and Ito's colour-blind-safe palette.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000", "#999999", "#882255"]


def fmt(value: object, digits: int = 1, unit: str = "", lang: str = "en") -> str:
    """Return a number for people: thousands separated, ``n/a`` in words when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return t("not_available", lang)
    if isinstance(value, int | float):
        return f"{value:,.{digits}f}{(' ' + unit) if unit else ''}"
    return str(value)


def table(frame: pd.DataFrame, caption: str, table_id: str | None = None) -> html.Table:
    """Return an accessible HTML table with a caption and column headers."""
    head = html.Thead(html.Tr([html.Th(str(c), scope="col") for c in frame.columns]))
    rows = []
    for row in frame.itertuples(index=False):
        cells = []
        for value in row:
            text = value if isinstance(value, str) else fmt(value, 2) if isinstance(value, float) else str(value)
            cells.append(html.Td(text))
        rows.append(html.Tr(cells))
    props = {"id": table_id} if table_id else {}
    return html.Table([html.Caption(caption), head, html.Tbody(rows)], className="data-table", **props)


def base_layout(fig: go.Figure, title: str, x_title: str, y_title: str) -> go.Figure:
    """Apply the house style; financial years on an x axis stay in calendar order."""
    values = [x for trace in fig.data if getattr(trace, "x", None) is not None for x in list(trace.x)]
    labels = sorted({x for x in values if isinstance(x, str) and len(x) == 7 and x[4] == "-"})
    if labels:
        fig.update_xaxes(categoryorder="array", categoryarray=labels)
    # A plain layout instead of a named template: plotly rebuilds a named template on every figure.
    grid = {"gridcolor": "#e5e5e5", "zerolinecolor": "#b1b4b6", "linecolor": "#b1b4b6"}
    fig.update_layout(
        title={"text": title},
        xaxis_title=x_title,
        yaxis_title=y_title,
        template=None,
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
        xaxis=grid,
        yaxis=grid,
        colorway=PALETTE,
        font={"family": "Arial, sans-serif", "size": 14},
        margin={"l": 60, "r": 20, "t": 60, "b": 50},
        legend={"orientation": "h", "y": -0.2},
    )
    return fig


def chart_block(block_id: str, fig: go.Figure, data: pd.DataFrame, lang: str) -> html.Section:
    """Return a chart with its table alternative and a CSV download of the same figures."""
    title = fig.layout.title.text or block_id
    return html.Section(
        [
            dcc.Graph(
                id=f"{block_id}-graph", figure=fig, config={"displaylogo": False}, responsive=True, className="chart"
            ),
            html.Details([html.Summary(t("show_table", lang)), table(data, title, f"{block_id}-table")]),
            html.Button(
                t("download_csv", lang), id={"type": "download-csv", "block": block_id}, className="secondary-button"
            ),
            dcc.Store(id={"type": "download-data", "block": block_id}, data=data.to_dict("records")),
        ],
        className="chart-block",
        **{"aria-label": title},
    )


def table_block(block_id: str, data: pd.DataFrame, caption: str, lang: str) -> html.Section:
    """Return a table with CSV and Excel downloads; a long table shows its first rows, the downloads all."""
    more = (
        [html.P(t("showing_first", lang, shown=MAX_TABLE_ROWS, total=len(data)))] if len(data) > MAX_TABLE_ROWS else []
    )
    return html.Section(
        [
            table(data.head(MAX_TABLE_ROWS), caption, f"{block_id}-table"),
            *more,
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
            dcc.Store(id={"type": "download-data", "block": block_id}, data=data.to_dict("records")),
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


def trajectory_figure(actual: dict, path: dict, title: str, lang: str) -> tuple[go.Figure, pd.DataFrame]:
    """Emissions each year against the straight path to net zero, and the same as a table."""
    fig = go.Figure()
    fig.add_scatter(
        name=t("series_actual", lang),
        x=list(actual),
        y=list(actual.values()),
        mode="lines+markers",
        line={"color": PALETTE[0], "width": 3},
    )
    fig.add_scatter(
        name=t("series_required", lang),
        x=list(path),
        y=list(path.values()),
        mode="lines",
        line={"color": PALETTE[5], "dash": "dash"},
    )
    frame = pd.DataFrame({t("col_year", lang): list(path) or list(actual)})
    frame[t("series_actual", lang)] = frame[t("col_year", lang)].map(actual)
    frame[t("series_required", lang)] = frame[t("col_year", lang)].map(path)
    return base_layout(fig, title, t("axis_year", lang), t("axis_tco2e", lang)), frame
