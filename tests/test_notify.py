"""E-mail notifications: the outbox in the store's catalogue, delivered through a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import argparse
import email
import email.policy
import json
import logging
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import flask
import pytest
from aiosmtpd.controller import Controller
from babel.messages.extract import extract_from_dir
from werkzeug.security import generate_password_hash

from decarb_dashboard import accounts as accounts_module
from decarb_dashboard import cli_outbox, notify
from decarb_dashboard.accounts import Account, AccountStore
from decarb_dashboard.store import Submission, SubmissionStore
from tests import smtp as smtp_server
from tests.conftest import shown_texts
from uploads_schema import i18n

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "correct horse battery"
PUBLIC = "https://decarb.example.invalid"


def submission(**fields: object) -> Submission:
    """A stored submission's metadata as review.py would pass it (by keyword: the dataclass may gain fields)."""
    values = {"submission_id": "s20261201T120000000000-0a0b0c0d", "submitted_at": "2026-12-01T12:00:00.000000Z",
              "submitted_by": "cardiff.cy", "file_name": "cardiff-2024-25.csv", "sha256": "0" * 64,
              "line_count": 12, "status": "submitted", "status_message": None, "organisations": ("cardiff",),
              "reporting_years": ("2024-25",)}
    reference = fields.pop("reference", "CARDIFF-2024-25-03")
    if "reference" in Submission.__dataclass_fields__:
        values["reference"] = reference
    made = Submission(**{**values, **fields})
    if "reference" not in Submission.__dataclass_fields__:  # before the review cycle adds it: a stand-in
        object.__setattr__(made, "reference", reference)
    return made


class Inbox(smtp_server.Inbox):
    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


_free_port = smtp_server.free_port


@pytest.fixture
def smtp(monkeypatch):
    """A real SMTP server on 127.0.0.1 at a random port, and the settings that send through it."""
    monkeypatch.setenv("DECARB_PUBLIC_URL", PUBLIC + "/")
    with smtp_server.serving(Inbox(), monkeypatch) as inbox:
        yield inbox


@pytest.fixture
def site(tmp_path, monkeypatch, backend_env):
    """A data directory with a store and the accounts of two bodies and Welsh Government, no sender thread; on each
    backend (the data directory's files, or a PostgreSQL database: ``backend_env``)."""
    monkeypatch.setattr(notify, "start_sender", lambda *args, **kwargs: None)  # delivery is called by the tests
    # quick hashes for eight accounts: these tests are about mail, not passwords (test_accounts.py checks scrypt)
    monkeypatch.setattr(accounts_module, "generate_password_hash",
                        lambda password: generate_password_hash(password, "pbkdf2:sha256:1000"))
    store = SubmissionStore(tmp_path)
    accounts = AccountStore(tmp_path)
    accounts.add("cardiff.cy", PASSWORD, "submitter", ["cardiff"], "Alaw Jones", email="alaw@example.invalid",
                 language="cy")
    accounts.add("cardiff.en", PASSWORD, "submitter", ["cardiff"], "Bob Smith", email="bob@example.invalid",
                 language="en")
    accounts.add("central", PASSWORD, "submitter", ["cardiff", "newport"], "Central team",
                 email="central@example.invalid")
    accounts.add("cardiff.quiet", PASSWORD, "submitter", ["cardiff"], "No address")
    accounts.add("newport.n", PASSWORD, "submitter", ["newport"], "Newport officer", email="newport@example.invalid",
                 language="en")
    accounts.add("wg.reviewer", PASSWORD, "reviewer", [], "Rhys Evans", email="rhys@example.invalid", language="en")
    accounts.add("wg.second", PASSWORD, "reviewer", [], "Second reviewer", email="second@example.invalid",
                 language="cy")
    accounts.add("admin", PASSWORD, "admin", [], "Admin", email="admin@example.invalid")
    return store, accounts


def _rows(root: Path) -> list[dict]:
    with notify._outbox(root).connect() as db:
        return [dict(r) for r in db.execute("SELECT * FROM mail_outbox ORDER BY entry")]


def _body(message: email.message.EmailMessage) -> str:
    return message.get_content().replace("\r\n", "\n")  # as sent over SMTP, with CRLF line ends


