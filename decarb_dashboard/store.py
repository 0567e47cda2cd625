"""The submission store: every accepted return kept immutably, with its history and review trail.

Layout of a data directory (documented in ``docs/store.md``)::

    store.sqlite                                   the catalogue: submissions, their parts, the audit log
    lines/<organisation_id>/<reporting_year>/<submission_id>.parquet
                                                   the lines of one submission for one body and year

A submission's Parquet files are written first (temporary name, flush, fsync,
rename); the submission exists once its catalogue row is committed in one
SQLite transaction. A crash before that commit leaves only files no one refers
to; a reader never sees a half-written submission. SQLite serialises writers
from any number of processes. The audit log is append-only: triggers refuse
any UPDATE or DELETE of it.

Each part carries in its Parquet metadata (``decarb.part``) what the catalogue
knows of its submission (its own body, year and line count, and how many parts the
submission has: not the list of them), so that a lost catalogue can be rebuilt from the parts
(:mod:`decarb_dashboard.maintenance`); the catalogue keeps each part's SHA-256,
checked whenever the part is read: a damaged part makes only its own body and
year unavailable (:meth:`SubmissionStore.unavailable`).

With ``DECARB_DATABASE_URL`` (:func:`decarb_dashboard.config.database_url`) the catalogue and
the lines are instead tables of a PostgreSQL database that several servers share, with the same
guarantees (:mod:`decarb_dashboard.store_sql` says how); its tables are made by the store's
migrations (``decarb store migrate``, :mod:`decarb_dashboard.migrations`), and a store refuses a
database that is not at their newest revision.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import json
import logging
import os
import secrets
import sqlite3
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from decarb_dashboard import config, migrations
from decarb_dashboard.reasons import ReasonError
from decarb_dashboard.store_projects import ProjectsStore
from decarb_dashboard.store_sql import PostgresCatalogue, SqliteCatalogue
from uploads_schema.models import LINE_KEY, ReturnLines
from uploads_schema.vocabulary import vocabulary

log = logging.getLogger(__name__)
#: A submission's statuses (``submission_statuses.csv``); the catalogue's CHECK is made from them.
STATUSES = tuple(vocabulary().submission_statuses)
INITIAL_STATUS = next(s.id for s in vocabulary().submission_statuses.values() if s.initial)
CATALOGUE = "store.sqlite"
#: The key of a part's Parquet metadata that describes its submission (JSON).
PART_METADATA_KEY = b"decarb.part"
#: Why a body's current return for a year cannot be read.
UNAVAILABLE_REASONS = ("damaged file", "missing file")
_FULL_DISK = {errno.ENOSPC, errno.EDQUOT}
_TEXT = pa.dictionary(pa.int32(), pa.string())
#: The Arrow schema of every stored Parquet file: one row per return line.
LINES_SCHEMA = pa.schema([
    ("organisation_id", _TEXT),
    ("reporting_year", _TEXT),
    ("category", _TEXT),
    ("source", _TEXT),
    ("scope", pa.int8()),
    ("activity_amount", pa.float64()),
    ("activity_unit", _TEXT),
    ("emissions_tco2e", pa.float64()),
    ("status", _TEXT),
    ("method", _TEXT),
    ("notes", pa.string()),
    ("row", pa.int32()),
    ("submission_id", _TEXT),
])

#: Changes whenever anything a page shows changes: a submission, a status, a damaged part, the register.
#: Each term is the newest entry of an append-only table, so the sum only grows.
_VERSION_SQL = """
SELECT (SELECT COALESCE(MAX(entry), 0) FROM audit_log) + (SELECT COALESCE(MAX(entry), 0) FROM damaged_parts)
     + (SELECT COALESCE(MAX(entry), 0) FROM register_history)
"""

def _newest_parts_sql(status: str, *, skip_damaged: bool, where: str = "") -> str:
    """SQL of the newest part of each body and year among the submissions whose status meets ``status``
    (a condition on ``s.status``), the parts also meeting ``where`` (conditions on ``p``, each starting AND).

    Columns ``organisation_id, reporting_year, submission_id, path, line_count, sha256, seq``. With
    ``skip_damaged`` a body and year whose newest part is damaged is left out: an older version is not
    shown in its place, which would pass old figures off as current. Numbered in one window over the
    parts: a subquery per part for the newest submission (as before) took 1.1 s at 5,000 bodies on PostgreSQL.
    """
    return f"""
SELECT organisation_id, reporting_year, submission_id, path, line_count, sha256, seq FROM (
  SELECT p.organisation_id, p.reporting_year, p.submission_id, p.path, p.line_count, p.sha256, s.seq,
         ROW_NUMBER() OVER (PARTITION BY p.organisation_id, p.reporting_year ORDER BY s.seq DESC) AS newness
  FROM parts p JOIN submissions s USING (submission_id)
  WHERE {status} {where}) ranked
WHERE newness = 1 {"AND path NOT IN (SELECT path FROM damaged_parts)" if skip_damaged else ""}
"""


#: The submissions a body-year's current return is the newest of (``s``: submissions), and the published ones of
#: DECARB_PUBLISH=accepted.
_NOT_WITHDRAWN, _IS_ACCEPTED = "s.status != 'withdrawn'", "s.status = 'accepted'"
#: The latest part of each body and year (its latest submission not withdrawn), damaged or not.
_LATEST_SQL = _newest_parts_sql(_NOT_WITHDRAWN, skip_damaged=False)
#: The current return of each body and year: its latest part, unless that is damaged (then it is unavailable).
_CURRENT_SQL = _newest_parts_sql(_NOT_WITHDRAWN, skip_damaged=True)
#: The newest accepted part of each body and year: what is published with DECARB_PUBLISH=accepted.
_ACCEPTED_SQL = _newest_parts_sql(_IS_ACCEPTED, skip_damaged=True)
#: One row per current return: its submission, reference, status, and when the body-year was first submitted.
_STATUSES_SQL = """
SELECT c.organisation_id, c.reporting_year, c.submission_id, s.reference, s.status, s.submitted_at,
       f.first_submitted_at
