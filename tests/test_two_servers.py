"""Two app servers on one PostgreSQL (issue 17): two gunicorn processes, each with its own empty data directory.

The database is migrated with ``decarb store migrate`` and holds the sample returns; each server has
one submitter, added with ``decarb users add`` in that server's environment (accounts are still kept
in each server's data directory). A return submitted through A's upload form shows on B's API and
compare page within a few seconds (web.propagation); A killed (SIGKILL, master and worker) while its
submission's transaction is open leaves nothing of it, B goes on serving the same figures and takes
a new submission.

Holding a SHARE lock on ``audit_log`` from the test makes A's submission stop at its last statement
(the store writes the submission, its parts and its lines, then the audit entry), so the kill lands
with every other row of it written and not committed: no mock, and no timing luck.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.conftest import HEADER, REPO
from tests.dash_http import DashClient, text_of
from tests.servers import log_tail, start, stop, submit, wait_until_up
from tests.servers import receipt_id as found_receipt

pytestmark = pytest.mark.xdist_group("two_servers")
PASSWORD = "two servers passphrase"
#: Cardiff's first 2024-25 return: buildings (electricity) 1,000.0 + waste 50.0 = 1,050.0 tCO2e.
CARDIFF = (HEADER + "\nCardiff Council,2024-25,Buildings,Electricity,,,,1000.0,,,"
           "\nCardiff Council,2024-25,Waste,,,,,50.0,,,\n")
#: Cardiff's resubmission, killed with A: had it landed, Cardiff's 2024-25 total would be 1,000.0 + 99,999.0.
CARDIFF_KILLED = CARDIFF.replace(",50.0,", ",99999.0,")
#: Newport's 2024-25 return through B: waste 70.0 tCO2e; all Wales then 1,050.0 + 70.0 = 1,120.0 tCO2e.
NEWPORT = HEADER + "\nNewport City Council,2024-25,Waste,,,,,70.0,,,\n"
#: How long a change may take to show on the other server here (the 2 s target is benchmarks/bench_propagation.py's,
#: on a quiet machine; the suite shares two cores with everything else).
DEADLINE_S = 15.0


def decarb(env: dict, *argv: str, stdin: str | None = None) -> None:
    done = subprocess.run([sys.executable, "-m", "decarb_dashboard", *argv], env=env, input=stdin, text=True,
                          capture_output=True, timeout=120, cwd=REPO)
    assert done.returncode == 0, done.stderr


def server_env(data_dir: Path, url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DECARB_ENV", "DECARB_DEMO_ACCOUNTS", "DECARB_PUBLISH")}
    return {**env, "DECARB_DATA_DIR": str(data_dir), "DECARB_DATABASE_URL": url,
            "DECARB_SECRET_KEY": secrets.token_hex(32), "DECARB_PROPAGATION_INTERVAL_S": "0.5",
            "DECARB_WARM_PAGES": "0"}  # the pages drawn when asked: the test reads two of them


def poll(what: str, found, deadline_s: float = DEADLINE_S):
    """Call ``found()`` until it gives something other than None; return that and the seconds it took."""
    started = time.monotonic()
    while True:
        value = found()
        if value is not None:
            return value, time.monotonic() - started
        assert time.monotonic() - started < deadline_s, f"{what}: not within {deadline_s} s"
        time.sleep(0.05)


def receipt_id(response: requests.Response) -> str:
    found = found_receipt(response)
    assert found, text_of(response)[:500]
    return found


def api(url: str, path: str) -> dict | None:
    """The API's answer at ``path``, or None while it is a 404 (a year or return not there yet)."""
    r = requests.get(url + "/api/v1" + path, timeout=30)
    assert r.status_code in (200, 404), r.text
    return r.json() if r.status_code == 200 else None


