"""Where the store, the accounts and the outbox keep their tables: SQLite in the data directory, or PostgreSQL.

:class:`decarb_dashboard.store.SubmissionStore` says once what the store does, in SQL both
databases understand; a catalogue here says how to reach its database and the few words in which
the two differ. Each ``connect()``, ``transaction()`` and ``snapshot()`` yields a connection whose
``execute(sql, args)`` takes ``?`` parameters and gives rows read by name or by position, as
:class:`sqlite3.Row` does.

On PostgreSQL (SQLAlchemy Core's pool over psycopg 3) every write transaction first takes one
transaction-level advisory lock, so that writers queue as they do on SQLite (BEGIN IMMEDIATE): the
duplicate check and a reference's number are decided holding it, and the append-only tables'
entries are numbered in the order they are committed, which the store's ``version()`` (the newest
entries) relies on. The accounts and the outbox take locks of their own (:data:`ACCOUNTS_LOCK`,
:data:`OUTBOX_LOCK`), so that a sign-in never waits for a submission's lines to be written. The
return lines are rows of the ``lines`` table, written with COPY in the submission's own transaction:
a writer killed part way leaves nothing, PostgreSQL rolls it back.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa

from decarb_dashboard import database

#: The advisory lock every write transaction of the PostgreSQL store holds ("decarb" in ASCII).
WRITE_LOCK = 0x646563617262
#: The advisory lock of the accounts' write transactions (sessions, the sign-in throttle, changes to accounts).
ACCOUNTS_LOCK = WRITE_LOCK + 1
#: The advisory lock of the e-mail outbox's write transactions (queueing, a sender's claim, an outcome).
OUTBOX_LOCK = WRITE_LOCK + 2
#: PostgreSQL's SQLSTATE for a full disk.
DISK_FULL = "53100"
#: The columns of the ``lines`` table after the part's key, in the order of ``store.LINES_SCHEMA``.
LINE_COLUMNS = ("category", "source", "scope", "activity_amount", "activity_unit", "emissions_tco2e", "status",
                "method", "notes", "row")


class Row(tuple):
    """A result row read by position or by column name (``dict(row)`` gives the columns)."""

    _index: dict[str, int]

    def __new__(cls, values, index: dict[str, int]):
        row = super().__new__(cls, values)
        row._index = index
        return row

    def __getitem__(self, key):
        return super().__getitem__(self._index[key] if isinstance(key, str) else key)

    def keys(self) -> list[str]:
        return list(self._index)


class _Result:
    def __init__(self, result) -> None:
        self._result = result
        self._index = {k: i for i, k in enumerate(result.keys())} if result.returns_rows else {}

    def __iter__(self) -> Iterator[Row]:
        return (Row(values, self._index) for values in self._result)

    def fetchone(self) -> Row | None:
        values = self._result.fetchone()
        return None if values is None else Row(values, self._index)

    def fetchall(self) -> list[Row]:
        return list(self)

    @property
    def rowcount(self) -> int:
        """How many rows an UPDATE or DELETE changed."""
        return self._result.rowcount


class PostgresConnection:
    """A SQLAlchemy connection to PostgreSQL that runs the store's SQL (``?`` parameters, as SQLite's)."""

    def __init__(self, conn) -> None:
        self.conn = conn

    def execute(self, sql: str, args=()) -> _Result:
        return _Result(self.conn.exec_driver_sql(sql.replace("?", "%s"), tuple(args)))

    def executemany(self, sql: str, rows) -> None:
        rows = [tuple(r) for r in rows]
        if rows:
            self.conn.exec_driver_sql(sql.replace("?", "%s"), rows)

    def copy_lines(self, table: pa.Table, line_numbers: list[int]) -> None:
        """Append one part's lines (an Arrow table in ``store.LINES_SCHEMA``) to ``lines``, with COPY."""
        columns = ("submission_id", "organisation_id", "reporting_year", "line_number", *LINE_COLUMNS)
        data = table.to_pydict()
        quoted = ", ".join(f'"{c}"' for c in columns)
        with self.conn.connection.driver_connection.cursor() as cursor, cursor.copy(
                f"COPY lines ({quoted}) FROM STDIN") as copy:
            for i, number in enumerate(line_numbers):
                copy.write_row([data["submission_id"][i], data["organisation_id"][i], data["reporting_year"][i],
                                number, *(data[c][i] for c in LINE_COLUMNS)])