FROM ({current}) c JOIN submissions s USING (submission_id)
JOIN ({first}) f ON f.organisation_id = c.organisation_id AND f.reporting_year = c.reporting_year
ORDER BY c.organisation_id, c.reporting_year
"""
#: When each body and year's first submission not withdrawn arrived: ``organisation_id, reporting_year,
#: first_submitted_at``. One grouping, not a subquery per row.
_FIRST_SUBMITTED_SQL = f"""
SELECT p.organisation_id, p.reporting_year, MIN(s.submitted_at) AS first_submitted_at
FROM parts p JOIN submissions s USING (submission_id) WHERE {_NOT_WITHDRAWN}
GROUP BY p.organisation_id, p.reporting_year
"""
#: The columns of :meth:`SubmissionStore.current_statuses`.
STATUS_COLUMNS = ["organisation_id", "reporting_year", "submission_id", "reference", "status", "submitted_at",
                  "first_submitted_at"]
#: The columns of :meth:`SubmissionStore.version_parts`.
VERSION_COLUMNS = ["organisation_id", "reporting_year", "submission_id", "path", "sha256", "line_count", "reference",
                   "submitted_at", "submission_status", "version_number", "version_state"]


def _frame(rows: Iterable, columns: list[str]) -> pd.DataFrame:
    """The rows of a query as a frame of ``columns``, the query's in its order: each row a plain tuple, not a dict
    (50,000 rows at 5,000 bodies x 10 years: a dict each took a third of a rebuild, and of every reading of the
    returns' statuses)."""
    return pd.DataFrame([tuple(r) for r in rows], columns=columns)


class StoreError(ReasonError):
    """A request the store refuses (unknown submission, a change of a withdrawn one, bad lines).

    ``StoreError(code, **params)``, a message of the ``reasons`` catalogue: English in ``str()``, in the
    reader's language with :func:`decarb_dashboard.reasons.said`. (A plain English sentence instead of a
    code is said as it is, in every language.)
    """


class CatalogueLost(StoreError, config.ConfigurationError):
    """The data directory has submissions' files but no catalogue: starting would hide them."""


class StoreNotMigrated(StoreError, config.ConfigurationError):
    """The PostgreSQL database has not had the store's tables made, or has an older revision of them."""


class DatabaseUnreachable(StoreError, config.ConfigurationError):
    """The PostgreSQL database of ``DECARB_DATABASE_URL`` could not be reached (or refused the connection)."""


class StoreFull(StoreError):
    """The data directory's disk (or the PostgreSQL database's) is full: the submission was not stored (nothing
    was)."""


class DuplicateSubmission(StoreError):
    """The same file (SHA-256) for the same bodies and years is already stored and not withdrawn."""

    def __init__(self, submission_id: str, reference: str) -> None:
        super().__init__("store_duplicate", reference=reference, submission=submission_id)
        self.submission_id = submission_id
        self.reference = reference


class StatusChanged(StoreError):
    """A submission's status was no longer the one a decision was made on (someone else decided first)."""


@dataclass(frozen=True)
class Submission:
    """A stored submission's metadata."""

    submission_id: str
    submitted_at: str
    submitted_by: str
    file_name: str | None
    sha256: str
    line_count: int
    status: str
    status_message: str | None
    organisations: tuple[str, ...]
    reporting_years: tuple[str, ...]
    #: A short human reference, ``CARDIFF-2024-25-03`` (see :func:`make_reference`).
    reference: str = ""
    #: Who approved the return: ``{"approved_by": ..., "approver_role": ...}``, or None (sample data, older ones).
    declaration: dict | None = field(default=None, hash=False)
    #: The warning groups the submitter explained (``review.submit_return`` says their shape).
    warnings: tuple[dict, ...] = field(default=(), hash=False)


def make_reference(body_years: list[tuple[str, str]], number: int) -> str:
    """Return a submission's short reference from its (body, year) pairs, sorted, and its number.

    The first body's id upper-cased with ``-`` for ``_``, the first year, and ``number`` (the
    submission's place among that body and year's submissions, 2 digits): ``CARDIFF-2024-25-03``.
    A file with several bodies or years adds ``+N``, N the number of the others: ``CARDIFF-2024-25-03+4``.
    """
    body, year = body_years[0]
    extra = f"+{len(body_years) - 1}" if len(body_years) > 1 else ""
    return f"{body.upper().replace('_', '-')}-{year}-{number:02d}{extra}"


def assign_references(execute) -> None:
    """Give every submission without a reference one, numbering in submission order as
    :meth:`SubmissionStore.submit` does, in the caller's transaction (``execute(sql, args)`` runs ``?`` SQL).

    For catalogues made before submissions had references: revision 0001 of the migrations (an older
    catalogue brought up in place) and :func:`decarb_dashboard.maintenance.rebuild_catalogue`.
    """
    counts: dict[tuple[str, str], int] = {}
    rows = execute("SELECT s.submission_id, s.reference, p.organisation_id, p.reporting_year"
                   " FROM submissions s JOIN parts p USING (submission_id)"
                   " ORDER BY s.seq, p.organisation_id, p.reporting_year").fetchall()
    by_submission: dict[str, tuple[str | None, list[tuple[str, str]]]] = {}
    for sid, reference, organisation_id, reporting_year in rows:
        by_submission.setdefault(sid, (reference, []))[1].append((organisation_id, reporting_year))
    for sid, (reference, body_years) in by_submission.items():
        for key in body_years:
            counts[key] = counts.get(key, 0) + 1
        if reference is None:
            execute("UPDATE submissions SET reference = ? WHERE submission_id = ?",
                    (make_reference(body_years, counts[body_years[0]]), sid))


def refuse_unmigrated(catalogue: PostgresCatalogue) -> None:
    """Raise StoreNotMigrated unless the PostgreSQL database is at every branch's newest revision (the store's
    and the accounts' tables: one database holds both); DatabaseUnreachable if it cannot be asked."""
    want = migrations.heads()
    try:
        with catalogue.connect() as db:
            have: frozenset[str] = frozenset()
            if db.execute(f"SELECT to_regclass('{migrations.VERSION_TABLE}') IS NOT NULL").fetchone()[0]:
                have = frozenset(r[0] for r in db.execute(f"SELECT version_num FROM {migrations.VERSION_TABLE}"))
    except catalogue.errors as exc:
        raise DatabaseUnreachable("store_database_unreachable", database=catalogue.describe(),
                                  detail=str(getattr(exc, "orig", exc)).strip()) from exc
    if not have:
        raise StoreNotMigrated("store_not_migrated_never", database=catalogue.describe(),
                               want=migrations.describe(want))
    if have != want:
        raise StoreNotMigrated("store_not_migrated", database=catalogue.describe(), have=migrations.describe(have),
                               want=migrations.describe(want))


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _new_id() -> str:
    # Sorts by time; the random tail keeps ids from concurrent writers apart.
    return "s" + dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f") + "-" + secrets.token_hex(4)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system lets a directory be opened
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def temporary_name(path: Path) -> Path:
    """Return the name a file is written under before its rename: hidden, with the writer's process id."""
    return path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")


def is_disk_full(exc: BaseException) -> bool:
    """Return whether an error says the disk (or the user's quota) is full."""
    if isinstance(exc, OSError):
        return exc.errno in _FULL_DISK
    return isinstance(exc, sqlite3.OperationalError) and "full" in str(exc)


def file_sha256(path: Path) -> str:
    """Return the SHA-256 of a file's bytes, as hex."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def to_arrow(lines: pd.DataFrame, submission_id: str, part: dict | None = None) -> pa.Table:
    """Return validated lines as an Arrow table in the store's schema.

    ``part`` (what the catalogue records of the submission) goes into the table's
    metadata under ``decarb.part``, as JSON.
    """
    frame = lines.assign(submission_id=submission_id)[LINES_SCHEMA.names]
    table = pa.Table.from_pandas(frame, schema=LINES_SCHEMA, preserve_index=False)
    if part is None:
        return table
    return table.replace_schema_metadata({**(table.schema.metadata or {}),
                                          PART_METADATA_KEY: json.dumps(part, ensure_ascii=False).encode()})


def compact_dictionaries(table: pa.Table) -> pa.Table:
    """Return ``table`` with each text column's dictionary cut to the values its rows use.

    A part cut from a submission of many bodies (a categorical keeps every category, an Arrow slice the whole
    dictionary) would otherwise carry every body's name: at 5,000 bodies x 10 years, 50,000 such parts read back
    at once held some 15 GB of dictionaries.
    """
    columns = [pc.dictionary_encode(c.cast(pa.string())).cast(f.type) if pa.types.is_dictionary(f.type) else c
               for f, c in zip(table.schema, table.columns, strict=True)]
    return pa.Table.from_arrays(columns, schema=table.schema)


def part_metadata(path: Path) -> dict | None:
    """Return what a part's metadata says of its submission, or None if it has none or cannot be read."""
    try:
        metadata = pq.read_schema(path).metadata or {}
        return json.loads(metadata[PART_METADATA_KEY]) if PART_METADATA_KEY in metadata else None
    except (OSError, pa.ArrowException, ValueError):
        return None


def any_part(root: Path) -> bool:
    """Return whether a data directory holds any submission's file."""
    return next((root / "lines").glob("*/*/*.parquet"), None) is not None


def from_arrow(table: pa.Table) -> pd.DataFrame:
    """Return stored lines as a DataFrame: text columns categorical, scope nullable integer."""
    frame = table.to_pandas()
    frame["scope"] = frame["scope"].astype("Int64")
    frame["row"] = frame["row"].astype("int64")
    return frame


class SubmissionStore(ProjectsStore):
    """Versioned, crash-safe storage of validated returns in a data directory.

    Parameters
    ----------
    data_dir
        Where the store lives (created on first use); default ``$DECARB_DATA_DIR``.
    durable
        fsync every file and commit (the default). Benchmarks that only build
        a store to read it may turn this off.
    database_url
        A PostgreSQL database (``postgresql://...``) to keep the catalogue and the lines in
        instead of the data directory (which still holds the accounts, the factors and the
        secret key); default ``$DECARB_DATABASE_URL``, and none when that is unset.
    """

    def __init__(self, data_dir: Path | str | None = None, durable: bool = True,
                 database_url: str | None = None) -> None:
        self.root = Path(data_dir) if data_dir is not None else config.data_dir()
        self.durable = durable
        url = database_url if database_url is not None else config.database_url()
        self._db: SqliteCatalogue | PostgresCatalogue
        if url:
            self._db = PostgresCatalogue(url)
            self.root.mkdir(parents=True, exist_ok=True)
            refuse_unmigrated(self._db)
            return
        self._db = SqliteCatalogue(self.root / CATALOGUE, durable)
        fresh = False
        if not (self.root / CATALOGUE).exists():
            fresh = not self.root.exists() or not any(self.root.iterdir())
            if not fresh and any_part(self.root):
                raise CatalogueLost("store_catalogue_lost", root=self.root, catalogue=CATALOGUE)
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "lines").mkdir(exist_ok=True)
        self._create_catalogue(fresh)

    def _create_catalogue(self, fresh: bool) -> None:
        """Make the catalogue, or bring an older one up, with the migrations' ``store`` branch (unless it is at
        its head: one cheap read); mark a fresh one for sample data (:mod:`decarb_dashboard.migrations`)."""
        migrations.ensure_sqlite(self.root / CATALOGUE, "store")
        if fresh:
            with self._connect() as db:
                # Only a data directory that was entirely empty may get the sample returns (sample.py).
                db.execute("INSERT INTO store_info VALUES ('sample_data', 'pending') ON CONFLICT DO NOTHING")

    @property
    def backend(self) -> str:
        """Where the catalogue and lines are: ``sqlite`` (the data directory) or ``postgresql``."""
        return self._db.dialect

    @property
    def database_url(self) -> str:
        """The PostgreSQL database the store is in, or '' for the data directory's catalogue."""
        return getattr(self._db, "url", "")

    def describe(self) -> str:
        """Return where the catalogue is, for messages: the SQLite file, or the database's address (no password)."""
        return self._db.describe()

    # ---- plumbing ----------------------------------------------------------
    def _connect(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        return self._db.connect()

    def _write(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """A write transaction that holds the store's write lock from its start (writers queue)."""
        return self._db.transaction()

    def _write_parquet(self, table: pa.Table, path: Path) -> str:
        """Write ``table`` to ``path`` atomically (its dictionaries compacted) and return the file's SHA-256."""
        path.parent.mkdir(parents=True, exist_ok=True)
        buffer = pa.BufferOutputStream()
        pq.write_table(compact_dictionaries(table), buffer, compression="zstd")
        data = buffer.getvalue()
        tmp = temporary_name(path)
        try:
            with open(tmp, "wb") as f:
                f.write(data)
                f.flush()
                if self.durable:
                    os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        if self.durable:
            _fsync_dir(path.parent)
        return hashlib.sha256(data).hexdigest()

    def mark_history(self) -> None:
        """Record that what is stored so far was loaded as history (the sample returns), not sent for a deadline."""
        with self._write() as db:
            db.execute("INSERT INTO store_info VALUES ('history_until', ?)"
                       " ON CONFLICT (key) DO UPDATE SET value = excluded.value", (_now(),))

    def history_until(self) -> str | None:
        """Return when the returns loaded as history were stored (ISO, UTC), or None: their first submissions up to
        then are never late (:func:`decarb_dashboard.deadlines.is_late`)."""
        with self._connect() as db:
            row = db.execute("SELECT value FROM store_info WHERE key = 'history_until'").fetchone()
        return row[0] if row else None

    def sample_data_pending(self) -> bool:
        """Return whether this store was made in an empty data directory and nothing has been stored since."""
        with self._connect() as db:
            return db.execute("SELECT 1 FROM store_info WHERE key = 'sample_data'").fetchone() is not None

    # ---- writing -----------------------------------------------------------
    def submit(self, lines: pd.DataFrame, original: bytes, *, submitted_by: str,
               file_name: str | None = None, declaration: dict | None = None,
               warnings: tuple[dict, ...] | list[dict] = ()) -> str:
        """Store validated return lines and return the new submission id.

        ``lines`` must satisfy :class:`uploads_schema.models.ReturnLines`;
        ``original`` is the uploaded file's bytes (its SHA-256 is recorded).
        ``declaration`` (who approved the return) and ``warnings`` (the warning groups the
        submitter explained) are kept with it as given (:func:`decarb_dashboard.review.submit_return`
        checks them). The new submission becomes the current return of every body and year it covers.

        Raises :class:`DuplicateSubmission` when a submission not withdrawn has the same
        file and the same bodies and years, and :class:`StoreFull` when the disk is full;
        nothing is stored then. The duplicate check, the reference's number and the files
        are done holding the store's write lock, so that two clicks at once store one
        submission and concurrent writers get distinct references.
        """
        if not submitted_by or not str(submitted_by).strip():
            raise StoreError("store_needs_submitter")
        try:
            lines = ReturnLines.validate(lines)
        except Exception as exc:
            raise StoreError("store_lines_contract", detail=str(exc)) from exc
        if lines.empty:
            raise StoreError("store_needs_line")
        submission_id = _new_id()
        at = _now()
        groups = list(lines.groupby(["organisation_id", "reporting_year"], observed=True, sort=True))
        body_years = [(str(org), str(year)) for (org, year), _ in groups]
        sha256 = hashlib.sha256(original).hexdigest()
        warnings = [dict(w) for w in warnings]
        declaration_json = None if declaration is None else json.dumps(declaration, ensure_ascii=False)
        warnings_json = json.dumps(warnings, ensure_ascii=False)
        parts: list[tuple] = []
        tables: list[pa.Table] = []
        in_database = self._db.lines_in_database
        try:
            with self._write() as db:
                self._refuse_duplicate(db, sha256, body_years)
                number = db.execute("SELECT COUNT(*) FROM parts WHERE organisation_id = ? AND reporting_year = ?",
                                    body_years[0]).fetchone()[0] + 1
                reference = make_reference(body_years, number)
                described = {
                    "submission_id": submission_id, "submitted_at": at, "submitted_by": submitted_by,
                    "file_name": file_name, "sha256": sha256, "line_count": len(lines),
                    # How many parts the submission has, not the list of them: a list in every part made a file
                    # of many bodies grow the store with the square of its parts.
                    "part_count": len(body_years),
                    "reference": reference, "declaration": declaration, "warnings": warnings,
                }
                for (org, year), (_, group) in zip(body_years, groups, strict=True):
                    relative = Path("lines") / org / year / f"{submission_id}.parquet"
                    part = {**described, "organisation_id": org, "reporting_year": year,
                            "part_line_count": len(group)}
                    table = to_arrow(group, submission_id, part)
                    # In a database the lines are rows written below, in this transaction: no file, no checksum.
                    part_sha = None if in_database else self._write_parquet(table, self.root / relative)
                    tables.append(table)
                    parts.append((submission_id, org, year, relative.as_posix(), len(group), part_sha))
                db.execute(
                    "INSERT INTO submissions (submission_id, submitted_at, submitted_by, file_name, sha256,"
                    " line_count, status, reference, declaration, warnings) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (submission_id, at, submitted_by, file_name, sha256, len(lines), INITIAL_STATUS, reference,
                     declaration_json, warnings_json),
                )
                db.executemany("INSERT INTO parts (submission_id, organisation_id, reporting_year, path, line_count,"
                               " sha256) VALUES (?, ?, ?, ?, ?, ?)", parts)
                if in_database:
                    for table in tables:
                        db.copy_lines(table, list(range(len(table))))
                db.execute(
                    "INSERT INTO audit_log (at, actor, submission_id, action, status, message)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (at, submitted_by, submission_id, "submit", INITIAL_STATUS, file_name),
                )
                db.execute("DELETE FROM store_info WHERE key = 'sample_data'")
        except (OSError, *self._db.errors) as exc:
            for part in [] if in_database else parts:  # not referenced by anything: remove them, not leave them
                with contextlib.suppress(OSError):
                    (self.root / part[3]).unlink()
            if in_database and self._db.is_disk_full(exc):
                raise StoreFull("store_database_full", database=self._db.describe()) from exc
            if is_disk_full(exc) or self._db.is_disk_full(exc):
                raise StoreFull("store_disk_full") from exc
            raise
        return submission_id

    @staticmethod
    def _refuse_duplicate(db: sqlite3.Connection, sha256: str, body_years: list[tuple[str, str]]) -> None:
        """Raise DuplicateSubmission if a submission not withdrawn has this file for exactly these bodies and years."""
        for r in db.execute("SELECT submission_id, reference FROM submissions"
                            " WHERE sha256 = ? AND status != 'withdrawn' ORDER BY seq", (sha256,)).fetchall():
            covered = sorted((p["organisation_id"], p["reporting_year"]) for p in db.execute(
                "SELECT organisation_id, reporting_year FROM parts WHERE submission_id = ?", (r["submission_id"],)))
            if covered == sorted(body_years):
                raise DuplicateSubmission(r["submission_id"], r["reference"])

    def change_status(self, submission_id: str, status: str, *, actor: str, action: str,
                      from_status: str, message: str | None = None) -> None:
        """Move a submission from ``from_status`` to ``status`` and log ``action`` (a review transition's id).

        Checked and done in one write transaction: if the submission's status is no
        longer ``from_status`` (another reviewer decided first), :class:`StatusChanged`
        is raised and nothing changes. The rules (which moves are allowed, who may make
        them) are :mod:`decarb_dashboard.review`'s.
        """
        if status not in STATUSES:
            raise StoreError("store_unknown_status", status=repr(status), statuses=", ".join(STATUSES))
        with self._write() as db:
            row = db.execute("SELECT status FROM submissions WHERE submission_id = ?", (submission_id,)).fetchone()
            if row is None:
                raise StoreError("store_no_submission", submission=submission_id)
            if row["status"] != from_status:
                raise StatusChanged("store_status_changed", submission=submission_id, status=row["status"],
                                    expected=from_status)
            db.execute("UPDATE submissions SET status = ?, status_message = ? WHERE submission_id = ?",
                       (status, message, submission_id))
            db.execute(
                "INSERT INTO audit_log (at, actor, submission_id, action, status, message) VALUES (?, ?, ?, ?, ?, ?)",
                (_now(), actor, submission_id, action, status, message),
            )

    def set_status(self, submission_id: str, status: str, *, actor: str, message: str | None = None) -> None:
        """Change a submission's review status (queried needs a message) and append it to the audit log.

        A withdrawn submission is final: it stays readable in the history but is
        never current again.
        """
        if status not in STATUSES:
            raise StoreError("store_unknown_status", status=repr(status), statuses=", ".join(STATUSES))
        if status == "queried" and not (message and message.strip()):
            raise StoreError("store_query_needs_message")
        with self._write() as db:
            row = db.execute("SELECT status FROM submissions WHERE submission_id = ?", (submission_id,)).fetchone()
            if row is None:
                raise StoreError("store_no_submission", submission=submission_id)
            if row["status"] == "withdrawn":
                raise StoreError("store_withdrawn", submission=submission_id)
            db.execute("UPDATE submissions SET status = ?, status_message = ? WHERE submission_id = ?",
                       (status, message, submission_id))
            db.execute(
                "INSERT INTO audit_log (at, actor, submission_id, action, status, message) VALUES (?, ?, ?, ?, ?, ?)",
                (_now(), actor, submission_id, "status", status, message),
            )

    # ---- reading -----------------------------------------------------------
    def version(self) -> int:
        """Return a number that grows whenever what the pages show changes (for caches).

        A submission, a status, a part found damaged, a change of the register.
        """
        with self._connect() as db:
            return int(db.execute(_VERSION_SQL).fetchone()[0])

    def is_empty(self) -> bool:
        with self._connect() as db:
            return db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0] == 0

    def current_parts(self, organisation_id: str | None = None, accepted_only: bool = False) -> pd.DataFrame:
        """Return, per body and year (of one body, if given), the current submission and its file (with
        ``accepted_only``, the newest accepted one, as :meth:`current_lines`).

        A body and year whose current file is damaged is left out: see :meth:`unavailable`.
        """
        return self._versioned_parts(organisation_id, accepted_only)[1]

    def unavailable(self) -> list[tuple[str, str, str]]:
        """Return the bodies and years whose current return cannot be read: (organisation_id, reporting_year, reason).

        ``reason`` is one of :data:`UNAVAILABLE_REASONS` ("damaged file", "missing file").
        A new submission for that body and year makes it available again.
        """
        with self._connect() as db:
            rows = db.execute(
                "SELECT l.organisation_id, l.reporting_year, d.reason FROM (" + _LATEST_SQL + ") l"
                " JOIN damaged_parts d ON d.path = l.path ORDER BY l.organisation_id, l.reporting_year").fetchall()
        return [(r[0], r[1], r[2]) for r in rows]

    def current_statuses(self, accepted_only: bool = False) -> pd.DataFrame:
        """Return one row per current return (body and year): its submission, reference and review status.

        Columns :data:`STATUS_COLUMNS`: ``organisation_id, reporting_year, submission_id, reference,
        status, submitted_at, first_submitted_at`` (when the body and year's first submission not
        withdrawn arrived, UTC ISO 8601). The current return is the latest not withdrawn (a damaged
        file keeps its status); with ``accepted_only`` the newest accepted one, as published with
        ``DECARB_PUBLISH=accepted``.
        """
        sql = _STATUSES_SQL.replace("{current}", _ACCEPTED_SQL if accepted_only else _LATEST_SQL) \
            .replace("{first}", _FIRST_SUBMITTED_SQL)
        with self._connect() as db:
            return _frame(db.execute(sql), STATUS_COLUMNS)

    def review_parts(self) -> pd.DataFrame:
        """Return every part that is its body-year's current return or awaits review, with its submission's fields.

        One row per (submission, body, year): ``submission_id, organisation_id, reporting_year,
        reference, status, submitted_at, submitted_by, warnings`` (JSON), ``line_count``,
        ``current`` (the body-year's latest submission not withdrawn) and ``first_submitted_at``
        (of the body-year, as in :meth:`current_statuses`); oldest submission first.
        """
        sql = """
        SELECT p.submission_id, p.organisation_id, p.reporting_year, s.reference, s.status, s.submitted_at,
               s.submitted_by, s.warnings, p.line_count, (l.submission_id IS NOT NULL) AS current,
               f.first_submitted_at
        FROM parts p JOIN submissions s USING (submission_id)
        LEFT JOIN ({latest}) l ON l.submission_id = p.submission_id AND l.organisation_id = p.organisation_id
                                AND l.reporting_year = p.reporting_year
        LEFT JOIN ({first}) f ON f.organisation_id = p.organisation_id AND f.reporting_year = p.reporting_year
        WHERE l.submission_id IS NOT NULL OR s.status = 'submitted'
        ORDER BY s.seq, p.organisation_id, p.reporting_year
        """.replace("{latest}", _LATEST_SQL).replace("{first}", _FIRST_SUBMITTED_SQL)
        with self._connect() as db:
            frame = _frame(db.execute(sql), [
                "submission_id", "organisation_id", "reporting_year", "reference", "status", "submitted_at",
                "submitted_by", "warnings", "line_count", "current", "first_submitted_at"])
        return frame.astype({"current": bool})

    def version_parts(self, accepted_only: bool = False) -> pd.DataFrame:
        """Return every stored version of every body-year's return (one row per part), oldest first per body-year.

        Columns :data:`VERSION_COLUMNS`: the part's ``organisation_id, reporting_year, submission_id, path,
        sha256, line_count``, its submission's ``reference, submitted_at`` (UTC ISO 8601) and ``submission_status``,
        ``version_number`` (its place among the body-year's submissions, withdrawn ones counted, as in its
        reference) and ``version_state``: ``current`` (the body-year's current return, as :meth:`current_lines`
        gives it), ``superseded`` (a later one replaced it) or ``withdrawn``. With ``accepted_only`` (what
        ``DECARB_PUBLISH=accepted`` publishes) only accepted versions, the newest accepted one current.
        A damaged or missing part is left out.
        """
        sql = """
        SELECT v.organisation_id, v.reporting_year, v.submission_id, v.path, v.sha256, v.line_count, v.reference,
               v.submitted_at, v.submission_status, v.version_number,
               CASE WHEN c.submission_id IS NOT NULL THEN 'current'
                    WHEN v.submission_status = 'withdrawn' THEN 'withdrawn' ELSE 'superseded' END AS version_state
        FROM (SELECT p.organisation_id, p.reporting_year, p.submission_id, p.path, p.sha256, p.line_count,
                     s.reference, s.submitted_at, s.status AS submission_status, s.seq,
                     -- numbered among all the body-year's parts, damaged and withdrawn ones too, as its reference is
                     ROW_NUMBER() OVER (PARTITION BY p.organisation_id, p.reporting_year ORDER BY s.seq)
                         AS version_number
              FROM parts p JOIN submissions s USING (submission_id)) v
        LEFT JOIN ({current}) c ON c.submission_id = v.submission_id AND c.organisation_id = v.organisation_id
                                 AND c.reporting_year = v.reporting_year
        WHERE v.path NOT IN (SELECT path FROM damaged_parts) {only}
        ORDER BY v.organisation_id, v.reporting_year, v.seq
        """.replace("{current}", _ACCEPTED_SQL if accepted_only else _CURRENT_SQL) \
            .replace("{only}", "AND v.submission_status = 'accepted'" if accepted_only else "")
        with self._connect() as db:
            return _frame(db.execute(sql), VERSION_COLUMNS)

    def parts_lines(self, parts: pd.DataFrame) -> pd.DataFrame:
        """Return the lines of ``parts`` (rows of :meth:`version_parts`), in their order, each file checked.

        A part found damaged is recorded and left out (see :meth:`unavailable`).
        """
        return from_arrow(self._read_table(parts))

    def _versioned_parts(self, organisation_id: str | None = None,
                         accepted_only: bool = False) -> tuple[int, pd.DataFrame]:
        """Return (version, current parts), read in one transaction so that they agree."""
        where, args = ("AND p.organisation_id = ?", [organisation_id]) if organisation_id is not None else ("", [])
        sql = _newest_parts_sql(_IS_ACCEPTED if accepted_only else _NOT_WITHDRAWN, skip_damaged=True, where=where)
        with self._db.snapshot() as db:
            version = int(db.execute(_VERSION_SQL).fetchone()[0])
            return version, _frame(db.execute(sql + " ORDER BY organisation_id, reporting_year", args), [
                "organisation_id", "reporting_year", "submission_id", "path", "line_count", "sha256", "seq"])

    def previous_version(self, submission_id: str, organisation_id: str, reporting_year: str) -> str | None:
        """Return the submission a body's return for a year had before ``submission_id`` (withdrawn ones skipped)."""
        with self._connect() as db:
            row = db.execute(
                "SELECT s.submission_id FROM parts p JOIN submissions s USING (submission_id)"
                " WHERE p.organisation_id = ? AND p.reporting_year = ? AND s.status != 'withdrawn'"
                "   AND s.seq < (SELECT seq FROM submissions WHERE submission_id = ?)"
                " ORDER BY s.seq DESC LIMIT 1", (organisation_id, reporting_year, submission_id)).fetchone()
        return row["submission_id"] if row else None

    def current_lines(self, organisation_id: str | None = None, reporting_year: str | None = None,
                      accepted_only: bool = False) -> pd.DataFrame:
        """Return the current return lines of every body and year (or of one body, or one year).

        Bodies and years whose file is damaged are left out (and listed by :meth:`unavailable`).
        With ``accepted_only``, each body and year's newest *accepted* submission instead: a
        resubmission awaiting review leaves the accepted one in its place, and a body and year
        with none accepted is left out.
        """
        if organisation_id is None and reporting_year is None and not self._db.lines_in_database:
            return self._current_snapshot(accepted_only)
        parts = self._versioned_parts(organisation_id, accepted_only)[1]
        if reporting_year is not None:
            parts = parts[parts["reporting_year"] == reporting_year]
        return from_arrow(self._read_table(parts))

    def _current_snapshot(self, accepted_only: bool = False) -> pd.DataFrame:
        """All current lines, from one compacted file per store version (written by the first reader after a change).

        Reading one file instead of one per body and year makes every page's first
        read after a submission several times faster; the new file is made from the
        one before plus the parts that changed (each checked against its SHA-256).
        The snapshot is derived data: deleting it loses nothing, a damaged one is
        simply rebuilt from the parts, and one that cannot be written (a full disk)
        is not needed to answer.
        """
        folder = self.root / "snapshots"
        kind = "accepted" if accepted_only else "current"  # the published lines of each setting, apart
        path = folder / f"{kind}-{self.version()}.parquet"
        if path.exists():
            try:
                return from_arrow(pq.read_table(path, schema=LINES_SCHEMA))
            except (OSError, pa.ArrowException):
                pass
        version, parts = self._versioned_parts(accepted_only=accepted_only)
        if parts.empty:
            return from_arrow(LINES_SCHEMA.empty_table())
        # One dictionary and one chunk per column: the Parquet writer and pandas take thousands of parts' chunks,
        # each with its own dictionary, many times slower.
        table = self._snapshot_table(parts, sorted(folder.glob(f"{kind}-*.parquet"))).unify_dictionaries() \
            .combine_chunks()
        path = folder / f"{kind}-{version}.parquet"
        tmp = temporary_name(path)
        try:
            folder.mkdir(exist_ok=True)
            pq.write_table(table, tmp)
            os.replace(tmp, path)  # atomic: a reader sees the whole file or none
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            log.warning("could not write the snapshot %s (%s): answering without it", path, exc)
            return from_arrow(table)
        for old in folder.glob(f"{kind}-*.parquet"):
            if old != path:
                old.unlink(missing_ok=True)  # another process may be reading it: on POSIX it stays readable
        return from_arrow(table)

    def _snapshot_table(self, parts: pd.DataFrame, earlier: list[Path]) -> pa.Table:
        """The current lines in ``parts`` order: unchanged parts from an earlier snapshot, the rest from their files."""
        old = None
        for candidate in reversed(earlier):
            try:
                old = pq.read_table(candidate, schema=LINES_SCHEMA)
                break
            except (OSError, pa.ArrowException):
                continue
        if old is None:
            return self._read_table(parts)
        wanted = (parts["organisation_id"] + "|" + parts["reporting_year"] + "|" + parts["submission_id"]).tolist()
        old_keys = pc.binary_join_element_wise(
            *(old[c].cast(pa.string()) for c in ("organisation_id", "reporting_year", "submission_id")), "|")
        still_current = pc.is_in(old_keys, value_set=pa.array(wanted))
        kept = old.filter(still_current)
        have = set(pc.unique(old_keys.filter(still_current)).to_pylist())
        missing = parts[[key not in have for key in wanted]]
        table = pa.concat_tables([kept, self._read_table(missing)]) if len(missing) else kept
        keys = pc.binary_join_element_wise(
            *(table[c].cast(pa.string()) for c in ("organisation_id", "reporting_year", "submission_id")), "|")
        position = pc.index_in(keys, value_set=pa.array(wanted))
        return table.take(pc.sort_indices(position))  # stable: each part keeps its lines' order

    def read_part(self, relative_path: str, sha256: str | None) -> pa.Table | str:
        """Return one part's lines, or why it cannot be read ("damaged file", "missing file").

        The file's bytes are checked against the SHA-256 the catalogue recorded
        (a catalogue made before checksums has none: then only whether it reads).
        """
        try:
            data = (self.root / relative_path).read_bytes()
        except FileNotFoundError:
            return "missing file"
        except OSError:
            return "damaged file"  # an I/O error reading it
        if sha256 is not None and hashlib.sha256(data).hexdigest() != sha256:
            return "damaged file"
        try:
            return pq.read_table(pa.BufferReader(data), schema=LINES_SCHEMA)
        except (OSError, pa.ArrowException, ValueError):
            return "damaged file"

    def _read_table(self, parts: pd.DataFrame) -> pa.Table:
        """Read and check the files of ``parts`` (columns path, sha256 ...); damaged ones are recorded and left out."""
        if parts.empty:
            return LINES_SCHEMA.empty_table()
        if self._db.lines_in_database:
            return self._db.read_lines(list(parts[["submission_id", "organisation_id", "reporting_year"]]
                                            .itertuples(index=False, name=None)))
        rows = parts[["path", "sha256"]].itertuples(index=False, name=None)
        with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as pool:  # hashing and parsing free the GIL
            read = list(pool.map(lambda row: self.read_part(row[0], None if pd.isna(row[1]) else row[1]), rows))
        damaged = [(path, why) for path, why in zip(parts["path"], read, strict=True) if isinstance(why, str)]
        if damaged:
            self.record_damage(damaged)
        tables = [t for t in read if not isinstance(t, str)]
        return pa.concat_tables(tables) if tables else LINES_SCHEMA.empty_table()

    def record_damage(self, damaged: list[tuple[str, str]]) -> None:
        """Record parts found damaged or missing ((path, reason) pairs): their bodies and years become unavailable.

        A reader records what it found; if even that cannot be written (a full
        disk), the part is still left out of what it returns.
        """
        log.error("damaged parts in %s: %s", self.root, damaged)
        try:
            with self._write() as db:
                for path, reason in damaged:
                    db.execute(
                        "INSERT OR IGNORE INTO damaged_parts (path, submission_id, organisation_id, reporting_year,"
                        " reason, found_at) SELECT path, submission_id, organisation_id, reporting_year, ?, ?"
                        " FROM parts WHERE path = ?", (reason, _now(), path))
        except self._db.errors as exc:
            log.error("could not record the damaged parts: %s", exc)

    def lines(self, submission_id: str, organisation_id: str | None = None,
              reporting_year: str | None = None) -> pd.DataFrame:
        """Return the lines of one submission (any version, withdrawn included)."""
        query = ("SELECT path, sha256, submission_id, organisation_id, reporting_year FROM parts"
                 " WHERE submission_id = ?")
        args: list[str] = [submission_id]
        if organisation_id is not None:
            query += " AND organisation_id = ?"
            args.append(organisation_id)
        if reporting_year is not None:
            query += " AND reporting_year = ?"
            args.append(reporting_year)
        with self._connect() as db:
            parts = pd.DataFrame([dict(r) for r in db.execute(query + " ORDER BY path", args)],
                                 columns=["path", "sha256", "submission_id", "organisation_id", "reporting_year"])
        if parts.empty:
            raise StoreError("store_no_lines", submission=submission_id)
        if self._db.lines_in_database:
            return from_arrow(self._read_table(parts))
        read = [self.read_part(path, sha) for path, sha in zip(parts["path"], parts["sha256"], strict=True)]
        damaged = [(row, why) for row, why in zip(parts.itertuples(), read, strict=True) if isinstance(why, str)]
        if damaged:
            self.record_damage([(row.path, why) for row, why in damaged])
            row, why = damaged[0]
            raise StoreError("store_lines_unavailable", submission=submission_id, org=row.organisation_id,
                             year=row.reporting_year, why=why)
        return from_arrow(pa.concat_tables(read))

    def submission(self, submission_id: str) -> Submission:
        """Return one submission's metadata."""
        found = self._submissions("WHERE s.submission_id = ?", [submission_id])
        if not found:
            raise StoreError("store_no_submission", submission=submission_id)
        return found[0]

    def find(self, id_or_reference: str) -> Submission:
        """Return a submission by its id or its reference (``CARDIFF-2024-25-03``, any case)."""
        found = self._submissions("WHERE s.submission_id = ? OR s.reference = ?",
                                  [id_or_reference, str(id_or_reference).strip().upper()])
        if not found:
            raise StoreError("store_no_submission", submission=id_or_reference)
        return found[0]

    def history(self, organisation_id: str, reporting_year: str | None = None) -> list[Submission]:
        """Return every submission covering a body (and year), oldest first, withdrawn ones included."""
        where = "WHERE s.submission_id IN (SELECT submission_id FROM parts WHERE organisation_id = ?"
        args = [organisation_id]
        if reporting_year is not None:
            where += " AND reporting_year = ?"
            args.append(reporting_year)
        return self._submissions(where + ")", args)

    def submissions(self) -> list[Submission]:
        """Return every submission, oldest first."""
        return self._submissions("", [])

    def _submissions(self, where: str, args: list[str]) -> list[Submission]:
        with self._connect() as db:
            rows = db.execute(
                f"SELECT s.*, {self._db.group_concat('p.organisation_id')} AS orgs,"
                f" {self._db.group_concat('p.reporting_year')} AS years"
                f" FROM submissions s JOIN parts p USING (submission_id) {where}"
                " GROUP BY s.seq ORDER BY s.seq", args).fetchall()
        return [Submission(
            submission_id=r["submission_id"], submitted_at=r["submitted_at"], submitted_by=r["submitted_by"],
            file_name=r["file_name"], sha256=r["sha256"], line_count=r["line_count"], status=r["status"],
            status_message=r["status_message"], organisations=tuple(sorted(r["orgs"].split(","))),
            reporting_years=tuple(sorted(r["years"].split(","))), reference=r["reference"],
            declaration=json.loads(r["declaration"]) if r["declaration"] else None,
            warnings=tuple(json.loads(r["warnings"])) if r["warnings"] else (),
        ) for r in rows]

    # ---- the register of bodies (decarb_dashboard.registry checks and shapes its rows) ----
    def register_version(self) -> int:
        """Return the newest entry of the register's history (0: never changed, the bundled register applies)."""
        with self._connect() as db:
            return int(db.execute("SELECT COALESCE(MAX(entry), 0) FROM register_history").fetchone()[0])

    def register_rows(self) -> list[dict]:
        """Return the register's rows (dicts of the Registry model's columns), by id."""
        with self._connect() as db:
            return [json.loads(r[0]) for r in db.execute('SELECT "row" FROM register ORDER BY id')]

    def change_register(self, row: dict, *, actor: str, action: str, changes: dict,
                        seed_rows: list[dict] | None = None) -> None:
        """Add (``action`` "add") or replace ("edit") one body's row, with its history (who, when, what changed).

        ``seed_rows``: the register as it stood (the bundled one) to copy in first,
        when the store holds none yet; done in the same transaction.
        """
        at = _now()
        with self._write() as db:
            if seed_rows and not db.execute("SELECT 1 FROM register LIMIT 1").fetchone():
                for seed in seed_rows:
                    db.execute("INSERT INTO register VALUES (?, ?)", (seed["id"], json.dumps(seed, ensure_ascii=False)))
                    db.execute("INSERT INTO register_history (at, actor, organisation_id, action, changes)"
                               " VALUES (?, 'bundled register', ?, 'seed', '{}')", (at, seed["id"]))
            exists = db.execute("SELECT 1 FROM register WHERE id = ?", (row["id"],)).fetchone() is not None
            if exists != (action == "edit"):
                raise StoreError("store_body_exists" if exists else "store_no_body", id=row["id"])
            db.execute('INSERT INTO register VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET "row" = excluded."row"',
                       (row["id"], json.dumps(row, ensure_ascii=False)))
            db.execute("INSERT INTO register_history (at, actor, organisation_id, action, changes)"
                       " VALUES (?, ?, ?, ?, ?)",
                       (at, actor, row["id"], action, json.dumps(changes, ensure_ascii=False)))
            db.execute("DELETE FROM store_info WHERE key = 'sample_data'")

    def register_history(self, organisation_id: str | None = None) -> list[dict]:
        """Return the register's changes, oldest first (at, actor, organisation_id, action, {column: [old, new]})."""
        query = "SELECT entry, at, actor, organisation_id, action, changes FROM register_history"
        args = [organisation_id] if organisation_id else []
        with self._connect() as db:
            rows = db.execute(query + (" WHERE organisation_id = ?" if args else "") + " ORDER BY entry", args)
            return [{**dict(r), "changes": json.loads(r["changes"])} for r in rows]

    def audit_log(self, submission_id: str | list[str] | None = None) -> list[dict]:
        """Return the audit log (who, when, what, why), oldest first; of one submission or a list of them."""
        query = "SELECT entry, at, actor, submission_id, action, status, message FROM audit_log"
        args: list[str] = [submission_id] if isinstance(submission_id, str) else list(submission_id or [])
        if submission_id is not None:
            query += f" WHERE submission_id IN ({', '.join('?' * len(args)) or 'NULL'})"
        with self._connect() as db:
            return [dict(r) for r in db.execute(query + " ORDER BY entry", args)]

    def diff(self, old_id: str, new_id: str, organisation_id: str, reporting_year: str) -> pd.DataFrame:
        """Return the lines that differ between two versions of a body's return for a year.

        Lines are matched on category, source and scope; ``change`` is "added",
        "removed" or "changed"; figures of each version are side by side
        (``emissions_tco2e_old``, ``emissions_tco2e_new`` ...).
        """
        key = [k for k in LINE_KEY if k not in ("organisation_id", "reporting_year")]
        values = ["activity_amount", "activity_unit", "emissions_tco2e", "status"]

        def side(sid: str) -> pd.DataFrame:
            frame = self.lines(sid, organisation_id, reporting_year)[key + values]
            return frame.astype({c: object for c in [*key, "activity_unit", "status"]})

        merged = side(old_id).merge(side(new_id), on=key, how="outer", suffixes=("_old", "_new"), indicator=True)
        change = merged["_merge"].map({"left_only": "removed", "right_only": "added", "both": "changed"})
        same = pd.Series(True, index=merged.index)
        for v in values:
            a, b = merged[f"{v}_old"], merged[f"{v}_new"]
            same &= (a == b) | (a.isna() & b.isna())
        merged = merged.assign(change=change)[(change != "changed") | ~same]
        return merged.drop(columns="_merge").sort_values(key, na_position="first").reset_index(drop=True)


def submission_json(s: Submission) -> str:
    """Return a submission's metadata as JSON (for the CLI)."""
    return json.dumps(s.__dict__, ensure_ascii=False)