@pytest.mark.sqlite_only  # what a message says: the same on both backends
def test_a_query_reaches_only_the_bodys_submitters_with_an_address_each_in_their_language(site, smtp):
    store, accounts = site
    notify.notify("queried", submission(), actor="wg.reviewer", message="Why did gas rise by 40%?\nPlease check.",
                  store=store, accounts=accounts)
    assert notify.deliver_pending(store.root).sent == 3
    # the body's submitters with an address: not Newport's, not the one without an address, not the reviewers
    assert sorted(m["To"] for m in smtp.messages) == ["alaw@example.invalid", "bob@example.invalid",
                                                      "central@example.invalid"]
    welsh, = smtp.to("alaw@example.invalid")
    assert welsh["Subject"] == "Ffurflen CARDIFF-2024-25-03: mae gan Lywodraeth Cymru gwestiwn"
    assert welsh["Content-Language"] == "cy"
    text = _body(welsh)
    assert text.startswith("Helo Alaw Jones,\n")
    assert "Mae gan Rhys Evans o Lywodraeth Cymru gwestiwn am eich ffurflen ar gyfer 2024-25." in text
    assert "Corff: Cyngor Caerdydd (cardiff)\nBlwyddyn: 2024-25\n" in text
    assert "Cyfeirnod: CARDIFF-2024-25-03 (cyflwyniad s20261201T120000000000-0a0b0c0d)" in text
    assert "Ysgrifennodd Rhys Evans:\n> Why did gas rise by 40%?\n> Please check.\n" in text
    assert f"{PUBLIC}/upload?body=cardiff&year=2024-25&lang=cy" in text
    assert "Welsh Government" not in text and "Hello" not in text  # Welsh only
    english, = smtp.to("bob@example.invalid")
    assert english["Subject"] == "Return CARDIFF-2024-25-03: Welsh Government has a question"
    assert "Body: Cardiff Council (cardiff)\nYear: 2024-25\n" in _body(english)
    assert "Helo" not in _body(english)
    assert english["From"] == "Decarbonisation Dashboard <dashboard@example.invalid>"
    assert english["Auto-Submitted"] == "auto-generated"
    assert [r["status"] for r in _rows(store.root)] == ["sent"] * 3


@pytest.mark.sqlite_only  # what a message says: the same on both backends
def test_a_recipient_without_a_language_gets_every_language_welsh_first(site, smtp):
    store, accounts = site
    notify.notify("accepted", submission(organisations=("cardiff", "newport")), actor="wg.reviewer", store=store,
                  accounts=accounts)
    notify.deliver_pending(store.root)
    both, = smtp.to("central@example.invalid")
    assert both["Subject"] == ("Mae ffurflen CARDIFF-2024-25-03 wedi'i derbyn / "
                               "Return CARDIFF-2024-25-03 has been accepted")
    assert both["Content-Language"] == "cy, en"
    text = _body(both)
    welsh, english = text.index("Helo Central team,"), text.index("Hello Central team,")
    assert welsh == 0 < english
    # two bodies: the counted line takes Welsh's "two" form (soft mutation) and English's plural
    assert "2 gorff: Cyngor Caerdydd (cardiff), Cyngor Dinas Casnewydd (newport)" in text
    assert "2 bodies: Cardiff Council (cardiff), Newport City Council (newport)" in text
    assert f"{PUBLIC}/upload?body=cardiff&year=2024-25&lang=cy" in text[:english]
    assert f"{PUBLIC}/upload?body=cardiff&year=2024-25&lang=en" in text[english:]
    # Newport's officer is told too (a body of the submission); no message has a quoted part without a message
    assert len(smtp.to("newport@example.invalid")) == 1 and ">" not in _body(smtp.to("newport@example.invalid")[0])


