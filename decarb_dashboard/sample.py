"""Load the bundled, illustrative sample returns into an empty store through the upload path."""

from __future__ import annotations

import fcntl
import logging
from importlib import resources

import pandas as pd

from decarb_dashboard.accounts import Account, AccountError, AccountStore
from decarb_dashboard.reasons import ReasonError
from decarb_dashboard.store import SubmissionStore
from decarb_dashboard.validate import validate_upload
from uploads_schema import i18n

log = logging.getLogger(__name__)
SAMPLE_USER = "sample data (illustrative)"


class SampleDataError(ReasonError, RuntimeError):
    """A bundled sample return failed validation: a bug in the sample, not in a user's upload."""


def sample_files() -> list[tuple[str, bytes]]:
    """Return (name, bytes) of the sample returns: one per body, then the corrections."""
    root = resources.files("sample_data").joinpath("returns")
    files = sorted((p for p in root.iterdir() if p.name.endswith((".csv", ".xlsx"))), key=lambda p: p.name)
    corrections = root.joinpath("corrections")
    if corrections.is_dir():
        files += sorted((p for p in corrections.iterdir() if p.name.endswith(".csv")), key=lambda p: p.name)
    return [(p.name, p.read_bytes()) for p in files]


def seed(store: SubmissionStore, registry: pd.DataFrame) -> list[str]:
    """Validate and submit every sample return, as a user's upload would be; return the submission ids."""
    ids = set(registry["id"])
    submitted = []
    for name, data in sample_files():
        stem = name.rsplit(".", 1)[0]
        report = validate_upload(data, name, organisation=stem if stem in ids else None, registry=registry,
                                 max_bytes=0)
        if not report.valid:
            raise SampleDataError("sample_invalid", name=name,
                                  **{f"report_{lang}": report.to_text(lang) for lang in i18n.languages()})
        submitted.append(store.submit(report.lines, data, submitted_by=SAMPLE_USER, file_name=name))
    store.mark_history()  # nobody sent these for a deadline: they are never late
    log.info("loaded %d sample returns", len(submitted))
    return submitted


def seed_if_empty(store: SubmissionStore, registry: pd.DataFrame) -> bool:
    """Seed a store made in an entirely empty data directory with the sample returns; return whether it did.

    Only such a store: a data directory that held anything (the files of a store
    whose catalogue was lost, accounts, a register) never gets sample returns
    served as live ones. Nothing may have been stored in it since either. A lock
    file keeps two server processes starting at once from both seeding.
    """
    if not store.sample_data_pending():
        return False
    with open(store.root / ".seed.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not store.sample_data_pending() or not store.is_empty():
                return False
            seed(store, registry)
            return True
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


#: Accounts for trying the dashboard on the sample data (``DECARB_DEMO_ACCOUNTS=1``; refused in production):
#: user name, role, bodies, e-mail address (``example.invalid`` never resolves: no real mail goes out). Their
#: names are the site's words, in each language: ``demo_account_<user name>`` of the ``web`` catalogue.
DEMO_ACCOUNTS = (
    ("cardiff.officer", "submitter", ("cardiff",), "cardiff.officer@example.invalid"),
    ("central.team", "submitter", ("cardiff", "newport", "torfaen"), "central.team@example.invalid"),
    ("wg.reviewer", "reviewer", (), "wg.reviewer@example.invalid"),
    ("admin", "admin", (), "admin@example.invalid"),
)
DEMO_PASSWORD = "illustrative-demo-only"


def demo_name(username: str, lang: str) -> str | None:
    """The name of demo account ``username`` in ``lang`` (the ``web`` catalogue's), None for any other account."""
    if username not in {account[0] for account in DEMO_ACCOUNTS}:
        return None
    return i18n.gettext("web", "demo_account_" + username.replace(".", "_"), lang)


def display_name(account: Account, lang: str) -> str:
    """The name ``account`` goes by on a page in ``lang``: a demo account still bearing its demo name is called
    by that name in ``lang`` (it is stored in English); every other name is the person's own, as given."""
    if account.display_name == demo_name(account.username, "en"):
        return demo_name(account.username, lang) or account.display_name
    return account.display_name


def seed_demo_accounts(accounts: AccountStore) -> bool:
    """Add the demo accounts (all with DEMO_PASSWORD) to a deployment that has none; return whether it did."""
    if accounts.list():
        return False
    for username, role, bodies, email in DEMO_ACCOUNTS:
        try:
            accounts.add(username, DEMO_PASSWORD, role, bodies, demo_name(username, "en"), email=email)
        except AccountError:  # another worker added it first
            return False
    return True
