"""The map of Wales, on a canonical frame worked out by hand, and the shipped boundaries.

2022-23 (2019-20 for the change), populations set to round numbers:

| body (area)                           | population | 2019-20        | 2022-23                            |
|---------------------------------------|------------|----------------|------------------------------------|
| cardiff (council, Cardiff and Vale)   | 300,000    | buildings 1,000| buildings 900, supply chain 3,000  |
| vale_of_glamorgan (council, C and V)  | 200,000    |                | buildings 600                      |
| gwynedd (council, Betsi Cadwaladr)    | not known  |                | buildings 200                      |
| newport (council, Aneurin Bevan)      | 150,000    |                | buildings not reported             |
| cardiff_and_vale_uhb (health board)   | 500,000    |                | buildings 5,000                    |

Councils' totals: cardiff 3,900, vale 600, gwynedd 200 tCO2e; newport has no figure.
Bands of the three figures (numpy's linear quantiles at 20/40/60/80%): 200 + 0.4 x 400 = 360,
200 + 0.8 x 400 = 520, 600 + 0.2 x 3,300 = 1,260 -> 1,300 (two significant figures), 600 + 0.6 x
3,300 = 2,580 -> 2,600: gwynedd "up to 360", vale "over 520 to 1,300", cardiff "over 2,600".
Cardiff and Vale area: 3,900 + 600 = 4,500 tCO2e; per resident 4,500 / 500,000 = 0.009 (the ratio
of sums; the mean of the two ratios, (0.013 + 0.003) / 2 = 0.008, would be wrong). Cardiff's change
since 2019-20, like for like over buildings: 900 / 1,000 - 1 = -10.0%.
"""

from __future__ import annotations

import pandas as pd
import pytest

from decarb_dashboard import build_boundaries
from decarb_dashboard.engine import Engine
from decarb_dashboard.factors import load_factors
from decarb_dashboard.registry import bundled_registry
from decarb_dashboard.web import map as wmap
from decarb_dashboard.web.i18n import t
from tests.conftest import check
from uploads_schema.vocabulary import vocabulary

H = "organisation,reporting_year,category,emissions_tco2e,status"
LINES = [
    "cardiff,2019-20,Buildings,1000,", "cardiff,2022-23,Buildings,900,", "cardiff,2022-23,Supply chain,3000,",
    "vale_of_glamorgan,2022-23,Buildings,600,",
    "gwynedd,2022-23,Buildings,200,",
    "newport,2022-23,Buildings,,not reported",
    "cardiff_and_vale_uhb,2022-23,Buildings,5000,",
]
POPULATION = {"cardiff": 300_000, "vale_of_glamorgan": 200_000, "gwynedd": None, "newport": 150_000,
              "cardiff_and_vale_uhb": 500_000}
YEAR = "2022-23"


@pytest.fixture(scope="module")
def engine() -> Engine:
    reg = bundled_registry()
    reg = reg[reg["id"].isin(POPULATION)].reset_index(drop=True)
    reg["population"] = reg["id"].map(POPULATION)
    report = check(*LINES, header=H)
    assert report.valid, report.to_text()
    return Engine.from_lines(report.lines, reg, load_factors())


def by_name(found: list[wmap.Area]) -> dict[str, wmap.Area]:
    return {a.name: a for a in found}


def words(component) -> str:
    """Every text of a component and its children, as a person would read them."""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return " ".join(words(c) for c in component)
    if isinstance(component, dict):
        return words(component.get("props", {}).get("children", ""))
    return words(getattr(component, "children", None) or "")


def trace_of(fig, text_start: str) -> dict:
    return next(tr for tr in fig.data if str(tr.get("text", "")).startswith(text_start))


def test_councils_figures_bands_hover_and_table_match_the_hand_worked_values(engine):
    found = wmap.areas(engine, YEAR, "total", "council", "en")
    areas = by_name(found)
    assert (areas["Cardiff"].value, areas["Vale of Glamorgan"].value, areas["Gwynedd"].value) == (3900, 600, 200)
    assert wmap.bin_bounds([3900, 600, 200], "total") == [360, 520, 1300, 2600]
    fig = wmap.map_figure(found, YEAR, "total", "council", "en")
    cardiff = trace_of(fig, "Cardiff:")
    assert cardiff["text"] == "Cardiff: 3,900 tCO2e (2022-23)"
    assert cardiff["fillcolor"] == wmap.BIN_COLOURS[4] and cardiff["name"] == "over 2,600"
    assert trace_of(fig, "Gwynedd:")["fillcolor"] == wmap.BIN_COLOURS[0]
    assert trace_of(fig, "Vale of Glamorgan:")["name"] == "over 520 to 1,300"
    assert fig.layout["legend"]["title"]["text"] == "tCO2e, 2022-23"
    table = wmap.map_table(found, "total", "council", "en", YEAR).set_index("Council")
    assert table.loc["Cardiff", "Total emissions (tCO2e) in 2022-23"] == 3900
    assert table.loc["Cardiff", "ONS code"] == "W06000015"
    assert table.loc["Gwynedd", "Colour band"] == "up to 360"


