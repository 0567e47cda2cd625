"""E-mail notifications of the review cycle: an outbox in the store's catalogue, delivered in the background.

:func:`notify` is called after a submission or a review decision has been stored
(``review.py``). It works out who is told (:meth:`AccountStore.recipients`: the
reviewers of a submission or a reply, the body's submitters of a query, an
acceptance, a reopening or a withdrawal; never the person who acted), writes each
their message as one row of the outbox table ``mail_outbox`` in ``store.sqlite``
(with ``DECARB_DATABASE_URL``, in the PostgreSQL database, which every server shares),
all in one transaction, and wakes this process's sender. It never raises (a
failure is logged) and waits at most :data:`ENQUEUE_TIMEOUT_S` for the catalogue's
lock: a submission is never held up or refused because of mail.

A message is in the recipient's language, or, when the account has none, in every
language with Welsh first (the Welsh Language Standards: Welsh is not treated less
favourably than English). Its texts are the ``mail`` gettext domain.

The sender is one daemon thread per process, started by the first :func:`notify`
(or :func:`start_sender`). It runs :func:`deliver_pending` when woken and every
:data:`POLL_S`. Delivery uses the standard library's ``smtplib`` with the server of
``DECARB_SMTP_URL`` and the sender ``DECARB_MAIL_FROM``; without them mail stays
pending (the Accounts page and ``decarb outbox list`` say so). A message the server
does not take is tried again after a growing wait (:func:`retry_delay_s`) and is
``failed`` after :data:`MAX_ATTEMPTS`; each row keeps its attempts and last error.

Several worker processes share one outbox. A sender first claims the rows that are
due in one write transaction (status ``sending``, its own token, a lease of
:data:`LEASE_S`), which SQLite serialises across processes (PostgreSQL, holding the
outbox's advisory lock, across servers), so no two senders take
the same row and no message goes twice. A row whose sender died while sending is
due again once its lease has run out: a message the server took just before that
crash may then go a second time (with the same Message-ID), but none is lost.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import os
import secrets
import smtplib
import ssl
import threading
import time
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from decarb_dashboard import config, migrations
from decarb_dashboard.accounts import Account, AccountStore
from decarb_dashboard.store_sql import OUTBOX_LOCK, PostgresCatalogue, SqliteCatalogue
from uploads_schema import i18n

log = logging.getLogger(__name__)

#: Who is told of each event: the reviewers, or the submitters of the submission's bodies.
EVENTS: dict[str, str] = {
    "submitted": "reviewer",
    "replied": "reviewer",
    "queried": "submitter",
    "accepted": "submitter",
    "reopened": "submitter",
    "withdrawn": "submitter",
}
#: The page a message links to, for each kind of recipient.
PAGES = {"reviewer": "/review", "submitter": "/upload"}
OUTBOX_STATUSES = ("pending", "sending", "sent", "failed")
#: How long notify() waits for the catalogue's write lock before giving up (logged), in seconds.
ENQUEUE_TIMEOUT_S = 5.0
#: A message is given up (``failed``) after this many attempts.
MAX_ATTEMPTS = 12
#: The wait after the first failed attempt, doubled after each further one up to RETRY_MAX_S, in seconds.
RETRY_FIRST_S = 60.0
RETRY_MAX_S = 3600.0
#: How long a sender's claim on a row lasts; after that another sender may take it, in seconds.
LEASE_S = 15 * 60.0
#: How many rows a sender claims at a time.
BATCH = 20
#: The sender thread looks for due messages at least this often, in seconds.
POLL_S = 60.0
#: How long smtplib waits for the server at each step, in seconds.
SMTP_TIMEOUT_S = 20.0
#: A longer message is cut there in the e-mail (the whole of it is in the review thread), in characters.
MAX_QUOTED_CHARS = 5000
#: Welsh first in a message for a recipient with no language (the Welsh Language Standards).
FIRST_LANGUAGE = "cy"

#: The SQLite file the outbox is in (the store's catalogue), in the data directory.
_CATALOGUE = "store.sqlite"


def mail_text(key: str, lang: str, **params: object) -> str:
    """Return ``key`` of the ``mail`` gettext domain in ``lang``, placeholders filled (a plural by its count)."""
    return i18n.gettext("mail", key, lang, **params)


# ---- settings ---------------------------------------------------------------------------------------------
class MailNotConfigured(Exception):
    """Mail cannot be sent with the settings as they are; ``code`` names the problem (``mail_problem_<code>``)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail

    def text(self, lang: str) -> str:
        """The problem in the reader's language, naming the setting to fix."""
        return mail_text(f"mail_problem_{self.code}", lang, detail=self.detail)


