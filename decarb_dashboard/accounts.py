"""Accounts, roles and who may do what.

Accounts live in ``accounts.sqlite`` in the data directory, beside the store, or, with
``DECARB_DATABASE_URL``, in the PostgreSQL database the store is in (the tables are the
migrations' ``accounts`` branch, :mod:`decarb_dashboard.migrations`). Passwords are kept only as
werkzeug's salted scrypt hashes. Sign-in failures are counted in the same database, so the limit
holds across every worker process of a deployment, and, on PostgreSQL, across every server.

Roles
-----
submitter
    staff of one or more bodies: may check and submit returns for those bodies
    and read their submission history (drafts, queries).
reviewer
    Welsh Government: may read every body's history and accept or query a submission.
admin
    manages accounts and may read every history; neither submits nor reviews,
    so that only a body's own staff change its figures.
Anyone, signed in or not, may read the published comparisons.

An account may have an e-mail address and a language (``en``, ``cy``, or empty for
both) for the review cycle's notifications (:mod:`decarb_dashboard.notify`):
:meth:`AccountStore.recipients` says who is told.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import json
import math
import os
import re
import secrets
import time
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import email_validator
from werkzeug.security import check_password_hash, generate_password_hash

from decarb_dashboard import config, migrations
from decarb_dashboard.reasons import ReasonError
from decarb_dashboard.store_sql import ACCOUNTS_LOCK, PostgresCatalogue, SqliteCatalogue
from uploads_schema import i18n

ROLES = ("submitter", "reviewer", "admin")
#: What each role may do; "own" means only for the bodies the account is bound to.
PERMISSIONS: dict[str, dict[str, str]] = {
    "read_published": {"anonymous": "all", "submitter": "all", "reviewer": "all", "admin": "all"},
    "read_drafts": {"submitter": "own", "reviewer": "all", "admin": "all"},
    "submit": {"submitter": "own"},
    "review": {"reviewer": "all"},
    "administer": {"admin": "all"},
}
ACTIONS = tuple(PERMISSIONS)
MIN_PASSWORD_LENGTH = 12
#: Fewer different characters than this is not a passphrase ("aaaaaaaaaaaa", "ababababab12").
MIN_DISTINCT_CHARACTERS = 5
#: Runs of keys or letters that make up a trivial password ("123456789012", "qwertyuiopas").
_RUNS = ("0123456789012345678901234567890", "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz",
         "qwertyuiopasdfghjklzxcvbnmqwertyuiopasdfghjklzxcvbnm", "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p")
_LOOK_ALIKE = str.maketrans("@4310$5!7", "aaeiosslt")
COMMON_PASSWORDS_CSV = Path(__file__).parent / "data" / "common_passwords.csv"
#: Failed sign-ins are forgotten this long after the last one.
FAILURE_WINDOW_S = 15 * 60
#: A password reset link works once, for this long after it was made.
RESET_LINK_HOURS = 24
#: What the accounts audit records (``action`` of :meth:`AccountStore.audit`).
AUDIT_ACTIONS = ("add", "edit", "assign", "disable", "enable", "set_password", "reset_link", "reset_used")


@dataclass(frozen=True)
class Throttle:
    """A growing wait after failed sign-ins counted under one key: none for the first ``free``, then 1 s, 2 s, 4 s ...

    No count locks anyone out: the wait is at most ``max_wait_s`` after the last failure.
    """

    name: str
    free: int
    max_wait_s: float
    #: a successful sign-in clears the count (else it only takes the attempt back)
    forget_on_success: bool

    def key(self, username: str, client: str) -> str:
        return {"account": f"account:{username}", "client": f"client:{client}",
                "pair": f"pair:{client}:{username}"}[self.name]

    def delay_s(self, failures: int) -> float:
        """The wait after ``failures`` failures in a row, in seconds."""
        return 0.0 if failures < self.free else min(self.max_wait_s, 2.0 ** min(failures - self.free, 32))


#: Guessing one account from one address slows fast and far; an address trying many accounts slows too; one
#: account tried from everywhere slows only a little, so that nobody can keep its owner out for long.
THROTTLES = (
    Throttle("pair", free=3, max_wait_s=FAILURE_WINDOW_S, forget_on_success=True),
    Throttle("client", free=20, max_wait_s=FAILURE_WINDOW_S, forget_on_success=False),
    Throttle("account", free=10, max_wait_s=60, forget_on_success=True),
)
#: RFC 2606's domain that never resolves: the demo accounts' addresses, which no real server delivers to.
DEMO_EMAIL_DOMAIN = "example.invalid"
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@+-]{0,119}$")
# Checked against when the account does not exist, so that a wrong name takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not a password of anyone")

def _now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _audit(db, actor: str, action: str, username: str, **detail: object) -> None:
    """Record one change to an account in the append-only audit, in the caller's transaction."""
    db.execute("INSERT INTO accounts_audit (at, actor, action, username, detail) VALUES (?, ?, ?, ?, ?)",
               (_now_iso(), actor or "system", action, username, json.dumps(detail, ensure_ascii=False)))


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class AccountError(ReasonError):
    """A request about accounts that cannot be done, worded for the person who asked.

    ``AccountError(code, **params)``, a message of the ``reasons`` catalogue: English in ``str()``, in the
    reader's language with :func:`decarb_dashboard.reasons.said`.
    """


