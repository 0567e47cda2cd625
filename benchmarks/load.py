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

The store is a data directory's SQLite catalogue and Parquet files (``--backend sqlite``, the
default), or a PostgreSQL database (``--backend postgresql``, issue 17): a throwaway cluster started
for the run (tests/postgres.py: initdb in a temporary directory), or the migrated, empty database
``--database-url`` names (the sample returns are submitted into it). The accounts stay in the
run's data directory. ``--backend sqlite postgresql`` runs the same load on each, one after the other
on the same machine, and prints their figures side by side (issue 17's scale check).

Then a slow-client phase (issue 12, item 10): ``--slow-clients`` connections trickle
their headers a few bytes at a time (and start again when cut off) while the probe
keeps asking. It goes through the reverse proxy of docs/deployment.md
(``deploy/nginx-decarb.conf``, with a throw-away certificate) when nginx is
installed, as production does, else straight to gunicorn. Target: the probe's
slowest answer under 1 s, no probe unanswered.

    python benchmarks/load.py [--seconds 60] [--readers 50] [--submitters 5] [--workers 2] [--think 3 10]
                              [--backend sqlite postgresql] [--database-url URL] [--bodies 5000 --years 10]
                              [--slow-clients 10] [--slow-seconds 20] [--proxy nginx|none]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import secrets
import shutil
import socket
import ssl
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
from tests import servers  # noqa: E402
from tests.dash_http import DashClient, fell_back, text_of, upload_payload, upload_values  # noqa: E402

PASSWORD = "load test passphrase"
SUBMITTING_BODIES = [("cardiff", "Cardiff"), ("newport", "Newport"), ("swansea", "Swansea"),
                     ("torfaen", "Torfaen"), ("wrexham", "Wrexham"), ("gwynedd", "Gwynedd"),
                     ("powys", "Powys"), ("conwy", "Conwy")]
BODIES = ["cardiff", "newport", "swansea", "torfaen", "wrexham", "gwynedd", "ceredigion", "powys"]
YEARS = ["2021-22", "2022-23", "2023-24"]
#: The readers and submitters talk to gunicorn as the proxy in front of it would, and close a connection idle this
#: long, as deploy/nginx-decarb.conf's upstream keepalive_timeout does (under gunicorn's 5 s keepalive): a request
#: sent on a connection gunicorn is closing at that moment fails (the resets of earlier runs, each after 5-6 s idle).
PROXY_KEEPALIVE_S = 4.0


@dataclass
class Tally:
    """What the simulated users saw, shared by their threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies_ms: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    receipts: list[str] = field(default_factory=list)

    def timed(self, kind: str, call, idle_s: float | None = None):
        """Time ``call`` (a request) as one of ``kind``; ``idle_s``: how long the client had sent nothing before it
        (said with an error: a connection kept alive that long may be one the server is closing)."""
        start = time.perf_counter()
        try:
            response = call()
        except Exception as exc:  # a refused connection or a timeout is an error of the run
            idle = "" if idle_s is None else f" (after {idle_s:.1f} s with no request)"
            with self.lock:
                self.errors.append(f"{kind}: {type(exc).__name__}: {exc}{idle}")
            return None
        elapsed = (time.perf_counter() - start) * 1000
        with self.lock:
            self.latencies_ms.setdefault(kind, []).append(elapsed)
            # a page's figures must come back (204: the callback declined its inputs and drew nothing)
            expected = (200,) if kind.endswith("figures") else (200, 204, 303)
            if response.status_code not in expected or "Traceback" in response.text or fell_back(response):
                self.errors.append(f"{kind}: HTTP {response.status_code} {response.text[:200]}")
        return response


#: How long gunicorn may take to answer its first page (at 5,000 bodies x 10 years its first engine takes a minute).
START_TIMEOUT_S = 600


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(data_dir: Path, submitters: int, database_url: str | None = None, bodies: int = 0,
            n_years: int = 5) -> list[str]:
    """Seed the store (``data_dir``'s, or the database's) with the sample returns (and, with ``bodies`` over the
    register's 45, made-up bodies with ``n_years`` years each: ``bench_browser.large_store``) and add one submitter
    per body to the accounts (kept where the store is: ``data_dir``'s or the database's); return their user names."""
    store = SubmissionStore(data_dir, database_url=database_url)
    if not store.is_empty():
        raise RuntimeError(f"the load test needs an empty store, and {store.describe()} has submissions")
    if bodies > len(bundled_registry()):
        from benchmarks.bench_browser import large_store

        large_store(data_dir, bodies, n_years, database_url)
    else:
        seed(store, bundled_registry())
    accounts = AccountStore(data_dir, database_url=database_url or "")
    names = []
    for k in range(submitters):
        body = SUBMITTING_BODIES[k % len(SUBMITTING_BODIES)][0]
        name = f"load{k}.{body}"
        accounts.add(name, PASSWORD, "submitter", [body])
        names.append(name)
    return names


def start_server(data_dir: Path, port: int, workers: int, threads: int,
                 trusted_proxy: str | None = None, database_url: str | None = None) -> subprocess.Popen:
    """Start gunicorn as the multi-server test does (``tests.servers.start``: the repository's gunicorn.conf.py, its
    log in a file) on ``port``, its store in ``database_url`` if given, else in ``data_dir``; wait until it answers.
    Stop it with ``tests.servers.stop``."""
    # Not DECARB_ENV=production: that marks the session cookie Secure, which plain http on loopback never sends.
    env = {k: v for k, v in os.environ.items() if k not in (
        "DECARB_ENV", "DECARB_DEMO_ACCOUNTS", "DECARB_TRUST_PROXY", "DECARB_DATABASE_URL")}
    env.update(DECARB_DATA_DIR=str(data_dir), DECARB_SECRET_KEY=secrets.token_hex(32))
    if database_url:
        env["DECARB_DATABASE_URL"] = database_url
    if trusted_proxy:
        env["DECARB_TRUST_PROXY"] = trusted_proxy
    server, url = servers.start(env, workers, threads, port=port)
    try:
        servers.wait_until_up(server, url, timeout_s=START_TIMEOUT_S)
    except RuntimeError:
        servers.stop(server)
        raise
    return server


def warm_up(url: str) -> None:
    """Load each page a few times first, so that both workers have built their engine (not measured; as long as
    the first start may take, since at 5,000 bodies x 10 years a worker's first engine and pages take minutes)."""
    browser = DashClient(url, timeout_s=START_TIMEOUT_S)
    for _ in range(4):
        for path, search in (("/", ""), ("/organisation", "?body=cardiff&year=2022-23"), ("/compare", ""),
                             ("/wales", "?year=2022-23")):
            browser.page(path, search)


def reader(url: str, until: float, tally: Tally, rnd: random.Random, think_s: tuple[float, float]) -> None:
    """A person reading: a page as the browser loads it, then its figures, then a pause."""
    browser = DashClient(url)
    time.sleep(rnd.uniform(0, think_s[1]))  # people arrive over time, not all in the same instant
    last = None  # when this reader's last request was answered
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
                "wales-year.value": year, "wales-gaps.value": "leave", "wales-map-measure.value": "total",
                "wales-map-areas.value": "council", "wales-lang.data": "en"})))
        idle_s = None if last is None else time.monotonic() - last
        if idle_s is not None and idle_s >= PROXY_KEEPALIVE_S:
            browser.http.close()  # its idle connections: the next request opens a new one
        for k, (kind, call) in enumerate(steps):
            tally.timed(kind, call, idle_s=idle_s if k == 0 else None)
        last = time.monotonic()
        time.sleep(rnd.uniform(*think_s))