@dataclass(frozen=True)
class SmtpSettings:
    """Where mail goes (``DECARB_SMTP_URL``) and whom it is from (``DECARB_MAIL_FROM``)."""

    host: str
    port: int
    implicit_tls: bool  #: ``smtps://``: TLS from the first byte
    starttls: bool  #: ``smtp://...?starttls=1``: upgrade to TLS before signing in
    username: str | None
    password: str | None
    sender: str

    def describe(self) -> str:
        """The server and sender without the password, for the admin page and the log."""
        scheme = "smtps" if self.implicit_tls else "smtp"
        user = f"{urllib.parse.quote(self.username, safe='')}@" if self.username else ""
        tls = "?starttls=1" if self.starttls else ""
        return f"{scheme}://{user}{self.host}:{self.port}{tls} from {self.sender}"


def smtp_settings() -> SmtpSettings:
    """Return the SMTP settings, or raise MailNotConfigured saying what is missing or not understood.

    ``DECARB_SMTP_URL`` is ``smtp://[user:password@]host[:port]`` (port 25; ``?starttls=1`` for
    STARTTLS) or ``smtps://...`` (port 465, implicit TLS); user and password are URL-encoded.
    """
    raw = os.environ.get("DECARB_SMTP_URL", "").strip()
    if not raw:
        raise MailNotConfigured("smtp_unset")
    try:
        url = urllib.parse.urlsplit(raw)
        port = url.port
    except ValueError as exc:
        raise MailNotConfigured("smtp_url_bad", str(exc)) from None
    if url.scheme not in ("smtp", "smtps") or not url.hostname:
        raise MailNotConfigured("smtp_url_bad", f"{url.scheme or '?'}://{url.hostname or '?'}")
    query = urllib.parse.parse_qs(url.query)
    sender = os.environ.get("DECARB_MAIL_FROM", "").strip()
    if not sender:
        raise MailNotConfigured("sender_unset")
    implicit = url.scheme == "smtps"
    return SmtpSettings(
        host=url.hostname, port=port or (465 if implicit else 25), implicit_tls=implicit,
        starttls=not implicit and query.get("starttls", ["0"])[0].lower() in ("1", "true", "yes"),
        username=urllib.parse.unquote(url.username) if url.username else None,
        password=urllib.parse.unquote(url.password) if url.password else None, sender=sender)


def public_url() -> str | None:
    """Return ``DECARB_PUBLIC_URL`` (the dashboard's address as its users reach it) without a final /, or None."""
    raw = os.environ.get("DECARB_PUBLIC_URL", "").strip().rstrip("/")
    return raw or None


# ---- the outbox table ---------------------------------------------------------------------------------------
_made: set[Path] = set()


def _outbox(root: Path, database_url: str | None = None) -> SqliteCatalogue | PostgresCatalogue:
    """Return the database with the outbox table in it: the PostgreSQL database at ``database_url`` (None:
    ``$DECARB_DATABASE_URL``'s, if set), else the data directory's catalogue, brought up to the migrations' newest
    revision if it is behind; FileNotFoundError if there is no store there."""
    url = database_url if database_url is not None else config.database_url()
    if url:
        return PostgresCatalogue(url, lock=OUTBOX_LOCK)
    path = Path(root) / _CATALOGUE
    if path not in _made:
        if not path.is_file():  # never make a stray catalogue where there is no store
            raise FileNotFoundError(f"no submission store in {root} ({_CATALOGUE} is missing)")
        migrations.ensure_sqlite(path, "store")
        _made.add(path)
    return SqliteCatalogue(path)


def _root(store: object | None) -> Path:
    """The data directory of a SubmissionStore (anything with ``root``), else ``$DECARB_DATA_DIR``'s."""
    return Path(store.root) if store is not None else config.data_dir()


def _url(store: object | None) -> str | None:
    """The PostgreSQL database of a SubmissionStore ('' for its data directory), else None (the setting's)."""
    return getattr(store, "database_url", None) if store is not None else None


def _now_iso(at: float | None = None) -> str:
    moment = dt.datetime.fromtimestamp(time.time() if at is None else at, dt.UTC)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


