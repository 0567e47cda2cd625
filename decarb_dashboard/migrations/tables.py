"""What the revisions share: a numbered entry column, the append-only triggers, and making a table or
completing an older one, each said once for both SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

#: The table option that makes an SQLite ``INTEGER PRIMARY KEY`` never reuse a number (AUTOINCREMENT).
AUTOINCREMENT = {"sqlite_autoincrement": True}


def name(text: str) -> sa.sql.quoted_name:
    """A column name that is a reserved word somewhere (``row``): always quoted."""
    return sa.sql.quoted_name(text, quote=True)


def quoted(values) -> str:
    """SQL string literals of ``values``, for a CHECK ... IN (...)."""
    return ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)


def entry(column: str = "entry") -> sa.Column:
    """A table's own numbering, in the order rows are committed: SQLite's INTEGER PRIMARY KEY AUTOINCREMENT
    (with :data:`AUTOINCREMENT`), PostgreSQL's BIGINT GENERATED ALWAYS AS IDENTITY."""
    return sa.Column(column, sa.BigInteger().with_variant(sa.Integer(), "sqlite"), sa.Identity(always=True),
                     primary_key=True)


def create_or_complete(specs: list[tuple[str, list, dict]]) -> set[str]:
    """Make each table ``(name, columns and constraints, options)`` that does not exist; to one that does (an
    SQLite file made by an older version's own DDL) add the columns it lacks. Returns the tables made."""
    bind = op.get_bind()
    made = set()
    for table, items, options in specs:
        inspector = sa.inspect(bind)  # afresh: the tables made so far are not in an older inspector's cache
        if not inspector.has_table(table):
            op.create_table(table, *items, **options)
            made.add(table)
            continue
        have = {c["name"] for c in inspector.get_columns(table)}
        missing = [c for c in items if isinstance(c, sa.Column) and c.name not in have]
        if missing:
            with op.batch_alter_table(table) as batch:
                for column in missing:
                    batch.add_column(column)
    return made


def append_only(table: str, called: str) -> None:
    """Make ``table`` refuse UPDATE and DELETE (PostgreSQL: and TRUNCATE), saying ``<called> is append-only``."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE OR REPLACE FUNCTION decarb_append_only() RETURNS trigger LANGUAGE plpgsql AS $$"
                   " BEGIN RAISE EXCEPTION '% is append-only', TG_ARGV[0] USING ERRCODE = 'restrict_violation';"
                   " END $$")
        for event, each in (("UPDATE OR DELETE", "ROW"), ("TRUNCATE", "STATEMENT")):
            op.execute(f"CREATE TRIGGER {table}_append_only_{each.lower()} BEFORE {event} ON {table}"
                       f" FOR EACH {each} EXECUTE FUNCTION decarb_append_only('{called}')")
        return
    for event in ("update", "delete"):
        op.execute(f"CREATE TRIGGER IF NOT EXISTS {table}_no_{event} BEFORE {event.upper()} ON {table}"
                   f" BEGIN SELECT RAISE(ABORT, '{called} is append-only'); END")
