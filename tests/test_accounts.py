"""Accounts: hashed passwords, roles bound to bodies, sign-in limits, and the one table of who may do what.

The tests that take ``backend_env`` run on both backends: the data directory's accounts.sqlite, and PostgreSQL."""

from __future__ import annotations

import io
import json
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from decarb_dashboard import accounts as acc
from decarb_dashboard.accounts import Account, AccountError, AccountStore, SignInThrottled, allowed
from decarb_dashboard.cli import main
from tests import old_schemas

PASSWORD = "correct horse battery"


@pytest.fixture
def store(tmp_path, backend_env):
    return AccountStore(tmp_path)


def test_passwords_are_kept_only_as_salted_scrypt_hashes(store, tmp_path):
    store.add("Alice@Cardiff.gov.wales", PASSWORD, "submitter", ["cardiff"], "Alice Jones")
    store.add("bob", PASSWORD, "reviewer")
    with store._connect() as db:
        hashes = [r[0] for r in db.execute("SELECT password_hash FROM accounts ORDER BY username")]
    assert all(h.startswith("scrypt:") and PASSWORD not in h for h in hashes)
    assert hashes[0] != hashes[1]  # same password, different salt
    alice = store.get("alice@cardiff.gov.wales")
    assert (alice.role, alice.bodies, alice.display_name) == ("submitter", ("cardiff",), "Alice Jones")


@pytest.mark.parametrize(("username", "password", "role", "bodies", "message"), [
    ("alice", "short", "submitter", ["cardiff"], "at least 12 characters"),
    ("alice", "password1234", "submitter", ["cardiff"], "commonest passwords"),
    ("alice", PASSWORD, "submitter", [], "needs the body or bodies"),
    ("alice", PASSWORD, "reviewer", ["cardiff"], "works across all bodies"),
    ("alice", PASSWORD, "superuser", [], "unknown role"),
    ("Alice Jones", PASSWORD, "admin", [], "lower-case letters"),
    ("", PASSWORD, "admin", [], "lower-case letters"),
])
def test_accounts_that_cannot_be_made_are_refused_with_the_reason(store, username, password, role, bodies,
                                                                   message):
    with pytest.raises(AccountError, match=message):
        store.add(username, password, role, bodies)
    assert store.list() == []


def test_a_second_account_of_the_same_name_is_refused(store):
    store.add("alice", PASSWORD, "admin")
    with pytest.raises(AccountError, match="already an account"):
        store.add("ALICE", PASSWORD, "reviewer")
    assert [a.role for a in store.list()] == ["admin"]


def test_sign_in_checks_the_password_and_the_account_state(store):
    store.add("alice", PASSWORD, "submitter", ["cardiff"])
    assert store.authenticate("alice", PASSWORD).username == "alice"
    assert store.authenticate(" Alice ", PASSWORD) is not None  # as typed, with a capital and spaces
    assert store.authenticate("alice", PASSWORD + "x") is None
    assert store.authenticate("nobody", PASSWORD) is None
    store.set_disabled("alice")
    assert store.authenticate("alice", PASSWORD) is None
    store.set_disabled("alice", False)
    assert store.authenticate("alice", PASSWORD) is not None


def test_a_new_password_ends_the_old_sessions(store):
    before = store.add("alice", PASSWORD, "admin").session_epoch
    store.set_password("alice", "a different passphrase")
    assert store.get("alice").session_epoch == before + 1
    assert store.authenticate("alice", PASSWORD) is None
    assert store.authenticate("alice", "a different passphrase") is not None
    with pytest.raises(AccountError, match="no account called"):
        store.set_password("nobody", "a different passphrase")


@pytest.fixture
def clock(monkeypatch):
    """A frozen clock the test moves by hand (seconds)."""
    now = [1_000_000.0]
    monkeypatch.setattr(acc.time, "time", lambda: now[0])
    return now


