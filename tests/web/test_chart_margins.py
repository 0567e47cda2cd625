"""Chart margins worked out on the server from the labels (plotly.js's automargin measured them in the browser, most
of drawing a chart): room for the longest label in English and Welsh, the years at a slant, the legend below."""

from __future__ import annotations

import math

import pandas as pd

from decarb_dashboard.web import components
from decarb_dashboard.web.chart_margins import legend_height, number_label, text_width
from decarb_dashboard.web.components import Figure

#: DejaVu Sans's advance widths, in its 2,048 units to the em: a digit and a hyphen.
DIGIT, HYPHEN = 1303 / 2048, 739 / 2048


def _shown(fig: Figure, lang: str = "en") -> dict:
    """The figure's layout as the page gives it to plotly.js."""
    return components.chart_block("c", fig, pd.DataFrame({"x": [1]}), lang).children[1].figure["layout"]


def _named_peers(names: list[str]) -> Figure:
    fig = Figure()
    fig.add_scatter(x=list(range(len(names))), y=names, mode="markers", name="Peers")
    fig.add_vline(x=1, name="Peer median")
    fig = components.base_layout(fig, "Peers", "tCO2e, 2022-23", "")
    fig.update_layout(height=350, showlegend=True, yaxis={"categoryorder": "array", "categoryarray": names})
    return fig


def test_a_label_is_measured_from_the_font_at_its_size():
    # "2030-31": six digits and a hyphen at 14 px, 58.5 px unhinted (each glyph is hinted to whole px: 60).
    assert abs(text_width("2030-31", 14) - (6 * DIGIT + HYPHEN) * 14) <= 2
    assert text_width("Ŵyl", 14) == text_width("Wyl", 14)  # a circumflex takes no width of its own
    assert text_width("", 14) == 0


def test_an_axis_of_numbers_is_given_room_for_its_widest_label_as_plotly_writes_it():
    # 152,554 tCO2e, padded 5%: 160,182, ticks in thousands ("150k"), a minus from the land removals below zero.
    assert number_label(-2_000, 152_554) == "\u2212888k"
    assert number_label(0, 4_200) == "8888"  # under 10,000 plotly writes every digit ("4000")
    assert number_label(0, 0.456) == "8.88"  # a step of about 0.1 of 0.48: two decimals ("0.45")
    assert number_label(0, 2_000_000) == "8.5M"


def test_the_names_of_peers_have_room_in_english_and_the_longer_welsh():
    en = _shown(_named_peers(["Neath Port Talbot", "Cardiff"]))
    cy = _shown(_named_peers(["Castell-nedd Port Talbot", "Caerdydd"]), "cy")
    for layout, longest in ((en, "Neath Port Talbot"), (cy, "Castell-nedd Port Talbot")):
        assert layout["yaxis"]["automargin"] is False and layout["xaxis"]["automargin"] is False
        assert text_width(longest, 14) + 6 <= layout["margin"]["l"] <= text_width(longest, 14) + 20
    assert cy["margin"]["l"] - en["margin"]["l"] == 48  # seven characters more: 174.2 px against 126.2


def test_years_at_a_slant_and_the_axis_title_have_room_below_the_plot_and_the_legend_below_them():
    fig = Figure()
    years = ["2019-20", "2030-31"]
    fig.add_scatter(x=years, y=[152_554, 0], name="Reported")
    fig.add_scatter(x=years, y=[150_000, 0], name="Path")
    fig = components.base_layout(fig, "Trajectory", "Financial year", "tCO2e")
    fig.update_layout(height=500)
    layout = _shown(fig)
    # The labels at 45 degrees reach (60 + 17.5) x 0.707 = 54.8 px down, then 6 px of gap, 8 + 17.5 px of title,
    # 8 px: 94.3 for the axis (95 whole); the two entries fit on one row at 390 px: 21.2 + 10 px of legend.
    legend = legend_height(layout, fig.data, 358 - layout["margin"]["l"] - 30, 14)
    assert round(legend, 1) == 31.2
    assert layout["margin"]["b"] == 126  # 94.3 + 31.2 px
    assert layout["xaxis"]["title"]["standoff"] == 8  # from the labels plotly drew, never over them
    plot_px = 500 - 30 - layout["margin"]["b"]
    assert layout["legend"]["yref"] == "paper" and layout["legend"]["yanchor"] == "top"
    assert math.isclose(layout["legend"]["y"], -95 / plot_px)  # its top 95 px below the plot: under the title


def test_a_legend_too_wide_for_a_phone_takes_rows_of_its_widest_entry():
    names = ["Goleuadau stryd", "Gweithio gartref", "Adeiladau", "Fflyd"]
    layout = {"showlegend": True}
    data = [{"name": n} for n in names]
    widest = text_width("Gweithio gartref", 14) + 40  # 158.7 px with its symbol: one to a row of 254 px
    columns = math.floor((254 + 5) / (widest + 5))
    assert columns == 1
    assert legend_height(layout, data, 254, 14) == 4 * (14 * 1.3 + 3) + 10
    assert legend_height(layout, data, 1000, 14) == 14 * 1.3 + 3 + 10  # all on one row
    assert legend_height({}, [{"name": "One"}], 254, 14) == 0  # plotly shows no legend for one trace


def test_a_map_keeps_its_own_margins_its_axes_hidden():
    fig = components.base_layout(Figure(), "Map", "", "")
    fig.add_scatter(x=[0, 1], y=[0, 1], name="a")
    fig.add_scatter(x=[0, 1], y=[0, 1], name="b")
    fig.update_layout(xaxis={"visible": False}, yaxis={"visible": False}, margin={"l": 0, "r": 0, "t": 10, "b": 10})
    margin = _shown(fig)["margin"]
    assert (margin["l"], margin["r"], margin["t"], margin["b"]) == (0, 0, 10, 10)


def test_labels_measured_by_many_threads_at_once_are_measured_right():
    """gunicorn's threads draw charts at once: FreeType's one font object, shared, failed ("failed to load glyph")."""
    from concurrent.futures import ThreadPoolExecutor

    labels = [f"Label {k} of Castell-nedd Port Talbot" for k in range(2000)]
    with ThreadPoolExecutor(8) as pool:
        widths = list(pool.map(lambda label: text_width(label, 13), labels))
    text_width.cache_clear()
    assert widths == [text_width(label, 13) for label in labels]
