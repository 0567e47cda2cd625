"""The e-mail outbox of the review cycle's notifications and password reset links (:mod:`decarb_dashboard.notify`).

On SQLite it is in ``store.sqlite``, where the outbox made it itself before the migrations did: a
catalogue that has it keeps it and every message in it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

from decarb_dashboard.migrations import tables
from decarb_dashboard.notify import OUTBOX_STATUSES

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TEXT = sa.Text()


def upgrade() -> None:
    tables.create_or_complete([("mail_outbox", [
        tables.entry(),
        sa.Column("created_at", TEXT, nullable=False),
        sa.Column("event", TEXT, nullable=False),
        sa.Column("submission_id", TEXT, nullable=False),
        sa.Column("reference", TEXT, nullable=False),
        sa.Column("username", TEXT, nullable=False),
        sa.Column("recipient", TEXT, nullable=False),
        sa.Column("languages", TEXT, nullable=False, comment="the languages of the message, in order: 'cy,en'"),
        sa.Column("subject", TEXT, nullable=False),
        sa.Column("body", TEXT, nullable=False),
        sa.Column("status", TEXT, sa.CheckConstraint(f"status IN ({tables.quoted(OUTBOX_STATUSES)})"), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.Double, nullable=False),
        sa.Column("claimed_by", TEXT),
        sa.Column("claimed_until", sa.Double),
        sa.Column("last_error", TEXT),
        sa.Column("sent_at", TEXT),
    ], tables.AUTOINCREMENT)])
    op.create_index("mail_outbox_due", "mail_outbox", ["status", "next_attempt_at"], if_not_exists=True)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":  # SQLite: kept, with its messages (the old outbox made it too)
        op.drop_table("mail_outbox")