def probe(url: str, until: float, tally: Tally, kind: str = "health probe (baseline)") -> None:
    """The baseline: the health check, twice a second, through the same server under the same load."""
    browser = DashClient(url, timeout_s=10)
    while time.monotonic() < until:
        tally.timed(kind, lambda: browser.get("/healthz"))
        time.sleep(0.5)


def slow_client(host: str, port: int, until: float, tls: ssl.SSLContext | None, cut_off: list[int]) -> None:
    """A client that sends a request's headers a few bytes every half second, and starts again when cut off."""
    while time.monotonic() < until:
        try:
            with socket.create_connection((host, port), timeout=5) as raw:
                conn = tls.wrap_socket(raw, server_hostname=host) if tls else raw
                conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n")
                while time.monotonic() < until:
                    conn.sendall(b"X-a: b\r\n")
                    time.sleep(0.5)
        except OSError:  # the server hung up on it (a timeout, the proxy's 408): count it and start again
            cut_off[0] += 1
            time.sleep(0.1)


NGINX_SITE = REPO / "deploy" / "nginx-decarb.conf"


def start_nginx(tmp: Path, front_port: int, app_port: int) -> tuple[subprocess.Popen, Path]:
    """Run deploy/nginx-decarb.conf in front of gunicorn, on loopback with a throw-away certificate.

    Returns (the nginx process, the certificate, for clients to trust). Only the
    listening ports, the certificate and gunicorn's address are changed from the file.
    """
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    site = NGINX_SITE.read_text(encoding="utf-8")
    for old, new in (("listen 443 ssl;", f"listen 127.0.0.1:{front_port} ssl;"),
                     ("listen 80;", f"listen 127.0.0.1:{free_port()};"),
                     ("/etc/ssl/certs/dashboard.pem", str(cert)), ("/etc/ssl/private/dashboard.key", str(key)),
                     ("server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};")):
        assert old in site, old
        site = site.replace(old, new)
    (tmp / "site.conf").write_text(site, encoding="utf-8")
    temp = "".join(f"{kind}_temp_path {tmp}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (tmp / "nginx.conf").write_text(
        ("user root;\n" if os.geteuid() == 0 else "") + f"worker_processes 1;\npid {tmp}/nginx.pid;\n"
        f"error_log {tmp}/error.log warn;\nevents {{ worker_connections 1024; }}\n"
        f"http {{\n access_log off;\n{temp} include {tmp}/site.conf;\n}}\n", encoding="utf-8")
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    subprocess.run([nginx, "-t", "-q", "-p", str(tmp), "-c", str(tmp / "nginx.conf")], check=True, capture_output=True)
    process = subprocess.Popen([nginx, "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-g", "daemon off;"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", front_port), timeout=1).close()
            return process, cert
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"nginx did not start: {(tmp / 'error.log').read_text()[-2000:]}")


def nginx_available() -> bool:
    return bool(shutil.which("nginx") or Path("/usr/sbin/nginx").exists()) and bool(shutil.which("openssl"))


def slow_clients_phase(seconds: float = 20, slow_clients: int = 10, proxy: bool = True, workers: int = 2,
                       threads: int = 8) -> dict:
    """Probe /healthz while ``slow_clients`` connections trickle their headers; return the probe's figures (ms)."""
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        data_dir = tmp / "data"
        seed(SubmissionStore(data_dir), bundled_registry())
        app_port = free_port()
        server = start_server(data_dir, app_port, workers, threads, trusted_proxy="127.0.0.1" if proxy else None)
        nginx = None
        tally, cut_off = Tally(), [0]
        saved_bundle = os.environ.get("REQUESTS_CA_BUNDLE")
        try:
            if proxy:
                front_port = free_port()
                nginx, cert = start_nginx(tmp, front_port, app_port)
                os.environ["REQUESTS_CA_BUNDLE"] = str(cert)  # the probe trusts the throw-away certificate
                url, tls = f"https://127.0.0.1:{front_port}", ssl.create_default_context(cafile=str(cert))
            else:
                front_port, url, tls = app_port, f"http://127.0.0.1:{app_port}", None
            until = time.monotonic() + seconds
            threads_ = [threading.Thread(target=slow_client, args=("127.0.0.1", front_port, until, tls, cut_off))
                        for _ in range(slow_clients)]
            for t in threads_:
                t.start()
            time.sleep(1)  # the slow clients are connected before the probe starts
            probe(url, until, tally, "health probe")
            for t in threads_:
                t.join(timeout=30)
        finally:
            if saved_bundle is None:
                os.environ.pop("REQUESTS_CA_BUNDLE", None)
            else:
                os.environ["REQUESTS_CA_BUNDLE"] = saved_bundle
            if nginx is not None:
                nginx.terminate()
                try:
                    nginx.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    nginx.kill()
            servers.stop(server, graceful=True)
    probes = tally.latencies_ms.get("health probe", [])
    return {"through": "nginx" if proxy else "gunicorn directly", "slow_clients": slow_clients,
            "probes": len(probes), "probe_p95_ms": _percentile(probes, 95),
            "probe_max_ms": max(probes) if probes else float("nan"), "errors": tally.errors,
            "cut_off": cut_off[0]}


def submitter(url: str, username: str, until: float, tally: Tally, rnd: random.Random,
              think_s: tuple[float, float]) -> None:
    """A body's officer: sign in, then check and submit a corrected 2024-25 return, again and again."""
    browser = DashClient(url)
    signed_in = tally.timed("sign in", lambda: browser.sign_in(username, PASSWORD))
    if signed_in is None or "error=" in signed_in.headers.get("Location", "error="):
        with tally.lock:
            where = signed_in.headers.get("Location", "") if signed_in is not None else "no answer"
            tally.errors.append(f"{username} could not sign in ({where})")
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
        pause_s = rnd.uniform(*think_s)
        time.sleep(pause_s)
        if pause_s >= PROXY_KEEPALIVE_S:
            browser.http.close()  # as the proxy would (its cookies, the session's, are kept)


def run(seconds: float = 60, readers: int = 50, submitters: int = 5, workers: int = 2, threads: int = 8,
        reader_think_s: tuple[float, float] = (3.0, 10.0), submitter_think_s: tuple[float, float] = (2.0, 5.0),
        backend: str = "sqlite", database_url: str | None = None, bodies: int = 0, n_years: int = 5) -> dict:
    """Run the load test; return its figures (requests, latencies in ms, errors, receipts, lost submissions).

    ``bodies``: a store of that many bodies (:func:`prepare`) instead of the sample's 45.

    ``backend`` ``postgresql``: the store in ``database_url`` (migrated and empty), or without one in a
    throwaway cluster started for the run and stopped after it.
    """
    if backend not in ("sqlite", "postgresql"):
        raise ValueError(f"backend is sqlite or postgresql, not {backend!r}")
    if database_url and backend != "postgresql":
        raise ValueError("a database URL is for the postgresql backend")
    with contextlib.ExitStack() as cleanup:
        if backend == "postgresql" and not database_url:
            from tests import postgres

            cluster = postgres.start_cluster()
            cleanup.callback(cluster.stop)
            database_url = cluster.new_database()
        return _run(seconds, readers, submitters, workers, threads, reader_think_s, submitter_think_s,
                    database_url if backend == "postgresql" else None, bodies, n_years)


def _run(seconds: float, readers: int, submitters: int, workers: int, threads: int,
         reader_think_s: tuple[float, float], submitter_think_s: tuple[float, float],
         database_url: str | None, bodies: int = 0, n_years: int = 5) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        usernames = prepare(data_dir, submitters, database_url, bodies, n_years)
        before = len(SubmissionStore(data_dir, database_url=database_url).submissions())
        port = free_port()
        server = start_server(data_dir, port, workers, threads, database_url=database_url)
        url = f"http://127.0.0.1:{port}"
        tally = Tally()
        try:
            warm_up(url)
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
            log = servers.log_tail(server, chars=10**9)
            servers.stop(server, graceful=True)
        # What the server said went wrong (a worker timed out and restarted, a request failed), to explain errors
        problems = [line for line in log.splitlines() if re.search(r"\[(WARNING|ERROR|CRITICAL)\]", line)]
        stored = SubmissionStore(data_dir, database_url=database_url).submissions()
        by_load = {s.submission_id for s in stored if s.submitted_by in usernames}
        lost = [r for r in tally.receipts if r not in by_load]
        shutil.rmtree(data_dir, ignore_errors=True)
    every = [x for values in tally.latencies_ms.values() for x in values]
    return {
        "backend": "postgresql" if database_url else "sqlite",
        "seconds": elapsed, "requests": len(every), "requests_per_s": len(every) / elapsed,
        "p50_ms": _percentile(every, 50), "p95_ms": _percentile(every, 95), "p99_ms": _percentile(every, 99),
        "by_kind": {k: (len(v), _percentile(v, 50), _percentile(v, 95)) for k, v in sorted(tally.latencies_ms.items())},
        "errors": tally.errors, "receipts": len(tally.receipts), "stored_by_load": len(by_load),
        "store_grew_by": len(stored) - before, "lost": lost, "server_problems": problems,
    }


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def report(r: dict) -> None:
    """Print one run's figures (:func:`run`'s result)."""
    print(f"  {r['requests']:,} requests, {r['requests_per_s']:.1f} per second; latency p50 {r['p50_ms']:.0f} ms, "
          f"p95 {r['p95_ms']:.0f} ms, p99 {r['p99_ms']:.0f} ms (target p95 < 1000 ms)")
    for kind, (count, p50, p95) in r["by_kind"].items():
        print(f"    {kind:22} {count:6,}  p50 {p50:7.0f} ms  p95 {p95:7.0f} ms")
    print(f"  errors: {len(r['errors'])} (target 0)" + "".join(f"\n    {e}" for e in r["errors"][:10]))
    print(f"  submissions: {r['receipts']} receipts given, {r['stored_by_load']} in the store, "
          f"{len(r['lost'])} lost (target 0)")
    print(f"  the server's log: {len(r['server_problems'])} warnings and errors"
          + "".join(f"\n    {line}" for line in r["server_problems"][:10]))
    print(f"  baseline: /healthz under the same load, p95 {probe_p95(r):.0f} ms; all requests' p95 is "
          f"{r['p95_ms'] / probe_p95(r):.1f}x that")


def probe_p95(r: dict) -> float:
    """The /healthz probe's p95 in a run (:func:`run`'s result), in ms: the baseline under the same load."""
    return r["by_kind"].get("health probe (baseline)", (0, 0.0, float("nan")))[2]


def side_by_side(ran: dict[str, dict]) -> None:
    """Print the runs of each backend side by side, each as a ratio to the first's (SQLite's, when it ran)."""
    first = next(iter(ran))
    print(f"\nside by side (each as a ratio to {first}'s):")
    print(f"  {'':28}" + "".join(f"{b:>22}" for b in ran))
    rows = [("requests per second", lambda r: r["requests_per_s"], "{:.1f}"),
            ("latency p50 (ms)", lambda r: r["p50_ms"], "{:.0f}"),
            ("latency p95 (ms)", lambda r: r["p95_ms"], "{:.0f}"),
            ("latency p99 (ms)", lambda r: r["p99_ms"], "{:.0f}"),
            ("/healthz p95 (ms)", probe_p95, "{:.0f}")]
    for label, value, form in rows:
        cells = []
        for r in ran.values():
            ratio = value(r) / value(ran[first]) if value(ran[first]) else float("nan")
            cells.append(f"{form.format(value(r))} ({ratio:.2f}x)")
        print(f"  {label:28}" + "".join(f"{c:>22}" for c in cells))
    for label, value in (("errors", lambda r: len(r["errors"])),
                         ("receipts / stored / lost", lambda r: f"{r['receipts']} / {r['stored_by_load']} / "
                                                                 f"{len(r['lost'])}")):
        print(f"  {label:28}" + "".join(f"{value(r)!s:>22}" for r in ran.values()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--submitters", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--think", type=float, nargs=2, default=(3.0, 10.0), metavar=("MIN_S", "MAX_S"),
                        help="a reader's pause between pages, in seconds (default 3 10)")
    parser.add_argument("--backend", nargs="+", choices=("sqlite", "postgresql"), default=["sqlite"],
                        help="the store: a data directory (default) or PostgreSQL (a throwaway cluster unless "
                             "--database-url); both, one after the other in the same run, and their figures side "
                             "by side")
    parser.add_argument("--database-url", help="a migrated, empty PostgreSQL database for --backend postgresql")
    parser.add_argument("--bodies", type=int, default=0,
                        help="a store of this many bodies: the sample's 45 and made-up ones (default: the 45)")
    parser.add_argument("--years", type=int, default=5, help="each made-up body's years of returns (default 5)")
    parser.add_argument("--slow-clients", type=int, default=10, help="connections trickling headers (0: no phase)")
    parser.add_argument("--slow-seconds", type=float, default=20)
    parser.add_argument("--proxy", choices=("nginx", "none"), default="nginx" if nginx_available() else "none",
                        help="run the slow-client phase through deploy/nginx-decarb.conf (default when installed)")
    args = parser.parse_args()
    if args.database_url and "postgresql" not in args.backend:
        parser.error("--database-url needs --backend postgresql")
    scale = f"{args.bodies:,} bodies x {args.years} years" if args.bodies > 45 else "the sample's 45 bodies"
    ran = {}
    for backend in dict.fromkeys(args.backend):
        ran[backend] = r = run(args.seconds, args.readers, args.submitters, args.workers, args.threads,
                               tuple(args.think), backend=backend, database_url=args.database_url, bodies=args.bodies,
                               n_years=args.years)
        print(f"store: {r['backend']}, {scale}; gunicorn, {args.workers} workers x {args.threads} threads, "
              f"{args.readers} readers (pausing "
              f"{args.think[0]:g}-{args.think[1]:g} s) + {args.submitters} submitters for {r['seconds']:.0f} s")
        report(r)
    if len(ran) > 1:
        side_by_side(ran)
    baseline_ms = probe_p95(next(iter(ran.values())))
    if args.slow_clients:
        s = slow_clients_phase(args.slow_seconds, args.slow_clients, args.proxy == "nginx", args.workers,
                               args.threads)
        print(f"slow clients: {s['slow_clients']} connections trickling headers for {args.slow_seconds:g} s, "
              f"through {s['through']} (cut off and reconnected {s['cut_off']} times)")
        print(f"  /healthz: {s['probes']} probes, p95 {s['probe_p95_ms']:.0f} ms, slowest {s['probe_max_ms']:.0f} ms "
              f"(target under 1000 ms), {s['probe_p95_ms'] / baseline_ms:.1f}x the baseline p95; "
              f"unanswered: {len(s['errors'])} (target 0)")


if __name__ == "__main__":
    main()
