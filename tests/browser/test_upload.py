"""Uploading a return in a real (headless) browser: explain the warnings, declare, submit once, the receipt."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from selenium.webdriver.common.action_chains import ActionChains

from decarb_dashboard import review
from decarb_dashboard.store import SubmissionStore
from tests.browser.conftest import axe_violations
from tests.browser.test_pages import open_page, upload
from tests.conftest import csv_bytes

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

#: Where the screenshots go, to be looked at (1280 and 390 px wide).
SHOTS = Path("/tmp/decarb-screenshots")
#: Newport 2024-25: buildings far below its stored 2023-24 figure (a warning), and commuting "N/A" (another).
NEWPORT = csv_bytes("Newport,2024-25,Buildings,Electricity,,,,2500,,,",
                    "Newport,2024-25,Supply chain,,,,,52000,estimated,spend,",
                    "Newport,2024-25,Commuting,,,,,N/A,,,")
WORDS = {
    "en": {"ready": "newport.csv is ready to submit: 3 lines for Newport, 2024-25.", "submitted": "Return submitted: ",
           "receipt": "Receipt ", "total": "Total", "print": "Print or save the receipt"},
    "cy": {"ready": "Mae newport.csv yn barod i'w chyflwyno", "submitted": "Ffurflen wedi'i chyflwyno: ",
           "receipt": "Derbynneb ", "total": "Cyfanswm", "print": "Argraffu neu gadw'r dderbynneb"},
}


def screenshots(dash_duo, name: str) -> None:
    """Save the whole page at 1280 and 390 px wide."""
    SHOTS.mkdir(exist_ok=True)
    driver = dash_duo.driver
    for width in (1280, 390):
        driver.set_window_size(width, 1000)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(width, min(height + 100, 6000))
        driver.execute_script("window.scrollTo(0, 0)")
        driver.save_screenshot(str(SHOTS / f"{name}-{width}.png"))
    driver.set_window_size(1280, 1000)


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_explain_declare_submit_once_and_print_the_receipt(dash_duo, data_dir, tmp_path, axe_source, lang,
                                                          monkeypatch):
    words = WORDS[lang]
    tries = []  # each submission that reaches the server (the app runs in this process)
    real = review.submit_return
    monkeypatch.setattr(review, "submit_return", lambda *a, **k: tries.append(1) or real(*a, **k))
    store = SubmissionStore(data_dir)
    before = len(store.submissions())
    open_page(dash_duo, data_dir, f"/upload?lang={lang}&body=newport&year=2024-25", user="officer")
    path = tmp_path / "newport.csv"
    path.write_bytes(NEWPORT)
    # The declaration typed first is kept when the file's check draws the form again.
    dash_duo.find_element("#up-approved-by").send_keys("Jo Bloggs")
    dash_duo.find_element("#up-approver-role").send_keys("Director of Resources")
    upload(dash_duo, path)
    dash_duo.wait_for_contains_text("#up-valid", words["ready"], timeout=20)
    time.sleep(1)
    assert dash_duo.find_element("#up-receipt").text == ""  # nothing is submitted until Submit is clicked
    boxes = dash_duo.find_elements("#up-warnings textarea")
    assert len(boxes) == 2  # one per group of warnings: the "N/A" line, and buildings against 2023-24
    # Submitting before explaining is refused, and says so.
    dash_duo.find_element("#up-submit").click()
    dash_duo.wait_for_element("#up-refused", timeout=20)
    assert len(SubmissionStore(data_dir).submissions()) == before
    boxes[0].send_keys("Commuting survey every other year; none was run in 2024-25.")
    boxes[1].send_keys("Two office buildings closed in 2024 and the rest moved to LED lighting.")
    assert dash_duo.find_element("#up-approved-by").get_attribute("value") == "Jo Bloggs"
    assert dash_duo.find_element("#up-approver-role").get_attribute("value") == "Director of Resources"
    screenshots(dash_duo, f"upload-explained-{lang}")
    tries.clear()
    ActionChains(dash_duo.driver).double_click(dash_duo.find_element("#up-submit")).perform()
    dash_duo.wait_for_contains_text("#up-receipt-panel", words["submitted"], timeout=30)
    time.sleep(1)  # time for a second request, had the second click sent one
    assert len(tries) == 1  # the button was disabled from the first click: the second sent nothing
    after = SubmissionStore(data_dir).submissions()
    assert len(after) == before + 1  # the double click made one submission
    submission = after[-1]
    panel = dash_duo.find_element("#up-receipt-panel").text
    assert submission.reference.startswith("NEWPORT-2024-25-")
    assert f"{words['submitted']}{submission.reference}" in panel
    assert submission.sha256 in panel and "Jo Bloggs" in panel and "Director of Resources" in panel
    assert "Two office buildings closed in 2024" in panel
    assert dash_duo.find_elements("#up-submit") == []  # the receipt took the button's place
    assert dash_duo.find_elements("#up-warnings textarea") == []  # and the explanations are on it, not editable
    assert axe_violations(dash_duo, axe_source) == []
    screenshots(dash_duo, f"upload-receipt-{lang}")
    link = dash_duo.find_element("#up-receipt-link")
    assert link.text == words["print"]
    dash_duo.driver.get(link.get_attribute("href"))
    dash_duo.wait_for_contains_text("#main h1", f"{words['receipt']}{submission.reference}", timeout=20)
    page = dash_duo.find_element("#rc-page").text
    assert "2,500.0" in page and "52,000.0" in page and words["total"] in page and "54,500.0" in page
    assert axe_violations(dash_duo, axe_source) == []
    screenshots(dash_duo, f"receipt-{lang}")
    # Printed, the page drops the site's header and navigation (the print stylesheet).
    dash_duo.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    assert not dash_duo.find_element(".site-header").is_displayed()
    assert not dash_duo.find_element("nav").is_displayed()
    assert dash_duo.find_element("#rc-facts").is_displayed()
    dash_duo.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