@pytest.mark.sqlite_only  # what a message says: the same on both backends
def test_a_submission_and_a_reply_reach_the_reviewers_and_not_the_submitter(site, smtp):
    store, accounts = site
    notify.notify("submitted", submission(), actor="cardiff.cy", store=store, accounts=accounts)
    notify.notify("replied", submission(), actor="cardiff.cy", message="Gas meter replaced in May.", store=store,
                  accounts=accounts)
    assert notify.deliver_pending(store.root).sent == 4
    assert sorted(m["To"] for m in smtp.messages) == ["rhys@example.invalid"] * 2 + ["second@example.invalid"] * 2
    first, reply = smtp.to("rhys@example.invalid")
    assert first["Subject"] == "Return CARDIFF-2024-25-03 awaits your review"
    assert "Alaw Jones has submitted a return for 2024-25. It awaits review." in _body(first)
    assert f"Review it here: {PUBLIC}/review?submission=s20261201T120000000000-0a0b0c0d&lang=en" in _body(first)
    assert "Alaw Jones wrote:\n> Gas meter replaced in May." in _body(reply)
    welsh = smtp.to("second@example.invalid")[0]
    assert welsh["Subject"] == "Mae ffurflen CARDIFF-2024-25-03 yn aros i chi ei hadolygu"


@pytest.mark.sqlite_only  # what a message says: the same on both backends
def test_whoever_acted_is_not_told_of_it_and_a_submission_without_reference_is_named_by_its_id(site, smtp):
    store, accounts = site
    plain = submission()
    object.__setattr__(plain, "reference", None)
    notify.notify("withdrawn", plain, actor="central", store=store, accounts=accounts)
    notify.deliver_pending(store.root)
    assert sorted(m["To"] for m in smtp.messages) == ["alaw@example.invalid", "bob@example.invalid"]
    assert smtp.to("bob@example.invalid")[0]["Subject"] == \
        "Return s20261201T120000000000-0a0b0c0d has been withdrawn"


@pytest.mark.sqlite_only  # what a message says: the same on both backends
def test_without_a_public_address_a_message_names_the_page_instead_of_a_link(site, smtp, monkeypatch):
    store, accounts = site
    monkeypatch.delenv("DECARB_PUBLIC_URL")
    notify.notify("submitted", submission(), actor="cardiff.cy", store=store, accounts=accounts)
    notify.deliver_pending(store.root)
    assert "Open Review returns on the dashboard to review it." in _body(smtp.to("rhys@example.invalid")[0])
    assert "http" not in _body(smtp.to("rhys@example.invalid")[0])


def test_a_refusing_server_leaves_the_message_pending_with_the_error_and_it_goes_later(site, smtp):
    store, accounts = site
    notify.notify("submitted", submission(), actor="cardiff.cy", store=store, accounts=accounts)
    smtp.refuse = True
    now = time.time()
    assert notify.deliver_pending(store.root, now=now) == notify.Delivery(retrying=2)
    rows = _rows(store.root)
    assert [(r["status"], r["attempts"]) for r in rows] == [("pending", 1)] * 2
    assert all("451" in r["last_error"] and "try again later" in r["last_error"] for r in rows)
    assert rows[0]["next_attempt_at"] == pytest.approx(now + 60)  # the first wait: 1 minute
    smtp.refuse = False
    assert notify.deliver_pending(store.root, now=now + 59) == notify.Delivery()  # not due yet: nothing is sent
    assert smtp.messages == []
    assert notify.deliver_pending(store.root, now=now + 61) == notify.Delivery(sent=2)
    assert [(r["status"], r["attempts"], r["last_error"]) for r in _rows(store.root)] == [("sent", 2, None)] * 2


