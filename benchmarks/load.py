"""A bounded load test: the app under gunicorn on loopback, readers moving between pages, submitters submitting.

Starts ``gunicorn app:server`` (2 workers, threads) on a free loopback port over a
fresh copy of the sample data and warms it up. Then for ``--seconds``:

- ``--readers`` simulated readers arrive over the first 10 s; each loads a page as a
  browser does (the page, its layout, the page and header callbacks), changes one
  control so that the figures are redrawn, and reads for 3-10 s (``--think``);
- ``--submitters`` signed-in submitters check a file, submit it and pause 2-5 s (far
  more often than any real body submits);
- a probe asks ``/healthz`` twice a second: the baseline under the same load.

Afterwards it counts the submissions in the store: every receipt given must be there.
Target (issue 6): zero errors, zero lost submissions, 95th percentile under 1 s.

    python benchmarks/load.py [--seconds 60] [--readers 50] [--submitters 5] [--workers 2] [--think 3 10]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from decarb_dashboard.accounts import AccountStore  # noqa: E402
from decarb_dashboard.registry import bundled_registry  # noqa: E402
from decarb_dashboard.sample import seed  # noqa: E402
from decarb_dashboard.store import SubmissionStore  # noqa: E402
from tests.dash_http import DashClient, fell_back, text_of, upload_payload, upload_values  # noqa: E402

PASSWORD = "load test passphrase"
SUBMITTING_BODIES = [("cardiff", "Cardiff"), ("newport", "Newport"), ("swansea", "Swansea"),
                     ("torfaen", "Torfaen"), ("wrexham", "Wrexham"), ("gwynedd", "Gwynedd"),
                     ("powys", "Powys"), ("conwy", "Conwy")]
BODIES = ["cardiff", "newport", "swansea", "torfaen", "wrexham", "gwynedd", "ceredigion", "powys"]
YEARS = ["2021-22", "2022-23", "2023-24"]


@dataclass
class Tally:
    """What the simulated users saw, shared by their threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies_ms: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    receipts: list[str] = field(default_factory=list)

    def timed(self, kind: str, call):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        try:
            response = call()
        except Exception as exc:  # a refused connection or a timeout is an error of the run
            with self.lock:
                self.errors.append(f"{kind}: {type(exc).__name__}: {exc}")
            return None
        elapsed = (time.perf_counter() - start) * 1000
        with self.lock:
            self.latencies_ms.setdefault(kind, []).append(elapsed)
            if response.status_code not in (200, 204, 303) or "Traceback" in response.text or fell_back(response):
                self.errors.append(f"{kind}: HTTP {response.status_code} {response.text[:200]}")
        return response


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(data_dir: Path, submitters: int) -> list[str]:
    """Seed ``data_dir`` with the sample returns and add one submitter per body; return their user names."""
    seed(SubmissionStore(data_dir), bundled_registry())
    accounts = AccountStore(data_dir)
    names = []
    for k in range(submitters):
        body = SUBMITTING_BODIES[k % len(SUBMITTING_BODIES)][0]
        name = f"load{k}.{body}"
        accounts.add(name, PASSWORD, "submitter", [body])
        names.append(name)
    return names