class SignInThrottled(Exception):
    """Failed sign-ins lately ask for a wait; ``retry_after_s`` says when to try again."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"too many failed sign-ins; try again in {retry_after_s} s")
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class Account:
    username: str
    display_name: str
    role: str
    bodies: tuple[str, ...]
    disabled: bool
    session_epoch: int
    #: where notifications go (None: nowhere)
    email: str | None = None
    #: the language of notifications, a code of ``locale/languages.csv``; empty: every language, Welsh first
    language: str = ""


def allowed(account: Account | None, action: str, organisation_id: str | None = None) -> bool:
    """Return whether ``account`` (None: not signed in) may do ``action`` for ``organisation_id``.

    The one place the rules live: the web callbacks, routes and the tests all ask here.
    """
    if action not in PERMISSIONS:
        raise ValueError(f"unknown action {action!r}")
    role = "anonymous" if account is None or account.disabled else account.role
    scope = PERMISSIONS[action].get(role)
    if scope == "all":
        return True
    return scope == "own" and account is not None and organisation_id in account.bodies


@functools.cache
def common_passwords() -> frozenset[str]:
    """The words no password may be made of (``data/common_passwords.csv``, lower-case letters only)."""
    with open(COMMON_PASSWORDS_CSV, encoding="utf-8", newline="") as f:
        return frozenset(row["password"].strip().lower() for row in csv.DictReader(f))


def _is_run(text: str) -> bool:
    """Whether ``text`` is a stretch of consecutive keys, letters or digits, forwards or backwards."""
    return any(text in run or text in run[::-1] for run in _RUNS)


def check_password(password: str, username: str = "") -> None:
    """Raise AccountError unless ``password`` is a passphrase: long, not trivial, not a common password.

    Follows the NCSC's guidance: length and a deny-list, no composition rules. The
    deny-list is matched on the letters alone, so "Password1234!" is refused as "password".
    """
    text = (password or "").strip()
    if len(text) < MIN_PASSWORD_LENGTH:
        raise AccountError("account_password_short", min=MIN_PASSWORD_LENGTH)
    folded = re.sub(r"\s+", "", text.lower())
    letters = re.sub(r"[^a-z]", "", folded)
    if len(set(folded)) < MIN_DISTINCT_CHARACTERS or _is_run(folded) or not letters:
        raise AccountError("account_password_guessable")
    # "P@ssw0rd 2024" is "password": digits and symbols at the end dropped, look-alike ones read as letters.
    look_alike = re.sub(r"[^a-z]", "", folded.rstrip("0123456789!?.#*_-").translate(_LOOK_ALIKE))
    name = re.sub(r"[^a-z]", "", (username or "").lower().split("@")[0])
    if {letters, look_alike} & common_passwords() or (len(name) >= 3 and name in (letters, look_alike)):
        raise AccountError("account_password_common")


def _checked_bodies(role: str, bodies: Iterable[str]) -> tuple[str, ...]:
    """The bodies of an account of ``role``, sorted: a submitter needs one or more, other roles none."""
    chosen = tuple(sorted({str(b).strip() for b in bodies if str(b).strip()}))
    if role == "submitter" and not chosen:
        raise AccountError("account_submitter_needs_body")
    if role != "submitter" and chosen:
        raise AccountError("account_role_all_bodies", role=role)
    return chosen


def check_email(address: str | None) -> str | None:
    """Return ``address`` in normal form (domain in lower case), None for no address; AccountError if not one.

    Checked with the email-validator library: syntax only, no DNS look-up (it works offline). Reserved names
    are refused, except :data:`DEMO_EMAIL_DOMAIN`.
    """
    text = (address or "").strip()
    if not text:
        return None
    local, _, domain = text.rpartition("@")
    demo = domain.lower() == DEMO_EMAIL_DOMAIN
    try:
        # the demo domain is checked as an ordinary one would be, and kept
        checked = email_validator.validate_email(f"{local}@example.org" if demo else text, check_deliverability=False)
    except email_validator.EmailNotValidError:
        raise AccountError("account_bad_email", address=repr(text)) from None
    return f"{checked.local_part}@{DEMO_EMAIL_DOMAIN}" if demo else checked.normalized


def check_language(code: str | None) -> str:
    """Return the notification language ``code`` ('' for every language); AccountError for one not supported."""
    text = (code or "").strip().lower()
    if text and text not in i18n.languages():
        raise AccountError("account_unknown_language", language=repr(text), languages=", ".join(i18n.languages()))
    return text


#: The PostgreSQL databases whose accounts' tables this process has found at their newest revision.
_migrated: set[tuple[str, int]] = set()


class AccountStore:
    """The accounts of a deployment: in ``<data_dir>/accounts.sqlite``, or in the PostgreSQL database at
    ``database_url`` (default ``$DECARB_DATABASE_URL``; none when that is unset), which every server shares.

    The SQLite file is made, or brought up from an older version, by the migrations when it is opened
    behind their newest revision; a PostgreSQL database behind it is refused (StoreNotMigrated: run
    ``decarb store migrate``), checked once per process.
    """

    def __init__(self, data_dir: Path | str | None = None, database_url: str | None = None) -> None:
        self.root = Path(data_dir) if data_dir is not None else config.data_dir()
        url = database_url if database_url is not None else config.database_url()
        self._db: SqliteCatalogue | PostgresCatalogue
        if url:
            self._db = PostgresCatalogue(url, lock=ACCOUNTS_LOCK)
            if (url, os.getpid()) not in _migrated:
                from decarb_dashboard.store import refuse_unmigrated

                refuse_unmigrated(self._db)
                _migrated.add((url, os.getpid()))
        else:
            self.root.mkdir(parents=True, exist_ok=True)
            self._db = SqliteCatalogue(self.root / migrations.SQLITE_FILES["accounts"])
            migrations.ensure_sqlite(self._db.path, "accounts")
        #: What the database raises when it cannot be reached or written.
        self.errors: tuple[type[BaseException], ...] = self._db.errors
        #: The PostgreSQL database the accounts are in, or '' for the data directory's file.
        self.database_url = url or ""

    def _connect(self):
        return self._db.connect()

    def _write(self):
        return self._db.transaction()

    # ---- managing ------------------------------------------------------------
    def add(self, username: str, password: str, role: str, bodies: tuple[str, ...] | list[str] = (),
            display_name: str | None = None, *, email: str | None = None, language: str = "",
            actor: str = "system") -> Account:
        """Create an account; a submitter must be bound to at least one body, other roles to none.

        ``email`` (optional) is where notifications go, in ``language`` ('' for every language).
        ``actor`` (who added it) is recorded in the audit with the role and bodies.
        """
        username = (username or "").strip().lower()
        if not _USERNAME.match(username):
            raise AccountError("account_bad_username")
        if role not in ROLES:
            raise AccountError("account_unknown_role", role=repr(role), roles=", ".join(ROLES))
        bodies = _checked_bodies(role, bodies)
        check_password(password, username)
        email, language = check_email(email), check_language(language)
        with self._write() as db:
            if db.execute("SELECT 1 FROM accounts WHERE username = ?", (username,)).fetchone():
                raise AccountError("account_exists", username=repr(username))
            db.execute(
                "INSERT INTO accounts (username, display_name, role, password_hash, created_at, email, language)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (username, (display_name or username).strip()[:120], role, generate_password_hash(password),
                 _now_iso(), email, language),
            )
            db.executemany("INSERT INTO account_bodies VALUES (?, ?)", [(username, b) for b in bodies])
            _audit(db, actor, "add", username, role=role, bodies=list(bodies), email=email, language=language)
        account = self.get(username)
        assert account is not None
        return account

    def get(self, username: str) -> Account | None:
        with self._connect() as db:
            row = db.execute("SELECT * FROM accounts WHERE username = ?", ((username or "").lower(),)).fetchone()
            if row is None:
                return None
            bodies = [r[0] for r in db.execute(
                "SELECT organisation_id FROM account_bodies WHERE username = ? ORDER BY organisation_id",
                (row["username"],))]
        return Account(row["username"], row["display_name"], row["role"], tuple(bodies), bool(row["disabled"]),
                       row["session_epoch"], row["email"], row["language"])

    def list(self) -> list[Account]:
        with self._connect() as db:
            names = [r[0] for r in db.execute("SELECT username FROM accounts ORDER BY username")]
        return [a for a in map(self.get, names) if a is not None]

    def edit(self, username: str, *, email: str | None = None, language: str | None = None,
             display_name: str | None = None, actor: str = "system") -> Account:
        """Change an account's e-mail address, notification language or name; None leaves a field as it is.

        An empty ``email`` removes the address (no more notifications); an empty ``language`` means every language.
        Sessions go on: nothing here changes who may do what.
        """
        changes: dict[str, object] = {}
        if email is not None:
            changes["email"] = check_email(email)
        if language is not None:
            changes["language"] = check_language(language)
        if display_name is not None and display_name.strip():
            changes["display_name"] = display_name.strip()[:120]
        if changes:
            name = (username or "").strip().lower()
            with self._write() as db:
                before = db.execute("SELECT * FROM accounts WHERE username = ?", (name,)).fetchone()
                if before is None:
                    raise AccountError("account_unknown", username=repr(username))
                sets = ", ".join(f"{column} = ?" for column in changes)
                db.execute(f"UPDATE accounts SET {sets} WHERE username = ?", (*changes.values(), name))
                changed = {k: [before[k], v] for k, v in changes.items() if before[k] != v}
                if changed:
                    _audit(db, actor, "edit", name, **changed)
        account = self.get(username)
        if account is None:
            raise AccountError("account_unknown", username=repr(username))
        return account

    def recipients(self, role: str, bodies: Iterable[str] = ()) -> list[Account]:
        """Return who is told of a review event: the submitters bound to any of ``bodies``, or every reviewer.

        ``role`` is ``submitter`` (with ``bodies``) or ``reviewer``. Disabled accounts and
        accounts without an e-mail address are left out; sorted by user name.
        """
        with self._connect() as db:
            if role == "submitter":
                wanted = sorted(set(bodies))
                if not wanted:  # nobody's bodies (and PostgreSQL takes no empty IN ())
                    return []
                marks = ", ".join("?" * len(wanted))
                names = [r[0] for r in db.execute(
                    "SELECT DISTINCT a.username FROM accounts a JOIN account_bodies b USING (username)"
                    f" WHERE a.role = 'submitter' AND b.organisation_id IN ({marks})"
                    " AND a.disabled = 0 AND COALESCE(a.email, '') != '' ORDER BY a.username", wanted)]
            else:
                names = [r[0] for r in db.execute(
                    "SELECT username FROM accounts WHERE role = ? AND disabled = 0 AND COALESCE(email, '') != ''"
                    " ORDER BY username", (role,))]
        return [a for a in map(self.get, names) if a is not None]

    def _update(self, username: str, sql: str, args: tuple, *, actor: str, action: str) -> None:
        """Change one account, end all its sessions and record ``action`` in the audit, in one transaction."""
        name = (username or "").strip().lower()
        with self._write() as db:
            if db.execute(sql, (*args, name)).rowcount != 1:
                raise AccountError("account_unknown", username=repr(username))
            db.execute("DELETE FROM sessions WHERE username = ?", (name,))
            db.execute("DELETE FROM password_resets WHERE username = ? AND used_at IS NULL", (name,))
            _audit(db, actor, action, name)

    # ---- sessions ------------------------------------------------------------
    def start_session(self, username: str, lifetime_s: float) -> str:
        """Start a session for ``username`` lasting ``lifetime_s`` seconds; return its token (for the cookie only)."""
        token = secrets.token_urlsafe(32)
        now = time.time()
        with self._write() as db:
            db.execute("DELETE FROM sessions WHERE expires_at < ?", (now,))
            db.execute("INSERT INTO sessions VALUES (?, ?, ?)", (_sha256(token), username, now + lifetime_s))
        return token

    def session_account(self, token: str) -> Account | None:
        """Return the enabled account whose unexpired session ``token`` is, or None (signed out, disabled, expired)."""
        if not isinstance(token, str) or not token:
            return None
        with self._connect() as db:
            row = db.execute("SELECT username FROM sessions WHERE token_sha256 = ? AND expires_at > ?",
                             (_sha256(token), time.time())).fetchone()
        account = self.get(row["username"]) if row else None
        return account if account is not None and not account.disabled else None

    def end_session(self, token: str) -> None:
        """End the session ``token`` (signing out): its cookie no longer signs anyone in, in any worker."""
        if isinstance(token, str) and token:
            with self._write() as db:
                db.execute("DELETE FROM sessions WHERE token_sha256 = ?", (_sha256(token),))

    def set_disabled(self, username: str, disabled: bool = True, *, actor: str = "system") -> None:
        """Disable (or enable again) an account; a disabled account's sessions and reset links end at once."""
        self._update(username, "UPDATE accounts SET disabled = ?, session_epoch = session_epoch + 1"
                     " WHERE username = ?", (int(disabled),), actor=actor,
                     action="disable" if disabled else "enable")

    def set_password(self, username: str, password: str, *, actor: str = "system") -> None:
        """Change a password; every session signed in with the old one, and every unused reset link, ends."""
        check_password(password, username)
        self._update(username, "UPDATE accounts SET password_hash = ?, session_epoch = session_epoch + 1"
                     " WHERE username = ?", (generate_password_hash(password),), actor=actor,
                     action="set_password")

    def assign(self, username: str, role: str, bodies: Iterable[str], *, actor: str = "system") -> Account:
        """Set an account's role and the bodies it submits for (a submitter needs one or more, other roles none).

        The account's sessions go on: who may do what is read afresh on every request. Recorded in the audit
        with the role and bodies before and after; nothing is recorded when nothing changes.
        """
        if role not in ROLES:
            raise AccountError("account_unknown_role", role=repr(role), roles=", ".join(ROLES))
        wanted = _checked_bodies(role, bodies)
        before = self.get(username)
        if before is None:
            raise AccountError("account_unknown", username=repr(username))
        with self._write() as db:
            row = db.execute("SELECT role FROM accounts WHERE username = ?", (before.username,)).fetchone()
            if row is None:
                raise AccountError("account_unknown", username=repr(username))
            had = tuple(r[0] for r in db.execute(
                "SELECT organisation_id FROM account_bodies WHERE username = ? ORDER BY organisation_id",
                (before.username,)))
            if (row["role"], had) != (role, wanted):
                db.execute("UPDATE accounts SET role = ? WHERE username = ?", (role, before.username))
                db.execute("DELETE FROM account_bodies WHERE username = ?", (before.username,))
                db.executemany("INSERT INTO account_bodies VALUES (?, ?)", [(before.username, b) for b in wanted])
                _audit(db, actor, "assign", before.username, role=[row["role"], role],
                       bodies=[list(had), list(wanted)])
        account = self.get(before.username)
        assert account is not None
        return account

    # ---- password reset links ---------------------------------------------------
    def start_reset(self, username: str, *, actor: str, delivery: str,
                    lifetime_s: float = RESET_LINK_HOURS * 3600) -> str:
        """Make a one-time link token for ``username`` to set a new password; return it (shown or mailed once).

        Only its SHA-256 is kept; it works once, for ``lifetime_s`` seconds. An earlier unused link of the
        account stops working. ``delivery`` (``email`` or ``shown``) is recorded in the audit with ``actor``.
        A disabled account gets no link (enable it first).
        """
        account = self.get(username)
        if account is None:
            raise AccountError("account_unknown", username=repr(username))
        if account.disabled:
            raise AccountError("account_reset_disabled", username=repr(account.username))
        token = secrets.token_urlsafe(32)
        now = time.time()
        with self._write() as db:
            db.execute("DELETE FROM password_resets WHERE expires_at < ? OR (username = ? AND used_at IS NULL)",
                       (now, account.username))
            db.execute("INSERT INTO password_resets VALUES (?, ?, ?, ?, NULL)",
                       (_sha256(token), account.username, actor, now + lifetime_s))
            _audit(db, actor, "reset_link", account.username, delivery=delivery,
                   expires_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now + lifetime_s)))
        return token

    def reset_account(self, token: str) -> Account | None:
        """Return the enabled account an unused, unexpired reset ``token`` is for, or None."""
        if not isinstance(token, str) or not token:
            return None
        with self._connect() as db:
            row = db.execute("SELECT username FROM password_resets WHERE token_sha256 = ? AND used_at IS NULL"
                             " AND expires_at > ?", (_sha256(token), time.time())).fetchone()
        account = self.get(row["username"]) if row else None
        return account if account is not None and not account.disabled else None

    def use_reset(self, token: str, password: str) -> Account:
        """Set a new password with a reset link: once only, before it expires; every session of the account ends.

        AccountError ``account_reset_link_invalid`` for a link unknown, used, expired or of a disabled
        account; a refused password changes nothing and leaves the link usable.
        """
        account = self.reset_account(token)
        if account is None:
            raise AccountError("account_reset_link_invalid")
        check_password(password, account.username)
        digest, now = _sha256(token), time.time()
        with self._write() as db:  # checked again under the lock: two tabs posting at once use it once
            taken = db.execute("UPDATE password_resets SET used_at = ? WHERE token_sha256 = ? AND used_at IS NULL"
                               " AND expires_at > ?", (now, digest, now))
            if taken.rowcount != 1:
                raise AccountError("account_reset_link_invalid")
            db.execute("UPDATE accounts SET password_hash = ?, session_epoch = session_epoch + 1 WHERE username = ?",
                       (generate_password_hash(password), account.username))
            db.execute("DELETE FROM sessions WHERE username = ?", (account.username,))
            _audit(db, account.username, "reset_used", account.username)
        return account

    # ---- the audit -----------------------------------------------------------------
    def audit(self, username: str | None = None, limit: int | None = None) -> list[dict]:
        """Return the accounts audit, newest first: ``at`` (UTC ISO), ``actor``, ``action``, ``username``, ``detail``.

        ``username`` keeps one account's entries; ``limit`` the newest so many.
        """
        sql = "SELECT * FROM accounts_audit" + (" WHERE username = ?" if username else "") + " ORDER BY entry DESC"
        args: tuple = ((username or "").strip().lower(),) if username else ()
        if limit is not None:
            sql, args = sql + " LIMIT ?", (*args, int(limit))
        with self._connect() as db:
            return [{"entry": r["entry"], "at": r["at"], "actor": r["actor"], "action": r["action"],
                     "username": r["username"], "detail": json.loads(r["detail"])} for r in db.execute(sql, args)]

    def needing_attention(self) -> list[tuple[Account, str]]:
        """Return the accounts an admin should look at, each with why: ``disabled``, ``no_email`` (an enabled
        account that gets no notifications and whose reset link cannot be mailed) or ``reset_pending``
        (a reset link made and not yet used). Sorted by user name."""
        with self._connect() as db:
            pending = {r[0] for r in db.execute("SELECT username FROM password_resets WHERE used_at IS NULL"
                                                " AND expires_at > ?", (time.time(),))}
        out = []
        for a in self.list():
            why = ("disabled" if a.disabled else "reset_pending" if a.username in pending
                   else "no_email" if not a.email else None)
            if why:
                out.append((a, why))
        return out

    def password_matches(self, username: str, password: str) -> bool:
        """Whether ``username`` is an enabled account with this password (for start-up checks: no sign-in limits)."""
        account = self.get(username)
        if account is None or account.disabled:
            return False
        with self._connect() as db:
            row = db.execute("SELECT password_hash FROM accounts WHERE username = ?", (account.username,)).fetchone()
        return check_password_hash(row["password_hash"], password)

    # ---- signing in ------------------------------------------------------------
    def authenticate(self, username: str, password: str, client: str = "") -> Account | None:
        """Return the account if the name and password match and it is enabled, else None.

        Raises SignInThrottled, before checking the password, while a recent failure
        of this account, this client, or this account from this client asks for a
        wait (see THROTTLES). The wait is checked and the attempt counted in one
        write transaction, which SQLite serialises across every worker: of many
        guesses sent at once only the free ones are checked, the rest wait.
        """
        username = (username or "").strip().lower()[:120]
        keys = {rule: rule.key(username, client) for rule in THROTTLES}
        with self._write() as db:
            # The time is taken once the write lock is held: an attempt that waited for the lock while another
            # was counted must not see that one's time as being in its future (a wait out of nothing).
            now = time.time()
            counted = {}
            wait = 0.0
            for rule, key in keys.items():
                row = db.execute("SELECT failures, last_at FROM sign_in_throttle WHERE key = ?", (key,)).fetchone()
                failures = row["failures"] if row and now - row["last_at"] <= FAILURE_WINDOW_S else 0
                if rule.delay_s(failures) > 0:  # within its free tries a rule asks for no wait at all
                    wait = max(wait, row["last_at"] + rule.delay_s(failures) - now)
                counted[key] = failures + 1
            if wait > 0:
                raise SignInThrottled(math.ceil(wait))
            db.execute("DELETE FROM sign_in_throttle WHERE last_at < ?", (now - 2 * FAILURE_WINDOW_S,))
            db.executemany("INSERT INTO sign_in_throttle VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET "
                           "failures = excluded.failures, last_at = excluded.last_at",
                           [(key, n, now) for key, n in counted.items()])
            row = db.execute("SELECT password_hash, disabled FROM accounts WHERE username = ?",
                             (username,)).fetchone()
        good = check_password_hash(row["password_hash"] if row else _DUMMY_HASH, password or "")
        if not good or row is None or row["disabled"]:
            return None
        with self._write() as db:  # signed in: this attempt was not a failure after all
            for rule, key in keys.items():
                if rule.forget_on_success:
                    db.execute("DELETE FROM sign_in_throttle WHERE key = ?", (key,))
                else:
                    db.execute("UPDATE sign_in_throttle SET failures = CASE WHEN failures > 0 THEN failures - 1"
                               " ELSE 0 END WHERE key = ?", (key,))
        return self.get(username)