# ---- what a message says ------------------------------------------------------------------------------------
def message_languages(account_language: str) -> tuple[str, ...]:
    """The languages of a message to an account: its own, or every language with Welsh first."""
    if account_language in i18n.languages():
        return (account_language,)
    every = i18n.languages()
    return tuple(sorted(every, key=lambda code: (code != FIRST_LANGUAGE, every.index(code))))


@dataclass(frozen=True)
class _Context:
    """What every message of one event says, whoever it goes to."""

    event: str
    submission_id: str
    reference: str
    organisations: tuple[str, ...]
    reporting_years: tuple[str, ...]
    actor: str
    message: str | None
    #: the bodies' names with their ids in each language ("Cyngor Caerdydd (cardiff)")
    body_names: dict[str, str]


def _body_names(root: Path, organisations: Iterable[str]) -> dict[str, str]:
    """The bodies' names with their ids in every language; the ids alone if the register cannot be read."""
    ids = list(organisations)
    try:
        from decarb_dashboard.matcher import matcher_for
        from decarb_dashboard.registry import load_registry

        matcher = matcher_for(load_registry(root))
        return {lang: ", ".join(f"{matcher.name(body, lang)} ({body})" for body in ids) for lang in i18n.languages()}
    except Exception:  # a name is a courtesy: the message still goes with the ids
        log.warning("notify: the register could not be read for the bodies' names; using their ids", exc_info=True)
        return {lang: ", ".join(ids) for lang in i18n.languages()}


def _link(ctx: _Context, kind: str, lang: str) -> str | None:
    base = public_url()
    if base is None:
        return None
    if kind == "reviewer":
        query = {"submission": ctx.submission_id, "lang": lang}
    else:
        query = {"body": ctx.organisations[0], "year": ctx.reporting_years[0], "lang": lang}
    return f"{base}{PAGES[kind]}?{urllib.parse.urlencode(query)}"


def _compose(ctx: _Context, recipient: Account, actor_name: str) -> tuple[str, str, tuple[str, ...]]:
    """Return the subject, the plain-text body and the languages of ``ctx``'s message to ``recipient``."""
    kind = EVENTS[ctx.event]
    langs = message_languages(recipient.language)
    subjects, bodies = [], []
    for lang in langs:
        params = {"reference": ctx.reference, "bodies": ctx.body_names[lang], "years": ", ".join(ctx.reporting_years),
                  "actor": actor_name, "count": len(ctx.organisations)}
        subjects.append(mail_text(f"mail_subject_{ctx.event}", lang, **params))
        lines = [mail_text("mail_greeting", lang, name=recipient.display_name), "",
                 mail_text(f"mail_body_{ctx.event}", lang, **params), "",
                 mail_text("mail_covers", lang, **params),
                 mail_text("mail_years", lang, years=params["years"], count=len(ctx.reporting_years)),
                 mail_text("mail_reference", lang, reference=ctx.reference, submission_id=ctx.submission_id)]
        if ctx.message and ctx.message.strip():
            words = ctx.message.strip()
            words = words if len(words) <= MAX_QUOTED_CHARS else words[:MAX_QUOTED_CHARS - 1] + "…"
            quoted = "\n".join(f"> {line}" for line in words.splitlines())
            lines += ["", mail_text("mail_message_from", lang, actor=actor_name), quoted]
        link = _link(ctx, kind, lang)
        lines += ["", mail_text(f"mail_link_{kind}", lang, url=link) if link else mail_text(f"mail_page_{kind}", lang)]
        lines += ["", mail_text("mail_footer", lang)]
        bodies.append("\n".join(lines))
    return " / ".join(subjects), ("\n\n" + "-" * 40 + "\n\n").join(bodies), langs


def _messages(ctx: _Context, accounts: AccountStore) -> list[tuple]:
    """The outbox rows of one event: one per recipient with an address, the actor left out."""
    kind = EVENTS[ctx.event]
    people = accounts.recipients(kind, ctx.organisations) if kind == "submitter" else accounts.recipients(kind)
    acting = accounts.get(ctx.actor)
    actor_name = acting.display_name if acting is not None else ctx.actor
    now = time.time()
    rows = []
    for person in people:
        if person.username == (acting.username if acting is not None else ctx.actor):
            continue  # nobody is told of what they did themselves
        subject, body, langs = _compose(ctx, person, actor_name)
        rows.append((_now_iso(now), ctx.event, ctx.submission_id, ctx.reference, person.username, person.email,
                     ",".join(langs), subject, body, "pending", now))
    return rows


