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
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import secrets
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads
import pyarrow.parquet as pq

from decarb_dashboard import config, database
from uploads_schema.models import LINE_KEY, ReturnLines

STATUSES = ("submitted", "queried", "accepted", "withdrawn")
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

_SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS submissions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    submission_id TEXT NOT NULL UNIQUE,
    submitted_at TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    file_name TEXT,
    sha256 TEXT NOT NULL,
    line_count INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('submitted', 'queried', 'accepted', 'withdrawn')),
    status_message TEXT
);
CREATE TABLE IF NOT EXISTS parts (
    submission_id TEXT NOT NULL REFERENCES submissions(submission_id),
    organisation_id TEXT NOT NULL,
    reporting_year TEXT NOT NULL,
    path TEXT NOT NULL,
    line_count INTEGER NOT NULL,
    PRIMARY KEY (submission_id, organisation_id, reporting_year)
);
CREATE INDEX IF NOT EXISTS parts_by_return ON parts (organisation_id, reporting_year);
CREATE TABLE IF NOT EXISTS audit_log (
    entry INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    submission_id TEXT NOT NULL,
    action TEXT NOT NULL,
    status TEXT NOT NULL,
    message TEXT
);
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""

# The current part of each body and year: its latest submission not withdrawn.
_CURRENT_SQL = """
SELECT p.organisation_id, p.reporting_year, p.submission_id, p.path, p.line_count, s.seq
FROM parts p JOIN submissions s USING (submission_id)
WHERE s.status != 'withdrawn'
  AND s.seq = (SELECT MAX(s2.seq) FROM parts p2 JOIN submissions s2 USING (submission_id)
               WHERE p2.organisation_id = p.organisation_id AND p2.reporting_year = p.reporting_year
                 AND s2.status != 'withdrawn')
"""


class StoreError(Exception):
    """A request the store refuses (unknown submission, a change of a withdrawn one, bad lines)."""


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


def to_arrow(lines: pd.DataFrame, submission_id: str) -> pa.Table:
    """Return validated lines as an Arrow table in the store's schema."""
    frame = lines.assign(submission_id=submission_id)[LINES_SCHEMA.names]
    return pa.Table.from_pandas(frame, schema=LINES_SCHEMA, preserve_index=False)


def from_arrow(table: pa.Table) -> pd.DataFrame:
    """Return stored lines as a DataFrame: text columns categorical, scope nullable integer."""
    frame = table.to_pandas()
    frame["scope"] = frame["scope"].astype("Int64")
    frame["row"] = frame["row"].astype("int64")
    return frame