#: The page a password reset link opens (``web/pages/reset_password.py``).
RESET_PATH = "/reset-password"


@dataclass(frozen=True)
class ResetIssued:
    """A password reset link made for ``username``: e-mailed to ``emailed_to``, or (None) ``link`` to show once."""

    username: str
    link: str | None
    emailed_to: str | None
    hours: int


def issue_password_reset(store: AccountStore, username: str, *, actor: str, actor_name: str,
                         base_url: str | None, lang: str = "") -> ResetIssued:
    """Make a one-time reset link for ``username`` and deliver it: e-mailed through the outbox when the account
    has an address and ``base_url`` (the site's address) is known, else returned to be shown once to the admin.

    If the outbox cannot be written the link is made again (the first one stops working) to be shown: the
    audit records both. ``lang`` is the language of the page the link opens ('' the account's own).
    """
    from decarb_dashboard import notify

    account = store.get(username)
    if account is None:
        raise AccountError("account_unknown", username=repr(username))
    hours = RESET_LINK_HOURS

    def link(token: str, base: str | None) -> str:
        query = {"token": token, **({"lang": lang or account.language} if (lang or account.language) else {})}
        return f"{(base or '').rstrip('/')}{RESET_PATH}?{urllib.parse.urlencode(query)}"

    if account.email and base_url:
        token = store.start_reset(account.username, actor=actor, delivery="email")
        try:
            notify.queue_password_reset(store.root, account, link(token, base_url), actor_name=actor_name,
                                        hours=hours, database_url=store.database_url)
            return ResetIssued(account.username, None, account.email, hours)
        except (OSError, *store.errors):
            pass  # shown instead, below: a new link, so the one that could not be mailed works nowhere
    token = store.start_reset(account.username, actor=actor, delivery="shown")
    return ResetIssued(account.username, link(token, base_url), None, hours)