def notify(event: str, submission: object, *, actor: str, message: str | None = None, store: object | None = None,
           accounts: AccountStore | None = None) -> None:
    """Queue the e-mails of a review event and wake the sender; never raises, never waits on the mail server.

    ``event`` is one of :data:`EVENTS`; ``submission`` a :class:`~decarb_dashboard.store.Submission`
    (its ``reference`` when it has one, else its id, names it); ``actor`` the user name of who acted;
    ``message`` the reviewer's or submitter's words, quoted in the message. ``store`` (a
    SubmissionStore, default that of ``$DECARB_DATA_DIR``) holds the outbox; ``accounts`` (default
    the data directory's) says who is told. Every row of the event is written in one transaction.
    """
    submission_id = getattr(submission, "submission_id", "?")
    try:
        if event not in EVENTS:
            raise ValueError(f"unknown event {event!r}; one of {', '.join(EVENTS)}")
        root, url = _root(store), _url(store)
        outbox = _outbox(root, url)
        organisations = tuple(submission.organisations)
        ctx = _Context(event, submission_id, str(getattr(submission, "reference", None) or submission_id),
                       organisations, tuple(submission.reporting_years), actor, message,
                       _body_names(root, organisations))
        rows = _messages(ctx, accounts if accounts is not None else AccountStore(root, url))
        if rows:
            with outbox.transaction(timeout_s=ENQUEUE_TIMEOUT_S) as db:
                db.executemany(
                    "INSERT INTO mail_outbox (created_at, event, submission_id, reference, username, recipient,"
                    " languages, subject, body, status, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    rows)
            log.info("notify: %s of %s queued for %d recipient(s)", event, submission_id, len(rows))
        start_sender(root, url)
    except Exception:  # mail must never fail or hold up a submission or a decision
        log.exception("notify: the %s e-mails of submission %s could not be queued", event, submission_id)


def queue_password_reset(data_dir: Path | str, recipient: Account, link: str, *, actor_name: str,
                         hours: int, database_url: str | None = None) -> None:
    """Queue the e-mail carrying a one-time password reset ``link`` to ``recipient`` (who must have an address).

    In the account's language or every language, Welsh first, like the review cycle's messages; the
    outbox row has no submission (``submission_id`` and ``reference`` empty). Unlike :func:`notify` it
    raises (OSError, or the database's error: :attr:`AccountStore.errors`) when the outbox cannot be
    written, so that the admin can be shown the link instead. ``database_url`` as for :func:`deliver_pending`.
    """
    if not recipient.email:
        raise ValueError(f"{recipient.username} has no e-mail address")
    root = Path(data_dir)
    outbox = _outbox(root, database_url)
    langs = message_languages(recipient.language)
    subjects, bodies = [], []
    for lang in langs:
        subjects.append(mail_text("mail_reset_subject", lang))
        bodies.append("\n".join([mail_text("mail_greeting", lang, name=recipient.display_name), "",
                                 mail_text("mail_reset_body", lang, actor=actor_name,
                                           username=recipient.username, count=hours, hours=hours), "",
                                 link, "", mail_text("mail_reset_not_asked", lang), "",
                                 mail_text("mail_footer", lang)]))
    now = time.time()
    with outbox.transaction(timeout_s=ENQUEUE_TIMEOUT_S) as db:
        db.execute("INSERT INTO mail_outbox (created_at, event, submission_id, reference, username, recipient,"
                   " languages, subject, body, status, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   (_now_iso(now), "password_reset", "", "", recipient.username, recipient.email, ",".join(langs),
                    " / ".join(subjects), ("\n\n" + "-" * 40 + "\n\n").join(bodies), "pending", now))
    log.info("notify: a password reset link for %s queued", recipient.username)
    start_sender(root, database_url)


# ---- delivery ---------------------------------------------------------------------------------------------
def retry_delay_s(attempts: int) -> float:
    """The wait before the next try after ``attempts`` failed ones: 1 min, 2, 4 ... up to 1 hour, in seconds."""
    return min(RETRY_MAX_S, RETRY_FIRST_S * 2.0 ** max(attempts - 1, 0))