class SqliteCatalogue:
    """The catalogue ``store.sqlite`` in a data directory; the lines are Parquet files beside it."""

    dialect = "sqlite"
    lines_in_database = False
    errors: tuple[type[BaseException], ...] = (sqlite3.Error,)

    def __init__(self, path: Path, durable: bool = True, timeout_s: float = 60) -> None:
        self.path = path
        self.durable = durable
        self.timeout_s = timeout_s

    def describe(self) -> str:
        return str(self.path)

    @staticmethod
    def group_concat(column: str) -> str:
        """The SQL of the distinct values of ``column`` in a group, comma-separated."""
        return f"GROUP_CONCAT(DISTINCT {column})"

    def connect(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        return database.connect(self.path, durable=self.durable, timeout_s=self.timeout_s)

    def transaction(self, timeout_s: float | None = None) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """A write transaction: BEGIN IMMEDIATE takes the file's write lock at once, waiting at most ``timeout_s``
        (default the catalogue's) for another writer's."""
        return database.transaction(self.path, durable=self.durable,
                                    timeout_s=self.timeout_s if timeout_s is None else timeout_s)

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """Reads in one transaction, so that they agree with each other."""
        with self.connect() as db:
            db.execute("BEGIN")
            yield db
            db.execute("COMMIT")

    @staticmethod
    def is_disk_full(exc: BaseException) -> bool:
        return isinstance(exc, sqlite3.OperationalError) and "full" in str(exc)


_engines: dict[tuple[str, int], object] = {}
_engines_lock = threading.Lock()


def engine_for(url: str):
    """Return this process's SQLAlchemy engine (its connection pool) for the PostgreSQL database at ``url``."""
    import sqlalchemy as sa

    from decarb_dashboard.migrations import sqlalchemy_url

    key = (url, os.getpid())  # a pool's connections are never shared with a forked child
    with _engines_lock:
        found = _engines.get(key)
        if found is None:
            found = _engines[key] = sa.create_engine(sqlalchemy_url(url), pool_pre_ping=True)
        return found


def dispose(url: str) -> None:
    """Close this process's pooled connections to ``url`` (before its database is dropped, in the tests)."""
    with _engines_lock:
        found = _engines.pop((url, os.getpid()), None)
    if found is not None:
        found.dispose()


class PostgresCatalogue:
    """The store's tables, the lines among them, in a PostgreSQL database (``DECARB_DATABASE_URL``); or, with
    another ``lock``, the accounts' or the outbox's tables in the same database."""

    dialect = "postgresql"
    lines_in_database = True

    def __init__(self, url: str, lock: int = WRITE_LOCK) -> None:
        import psycopg
        import sqlalchemy.exc

        self.url = url
        self.lock = lock
        self.engine = engine_for(url)
        # COPY runs on psycopg's own cursor, whose errors SQLAlchemy does not wrap
        self.errors = (sqlalchemy.exc.SQLAlchemyError, psycopg.Error)

    def describe(self) -> str:
        """The database's address without its password."""
        return self.engine.url.set(drivername="postgresql").render_as_string(hide_password=True)

    @staticmethod
    def group_concat(column: str) -> str:
        return f"string_agg(DISTINCT {column}, ',')"

    @contextlib.contextmanager
    def connect(self) -> Iterator[PostgresConnection]:
        with self.engine.connect() as conn:
            yield PostgresConnection(conn)

    @contextlib.contextmanager
    def transaction(self, timeout_s: float | None = None) -> Iterator[PostgresConnection]:
        """A write transaction holding this catalogue's write lock (see the module's docstring) until it ends;
        waiting at most ``timeout_s`` for it (default: as long as it takes)."""
        with self.engine.begin() as conn:
            if timeout_s is not None:
                conn.exec_driver_sql(f"SET LOCAL lock_timeout = {int(timeout_s * 1000)}")
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(%s)", (self.lock,))
            yield PostgresConnection(conn)

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[PostgresConnection]:
        """Reads that see one committed state of the store (REPEATABLE READ)."""
        with self.engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
            yield PostgresConnection(conn)

    @staticmethod
    def is_disk_full(exc: BaseException) -> bool:
        return getattr(getattr(exc, "orig", exc), "sqlstate", None) == DISK_FULL

    def read_lines(self, keys: list[tuple[str, str, str]]) -> pa.Table:
        """Return the lines of the parts ``keys`` ((submission_id, organisation_id, reporting_year)), part by
        part in that order, each part's lines in their order, as an Arrow table in ``store.LINES_SCHEMA``.

        The rows come out of PostgreSQL with ``COPY ... TO STDOUT`` as CSV, which Arrow's CSV reader
        parses straight into the table's columns, rather than as a Python tuple per line (some 50
        bytes of Python objects per value: gigabytes at millions of lines; benchmarks/bench_store.py).
        """
        import pyarrow.csv as pacsv

        from decarb_dashboard.store import LINES_SCHEMA

        if not keys:
            return LINES_SCHEMA.empty_table()
        sids, orgs, years = (list(column) for column in zip(*keys, strict=True))
        sql = ("COPY (SELECT l.organisation_id, l.reporting_year, " + ", ".join(f'l."{c}"' for c in LINE_COLUMNS)
               + ", l.submission_id FROM unnest(%s::text[], %s::text[], %s::text[]) WITH ORDINALITY"
               " AS k(submission_id, organisation_id, reporting_year, n)"
               " JOIN lines l USING (submission_id, organisation_id, reporting_year)"
               " ORDER BY k.n, l.line_number) TO STDOUT (FORMAT csv)")
        data = bytearray()
        with self.engine.connect() as conn, conn.connection.driver_connection.cursor() as cursor, cursor.copy(
                sql, (sids, orgs, years)) as copy:
            for chunk in copy:
                data += chunk
        if not data:
            return LINES_SCHEMA.empty_table()
        # COPY writes NULL as an empty field and an empty string as "": only the unquoted one is null
        return pacsv.read_csv(
            pa.BufferReader(bytes(data)),
            read_options=pacsv.ReadOptions(column_names=LINES_SCHEMA.names),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(column_types=LINES_SCHEMA, null_values=[""],
                                                 strings_can_be_null=True, quoted_strings_can_be_null=False))
