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
        [--store DIR] [--breakdown]

``--store DIR`` keeps the larger store (made if missing, reused after); ``--breakdown`` prints under
each page its callbacks' own time on the server. The columns after the bytes say where a load's
time went (ms from the start of navigation): ``layout`` when Dash's layout arrived, ``calls`` the
callback requests, ``last`` when the last one answered, ``longest`` the longest one's time from
request to answer, ``plotly`` when plotly.js had arrived (0: not loaded), ``render`` from the
latest of those to content (drawing the page), ``charts`` when every chart on the page had been drawn by plotly.js
(its SVG in place; 0: no chart), polled as content is, for up to 5 s after it.
"""

from __future__ import annotations

import argparse
import logging
import re
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
#: The longest a page may take before the run gives up on it.
PAGE_TIMEOUT_S = 600
#: The made-up bodies are submitted this many to a file (see ``large_store``).
SUBMISSION_BODIES = 25

READY = ("return (document.querySelector('#main h1') && !document.querySelector('._dash-loading')"
         " && !document.querySelector('[data-dash-is-loading=\"true\"]')"
         " && document.querySelector('#page-footer a, #blank-ready')) ? performance.now() : null;")
#: Where a load's time went, from the page's own resource timings (ms from the start of navigation): the
#: callback requests (how many, when the last answered, the longest one's time on the server and the wire),
#: when the layout arrived and when plotly.js finished arriving.
TIMELINE = ("const r = performance.getEntriesByType('resource');"
            " const cb = r.filter(e => e.name.includes('_dash-update-component'));"
            " const at = (part) => { const e = r.find(e => e.name.includes(part)); return e ? e.responseEnd : null; };"
            " return {callbacks: cb.length, last_callback: Math.max(0, ...cb.map(e => e.responseEnd)),"
            " longest_callback: Math.max(0, ...cb.map(e => e.responseEnd - e.requestStart)),"
            " layout: at('_dash-layout'), plotly: at('plotly')};")
#: Whether every chart of the page has been drawn (plotly.js has put its SVG in each graph's div).
CHARTS_DRAWN = ("const g = document.querySelectorAll('.chart');"
                " return g.length === 0 ? 0 : (Array.from(g).every(e => e.querySelector('.main-svg')"
                " && !e.querySelector('.dash-graph--pending')) ? performance.now() : null);")
TRANSFERRED = ("return performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))"
               ".reduce((n, e) => n + (e.transferSize || 0), 0);")


#: (callback output, ms on the server) of every callback answered since the last load began (see ``record_callbacks``).
SERVED: list[tuple[str, float]] = []


def record_callbacks() -> None:
    """Record each callback's own time on the server in :data:`SERVED`, for every app of this process (Flask's
    request signals), so that a page's time can be split into its callbacks and the rest."""
    import flask

    def started(_sender, **_extra) -> None:
        flask.g.bench_started = time.perf_counter()

    def finished(_sender, response, **_extra) -> None:
        request = flask.request
        if request.path.endswith("/_dash-update-component") and "bench_started" in flask.g:
            body = request.get_json(silent=True) or {}
            SERVED.append((str(body.get("output", "?"))[:40], (time.perf_counter() - flask.g.bench_started) * 1000))

    flask.request_started.connect(started, weak=False)
    flask.request_finished.connect(finished, weak=False)


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


def large_store(root: Path, bodies: int, n_years: int = 5, database_url: str | None = None) -> Path:
    """Make a store in ``root`` of ``bodies`` bodies: the register's 45 with the sample returns, and made-up ones.

    The made-up bodies (``benchmarks/synthetic.py``) have ``n_years`` years of returns from 2019-20, so the
    demo accounts, Cardiff's page and its receipt are the same as at Wales scale. ``database_url``: the
    store's catalogue and lines in that (migrated, empty) PostgreSQL database; the register stays in ``root``.
    """
    import pandas as pd

    from benchmarks.synthetic import synthetic_lines, synthetic_registry
    from decarb_dashboard.registry import bundled_registry
    from decarb_dashboard.sample import seed
    from decarb_dashboard.store import SubmissionStore
    from uploads_schema.models import Registry

    wales = bundled_registry()
    made_up = synthetic_registry(bodies - len(wales))
    root.mkdir(parents=True, exist_ok=True)
    Registry.validate(pd.concat([wales, made_up], ignore_index=True)).to_csv(root / "registry.csv", index=False)
    store = SubmissionStore(root, durable=False, database_url=database_url)
    seed(store, load_registry(root))
    # A file of this many bodies at once is no real return, and the store keeps a submission's list of parts
    # in each part's metadata (for `decarb store rebuild-catalogue`): one submission of 25,000 parts made
    # 1.8 MB files, 45 GB in all. Submitted SUBMISSION_BODIES bodies at a time, as a central team would.
    for start in range(0, len(made_up), SUBMISSION_BODIES):
        chunk = made_up.iloc[start:start + SUBMISSION_BODIES]
        store.submit(synthetic_lines(chunk, n_years, seed=start), f"bench {start}".encode(), submitted_by="bench")
    return root


