"""The net zero projects (issue 18, :mod:`decarb_dashboard.store_projects`): each projects submission and its
lines, on both backends in the database (a body's projects are a few dozen rows, so SQLite keeps them in
``store.sqlite``, not in Parquet files). Both tables are append-only: a new submission is a new version,
the latest per body is current.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

from decarb_dashboard.migrations import tables

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TEXT = sa.Text()


def _tables() -> list[tuple[str, list, dict]]:
    return [
        ("project_submissions", [
            tables.entry("seq"),
            sa.Column("submission_id", TEXT, nullable=False, unique=True),
            sa.Column("reference", TEXT, nullable=False, unique=True),
            sa.Column("submitted_at", TEXT, nullable=False),
            sa.Column("submitted_by", TEXT, nullable=False),
            sa.Column("file_name", TEXT),
            sa.Column("sha256", TEXT, nullable=False),
            sa.Column("project_count", sa.Integer, nullable=False),
        ], tables.AUTOINCREMENT),
        ("project_lines", [
            sa.Column("submission_id", TEXT, sa.ForeignKey("project_submissions.submission_id"), nullable=False),
            sa.Column("line_number", sa.Integer, nullable=False),
            sa.Column("organisation_id", TEXT, nullable=False),
            sa.Column("project", TEXT, nullable=False),
            sa.Column("category", TEXT, nullable=False),
            sa.Column("source", TEXT),
            sa.Column("status", TEXT, nullable=False),
            sa.Column("start_year", TEXT, nullable=False),
            sa.Column("saving_tco2e", sa.Double, comment="tonnes CO2e a year"),
            sa.Column("activity_change", sa.Double, comment="a year, in activity_unit"),
            sa.Column("activity_unit", TEXT),
            sa.Column("cost_gbp", sa.Double),
            sa.Column("notes", TEXT),
            sa.PrimaryKeyConstraint("submission_id", "line_number"),
        ], {}),
    ]


def upgrade() -> None:
    tables.create_or_complete(_tables())
    op.create_index("project_lines_by_body", "project_lines", ["organisation_id", "submission_id"],
                    if_not_exists=True)
    tables.append_only("project_submissions", "the projects submissions")
    tables.append_only("project_lines", "the stored projects")


def downgrade() -> None:
    for name, _columns, _options in reversed(_tables()):
        op.drop_table(name)