def test_guesses_from_one_address_wait_1_2_4_seconds_after_three_free_and_others_are_not_held_up(store, clock):
    store.add("alice", PASSWORD, "admin")
    for _ in range(3):
        assert store.authenticate("alice", "guess", "10.0.0.1") is None
    for wait in (1, 2, 4, 8):
        with pytest.raises(SignInThrottled) as raised:
            store.authenticate("alice", PASSWORD, "10.0.0.1")  # the right password is not even checked
        assert raised.value.retry_after_s == wait
        clock[0] += wait
        assert store.authenticate("alice", "guess", "10.0.0.1") is None
    assert store.authenticate("alice", PASSWORD, "10.0.0.2") is not None  # the owner, elsewhere: straight in
    clock[0] += 16
    assert store.authenticate("alice", PASSWORD, "10.0.0.1") is not None
    assert store.authenticate("alice", "guess", "10.0.0.1") is None  # signed in: the count starts again
    assert store.authenticate("alice", "guess", "10.0.0.1") is None


def test_nobody_can_keep_the_owner_out_for_more_than_a_minute(store, clock):
    store.add("alice", PASSWORD, "admin")
    longest = 0
    for k in range(30):  # a botnet: a new address for every guess, as fast as it is let
        try:
            store.authenticate("alice", "guess", f"10.1.0.{k}")
        except SignInThrottled as exc:
            longest = max(longest, exc.retry_after_s)
            clock[0] += exc.retry_after_s
    assert longest == 60
    with pytest.raises(SignInThrottled) as raised:
        store.authenticate("alice", PASSWORD, "192.0.2.7")
    assert raised.value.retry_after_s <= 60
    clock[0] += 60
    assert store.authenticate("alice", PASSWORD, "192.0.2.7") is not None


def test_one_address_trying_many_accounts_slows_after_twenty(store, clock):
    store.add("alice", PASSWORD, "admin")
    for k in range(20):
        assert store.authenticate(f"user{k}", "guess", "10.9.9.9") is None
    with pytest.raises(SignInThrottled) as raised:
        store.authenticate("alice", PASSWORD, "10.9.9.9")
    assert raised.value.retry_after_s == 1
    assert store.authenticate("alice", PASSWORD, "10.0.0.1") is not None  # another address is not held up
    clock[0] += 15 * 60 + 1  # failures are forgotten 15 minutes after the last
    assert store.authenticate("alice", PASSWORD, "10.9.9.9") is not None


def test_guesses_sent_all_at_once_are_checked_only_while_they_are_free(store, clock):
    """16 simultaneous guesses: the count is checked and raised in one transaction, so only 3 reach the password."""
    store.add("alice", PASSWORD, "admin")
    start = threading.Barrier(16)

    def guess(k: int) -> str:
        start.wait()
        try:
            return "checked" if AccountStore(store.root).authenticate("alice", f"guess {k}", "10.0.0.1") \
                is None else "in"
        except SignInThrottled:
            return "throttled"

    with ThreadPoolExecutor(16) as pool:
        outcomes = sorted(pool.map(guess, range(16)))
    assert outcomes == ["checked"] * 3 + ["throttled"] * 13
    with pytest.raises(SignInThrottled):
        store.authenticate("alice", PASSWORD, "10.0.0.1")


def test_who_may_do_what():
    submitter = Account("a", "A", "submitter", ("cardiff", "newport"), False, 0)
    reviewer = Account("r", "R", "reviewer", (), False, 0)
    admin = Account("x", "X", "admin", (), False, 0)
    disabled = Account("d", "D", "submitter", ("cardiff",), True, 0)
    table = {
        (who, action, body): allowed(account, action, body)
        for who, account in (("anon", None), ("sub", submitter), ("rev", reviewer), ("adm", admin),
                             ("dis", disabled))
        for action in acc.ACTIONS
        for body in ("cardiff", "torfaen")
    }
    granted = {k for k, v in table.items() if v}
    expected = (
        {(w, "read_published", b) for w in ("anon", "sub", "rev", "adm", "dis") for b in ("cardiff", "torfaen")}
        | {("sub", "read_drafts", "cardiff"), ("sub", "submit", "cardiff")}
        | {(w, "read_drafts", b) for w in ("rev", "adm") for b in ("cardiff", "torfaen")}
        | {("rev", "review", b) for b in ("cardiff", "torfaen")}
        | {("adm", "administer", b) for b in ("cardiff", "torfaen")}
    )
    assert granted == expected
    with pytest.raises(ValueError):
        allowed(admin, "delete_everything")


