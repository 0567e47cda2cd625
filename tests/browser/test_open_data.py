"""The Open data page (/data) in a real (headless) browser: accessible in both languages, its downloads linked."""

from __future__ import annotations

import json

import pytest

from tests.browser.conftest import axe_violations
from tests.browser.test_pages import open_page

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser_b")]


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_the_open_data_page_has_no_serious_accessibility_violations(dash_duo, data_dir, axe_source, lang):
    open_page(dash_duo, data_dir, f"/data?lang={lang}")
    dash_duo.wait_for_element("#data-coverage-table", timeout=20)
    licence = dash_duo.find_element("#data-licence a")
    assert licence.text == {"en": "Open Government Licence v3.0", "cy": "Trwydded Llywodraeth Agored v3.0"}[lang]
    link = dash_duo.find_element("#data-versions-csv").get_attribute("href")
    assert link.endswith(f"/data/returns-all-versions.csv?lang={lang}")
    serious = axe_violations(dash_duo, axe_source)
    assert serious == [], json.dumps(serious, indent=1)
