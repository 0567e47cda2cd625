"""The /api page in a real browser: no serious accessibility violation in English or Welsh, and its curl lines
name the address the browser is at."""

from __future__ import annotations

import json

import pytest

from tests.browser.conftest import axe_violations
from tests.browser.test_pages import open_page

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser_b")]


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_the_api_page_has_no_serious_accessibility_violations(dash_duo, data_dir, axe_source, lang):
    open_page(dash_duo, data_dir, f"/api?lang={lang}")
    dash_duo.wait_for_text_to_equal("#main h1", {"en": "The API", "cy": "Yr API"}[lang], timeout=20)
    serious = axe_violations(dash_duo, axe_source)
    assert serious == [], json.dumps(serious, indent=1)
    curl = dash_duo.find_element("#api-bodies-curl").text
    assert curl == f"curl '{dash_duo.server_url}/api/v1/bodies'"
