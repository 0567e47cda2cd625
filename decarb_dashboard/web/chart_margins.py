"""A chart's margins worked out on the server from its labels, in place of plotly.js's ``automargin``.

plotly.js's ``automargin`` measures every tick label in the browser and draws the chart again until the
margins hold them: on the chart pages that was most of drawing a chart (a category chart drew in about a
third of the time without it). The labels are known here, in the page's language: each is measured with
DejaVu Sans (shipped with matplotlib, so the same on every server), which is wider than Arial, the
charts' first font, and is the browser's own fallback where Arial is missing, so a label measured to fit
fits. The margins do not depend on the chart's width (a label is as long at 390 px as at 1280 px); the
legend, below the plot, still makes its own room at any width (plotly's ``margin.autoexpand``).
"""

from __future__ import annotations

import functools
import math
import re
import threading
import unicodedata
from collections.abc import Iterable

#: Room between the plot's edge and its tick labels, and around an axis title, in px.
TICK_GAP_PX = 6
TITLE_GAP_PX = 8
#: A line of text is this many times its font size tall.
LINE_HEIGHT = 1.25


#: The narrowest a chart is drawn (a 390 px phone less the page's padding): a legend takes the most rows there,
#: and its room is made for that many at every width (at 1280 px a legend of many rows leaves a gap above it).
NARROWEST_CHART_PX = 358
#: plotly.js's legend: an entry's symbol and its gaps, and the gap between entries, in px.
LEGEND_SYMBOL_PX = 40
LEGEND_GAP_PX = 5
#: The margins a chart keeps however short its labels: the right one has room for the last tick's half.
MIN_MARGIN_PX = {"l": 10, "r": 30, "t": 30, "b": 10}
#: plotly's SI suffixes of an axis's numbers (``exponentformat="B"``), by power of ten.
SI_SUFFIX = {3: "k", 6: "M", 9: "B", 12: "T"}
_AXIS = re.compile(r"^([xy])axis(\d*)$")
#: FreeType's font object is not safe across threads (gunicorn's threads measuring at once failed with "failed to
#: load glyph" and took workers down): one measurement at a time.
_FONT_LOCK = threading.Lock()


