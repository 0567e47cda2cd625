"""Screenshots of every page at 1280 and 390 px, in English and Welsh, signed out and signed in.

    python -m tests.browser.screenshots OUT_DIR [--widths 1280,390] [--langs en,cy]
        [--users -,cardiff.officer,wg.reviewer] [--pages home,compare,...]

Starts the dashboard on 127.0.0.1 (a random port in 18000-18999) over a temporary copy of
the sample data with the demo accounts, drives headless Chromium (Debian's chromium and
chromedriver), writes one full-page PNG per page, width, language and user
(``OUT_DIR/<user or signed-out>-<lang>-<width>-<page>.png``), and prints every page whose document is wider
than the window (it scrolls sideways). Exits 1 if any does. The helpers here (the site, the
browser, the pages) are shared with ``benchmarks/bench_browser.py`` and the browser tests.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from decarb_dashboard.sample import DEMO_PASSWORD

#: Every page of the site, by a short name for its file; ``{receipt}`` is a Cardiff submission's id.
PAGES = {
    "home": "/",
    "upload": "/upload",
    "projects": "/projects/upload",
    "receipt": "/receipt/{receipt}",
    "organisation": "/organisation?body=cardiff&year=2022-23",
    "compare": "/compare",
    "wales": "/wales?year=2022-23",
    "review": "/review",
    "accounts": "/accounts",
    "sign-in": "/sign-in",
    "accessibility": "/accessibility",
    "privacy": "/privacy",
    "contact": "/contact",
    "api": "/api",
    "data": "/data",
}
USERS = ("-", "cardiff.officer", "wg.reviewer")  # "-": signed out
#: The tallest screenshot taken, in CSS pixels (a longer page is cut there).
MAX_HEIGHT = 8000


@contextmanager
def running_site(data_dir: Path | None = None) -> Iterator[tuple[str, str]]:
    """Serve the dashboard over a copy of the sample data with the demo accounts; yield (address, receipt id).

    The copy is made by the app's own first start (the sample returns through the upload path)
    in a temporary directory, removed afterwards.
    """
    from decarb_dashboard.store import SubmissionStore
    from decarb_dashboard.web import create_app
    from tests.dash_http import serve

    with tempfile.TemporaryDirectory(prefix="decarb-screens-") as tmp:
        root = data_dir or Path(tmp) / "data"
        before = os.environ.get("DECARB_DEMO_ACCOUNTS")
        os.environ["DECARB_DEMO_ACCOUNTS"] = "1"  # for this app only: later apps in the process must not add them
        try:
            app = create_app(root)
        finally:
            if before is None:
                del os.environ["DECARB_DEMO_ACCOUNTS"]
            else:
                os.environ["DECARB_DEMO_ACCOUNTS"] = before
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per request
        receipt = next(s.submission_id for s in SubmissionStore(root).submissions() if "cardiff" in s.organisations)
        with serve(app.server) as base:
            yield base, receipt


def chromium(performance_log: bool = False):
    """Return a headless Chromium (selenium), optionally recording the DevTools performance log."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--no-first-run", "--hide-scrollbars", "--window-size=1280,1000"):
        options.add_argument(argument)
    if Path("/usr/bin/chromium").exists():
        options.binary_location = "/usr/bin/chromium"
    if performance_log:
        options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    service = Service("/usr/bin/chromedriver") if Path("/usr/bin/chromedriver").exists() else Service()
    return webdriver.Chrome(options=options, service=service)


def set_viewport(driver, width: int, height: int = 900) -> None:
    """Make the page's viewport exactly ``width`` x ``height`` CSS pixels (as a window of that size would be)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})


def wait_for_content(driver, timeout_s: float = 30) -> float:
    """Wait until the page's heading is shown and no callback is loading; return the seconds waited."""
    start = time.perf_counter()
    script = ("return !!document.querySelector('#main h1') && !document.querySelector('._dash-loading')"
              " && !document.querySelector('[data-dash-is-loading=\"true\"]')"
              " && !!document.querySelector('#page-footer a');")
    while time.perf_counter() - start < timeout_s:
        if driver.execute_script(script):
            return time.perf_counter() - start
        time.sleep(0.05)
    raise TimeoutError(f"{driver.current_url}: no content after {timeout_s} s")


def document_width(driver) -> tuple[int, int]:
    """Return (the document's width, the viewport's width) in CSS pixels: wider means it scrolls sideways."""
    return tuple(driver.execute_script(
        "return [Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),"
        " document.documentElement.clientWidth];"))


def sign_in(driver, base: str, username: str) -> None:
    """Sign in through the sign-in form as ``username`` (a demo account)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(base + "/sign-in")
    wait = WebDriverWait(driver, 30)
    wait.until(expected_conditions.presence_of_element_located((By.ID, "sign-in-username"))).send_keys(username)
    driver.find_element(By.ID, "sign-in-password").send_keys(DEMO_PASSWORD)
    driver.find_element(By.ID, "sign-in-submit").click()
    wait.until(expected_conditions.presence_of_element_located((By.ID, "signed-in-as")))


def address(path: str, lang: str, receipt: str) -> str:
    """Return a page's address in ``lang``."""
    path = path.format(receipt=receipt)
    return f"{path}{'&' if '?' in path else '?'}lang={lang}"


def screenshot(driver, path: Path, width: int) -> None:
    """Save the whole page (up to MAX_HEIGHT) at ``width`` as a PNG."""
    height = min(MAX_HEIGHT, int(driver.execute_script("return document.documentElement.scrollHeight;")))
    set_viewport(driver, width, max(height, 600))
    time.sleep(0.3)  # the charts redraw at the new size
    driver.save_screenshot(str(path))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--widths", default="1280,390")
    parser.add_argument("--langs", default="en,cy")
    parser.add_argument("--users", default=",".join(USERS))
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--data-dir", type=Path, help="a data directory to show (default: a copy of the samples)")
    args = parser.parse_args(argv)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    widths = [int(w) for w in args.widths.split(",")]
    wide: list[str] = []
    taken = 0
    with running_site(args.data_dir) as (base, receipt):
        driver = chromium()
        try:
            for user in args.users.split(","):
                driver.delete_all_cookies()
                if user != "-":
                    sign_in(driver, base, user)
                for lang in args.langs.split(","):
                    for width in widths:
                        for name in args.pages.split(","):
                            set_viewport(driver, width)
                            driver.get(base + address(PAGES[name], lang, receipt))
                            wait_for_content(driver)
                            time.sleep(0.3)
                            document, viewport = document_width(driver)
                            label = f"{user if user != '-' else 'signed-out'}-{lang}-{width}-{name}"
                            if document > viewport:
                                wide.append(f"{label}: document {document} px wide in a {viewport} px window")
                            screenshot(driver, args.out_dir / f"{label}.png", width)
                            taken += 1
        finally:
            driver.quit()
    print(f"{taken} screenshots in {args.out_dir}")
    for line in wide:
        print("scrolls sideways:", line)
    if not wide:
        print("no page is wider than its window")
    return 1 if wide else 0


if __name__ == "__main__":
    sys.exit(main())
