"""Accounts, roles and who may do what.

Accounts live in ``accounts.sqlite`` in the data directory, beside the store.
Passwords are kept only as werkzeug's salted scrypt hashes. Sign-in failures
are counted in the same database, so the limit holds across every worker
process of a deployment.

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

import contextlib
import csv
import functools
import hashlib
import math
import re
import secrets
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import email_validator
from werkzeug.security import check_password_hash, generate_password_hash

from decarb_dashboard import database
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

_SCHEMA_SQL = """
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
DROP TABLE IF EXISTS sign_in_failures;
"""
#: Columns added to ``accounts`` since it was first made, with their definitions: an older accounts.sqlite
#: gains them in place when it is opened (:meth:`AccountStore._migrate`).
_ADDED_COLUMNS = {"email": "TEXT", "language": "TEXT NOT NULL DEFAULT ''"}


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class AccountError(Exception):
    """A request about accounts that cannot be done, worded for the person who asked."""


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
        raise AccountError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters (not counting spaces at "
                           "either end); a few words make a good one")
    folded = re.sub(r"\s+", "", text.lower())
    letters = re.sub(r"[^a-z]", "", folded)
    if len(set(folded)) < MIN_DISTINCT_CHARACTERS or _is_run(folded) or not letters:
        raise AccountError("that password is too easy to guess (a repeated character, a run of keys, or no letters "
                           "at all); a few unrelated words make a good one")
    # "P@ssw0rd 2024" is "password": digits and symbols at the end dropped, look-alike ones read as letters.
    look_alike = re.sub(r"[^a-z]", "", folded.rstrip("0123456789!?.#*_-").translate(_LOOK_ALIKE))
    name = re.sub(r"[^a-z]", "", (username or "").lower().split("@")[0])
    if {letters, look_alike} & common_passwords() or (len(name) >= 3 and name in (letters, look_alike)):
        raise AccountError("that password is one of the commonest passwords, or a variation of one, or your user "
                           "name; a few unrelated words make a good one")


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
    except email_validator.EmailNotValidError as exc:
        raise AccountError(f"{text!r} is not an e-mail address ({exc}); give one like name@example.gov.wales, "
                           "or an empty value for none") from None
    return f"{checked.local_part}@{DEMO_EMAIL_DOMAIN}" if demo else checked.normalized


def check_language(code: str | None) -> str:
    """Return the notification language ``code`` ('' for every language); AccountError for one not supported."""
    text = (code or "").strip().lower()
    if text and text not in i18n.languages():
        raise AccountError(f"unknown language {text!r}; use one of {', '.join(i18n.languages())}, or an empty "
                           "value for every language (Welsh first)")
    return text


class AccountStore:
    """The accounts of a deployment, in ``<data_dir>/accounts.sqlite``."""

    def __init__(self, data_dir: Path | str) -> None:
        self.path = Path(data_dir) / "accounts.sqlite"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        database.create_once(self.path, _SCHEMA_SQL, "sign_in_throttle")
        self._migrate()

    def _migrate(self) -> None:
        """Add the columns an accounts.sqlite made by an older version lacks (in place, keeping every row)."""
        with self._connect() as db:
            have = {r["name"] for r in db.execute("PRAGMA table_info(accounts)")}
        if have.issuperset(_ADDED_COLUMNS):
            return
        with self._write() as db:  # checked again under the write lock: another worker may have just added them
            have = {r["name"] for r in db.execute("PRAGMA table_info(accounts)")}
            for column, definition in _ADDED_COLUMNS.items():
                if column not in have:
                    db.execute(f"ALTER TABLE accounts ADD COLUMN {column} {definition}")

    def _connect(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        return database.connect(self.path, timeout_s=30)

    def _write(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        return database.transaction(self.path)

    # ---- managing ------------------------------------------------------------
    def add(self, username: str, password: str, role: str, bodies: tuple[str, ...] | list[str] = (),
            display_name: str | None = None, *, email: str | None = None, language: str = "") -> Account:
        """Create an account; a submitter must be bound to at least one body, other roles to none.

        ``email`` (optional) is where notifications go, in ``language`` ('' for every language).
        """
        username = (username or "").strip().lower()
        if not _USERNAME.match(username):
            raise AccountError("a user name is lower-case letters, digits and . _ @ + - (an email address will do)")
        if role not in ROLES:
            raise AccountError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
        bodies = tuple(sorted(set(bodies)))
        if role == "submitter" and not bodies:
            raise AccountError("a submitter needs the body or bodies they submit for (--body)")
        if role != "submitter" and bodies:
            raise AccountError(f"a {role} works across all bodies; give --body only for a submitter")
        check_password(password, username)
        email, language = check_email(email), check_language(language)
        with self._write() as db:
            if db.execute("SELECT 1 FROM accounts WHERE username = ?", (username,)).fetchone():
                raise AccountError(f"there is already an account called {username!r}")
            db.execute(
                "INSERT INTO accounts (username, display_name, role, password_hash, created_at, email, language)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (username, (display_name or username).strip()[:120], role, generate_password_hash(password),
                 time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), email, language),
            )
            db.executemany("INSERT INTO account_bodies VALUES (?, ?)", [(username, b) for b in bodies])
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
             display_name: str | None = None) -> Account:
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
                sets = ", ".join(f"{column} = ?" for column in changes)
                changed = db.execute(f"UPDATE accounts SET {sets} WHERE username = ?", (*changes.values(), name))
                if changed.rowcount != 1:
                    raise AccountError(f"there is no account called {username!r}")
        account = self.get(username)
        if account is None:
            raise AccountError(f"there is no account called {username!r}")
        return account

    def recipients(self, role: str, bodies: Iterable[str] = ()) -> list[Account]:
        """Return who is told of a review event: the submitters bound to any of ``bodies``, or every reviewer.

        ``role`` is ``submitter`` (with ``bodies``) or ``reviewer``. Disabled accounts and
        accounts without an e-mail address are left out; sorted by user name.
        """
        with self._connect() as db:
            if role == "submitter":
                wanted = sorted(set(bodies))
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

    def _update(self, username: str, sql: str, args: tuple) -> None:
        """Change one account and end all its sessions, in one transaction."""
        with self._write() as db:
            if db.execute(sql, (*args, (username or "").lower())).rowcount != 1:
                raise AccountError(f"there is no account called {username!r}")
            db.execute("DELETE FROM sessions WHERE username = ?", ((username or "").lower(),))

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

    def set_disabled(self, username: str, disabled: bool = True) -> None:
        """Disable (or enable again) an account; a disabled account's sessions end at once."""
        self._update(username, "UPDATE accounts SET disabled = ?, session_epoch = session_epoch + 1"
                     " WHERE username = ?", (int(disabled),))

    def set_password(self, username: str, password: str) -> None:
        """Change a password; every session signed in with the old one ends."""
        check_password(password, username)
        self._update(username, "UPDATE accounts SET password_hash = ?, session_epoch = session_epoch + 1"
                     " WHERE username = ?", (generate_password_hash(password),))

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
                    db.execute("UPDATE sign_in_throttle SET failures = max(failures - 1, 0) WHERE key = ?", (key,))
        return self.get(username)
