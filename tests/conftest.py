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
#: ... and each request reads the store's version, rather than a thread per app (tests/test_two_servers.py and
#: tests/web/test_propagation.py follow the store in threads of their own).
os.environ["DECARB_PROPAGATION_INTERVAL_S"] = "0"

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


# ---- the store's backends: SQLite + Parquet in a data directory, and PostgreSQL ----------------------------
def pytest_generate_tests(metafunc):
    """Run every test that uses ``backend`` (through ``store_database_url``) on both backends, except those marked
    ``sqlite_only`` (their subject is the data directory's own files)."""
    if "backend" in metafunc.fixturenames:
        sqlite_only = metafunc.definition.get_closest_marker("sqlite_only") is not None
        metafunc.parametrize("backend", ["sqlite"] if sqlite_only else ["sqlite", "postgresql"])


@pytest.fixture(scope="session")
def postgres_cluster():
    """This test process's throwaway PostgreSQL cluster (tests/postgres.py), stopped at the end."""
    from tests import postgres

    if postgres.binaries() is None:
        pytest.skip("PostgreSQL is not installed (Debian: apt-get install postgresql; `make browser` does)")
    cluster = postgres.start_cluster()
    yield cluster
    cluster.stop()


@pytest.fixture
def postgres_url(postgres_cluster):
    """A fresh database at the store's newest revision, dropped after the test."""
    url = postgres_cluster.new_database()
    yield url
    postgres_cluster.drop_database(url)


@pytest.fixture
def store_database_url(backend, request) -> str | None:
    """The ``database_url`` of a store on this test's backend: None (the data directory) or a fresh database."""
    return request.getfixturevalue("postgres_url") if backend == "postgresql" else None


@pytest.fixture
def backend_env(store_database_url, monkeypatch) -> str | None:
    """This test's backend for everything that reads the setting (the CLI, AccountStore, the outbox): on
    ``postgresql`` ``DECARB_DATABASE_URL`` names a fresh database; on ``sqlite`` it is unset."""
    if store_database_url:
        monkeypatch.setenv("DECARB_DATABASE_URL", store_database_url)
    else:
        monkeypatch.delenv("DECARB_DATABASE_URL", raising=False)
    return store_database_url


def shown_texts(component: object) -> list[str]:
    """Every string a Dash component tree shows, depth first (the site's tables are plain dicts: components.table)."""
    if isinstance(component, str):
        return [component]
    if isinstance(component, list | tuple):
        return [s for c in component for s in shown_texts(c)]
    if isinstance(component, dict):
        return shown_texts(component.get("props", {}).get("children"))
    children = getattr(component, "children", None)
    return shown_texts(children) if children is not None else []
