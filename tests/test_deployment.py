"""The deployment of docs/deployment.md: gunicorn.conf.py behind deploy/nginx-decarb.conf (issue 12, item 10).

The slow-client phase of ``benchmarks/load.py``, short: connections trickling their
headers must not keep the health probe from being answered. Its timings are reported
by the benchmark, not asserted here. Needs nginx and openssl (``apt-get install nginx``).
"""

from __future__ import annotations

import pytest

from benchmarks.load import nginx_available, slow_clients_phase

pytestmark = pytest.mark.xdist_group("load")


@pytest.mark.skipif(not nginx_available(), reason="nginx or openssl is not installed")
def test_behind_the_proxy_slow_clients_do_not_hold_up_the_health_probe():
    result = slow_clients_phase(seconds=8, slow_clients=20, proxy=True, workers=1, threads=4)
    assert result["errors"] == []  # every probe answered, through nginx and TLS
    assert result["probes"] >= 10


def test_gunicorn_reads_the_repository_settings():
    from gunicorn.config import Config

    from tests.conftest import REPO

    config = Config()
    namespace: dict = {}
    exec(compile((REPO / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), namespace)
    for name, value in namespace.items():
        if name in config.settings:
            config.set(name, value)  # gunicorn's own validation of each setting
    assert (config.worker_class_str, config.timeout, config.keepalive) == ("gthread", 60, 5)
    assert config.bind == ["127.0.0.1:8000"]  # loopback: only the proxy reaches the app


def test_guesses_sent_at_once_to_two_workers_share_one_count(tmp_path):
    """16 simultaneous wrong guesses at one account, spread over two gunicorn workers: only the 3 free are checked.

    (Before the count was taken in one transaction, all 16 were checked, and the right password got in.)
    """
    import shutil
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from benchmarks.load import free_port, prepare, start_server
    from tests.dash_http import DashClient

    data_dir = tmp_path / "data"
    (name,) = prepare(data_dir, 1)
    port = free_port()
    server = start_server(data_dir, port, workers=2, threads=8)
    try:
        browsers = [DashClient(f"http://127.0.0.1:{port}") for _ in range(16)]  # 16 sessions, 16 form tokens
        for b in browsers:
            b.deps()
        start = threading.Barrier(16)

        def guess(k: int) -> str:
            start.wait()
            location = browsers[k].sign_in(name, f"wrong guess {k}").headers["Location"]
            return location.split("error=")[1].split("&")[0]

        with ThreadPoolExecutor(16) as pool:
            outcomes = sorted(pool.map(guess, range(16)))
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(data_dir, ignore_errors=True)
    assert outcomes.count("bad") <= 4 and outcomes.count("bad") + outcomes.count("wait") == 16, outcomes