class SubmissionStore:
    """Versioned, crash-safe storage of validated returns in a data directory.

    Parameters
    ----------
    data_dir
        Where the store lives (created on first use); default ``$DECARB_DATA_DIR``.
    durable
        fsync every file and commit (the default). Benchmarks that only build
        a store to read it may turn this off.
    """

    def __init__(self, data_dir: Path | str | None = None, durable: bool = True) -> None:
        self.root = Path(data_dir) if data_dir is not None else config.data_dir()
        self.durable = durable
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "lines").mkdir(exist_ok=True)
        database.create_once(self.root / "store.sqlite", _SCHEMA_SQL, "audit_log_no_delete")

    # ---- plumbing ----------------------------------------------------------
    def _connect(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        return database.connect(self.root / "store.sqlite", durable=self.durable)

    def _write(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """A write transaction: BEGIN IMMEDIATE takes the store's write lock at once."""
        return database.transaction(self.root / "store.sqlite", durable=self.durable)

    def _write_parquet(self, table: pa.Table, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        with open(tmp, "wb") as f:
            pq.write_table(table, f, compression="zstd")
            f.flush()
            if self.durable:
                os.fsync(f.fileno())
        os.replace(tmp, path)
        if self.durable:
            _fsync_dir(path.parent)

    # ---- writing -----------------------------------------------------------
    def submit(self, lines: pd.DataFrame, original: bytes, *, submitted_by: str,
               file_name: str | None = None) -> str:
        """Store validated return lines and return the new submission id.

        ``lines`` must satisfy :class:`uploads_schema.models.ReturnLines`;
        ``original`` is the uploaded file's bytes (its SHA-256 is recorded).
        The new submission becomes the current return of every body and year it covers.
        """
        if not submitted_by or not str(submitted_by).strip():
            raise StoreError("a submission needs the name of who submitted it")
        try:
            lines = ReturnLines.validate(lines)
        except Exception as exc:
            raise StoreError(f"the lines do not satisfy the ReturnLines contract: {exc}") from exc
        if lines.empty:
            raise StoreError("a submission needs at least one line")
        submission_id = _new_id()
        parts = []
        for (org, year), group in lines.groupby(["organisation_id", "reporting_year"], observed=True, sort=True):
            relative = Path("lines") / str(org) / str(year) / f"{submission_id}.parquet"
            self._write_parquet(to_arrow(group, submission_id), self.root / relative)
            parts.append((submission_id, str(org), str(year), relative.as_posix(), len(group)))
        at = _now()
        with self._write() as db:
            db.execute(
                "INSERT INTO submissions (submission_id, submitted_at, submitted_by, file_name, sha256, line_count,"
                " status) VALUES (?, ?, ?, ?, ?, ?, 'submitted')",
                (submission_id, at, submitted_by, file_name, hashlib.sha256(original).hexdigest(), len(lines)),
            )
            db.executemany("INSERT INTO parts VALUES (?, ?, ?, ?, ?)", parts)
            db.execute(
                "INSERT INTO audit_log (at, actor, submission_id, action, status, message) VALUES (?, ?, ?, ?, ?, ?)",
                (at, submitted_by, submission_id, "submit", "submitted", file_name),
            )
        return submission_id

    def set_status(self, submission_id: str, status: str, *, actor: str, message: str | None = None) -> None:
        """Change a submission's review status (queried needs a message) and append it to the audit log.

        A withdrawn submission is final: it stays readable in the history but is
        never current again.
        """
        if status not in STATUSES:
            raise StoreError(f"unknown status {status!r}; use one of {', '.join(STATUSES)}")
        if status == "queried" and not (message and message.strip()):
            raise StoreError("a query needs a message for the submitter")
        with self._write() as db:
            row = db.execute("SELECT status FROM submissions WHERE submission_id = ?", (submission_id,)).fetchone()
            if row is None:
                raise StoreError(f"no submission {submission_id}")
            if row["status"] == "withdrawn":
                raise StoreError(f"submission {submission_id} was withdrawn; submit a new return instead")
            db.execute("UPDATE submissions SET status = ?, status_message = ? WHERE submission_id = ?",
                       (status, message, submission_id))
            db.execute(
                "INSERT INTO audit_log (at, actor, submission_id, action, status, message) VALUES (?, ?, ?, ?, ?, ?)",
                (_now(), actor, submission_id, "status", status, message),
            )

    # ---- reading -----------------------------------------------------------
    def version(self) -> int:
        """Return a number that changes whenever a submission or a status lands (for caches)."""
        with self._connect() as db:
            return int(db.execute("SELECT COALESCE(MAX(entry), 0) FROM audit_log").fetchone()[0])

    def is_empty(self) -> bool:
        with self._connect() as db:
            return db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0] == 0

    def current_parts(self, organisation_id: str | None = None) -> pd.DataFrame:
        """Return, per body and year (of one body, if given), the current submission and its file."""
        return self._versioned_parts(organisation_id)[1]

    def _versioned_parts(self, organisation_id: str | None = None) -> tuple[int, pd.DataFrame]:
        """Return (version, current parts), read in one transaction so that they agree."""
        where, args = (" AND p.organisation_id = ?", [organisation_id]) if organisation_id is not None else ("", [])
        with self._connect() as db:
            db.execute("BEGIN")
            version = int(db.execute("SELECT COALESCE(MAX(entry), 0) FROM audit_log").fetchone()[0])
            rows = db.execute(_CURRENT_SQL + where + " ORDER BY p.organisation_id, p.reporting_year", args).fetchall()
            db.execute("COMMIT")
        return version, pd.DataFrame([dict(r) for r in rows], columns=[
            "organisation_id", "reporting_year", "submission_id", "path", "line_count", "seq"])

    def previous_version(self, submission_id: str, organisation_id: str, reporting_year: str) -> str | None:
        """Return the submission a body's return for a year had before ``submission_id`` (withdrawn ones skipped)."""
        with self._connect() as db:
            row = db.execute(
                "SELECT s.submission_id FROM parts p JOIN submissions s USING (submission_id)"
                " WHERE p.organisation_id = ? AND p.reporting_year = ? AND s.status != 'withdrawn'"
                "   AND s.seq < (SELECT seq FROM submissions WHERE submission_id = ?)"
                " ORDER BY s.seq DESC LIMIT 1", (organisation_id, reporting_year, submission_id)).fetchone()
        return row["submission_id"] if row else None

    def current_lines(self, organisation_id: str | None = None, reporting_year: str | None = None) -> pd.DataFrame:
        """Return the current return lines of every body and year (or of one body, or one year)."""
        if organisation_id is None and reporting_year is None:
            return self._current_snapshot()
        parts = self.current_parts(organisation_id)
        if reporting_year is not None:
            parts = parts[parts["reporting_year"] == reporting_year]
        return self._read(parts["path"].tolist())

    def _current_snapshot(self) -> pd.DataFrame:
        """All current lines, from one compacted file per store version (written by the first reader after a change).

        Reading one file instead of one per body and year makes every page's first
        read after a submission several times faster; the new file is made from the
        one before plus the parts that changed. The snapshot is derived data: deleting
        it loses nothing, and a damaged one is simply rebuilt from the parts.
        """
        folder = self.root / "snapshots"
        path = folder / f"current-{self.version()}.parquet"
        if path.exists():
            try:
                return from_arrow(pq.read_table(path, schema=LINES_SCHEMA))
            except (OSError, pa.ArrowException):
                pass
        version, parts = self._versioned_parts()
        if parts.empty:
            return from_arrow(LINES_SCHEMA.empty_table())
        table = self._snapshot_table(parts, sorted(folder.glob("current-*.parquet")))
        path = folder / f"current-{version}.parquet"
        folder.mkdir(exist_ok=True)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        pq.write_table(table, tmp)
        os.replace(tmp, path)  # atomic: a reader sees the whole file or none
        for old in folder.glob("current-*.parquet"):
            if old != path:
                old.unlink(missing_ok=True)  # another process may be reading it: on POSIX it stays readable
        return from_arrow(table)

    def _snapshot_table(self, parts: pd.DataFrame, earlier: list[Path]) -> pa.Table:
        """The current lines in ``parts`` order: unchanged parts from an earlier snapshot, the rest from their files."""
        wanted = (parts["organisation_id"] + "|" + parts["reporting_year"] + "|" + parts["submission_id"]).tolist()
        old = None
        for candidate in reversed(earlier):
            try:
                old = pq.read_table(candidate, schema=LINES_SCHEMA)
                break
            except (OSError, pa.ArrowException):
                continue
        if old is None:
            return self._read_table(parts["path"].tolist())
        old_keys = pc.binary_join_element_wise(
            *(old[c].cast(pa.string()) for c in ("organisation_id", "reporting_year", "submission_id")), "|")
        still_current = pc.is_in(old_keys, value_set=pa.array(wanted))
        kept = old.filter(still_current)
        have = set(pc.unique(old_keys.filter(still_current)).to_pylist())
        missing = [p for key, p in zip(wanted, parts["path"], strict=True) if key not in have]
        table = pa.concat_tables([kept, self._read_table(missing)]) if missing else kept
        keys = pc.binary_join_element_wise(
            *(table[c].cast(pa.string()) for c in ("organisation_id", "reporting_year", "submission_id")), "|")
        position = pc.index_in(keys, value_set=pa.array(wanted))
        return table.take(pc.sort_indices(position))  # stable: each part keeps its lines' order

    def _read_table(self, relative_paths: list[str]) -> pa.Table:
        paths = [str(self.root / p) for p in relative_paths]
        return pads.dataset(paths, format="parquet", schema=LINES_SCHEMA).to_table()

    def _read(self, relative_paths: list[str]) -> pd.DataFrame:
        if not relative_paths:
            return from_arrow(LINES_SCHEMA.empty_table())
        return from_arrow(self._read_table(relative_paths))

    def lines(self, submission_id: str, organisation_id: str | None = None,
              reporting_year: str | None = None) -> pd.DataFrame:
        """Return the lines of one submission (any version, withdrawn included)."""
        query = "SELECT path FROM parts WHERE submission_id = ?"
        args: list[str] = [submission_id]
        if organisation_id is not None:
            query += " AND organisation_id = ?"
            args.append(organisation_id)
        if reporting_year is not None:
            query += " AND reporting_year = ?"
            args.append(reporting_year)
        with self._connect() as db:
            paths = [r["path"] for r in db.execute(query + " ORDER BY path", args)]
        if not paths:
            raise StoreError(f"no lines of submission {submission_id} for that body and year")
        return self._read(paths)

    def submission(self, submission_id: str) -> Submission:
        """Return one submission's metadata."""
        found = self._submissions("WHERE s.submission_id = ?", [submission_id])
        if not found:
            raise StoreError(f"no submission {submission_id}")
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
                "SELECT s.*, GROUP_CONCAT(DISTINCT p.organisation_id) AS orgs,"
                " GROUP_CONCAT(DISTINCT p.reporting_year) AS years"
                f" FROM submissions s JOIN parts p USING (submission_id) {where}"
                " GROUP BY s.seq ORDER BY s.seq", args).fetchall()
        return [Submission(
            submission_id=r["submission_id"], submitted_at=r["submitted_at"], submitted_by=r["submitted_by"],
            file_name=r["file_name"], sha256=r["sha256"], line_count=r["line_count"], status=r["status"],
            status_message=r["status_message"], organisations=tuple(sorted(r["orgs"].split(","))),
            reporting_years=tuple(sorted(r["years"].split(","))),
        ) for r in rows]

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
