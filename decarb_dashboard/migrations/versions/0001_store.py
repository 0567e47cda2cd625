"""The store's tables: submissions, parts, the lines (PostgreSQL only), the audit log, damaged parts, the
register and its history, store_info.

On SQLite the lines stay in Parquet files beside ``store.sqlite``. A catalogue made before the
migrations existed (by decarb-dashboard's own DDL, unstamped, perhaps of an older version without
``parts.sha256`` or the submissions' ``reference``, ``declaration`` and ``warnings``) is brought up to
this revision in place: the tables and columns it lacks are added, every submission without a
reference gets one (:func:`decarb_dashboard.store.assign_references`), and references are made unique.
The append-only tables refuse UPDATE and DELETE (and, on PostgreSQL, TRUNCATE).

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

from decarb_dashboard.migrations import tables
from decarb_dashboard.store import STATUSES, UNAVAILABLE_REASONS, assign_references

revision = "0001"
down_revision = None
branch_labels = ("store",)
depends_on = None

TEXT, NAME = sa.Text(), tables.name


def _tables(postgres: bool) -> list[tuple[str, list, dict]]:
    """(name, columns and constraints, table options) of each table, in the order they are made."""
    made = [
        ("submissions", [
            tables.entry("seq"),
            sa.Column("submission_id", TEXT, nullable=False, unique=True),
            sa.Column("submitted_at", TEXT, nullable=False),
            sa.Column("submitted_by", TEXT, nullable=False),
            sa.Column("file_name", TEXT),
            sa.Column("sha256", TEXT, nullable=False),
            sa.Column("line_count", sa.Integer, nullable=False),
            sa.Column("status", TEXT, sa.CheckConstraint(f"status IN ({tables.quoted(STATUSES)})"), nullable=False),
            sa.Column("status_message", TEXT),
            sa.Column("reference", TEXT),
            sa.Column("declaration", TEXT),
            sa.Column("warnings", TEXT),
        ], tables.AUTOINCREMENT),
        ("parts", [
            sa.Column("submission_id", TEXT, sa.ForeignKey("submissions.submission_id"), nullable=False),
            sa.Column("organisation_id", TEXT, nullable=False),
            sa.Column("reporting_year", TEXT, nullable=False),
            sa.Column("path", TEXT, nullable=False, unique=True),
            sa.Column("line_count", sa.Integer, nullable=False),
            sa.Column("sha256", TEXT),
            sa.PrimaryKeyConstraint("submission_id", "organisation_id", "reporting_year"),
        ], {}),
        ("audit_log", [
            tables.entry(),
            sa.Column("at", TEXT, nullable=False),
            sa.Column("actor", TEXT, nullable=False),
            sa.Column("submission_id", TEXT, nullable=False),
            sa.Column("action", TEXT, nullable=False),
            sa.Column("status", TEXT, nullable=False),
            sa.Column("message", TEXT),
        ], tables.AUTOINCREMENT),
        ("store_info", [
            sa.Column("key", TEXT, primary_key=True),
            sa.Column("value", TEXT, nullable=False),
        ], {}),
        ("damaged_parts", [
            tables.entry(),
            sa.Column("path", TEXT, nullable=False, unique=True),
            sa.Column("submission_id", TEXT, nullable=False),
            sa.Column("organisation_id", TEXT, nullable=False),
            sa.Column("reporting_year", TEXT, nullable=False),
            sa.Column("reason", TEXT, sa.CheckConstraint(f"reason IN ({tables.quoted(UNAVAILABLE_REASONS)})"),
                      nullable=False),
            sa.Column("found_at", TEXT, nullable=False),
            sa.Column("quarantined_at", TEXT),
        ], tables.AUTOINCREMENT),
        ("register", [
            sa.Column("id", TEXT, primary_key=True),
            sa.Column(NAME("row"), TEXT, nullable=False),
        ], {}),
        ("register_history", [
            tables.entry(),
            sa.Column("at", TEXT, nullable=False),
            sa.Column("actor", TEXT, nullable=False),
            sa.Column("organisation_id", TEXT, nullable=False),
            sa.Column("action", TEXT, sa.CheckConstraint("action IN ('seed', 'add', 'edit')"), nullable=False),
            sa.Column("changes", TEXT, nullable=False),
        ], tables.AUTOINCREMENT),
    ]
    if postgres:  # on SQLite the lines are Parquet files
        made.append(("lines", [
            sa.Column("submission_id", TEXT, nullable=False),
            sa.Column("organisation_id", TEXT, nullable=False),
            sa.Column("reporting_year", TEXT, nullable=False),
            sa.Column("line_number", sa.Integer, nullable=False),
            sa.Column("category", TEXT),
            sa.Column("source", TEXT),
            sa.Column("scope", sa.SmallInteger),
            sa.Column("activity_amount", sa.Double),
            sa.Column("activity_unit", TEXT),
            sa.Column("emissions_tco2e", sa.Double),
            sa.Column("status", TEXT),
            sa.Column("method", TEXT),
            sa.Column("notes", TEXT),
            sa.Column(NAME("row"), sa.Integer, nullable=False),
            sa.PrimaryKeyConstraint("submission_id", "organisation_id", "reporting_year", "line_number"),
            sa.ForeignKeyConstraint(["submission_id", "organisation_id", "reporting_year"],
                                    ["parts.submission_id", "parts.organisation_id", "parts.reporting_year"]),
        ], {}))
    return made


INDEXES = (("parts_by_return", "parts", ["organisation_id", "reporting_year"], False),
           ("audit_log_by_submission", "audit_log", ["submission_id"], False),
           ("submissions_by_sha256", "submissions", ["sha256"], False),
           # made last, once every submission has its reference
           ("submissions_by_reference", "submissions", ["reference"], True))
#: The append-only tables and what their refusal calls them.
APPEND_ONLY = {"audit_log": "the audit log", "register_history": "the register history",
               "lines": "the stored lines"}


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    made = tables.create_or_complete(_tables(postgres))
    if "submissions" not in made:  # a catalogue of an older version: references for what it holds
        bind = op.get_bind()
        assign_references(lambda sql, args=(): bind.exec_driver_sql(sql, tuple(args)))
    for name, table, columns, unique in INDEXES:
        op.create_index(name, table, columns, unique=unique, if_not_exists=True)
    for table, name in APPEND_ONLY.items():
        if postgres or table != "lines":
            tables.append_only(table, name)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite: the catalogue is its data directory's; going below it would lose every submission
    for name, _columns, _options in reversed(_tables(True)):
        op.drop_table(name)
