"""Time to content and bytes transferred of every page in headless Chromium, against a blank Dash page.

Each page is loaded ``--runs`` times with an empty browser cache (a first visit), at Wales scale
(the bundled sample returns, through the app's first start) and with ``--bodies`` bodies (the
register's 45 with the sample returns and made-up ones with 5 years of returns,
``benchmarks/synthetic.py``). Time to content: from the start
of navigation until the page's heading and footer are shown and no callback is loading (the
page's ``performance.now()``, polled every 20 ms). Bytes: the sum of ``transferSize`` of the
navigation and every resource (``performance.getEntriesByType``: compressed bytes on the wire,
with headers), counted 1 s after content, once late scripts such as plotly.js have arrived.
The blank page is a Dash app of one heading with the same compression, served in the same run.
Targets (issue 15): a chart page's first load under 1.5 MB; time to content under 1 s at Wales
scale and under 2 s at 5,000 bodies.

Chromium offers Brotli only over HTTPS, so over this loopback HTTP it takes gzip: behind the
HTTPS proxy of docs/deployment.md the bytes are smaller still.

    python benchmarks/bench_browser.py [--runs 3] [--pages home,compare,...] [--bodies 5000 | 0] [--lang cy]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from decarb_dashboard.registry import load_registry
from tests.browser.screenshots import PAGES, address, chromium, running_site, set_viewport, sign_in
from tests.dash_http import serve

#: Pages a signed-out visitor only sees refused, measured signed in as the demo account that may see them.
SIGNED_IN = {"upload": "cardiff.officer", "receipt": "cardiff.officer", "review": "wg.reviewer",
             "accounts": "admin"}
#: The pages that draw charts (the target of 1.5 MB is theirs).
CHART_PAGES = ("organisation", "compare", "wales")
TARGET_BYTES = 1_500_000
TARGET_S = 1.0
#: Time to content at 5,000 bodies.
TARGET_LARGE_S = 2.0

READY = ("return (document.querySelector('#main h1') && !document.querySelector('._dash-loading')"
         " && !document.querySelector('[data-dash-is-loading=\"true\"]')"
         " && document.querySelector('#page-footer a, #blank-ready')) ? performance.now() : null;")
TRANSFERRED = ("return performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))"
               ".reduce((n, e) => n + (e.transferSize || 0), 0);")


@contextmanager
def blank_site() -> Iterator[str]:
    """Serve a Dash app of one heading (with the dashboard's compression) on loopback; yield its address."""
    from dash import Dash, html

    from decarb_dashboard.web import headers

    app = Dash(__name__)
    app.layout = html.Main(html.H1("Blank", id="blank-ready"), id="main")
    headers.install_compression(app)
    with serve(app.server) as address:
        yield address


def large_store(root: Path, bodies: int, n_years: int = 5) -> Path:
    """Make a store in ``root`` of ``bodies`` bodies: the register's 45 with the sample returns, and made-up ones.

    The made-up bodies (``benchmarks/synthetic.py``) have ``n_years`` years of returns from 2019-20, so the
    demo accounts, Cardiff's page and its receipt are the same as at Wales scale.
    """
    import pandas as pd

    from benchmarks.synthetic import synthetic_lines, synthetic_registry
    from decarb_dashboard.registry import bundled_registry
    from decarb_dashboard.sample import seed
    from decarb_dashboard.store import SubmissionStore
    from uploads_schema.models import Registry

    wales = bundled_registry()
    made_up = synthetic_registry(bodies - len(wales))
    root.mkdir(parents=True)
    Registry.validate(pd.concat([wales, made_up], ignore_index=True)).to_csv(root / "registry.csv", index=False)
    store = SubmissionStore(root, durable=False)
    seed(store, load_registry(root))
    store.submit(synthetic_lines(made_up, n_years), b"bench", submitted_by="bench")
    return root


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


def measure(driver, base: str, receipt: str, pages: list[str], lang: str, runs: int) -> list[tuple]:
    """Return (page, as whom, seconds to content, bytes) of every page: medians of ``runs`` first loads."""
    rows = []
    for user in (None, *sorted(set(SIGNED_IN.values()))):
        names = [n for n in pages if SIGNED_IN.get(n) == user]
        if not names:
            continue
        driver.delete_all_cookies()
        if user:
            sign_in(driver, base, user)
        for name in names:
            url = base + address(PAGES[name], lang, receipt)
            loads = [first_load(driver, url) for _ in range(runs)]
            rows.append((name, user or "signed out", statistics.median(r[0] for r in loads),
                         statistics.median(r[1] for r in loads)))
    return rows


def report(scale: str, rows: list[tuple], blank: tuple[float, float], target_s: float) -> list[str]:
    """Print the table of one scale against the blank page; return the targets missed."""
    blank_s, blank_bytes = blank
    print(f"\n{scale} (target: content under {target_s:.0f} s, a chart page under {TARGET_BYTES / 1e6} MB)")
    print(f"{'page':<14}{'as':<17}{'content ms':>11}{'x blank':>9}{'MB':>8}{'x blank':>9}")
    failed = []
    for name, user, seconds, size in rows:
        print(f"{name:<14}{user:<17}{seconds * 1000:>11.0f}{seconds / blank_s:>9.1f}"
              f"{size / 1e6:>8.2f}{size / blank_bytes:>9.1f}")
        if name in CHART_PAGES and size > TARGET_BYTES:
            failed.append(f"{scale}, {name}: {size / 1e6:.2f} MB > {TARGET_BYTES / 1e6} MB")
        if seconds > target_s:
            failed.append(f"{scale}, {name}: {seconds:.2f} s to content > {target_s} s")
    return failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--lang", default="en")
    parser.add_argument("--bodies", type=int, default=5000,
                        help="the larger store's bodies (0: Wales scale only)")
    args = parser.parse_args(argv)
    pages = args.pages.split(",")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per request
    scales = [("Wales scale (45 bodies, the sample returns)", None, TARGET_S)]
    driver = chromium()
    failed = []
    try:
        set_viewport(driver, 1280, 900)
        with blank_site() as blank_address, tempfile.TemporaryDirectory(prefix="decarb-bench-") as tmp:
            first_load(driver, blank_address + "/")  # the browser's own first start is not the page's
            loads = [first_load(driver, blank_address + "/") for _ in range(args.runs)]
            blank = statistics.median(r[0] for r in loads), statistics.median(r[1] for r in loads)
            print(f"blank Dash page: {blank[0] * 1000:.0f} ms to content, {blank[1] / 1e6:.2f} MB transferred "
                  f"(median of {args.runs} first loads)")
            if args.bodies:
                scales.append((f"{args.bodies:,} bodies (5 years of made-up returns)", Path(tmp) / "large",
                               TARGET_LARGE_S))
            for scale, root, target_s in scales:
                if root is not None:
                    start = time.perf_counter()
                    large_store(root, args.bodies)
                    print(f"\nmade a store of {args.bodies:,} bodies in {time.perf_counter() - start:.0f} s")
                with running_site(root) as (base, receipt):
                    first_load(driver, base + "/")  # the process's first engine is built before anyone visits
                    failed += report(scale, measure(driver, base, receipt, pages, args.lang, args.runs), blank,
                                     target_s)
    finally:
        driver.quit()
    print("\ntargets met" if not failed else "\ntargets missed: " + "; ".join(failed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
