"""Looking after a data directory: check and repair the parts, rebuild a lost catalogue, back up and restore.

The ``decarb store`` commands (documented in ``docs/store.md``) call these.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq

from decarb_dashboard import database, migrations
from decarb_dashboard.store import (
    CATALOGUE,
    LINES_SCHEMA,
    StoreError,
    SubmissionStore,
    _now,
    assign_references,
    file_sha256,
    part_metadata,
    temporary_name,
)

#: A temporary file this old is left over whatever its process id says (no write takes so long).
LEFTOVER_AGE_S = 600.0
#: The SQLite databases of a data directory, copied with SQLite's backup API.
DATABASES = tuple(migrations.SQLITE_FILES.values())
MANIFEST = "backup-manifest.json"


# ---- leftovers -----------------------------------------------------------------
def _writer_gone(path: Path) -> bool:
    """Whether the process named in a temporary file's name (``.name.<pid>-<hex>.tmp``) is no longer running."""
    try:
        pid = int(path.name.rsplit(".", 2)[-2].split("-")[0])
    except (ValueError, IndexError):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def leftovers(root: Path) -> list[Path]:
    """Return the temporary files that no running write will rename: its process is gone, or it is old."""
    found = []
    now = time.time()
    for pattern in ("lines/*/*/.*.tmp", "snapshots/.*.tmp", ".*.tmp"):
        for path in root.glob(pattern):
            with contextlib.suppress(FileNotFoundError):
                if _writer_gone(path) or now - path.stat().st_mtime > LEFTOVER_AGE_S:
                    found.append(path)
    return sorted(found)


def remove_leftovers(root: Path) -> list[Path]:
    """Remove the leftover temporary files of interrupted writes (at start-up); return them."""
    removed = leftovers(root)
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


# ---- check and repair ------------------------------------------------------------
@dataclass
class CheckResult:
    """What ``decarb store check`` found."""

    parts_checked: int = 0
    #: (path, organisation_id, reporting_year, submission_id, reason, current) of each damaged or missing part
    damaged: list[tuple[str, str, str, str, str, bool]] = field(default_factory=list)
    #: files under lines/ that no submission refers to (a submission interrupted before its commit)
    unreferenced: list[str] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.damaged


def check(store: SubmissionStore) -> CheckResult:
    """Read every part of every submission against its SHA-256; record the damaged ones (they become unavailable)."""
    with store._connect() as db:
        rows = db.execute("SELECT path, sha256, organisation_id, reporting_year, submission_id FROM parts"
                          " WHERE path NOT IN (SELECT path FROM damaged_parts WHERE quarantined_at IS NOT NULL)"
                          " ORDER BY path").fetchall()
        quarantined = db.execute("SELECT path, organisation_id, reporting_year, submission_id, reason"
                                 " FROM damaged_parts WHERE quarantined_at IS NOT NULL").fetchall()
    result = CheckResult(parts_checked=len(rows))
    found = []
    for r in rows:
        why = store.read_part(r["path"], r["sha256"])
        if isinstance(why, str):
            found.append((r["path"], why))
            result.damaged.append((r["path"], r["organisation_id"], r["reporting_year"], r["submission_id"], why,
                                   False))
    if found:
        store.record_damage(found)
    result.damaged += [(r["path"], r["organisation_id"], r["reporting_year"], r["submission_id"], r["reason"], False)
                       for r in quarantined]
    unavailable = {(o, y) for o, y, _ in store.unavailable()}
    result.damaged = [(*d[:5], (d[1], d[2]) in unavailable) for d in result.damaged]
    with store._connect() as db:
        referenced = {r[0] for r in db.execute("SELECT path FROM parts")}
    result.unreferenced = sorted(p.relative_to(store.root).as_posix() for p in store.root.glob("lines/*/*/*.parquet")
                                 if p.relative_to(store.root).as_posix() not in referenced)
    result.leftovers = [p.relative_to(store.root).as_posix() for p in leftovers(store.root)]
    return result


