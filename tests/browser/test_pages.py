"""The dashboard as a user meets it, in a real (headless) browser."""

from __future__ import annotations

import json
import time

import pytest

from decarb_dashboard.compare import compare
from decarb_dashboard.engine import Engine
from decarb_dashboard.web import create_app
from tests.browser.conftest import axe_violations, sign_in_form
from tests.conftest import csv_bytes

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser_b")]


def open_page(dash_duo, data_dir, path: str, user: str | None = None):
    """Start the app, sign in as ``user`` through the sign-in form if given, then open ``path``."""
    app = create_app(data_dir, seed=False)
    dash_duo.start_server(app)
    if user:
        sign_in_form(dash_duo, user)
    dash_duo.driver.get(dash_duo.server_url + path)
    dash_duo.wait_for_element("#main h1", timeout=20)
    return app


def upload(dash_duo, path) -> None:
    dash_duo.find_element("#up-file input[type=file]").send_keys(str(path))


def test_upload_a_broken_file_and_see_the_error_summary(dash_duo, data_dir, tmp_path):
    open_page(dash_duo, data_dir, "/upload?body=cardiff&year=2024-25", user="officer")
    path = tmp_path / "broken.csv"
    path.write_bytes(csv_bytes("Cardiff,2024-25,Buildings,Electricity,,,,100,,,",
                               "Cardiff,2024-25,Bulidings,,,,,5,,,",
                               "Cardiff,2024-25,Waste,,,,,lots,,,"))
    upload(dash_duo, path)
    try:
        dash_duo.wait_for_element("#error-summary", timeout=20)
    except Exception:
        dash_duo.driver.save_screenshot("/tmp/upload-errors-fail.png")
        print(dash_duo.get_logs())
        raise
    summary = dash_duo.find_element("#error-summary").text
    assert summary.startswith("There is a problem")
    assert "Row 3, Column category: “Bulidings” is not a reporting category." in summary
    assert "Row 4, Column emissions_tco2e: “lots” in emissions_tco2e is not a number." in summary
    marked = [c.text for c in dash_duo.find_elements("#up-offending-rows .cell-error")]
    assert marked == ["✗ Bulidings", "✗ lots"]
    dash_duo.driver.save_screenshot("/tmp/upload-errors.png")
    before = dash_duo.find_element("#up-history").text
    dash_duo.find_element("#up-submit").click()
    dash_duo.wait_for_element("#up-receipt #error-summary", timeout=20)  # refused again, on the server
    assert dash_duo.find_element("#up-history").text == before


def test_a_body_s_page_shows_the_engine_s_figures(dash_duo, data_dir):
    open_page(dash_duo, data_dir, "/organisation?body=newport&year=2022-23")
    dash_duo.wait_for_element("#org-headlines", timeout=20)
    expected = compare(Engine.from_data_dir(data_dir), "newport", "2022-23")
    headlines = dash_duo.find_element("#org-headlines").text
    assert f"{expected['total_tco2e']:,.0f} tCO2e" in headlines
    change = expected["change_vs_baseline_pct"]  # said as higher or lower, never "-9.1%"
    assert f"{abs(change):.1f}% {'lower' if change < 0 else 'higher'} (" in headlines
    rank = expected["peer_group"]
    assert f"{rank['rank']} of {rank['peer_count']} (1 = lowest)" in headlines
    # The figures behind a chart download as CSV: the click reaches the server and nothing fails.
    button = dash_duo.find_elements("button[id*='download-csv']")[0]
    dash_duo.driver.execute_script("arguments[0].scrollIntoView(); arguments[0].click();", button)
    time.sleep(2)
    assert dash_duo.find_element("#callback-error").text == ""
    assert not [e for e in dash_duo.get_logs() or [] if e.get("level") == "SEVERE"]


def test_switch_to_welsh(dash_duo, data_dir):
    open_page(dash_duo, data_dir, "/organisation?body=cardiff&year=2022-23")
    dash_duo.find_element("#language-switch").click()
    dash_duo.wait_for_text_to_equal("#main h1", "Fy sefydliad", timeout=20)
    assert dash_duo.find_element("#language-switch").text == "English"
    assert "Cyfanswm allyriadau 2022-23" in dash_duo.find_element("#org-headlines").text
    assert dash_duo.driver.execute_script("return document.documentElement.lang") == "cy"