def test_a_server_that_is_down_is_tried_with_growing_waits_then_the_message_fails(site, monkeypatch):
    store, accounts = site
    port = _free_port()
    monkeypatch.setenv("DECARB_SMTP_URL", f"smtp://127.0.0.1:{port}")  # nothing listens there
    monkeypatch.setenv("DECARB_MAIL_FROM", "dashboard@example.invalid")
    notify.notify("accepted", submission(), actor="wg.reviewer", store=store, accounts=accounts)
    entry = _rows(store.root)[0]["entry"]
    now, waits = time.time(), []
    for attempt in range(1, notify.MAX_ATTEMPTS + 1):
        notify.deliver_pending(store.root, now=now)
        row = next(r for r in _rows(store.root) if r["entry"] == entry)
        assert row["attempts"] == attempt and "Connection" in row["last_error"]
        waits.append(round(row["next_attempt_at"] - now))
        now = row["next_attempt_at"]
    # 1, 2, 4 ... minutes, at most an hour; given up after the twelfth attempt
    assert waits[:8] == [60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert row["status"] == "failed"
    assert notify.deliver_pending(store.root, now=now + 10**6).retrying == 0  # a failed message is not tried again


def test_without_smtp_settings_mail_stays_pending_and_says_why(site, monkeypatch):
    store, accounts = site
    monkeypatch.delenv("DECARB_SMTP_URL", raising=False)
    notify.notify("submitted", submission(), actor="cardiff.cy", store=store, accounts=accounts)
    result = notify.deliver_pending(store.root)
    assert result.not_configured.code == "smtp_unset"
    assert "DECARB_SMTP_URL is not set" in result.not_configured.text("en")
    assert "nid yw DECARB_SMTP_URL wedi'i osod" in result.not_configured.text("cy")
    assert [(r["status"], r["attempts"]) for r in _rows(store.root)] == [("pending", 0)] * 2
    assert notify.outbox_counts(store.root) == {"pending": 2, "sending": 0, "sent": 0, "failed": 0}


@pytest.mark.parametrize(("url", "sender", "expected"), [
    ("smtp://mail.example.org", "d@example.org", ("mail.example.org", 25, False, False, None, None)),
    ("smtp://u%40council:p%3Ass@mail.example.org:2525?starttls=1", "d@example.org",
     ("mail.example.org", 2525, False, True, "u@council", "p:ss")),
    ("smtps://relay@smtp.example.org", "d@example.org", ("smtp.example.org", 465, True, False, "relay", None)),
    ("http://mail.example.org", "d@example.org", "smtp_url_bad"),
    ("smtp://mail.example.org:99999", "d@example.org", "smtp_url_bad"),
    ("smtp://mail.example.org", "", "sender_unset"),
    ("", "d@example.org", "smtp_unset"),
])
def test_the_smtp_setting_is_read_or_its_problem_named(monkeypatch, url, sender, expected):
    monkeypatch.setenv("DECARB_SMTP_URL", url)
    monkeypatch.setenv("DECARB_MAIL_FROM", sender)
    if isinstance(expected, str):
        with pytest.raises(notify.MailNotConfigured) as refused:
            notify.smtp_settings()
        assert refused.value.code == expected
        assert "DECARB_" in refused.value.text("en") and "DECARB_" in refused.value.text("cy")
        return
    s = notify.smtp_settings()
    assert (s.host, s.port, s.implicit_tls, s.starttls, s.username, s.password) == expected
    assert s.password is None or s.password not in s.describe()


@pytest.mark.sqlite_only
def test_notify_never_raises_when_the_store_is_broken_or_busy(site, smtp, caplog, monkeypatch):
    store, accounts = site
    caplog.set_level(logging.ERROR, logger="decarb_dashboard.notify")
    monkeypatch.setattr(notify, "ENQUEUE_TIMEOUT_S", 0.3)
    # busy: another writer holds the catalogue's write lock; notify gives up after its timeout, and says so
    holder = sqlite3.connect(store.root / "store.sqlite", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    started = time.monotonic()
    assert notify.notify("submitted", submission(), actor="cardiff.cy", store=store, accounts=accounts) is None
    assert time.monotonic() - started < 3
    holder.execute("ROLLBACK")
    holder.close()
    assert "could not be queued" in caplog.text and "database is locked" in caplog.text
    # broken: the catalogue is not a database; an unknown event; a submission that is not one
    caplog.clear()
    (store.root / "store.sqlite").write_bytes(b"this is not an SQLite database" * 100)
    notify._made.clear()
    notify.notify("submitted", submission(), actor="cardiff.cy", store=store, accounts=accounts)
    notify.notify("exploded", submission(), actor="cardiff.cy", store=store, accounts=accounts)
    notify.notify("queried", object(), actor="wg.reviewer", store=store, accounts=accounts)
    assert caplog.text.count("could not be queued") == 3
    assert "unknown event 'exploded'" in caplog.text
    assert smtp.messages == []


def test_notify_returns_at_once_and_the_sender_thread_delivers(tmp_path, smtp, monkeypatch, backend_env):
    store = SubmissionStore(tmp_path)
    accounts = AccountStore(tmp_path)
    accounts.add("wg.reviewer", PASSWORD, "reviewer", email="rhys@example.invalid", language="en")
    smtp.delay_s = 4.0  # a slow server: the caller does not wait for it
    started = time.monotonic()
    notify.notify("submitted", submission(), actor="cardiff.cy", store=store, accounts=accounts)
    assert time.monotonic() - started < 2.5
    deadline = time.monotonic() + 15
    while not smtp.messages and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [m["To"] for m in smtp.messages] == ["rhys@example.invalid"]
    assert notify._sender.thread.daemon and notify._sender.thread.name == "decarb-mail-sender"
    while notify.outbox_counts(tmp_path)["sent"] != 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert notify.outbox_counts(tmp_path)["sent"] == 1


_DELIVER = """
import sys, time
from decarb_dashboard import notify
start = float(sys.argv[2])
while time.time() < start:
    time.sleep(0.005)
print(notify.deliver_pending(sys.argv[1], everything=True, limit=3).sent)
"""


def test_two_processes_delivering_at_once_send_each_message_once(tmp_path, smtp, monkeypatch, backend_env):
    monkeypatch.setattr(notify, "start_sender", lambda *args, **kwargs: None)
    store = SubmissionStore(tmp_path)
    accounts = AccountStore(tmp_path)
    for i in range(12):
        accounts.add(f"reviewer.{i:02d}", PASSWORD, "reviewer", email=f"r{i:02d}@example.invalid")
    for n in range(3):  # 3 events x 12 reviewers = 36 messages
        notify.notify("submitted", submission(submission_id=f"s{n}", reference=f"CARDIFF-2024-25-0{n}"),
                      actor="cardiff.cy", store=store, accounts=accounts)
    assert notify.outbox_counts(tmp_path)["pending"] == 36
    smtp.delay_s = 0.01
    start = time.time() + 1.5
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    workers = [subprocess.Popen([sys.executable, "-c", _DELIVER, str(tmp_path), str(start)], env=env,
                                stdout=subprocess.PIPE, text=True) for _ in range(2)]
    sent = [int(w.communicate(timeout=120)[0].strip()) for w in workers]
    assert sum(sent) == 36
    received = sorted((m["To"], m["Subject"]) for m in smtp.messages)
    assert len(received) == 36 and len(set(received)) == 36  # each once
    assert len({m["Message-ID"] for m in smtp.messages}) == 36
    assert notify.outbox_counts(tmp_path) == {"pending": 0, "sending": 0, "sent": 36, "failed": 0}


def test_a_sender_that_died_while_sending_leaves_its_messages_to_another_after_the_lease(site, smtp):
    store, accounts = site
    notify.notify("submitted", submission(), actor="cardiff.cy", store=store, accounts=accounts)
    now = time.time()
    claimed = notify._claim(notify._outbox(store.root), "dead-sender", now, 10, False)
    assert len(claimed) == 2
    assert notify.deliver_pending(store.root, now=now + 60, everything=True) == notify.Delivery()  # still held
    assert notify.deliver_pending(store.root, now=now + notify.LEASE_S + 1).sent == 2
    assert len(smtp.messages) == 2


def _outbox_cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="decarb")
    cli_outbox.add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    return args.func(args)


def test_decarb_outbox_lists_the_state_and_sends_now(site, smtp, capsys, monkeypatch, backend_env):
    store, accounts = site
    notify.notify("queried", submission(), actor="wg.reviewer", message="Check gas.", store=store,
                  accounts=accounts)
    smtp.refuse = True
    notify.deliver_pending(store.root)
    assert _outbox_cli("outbox", "list", "--json", "--data-dir", str(store.root)) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["configured"] is True and listed["server"].startswith("smtp://127.0.0.1:")
    assert listed["counts"] == {"pending": 3, "sending": 0, "sent": 0, "failed": 0}
    assert [m["recipient"] for m in listed["messages"]] == ["central@example.invalid", "bob@example.invalid",
                                                            "alaw@example.invalid"]  # newest first
    assert listed["messages"][0]["attempts"] == 1 and "451" in listed["messages"][0]["last_error"]
    # send: now, without waiting out the back-off; exit 1 while any is still not sent
    assert _outbox_cli("outbox", "send", "--data-dir", str(store.root)) == 1
    assert "to be tried again: 3" in capsys.readouterr().out
    smtp.refuse = False
    assert _outbox_cli("outbox", "send", "--data-dir", str(store.root)) == 0
    assert "sent: 3;" in capsys.readouterr().out
    assert _outbox_cli("outbox", "list", "--data-dir", str(store.root)) == 0
    out = capsys.readouterr().out
    assert "mail goes through smtp://127.0.0.1" in out and "waiting: 0; being sent: 0; sent: 3; failed: 0" in out
    monkeypatch.delenv("DECARB_SMTP_URL")
    assert _outbox_cli("outbox", "send", "--data-dir", str(store.root)) == 1
    assert "DECARB_SMTP_URL is not set" in capsys.readouterr().err
    if not backend_env:  # a data directory without a store has no outbox (on PostgreSQL it is the database's)
        assert _outbox_cli("outbox", "list", "--data-dir", str(store.root / "nowhere")) == 2


@pytest.mark.sqlite_only  # what a message says: the same on both backends
def test_the_admin_page_shows_the_outbox_and_each_account_s_address(site, smtp):
    from decarb_dashboard.web import create_app
    from decarb_dashboard.web.pages import accounts as page

    store, accounts = site
    notify.notify("queried", submission(), actor="wg.reviewer", message="Check gas.", store=store,
                  accounts=accounts)
    smtp.refuse = True
    notify.deliver_pending(store.root)
    app = create_app(store.root, seed=False)
    with app.server.test_request_context():
        flask.g.decarb_account = Account("admin", "Admin", "admin", (), False, 0)
        english = shown_texts(page.layout("en"))
        welsh = shown_texts(page.layout("cy"))
    assert "E-mail notifications" in english and "3 messages waiting to be sent" in english
    assert "0 messages sent" in english and "0 messages failed after every attempt" in english
    assert any(s.startswith("E-mail is sent through smtp://127.0.0.1:") for s in english)
    assert "alaw@example.invalid" in english and "Cymraeg" in english and "every language, Welsh first" in english
    assert "none (no e-mails)" in english  # cardiff.quiet
    assert "Return CARDIFF-2024-25-03: Welsh Government has a question" in english
    assert any("451" in s for s in english)
    assert "Hysbysiadau e-bost" in welsh and "3 neges yn aros i'w hanfon" in welsh


def test_every_mail_key_the_code_uses_is_in_both_catalogues_and_none_is_untranslated(caplog):
    caplog.set_level(logging.ERROR)
    keywords = {k: None for k in i18n.EXTRACT_KEYWORDS["mail"]}
    found = {msg if isinstance(msg, str) else msg[0]
             for _, _, msg, _, _ in extract_from_dir(ROOT / "decarb_dashboard", [("**.py", "python")],
                                                      keywords=keywords)}
    english = set(i18n.entries("mail", "en"))
    assert {"mail_greeting", "mail_covers", "mail_years", "mail_footer"} <= found
    assert sorted(found - english) == []
    # the keys built from an event, a kind of recipient or a problem code (f-strings, which Babel skips)
    built = ("mail_subject_", "mail_body_", "mail_link_", "mail_page_", "mail_problem_")
    assert sorted(k for k in english - found if not k.startswith(built)) == []
    assert {k.removeprefix("mail_link_") for k in english if k.startswith("mail_link_")} == set(notify.PAGES)
    events = set(notify.EVENTS)
    assert {k.removeprefix("mail_subject_") for k in english if k.startswith("mail_subject_")} == events
    assert {k.removeprefix("mail_body_") for k in english if k.startswith("mail_body_")} == events
    welsh = {m.id: m.string for m in i18n.catalog("mail", "cy") if m.id}
    assert set(welsh) == {m.id for m in i18n.catalog("mail", "en") if m.id}
    assert [k for k, v in welsh.items() if not all(v if isinstance(v, tuple) else (v,))] == []


def test_welsh_first_follows_the_language_list(monkeypatch):
    assert notify.message_languages("en") == ("en",)
    assert notify.message_languages("cy") == ("cy",)
    assert notify.message_languages("") == ("cy", "en")
    monkeypatch.setattr(i18n, "languages", lambda: ("en", "cy", "qps"))
    assert notify.message_languages("") == ("cy", "en", "qps")


def test_the_sender_thread_is_one_per_process(tmp_path, monkeypatch):
    started = []
    monkeypatch.setattr(notify, "deliver_pending", lambda root, database_url=None: started.append(root))
    sender = notify._Sender()
    sender.start(tmp_path)
    first = sender.thread
    sender.start(tmp_path / "other")
    assert sender.thread is first and sender.roots == {(tmp_path, None), (tmp_path / "other", None)}
    deadline = time.monotonic() + 5
    while len(set(started)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert set(started) == {tmp_path, tmp_path / "other"}


@pytest.fixture
def certificate(tmp_path_factory) -> Path:
    """A self-signed certificate for 127.0.0.1 (made with openssl), with its key in the same file."""
    folder = tmp_path_factory.mktemp("tls")
    pem = folder / "server.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(folder / "key.pem"),
                    "-out", str(folder / "cert.pem")], check=True, capture_output=True, timeout=60)
    pem.write_text((folder / "cert.pem").read_text() + (folder / "key.pem").read_text())
    return pem


