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
