"""Fixtures of the past: the SQLite DDL with which decarb-dashboard made its data directory's files before the
migrations made them (as of 9efa2e5), and older versions of it, to make a data directory the old way and check that
the migrations bring it up in place. Copied here, never imported from the package: the package has only the
migrations now."""

#: ``store.sqlite`` as store.py made it (``_SCHEMA_SQL``, then ``CREATE UNIQUE INDEX submissions_by_reference``).
STORE_SQL = """
CREATE TABLE IF NOT EXISTS submissions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    submission_id TEXT NOT NULL UNIQUE,
    submitted_at TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    file_name TEXT,
    sha256 TEXT NOT NULL,
    line_count INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('submitted', 'queried', 'accepted', 'withdrawn')),
    status_message TEXT,
    reference TEXT,
    declaration TEXT,
    warnings TEXT
);
CREATE TABLE IF NOT EXISTS parts (
    submission_id TEXT NOT NULL REFERENCES submissions(submission_id),
    organisation_id TEXT NOT NULL,
    reporting_year TEXT NOT NULL,
    path TEXT NOT NULL,
    line_count INTEGER NOT NULL,
    sha256 TEXT,
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
CREATE TABLE IF NOT EXISTS store_info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS damaged_parts (
    entry INTEGER PRIMARY KEY AUTOINCREMENT,
    path TEXT NOT NULL UNIQUE,
    submission_id TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    reporting_year TEXT NOT NULL,
    reason TEXT NOT NULL CHECK (reason IN ('damaged file', 'missing file')),
    found_at TEXT NOT NULL,
    quarantined_at TEXT
);
CREATE TABLE IF NOT EXISTS register (id TEXT PRIMARY KEY, row TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS register_history (
    entry INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('seed', 'add', 'edit')),
    changes TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS register_history_no_update BEFORE UPDATE ON register_history
BEGIN SELECT RAISE(ABORT, 'the register history is append-only'); END;
CREATE TRIGGER IF NOT EXISTS register_history_no_delete BEFORE DELETE ON register_history
BEGIN SELECT RAISE(ABORT, 'the register history is append-only'); END;
CREATE UNIQUE INDEX IF NOT EXISTS submissions_by_reference ON submissions (reference);
"""
#: The outbox notify.py added to ``store.sqlite`` when it first queued a message.
OUTBOX_SQL = """
CREATE TABLE IF NOT EXISTS mail_outbox (
    entry INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    event TEXT NOT NULL,
    submission_id TEXT NOT NULL,
    reference TEXT NOT NULL,
    username TEXT NOT NULL,
    recipient TEXT NOT NULL,
    -- the languages of the message, in order (e.g. 'cy,en')
    languages TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    claimed_by TEXT,
    claimed_until REAL,
    last_error TEXT,
    sent_at TEXT
);
CREATE INDEX IF NOT EXISTS mail_outbox_due ON mail_outbox (status, next_attempt_at);
"""
#: ``accounts.sqlite`` as accounts.py made it (``_SCHEMA_SQL``).
ACCOUNTS_SQL = """
CREATE TABLE IF NOT EXISTS accounts (
    username TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('submitter', 'reviewer', 'admin')),
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    -- bumped when the password changes or the account is disabled: older sessions end
    session_epoch INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    -- where notifications go (NULL: none) and in which language ('': every language, Welsh first)
    email TEXT,
    language TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS account_bodies (
    username TEXT NOT NULL REFERENCES accounts (username),
    organisation_id TEXT NOT NULL,
    PRIMARY KEY (username, organisation_id)
);
-- a signed-in session: the cookie holds the token, this table its SHA-256; deleting the row ends it
CREATE TABLE IF NOT EXISTS sessions (
    token_sha256 TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES accounts (username),
    expires_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (username);
-- recent failed sign-ins per key (an account, a client address, or both): they set the delay before the next try
CREATE TABLE IF NOT EXISTS sign_in_throttle (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_at REAL NOT NULL
);
-- every change to an account, who made it and when: append-only (the triggers refuse changes and deletions)
CREATE TABLE IF NOT EXISTS accounts_audit (
    entry INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    username TEXT NOT NULL,
    -- what changed, as JSON ({"role": ["submitter", "reviewer"]}, {"delivery": "email"})
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS accounts_audit_by_user ON accounts_audit (username);
-- a one-time link to set a new password: only the token's SHA-256 is kept
CREATE TABLE IF NOT EXISTS password_resets (
    token_sha256 TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES accounts (username),
    created_by TEXT NOT NULL,
    expires_at REAL NOT NULL,
    used_at REAL
);
CREATE TRIGGER IF NOT EXISTS accounts_audit_no_update BEFORE UPDATE ON accounts_audit
BEGIN SELECT RAISE(ABORT, 'the accounts audit is append-only'); END;
CREATE TRIGGER IF NOT EXISTS accounts_audit_no_delete BEFORE DELETE ON accounts_audit
BEGIN SELECT RAISE(ABORT, 'the accounts audit is append-only'); END;
DROP TABLE IF EXISTS sign_in_failures;
"""


def _without(sql: str, *parts: str) -> str:
    for part in parts:
        assert part in sql, part
        sql = sql.replace(part, "")
    return sql


#: ``store.sqlite`` of the first versions: no part checksums, no references, declarations or warnings, no register,
#: no damaged parts, no outbox.
OLDEST_STORE_SQL = _without(STORE_SQL.split("CREATE TRIGGER")[0], ",\n    reference TEXT,\n    declaration TEXT,\n"
                            "    warnings TEXT", " CHECK (status IN ('submitted', 'queried', 'accepted', 'withdrawn'))",
                            "    sha256 TEXT,\n", "CREATE INDEX IF NOT EXISTS parts_by_return ON parts"
                            " (organisation_id, reporting_year);\n")
#: ``accounts.sqlite`` of the first versions: no e-mail address or language, no audit, no reset links, and the
#: throttle's older table.
OLDEST_ACCOUNTS_SQL = _without(ACCOUNTS_SQL.split("-- every change to an account")[0].split(
    "-- recent failed sign-ins")[0], ",\n    -- where notifications go (NULL: none) and in which language"
    " ('': every language, Welsh first)\n    email TEXT,\n    language TEXT NOT NULL DEFAULT ''") + (
    "CREATE TABLE sign_in_failures (key TEXT PRIMARY KEY, failures INTEGER NOT NULL, last_at REAL NOT NULL);\n")
