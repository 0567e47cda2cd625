"""The accounts' tables (:mod:`decarb_dashboard.accounts`): accounts and their bodies, sessions, the sign-in
throttle, password reset links and the append-only accounts audit.

On SQLite they are ``accounts.sqlite``. One made by an older version's own DDL (unstamped) is brought
up to this revision in place, keeping every row: the tables it lacks are made, ``accounts`` gains
``email`` and ``language`` where it has not them, and the long-unused ``sign_in_failures`` goes.

Revision ID: a0001
Revises:
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

from decarb_dashboard.migrations import tables

revision = "a0001"
down_revision = None
branch_labels = ("accounts",)
depends_on = None

TEXT = sa.Text()
ROLES = ("submitter", "reviewer", "admin")


def _tables() -> list[tuple[str, list, dict]]:
    account = "accounts.username"
    return [
        ("accounts", [
            sa.Column("username", TEXT, primary_key=True),
            sa.Column("display_name", TEXT, nullable=False),
            sa.Column("role", TEXT, sa.CheckConstraint(f"role IN ({tables.quoted(ROLES)})"), nullable=False),
            sa.Column("password_hash", TEXT, nullable=False),
            sa.Column("disabled", sa.Integer, nullable=False, server_default="0"),
            # bumped when the password changes or the account is disabled: older sessions end
            sa.Column("session_epoch", sa.Integer, nullable=False, server_default="0"),
            sa.Column("created_at", TEXT, nullable=False),
            # where notifications go (NULL: none) and in which language ('': every language, Welsh first)
            sa.Column("email", TEXT),
            sa.Column("language", TEXT, nullable=False, server_default=""),
        ], {}),
        ("account_bodies", [
            sa.Column("username", TEXT, sa.ForeignKey(account), nullable=False),
            sa.Column("organisation_id", TEXT, nullable=False),
            sa.PrimaryKeyConstraint("username", "organisation_id"),
        ], {}),
        # a signed-in session: the cookie holds the token, this table its SHA-256; deleting the row ends it
        ("sessions", [
            sa.Column("token_sha256", TEXT, primary_key=True),
            sa.Column("username", TEXT, sa.ForeignKey(account), nullable=False),
            sa.Column("expires_at", sa.Double, nullable=False),
        ], {}),
        # recent failed sign-ins per key (an account, a client address, or both): the delay before the next try
        ("sign_in_throttle", [
            sa.Column("key", TEXT, primary_key=True),
            sa.Column("failures", sa.Integer, nullable=False),
            sa.Column("last_at", sa.Double, nullable=False),
        ], {}),
        # every change to an account, who made it and when: append-only
        ("accounts_audit", [
            tables.entry(),
            sa.Column("at", TEXT, nullable=False),
            sa.Column("actor", TEXT, nullable=False),
            sa.Column("action", TEXT, nullable=False),
            sa.Column("username", TEXT, nullable=False),
            # what changed, as JSON ({"role": ["submitter", "reviewer"]}, {"delivery": "email"})
            sa.Column("detail", TEXT, nullable=False, server_default="{}"),
        ], tables.AUTOINCREMENT),
        # a one-time link to set a new password: only the token's SHA-256 is kept
        ("password_resets", [
            sa.Column("token_sha256", TEXT, primary_key=True),
            sa.Column("username", TEXT, sa.ForeignKey(account), nullable=False),
            sa.Column("created_by", TEXT, nullable=False),
            sa.Column("expires_at", sa.Double, nullable=False),
            sa.Column("used_at", sa.Double),
        ], {}),
    ]


def upgrade() -> None:
    tables.create_or_complete(_tables())
    op.create_index("sessions_by_user", "sessions", ["username"], if_not_exists=True)
    op.create_index("accounts_audit_by_user", "accounts_audit", ["username"], if_not_exists=True)
    tables.append_only("accounts_audit", "the accounts audit")
    op.execute("DROP TABLE IF EXISTS sign_in_failures")  # an older version's throttle


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":  # SQLite: the file is the accounts; going below it loses them
        for name, _items, _options in reversed(_tables()):
            op.drop_table(name)
