"""Browser tests: dash_duo driving Debian's chromium headless, plus axe-core for accessibility."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from dash.testing.application_runners import BaseDashRunner

from decarb_dashboard.accounts import AccountStore
from tests.conftest import REPO

PASSWORD = "a long enough passphrase"

# Dash's threaded runner numbers its servers' ports from one class attribute in each process, so two xdist
# workers would both start at the same port and one could wait for, and then drive, the other's server (which
# stops under it: ERR_CONNECTION_REFUSED). Each worker has a thousand ports of its own, below Linux's ephemeral
# range (32768-60999) and above tests/servers.py's (18000-18999).
BaseDashRunner._next_port = 20000 + 1000 * int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)

AXE = REPO / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"


def pytest_setup_options():
    from selenium.webdriver.chrome.options import Options

    options = Options()
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--no-first-run", "--window-size=1280,1000"):
        options.add_argument(argument)
    if Path("/usr/bin/chromium").exists():
        options.binary_location = "/usr/bin/chromium"
    return options


@pytest.fixture
def data_dir(sample_store, tmp_path):
    """A private copy of the seeded sample store, so that submissions in one test stay there."""
    target = tmp_path / "data"
    shutil.copytree(sample_store.root, target)
    AccountStore(target).add("officer", PASSWORD, "submitter", ["cardiff", "newport"], "Cardiff officer")
    AccountStore(target).add("reviewer", PASSWORD, "reviewer", [], "WG reviewer")
    return target


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"axe-core is missing at {AXE}: `make test` installs it")
        pytest.skip("axe-core not installed (make test installs it)")
    return AXE.read_text(encoding="utf-8")


def axe_violations(dash_duo, axe_source: str) -> list[dict]:
    """Run axe-core on the page ``dash_duo`` shows; return its serious and critical violations, each with the
    first five elements it found them on (an empty list: none)."""
    dash_duo.driver.execute_script(axe_source)
    result = dash_duo.driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(JSON.stringify(r.violations)));")
    return [{k: v[k] for k in ("id", "impact", "help")} | {"nodes": [n["target"] for n in v["nodes"][:5]]}
            for v in json.loads(result) if v["impact"] in ("serious", "critical")]


def sign_in_form(dash_duo, user: str) -> None:
    """Sign in as ``user`` through the sign-in form, as a person would, and wait until the page says so."""
    dash_duo.driver.get(dash_duo.server_url + "/sign-in")
    dash_duo.wait_for_element("#sign-in-username", timeout=20).send_keys(user)
    dash_duo.find_element("#sign-in-password").send_keys(PASSWORD)
    dash_duo.find_element("#sign-in-submit").click()
    dash_duo.wait_for_element("#signed-in-as", timeout=20)