def counts(url: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(url) as conn:
        return {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("submissions", "parts", "lines", "audit_log")}


def compare_page(url: str, bodies: list[str]) -> str | None:
    """The words of B's compare page for ``bodies``' total emissions in 2024-25 (None: no such year there yet)."""
    r = DashClient(url).callback("cmp-view.children", {"cmp-bodies.value": bodies, "cmp-peers.value": "type",
                                                       "cmp-metric.value": "total", "cmp-year.value": "2024-25",
                                                       "cmp-lang.data": "en"})
    assert r.status_code in (200, 204), r.text[:500]
    return text_of(r) if r.status_code == 200 else None


#: The sample returns the database holds (a few bodies' keep the test quick; the register has all 45 bodies).
SAMPLE_BODIES = ("cardiff", "newport", "swansea", "wrexham")


@pytest.fixture
def database(postgres_cluster, tmp_path):
    """An empty database, migrated by ``decarb store migrate``."""
    url = postgres_cluster.new_database(migrated=False)
    decarb({**os.environ, "DECARB_DATABASE_URL": url, "DECARB_DATA_DIR": str(tmp_path / "migrate")}, "store", "migrate")
    yield url
    postgres_cluster.drop_database(url)


def seed(url: str, data_dir: Path) -> None:
    """Submit the sample returns of :data:`SAMPLE_BODIES`, as their upload would be."""
    from decarb_dashboard.registry import bundled_registry
    from decarb_dashboard.sample import sample_files
    from decarb_dashboard.store import SubmissionStore
    from decarb_dashboard.validate import validate_upload

    store, registry = SubmissionStore(data_dir, durable=False, database_url=url), bundled_registry()
    for name, raw in sample_files():
        if name.removesuffix(".csv") in SAMPLE_BODIES:
            report = validate_upload(raw, name, organisation=name.removesuffix(".csv"), registry=registry, max_bytes=0)
            store.submit(report.lines, raw, submitted_by="sample", file_name=name)


def test_two_servers_on_one_database_follow_each_other_and_a_server_killed_mid_submission_leaves_nothing(
        database, tmp_path):
    import psycopg

    env_a, env_b = server_env(tmp_path / "a", database), server_env(tmp_path / "b", database)
    a, url_a = start(env_a)
    b, url_b = start(env_b, log_level="info")
    try:
        # While the servers start (each process's imports take seconds): the sample returns and an account on each.
        with ThreadPoolExecutor(3) as pool:
            done = [pool.submit(seed, database, tmp_path / "seed")] + [
                pool.submit(decarb, env, "users", "add", name, "--role", "submitter", "--body", body,
                            "--password-stdin", stdin=PASSWORD + "\n")
                for env, name, body in ((env_a, "officer.cardiff", "cardiff"), (env_b, "officer.newport", "newport"))]
            for future in done:
                future.result()
        wait_until_up(a, url_a)
        wait_until_up(b, url_b)
        assert not list((tmp_path / "a").glob("*.parquet")) and not (tmp_path / "a" / "parts").exists()

        # Both serve the same figures, from the one database.
        for path in ("/overview/2023-24", "/bodies/cardiff/comparison/2023-24", "/bodies?per_page=200"):
            assert api(url_a, path) == api(url_b, path)
        assert api(url_b, "/overview/2024-25") is None  # no return for 2024-25 yet

        # A submission through A's form shows on B's API and compare page.
        officer_a = DashClient(url_a)
        assert "error=" not in officer_a.sign_in("officer.cardiff", PASSWORD).headers["Location"]
        receipt_id(submit(officer_a, "cardiff", "2024-25", CARDIFF))
        overview, took_s = poll("the overview on B", lambda: api(url_b, "/overview/2024-25"))
        assert overview["all_wales"]["total_tco2e"] == 1050.0
        assert overview["all_wales"]["coverage"]["bodies_reported"] == 1
        assert api(url_b, "/bodies/cardiff/comparison/2024-25")["total_tco2e"] == 1050.0
        words, _ = poll("the compare page on B", lambda: compare_page(url_b, ["cardiff", "newport"]))
        assert "Cardiff" in words and "1,050" in words
        print(f"A's submission on B's API after {took_s:.2f} s")
        # B's log says so, in gunicorn's format: the app's log goes where gunicorn's does (gunicorn.conf.py)
        assert re.search(r"\[INFO\] store version \d+: engine rebuilt in \d+\.\d\d s", log_tail(b, 1_000_000))
        before = counts(database)
        shown_before = api(url_b, "/overview/2024-25")

        # A killed in the middle of a submission: its transaction is open, every row but the audit entry written.
        with psycopg.connect(database) as holder:
            holder.execute("LOCK TABLE audit_log IN SHARE MODE")  # readers go on; A's last INSERT waits
            resubmit = threading.Thread(target=lambda: _ignore_lost_connection(
                lambda: submit(officer_a, "cardiff", "2024-25", CARDIFF_KILLED)), daemon=True)
            resubmit.start()
            with psycopg.connect(database, autocommit=True) as watcher:
                (pid,), _ = poll("A's submission waiting on its audit entry", lambda: watcher.execute(
                    "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    " AND query LIKE 'INSERT INTO audit_log%%'").fetchone())
                wrote_lines = watcher.execute(  # COPY's lock on lines, held until its transaction ends
                    "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE l.pid = %s"
                    " AND c.relname = 'lines' AND l.mode = 'RowExclusiveLock'", (pid,)).fetchone()[0]
                stop(a)
                assert wrote_lines == 1
            holder.rollback()  # the lock goes: A's orphaned transaction ends, uncommitted, as its client is gone
        resubmit.join(timeout=60)
        with psycopg.connect(database, autocommit=True) as watcher:
            poll("A's transaction rolled back", lambda: None if watcher.execute(
                "SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone() else True)
            assert watcher.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'").fetchone()[0] == 0
        assert counts(database) == before  # nothing of it: no submission, part, line or audit entry
        assert api(url_b, "/overview/2024-25") == shown_before
        assert api(url_b, "/bodies/cardiff/comparison/2024-25")["total_tco2e"] == 1050.0

        # B takes a new submission, and shows it.
        officer_b = DashClient(url_b)
        assert "error=" not in officer_b.sign_in("officer.newport", PASSWORD).headers["Location"]
        receipt_id(submit(officer_b, "newport", "2024-25", NEWPORT))
        overview, _ = poll("Newport on B", lambda: (lambda o: o if o["all_wales"]["coverage"]["bodies_reported"] == 2
                                                    else None)(api(url_b, "/overview/2024-25")))
        assert overview["all_wales"]["total_tco2e"] == 1120.0
        after = counts(database)
        assert (after["submissions"], after["parts"], after["lines"]) == (
            before["submissions"] + 1, before["parts"] + 1, before["lines"] + 1)
        assert json.dumps(api(url_b, "/bodies/newport/returns/2024-25")).count('"emissions_tco2e": 70.0') == 1
    finally:
        stop(a)
        stop(b)


def _ignore_lost_connection(call) -> None:
    """Post a request to a server about to be killed: its answer never comes."""
    with contextlib.suppress(requests.RequestException):
        call()
