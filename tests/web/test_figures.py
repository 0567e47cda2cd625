"""The charts' and tables' building blocks: one rounding rule on screen and in downloads, named downloads,
figures right-aligned, captions a heading already says, quartile band and median in the legend."""

from __future__ import annotations

import pandas as pd

from decarb_dashboard.export import to_csv_bytes
from decarb_dashboard.web import components
from decarb_dashboard.web.components import (
    Figure,
    change_text,
    download_filename,
    download_name,
    figure_text,
    rounded,
    rounded_frame,
    table,
)


def _cells(element: dict, tag: str) -> list[dict]:
    """Every element of ``tag`` in a table as Dash sends it (plain dicts inside, components outside)."""
    found = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == tag:
                found.append(node)
            walk(node.get("props", {}).get("children"))
        elif isinstance(node, list):
            for child in node:
                walk(child)
        elif hasattr(node, "children"):
            walk(node.children)

    walk(element)
    return found


def test_one_rounding_rule_whole_tonnes_one_decimal_for_percentages_three_significant_figures_for_intensities():
    assert rounded(20640.699999999997, "tco2e") == 20641 and isinstance(rounded(20640.7, "tco2e"), int)
    assert rounded(-7.0789, "pct") == -7.1
    assert rounded(5.23456, "intensity") == 5.23
    assert rounded(0.012345, "intensity") == 0.0123
    assert rounded(1234.56, "intensity") == 1235  # a large ratio keeps no decimals, not 1,230
    assert rounded("not reported", "tco2e") == "not reported" and rounded(None, "pct") is None


def test_the_same_figure_reads_the_same_on_screen_and_in_the_csv():
    # 152,553.930 tCO2e once read 152,554 in a headline and 152,553.930 in a table: both are now 152,554.
    frame = pd.DataFrame({"Year": ["2022-23", "2023-24"], "Emissions (tCO2e)": [152553.93, 20640.699999999997],
                          "Change (%)": [-7.0789, None], "tCO2e per FTE": [5.23456, 0.012345]})
    kinds = {"Emissions (tCO2e)": "tco2e", "Change (%)": "pct", "tCO2e per FTE": "intensity"}
    shown = table(rounded_frame(frame, kinds), "Emissions", "t", "en", kinds)
    texts = [c["props"]["children"] for c in _cells(shown, "Td")]
    assert texts == ["2022-23", "152,554", "-7.1", "5.23", "2023-24", "20,641", "not available", "0.0123"]
    download = rounded_frame(frame, kinds)
    download = download.astype(object).where(download.notna(), None)  # as the download callback sends it
    assert to_csv_bytes(download).decode("utf-8-sig").splitlines() == [
        "Year,Emissions (tCO2e),Change (%),tCO2e per FTE",
        "2022-23,152554,-7.1,5.23",
        "2023-24,20641,,0.0123",
    ]
    assert figure_text(152553.93, "tco2e", "cy", "tCO2e") == "152,554 tCO2e"


def test_figures_are_right_aligned_and_text_is_not():
    frame = pd.DataFrame({"Body": ["Cardiff"], "Rank": [2], "Emissions (tCO2e)": [10.4]})
    shown = table(frame, "Ranked", "t", "en", {"Emissions (tCO2e)": "tco2e"})
    cells = _cells(shown, "Td") + _cells(shown, "Th")
    right = {c["props"]["children"] for c in cells if c["props"].get("className") == "num"}
    assert right == {"2", "10", "Rank", "Emissions (tCO2e)"}


def test_a_caption_that_repeats_the_heading_above_is_for_screen_readers_only():
    frame = pd.DataFrame({"Body": ["Cardiff"]})
    block = components.table_block("b", frame, "Who has submitted for 2022-23", "en", heading=True)
    heading, shown = block.children[0], block.children[1]
    assert heading.children == "Who has submitted for 2022-23"
    assert shown.children[0].children == "Who has submitted for 2022-23"
    assert shown.children[0].className == "visually-hidden"
    alone = components.table_block("b", frame, "Who has submitted", "en")
    assert alone.children[0].children[0].className is None  # no heading: the caption is seen


