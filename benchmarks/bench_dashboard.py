"""Server-side time of the dashboard's main callbacks, and the size of the first page load.

Each callback is called 50 times through Flask's test client (the same HTTP
route the browser posts to), at Wales scale (the bundled sample returns) and
with 5,000 synthetic bodies, against a no-op callback in the same app and run.
Targets (issue 5): 95th percentile under 150 ms at Wales scale and under 1 s at
5,000 bodies; first load under 2 MB.

    python benchmarks/bench_dashboard.py [--bodies 5000] [--calls 50] [--store DIR] [--year 2021-22]

``--store DIR`` keeps the large store there (reused when it exists: a store of 5,000 bodies takes minutes
to build); ``--year`` times the callbacks at that year at 5,000 bodies instead of the last (a year the
start-up warming has not drawn ahead: the first call's time is printed apart, as "first").
"""

from __future__ import annotations

import argparse
import gzip
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dash import Input, Output

from benchmarks.synthetic import synthetic_lines, synthetic_registry
from decarb_dashboard.registry import bundled_registry
from decarb_dashboard.sample import seed
from decarb_dashboard.store import SubmissionStore
from decarb_dashboard.web import create_app, data
from tests.dash_http import callback_body

NOOP = "noop-out.children"


def timed(client, body: dict, calls: int) -> tuple[float, float]:
    """Return (median, 95th percentile) in milliseconds of ``calls`` posts of ``body``."""
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        response = client.post("/_dash-update-component", json=body)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (response.status_code, response.data[:500])
    return statistics.median(times), float(np.percentile(times, 95))


def measure(label: str, directory: Path, body: str, year: str, calls: int) -> None:
    app = create_app(directory, seed=False)
    app.callback(Output("noop-out", "children"), Input("noop-in", "value"))(lambda value: value)
    client = app.server.test_client()
    client.get("/")
    with app.server.app_context():
        start = time.perf_counter()
        data.engine()  # built once per process and store version; every callback then reads the cache
        print(f"{label}: engine built in {time.perf_counter() - start:.2f} s (once per process and store version)")
    cases = {
        "no-op": (NOOP, {"noop-in.value": 1}),
        "my organisation": ("org-view.children", {
            "org-body.value": body, "org-year.value": year, "org-metric.value": "per_fte",
            "org-peers.value": "type", "org-supply.value": "with", "org-lang.data": "en"}),
        "compare": ("cmp-view.children", {
            "cmp-bodies.value": [body], "cmp-peers.value": "type", "cmp-metric.value": "per_fte",
            "cmp-year.value": year, "cmp-lang.data": "en"}),
        "wales overview": ("wales-view.children", {
            "wales-year.value": year, "wales-gaps.value": "leave", "wales-map-measure.value": "total",
            "wales-map-areas.value": "council", "wales-lang.data": "en"}),
    }
    deps = client.get("/_dash-dependencies").get_json()
    results = {}
    for name, (output, values) in cases.items():
        body = callback_body(deps, output, values)
        started = time.perf_counter()
        warm = client.post("/_dash-update-component", json=body)  # warm up (and the first call's time)
        first = (time.perf_counter() - started) * 1000
        if warm.status_code != 200:  # 204: the callback declined the inputs and would time doing nothing
            raise SystemExit(f"{name}: the callback answered HTTP {warm.status_code}, not its figures")
        results[name] = (*timed(client, body, calls), first)
    noop_median = results["no-op"][0]
    for name, (median, p95, first) in results.items():
        print(f"  {name:16} first {first:9.1f} ms   median {median:8.1f} ms   p95 {p95:8.1f} ms   "
              f"median / no-op {median / noop_median:6.1f}x")


def first_load(directory: Path) -> None:
    """Bytes the browser fetches for the home page, and the charting code a chart page adds later."""
    app = create_app(directory, seed=False)
    client = app.server.test_client()
    page = client.get("/").data
    urls = [u for u in re.findall(rb'(?:src|href)="([^"]+)"', page) if not u.startswith(b"http")]
    parts = [page] + [client.get(u.decode()).data for u in urls]
    parts += [client.get(u).data for u in ("/_dash-layout", "/_dash-dependencies")]
    raw = sum(len(p) for p in parts)
    compressed = sum(len(gzip.compress(p)) for p in parts)
    print(f"first load of the home page: {raw / 1e6:.2f} MB ({compressed / 1e6:.2f} MB gzipped); target < 2 MB")
    from decarb_dashboard.web import plotly_bundle

    plotly = plotly_bundle.BUNDLE.read_bytes()
    print(f"  a page with charts then loads plotly.js (the basic bundle): {len(plotly) / 1e6:.2f} MB "
          f"({len(gzip.compress(plotly)) / 1e6:.2f} MB gzipped)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bodies", type=int, default=5000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--store", type=Path, default=None)
    parser.add_argument("--year", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        wales = Path(tmp) / "wales"
        seed(SubmissionStore(wales, durable=False), bundled_registry())
        first_load(wales)
        measure("Wales scale (45 bodies x 5 years)", wales, "cardiff", "2022-23", args.calls)
        big = args.store or Path(tmp) / "big"
        registry = synthetic_registry(args.bodies)
        if not (big / "store.sqlite").exists():
            store = SubmissionStore(big, durable=False)
            registry.to_csv(big / "registry.csv", index=False)
            start = time.perf_counter()
            store.submit(synthetic_lines(registry, args.years), b"bench", submitted_by="bench")
            print(f"built a store of {args.bodies:,} bodies x {args.years} years in "
                  f"{time.perf_counter() - start:.0f} s")
        last_year = f"{2019 + args.years - 1}-{(2020 + args.years - 1) % 100:02d}"
        measure(f"{args.bodies:,} bodies", big, registry["id"].iloc[0], args.year or last_year, args.calls)
    print("targets: p95 under 150 ms at Wales scale, under 1 s at 5,000 bodies")


if __name__ == "__main__":
    main()
