"""Canonical inputs shared by the tests: a header, a valid return, and a fixed 'today'."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from decarb_dashboard.validate import validate_upload

#: The many apps the tests start draw their pages when asked, not ahead in a thread each (tests/web/test_warm.py
#: turns the warming on for itself).
os.environ["DECARB_WARM_PAGES"] = "0"

REPO = Path(__file__).resolve().parent.parent
REFERENCE = REPO.parent / "shared" / "reference"
#: Fixed so that "next year" in the year-range rule does not move under the tests.
TODAY = dt.date(2026, 11, 28)

HEADER = ("organisation,reporting_year,category,source,scope,activity_amount,activity_unit,"
          "emissions_tco2e,status,method,notes")

#: A valid return for Cardiff, 2022-23, one line of each kind the rules care about.
#: Row numbers in a spreadsheet: header = 1, so the first line is row 2.
VALID_LINES = [
    "Cardiff Council,2022-23,Buildings,Electricity,2,\"1,250,000\",kWh,241.7,measured,activity,",
    "Cardiff Council,2022-23,Buildings,Natural gas,,2 000 000,kWh,,estimated,,boilers",
    "Cardiff Council,2022-23,Supply chain,,,,,\"95,000\",,spend,",
    "Cardiff Council,2022-23,Land,Woodland,,120,ha,-350,,,",
    "Cardiff Council,2022-23,Commuting,,,,,N/A,,,",
    "Cardiff Council,2022-23,Homeworking,,,,,,not reported,,",
]


def csv_bytes(*lines: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode(encoding)


def check(*lines: str, header: str = HEADER, **kwargs):
    """Validate a CSV made of ``header`` and ``lines`` with today fixed."""
    kwargs.setdefault("today", TODAY)
    return validate_upload(csv_bytes(*lines, header=header), "return.csv", **kwargs)


@pytest.fixture
def valid_csv() -> bytes:
    return csv_bytes(*VALID_LINES)


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory):
    """A store seeded with the bundled sample returns (shared by the tests that only read it)."""
    from decarb_dashboard.registry import bundled_registry
    from decarb_dashboard.sample import seed
    from decarb_dashboard.store import SubmissionStore

    store = SubmissionStore(tmp_path_factory.mktemp("sample-store"), durable=False)
    seed(store, bundled_registry())
    return store


@pytest.fixture(autouse=True)
def _mail_sender_forgets_each_test_s_stores():
    """The process's mail sender delivers the outbox of every data directory it was started for: a message one
    test left pending (it had no SMTP server) must not be delivered in a later test that has one."""
    yield
    from decarb_dashboard import notify

    with notify._sender.lock:
        notify._sender.roots.clear()
