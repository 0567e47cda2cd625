"""The store: the catalogue (submissions, parts, audit log, damaged parts, register and its history, store_info)
and, on PostgreSQL, the return lines themselves.

On SQLite this is the catalogue a data directory has always had: the store makes it (or brings an
older one up) itself when it opens the directory, with ``store._SCHEMA_SQL`` and
``store.migrate_catalogue``, and stamps it with this revision; the lines stay in Parquet files.
Upgrading an SQLite catalogue to this revision therefore needs nothing more, and the store
never stamps one it has not made or upgraded. On PostgreSQL (no shared disk) every table is made
here, the lines in ``lines``; the append-only tables refuse UPDATE, DELETE and TRUNCATE.

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""

from alembic import op

from decarb_dashboard.store import STATUSES, UNAVAILABLE_REASONS

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _quoted(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


POSTGRES_TABLES = f"""
CREATE TABLE submissions (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    submission_id TEXT NOT NULL UNIQUE,
    submitted_at TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    file_name TEXT,
    sha256 TEXT NOT NULL,
    line_count INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ({_quoted(STATUSES)})),
    status_message TEXT,
    reference TEXT,
    declaration TEXT,
    warnings TEXT
);
CREATE UNIQUE INDEX submissions_by_reference ON submissions (reference);
CREATE INDEX submissions_by_sha256 ON submissions (sha256);
CREATE TABLE parts (
    submission_id TEXT NOT NULL REFERENCES submissions(submission_id),
    organisation_id TEXT NOT NULL,
    reporting_year TEXT NOT NULL,
    path TEXT NOT NULL UNIQUE,
    line_count INTEGER NOT NULL,
    sha256 TEXT,
    PRIMARY KEY (submission_id, organisation_id, reporting_year)
);
CREATE INDEX parts_by_return ON parts (organisation_id, reporting_year);
CREATE TABLE lines (
    submission_id TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    reporting_year TEXT NOT NULL,
    line_number INTEGER NOT NULL,
    category TEXT,
    source TEXT,
    scope SMALLINT,
    activity_amount DOUBLE PRECISION,
    activity_unit TEXT,
    emissions_tco2e DOUBLE PRECISION,
    status TEXT,
    method TEXT,
    notes TEXT,
    "row" INTEGER NOT NULL,
    PRIMARY KEY (submission_id, organisation_id, reporting_year, line_number),
    FOREIGN KEY (submission_id, organisation_id, reporting_year) REFERENCES parts
);
CREATE TABLE audit_log (
    entry BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    submission_id TEXT NOT NULL,
    action TEXT NOT NULL,
    status TEXT NOT NULL,
    message TEXT
);
CREATE INDEX audit_log_by_submission ON audit_log (submission_id);
CREATE TABLE store_info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE damaged_parts (
    entry BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    submission_id TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    reporting_year TEXT NOT NULL,
    reason TEXT NOT NULL CHECK (reason IN ({_quoted(UNAVAILABLE_REASONS)})),
    found_at TEXT NOT NULL,
    quarantined_at TEXT
);
CREATE TABLE register (id TEXT PRIMARY KEY, "row" TEXT NOT NULL);
CREATE TABLE register_history (
    entry BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('seed', 'add', 'edit')),
    changes TEXT NOT NULL
);
CREATE FUNCTION decarb_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_ARGV[0] USING ERRCODE = 'restrict_violation';
END
$$;
"""
#: The append-only tables and what their refusal calls them (the words of the SQLite catalogue's triggers).
APPEND_ONLY = {"audit_log": "the audit log", "register_history": "the register history",
               "lines": "the stored lines"}
TABLES = ("lines", "parts", "audit_log", "damaged_parts", "register_history", "register", "store_info",
          "submissions")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite: the store made this revision's catalogue itself (see the docstring)
    op.execute(POSTGRES_TABLES)
    for table, name in APPEND_ONLY.items():
        for event, each in (("UPDATE OR DELETE", "ROW"), ("TRUNCATE", "STATEMENT")):
            op.execute(f"CREATE TRIGGER {table}_append_only_{each.lower()} BEFORE {event} ON {table}"
                       f" FOR EACH {each} EXECUTE FUNCTION decarb_append_only('{name}')")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite: the store's catalogue is its data directory's; going below it would lose every submission
    for table in TABLES:
        op.execute(f"DROP TABLE {table}")
    op.execute("DROP FUNCTION decarb_append_only()")