@dataclass(frozen=True)
class Delivery:
    """What one :func:`deliver_pending` did: messages sent, to be tried again, given up."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    not_configured: MailNotConfigured | None = None


def _claim(outbox, token: str, now: float, limit: int, everything: bool) -> list[dict]:
    """Mark up to ``limit`` due rows (``everything``: every pending one) as this sender's, in one write transaction."""
    due_by = 1e300 if everything else now  # later than any time (PostgreSQL takes no infinity as a parameter)
    with outbox.transaction() as db:
        rows = db.execute(
            "UPDATE mail_outbox SET status = 'sending', claimed_by = ?, claimed_until = ? WHERE entry IN ("
            " SELECT entry FROM mail_outbox WHERE (status = 'pending' AND next_attempt_at <= ?)"
            " OR (status = 'sending' AND claimed_until < ?) ORDER BY entry LIMIT ?) RETURNING *",
            (token, now + LEASE_S, due_by, now, limit)).fetchall()
    return sorted((dict(r) for r in rows), key=lambda r: r["entry"])


def _finish(outbox, row: dict, token: str, now: float, error: BaseException | None) -> str:
    """Record the outcome of sending ``row``: sent, pending again after a wait, or failed. Returns the status."""
    if error is None:
        status, sql, args = "sent", "status = 'sent', sent_at = ?, last_error = NULL", (_now_iso(now),)
    else:
        attempts = row["attempts"] + 1
        status = "failed" if attempts >= MAX_ATTEMPTS else "pending"
        text = f"{type(error).__name__}: {error}"[:500]
        sql, args = "status = ?, next_attempt_at = ?, last_error = ?", (status, now + retry_delay_s(attempts), text)
    with outbox.transaction() as db:
        db.execute(f"UPDATE mail_outbox SET {sql}, attempts = attempts + 1, claimed_by = NULL, claimed_until = NULL"
                   " WHERE entry = ? AND claimed_by = ?", (*args, row["entry"], token))
    return status


def _email(row: dict, settings: SmtpSettings) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.sender
    msg["To"] = row["recipient"]
    msg["Subject"] = row["subject"]
    msg["Date"] = email.utils.formatdate(usegmt=True)
    domain = email.utils.parseaddr(settings.sender)[1].rpartition("@")[2] or "decarb.invalid"
    # the same for every try, so that a message sent twice after a crash is recognisably one
    msg["Message-ID"] = f"<decarb-outbox-{row['entry']}-{row['created_at'].replace(':', '')}@{domain}>"
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies
    msg.set_content(row["body"])
    msg["Content-Language"] = ", ".join(row["languages"].split(","))  # after set_content, which clears Content-*
    return msg


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    context = ssl.create_default_context()
    if settings.implicit_tls:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=SMTP_TIMEOUT_S, context=context)
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=SMTP_TIMEOUT_S)
        if settings.starttls:
            smtp.starttls(context=context)
    if settings.username:
        smtp.login(settings.username, settings.password or "")
    return smtp


#: Errors about one message (its recipient or content); any other error ends the connection for the batch.
_ONE_MESSAGE = (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused)


def deliver_pending(data_dir: Path | str | None = None, *, now: float | None = None, everything: bool = False,
                    limit: int = BATCH, database_url: str | None = None) -> Delivery:
    """Send the outbox's due messages, ``limit`` at a time, and record each outcome; return what happened.

    ``now`` (seconds since the epoch, default the clock) says which are due; ``everything`` sends
    every pending message whatever its wait (``decarb outbox send``; a row another sender holds is
    left to it). It stops at the first batch in which anything failed. Without the SMTP settings
    nothing is claimed or changed (``not_configured`` says why). The outbox is the PostgreSQL database's
    at ``database_url`` (None: ``$DECARB_DATABASE_URL``'s; '': the data directory's, whatever the setting).
    Raises only for a data directory without a store, or a database that cannot be reached; the sender
    thread logs that.
    """
    try:
        settings = smtp_settings()
    except MailNotConfigured as exc:  # nothing can be sent: the store is not even opened
        return Delivery(not_configured=exc)
    outbox = _outbox(Path(data_dir) if data_dir is not None else config.data_dir(), database_url)
    at = time.time() if now is None else now
    token = f"{os.getpid()}-{threading.get_ident()}-{secrets.token_hex(4)}"
    outcomes: list[str] = []
    while rows := _claim(outbox, token, at, limit, everything):
        done = len(outcomes)
        try:
            smtp = _connect(settings)
        except (smtplib.SMTPException, OSError) as exc:
            log.warning("mail: cannot reach or sign in to %s: %s", settings.describe(), exc)
            outcomes = [_finish(outbox, row, token, at, exc) for row in rows]
        else:
            with smtp:
                for i, row in enumerate(rows):
                    try:
                        smtp.send_message(_email(row, settings))
                    except _ONE_MESSAGE as exc:
                        outcomes.append(_finish(outbox, row, token, at, exc))
                    except (smtplib.SMTPException, OSError) as exc:  # the connection is gone: the rest wait too
                        log.warning("mail: %s stopped taking messages: %s", settings.describe(), exc)
                        outcomes += [_finish(outbox, r, token, at, exc) for r in rows[i:]]
                        break
                    else:
                        outcomes.append(_finish(outbox, row, token, at, None))
        if len(rows) < limit or outcomes[done:].count("sent") < len(rows):
            break
    return Delivery(sent=outcomes.count("sent"), retrying=outcomes.count("pending"), failed=outcomes.count("failed"))