def repair(store: SubmissionStore) -> tuple[CheckResult, list[str]]:
    """Check, then move damaged parts into ``quarantine/`` and remove leftover temporary files.

    Returns the check and the paths quarantined. A quarantined part's body and
    year stays unavailable until its body submits that return again (or a
    backup is restored); the file is kept, for whoever wants to look at it.
    """
    result = check(store)
    moved = []
    for path, *_ in result.damaged:
        source = store.root / path
        target = store.root / "quarantine" / path
        if source.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
            moved.append(path)
        with store._write() as db:
            db.execute("UPDATE damaged_parts SET quarantined_at = ? WHERE path = ? AND quarantined_at IS NULL",
                       (_now(), path))
    remove_leftovers(store.root)
    return result, moved


# ---- a lost catalogue ---------------------------------------------------------------
@dataclass
class RebuildResult:
    submissions: int
    parts: int
    #: submission ids left out, and why (an interrupted submission, every file damaged)
    left_out: dict[str, str]
    damaged: list[str]


def rebuild_catalogue(root: Path) -> RebuildResult:
    """Rebuild a lost ``store.sqlite`` from the metadata every part carries.

    A submission whose files are not all there (interrupted before its commit)
    is left out. Review statuses, withdrawals, the register's changes and the
    history of damaged parts lived only in the catalogue: every submission comes
    back "submitted" (restore a backup to keep them). The new catalogue is
    written under a temporary name and renamed when complete.
    """
    if (root / CATALOGUE).exists():
        raise StoreError("store_catalogue_exists", path=root / CATALOGUE)
    by_submission: dict[str, dict] = {}
    files: dict[str, dict[tuple[str, str], Path]] = {}
    described: dict[str, dict[tuple[str, str], dict]] = {}  # each part's own metadata, where readable
    for path in sorted(root.glob("lines/*/*/*.parquet")):
        org, year, sid = path.parent.parent.name, path.parent.name, path.stem
        files.setdefault(sid, {})[(org, year)] = path
        meta = part_metadata(path)
        if meta is not None and meta.get("submission_id") == sid:
            by_submission.setdefault(sid, meta)
            described.setdefault(sid, {})[(org, year)] = meta
    left_out = {sid: "no readable file of it says what it is" for sid in files if sid not in by_submission}
    tmp = temporary_name(root / CATALOGUE)
    submissions = parts = 0
    damaged = []
    try:
        migrations.upgrade(f"sqlite:///{tmp}", "store")  # the tables, as the store makes them
        with database.connect(tmp) as db:
            db.execute("BEGIN")
            for sid in sorted(by_submission):  # ids sort by time: the order they were made in
                meta = by_submission[sid]
                expected = _expected_parts(meta, described[sid], set(files[sid]))
                if expected is None:
                    left_out[sid] = "interrupted: not all of its files were written"
                    continue
                declaration = meta.get("declaration")
                db.execute("INSERT INTO submissions (submission_id, submitted_at, submitted_by, file_name, sha256,"
                           " line_count, status, reference, declaration, warnings)"
                           " VALUES (?, ?, ?, ?, ?, ?, 'submitted', ?, ?, ?)",
                           (sid, meta["submitted_at"], meta["submitted_by"], meta["file_name"], meta["sha256"],
                            meta["line_count"], meta.get("reference"),
                            None if declaration is None else json.dumps(declaration, ensure_ascii=False),
                            json.dumps(meta.get("warnings") or [], ensure_ascii=False)))
                for (org, year), n in expected.items():
                    path = files[sid][(org, year)]
                    relative = path.relative_to(root).as_posix()
                    try:
                        readable = pq.read_table(path, schema=LINES_SCHEMA).num_rows == n
                    except Exception:  # any failure to read it is damage
                        readable = False
                    db.execute("INSERT INTO parts (submission_id, organisation_id, reporting_year, path, line_count,"
                               " sha256) VALUES (?, ?, ?, ?, ?, ?)",
                               (sid, org, year, relative, n, file_sha256(path) if readable else None))
                    if not readable:
                        damaged.append(relative)
                        db.execute("INSERT INTO damaged_parts (path, submission_id, organisation_id, reporting_year,"
                                   " reason, found_at) VALUES (?, ?, ?, ?, 'damaged file', ?)",
                                   (relative, sid, org, year, _now()))
                    parts += 1
                db.execute("INSERT INTO audit_log (at, actor, submission_id, action, status, message)"
                           " VALUES (?, ?, ?, 'submit', 'submitted', ?)",
                           (meta["submitted_at"], meta["submitted_by"], sid, meta["file_name"]))
                submissions += 1
            assign_references(db.execute)  # for parts written before submissions had references
            db.execute("COMMIT")
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        os.replace(tmp, root / CATALOGUE)
    finally:
        for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            leftover.unlink(missing_ok=True)
    return RebuildResult(submissions, parts, left_out, damaged)