def start_server(data_dir: Path, port: int, workers: int, threads: int) -> subprocess.Popen:
    # Not DECARB_ENV=production: that marks the session cookie Secure, which plain http on loopback never sends.
    env = {**os.environ, "DECARB_DATA_DIR": str(data_dir), "DECARB_SECRET_KEY": secrets.token_hex(32)}
    env.pop("DECARB_ENV", None)
    env.pop("DECARB_DEMO_ACCOUNTS", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads", str(threads),
         "--worker-class", "gthread", "--bind", f"127.0.0.1:{port}", "--timeout", "120", "--keep-alive", "30",
         "--log-level", "warning", "app:server"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    client = DashClient(f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn stopped: {server.stderr.read()[-2000:]}")  # type: ignore[union-attr]
        try:
            if client.get("/").status_code == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("gunicorn did not answer within 120 s")


def warm_up(url: str) -> None:
    """Load each page a few times first, so that both workers have built their engine (not measured)."""
    browser = DashClient(url)
    for _ in range(4):
        for path, search in (("/", ""), ("/organisation", "?body=cardiff&year=2022-23"), ("/compare", ""),
                             ("/wales", "?year=2022-23")):
            browser.page(path, search)


def reader(url: str, until: float, tally: Tally, rnd: random.Random, think_s: tuple[float, float]) -> None:
    """A person reading: a page as the browser loads it, then its figures, then a pause."""
    browser = DashClient(url)
    time.sleep(rnd.uniform(0, think_s[1]))  # people arrive over time, not all in the same instant
    while time.monotonic() < until:
        page = rnd.choice(["organisation", "compare", "wales", "home"])
        body, year = rnd.choice(BODIES), rnd.choice(YEARS)
        path, search = {"organisation": ("/organisation", f"?body={body}&year={year}"), "compare": ("/compare", ""),
                        "wales": ("/wales", f"?year={year}"), "home": ("/", "")}[page]
        steps = [
            ("index", partial(browser.get, path + search)),
            ("layout", partial(browser.get, "/_dash-layout")),
            ("page", partial(browser.page, path, search)),
            ("header", partial(browser.callback, "..page-shell.children", {"url.pathname": path,
                                                                           "url.search": search})),
        ]
        if page == "organisation":
            steps.append(("organisation figures", partial(browser.callback, "org-view.children", {
                "org-body.value": body, "org-year.value": year, "org-metric.value": rnd.choice(["total", "per_fte"]),
                "org-peers.value": "type", "org-supply.value": "with", "org-lang.data": "en"})))
        elif page == "compare":
            steps.append(("compare figures", partial(browser.callback, "cmp-view.children", {
                "cmp-bodies.value": rnd.sample(BODIES, 4), "cmp-peers.value": "type",
                "cmp-metric.value": "per_fte", "cmp-year.value": year, "cmp-lang.data": "en"})))
        elif page == "wales":
            steps.append(("wales figures", partial(browser.callback, "wales-view.children", {
                "wales-year.value": year, "wales-lang.data": "en"})))
        for kind, call in steps:
            tally.timed(kind, call)
        time.sleep(rnd.uniform(*think_s))


def probe(url: str, until: float, tally: Tally) -> None:
    """The baseline: the health check, twice a second, through the same server under the same load."""
    browser = DashClient(url)
    while time.monotonic() < until:
        tally.timed("health probe (baseline)", lambda: browser.get("/healthz"))
        time.sleep(0.5)


def submitter(url: str, username: str, until: float, tally: Tally, rnd: random.Random,
              think_s: tuple[float, float]) -> None:
    """A body's officer: sign in, then check and submit a corrected 2024-25 return, again and again."""
    browser = DashClient(url)
    signed_in = tally.timed("sign in", lambda: browser.sign_in(username, PASSWORD))
    if signed_in is None or "error=" in signed_in.headers.get("Location", "error="):
        with tally.lock:
            tally.errors.append(f"{username} could not sign in")
        return
    body = username.split(".", 1)[1]
    name = dict(SUBMITTING_BODIES)[body]
    while time.monotonic() < until:
        lines = (f"{name},2024-25,Buildings,Electricity,,,,{rnd.uniform(900, 1100):.1f},,,\n"
                 f"{name},2024-25,Waste,,,,,{rnd.uniform(50, 60):.1f},,,\n")
        data = ("organisation,reporting_year,category,source,scope,activity_amount,activity_unit,"
                "emissions_tco2e,status,method,notes\n" + lines).encode()
        values = upload_values(upload_payload(data), f"{body}.csv", body, "2024-25")
        tally.timed("check a file", partial(browser.callback, "up-report.children", values))
        response = tally.timed("submit", partial(browser.callback, "..up-receipt.children", values))
        if response is not None and response.status_code == 200:
            found = re.search(r"Submission (s[0-9T]+-[0-9a-f]+) was received", text_of(response))
            if found:
                with tally.lock:
                    tally.receipts.append(found.group(1))
            else:
                with tally.lock:
                    tally.errors.append(f"submit gave no receipt: {text_of(response)[:200]}")
        time.sleep(rnd.uniform(*think_s))


def run(seconds: float = 60, readers: int = 50, submitters: int = 5, workers: int = 2, threads: int = 8,
        reader_think_s: tuple[float, float] = (3.0, 10.0), submitter_think_s: tuple[float, float] = (2.0, 5.0),
        ) -> dict:
    """Run the load test; return its figures (requests, latencies in ms, errors, receipts, lost submissions)."""
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        usernames = prepare(data_dir, submitters)
        before = len(SubmissionStore(data_dir).submissions())
        port = free_port()
        server = start_server(data_dir, port, workers, threads)
        url = f"http://127.0.0.1:{port}"
        warm_up(url)
        tally = Tally()
        try:
            start = time.monotonic()
            until = start + seconds
            users = [threading.Thread(target=reader, args=(url, until, tally, random.Random(k), reader_think_s))
                     for k in range(readers)]
            users.append(threading.Thread(target=probe, args=(url, until, tally)))
            users += [threading.Thread(target=submitter, args=(url, name, until, tally, random.Random(1000 + k),
                                                               submitter_think_s))
                      for k, name in enumerate(usernames)]
            for u in users:
                u.start()
            for u in users:
                u.join(timeout=seconds + 300)
            elapsed = time.monotonic() - start
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        stored = SubmissionStore(data_dir).submissions()
        by_load = {s.submission_id for s in stored if s.submitted_by in usernames}
        lost = [r for r in tally.receipts if r not in by_load]
        shutil.rmtree(data_dir, ignore_errors=True)
    every = [x for values in tally.latencies_ms.values() for x in values]
    return {
        "seconds": elapsed, "requests": len(every), "requests_per_s": len(every) / elapsed,
        "p50_ms": _percentile(every, 50), "p95_ms": _percentile(every, 95), "p99_ms": _percentile(every, 99),
        "by_kind": {k: (len(v), _percentile(v, 50), _percentile(v, 95)) for k, v in sorted(tally.latencies_ms.items())},
        "errors": tally.errors, "receipts": len(tally.receipts), "stored_by_load": len(by_load),
        "store_grew_by": len(stored) - before, "lost": lost,
    }


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--submitters", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--think", type=float, nargs=2, default=(3.0, 10.0), metavar=("MIN_S", "MAX_S"),
                        help="a reader's pause between pages, in seconds (default 3 10)")
    args = parser.parse_args()
    r = run(args.seconds, args.readers, args.submitters, args.workers, args.threads, tuple(args.think))
    print(f"gunicorn, {args.workers} workers x {args.threads} threads, {args.readers} readers (pausing "
          f"{args.think[0]:g}-{args.think[1]:g} s) + {args.submitters} submitters for {r['seconds']:.0f} s")
    print(f"  {r['requests']:,} requests, {r['requests_per_s']:.1f} per second; latency p50 {r['p50_ms']:.0f} ms, "
          f"p95 {r['p95_ms']:.0f} ms, p99 {r['p99_ms']:.0f} ms (target p95 < 1000 ms)")
    for kind, (count, p50, p95) in r["by_kind"].items():
        print(f"    {kind:22} {count:6,}  p50 {p50:7.0f} ms  p95 {p95:7.0f} ms")
    print(f"  errors: {len(r['errors'])} (target 0)" + "".join(f"\n    {e}" for e in r["errors"][:10]))
    print(f"  submissions: {r['receipts']} receipts given, {r['stored_by_load']} in the store, "
          f"{len(r['lost'])} lost (target 0)")
    count, _, probe_p95 = r["by_kind"].get("health probe (baseline)", (0, 0.0, float("nan")))
    print(f"  baseline: /healthz under the same load, p95 {probe_p95:.0f} ms; all requests' p95 is "
          f"{r['p95_ms'] / probe_p95:.1f}x that")


if __name__ == "__main__":
    main()