def test_downloads_are_named_by_body_year_contents_and_language():
    assert download_name("cardiff", "2022-23", "categories", lang="en") == "cardiff-2022-23-categories-en"
    assert download_name("isle_of_anglesey", "2022-23", "peers", "per_fte", lang="cy") == \
        "isle-of-anglesey-2022-23-peers-per-fte-cy"
    frame = pd.DataFrame({"a": [1]})
    frame.attrs["download_name"] = "cardiff-2022-23-categories-en"
    assert download_filename(frame, "org-history", "csv") == "cardiff-2022-23-categories-en.csv"
    assert download_filename(pd.DataFrame(), "org-history", "xlsx") == "org-history.xlsx"


def test_a_change_is_said_as_higher_or_lower_never_as_a_negative_reduction():
    assert change_text(7.0789, 1234.56, "en") == "7.1% higher (+1,235 tCO2e)"
    assert change_text(-7.0789, -1234.56, "en") == "7.1% lower (-1,235 tCO2e)"
    assert change_text(7.0789, 1234.56, "cy") == "7.1% yn uwch (+1,235 tCO2e)"
    assert change_text(-7.0789, -1234.56, "cy") == "7.1% yn is (-1,235 tCO2e)"


def test_the_quartile_band_and_median_are_legend_entries_not_labels_over_the_plot():
    fig = Figure()
    fig.add_vrect(x0=1, x1=3, fillcolor="#56B4E9", opacity=0.2, name="Inter-quartile range")
    fig.add_vline(x=2, name="Peer median")
    assert fig.layout["annotations"] == []
    assert [(s["name"], s["showlegend"]) for s in fig.layout["shapes"]] == [
        ("Inter-quartile range", True), ("Peer median", True)]


def test_a_chart_title_is_a_heading_above_the_chart_not_inside_the_figure():
    fig = components.base_layout(Figure(), "Emissions by category, 2019-20 to 2023-24", "Financial year", "tCO2e")
    block = components.chart_block("org-history", fig, pd.DataFrame({"Year": ["2019-20"]}), "cy")
    heading, graph = block.children[0], block.children[1]
    assert heading.children == "Emissions by category, 2019-20 to 2023-24"
    assert "title" not in graph.figure["layout"]
    assert graph.config["locale"] == "cy"


def test_a_tall_chart_gets_its_height_though_the_graph_is_responsive():
    # dcc.Graph(responsive=True) drops layout.height and takes its container's: 22 peers in 450 px overlapped.
    fig = components.base_layout(Figure(), "Peers", "tCO2e", "")
    fig.update_layout(height=760)
    block = components.chart_block("org-peers", fig, pd.DataFrame({"Body": ["Cardiff"]}), "en")
    assert block.children[1].style == {"height": "760px"}


def test_the_figures_of_a_table_are_found_from_each_column_s_type_or_its_values():
    frame = pd.DataFrame({
        "body": ["Cardiff", "Newport"],  # pandas' strings: never figures
        "tco2e": [1.5, float("nan")],  # a fractional figure, one missing
        "gaps": [float("nan"), float("nan")],  # floats, none there: nothing to round
        "rank": [1, 2],  # counts: figures, but not fractional ones
        "flag": [True, False],  # yes or no, not a number
        "mixed": pd.Series(["n/a", 2.25], dtype=object),  # words and a figure in one column
        "words": pd.Series(["n/a", None], dtype=object),
    })
    assert components.kinds_of(frame, "tco2e") == {"tco2e": "tco2e", "mixed": "tco2e"}
    assert components.kinds_of(frame, {"rank": "count", "tco2e": "tco2e", "gaps": "tco2e", "words": "tco2e",
                                       "flag": "count", "body": "count"}) == {"rank": "count", "tco2e": "tco2e"}
