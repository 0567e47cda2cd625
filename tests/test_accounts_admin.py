"""Managing accounts (issue 15): role and bodies, one-time password reset links, and the append-only audit.

The tests that take ``backend_env`` run on both backends: the data directory's files, and PostgreSQL."""

from __future__ import annotations

import io
import json
import sqlite3

import pytest

from decarb_dashboard import accounts as acc
from decarb_dashboard import notify
from decarb_dashboard.accounts import AccountError, AccountStore, issue_password_reset
from decarb_dashboard.cli import main
from decarb_dashboard.store import SubmissionStore
from tests import old_schemas

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a river in the valley"


@pytest.fixture
def store(tmp_path, backend_env):
    s = AccountStore(tmp_path)
    s.add("alice", PASSWORD, "submitter", ["cardiff"], "Alice Jones", email="alice@cardiff.gov.wales", actor="admin")
    return s


def test_assign_changes_role_and_bodies_and_is_audited_with_before_and_after(store):
    store.assign("alice", "submitter", ["newport", "cardiff"], actor="admin")
    assert store.get("alice").bodies == ("cardiff", "newport")
    store.assign("alice", "reviewer", [], actor="admin")
    assert (store.get("alice").role, store.get("alice").bodies) == ("reviewer", ())
    store.assign("alice", "reviewer", [], actor="admin")  # nothing changes: nothing recorded
    entries = store.audit("alice")
    assert [e["action"] for e in entries] == ["assign", "assign", "add"]
    assert entries[0]["detail"] == {"role": ["submitter", "reviewer"], "bodies": [["cardiff", "newport"], []]}
    assert entries[1]["detail"] == {"role": ["submitter", "submitter"], "bodies": [["cardiff"], ["cardiff", "newport"]]}
    assert entries[2]["actor"] == "admin" and entries[2]["detail"]["bodies"] == ["cardiff"]


@pytest.mark.parametrize(("role", "bodies", "words"), [
    ("submitter", [], "needs the body or bodies"),
    ("reviewer", ["cardiff"], "works across all bodies"),
    ("owner", [], "unknown role 'owner'"),
])
def test_a_refused_assignment_changes_nothing_and_records_nothing(store, role, bodies, words):
    with pytest.raises(AccountError, match=words):
        store.assign("alice", role, bodies, actor="admin")
    assert (store.get("alice").role, store.get("alice").bodies) == ("submitter", ("cardiff",))
    assert [e["action"] for e in store.audit("alice")] == ["add"]


def test_a_reset_link_works_once_ends_the_old_password_and_every_session(store):
    session = store.start_session("alice", 3600)
    token = store.start_reset("alice", actor="admin", delivery="shown")
    with store._connect() as db:  # only the token's SHA-256 is kept
        kept = [r[0] for r in db.execute("SELECT token_sha256 FROM password_resets")]
    assert kept == [acc._sha256(token)] and token not in kept
    assert store.reset_account(token).username == "alice"
    store.use_reset(token, NEW_PASSWORD)
    assert store.authenticate("alice", PASSWORD) is None
    assert store.authenticate("alice", NEW_PASSWORD).username == "alice"
    assert store.session_account(session) is None
    with pytest.raises(AccountError, match="has been used, has expired"):
        store.use_reset(token, "another fine passphrase")
    assert store.authenticate("alice", NEW_PASSWORD) is not None
    assert [(e["actor"], e["action"]) for e in store.audit("alice")][:2] == [("alice", "reset_used"),
                                                                           ("admin", "reset_link")]


def test_a_reset_link_expires_and_a_weak_password_leaves_it_usable(store, monkeypatch):
    token = store.start_reset("alice", actor="admin", delivery="shown", lifetime_s=3600)
    with pytest.raises(AccountError, match="at least 12 characters"):
        store.use_reset(token, "short")
    assert store.authenticate("alice", PASSWORD) is not None  # nothing changed
    now = acc.time.time()
    monkeypatch.setattr(acc.time, "time", lambda: now + 3601)
    assert store.reset_account(token) is None
    with pytest.raises(AccountError, match="has expired"):
        store.use_reset(token, NEW_PASSWORD)
    monkeypatch.undo()
    assert store.authenticate("alice", PASSWORD) is not None


def test_a_new_link_a_disable_or_a_password_change_ends_the_earlier_link(store):
    first = store.start_reset("alice", actor="admin", delivery="shown")
    second = store.start_reset("alice", actor="admin", delivery="shown")
    assert store.reset_account(first) is None and store.reset_account(second) is not None
    store.set_disabled("alice", actor="admin")
    assert store.reset_account(second) is None
    with pytest.raises(AccountError, match="enable the account"):
        store.start_reset("alice", actor="admin", delivery="shown")


