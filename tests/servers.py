"""App servers in processes of their own for the multi-server test and benchmark: ``gunicorn app:server``.

Each listens on a free loopback port of 18000-18999 in a session of its own, so that killing it
(:func:`stop`, SIGKILL to the session: master and workers) kills nothing else.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

import requests

from tests.dash_http import PORTS, DashClient, text_of, upload_payload, upload_values

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port() -> int:
    for port in random.sample(PORTS, 50):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


def start(env: dict, workers: int = 1, threads: int = 4, cpus: set[int] | None = None,
          log_level: str = "warning", port: int | None = None) -> tuple[subprocess.Popen, str]:
    """Start ``gunicorn app:server`` with the repository's gunicorn.conf.py; return it and its address.

    ``cpus``: the cores its processes may run on (Linux), as if on a machine of its own. Its error log (gunicorn's
    and the app's warnings) goes to a file, read by :func:`log_tail`, rather than a pipe that nobody reads while
    it runs: a full pipe would stop every process of the server at its next warning. ``log_level``: gunicorn's
    and the app's (``info``: each engine rebuilt, with its time). ``port``: the one to listen on (default: a free
    one of 18000-18999).
    """
    port = port or free_port()
    log = tempfile.NamedTemporaryFile("w", prefix="decarb-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
    with log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", os.path.join(REPO, "gunicorn.conf.py"), "--workers",
             str(workers), "--threads", str(threads), "--bind", f"127.0.0.1:{port}", "--log-level", log_level,
             "--access-logfile", "/dev/null", "app:server"], cwd=REPO, env=env, stdout=subprocess.DEVNULL,
            stderr=log, text=True, start_new_session=True,
            preexec_fn=None if cpus is None else lambda: os.sched_setaffinity(0, cpus))
    server.log_path = log.name
    return server, f"http://127.0.0.1:{port}"


def log_tail(server: subprocess.Popen, chars: int = 2000) -> str:
    """The last ``chars`` characters of the server's error log."""
    with open(server.log_path, encoding="utf-8", errors="replace") as f:
        return f.read()[-chars:]


def wait_until_up(server: subprocess.Popen, url: str, timeout_s: float = 180) -> None:
    """Wait until the server answers its health check (RuntimeError if it stops or does not answer in time)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn stopped: {log_tail(server)}")
        try:
            if requests.get(url + "/healthz", timeout=10).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):  # not listening yet, or busy starting
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout_s:.0f} s")


def stop(server: subprocess.Popen, graceful: bool = False) -> None:
    """SIGKILL the server's session (its master and workers) unless it has stopped; wait for it; remove its log.

    ``graceful``: first ask gunicorn to stop (SIGTERM: its workers finish the requests they have), for up to 30 s.
    """
    if graceful and server.poll() is None:
        server.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=30)
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGKILL)
    server.wait(timeout=30)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(server.log_path)


def submit(browser: DashClient, body: str, year: str, csv: str) -> requests.Response:
    """Check and submit ``csv`` for ``body`` and ``year`` through the upload form, as the browser does."""
    values = upload_values(upload_payload(csv.encode()), f"{body}.csv", body, year)
    checked = browser.callback("up-report.children", values)
    if checked.status_code != 200:
        raise RuntimeError(f"checking the file: HTTP {checked.status_code} {checked.text[:500]}")
    return browser.callback("..up-receipt.children", values)


def receipt_id(response: requests.Response) -> str | None:
    """The submission id of the upload form's receipt, or None if the answer is not a receipt."""
    found = re.search(r"Submission (s[0-9T]+-[0-9a-f]+) was received", text_of(response))
    return found.group(1) if found else None
