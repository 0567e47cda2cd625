"""Body selectors of a large register in a browser: a body is found by part of its English or Welsh name,
by keyboard or mouse, the chosen body kept; axe-core finds no serious violation on the page after.

The selectors here offer at most 10 bodies at a time (of the 45), so that the sample register
behaves as one of thousands (the server thread of dash_duo runs in this process).
"""

from __future__ import annotations

import random

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.wait import WebDriverWait

from decarb_dashboard.web import controls, create_app
from tests.browser.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser_b")]

OPTION = "label.dash-dropdown-option"
#: What a wait reads may be drawn again between finding it and reading it: read it again then.
REDRAWN = (StaleElementReferenceException,)


@pytest.fixture
def started(dash_duo, data_dir, monkeypatch):
    monkeypatch.setattr(controls, "BODY_CHOICES", 10)
    dash_duo.start_server(create_app(data_dir, seed=False), port=random.randint(18000, 18999))
    return dash_duo


def wait(dash_duo, seconds: float) -> WebDriverWait:
    return WebDriverWait(dash_duo.driver, seconds, ignored_exceptions=REDRAWN)


def options(dash_duo) -> list[str]:
    return [e.text for e in dash_duo.find_elements(OPTION)]


def test_a_body_is_found_by_part_of_its_welsh_name_and_chosen_by_keyboard(started, axe_source):
    dash_duo = started
    dash_duo.driver.get(dash_duo.server_url + "/organisation?body=newport&year=2022-23")
    dash_duo.wait_for_element("#org-headlines", timeout=30)
    dash_duo.find_element("#org-body").click()
    wait(dash_duo, 10).until(lambda d: len(options(dash_duo)) == 10)  # 10 of 45 at first
    assert "Newport" in options(dash_duo)
    search = dash_duo.find_element("input.dash-dropdown-search")
    search.send_keys("caerd")  # Caerdydd, Cardiff in Welsh, on an English page
    wait(dash_duo, 10).until(lambda d: options(dash_duo)[:1] == ["Cardiff"])
    assert options(dash_duo) == ["Cardiff", "Cardiff and Vale"]  # Bwrdd Iechyd Prifysgol Caerdydd a'r Fro
    search.send_keys(Keys.ENTER)  # the first found
    dash_duo.wait_for_text_to_equal("#org-body .dash-dropdown-value", "Cardiff", timeout=20)
    wait(dash_duo, 30).until(
        lambda d: "Cardiff" in d.find_element(By.ID, "org-peers-title").text)  # the page follows
    assert dash_duo.find_element("#callback-error").text == ""
    assert axe_violations(dash_duo, axe_source) == []


def test_a_body_is_added_to_the_comparison_by_part_of_its_english_name_on_a_welsh_page(started):
    dash_duo = started
    dash_duo.driver.get(dash_duo.server_url + "/compare?lang=cy")
    dash_duo.wait_for_element("#cmp-ranked-graph", timeout=30)
    dash_duo.find_element("#cmp-bodies").click()
    search = wait(dash_duo, 10).until(lambda d: d.find_element(By.CSS_SELECTOR,
                                                                                "input.dash-dropdown-search"))
    search.send_keys("angles")  # Isle of Anglesey: Ynys Môn on a Welsh page
    wait(dash_duo, 10).until(lambda d: options(dash_duo) == ["Ynys Môn"])
    dash_duo.find_element(OPTION).click()
    search.send_keys(Keys.ESCAPE)
    wait(dash_duo, 30).until(
        lambda d: "Ynys Môn" in d.find_element(By.ID, "cmp-view").get_attribute("textContent"))
    chosen = dash_duo.find_element("#cmp-bodies").text
    assert all(name in chosen for name in ("Caerdydd", "Casnewydd", "Abertawe", "Wrecsam", "Ynys Môn")), chosen
