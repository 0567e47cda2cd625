"""The schema migrations (Alembic): the one place every table is declared, for SQLite and PostgreSQL alike.

Two branches of revisions, each the tables of one concept:

``store``
    the submission store: submissions, parts, the lines (PostgreSQL only: on SQLite they are
    Parquet files), the audit log, damaged parts, the register and its history, ``store_info``
    and the e-mail outbox. On SQLite: ``store.sqlite`` in the data directory.
``accounts``
    accounts, their bodies, sessions, the sign-in throttle, password reset links and the
    append-only accounts audit. On SQLite: ``accounts.sqlite`` in the data directory.

On PostgreSQL one database holds both branches (its ``alembic_version`` table has one row per
branch), migrated together by ``decarb store migrate`` (:func:`upgrade` to every head); the app and
every command refuse a database that is not at both heads. On SQLite each file holds one branch and
is migrated to its branch's head by the store or the accounts when they open it and find it behind
(a new data directory's files are made so; an older one's are brought up in place, keeping every
row); ``decarb store migrate`` does the same for both files at once.

Revision ids are the files' prefixes, a branch's letter (none for ``store``, ``a`` for
``accounts``) and four digits (``0002_mail_outbox.py`` is revision ``0002`` of ``store``,
``a0001_accounts.py`` revision ``a0001`` of ``accounts``); each revises the one before in its
branch, so that the heads can be told without importing Alembic (:func:`head`: an import of Alembic
costs a second or two, too much for every process that opens a data directory);
``tests/test_store_postgres.py`` checks that Alembic agrees.
"""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import sqlite3
import tempfile
import threading
from pathlib import Path

VERSIONS = Path(__file__).parent / "versions"
#: The table in which Alembic keeps the revisions a database is at (Alembic's default name).
VERSION_TABLE = "alembic_version"
#: Each branch and the letter its revision ids start with.
BRANCHES = {"store": "", "accounts": "a"}
#: The SQLite file of each branch, in the data directory.
SQLITE_FILES = {"store": "store.sqlite", "accounts": "accounts.sqlite"}


def head(branch: str = "store") -> str:
    """Return the newest revision's id of ``branch``."""
    prefix = BRANCHES[branch]
    return max(p.name.split("_")[0] for p in VERSIONS.glob(f"{prefix}[0-9][0-9][0-9][0-9]_*.py"))


def heads() -> frozenset[str]:
    """Every branch's newest revision: the revisions a PostgreSQL database must be at."""
    return frozenset(head(branch) for branch in BRANCHES)


def sqlalchemy_url(url: str) -> str:
    """Return ``url`` (``postgresql://...``, ``postgres://...`` or a ``sqlite:///`` path) with SQLAlchemy's
    driver name for psycopg 3, which SQLAlchemy would otherwise not choose for ``postgresql://``."""
    scheme, _, rest = url.partition("://")
    if scheme.lower() in ("postgresql", "postgres"):
        return "postgresql+psycopg://" + rest
    return url


def alembic_config(url: str):
    """Return the Alembic configuration of the migrations for the database at ``url``."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent))
    cfg.set_main_option("path_separator", "os")
    cfg.attributes["url"] = sqlalchemy_url(url)
    return cfg


#: Alembic keeps the migration running in a process in module globals: one run at a time per process.
_upgrading = threading.Lock()


def upgrade(url: str, branch: str | None = None) -> tuple[frozenset[str], frozenset[str]]:
    """Bring the database at ``url`` up to the head of ``branch`` (None: every branch, for PostgreSQL);
    return the revisions it was at before and after."""
    from alembic import command

    with _upgrading:
        before = current(url)
        command.upgrade(alembic_config(url), "heads" if branch is None else f"{branch}@head")
        return before, current(url)


def current(url: str) -> frozenset[str]:
    """Return the revisions the database at ``url`` is at (empty if it has never been migrated)."""
    import sqlalchemy as sa

    engine = sa.create_engine(sqlalchemy_url(url), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table(VERSION_TABLE):
                return frozenset()
            return frozenset(conn.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars())
    finally:
        engine.dispose()


def sqlite_revisions(db: sqlite3.Connection) -> frozenset[str]:
    """The revisions an SQLite file is at, read cheaply (no Alembic, no SQLAlchemy) on an open connection."""
    if not db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (VERSION_TABLE,)).fetchone():
        return frozenset()
    return frozenset(r[0] for r in db.execute(f"SELECT version_num FROM {VERSION_TABLE}"))


#: Per process and branch: an SQLite file this process made by running the branch's migrations.
_templates: dict[tuple[str, int], Path] = {}
_templates_lock = threading.Lock()


def _template(branch: str) -> Path:
    """An empty SQLite file of ``branch`` at its head, made by running its migrations once in this process."""
    key = (branch, os.getpid())
    with _templates_lock:  # taken before _upgrading, never inside it
        found = _templates.get(key)
        if found is None or not found.exists():
            directory = Path(tempfile.mkdtemp(prefix="decarb-schema-"))
            atexit.register(shutil.rmtree, directory, ignore_errors=True)
            found = directory / SQLITE_FILES[branch]
            upgrade(f"sqlite:///{found}", branch)
            _templates[key] = found
        return found


def ensure_sqlite(path: Path, branch: str) -> bool:
    """Make the SQLite file ``path`` of ``branch``, or bring it up to the branch's head, unless it is there.

    Cheap when it is (one read). A new file is a copy of one this process made by running the
    migrations (:func:`_template`: a data directory a second costs a file copy, not an Alembic run),
    put in place only if no other process made it meanwhile. An older file is migrated by Alembic,
    holding the file's write lock from its first read (see ``env.py``), so that processes opening it
    at once migrate it once. Returns whether anything was made or migrated.
    """
    from decarb_dashboard import database

    if not path.exists():
        # named as store.temporary_name names them, so that remove_leftovers clears one a crash left
        made = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
        try:
            shutil.copyfile(_template(branch), made)
            with open(made, "rb+") as f:
                os.fsync(f.fileno())
            os.link(made, path)  # never over a file another process has just made
            return True
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links: migrated in place below
            pass
        finally:
            made.unlink(missing_ok=True)
    if path.exists():
        with database.connect(path, timeout_s=30) as db:
            if sqlite_revisions(db) == {head(branch)}:
                return False
    upgrade(f"sqlite:///{path}", branch)
    return True


def describe(revisions: frozenset[str]) -> str:
    """The revisions, for messages: ``0002, a0001`` (``none`` when there are none)."""
    return ", ".join(sorted(revisions)) or "none"
