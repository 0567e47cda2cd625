"""Processes for the store's crash and concurrency tests (imported by a forkserver, so they start fast).

Each takes the ``database_url`` of a store on PostgreSQL, or None for the data directory's SQLite + Parquet.
"""

from __future__ import annotations

import os
from pathlib import Path

import psycopg  # noqa: F401  imported in the forkserver, not in each writer (the PostgreSQL store uses them)
import sqlalchemy.dialects.postgresql.psycopg  # noqa: F401  (create_engine would import it in each writer)

from decarb_dashboard.store import SubmissionStore
from decarb_dashboard.validate import validate_upload

# Warm up once in the forkserver, so that each forked writer starts submitting at once.
validate_upload(b"organisation,reporting_year,category,emissions_tco2e\ncardiff,2022-23,Waste,1\n", "warm.csv")

BODIES = ["cardiff", "newport", "torfaen", "powys", "gwynedd", "conwy", "wrexham", "swansea", "bridgend",
          "caerphilly", "monmouthshire", "ceredigion", "pembrokeshire", "flintshire", "denbighshire",
          "blaenau_gwent", "merthyr_tydfil", "rhondda_cynon_taf", "vale_of_glamorgan", "carmarthenshire"]


def return_bytes(body: str, n: int) -> bytes:
    """A small valid return for ``body``, its figures depending on ``n``."""
    lines = ["organisation,reporting_year,category,source,emissions_tco2e"]
    for year in ("2021-22", "2022-23"):
        lines += [f"{body},{year},Buildings,Electricity,{100 + n}", f"{body},{year},Buildings,Natural gas,{200 + n}",
                  f"{body},{year},Supply chain,,{1000 + n}", f"{body},{year},Waste,,{n % 7 + 1}"]
    return ("\n".join(lines) + "\n").encode()


def submit_forever(data_dir: str, log_path: str, worker: int, database_url: str | None = None) -> None:
    """Submit returns until killed; after each success append 'id line_count' to ``log_path``."""
    store = SubmissionStore(Path(data_dir), database_url=database_url)
    n = 0
    while True:
        # Figures unique to the worker and the round: the same file twice would be refused as a duplicate.
        data = return_bytes(BODIES[(worker + n) % len(BODIES)], worker * 100_000 + n)
        report = validate_upload(data, f"w{worker}-{n}.csv")
        submission_id = store.submit(report.lines, data, submitted_by=f"worker {worker}")
        fd = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        os.write(fd, f"{submission_id} {len(report.lines)}\n".encode())
        os.close(fd)
        n += 1


def submit_once(data_dir: str, body: str, barrier, database_url: str | None = None) -> str:
    """Wait for every other writer, then submit one return for ``body``."""
    store = SubmissionStore(Path(data_dir), database_url=database_url)
    data = return_bytes(body, 1)
    report = validate_upload(data, f"{body}.csv")
    barrier.wait()
    return store.submit(report.lines, data, submitted_by=body)


def submit_same(data_dir: str, barrier, database_url: str | None = None) -> str:
    """Wait for every other writer, then submit Cardiff's return of ``return_bytes("cardiff", 1)``: the same file."""
    from decarb_dashboard.store import DuplicateSubmission

    store = SubmissionStore(Path(data_dir), database_url=database_url)
    data = return_bytes("cardiff", 1)
    report = validate_upload(data, "cardiff.csv")
    barrier.wait()
    try:
        return store.submit(report.lines, data, submitted_by="cardiff")
    except DuplicateSubmission as exc:
        return "duplicate of " + exc.submission_id


def submit_once_reference(data_dir: str, n: int, barrier, database_url: str | None = None) -> str:
    """Wait for every other writer, then submit a different Cardiff return (``n``); return its reference."""
    store = SubmissionStore(Path(data_dir), database_url=database_url)
    data = return_bytes("cardiff", n)
    report = validate_upload(data, f"cardiff-{n}.csv")
    barrier.wait()
    return store.submission(store.submit(report.lines, data, submitted_by="cardiff")).reference
