"""A full disk under a PostgreSQL store: reads keep working, a submission is refused cleanly, nothing partial is kept.

Not a mock: the ``lines`` table is moved to a tablespace on a real, small file system (a 2 MB
tmpfs), and a submission larger than the room left makes PostgreSQL's own write fail with "No
space left on device" (SQLSTATE 53100). Mounting a file system needs no root here: the cluster's
server runs in a user and mount namespace of its own (``unshare -Urm``, the kernel's unprivileged
user namespaces), where the tmpfs is mounted, and a nested user namespace gives it a user that is
not root there (PostgreSQL refuses to run as root). The tests reach it through its unix socket, in
a directory outside the tmpfs. Where user namespaces are not allowed the test is skipped, saying so.

(A file size limit, ``ulimit -f``, is no substitute: PostgreSQL then fails with "File too large",
SQLSTATE XX000, an internal error, not a full disk.)
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
import pytest

from decarb_dashboard import migrations
from decarb_dashboard.store import StoreFull, SubmissionStore
from tests import postgres
from tests.conftest import check

SMALL_DISK = "2m"
#: The user the server is inside its nested namespace (any but 0: only that one user is mapped).
INNER_USER = 1000
CARDIFF = ["Cardiff,2022-23,Buildings,Electricity,,,,100,,,", "Cardiff,2022-23,Waste,,,,,5,,,"]


def _start_on_small_disk(directory: Path, pg_bin: Path) -> Path:
    """initdb and start a server whose namespace has a tmpfs of SMALL_DISK at ``directory/small``; return it."""
    small = directory / "small"
    small.mkdir()
    data, log = directory / "data", directory / "log"
    inner = (f'{pg_bin / "initdb"} -D {data} -U {postgres.SUPERUSER} -A trust -E UTF8 --locale=C --no-sync'
             f' > {directory / "initdb.log"} 2>&1 && {pg_bin / "pg_ctl"} -D {data} -l {log} -w -t 60'
             f' -o "-k {directory} {postgres.SERVER_OPTIONS}" start > /dev/null')
    outer = (f"mount -t tmpfs -o size={SMALL_DISK},mode=0700 small-disk {small}"
             f" && exec unshare --user --map-user={INNER_USER} --map-group={INNER_USER} sh -c '{inner}'")
    subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", outer], check=True,
                   capture_output=True, timeout=180)
    return small


def _stop(directory: Path) -> None:
    """Stop the server at once (SIGQUIT: PostgreSQL's immediate shutdown) and remove its directory."""
    pid_file = directory / "data" / "postmaster.pid"
    if pid_file.exists():
        pid = int(pid_file.read_text().split()[0])
        os.kill(pid, signal.SIGQUIT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and pid_file.exists():
            time.sleep(0.1)
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def small_disk_url():
    """A migrated database whose ``lines`` table is on a 2 MB file system, on a cluster of this test's own."""
    pg_bin = postgres.binaries()
    if pg_bin is None:
        pytest.skip("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    if shutil.which("unshare") is None:
        pytest.skip("util-linux's unshare is not installed: no file system can be mounted for the test")
    directory = Path(tempfile.mkdtemp(prefix="decarb-pgfull-"))
    try:
        small = _start_on_small_disk(directory, pg_bin)
    except subprocess.CalledProcessError as exc:
        _stop(directory)
        if b"mount" in exc.stderr or b"unshare" in exc.stderr:
            pytest.skip("this machine allows no user namespace to mount a small file system in "
                        f"({exc.stderr.decode(errors='replace').strip()}): the full disk cannot be made without root")
        raise
    url = f"postgresql://{postgres.SUPERUSER}@/decarb?host={directory}"
    try:
        with psycopg.connect(url.replace("/decarb?", "/postgres?"), autocommit=True) as admin:
            admin.execute("CREATE DATABASE decarb")
        migrations.upgrade(url)
        with psycopg.connect(url, autocommit=True) as db:
            db.execute(f"CREATE TABLESPACE small_disk LOCATION '{small}'")
            db.execute("ALTER TABLE lines SET TABLESPACE small_disk")
        yield url
    finally:
        from decarb_dashboard import store_sql

        store_sql.dispose(url)
        _stop(directory)


def lines_of(*rows: str):
    report = check(*rows)
    assert report.valid, report.to_text()
    return report.lines


def counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as db:
        return {table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("submissions", "parts", "lines", "audit_log")}


def fill_the_disk(url: str) -> None:
    """Fill the small disk with a table of filler rows, a batch a transaction, until PostgreSQL says it is full."""
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("CREATE TABLE filler (x text) TABLESPACE small_disk")
        with pytest.raises(psycopg.errors.DiskFull, match="No space left on device"):
            for _ in range(1000):  # 2 MB in 100 kB batches: full long before the end
                db.execute("INSERT INTO filler SELECT repeat('x', 1000) FROM generate_series(1, 100)")


def test_a_full_database_disk_keeps_reads_working_and_refuses_a_submission_cleanly(small_disk_url, tmp_path,
                                                                                 monkeypatch):
    import pandas as pd

    from benchmarks.synthetic import synthetic_lines
    from decarb_dashboard.reasons import said
    from decarb_dashboard.web import create_app

    store = SubmissionStore(tmp_path, database_url=small_disk_url)
    store.submit(lines_of(*CARDIFF), b"cardiff bytes", submitted_by="alice")
    monkeypatch.setenv("DECARB_DATABASE_URL", small_disk_url)
    app = create_app(tmp_path, seed=False)
    fill_the_disk(small_disk_url)
    before = counts(small_disk_url)
    assert before == {"submissions": 1, "parts": 1, "lines": 2, "audit_log": 1}
    # two years of one body, a line per source: more than the room left in the lines' one page
    newport = synthetic_lines(pd.DataFrame({"id": ["newport"]}), 2)
    with pytest.raises(StoreFull, match=r"the disk of the database .* is full: the submission was not stored") as full:
        store.submit(newport, b"newport bytes", submitted_by="bob")
    assert getattr(full.value.__cause__, "sqlstate", None) == "53100"  # PostgreSQL's own "disk full"
    assert "No space left on device" in str(full.value.__cause__)
    assert "postgresql://decarb@/decarb" in str(full.value)  # which database, never a password
    assert "mae disg y gronfa ddata" in said(full.value, "cy")
    assert counts(small_disk_url) == before  # no submission, part, line or audit entry of it, not even some
    assert store.current_lines()["emissions_tco2e"].sum() == 105  # reads keep working
    assert [s.submitted_by for s in store.submissions()] == ["alice"]
    assert app.server.test_client().get("/healthz").get_json()["status"] == "ok"
    # once the operators free space, the same file goes in
    with psycopg.connect(small_disk_url, autocommit=True) as db:
        db.execute("DROP TABLE filler")
    store.submit(newport, b"newport bytes", submitted_by="bob")
    assert counts(small_disk_url)["lines"] == 2 + len(newport)
