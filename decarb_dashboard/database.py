"""The SQLite plumbing shared by the submission store and the accounts: connections, write transactions, schema.

Every connection uses WAL (readers never wait for a writer) and foreign keys; a
write transaction takes the database's write lock at once (BEGIN IMMEDIATE), so
concurrent writers queue instead of failing half way.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def connect(path: Path, *, durable: bool = True, timeout_s: float = 60) -> Iterator[sqlite3.Connection]:
    """Open ``path``; ``durable`` False skips the fsync of each commit (benchmarks that only read)."""
    db = sqlite3.connect(path, timeout=timeout_s, isolation_level=None)
    try:
        _use_wal(db, timeout_s)
        db.execute(f"PRAGMA synchronous={'FULL' if durable else 'OFF'}")
        db.execute("PRAGMA foreign_keys=ON")
        db.row_factory = sqlite3.Row
        yield db
    finally:
        db.close()


def _use_wal(db: sqlite3.Connection, timeout_s: float) -> None:
    """Switch ``db`` to WAL, waiting up to ``timeout_s`` for other connections to a file not yet in WAL.

    Switching a file from the old rollback journal needs its exclusive lock, and SQLite refuses that at
    once (SQLITE_BUSY), without the busy timeout, when another connection is part way through writing
    (waiting could deadlock); so of several processes opening an old file at once, some could fail.
    Once a file is in WAL the pragma takes no lock and this returns at the first try.
    """
    deadline = time.monotonic() + timeout_s
    pause_s = 0.01
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode != sqlite3.SQLITE_BUSY or time.monotonic() + pause_s > deadline:
                raise
        time.sleep(pause_s)
        pause_s = min(pause_s * 2, 0.2)


@contextlib.contextmanager
def transaction(path: Path, *, durable: bool = True, timeout_s: float = 60) -> Iterator[sqlite3.Connection]:
    """A write transaction: committed if the block ends normally, rolled back if it raises.

    ``timeout_s``: how long to wait for another writer's lock before raising ``sqlite3.OperationalError``.
    """
    with connect(path, durable=durable, timeout_s=timeout_s) as db:
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")


def create_once(path: Path, schema_sql: str, last_object: str, *, timeout_s: float = 60) -> None:
    """Run ``schema_sql`` unless ``last_object`` (the last thing it creates) already exists.

    Checking first keeps a write, and its fsync, off every open. ``timeout_s`` as for :func:`transaction`.
    """
    with connect(path, timeout_s=timeout_s) as db:
        if not db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (last_object,)).fetchone():
            db.executescript(schema_sql)
