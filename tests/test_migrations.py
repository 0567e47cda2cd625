"""The migrations are the one place the tables are declared: a new data directory's files are made by them, and a data
directory made the old way (by the DDL decarb-dashboard had before, copied into tests/old_schemas.py) is brought up in
place keeping every row; a PostgreSQL database of the previous revision likewise, by ``decarb store migrate``."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import time

import pytest

from decarb_dashboard import database, migrations, notify
from decarb_dashboard.accounts import AccountStore
from decarb_dashboard.cli import main
from decarb_dashboard.store import SubmissionStore
from tests import old_schemas

PASSWORD = "correct horse battery"
TOKEN = "a-session-token-from-before"


def revisions(path) -> frozenset[str]:
    with sqlite3.connect(path) as db:
        return migrations.sqlite_revisions(db)


def columns(path) -> dict[str, set[str]]:
    """Each table of an SQLite file (Alembic's own and SQLite's left out) and its columns."""
    with sqlite3.connect(path) as db:
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                          " AND name NOT IN ('alembic_version', 'sqlite_sequence')")]
        return {n: {r[1] for r in db.execute(f"PRAGMA table_info({n})")} for n in names}


def submission_row(sid: str, seq: int, reference: str | None = None) -> tuple:
    return (seq, sid, f"2025-0{seq}-01T09:00:00Z", "alice", "return.csv", f"sha-{seq}", 2, "submitted", None,
            *((reference, None, "[]") if reference is not None else ()))


def old_data_dir(root) -> None:
    """A data directory as 9efa2e5 left it: store.sqlite stamped 0001 with an outbox, accounts.sqlite unstamped."""
    root.mkdir(exist_ok=True)
    with sqlite3.connect(root / "store.sqlite") as db:
        db.executescript(old_schemas.STORE_SQL + old_schemas.OUTBOX_SQL)
        db.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
        db.execute("INSERT INTO alembic_version VALUES ('0001')")
        db.execute("INSERT INTO submissions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   submission_row("s1", 1, "CARDIFF-2022-23-01"))
        db.execute("INSERT INTO parts VALUES ('s1', 'cardiff', '2022-23', 'lines/cardiff/2022-23/s1.parquet', 2, 'x')")
        db.execute("INSERT INTO audit_log (at, actor, submission_id, action, status) VALUES"
                   " ('2025-01-01T09:00:00Z', 'alice', 's1', 'submit', 'submitted')")
        db.execute("INSERT INTO mail_outbox (created_at, event, submission_id, reference, username, recipient,"
                   " languages, subject, body, status, next_attempt_at) VALUES ('2025-01-01T09:00:00Z', 'submitted',"
                   " 's1', 'CARDIFF-2022-23-01', 'wg', 'wg@example.invalid', 'cy,en', 'Pwnc / Subject', 'Hi',"
                   " 'pending', 0)")
    with sqlite3.connect(root / "accounts.sqlite") as db:
        db.executescript(old_schemas.ACCOUNTS_SQL)
        db.execute("INSERT INTO accounts (username, display_name, role, password_hash, created_at, email, language)"
                   " VALUES ('wg', 'Rhys', 'reviewer', 'scrypt:x', '2025-01-01T00:00:00Z', 'wg@example.invalid', 'cy')")
        db.execute("INSERT INTO sessions VALUES (?, 'wg', 4102444800)", (hashlib.sha256(TOKEN.encode()).hexdigest(),))
        db.execute("INSERT INTO accounts_audit (at, actor, action, username) VALUES"
                   " ('2025-01-01T00:00:00Z', 'cli:root', 'add', 'wg')")


def test_a_data_directory_made_the_old_way_is_brought_up_in_place_keeping_every_row(tmp_path):
    old_data_dir(tmp_path)
    store, accounts = SubmissionStore(tmp_path, database_url=""), AccountStore(tmp_path, database_url="")
    assert revisions(tmp_path / "store.sqlite") == {migrations.head("store")} == {"0003"}
    assert revisions(tmp_path / "accounts.sqlite") == {migrations.head("accounts")} == {"a0001"}
    assert [(s.submission_id, s.reference) for s in store.submissions()] == [("s1", "CARDIFF-2022-23-01")]
    assert [e["action"] for e in store.audit_log("s1")] == ["submit"]
    assert notify.outbox_counts(tmp_path, database_url="")["pending"] == 1  # the message waiting is still there
    assert accounts.session_account(TOKEN).username == "wg"  # signed in before the upgrade: still signed in
    assert (accounts.get("wg").email, accounts.get("wg").language) == ("wg@example.invalid", "cy")
    accounts.add("alice", PASSWORD, "admin", actor="cli:root")
    assert [e["action"] for e in accounts.audit()] == ["add", "add"]
    # the old files now have exactly the tables and columns of new ones
    SubmissionStore(tmp_path / "new", database_url=""), AccountStore(tmp_path / "new", database_url="")
    for name in ("store.sqlite", "accounts.sqlite"):
        assert columns(tmp_path / name) == columns(tmp_path / "new" / name)


def test_the_oldest_files_gain_their_columns_tables_and_references_and_lose_the_old_throttle(tmp_path):
    with sqlite3.connect(tmp_path / "store.sqlite") as db:  # unstamped, before checksums and references
        db.executescript(old_schemas.OLDEST_STORE_SQL)
        for seq, sid in ((1, "s1"), (2, "s2")):
            db.execute("INSERT INTO submissions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", submission_row(sid, seq))
            db.execute("INSERT INTO parts VALUES (?, 'newport', '2022-23', ?, 2)",
                       (sid, f"lines/newport/2022-23/{sid}.parquet"))
    with sqlite3.connect(tmp_path / "accounts.sqlite") as db:
        db.executescript(old_schemas.OLDEST_ACCOUNTS_SQL)
        db.execute("INSERT INTO accounts (username, display_name, role, password_hash, created_at)"
                   " VALUES ('old', 'Old account', 'reviewer', 'scrypt:x', '2024-01-01T00:00:00Z')")
    opened = []
    workers = [threading.Thread(target=lambda: opened.append((SubmissionStore(tmp_path, database_url=""),
                                                              AccountStore(tmp_path, database_url=""))))
               for _ in range(4)]  # four requests meet the old files at once: they are migrated once
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert len(opened) == 4
    store, accounts = opened[0]
    assert [s.reference for s in store.submissions()] == ["NEWPORT-2022-23-01", "NEWPORT-2022-23-02"]
    assert {"sha256"} <= columns(tmp_path / "store.sqlite")["parts"]
    assert {"register", "register_history", "damaged_parts", "store_info", "mail_outbox"} <= set(
        columns(tmp_path / "store.sqlite"))
    with sqlite3.connect(tmp_path / "store.sqlite") as db:
        with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):  # references are unique now
            db.execute("UPDATE submissions SET reference = 'NEWPORT-2022-23-01' WHERE submission_id = 's2'")
        db.execute("INSERT INTO audit_log (at, actor, submission_id, action, status) VALUES ('t', 'a', 's1', 'x', 'y')")
        with pytest.raises(sqlite3.IntegrityError, match="the audit log is append-only"):
            db.execute("DELETE FROM audit_log")
    old = accounts.get("old")
    assert (old.display_name, old.email, old.language) == ("Old account", None, "")
    assert "sign_in_failures" not in columns(tmp_path / "accounts.sqlite")
    assert {"accounts_audit", "password_resets", "sign_in_throttle"} <= set(columns(tmp_path / "accounts.sqlite"))


def test_an_old_file_opened_while_another_connection_writes_to_it_waits_for_the_write_and_is_switched_to_wal(
        tmp_path):
    # SQLite refuses the switch from the old rollback journal at once, without waiting, while another connection
    # is writing: the oldest-files test above met this on a busy machine (one of four requests failed)
    path = tmp_path / "old.sqlite"
    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer.execute("CREATE TABLE t (x)")
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO t VALUES (1)")
    threading.Timer(0.3, lambda: writer.execute("COMMIT")).start()
    started = time.monotonic()
    with database.connect(path, timeout_s=10) as db:
        waited_s = time.monotonic() - started
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert [tuple(r) for r in db.execute("SELECT x FROM t")] == [(1,)]  # the other connection's write is kept
    writer.close()
    assert waited_s >= 0.25  # it waited for the write rather than failing


def test_an_old_file_still_written_to_after_the_timeout_gives_the_lock_error(tmp_path):
    path = tmp_path / "old.sqlite"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("CREATE TABLE t (x)")
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(sqlite3.OperationalError, match="locked"), database.connect(path, timeout_s=0.3):
        pass
    writer.execute("COMMIT")


def test_a_new_data_directory_s_files_are_made_by_the_migrations_and_migrate_has_nothing_more_to_do(tmp_path,
                                                                                                     capsys):
    assert main(["store", "migrate", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"{tmp_path / 'store.sqlite'}: the store's tables were made, at revision 0003" in out
    assert f"{tmp_path / 'accounts.sqlite'}: the store's tables were made, at revision a0001" in out
    assert main(["store", "migrate", "--data-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out.count("nothing to do") == 2
    assert "lines" not in columns(tmp_path / "store.sqlite")  # on SQLite the lines are Parquet files
    assert not list(tmp_path.glob(".*.tmp"))  # no copy left behind


def test_decarb_store_migrate_brings_a_database_of_the_previous_revision_up_keeping_its_rows(
        tmp_path, postgres_cluster, monkeypatch, capsys):
    import psycopg
    from alembic import command

    url = postgres_cluster.new_database(migrated=False)
    try:
        command.upgrade(migrations.alembic_config(url), "0001")  # the store's tables only, as last released
        with psycopg.connect(url) as db:
            db.execute("INSERT INTO submissions (submission_id, submitted_at, submitted_by, sha256, line_count,"
                       " status, reference) VALUES ('s1', '2025-01-01T09:00:00Z', 'alice', 'x', 0, 'submitted',"
                       " 'CARDIFF-2022-23-01')")
            db.execute("INSERT INTO parts VALUES ('s1', 'cardiff', '2022-23', 's1/cardiff/2022-23', 0, NULL)")
        monkeypatch.setenv("DECARB_DATABASE_URL", url)
        with pytest.raises(Exception, match="decarb store migrate"):
            AccountStore(tmp_path)  # no accounts' tables yet: refused, not made by a server
        assert main(["store", "migrate"]) == 0
        assert "were at revision 0001; they are now at revision 0003, a0001" in capsys.readouterr().out
        assert SubmissionStore(tmp_path).submission("s1").reference == "CARDIFF-2022-23-01"
        AccountStore(tmp_path).add("alice", PASSWORD, "admin")
        assert AccountStore(tmp_path).authenticate("alice", PASSWORD).username == "alice"
        assert not (tmp_path / "accounts.sqlite").exists()
    finally:
        postgres_cluster.drop_database(url)