def test_a_council_without_a_figure_is_hatched_grey_and_said_so_never_zero(engine):
    found = wmap.areas(engine, YEAR, "total", "council", "en")
    newport = by_name(found)["Newport"]
    assert newport.value is None and newport.note == "no figures"
    fig = wmap.map_figure(found, YEAR, "total", "council", "en")
    trace = trace_of(fig, "Newport:")
    assert trace["fillpattern"]["shape"] == "/" and trace["fillcolor"] == wmap.NO_FIGURE["fillcolor"]
    assert trace["name"] == "No figure (hatched grey)"
    table = wmap.map_table(found, "total", "council", "en", YEAR).set_index("Council")
    assert table.loc["Newport", "Colour band"] == "No figure (hatched grey)"
    assert pd.isna(table.loc["Newport", "Total emissions (tCO2e) in 2022-23"])
    # a council with no body in the register has no figure either, and is said so
    assert by_name(found)["W06000001"].note == "no body for this area in the register"


def test_a_health_board_area_is_the_sum_of_its_councils_and_its_intensity_the_ratio_of_sums(engine):
    total = by_name(wmap.areas(engine, YEAR, "total", "health_board_area", "en"))["Cardiff and Vale"]
    assert total.value == 4500 and total.note == "councils: Cardiff, Vale of Glamorgan"
    per_resident = by_name(wmap.areas(engine, YEAR, "per_resident", "health_board_area", "en"))["Cardiff and Vale"]
    assert per_resident.value == pytest.approx(0.009)
    # Aneurin Bevan's only council in this register (Newport) has no figure: incomplete, not a small figure
    bevan = {a.code: a for a in wmap.areas(engine, YEAR, "total", "health_board_area", "en")}["W11000028"]
    assert bevan.value is None and bevan.note.startswith("incomplete, councils with a figure: 0 of 1")


def test_a_council_without_the_metric_s_denominator_has_no_intensity_and_is_said_why(engine):
    gwynedd = by_name(wmap.areas(engine, YEAR, "per_resident", "council", "en"))["Gwynedd"]
    assert gwynedd.value is None and gwynedd.note == "no population figure for this body"
    welsh = {a.code: a for a in wmap.areas(engine, YEAR, "per_resident", "council", "cy")}["W06000002"]
    assert welsh.note == "dim ffigur poblogaeth ar gyfer y corff hwn"


def test_the_health_boards_own_figures_and_a_council_s_change_since_the_baseline(engine):
    boards = by_name(wmap.areas(engine, YEAR, "total", "health_board", "en"))
    assert boards["Cardiff and Vale"].value == 5000
    change = by_name(wmap.areas(engine, YEAR, wmap.CHANGE, "council", "en"))
    assert change["Cardiff"].value == pytest.approx(-10.0)
    assert change["Gwynedd"].value is None  # no 2019-20 return: no change, never 0%
    fig = wmap.map_figure(list(change.values()), YEAR, wmap.CHANGE, "council", "en")
    assert trace_of(fig, "Cardiff:")["text"] == "Cardiff: 10.0% lower than 2019-20 (2022-23)"
    assert fig.layout["legend"]["title"]["text"] == "% change since 2019-20 (below 0: lower), 2022-23"


def test_the_map_block_names_the_areas_without_a_figure_and_shows_the_attribution(engine):
    block = words(wmap.map_block("m", engine, YEAR, "total", "council", "cy"))
    assert "Yn cynnwys data'r Arolwg Ordnans a'r Swyddfa Ystadegau Gwladol" in block
    assert t("map_missing", "cy", year=YEAR, names="").split(":")[0] in block and "Casnewydd" in block
    english = words(wmap.map_block("m", engine, YEAR, "total", "council", "en"))
    assert ("Contains Ordnance Survey and Office for National Statistics data © Crown copyright and database "
            "right 2016. Open Government Licence v3.0.") in english
    assert "No figure for 2022-23, drawn hatched grey: " in english and "Newport" in english


def test_the_map_is_drawn_with_cartesian_scatter_traces_that_keep_the_shape_of_wales(engine):
    fig = wmap.map_figure(wmap.areas(engine, YEAR, "total", "council", "en"), YEAR, "total", "council", "en",
                          highlight="W06000015")
    assert {tr["type"] for tr in fig.data} == {"scatter"}
    assert fig.layout["yaxis"]["scaleanchor"] == "x" and fig.layout["yaxis"]["scaleratio"] == pytest.approx(1.64, 0.01)
    assert fig.data[-1]["name"] == "Cardiff (outlined)" and fig.data[-1]["line"]["width"] == 3


def test_bands_put_a_figure_on_a_bound_in_the_lower_band():
    bounds = wmap.bin_bounds([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], "total")
    assert bounds == [28, 46, 64, 82]
    assert [wmap.bin_of(v, bounds, "total") for v in (28, 28.4, 29, 100)] == [0, 0, 1, 4]
    assert wmap.bin_bounds([5, 5, 5], "total") == []  # one band: every figure the same


def test_the_shipped_boundaries_have_every_council_and_health_board_of_the_register():
    shapes = wmap.boundaries()
    reg = bundled_registry()
    assert set(shapes["council"]) == set(reg.loc[reg["type"] == "council", "ons_code"])
    assert len(shapes["council"]) == 22
    assert set(shapes["health_board"]) == set(reg.loc[reg["type"] == "health_board", "ons_code"])
    assert set(vocabulary().health_board_areas) == set(shapes["council"])
    assert wmap.BOUNDARIES.stat().st_size < 100_000


def test_the_shipped_boundaries_are_what_the_script_makes():
    if not build_boundaries.SOURCE.exists():
        pytest.skip(f"the published boundaries are not at {build_boundaries.SOURCE}")
    made = build_boundaries.dumps(build_boundaries.build())
    assert made == build_boundaries.SHIPPED.read_text("utf-8"), \
        "run python -m decarb_dashboard.build_boundaries to make data/wales_boundaries.geojson again"
