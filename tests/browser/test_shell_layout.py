"""At 390 px no page scrolls sideways, every page ends with the footer, and the service pages pass axe-core."""

from __future__ import annotations

import json

import pytest

from decarb_dashboard.accounts import AccountStore
from decarb_dashboard.store import SubmissionStore
from decarb_dashboard.web import create_app
from tests.browser.conftest import PASSWORD, sign_in_form
from tests.browser.screenshots import PAGES, address, document_width, set_viewport, wait_for_content

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser_b")]


def _start(dash_duo, data_dir, user: str | None = None) -> str:
    """Start the app over ``data_dir``, sign in as ``user`` if given; return a Cardiff submission's id."""
    dash_duo.start_server(create_app(data_dir, seed=False))
    if user:
        sign_in_form(dash_duo, user)
    return next(s.submission_id for s in SubmissionStore(data_dir).submissions() if "cardiff" in s.organisations)


def _visit(dash_duo, path: str) -> tuple[int, int]:
    dash_duo.driver.get(dash_duo.server_url + path)
    wait_for_content(dash_duo.driver)
    return document_width(dash_duo.driver)


@pytest.mark.parametrize("user", [None, "officer"])
def test_at_390_px_no_page_is_wider_than_the_window_and_each_has_the_footer(dash_duo, data_dir, user):
    receipt = _start(dash_duo, data_dir, user)
    set_viewport(dash_duo.driver, 390, 844)
    wide, footers = {}, {}
    for lang in ("cy", "en"):
        for path in PAGES.values():
            url = address(path, lang, receipt)
            document, viewport = _visit(dash_duo, url)
            assert dash_duo.driver.execute_script("return window.innerWidth;") == 390
            if document > viewport:
                wide[url] = document
            links = dash_duo.driver.execute_script(
                "return [...document.querySelectorAll('#page-footer a')].map(a => a.getAttribute('href'));")
            footers[url] = links == [f"{page}?lang={lang}" for page in ("/accessibility", "/privacy", "/contact",
                                                                        "/data", "/api")]
    assert wide == {}  # {address: document width in px}
    assert [url for url, ok in footers.items() if not ok] == []


def test_the_header_s_title_and_sign_in_link_do_not_touch_at_390_px(dash_duo, data_dir):
    _start(dash_duo, data_dir)
    set_viewport(dash_duo.driver, 390, 844)
    _visit(dash_duo, "/compare?lang=cy")
    title, link = (dash_duo.driver.execute_script(f"return document.querySelector('{css}').getBoundingClientRect();")
                   for css in (".service-name", "#sign-in-link"))
    apart = link["top"] >= title["bottom"] or link["left"] >= title["right"] or link["right"] <= title["left"]
    assert apart, (title, link)


@pytest.mark.parametrize(("width", "name"), [(1280, "Welsh Government reviewer"), (390, "Cardiff energy officer")])
def test_the_language_switch_stays_beside_sign_out_when_a_long_name_wraps_the_header(dash_duo, data_dir, width, name):
    # at 1280 px the title, the tagline, "Signed in as Welsh Government reviewer" and "Sign out" fit on a line and
    # "Cymraeg" did not: it wrapped on its own to the left under the title, far from the other links; at 390 px
    # "Signed in as Cardiff energy officer" and "Sign out" sat at the right of their line, "Cymraeg" at the left
    AccountStore(data_dir).add("long.name", PASSWORD, "reviewer", [], name)
    _start(dash_duo, data_dir, "long.name")
    set_viewport(dash_duo.driver, width, 900)
    _visit(dash_duo, "/compare")
    sign_out, switch, title, name = (
        dash_duo.driver.execute_script(f"return document.querySelector('{css}').getBoundingClientRect();")
        for css in ("#sign-out", "#language-switch", ".service-name", "#signed-in-as"))
    if width == 1280:
        assert abs(switch["top"] - sign_out["top"]) < 8 and switch["left"] > sign_out["right"]
    else:  # each on the left of its own line, as a narrow screen reads
        assert abs(switch["left"] - title["left"]) < 4 and abs(name["left"] - title["left"]) < 4, (title, name, switch)


def test_the_service_pages_pass_axe_core_in_both_languages_at_390_px(dash_duo, data_dir, axe_source):
    _start(dash_duo, data_dir)
    set_viewport(dash_duo.driver, 390, 844)
    found = {}
    for path in ("/accessibility", "/privacy", "/contact"):
        for lang in ("en", "cy"):
            _visit(dash_duo, f"{path}?lang={lang}")
            assert dash_duo.driver.execute_script("return document.documentElement.lang;") == lang
            dash_duo.driver.execute_script(axe_source)
            result = dash_duo.driver.execute_async_script(
                "const done = arguments[arguments.length - 1];"
                "axe.run(document, {resultTypes: ['violations']}).then(r => done(JSON.stringify(r.violations)));")
            found[f"{path}?lang={lang}"] = [v["id"] for v in json.loads(result)]
    assert found == {url: [] for url in found}
