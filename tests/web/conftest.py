"""Fixtures of the web tests: a copy of the sample store with one submitter who signs in."""

from __future__ import annotations

import contextlib
import shutil

import flask
import pytest

from decarb_dashboard.accounts import Account, AccountStore
from decarb_dashboard.web import create_app, data

#: The accounts the page functions are called as (``as_account``): no password, no store row needed.
REVIEWER = Account("wg.reviewer", "WG reviewer", "reviewer", (), False, 0)
ADMIN = Account("admin", "Administrator", "admin", (), False, 0)

#: The officer's password in the ``site`` fixture's store.
PASSWORD = "a long enough passphrase"


@pytest.fixture
def site(sample_store, tmp_path):
    """A copy of the sample store with ``officer``, a submitter for Cardiff (password ``PASSWORD``)."""
    root = tmp_path / "data"
    shutil.copytree(sample_store.root, root)
    AccountStore(root).add("officer", PASSWORD, "submitter", ["cardiff"], "Cardiff officer")
    return root


@pytest.fixture
def app(site, monkeypatch):
    """The app on ``site``, its pages following every change to the store at once (no rebuild interval)."""
    monkeypatch.setattr(data, "REBUILD_INTERVAL_S", 0.0)
    return create_app(site, seed=False)


@contextlib.contextmanager
def as_account(app, account: Account | None = REVIEWER):
    """Call page functions inside a request of ``app`` signed in as ``account`` (None: signed out)."""
    with app.server.test_request_context():
        flask.g.decarb_account = account
        yield