def test_decarb_users_add_list_disable_and_set_password(tmp_path, backend_env, monkeypatch, capsys):
    d = str(tmp_path)
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["users", "add", "alice", "--role", "submitter", "--body", "Cyngor Caerdydd", "--body",
                 "Newport City Council", "--name", "Alice Jones", "--password-stdin", "--data-dir", d,
                 "--email", "Alice.Jones@Cardiff.GOV.Wales", "--language", "cy"]) == 0
    assert "added alice (submitter for cardiff, newport)" in capsys.readouterr().out
    assert main(["users", "disable", "alice", "--data-dir", d]) == 0
    capsys.readouterr()
    assert main(["users", "list", "--json", "--data-dir", d]) == 0
    assert json.loads(capsys.readouterr().out) == [{"username": "alice", "display_name": "Alice Jones",
                                                    "role": "submitter", "bodies": ["cardiff", "newport"],
                                                    "disabled": True, "email": "Alice.Jones@cardiff.gov.wales",
                                                    "language": "cy"}]
    # edit: another address, every language; an address that is not one changes nothing
    assert main(["users", "edit", "alice", "--email", "a.jones@newport.gov.wales", "--language", "",
                 "--data-dir", d]) == 0
    assert "alice: e-mail a.jones@newport.gov.wales, language -" in capsys.readouterr().out
    assert main(["users", "edit", "alice", "--email", "a.jones@", "--data-dir", d]) == 1
    assert "is not an e-mail address" in capsys.readouterr().err
    alice = AccountStore(tmp_path).get("alice")
    assert (alice.email, alice.language, alice.display_name) == ("a.jones@newport.gov.wales", "", "Alice Jones")
    assert main(["users", "edit", "alice", "--display-name", "Alys Jones", "--data-dir", d]) == 0
    assert AccountStore(tmp_path).get("alice").display_name == "Alys Jones"
    assert AccountStore(tmp_path).audit("alice")[0]["detail"] == {"display_name": ["Alice Jones", "Alys Jones"]}
    monkeypatch.setattr("sys.stdin", io.StringIO("a brand new passphrase\n"))
    assert main(["users", "set-password", "alice", "--password-stdin", "--data-dir", d]) == 0
    assert AccountStore(tmp_path).get("alice").session_epoch == 2


def test_decarb_users_refuses_unknown_bodies_and_weak_passwords(tmp_path, backend_env, monkeypatch, capsys):
    d = str(tmp_path)
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["users", "add", "alice", "--body", "Atlantis", "--password-stdin", "--data-dir", d]) == 2
    assert "no body called 'Atlantis'" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["users", "add", "alice", "--body", "cardiff", "--password-stdin", "--data-dir", d]) == 1
    assert "at least 12 characters" in capsys.readouterr().err
    assert main(["users", "disable", "nobody", "--data-dir", d]) == 1
    assert AccountStore(tmp_path).list() == []


def test_colleagues_signing_in_at_once_from_one_office_are_not_told_to_wait(store, clock):
    # Two sign-ins at once from one address (an office behind one NAT): alice's attempt is counted (its
    # password not yet checked) at a time a little after the moment bob's attempt began.
    store.add("bob", PASSWORD, "submitter", ["cardiff"])
    with store._write() as db:
        db.execute("INSERT INTO sign_in_throttle VALUES (?, ?, ?)", ("client:10.0.0.9", 1, clock[0] + 0.5))
    assert store.authenticate("bob", PASSWORD, "10.0.0.9") is not None  # well within the free tries: no wait
    for _ in range(3):  # and the throttle still throttles
        assert store.authenticate("bob", "guess", "10.0.0.9") is None
    with pytest.raises(SignInThrottled):
        store.authenticate("bob", PASSWORD, "10.0.0.9")


@pytest.mark.parametrize(("email", "language", "message"), [
    ("alice@", "", "is not an e-mail address"),
    ("alice at cardiff.gov.wales", "", "is not an e-mail address"),
    ("alice@localhost", "", "is not an e-mail address"),
    ("alice@cardiff.gov.wales", "fr", "unknown language 'fr'"),
])
def test_an_address_or_language_that_is_not_one_is_refused_and_nothing_is_stored(store, email, language, message):
    with pytest.raises(AccountError, match=message):
        store.add("alice", PASSWORD, "reviewer", email=email, language=language)
    assert store.list() == []


