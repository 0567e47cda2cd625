"""The Accounts page in a browser: an admin adds an account through the form, who can then sign in; axe-core
finds no serious violation on the page, in English and Welsh."""

from __future__ import annotations

import random

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

from decarb_dashboard.accounts import AccountStore
from decarb_dashboard.web import create_app
from tests.browser.conftest import PASSWORD, axe_violations, sign_in_form

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser_b")]

NEW_PASSWORD = "the kestrel over the moor"


def choose(dash_duo, dropdown_id: str, label: str) -> None:
    """Open a dropdown and click the option that says ``label``, as a person would."""
    dash_duo.find_element(f"#{dropdown_id}").click()
    WebDriverWait(dash_duo.driver, 10).until(lambda d: d.find_element(
        By.XPATH, f"//label[contains(@class, 'dash-dropdown-option')][normalize-space()='{label}']")).click()


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_an_admin_adds_an_account_in_the_browser_and_the_page_is_accessible(dash_duo, data_dir, axe_source, lang):
    AccountStore(data_dir).add("admin", PASSWORD, "admin", [], "The Admin")
    dash_duo.start_server(create_app(data_dir, seed=False), port=random.randint(18000, 18999))
    sign_in_form(dash_duo, "admin")
    dash_duo.driver.get(f"{dash_duo.server_url}/accounts?lang={lang}")
    dash_duo.wait_for_element("#ac-add-section", timeout=20)
    assert axe_violations(dash_duo, axe_source) == []
    dash_duo.find_element("#ac-new-username").send_keys("new.reviewer")
    dash_duo.find_element("#ac-new-name").send_keys("Nia Reviewer")
    choose(dash_duo, "ac-new-role", "reviewer" if lang == "en" else "adolygydd")
    dash_duo.find_element("#ac-new-password").send_keys(NEW_PASSWORD)
    dash_duo.find_element("#ac-new-password2").send_keys(NEW_PASSWORD)
    dash_duo.find_element("#ac-add").click()
    words = "Added new.reviewer" if lang == "en" else "Ychwanegwyd new.reviewer"
    dash_duo.wait_for_contains_text("#ac-done", words, timeout=20)
    dash_duo.wait_for_contains_text("#ac-audit", "new.reviewer", timeout=20)
    assert dash_duo.find_element("#ac-new-password").get_attribute("value") == ""
    assert AccountStore(data_dir).authenticate("new.reviewer", NEW_PASSWORD).role == "reviewer"
    assert axe_violations(dash_duo, axe_source) == []


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_the_home_page_fits_its_window_and_is_accessible(dash_duo, data_dir, axe_source, lang):
    dash_duo.start_server(create_app(data_dir, seed=False), port=random.randint(18000, 18999))
    sign_in_form(dash_duo, "officer")
    found = {}
    for width in (1280, 390):
        dash_duo.driver.set_window_size(width, 900)
        dash_duo.driver.get(f"{dash_duo.server_url}/?lang={lang}")
        dash_duo.wait_for_element("#home-next-steps", timeout=20)
        dash_duo.wait_for_element("#home-headlines", timeout=20)
        overflow = dash_duo.driver.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        found[width] = {"overflow_px": max(overflow, 0), "violations": axe_violations(dash_duo, axe_source)}
    assert found == {width: {"overflow_px": 0, "violations": []} for width in (1280, 390)}