def test_the_wales_overview_shows_the_planted_problems(dash_duo, data_dir):
    open_page(dash_duo, data_dir, "/wales?year=2022-23")
    dash_duo.wait_for_element("#quality-flags li", timeout=20)
    flags = dash_duo.find_element("#quality-flags").text
    assert "Possible unit slip: Torfaen, Fleet: " in flags
    link = dash_duo.find_element("#quality-flags a")
    assert "/organisation?lang=en&body=" in link.get_attribute("href")
    dash_duo.driver.get(dash_duo.server_url + "/wales?year=2021-22")
    dash_duo.wait_for_contains_text("#quality-flags", "Ceredigion, Buildings", timeout=20)


#: The pages axe-core checks, by who is signed in (None: nobody); one server and browser for each.
A11Y_PAGES = {
    None: ["/", "/organisation?body=cardiff&year=2022-23", "/compare", "/wales?year=2022-23",
           "/organisation?lang=cy&body=cardiff&year=2022-23", "/sign-in", "/upload?lang=cy"],
    "officer": ["/upload", "/projects/upload?lang=cy"],
    "reviewer": ["/review?status=all"],
}


@pytest.mark.parametrize("user", list(A11Y_PAGES), ids=lambda user: user or "signed-out")
def test_no_serious_accessibility_violations(dash_duo, data_dir, axe_source, user):
    open_page(dash_duo, data_dir, A11Y_PAGES[user][0], user)
    found = {}
    for k, path in enumerate(A11Y_PAGES[user]):
        if k:
            dash_duo.driver.get(dash_duo.server_url + path)
            dash_duo.wait_for_element("#main h1", timeout=20)
        found[path] = axe_violations(dash_duo, axe_source)
    assert found == {path: [] for path in found}, json.dumps(found, indent=1)


def test_a_reviewer_queries_a_return_and_the_officer_sees_the_question(dash_duo, data_dir):
    from decarb_dashboard.store import SubmissionStore

    newest = SubmissionStore(data_dir).history("cardiff")[-1]
    latest = newest.submission_id
    open_page(dash_duo, data_dir, f"/review?status=all&submission={latest}", user="reviewer")
    dash_duo.wait_for_contains_text("#rv-title", "Cardiff", timeout=20)
    dash_duo.find_elements("#rv-decision input[type=radio]")[1].click()  # Query the return
    dash_duo.find_element("#rv-message").send_keys("Gas is 40% down on 2021-22: was a meter missed?")
    dash_duo.find_element("#rv-record").click()
    dash_duo.wait_for_contains_text("#rv-done", f"Return {newest.reference} queried", timeout=20)
    dash_duo.wait_for_contains_text("#review-thread", "was a meter missed?", timeout=20)
    assert "Gas is 40% down on 2021-22: was a meter missed?" in dash_duo.find_element("#review-thread").text
    assert SubmissionStore(data_dir).submission(latest).status == "queried"


def test_the_net_zero_plans_read_in_a_browser_at_390_px_with_no_accessibility_violation(dash_duo, data_dir,
                                                                                          axe_source, tmp_path):
    """With Cardiff's projects recorded, the Wales overview's plans and My organisation's plan, in both languages:
    drawn, worded, no wider than a phone and clean by axe-core."""
    from decarb_dashboard.cli import main
    from tests.test_plan_cli import PROJECTS

    projects = tmp_path / "projects.csv"
    projects.write_text(PROJECTS, encoding="utf-8")
    assert main(["projects", "submit", str(projects), "--data-dir", str(data_dir), "--as", "officer"]) == 0
    dash_duo.driver.set_window_size(390, 900)
    pages = {"/wales?year=2023-24": ("#wales-plan", "1 of 45 bodies have recorded net zero projects"),
             "/organisation?body=cardiff&year=2023-24&lang=cy": ("#org-plan", "Ymhell islaw'r arbediad a ddisgwylid")}
    open_page(dash_duo, data_dir, next(iter(pages)))
    found = {}
    for k, (path, (section, words)) in enumerate(pages.items()):
        if k:
            dash_duo.driver.get(dash_duo.server_url + path)
        dash_duo.wait_for_element(f"{section} .js-plotly-plot", timeout=30)
        assert words in dash_duo.find_element(section).text
        wide, window = dash_duo.driver.execute_script(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert wide <= window, f"{path} is {wide} px wide in a {window} px window"
        found[path] = axe_violations(dash_duo, axe_source)
    assert found == {path: [] for path in found}, json.dumps(found, indent=1)