def _expected_parts(meta: dict, described: dict[tuple[str, str], dict],
                    found: set[tuple[str, str]]) -> dict[tuple[str, str], int] | None:
    """Return {(body, year): line count} of every part of a submission, or None if not all its files are there.

    A part written since parts stopped listing each other says its own line count and how many parts the
    submission has (``part_count``); one written before lists them all (``parts``). A file whose metadata
    cannot be read is counted by what the others leave: the submission's lines not in a readable part (exact
    when it is the only one; when several are unreadable they are damaged and their lines are not known, 0).
    """
    if "parts" in meta:  # a part written before: the whole list, in every part
        expected = {(o, y): int(n) for o, y, n in meta["parts"]}
        return expected if set(expected) == found else None
    if len(found) != int(meta["part_count"]):
        return None
    known = {key: int(m["part_line_count"]) for key, m in described.items()}
    unknown = sorted(found - set(known))
    rest = int(meta["line_count"]) - sum(known.values())
    return known | {key: rest if len(unknown) == 1 else 0 for key in unknown}


# ---- backup and restore ---------------------------------------------------------------
def _sqlite_copy(source: Path, target: Path) -> None:
    """Copy a live SQLite database consistently with SQLite's backup API."""
    with database.connect(source) as src:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()


def backup(store: SubmissionStore, target: Path) -> dict:
    """Copy the data directory to ``target`` (which must not exist) while the app runs; return the manifest.

    The catalogue is copied first, in one consistent step (SQLite's backup API);
    then every part it refers to (parts never change once written, so a
    submission arriving meanwhile is simply not in the backup). Accounts and
    the other files of the directory (an imported factor table, registry.csv) are
    copied too. The copy is made beside ``target`` and renamed when complete,
    with a manifest of every file's SHA-256 that ``restore`` checks.
    """
    if target.exists():
        raise StoreError("store_backup_exists", target=target)
    work = target.with_name(f".{target.name}.{os.getpid()}-backup.tmp")
    shutil.rmtree(work, ignore_errors=True)
    try:
        work.mkdir(parents=True)
        files = []
        for name in DATABASES:
            if (store.root / name).exists():
                _sqlite_copy(store.root / name, work / name)
                files.append(name)
        with database.connect(work / CATALOGUE) as db:
            paths = [r[0] for r in db.execute("SELECT path FROM parts WHERE path NOT IN"
                                              " (SELECT path FROM damaged_parts WHERE quarantined_at IS NOT NULL)")]
            version = int(db.execute("SELECT COALESCE(MAX(entry), 0) FROM audit_log").fetchone()[0])
        for relative in paths:
            (work / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(store.root / relative, work / relative)
            files.append(relative)
        for extra in sorted(store.root.iterdir()):
            if extra.is_file() and not extra.name.startswith(".") and not extra.name.startswith(DATABASES):
                shutil.copy2(extra, work / extra.name)
                files.append(extra.name)
        manifest = {"made_at": _now(), "source": str(store.root), "audit_log_entries": version,
                    "files": {name: file_sha256(work / name) for name in files}}
        (work / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        os.replace(work, target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return manifest


def restore(source: Path, target: Path) -> dict:
    """Restore a backup into ``target``, a data directory that must be empty or not exist; return the manifest.

    Every file is checked against the manifest first; nothing is written to
    ``target`` unless all of them match. The copy is made beside ``target`` and
    renamed into place.
    """
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StoreError("store_not_a_backup", source=source, manifest=MANIFEST) from exc
    if target.exists() and any(target.iterdir()):
        raise StoreError("store_restore_not_empty", target=target)
    bad = [name for name, sha in manifest["files"].items()
           if not (source / name).is_file() or file_sha256(source / name) != sha]
    if bad:
        raise StoreError("store_backup_damaged", count=len(bad), example=bad[0])
    work = target.with_name(f".{target.name}.{os.getpid()}-restore.tmp")
    shutil.rmtree(work, ignore_errors=True)
    try:
        for name in manifest["files"]:
            (work / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / name, work / name)
        if target.exists():
            target.rmdir()
        os.replace(work, target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return manifest
