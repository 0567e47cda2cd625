"""Time to content and bytes transferred of every page in headless Chromium, against a blank Dash page.

Each page is loaded ``--runs`` times with an empty browser cache (a first visit), at Wales scale
(the bundled sample returns, through the app's first start). Time to content: from the start
of navigation until the page's heading and footer are shown and no callback is loading (the
page's ``performance.now()``, polled every 20 ms). Bytes: the sum of ``transferSize`` of the
navigation and every resource (``performance.getEntriesByType``: compressed bytes on the wire,
with headers), counted 1 s after content, once late scripts such as plotly.js have arrived.
The blank page is a Dash app of one heading with the same compression, served in the same run.
Targets (issue 15): a chart page's first load under 1.5 MB; time to content under 1 s.

Chromium offers Brotli only over HTTPS, so over this loopback HTTP it takes gzip: behind the
HTTPS proxy of docs/deployment.md the bytes are smaller still.

    python benchmarks/bench_browser.py [--runs 3] [--pages home,compare,...]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.browser.screenshots import PAGES, PORTS, address, chromium, running_site, set_viewport, sign_in

#: Pages a signed-out visitor only sees refused, measured signed in as the demo account that may see them.
SIGNED_IN = {"upload": "cardiff.officer", "receipt": "cardiff.officer", "review": "wg.reviewer",
             "accounts": "admin"}
#: The pages that draw charts (the target of 1.5 MB is theirs).
CHART_PAGES = ("organisation", "compare", "wales")
TARGET_BYTES = 1_500_000
TARGET_S = 1.0

READY = ("return (document.querySelector('#main h1') && !document.querySelector('._dash-loading')"
         " && !document.querySelector('[data-dash-is-loading=\"true\"]')"
         " && document.querySelector('#page-footer a, #blank-ready')) ? performance.now() : null;")
TRANSFERRED = ("return performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))"
               ".reduce((n, e) => n + (e.transferSize || 0), 0);")


@contextmanager
def blank_site() -> Iterator[str]:
    """Serve a Dash app of one heading (with the dashboard's compression) on loopback; yield its address."""
    from dash import Dash, html
    from werkzeug.serving import make_server

    from decarb_dashboard.web import headers

    app = Dash(__name__)
    app.layout = html.Main(html.H1("Blank", id="blank-ready"), id="main")
    headers.install_compression(app)
    for port in random.sample(PORTS, 20):
        try:
            server = make_server("127.0.0.1", port, app.server, threaded=True)
            break
        except OSError:
            continue
    else:
        raise RuntimeError("no free port in 18000-18999")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def first_load(driver, url: str, timeout_s: float = 60) -> tuple[float, int]:
    """Load ``url`` with an empty cache; return (seconds to content, bytes transferred)."""
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.clearBrowserCache", {})
    driver.execute_script("performance.clearResourceTimings && performance.clearResourceTimings();")
    driver.get(url)
    start = time.perf_counter()
    while time.perf_counter() - start < timeout_s:
        ready = driver.execute_script(READY)
        if ready is not None:
            time.sleep(1.0)  # scripts loaded after the content (plotly.js) still count
            return ready / 1000, int(driver.execute_script(TRANSFERRED))
        time.sleep(0.02)
    raise TimeoutError(f"{url}: no content after {timeout_s} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--lang", default="en")
    args = parser.parse_args(argv)
    rows = []
    with running_site() as (base, receipt), blank_site() as blank:
        driver = chromium()
        try:
            set_viewport(driver, 1280, 900)
            runs = [first_load(driver, blank + "/") for _ in range(args.runs)]
            blank_s, blank_bytes = statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)
            for user in (None, *sorted(set(SIGNED_IN.values()))):
                names = [n for n in args.pages.split(",") if SIGNED_IN.get(n) == user]
                if not names:
                    continue
                driver.delete_all_cookies()
                if user:
                    sign_in(driver, base, user)
                for name in names:
                    url = base + address(PAGES[name], args.lang, receipt)
                    runs = [first_load(driver, url) for _ in range(args.runs)]
                    rows.append((name, user or "signed out", statistics.median(r[0] for r in runs),
                                 statistics.median(r[1] for r in runs)))
        finally:
            driver.quit()
    print(f"blank Dash page: {blank_s * 1000:.0f} ms to content, {blank_bytes / 1e6:.2f} MB transferred "
          f"(median of {args.runs} first loads)")
    print(f"{'page':<14}{'as':<17}{'content ms':>11}{'x blank':>9}{'MB':>8}{'x blank':>9}")
    failed = []
    for name, user, seconds, size in rows:
        print(f"{name:<14}{user:<17}{seconds * 1000:>11.0f}{seconds / blank_s:>9.1f}"
              f"{size / 1e6:>8.2f}{size / blank_bytes:>9.1f}")
        if name in CHART_PAGES and size > TARGET_BYTES:
            failed.append(f"{name}: {size / 1e6:.2f} MB > {TARGET_BYTES / 1e6} MB")
        if seconds > TARGET_S:
            failed.append(f"{name}: {seconds:.2f} s to content > {TARGET_S} s")
    print("targets met" if not failed else "targets missed: " + "; ".join(failed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
