"""The Content-Security-Policy is live in a real browser, and the dashboard works under it (issue 12 item 9)."""

from __future__ import annotations

import pytest

from tests.browser.test_pages import open_page

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def csp_complaints(dash_duo) -> list[str]:
    return [e["message"] for e in dash_duo.driver.get_log("browser") if "Content Security Policy" in e["message"]]


@pytest.mark.parametrize(("path", "user", "ready"), [
    ("/organisation?body=cardiff&year=2022-23", None, "#org-headlines"),
    ("/wales?year=2022-23", None, "#quality-flags li"),
    ("/upload?body=cardiff&year=2024-25", "officer", "#up-history-table"),
])
def test_pages_work_under_the_policy_and_it_refuses_injected_script(dash_duo, data_dir, path, user, ready):
    open_page(dash_duo, data_dir, path, user)
    dash_duo.wait_for_element(ready, timeout=20)
    dash_duo.wait_for_element(".js-plotly-plot, #up-history-table", timeout=20)
    ran = dash_duo.driver.execute_script(
        "const s = document.createElement('script'); s.textContent = 'window.__injected = 1';"
        "document.body.appendChild(s); return window.__injected === 1;")
    assert ran is False  # an inline script that is not Dash's own does not run
    complaints = csp_complaints(dash_duo)  # the injected one only: none of Dash's own was refused
    assert len(complaints) == 1 and "inline script" in complaints[0], complaints
