"""The map of Wales as a user meets it: drawn on the Wales overview and My organisation, with its attribution, in a
phone's width without scrolling sideways, and no accessibility violation found by axe-core."""

from __future__ import annotations

import json

import pytest

from decarb_dashboard.web import create_app
from tests.browser.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.mark.parametrize(("path", "graph", "attribution"), [
    ("/wales?year=2022-23", "#wales-map-graph", "Contains Ordnance Survey and Office for National Statistics data"),
    ("/organisation?lang=cy&body=cardiff&year=2022-23", "#org-map-graph",
     "Yn cynnwys data'r Arolwg Ordnans a'r Swyddfa Ystadegau Gwladol"),
])
def test_the_map_is_drawn_with_its_attribution_and_no_accessibility_violation(dash_duo, data_dir, axe_source, path,
                                                                              graph, attribution):
    dash_duo.start_server(create_app(data_dir, seed=False))
    dash_duo.driver.set_window_size(390, 900)
    dash_duo.driver.get(dash_duo.server_url + path)
    dash_duo.wait_for_element(f"{graph} .scatterlayer .trace", timeout=30)
    areas = dash_duo.find_elements(f"{graph} .scatterlayer .trace")
    assert len(areas) >= 22  # one filled trace per council (and the body's outline)
    assert attribution in dash_duo.find_element(".map-attribution").text
    width = dash_duo.driver.execute_script("return document.documentElement.scrollWidth")
    assert width <= dash_duo.driver.execute_script("return window.innerWidth")
    serious = axe_violations(dash_duo, axe_source)
    assert serious == [], json.dumps(serious, indent=1)
