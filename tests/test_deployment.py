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


def test_the_proxy_closes_an_idle_connection_to_gunicorn_before_gunicorn_does():
    """Otherwise nginx can send a page's figures (a POST, not retried) on a connection gunicorn is closing: a 502."""
    import re

    from benchmarks.load import PROXY_KEEPALIVE_S
    from tests.conftest import REPO

    namespace: dict = {}
    exec(compile((REPO / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), namespace)
    upstream = re.search(r"upstream decarb_app \{(.*?)\}", (REPO / "deploy/nginx-decarb.conf").read_text(), re.S)
    (proxy_s,) = re.findall(r"^\s*keepalive_timeout\s+(\d+)s;", upstream.group(1), re.M)
    assert (int(proxy_s), namespace["keepalive"]) == (4, 5)
    assert int(proxy_s) == PROXY_KEEPALIVE_S  # the load test's clients behave as this proxy does


def test_guesses_sent_at_once_to_two_workers_share_one_count(tmp_path):
    """16 simultaneous wrong guesses at one account, spread over two gunicorn workers: only the 3 free are checked.

    (Before the count was taken in one transaction, all 16 were checked, and the right password got in.)
    """
    import shutil
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from benchmarks.load import free_port, prepare, start_server
    from tests.dash_http import DashClient
    from tests.servers import stop

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
        stop(server, graceful=True)
        shutil.rmtree(data_dir, ignore_errors=True)
    assert outcomes.count("bad") <= 4 and outcomes.count("bad") + outcomes.count("wait") == 16, outcomes


def _dockerfile() -> list[tuple[str, str]]:
    """The Dockerfile's instructions as (INSTRUCTION, arguments), continuation lines joined, comments left out."""
    from tests.conftest import REPO

    text = (REPO / "Dockerfile").read_text().replace("\\\n", " ")
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1].strip())
            for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_the_container_runs_gunicorn_as_a_non_root_user_on_the_data_volume():
    import json

    steps = _dockerfile()
    users = [args for step, args in steps if step == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")  # the last USER is the one the server runs as
    (cmd,) = [json.loads(args) for step, args in steps if step == "CMD"]
    assert cmd == ["gunicorn", "app:server"]
    env = " ".join(args for step, args in steps if step == "ENV")
    assert "DECARB_DATA_DIR=/srv/decarb" in env and "DECARB_BIND=0.0.0.0:8000" in env  # the proxy is outside
    assert [args for step, args in steps if step == "VOLUME"] == ['["/srv/decarb"]']


def test_the_container_copies_what_the_app_needs_and_probes_a_path_the_app_answers(tmp_path):
    """Every COPY source exists; the health check asks for /healthz, which the app answers with 200."""
    from decarb_dashboard.web import create_app
    from tests.conftest import REPO

    steps = _dockerfile()
    sources = [part for step, args in steps if step == "COPY" for part in args.split()[:-1]]
    assert {"pyproject.toml", "app.py", "gunicorn.conf.py", "decarb_dashboard", "uploads_schema"} <= set(sources)
    assert all((REPO / source).exists() for source in sources)
    (probe,) = [args for step, args in steps if step == "HEALTHCHECK"]
    assert "http://127.0.0.1:8000/healthz" in probe
    assert create_app(tmp_path / "data", seed=False).server.test_client().get("/healthz").status_code == 200


def test_the_container_has_the_fonts_and_pango_the_makefile_installs_for_the_report():
    from tests.conftest import REPO

    packages = {"libpango-1.0-0", "libpangoft2-1.0-0", "fonts-dejavu-core"}
    run = " ".join(args for step, args in _dockerfile() if step == "RUN")
    assert all(p in run for p in packages) and all(p in (REPO / "Makefile").read_text() for p in packages)