# ---- the sender thread --------------------------------------------------------------------------------------
class _Sender:
    """One daemon thread per process that delivers the outboxes of the data directories it was given."""

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:  # also in a forked child: the parent's thread does not exist there
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.roots: set[tuple[Path, str | None]] = set()
        self.thread: threading.Thread | None = None

    def start(self, root: Path, database_url: str | None = None) -> None:
        with self.lock:
            self.roots.add((root, database_url))
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="decarb-mail-sender", daemon=True)
                self.thread.start()
        self.wake.set()

    def _run(self) -> None:
        while True:
            self.wake.wait(POLL_S)
            self.wake.clear()
            with self.lock:
                roots = sorted(self.roots, key=str)
            for root, url in roots:
                try:
                    deliver_pending(root, database_url=url)
                except FileNotFoundError:  # the store was moved or removed: nothing to send from there
                    with self.lock:
                        self.roots.discard((root, url))
                except Exception:  # logged, and tried again at the next wake
                    log.exception("mail: delivering the outbox of %s failed", root)


_sender = _Sender()
os.register_at_fork(after_in_child=_sender._reset)


def start_sender(data_dir: Path | str | None = None, database_url: str | None = None) -> None:
    """Start this process's sender (once) for ``data_dir``'s outbox (or ``database_url``'s, as for
    :func:`deliver_pending`) and wake it: for an app's start-up."""
    _sender.start(Path(data_dir) if data_dir is not None else config.data_dir(), database_url)


# ---- what the admin page and the CLI show --------------------------------------------------------------------
def outbox_counts(data_dir: Path | str | None = None, database_url: str | None = None) -> dict[str, int]:
    """Return how many messages are in each outbox status (``pending``, ``sending``, ``sent``, ``failed``)."""
    outbox = _outbox(Path(data_dir) if data_dir is not None else config.data_dir(), database_url)
    with outbox.connect() as db:
        found = dict(db.execute("SELECT status, COUNT(*) FROM mail_outbox GROUP BY status").fetchall())
    return {status: int(found.get(status, 0)) for status in OUTBOX_STATUSES}


def outbox_rows(data_dir: Path | str | None = None, *, limit: int | None = 20,
                status: str | None = None, database_url: str | None = None) -> list[dict]:
    """Return the newest outbox rows first (at most ``limit``; None: all), optionally of one ``status``.

    Each: ``entry, created_at, event, submission_id, reference, username, recipient, languages,
    subject, status, attempts, last_error, next_attempt_at`` (ISO time, UTC) ``, sent_at``.
    """
    outbox = _outbox(Path(data_dir) if data_dir is not None else config.data_dir(), database_url)
    where, args = ("WHERE status = ?", [status]) if status else ("", [])
    sql = (f"SELECT entry, created_at, event, submission_id, reference, username, recipient, languages, subject,"
           f" status, attempts, last_error, next_attempt_at, sent_at FROM mail_outbox {where} ORDER BY entry DESC")
    if limit is not None:
        sql, args = sql + " LIMIT ?", [*args, int(limit)]
    with outbox.connect() as db:
        rows = [dict(r) for r in db.execute(sql, args)]
    for row in rows:
        row["next_attempt_at"] = _now_iso(row["next_attempt_at"]) if row["status"] == "pending" else None
    return rows


def mail_state() -> MailNotConfigured | SmtpSettings:
    """Return the SMTP settings, or the problem that keeps mail in the outbox (for the admin page and the CLI)."""
    try:
        return smtp_settings()
    except MailNotConfigured as exc:
        return exc