@functools.lru_cache(maxsize=1)
def _font():
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    return FT2Font(font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans"), fallback_to_default=True))


@functools.lru_cache(maxsize=4096)
def text_width(text: str, font_px: float) -> float:
    """The width in px of one line of ``text`` at ``font_px`` (DejaVu Sans; a letter with an accent as the letter,
    plotly's ``<b>`` and the like left out)."""
    plain = re.sub(r"<[^>]+>", "", text)
    plain = "".join(c for c in unicodedata.normalize("NFKD", plain) if not unicodedata.combining(c))
    if not plain:
        return 0.0
    with _FONT_LOCK:
        font = _font()
        font.set_size(font_px, 72)  # 72 dpi: one point is one px
        font.set_text(plain, 0.0)
        return font.get_width_height()[0] / 64  # 26.6 fixed point


def number_label(low: float, high: float) -> str:
    """The widest tick label plotly.js writes on a linear axis from ``low`` to ``high`` (its default format: SI
    suffixes from 10,000 up, "150k"; as many decimals as a step of about a fifth of the range needs)."""
    top = max(abs(low), abs(high)) * 1.05  # plotly pads an axis's range by about 5%
    sign = "\u2212" if low < 0 else ""
    if top == 0 or not math.isfinite(top):
        return sign + "0"
    power = math.floor(math.log10(top))
    if power > 3:
        exponent = min(12, 3 * round((power - 1) / 3))
        scaled = top / 10 ** exponent
        digits = len(str(int(scaled)))
        return sign + "8" * digits + (".5" if scaled < 10 else "") + SI_SUFFIX.get(exponent, "")
    step = top / 5
    places = max(0, -math.floor(math.log10(step))) if step > 0 else 0
    return sign + "8" * len(str(int(top))) + ("." + "8" * places if places else "")


def _axis_traces(letter: str, axis_id: str, data: Iterable[dict]) -> list[dict]:
    ref = axis_id.replace("axis", "")  # "xaxis2" -> "x2"
    return [d for d in data if (d.get(f"{letter}axis") or letter) == ref]


def _extent(traces: list[dict], letter: str, barmode: str | None) -> tuple[float, float] | None:
    """The lowest and highest value drawn on a numeric axis (stacked bars as their sums), or None."""
    numbers: list[float] = []
    stacked: dict[object, list[float]] = {}
    other = "y" if letter == "x" else "x"
    for trace in traces:
        values = trace.get(letter) or []
        along = trace.get(other) or range(len(values))
        stacking = trace.get("type") == "bar" and barmode in ("stack", "relative")
        for at, value in zip(along, values, strict=False):
            if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
                numbers.append(float(value))
                if stacking:
                    sums = stacked.setdefault(at, [0.0, 0.0])
                    sums[0 if value < 0 else 1] += float(value)
    for low, high in stacked.values():
        numbers += [low, high]
    if not numbers:
        return None
    return min(0.0, *numbers), max(0.0, *numbers)


def tick_labels(axis: dict, traces: list[dict], letter: str, barmode: str | None) -> list[str]:
    """The tick labels an axis will show: its categories, or the widest of its numbers."""
    if axis.get("showticklabels") is False or axis.get("visible") is False:
        return []
    if axis.get("categoryarray"):
        return [str(c) for c in axis["categoryarray"]]
    words = [str(v) for trace in traces for v in (trace.get(letter) or []) if isinstance(v, str)]
    if words:
        return list(dict.fromkeys(words))
    extent = _extent(traces, letter, barmode)
    return [number_label(*extent)] if extent else ["0"]


def _tick_depth(labels: list[str], letter: str, angle: float | None, font_px: float, numeric: bool) -> float:
    """How far the tick labels reach out from the axis, in px (across a y axis, down from an x axis)."""
    if not labels:
        return 0.0
    widest = max(text_width(label, font_px) for label in labels)
    if letter == "y":
        return widest
    line = font_px * LINE_HEIGHT
    if angle is None:  # plotly turns category labels that do not fit to 90 degrees at a narrow width
        return line if numeric else max(line, widest)
    rad = math.radians(abs(angle))
    return widest * math.sin(rad) + line * math.cos(rad)


def legend_entries(layout: dict, data: list[dict]) -> list[str]:
    """The names in a chart's legend: each trace's and each named shape's (none when plotly shows no legend)."""
    if layout.get("showlegend") is False or (layout.get("showlegend") is None and len(data) < 2):
        return []
    names = [str(d.get("name", "")) for d in data if d.get("showlegend") is not False]
    return names + [str(s["name"]) for s in layout.get("shapes", []) if s.get("showlegend") and s.get("name")]


def legend_height(layout: dict, data: list[dict], plot_px: float, font_px: float) -> float:
    """The height in px of a horizontal legend over a plot ``plot_px`` wide, as plotly.js lays it out: on one row
    if every entry fits, else in rows of equal columns as wide as the widest entry (its symbol, 40 px, and its
    name)."""
    widths = [text_width(name, font_px) + LEGEND_SYMBOL_PX for name in legend_entries(layout, data)]
    if not widths:
        return 0.0
    if sum(widths) + LEGEND_GAP_PX * (len(widths) - 1) < plot_px:
        rows = 1
    else:
        rows = math.ceil(len(widths) / max(1, math.floor((plot_px + LEGEND_GAP_PX) / (max(widths) + LEGEND_GAP_PX))))
    return rows * (max(font_px * 1.3, 16) + 3) + 2 * LEGEND_GAP_PX


def fit_margins(layout: dict, data: list[dict]) -> dict:
    """``layout`` with its margins set to hold every visible axis's tick labels and title, and the axes told not to
    measure them (``automargin`` off); the legend's room is still plotly's own. Returns a new layout."""
    font_px = float((layout.get("font") or {}).get("size", 12))
    margin = {**MIN_MARGIN_PX, **(layout.get("margin") or {})}
    out = dict(layout)
    need = {"l": 0.0, "b": 0.0}
    for key in sorted(k for k in layout if _AXIS.match(k)):
        axis = layout[key]
        if not isinstance(axis, dict) or axis.get("visible") is False:
            continue
        letter = key[0]
        traces = _axis_traces(letter, key, data)
        labels = tick_labels(axis, traces, letter, layout.get("barmode"))
        numeric = not axis.get("categoryarray") and not any(
            isinstance(v, str) for tr in traces for v in (tr.get(letter) or []))
        depth = _tick_depth(labels, letter, axis.get("tickangle"), font_px, numeric)
        reach = depth + TICK_GAP_PX if depth else 0.0
        title = dict(axis.get("title") or {})
        if title.get("text"):
            # A title's set standoff is from the labels plotly.js drew (its default is from the axis line, and
            # lands on labels at a slant): it is never over them, and the margin holds it below them.
            title["standoff"] = TITLE_GAP_PX
            reach += TITLE_GAP_PX + font_px * LINE_HEIGHT
        side = "l" if letter == "y" else "b"
        need[side] = max(need[side], reach + TITLE_GAP_PX)
        if letter == "x" and labels and axis.get("tickangle"):  # the first label at a slant reaches left
            need["l"] = max(need["l"], max(text_width(x, font_px) for x in labels[:1]) *
                            math.cos(math.radians(abs(axis["tickangle"]))) + TICK_GAP_PX)
        out[key] = {**axis, "automargin": False, **({"title": title} if title else {})}
    axes_px = math.ceil(need["b"])
    legend_px = legend_height(layout, data, NARROWEST_CHART_PX - max(need["l"], margin["l"]) - margin["r"], font_px)
    if axes_px and legend_px:  # room for both, the legend at that many px below the plot (over nothing at any width)
        need["b"] += legend_px
    for side, px in need.items():
        margin[side] = max(int(margin.get(side, 0)), math.ceil(px))
    height = layout.get("height")
    if axes_px and legend_px and height:
        plot_px = height - margin["t"] - margin["b"]
        out["legend"] = {**(layout.get("legend") or {}), "yref": "paper", "y": -axes_px / plot_px, "yanchor": "top"}
    out["margin"] = {**margin, "autoexpand": True}
    return out