def test_an_account_without_an_address_gets_no_mail_and_the_demo_domain_is_accepted(store):
    assert store.add("bob", PASSWORD, "reviewer").email is None
    demo = store.add("carol", PASSWORD, "reviewer", email="Carol@Example.Invalid")
    assert (demo.email, demo.language) == ("Carol@example.invalid", "")


def test_recipients_are_the_bodies_submitters_or_the_reviewers_with_an_address_and_enabled(store):
    store.add("cardiff.a", PASSWORD, "submitter", ["cardiff"], email="a@example.invalid", language="cy")
    store.add("central", PASSWORD, "submitter", ["cardiff", "newport"], email="c@example.invalid")
    store.add("newport.n", PASSWORD, "submitter", ["newport"], email="n@example.invalid")
    store.add("cardiff.quiet", PASSWORD, "submitter", ["cardiff"])  # no address
    store.add("cardiff.gone", PASSWORD, "submitter", ["cardiff"], email="g@example.invalid")
    store.set_disabled("cardiff.gone")
    store.add("wg.one", PASSWORD, "reviewer", email="r1@example.invalid")
    store.add("wg.two", PASSWORD, "reviewer", email="r2@example.invalid", language="en")
    store.add("wg.off", PASSWORD, "reviewer", email="r3@example.invalid")
    store.set_disabled("wg.off")
    store.add("admin", PASSWORD, "admin", email="admin@example.invalid")
    assert [a.username for a in store.recipients("submitter", ["cardiff"])] == ["cardiff.a", "central"]
    assert [a.username for a in store.recipients("submitter", ["cardiff", "torfaen"])] == ["cardiff.a", "central"]
    assert [a.username for a in store.recipients("submitter", ["newport"])] == ["central", "newport.n"]
    assert store.recipients("submitter", []) == []
    assert [(a.username, a.language) for a in store.recipients("reviewer")] == [("wg.one", ""), ("wg.two", "en")]


def test_an_older_accounts_database_gains_email_and_language_in_place(tmp_path):
    with sqlite3.connect(tmp_path / "accounts.sqlite") as db:  # the accounts table as it was before
        db.executescript(old_schemas.OLDEST_ACCOUNTS_SQL)
        db.execute("INSERT INTO accounts (username, display_name, role, password_hash, created_at)"
                   " VALUES ('old', 'Old account', 'reviewer', 'scrypt:x', '2025-01-01T00:00:00Z')")
    db.close()
    store = AccountStore(tmp_path, database_url="")
    old = store.get("old")
    assert (old.display_name, old.email, old.language) == ("Old account", None, "")
    assert store.edit("old", email="old@example.invalid", language="cy").email == "old@example.invalid"
    assert AccountStore(tmp_path, database_url="").get("old").language == "cy"  # opening it again changes nothing


def test_two_servers_on_one_postgresql_database_count_one_client_s_failures_together(tmp_path, postgres_url, clock):
    """Each server has its own empty data directory; the throttle is in the database they share."""
    one = AccountStore(tmp_path / "server-1", database_url=postgres_url)
    two = AccountStore(tmp_path / "server-2", database_url=postgres_url)
    one.add("alice", PASSWORD, "admin")
    for store in (one, two, one):  # three free guesses, spread over both servers
        assert store.authenticate("alice", "guess", "10.0.0.1") is None
    for store in (two, one):  # the fourth waits 1 s, whichever server it reaches
        with pytest.raises(SignInThrottled) as raised:
            store.authenticate("alice", PASSWORD, "10.0.0.1")
        assert raised.value.retry_after_s == 1
    clock[0] += 1
    assert two.authenticate("alice", PASSWORD, "10.0.0.1").username == "alice"
    session = two.start_session("alice", 3600)
    assert one.session_account(session).username == "alice"  # signed in through one server, known to both
    one.end_session(session)
    assert two.session_account(session) is None
    assert not any((tmp_path / name).exists() for name in ("server-1", "server-2"))  # nothing on local disk