class _Logins:
    """An aiosmtpd authenticator that takes one user name and password and keeps who signed in."""

    def __init__(self, login: str, password: str) -> None:
        self.expected = (login.encode(), password.encode())
        self.seen: list[str] = []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult

        self.seen.append(auth_data.login.decode())
        return AuthResult(success=(auth_data.login, auth_data.password) == self.expected)


@pytest.mark.sqlite_only  # the SMTP transport: the same on both backends
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # implicit TLS: see below
@pytest.mark.parametrize("scheme", ["starttls", "smtps"])
def test_mail_goes_over_tls_signed_in_and_an_untrusted_certificate_is_refused(site, certificate, monkeypatch, scheme):
    import ssl

    store, accounts = site
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate)
    inbox, logins = Inbox(), _Logins("decarb@council", "s3cret:pass word")
    # aiosmtpd does not count implicit TLS as TLS for AUTH: it is told not to ask (the connection is TLS throughout)
    tls = ({"tls_context": context, "require_starttls": True} if scheme == "starttls"
           else {"ssl_context": context, "auth_require_tls": False})
    for _ in range(20):
        port = _free_port()
        controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=logins, auth_required=True,
                                **tls)
        try:
            controller.start()
            break
        except (OSError, RuntimeError):
            continue
    try:
        url = (f"smtp://decarb%40council:s3cret%3Apass%20word@127.0.0.1:{port}?starttls=1" if scheme == "starttls"
               else f"smtps://decarb%40council:s3cret%3Apass%20word@127.0.0.1:{port}")
        monkeypatch.setenv("DECARB_SMTP_URL", url)
        monkeypatch.setenv("DECARB_MAIL_FROM", "dashboard@example.invalid")
        notify.notify("submitted", submission(), actor="cardiff.cy", store=store, accounts=accounts)
        # the server's certificate is checked: one the system does not trust is refused, and nothing is sent
        monkeypatch.setenv("SSL_CERT_FILE", str(certificate.with_name("missing.pem")))
        assert notify.deliver_pending(store.root).retrying == 2
        assert "CERTIFICATE_VERIFY_FAILED" in _rows(store.root)[0]["last_error"] and inbox.messages == []
        monkeypatch.setenv("SSL_CERT_FILE", str(certificate))  # trusted: sent over TLS, signed in
        assert notify.deliver_pending(store.root, everything=True).sent == 2
        assert sorted(m["To"] for m in inbox.messages) == ["rhys@example.invalid", "second@example.invalid"]
        assert set(logins.seen) == {"decarb@council"}
    finally:
        controller.stop()