def first_load(driver, url: str, timeout_s: float = 60, timeline: list | None = None) -> tuple[float, int]:
    """Load ``url`` with an empty cache; return (seconds to content, bytes transferred).

    ``timeline``, if given, gets the load's :data:`TIMELINE` (with ``content``, ms) appended.
    """
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.clearBrowserCache", {})
    driver.execute_script("performance.clearResourceTimings && performance.clearResourceTimings();")
    SERVED.clear()
    driver.get(url)
    start = time.perf_counter()
    while time.perf_counter() - start < timeout_s:
        ready = driver.execute_script(READY)
        if ready is not None:
            drawn, waited = None, time.perf_counter()
            while drawn is None and time.perf_counter() - waited < 5:
                drawn = driver.execute_script(CHARTS_DRAWN)
                time.sleep(0.02)
            time.sleep(1.0)  # scripts loaded after the content (plotly.js) still count
            if timeline is not None:
                timeline.append({**driver.execute_script(TIMELINE), "content": ready, "charts": drawn or 0,
                                 "served": list(SERVED)})
            return ready / 1000, int(driver.execute_script(TRANSFERRED))
        time.sleep(0.02)
    raise TimeoutError(f"{url}: no content after {timeout_s} s")


def measure(driver, base: str, receipt: str, pages: list[str], lang: str, runs: int, menu: bool = False
            ) -> list[tuple]:
    """Return (page, as whom, seconds to content, bytes, timeline) of every page: medians of ``runs`` first loads."""
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
            if menu:  # as the menu opens it: the default year (drawn ahead), not 2022-23
                url = re.sub(r"year=[^&]*&", "", url)
            timelines: list[dict] = []
            loads = [first_load(driver, url, timeout_s=PAGE_TIMEOUT_S, timeline=timelines) for _ in range(runs)]
            rows.append((name, user or "signed out", statistics.median(r[0] for r in loads),
                         statistics.median(r[1] for r in loads),
                         {**{k: statistics.median(tl[k] or 0 for tl in timelines) for k in timelines[0]
                             if k != "served"}, "served": timelines[-1]["served"]}))
    return rows


def report(scale: str, rows: list[tuple], blank: tuple[float, float], target_s: float,
           breakdown: bool = False) -> list[str]:
    """Print the table of one scale against the blank page; return the targets missed."""
    blank_s, blank_bytes = blank
    print(f"\n{scale} (target: content under {target_s:.0f} s, a chart page under {TARGET_BYTES / 1e6} MB)")
    print(f"{'page':<14}{'as':<17}{'content ms':>11}{'x blank':>9}{'MB':>8}{'x blank':>9}"
          f"{'layout':>8}{'calls':>6}{'last':>7}{'longest':>8}{'plotly':>7}{'render':>7}{'charts':>7}")
    failed = []
    for name, user, seconds, size, tl in rows:
        # render: from the last callback's answer (or plotly.js, if later) to content
        render = tl["content"] - max(tl["last_callback"], tl["plotly"], tl["layout"])
        print(f"{name:<14}{user:<17}{seconds * 1000:>11.0f}{seconds / blank_s:>9.1f}"
              f"{size / 1e6:>8.2f}{size / blank_bytes:>9.1f}{tl['layout']:>8.0f}{tl['callbacks']:>6.0f}"
              f"{tl['last_callback']:>7.0f}{tl['longest_callback']:>8.0f}{tl['plotly']:>7.0f}{render:>7.0f}"
              f"{tl['charts']:>7.0f}")
        if breakdown:
            print("    callbacks on the server, ms: " + ", ".join(f"{o} {ms:.0f}" for o, ms in tl["served"]))
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
    parser.add_argument("--store", type=Path,
                        help="keep the larger store here (made if missing, reused if there: it takes minutes)")
    parser.add_argument("--menu", action="store_true",
                        help="open each page as its menu link does (its default year) rather than at 2022-23")
    parser.add_argument("--only-large", action="store_true", help="the larger store only, not Wales scale")
    parser.add_argument("--settle", type=float, default=0.0,
                        help="seconds to wait after the site's first page (its pages drawn ahead meanwhile)")
    parser.add_argument("--breakdown", action="store_true",
                        help="under each page, its callbacks' own time on the server (the last load's)")
    parser.add_argument("--bodies", type=int, default=5000,
                        help="the larger store's bodies (0: Wales scale only)")
    args = parser.parse_args(argv)
    pages = args.pages.split(",")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per request
    record_callbacks()
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
                scales.append((f"{args.bodies:,} bodies (5 years of made-up returns)",
                               args.store or Path(tmp) / "large", TARGET_LARGE_S))
            for scale, root, target_s in scales:
                if root is not None and not (root / "registry.csv").exists():
                    start = time.perf_counter()
                    large_store(root, args.bodies)
                    print(f"\nmade a store of {args.bodies:,} bodies in {time.perf_counter() - start:.0f} s")
                if root is None and args.only_large:
                    continue
                with running_site(root) as (base, receipt):
                    # The process's first engine is built, and its public pages drawn, before anyone visits
                    # (web.warm: a visitor meanwhile waits for what is being drawn).
                    start = time.perf_counter()
                    first_load(driver, base + "/", timeout_s=900)
                    print(f"\n{scale}: the site's first page after {time.perf_counter() - start:.0f} s")
                    time.sleep(args.settle)
                    rows = measure(driver, base, receipt, pages, args.lang, args.runs, args.menu)
                    failed += report(scale, rows, blank, target_s, args.breakdown)
    finally:
        driver.quit()
    print("\ntargets met" if not failed else "\ntargets missed: " + "; ".join(failed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
