"""A throwaway PostgreSQL cluster for the tests: initdb and pg_ctl in a temporary directory, a unix socket only.

One cluster per test process (each pytest-xdist worker starts its own), a database made once with
the store's migrations and used as the template of one fresh database per test (CREATE DATABASE
... TEMPLATE copies it in milliseconds). The binaries are found on PATH (``pg_ctl``) or where
Debian's ``postgresql`` package puts them, ``/usr/lib/postgresql/<N>/bin``. PostgreSQL refuses to
run as root (as CI runs): then the cluster is run as the ``postgres`` user (made by Debian's
package), or ``nobody``, with ``runuser``.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

TEMPLATE = "decarb_template"
SUPERUSER = "decarb"
#: Quick and throwaway: nothing needs to survive a crash of the test machine.
SERVER_OPTIONS = ("-c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
                  " -c max_connections=200 -c shared_buffers=32MB")


def binaries() -> Path | None:
    """Return the directory of initdb and pg_ctl, or None if PostgreSQL is not installed."""
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).parent
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]))
    return debian[-1].parent if debian else None


def _run_as() -> str | None:
    """The user to run the server as: None for the current one, unless that is root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise RuntimeError("running as root, and neither a postgres nor a nobody user exists to run PostgreSQL as")


@dataclass
class Cluster:
    directory: Path
    bin: Path
    user: str | None
    names = itertools.count(1)

    @property
    def socket_dir(self) -> Path:
        return self.directory

    def url(self, database: str) -> str:
        return f"postgresql://{SUPERUSER}@/{database}?host={self.socket_dir}"

    def _command(self, *argv: str) -> list[str]:
        return ["runuser", "-u", self.user, "--", *argv] if self.user else list(argv)

    def start(self) -> None:
        data = self.directory / "data"
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(self.directory, entry.pw_uid, entry.pw_gid)
        subprocess.run(self._command(str(self.bin / "initdb"), "-D", str(data), "-U", SUPERUSER, "-A", "trust",
                                     "-E", "UTF8", "--locale=C", "--no-sync"),
                       check=True, capture_output=True, timeout=120)
        subprocess.run(self._command(str(self.bin / "pg_ctl"), "-D", str(data), "-l", str(self.directory / "log"),
                                     "-w", "-t", "60", "-o", f"-k {self.socket_dir} {SERVER_OPTIONS}", "start"),
                       check=True, capture_output=True, timeout=120)

    def stop(self) -> None:
        subprocess.run(self._command(str(self.bin / "pg_ctl"), "-D", str(self.directory / "data"), "-m",
                                     "immediate", "-w", "stop"), capture_output=True, timeout=60)
        shutil.rmtree(self.directory, ignore_errors=True)

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(sql)

    def make_template(self) -> None:
        """Make the template database, at the store's newest revision."""
        from decarb_dashboard import migrations

        self.admin(f"CREATE DATABASE {TEMPLATE}")
        migrations.upgrade(self.url(TEMPLATE))

    def new_database(self, migrated: bool = True) -> str:
        """Make a fresh database (the store's tables in it unless not ``migrated``) and return its URL."""
        name = f"test_{os.getpid()}_{next(self.names)}"
        self.admin(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE if migrated else 'template0'}")
        return self.url(name)

    def drop_database(self, url: str) -> None:
        from decarb_dashboard import store_sql

        store_sql.dispose(url)
        name = url.split("/")[3].split("?")[0]
        self.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def start_cluster() -> Cluster:
    """Start a cluster in a new temporary directory (not pytest's, which another user could not enter)."""
    found = binaries()
    if found is None:
        raise FileNotFoundError("PostgreSQL's initdb and pg_ctl are neither on PATH nor in /usr/lib/postgresql/*/bin"
                                " (Debian: apt-get install postgresql)")
    cluster = Cluster(Path(tempfile.mkdtemp(prefix="decarb-pg-")), found, _run_as())
    try:
        cluster.start()
        cluster.make_template()
    except BaseException:
        cluster.stop()
        raise
    return cluster
