"""Fixtures of the web tests: a copy of the sample store with one submitter who signs in."""

from __future__ import annotations

import shutil

import pytest

from decarb_dashboard.accounts import AccountStore

#: The officer's password in the ``site`` fixture's store.
PASSWORD = "a long enough passphrase"


@pytest.fixture
def site(sample_store, tmp_path):
    """A copy of the sample store with ``officer``, a submitter for Cardiff (password ``PASSWORD``)."""
    root = tmp_path / "data"
    shutil.copytree(sample_store.root, root)
    AccountStore(root).add("officer", PASSWORD, "submitter", ["cardiff"], "Cardiff officer")
    return root
