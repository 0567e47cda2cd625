"""A long table as a keyboard user meets it: a page of rows, "next" and "previous" pressed with the keyboard bring the
next and previous rows, the focus stays on the button, and axe-core finds nothing to fix (in Welsh)."""

from __future__ import annotations

import json
import time

import pytest

from decarb_dashboard.web import components, create_app, data
from decarb_dashboard.web.pages import wales
from tests.browser.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser_b")]

NEXT = "button[id*='table-next'][id*='wales-coverage']"
PREVIOUS = "button[id*='table-previous'][id*='wales-coverage']"
STATUS = "span[id*='table-status'][id*='wales-coverage']"
CALLS = ("return performance.getEntriesByType('resource')"
         ".filter(e => e.name.includes('_dash-update-component')).length;")


def test_a_long_table_pages_by_keyboard_with_no_accessibility_violation(dash_duo, data_dir, axe_source, monkeypatch,
                                                                       tmp_path):
    from selenium.webdriver.common.keys import Keys

    monkeypatch.setattr(components, "PAGE_ROWS", 20)  # the register's 45 bodies: pages of 20, 20 and 5
    app = create_app(data_dir, seed=False)
    with app.server.app_context():
        bodies = list(wales.coverage_table(data.engine(), "2022-23", "cy").iloc[:, 0])
    dash_duo.start_server(app)
    dash_duo.driver.get(dash_duo.server_url + "/wales?lang=cy&year=2022-23")
    dash_duo.wait_for_text_to_equal(STATUS, "Rhesi 1 i 20 o 45", timeout=60)

    def first_bodies() -> list[str]:
        return [td.text for td in dash_duo.find_elements("#wales-coverage-table tbody tr td:first-child")]

    assert first_bodies() == bodies[:20]
    # The page asked the server twice (the shell, the page): its buttons appearing asked nothing more.
    dash_duo.wait_for_element("#wales-map-graph .main-svg", timeout=60)
    assert dash_duo.driver.execute_script(CALLS) == 2
    assert dash_duo.find_element(PREVIOUS).get_attribute("aria-disabled") == "true"
    button = dash_duo.find_element(NEXT)
    assert button.text == "Rhesi nesaf"
    button.send_keys(Keys.ENTER)  # the keyboard: a button takes Enter (and Space)
    dash_duo.wait_for_text_to_equal(STATUS, "Rhesi 21 i 40 o 45", timeout=30)
    assert first_bodies() == bodies[20:40]
    assert dash_duo.driver.execute_script(CALLS) == 3  # one for the page of rows
    button.send_keys(Keys.SPACE)
    dash_duo.wait_for_text_to_equal(STATUS, "Rhesi 41 i 45 o 45", timeout=30)
    assert first_bodies() == bodies[40:]
    assert dash_duo.find_element(NEXT).get_attribute("aria-disabled") == "true"  # the last page
    assert dash_duo.driver.execute_script("return document.activeElement.id") == button.get_attribute("id")
    dash_duo.find_element(PREVIOUS).send_keys(Keys.ENTER)
    dash_duo.wait_for_text_to_equal(STATUS, "Rhesi 21 i 40 o 45", timeout=30)
    assert dash_duo.find_element("nav.table-pages[aria-label^='Tudalennau']")
    # Its CSV, asked for from the browser, holds every body, not the page shown.
    dash_duo.driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    csv = dash_duo.find_element("button[id*='download-csv'][id*='wales-coverage']")
    dash_duo.driver.execute_script("arguments[0].scrollIntoView(); arguments[0].click();", csv)
    saved = tmp_path / "wales-2022-23-coverage-cy.csv"
    for _ in range(100):
        if saved.exists():
            break
        time.sleep(0.2)
    assert len(saved.read_text(encoding="utf-8-sig").strip().splitlines()) == 1 + 45
    serious = axe_violations(dash_duo, axe_source)
    assert serious == [], json.dumps(serious, indent=1)
