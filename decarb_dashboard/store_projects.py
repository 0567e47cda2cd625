"""The store's net zero projects (issue 18): each body's projects submissions, kept as returns are.

A projects submission is one checked projects file (:class:`uploads_schema.projects.ProjectLines`):
its row in ``project_submissions`` (who, when, the file's name and SHA-256) and its projects in
``project_lines``, written in one transaction with an audit entry (so the store's version grows and
every server sees the new projects). Nothing is ever changed or deleted: a body's current projects
are those of the latest submission that has any of its projects; earlier ones are its history.
Both tables are in the database on both backends (migration 0003).
"""

from __future__ import annotations

import hashlib
import math

import pandas as pd

from uploads_schema.projects import PROJECT_COLUMNS, ProjectLines

_LINE_COLUMNS = PROJECT_COLUMNS  # in project_lines after submission_id and line_number

# Per body, the latest projects submission that has projects of it.
_CURRENT_SQL = """
SELECT l.* FROM project_lines l JOIN (
    SELECT l2.organisation_id, MAX(s.seq) AS seq FROM project_lines l2
    JOIN project_submissions s USING (submission_id) GROUP BY l2.organisation_id
) latest ON latest.organisation_id = l.organisation_id
JOIN project_submissions s ON s.submission_id = l.submission_id AND s.seq = latest.seq
"""


def _cell(value: object) -> object:
    """A frame's cell as the database keeps it: NaN and pandas' missing values become NULL."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def _projects_frame(rows: list) -> pd.DataFrame:
    """The projects of ``rows`` in :data:`PROJECT_COLUMNS`: figures float (NaN when not given), text str or None."""
    frame = pd.DataFrame([[r[c] for c in PROJECT_COLUMNS] for r in rows], columns=PROJECT_COLUMNS, dtype=object)
    for name in ("saving_tco2e", "activity_change", "cost_gbp"):
        frame[name] = pd.to_numeric(frame[name], errors="coerce").astype(float)
    return frame


class ProjectsStore:
    """The projects half of :class:`decarb_dashboard.store.SubmissionStore` (a mixin: its ``_write``, ``_connect``)."""

    def submit_projects(self, frame: pd.DataFrame, original: bytes, *, submitted_by: str,
                        file_name: str | None = None) -> str:
        """Store checked projects (one or more bodies') as a new submission and return its reference.

        ``frame`` must satisfy :class:`uploads_schema.projects.ProjectLines`; ``original`` is the file's
        bytes (its SHA-256 is kept). The reference is the first body's id, ``PROJECTS`` and the
        submission's number among that body's projects submissions: ``CARDIFF-PROJECTS-02``.
        The submission becomes the current projects of every body it has projects of.
        """
        from decarb_dashboard.store import StoreError, _new_id, _now

        if not submitted_by or not str(submitted_by).strip():
            raise StoreError("store_needs_submitter")
        try:
            projects = ProjectLines.validate(frame[PROJECT_COLUMNS].astype(object).where(frame.notna(), None))
        except Exception as exc:
            raise StoreError("store_lines_contract", detail=str(exc)) from exc
        if projects.empty:
            raise StoreError("store_needs_line")
        submission_id, at = _new_id(), _now()
        sha256 = hashlib.sha256(original).hexdigest()
        first = sorted(projects["organisation_id"].unique())[0]
        rows = [(submission_id, k, *(_cell(v) for v in values))
                for k, values in enumerate(projects[_LINE_COLUMNS].itertuples(index=False, name=None), start=1)]
        with self._write() as db:
            number = db.execute("SELECT COUNT(DISTINCT submission_id) FROM project_lines WHERE organisation_id = ?",
                                (first,)).fetchone()[0] + 1
            reference = f"{first.upper().replace('_', '-')}-PROJECTS-{number:02d}"
            db.execute("INSERT INTO project_submissions (submission_id, reference, submitted_at, submitted_by,"
                       " file_name, sha256, project_count) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (submission_id, reference, at, submitted_by, file_name, sha256, len(projects)))
            db.executemany(f"INSERT INTO project_lines (submission_id, line_number, {', '.join(_LINE_COLUMNS)})"
                           f" VALUES ({', '.join('?' * (len(_LINE_COLUMNS) + 2))})", rows)
            db.execute("INSERT INTO audit_log (at, actor, submission_id, action, status, message)"
                       " VALUES (?, ?, ?, ?, ?, ?)",
                       (at, submitted_by, submission_id, "submit_projects", "submitted", file_name))
        return reference

    def current_projects(self, organisation_id: str | None = None) -> pd.DataFrame:
        """Return each body's (or one body's) current projects, one row per project, in :data:`PROJECT_COLUMNS`.

        ``saving_tco2e`` tCO2e a year (NaN when given as an activity change), ``activity_change`` a year in
        ``activity_unit``, ``cost_gbp`` GBP (NaN when not given). An empty frame when nothing is stored.
        """
        sql, args = _CURRENT_SQL, ()
        if organisation_id is not None:
            sql, args = sql + " WHERE l.organisation_id = ?", (organisation_id,)
        with self._connect() as db:
            rows = db.execute(sql + " ORDER BY l.organisation_id, l.line_number", args).fetchall()
        return _projects_frame(rows)

    def projects_history(self, organisation_id: str) -> list[dict]:
        """Return a body's projects submissions, oldest first: reference, submission_id, submitted_at,
        submitted_by, file_name, sha256, project_count (the body's), and current (the latest)."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT s.seq, s.reference, s.submission_id, s.submitted_at, s.submitted_by, s.file_name, s.sha256,"
                " COUNT(*) AS project_count FROM project_submissions s JOIN project_lines l USING (submission_id)"
                " WHERE l.organisation_id = ? GROUP BY s.seq, s.reference, s.submission_id, s.submitted_at,"
                " s.submitted_by, s.file_name, s.sha256 ORDER BY s.seq", (organisation_id,)).fetchall()
        out = [{k: r[k] for k in ("reference", "submission_id", "submitted_at", "submitted_by", "file_name",
                                  "sha256", "project_count")} for r in rows]
        for k, entry in enumerate(out):
            entry["current"] = k == len(out) - 1
        return out