def test_the_audit_is_append_only(store):
    for statement in ("DELETE FROM accounts_audit", "UPDATE accounts_audit SET actor = 'nobody'"):
        with pytest.raises(store.errors, match="the accounts audit is append-only"), store._write() as db:
            db.execute(statement)
    assert store.audit()[0]["actor"] == "admin"


def test_an_older_accounts_sqlite_gains_the_audit_and_reset_tables(tmp_path):
    with sqlite3.connect(tmp_path / "accounts.sqlite") as db:
        db.executescript(old_schemas.ACCOUNTS_SQL.split("-- every change to an account")[0])
    s = AccountStore(tmp_path, database_url="")
    s.add("bob", PASSWORD, "reviewer", actor="cli:root")
    assert s.audit()[0]["action"] == "add"


def test_issue_reset_mails_the_link_to_an_account_with_an_address(tmp_path, backend_env):
    SubmissionStore(tmp_path)  # the outbox lives with the store: its catalogue, or its database
    s = AccountStore(tmp_path)
    s.add("alice", PASSWORD, "submitter", ["cardiff"], "Alice Jones", email="alice@cardiff.gov.wales", language="cy")
    issued = issue_password_reset(s, "alice", actor="admin", actor_name="The Admin", base_url="https://decarb.example")
    assert (issued.link, issued.emailed_to) == (None, "alice@cardiff.gov.wales")
    with notify._outbox(tmp_path).connect() as db:
        subject, body, event = db.execute("SELECT subject, body, event FROM mail_outbox").fetchone()
    assert event == "password_reset" and subject == "Gosod cyfrinair newydd ar gyfer y Dangosfwrdd Datgarboneiddio"
    link = next(line for line in body.splitlines() if line.startswith("https://"))
    assert link.startswith("https://decarb.example/reset-password?token=") and link.endswith("&lang=cy")
    token = link.split("token=")[1].split("&")[0]
    assert s.use_reset(token, NEW_PASSWORD).username == "alice"
    assert s.audit("alice")[1]["detail"]["delivery"] == "email"


def test_issue_reset_shows_the_link_when_there_is_no_address_or_no_outbox(tmp_path):
    s = AccountStore(tmp_path, database_url="")  # no store here: the outbox cannot be written
    s.add("bob", PASSWORD, "reviewer", email="bob@gov.wales")
    issued = issue_password_reset(s, "bob", actor="admin", actor_name="admin", base_url="http://127.0.0.1:8050")
    assert issued.emailed_to is None and issued.link.startswith("http://127.0.0.1:8050/reset-password?token=")
    assert [e["detail"]["delivery"] for e in s.audit("bob")[:2]] == ["shown", "email"]
    assert s.use_reset(issued.link.split("token=")[1], NEW_PASSWORD).username == "bob"


def test_decarb_users_assign_reset_password_and_audit(tmp_path, backend_env, monkeypatch, capsys):
    d = str(tmp_path)
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    monkeypatch.delenv("DECARB_PUBLIC_URL", raising=False)
    assert main(["users", "add", "alice", "--body", "cardiff", "--password-stdin", "--data-dir", d]) == 0
    assert main(["users", "assign", "alice", "--body", "Newport", "--body", "cardiff", "--data-dir", d]) == 0
    assert "alice is now submitter, for: cardiff, newport" in capsys.readouterr().out
    assert main(["users", "assign", "alice", "--role", "reviewer", "--body", "cardiff", "--data-dir", d]) == 1
    assert "works across all bodies" in capsys.readouterr().err
    assert main(["users", "reset-password", "alice", "--data-dir", d]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].startswith("/reset-password?token=") and "DECARB_PUBLIC_URL is not set" in out[2]
    assert AccountStore(tmp_path).use_reset(out[1].split("token=")[1], NEW_PASSWORD).username == "alice"
    assert main(["users", "audit", "alice", "--json", "--data-dir", d]) == 0
    entries = json.loads(capsys.readouterr().out)
    assert [e["action"] for e in entries] == ["reset_used", "reset_link", "assign", "add"]
    assert entries[3]["actor"].startswith("cli:")
    assert main(["--lang", "cy", "users", "audit", "--data-dir", d]) == 0
    assert capsys.readouterr().out.startswith("pryd (UTC)")
