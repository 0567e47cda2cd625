"""The submission store: latest wins, history, withdrawal, review status, audit log, crash safety."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import signal
import sqlite3
import time

import pyarrow.dataset as pads
import pytest

from decarb_dashboard.store import StoreError, SubmissionStore, from_arrow
from tests import store_workers
from tests.conftest import check

CARDIFF_2022 = ["Cardiff,2022-23,Buildings,Electricity,,,,100,,,", "Cardiff,2022-23,Supply chain,,,,,900,,,",
                "Cardiff,2022-23,Waste,,,,,5,estimated,,"]


@pytest.fixture
def store(tmp_path) -> SubmissionStore:
    return SubmissionStore(tmp_path / "data")


def lines_of(*rows: str):
    report = check(*rows)
    assert report.valid, report.to_text()
    return report.lines


def totals(frame) -> dict:
    grouped = frame.groupby(["organisation_id", "reporting_year"], observed=True)["emissions_tco2e"].sum()
    return {k: round(v, 3) for k, v in grouped.items()}


def test_the_latest_submission_is_current_and_earlier_ones_stay_readable(store):
    first = store.submit(lines_of(*CARDIFF_2022), b"v1", submitted_by="alice", file_name="v1.csv")
    corrected = [CARDIFF_2022[0].replace(",100,", ",80,"), *CARDIFF_2022[1:]]
    second = store.submit(lines_of(*corrected), b"v2", submitted_by="alice", file_name="v2.csv")
    assert totals(store.current_lines()) == {("cardiff", "2022-23"): 80 + 900 + 5}
    assert set(store.current_lines()["submission_id"]) == {second}
    assert totals(store.lines(first)) == {("cardiff", "2022-23"): 100 + 900 + 5}
    assert [s.submission_id for s in store.history("cardiff")] == [first, second]


def test_a_multi_body_file_is_current_per_body_and_year(store):
    central = store.submit(lines_of(*CARDIFF_2022, "Newport,2022-23,Waste,,,,,7,,,", "Newport,2021-22,Waste,,,,,9,,,"),
                           b"central", submitted_by="wg-team")
    newport = store.submit(lines_of("Newport,2022-23,Waste,,,,,6,,,"), b"np", submitted_by="newport")
    assert totals(store.current_lines()) == {("cardiff", "2022-23"): 1005, ("newport", "2021-22"): 9,
                                             ("newport", "2022-23"): 6}
    assert store.submission(central).organisations == ("cardiff", "newport")
    assert store.submission(central).reporting_years == ("2021-22", "2022-23")
    assert [s.submission_id for s in store.history("newport", "2021-22")] == [central]
    assert [s.submission_id for s in store.history("newport", "2022-23")] == [central, newport]
    assert totals(store.current_lines(organisation_id="newport", reporting_year="2021-22")) == {
        ("newport", "2021-22"): 9}


def test_withdrawal_brings_back_the_previous_version(store):
    first = store.submit(lines_of(*CARDIFF_2022), b"v1", submitted_by="alice")
    second = store.submit(lines_of(CARDIFF_2022[0]), b"v2", submitted_by="alice")
    store.set_status(second, "withdrawn", actor="alice", message="sent the wrong file")
    assert set(store.current_lines()["submission_id"]) == {first}
    store.set_status(first, "withdrawn", actor="alice", message="starting again")
    assert store.current_lines().empty  # withdrawn is not current; nothing else is
    assert [s.status for s in store.history("cardiff")] == ["withdrawn", "withdrawn"]
    with pytest.raises(StoreError, match="withdrawn"):
        store.set_status(first, "accepted", actor="reviewer")


def test_review_status_changes_are_appended_to_the_audit_log(store):
    sid = store.submit(lines_of(*CARDIFF_2022), b"v1", submitted_by="alice", file_name="v1.csv")
    with pytest.raises(StoreError, match="message"):
        store.set_status(sid, "queried", actor="wg-reviewer")
    store.set_status(sid, "queried", actor="wg-reviewer", message="Waste looks low: please check")
    assert store.submission(sid).status == "queried"
    assert store.submission(sid).status_message == "Waste looks low: please check"
    store.set_status(sid, "accepted", actor="wg-reviewer")
    log = store.audit_log(sid)
    assert [(e["actor"], e["action"], e["status"], e["message"]) for e in log] == [
        ("alice", "submit", "submitted", "v1.csv"),
        ("wg-reviewer", "status", "queried", "Waste looks low: please check"),
        ("wg-reviewer", "status", "accepted", None)]
    assert all(e["at"].endswith("Z") for e in log)
    with sqlite3.connect(store.root / "store.sqlite") as db, pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE audit_log SET message = 'nothing to see'")
    with sqlite3.connect(store.root / "store.sqlite") as db, pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM audit_log")
    assert len(store.audit_log(sid)) == 3


def test_metadata(store):
    sid = store.submit(lines_of(*CARDIFF_2022), b"the original bytes", submitted_by="alice", file_name="r.csv")
    s = store.submission(sid)
    assert (s.submitted_by, s.file_name, s.line_count, s.status) == ("alice", "r.csv", 3, "submitted")
    assert s.sha256 == hashlib.sha256(b"the original bytes").hexdigest()
    assert s.submitted_at.endswith("Z") and s.submitted_at.startswith(str(time.gmtime().tm_year))


def test_diff_between_versions(store):
    first = store.submit(lines_of(*CARDIFF_2022), b"v1", submitted_by="alice")
    second = store.submit(lines_of(CARDIFF_2022[0].replace(",100,", ",80,"), CARDIFF_2022[1],
                                   "Cardiff,2022-23,Water,,,,,2,,,"), b"v2", submitted_by="alice")
    diff = store.diff(first, second, "cardiff", "2022-23")
    rows = {(r.category, r.change): (r.emissions_tco2e_old, r.emissions_tco2e_new) for r in diff.itertuples()}
    assert rows.keys() == {("buildings", "changed"), ("waste", "removed"), ("water", "added")}
    assert rows[("buildings", "changed")] == (100.0, 80.0)
    assert rows[("water", "added")][1] == 2.0


def test_invalid_lines_are_refused_and_nothing_is_stored(store):
    bad = lines_of(*CARDIFF_2022).assign(emissions_tco2e=-1.0)
    with pytest.raises(StoreError, match="ReturnLines"):
        store.submit(bad, b"x", submitted_by="alice")
    with pytest.raises(StoreError, match="who submitted"):
        store.submit(lines_of(*CARDIFF_2022), b"x", submitted_by=" ")
    assert store.is_empty()
    assert not list((store.root / "lines").rglob("*.parquet"))


def test_the_parquet_files_are_readable_without_this_package(store):
    store.submit(lines_of(*CARDIFF_2022), b"v1", submitted_by="alice")
    store.submit(lines_of("Newport,2022-23,Waste,,,,,6,,,"), b"np", submitted_by="newport")
    files = sorted(str(p) for p in (store.root / "lines").glob("*/*/*.parquet"))
    table = pads.dataset(files, format="parquet").to_table()
    assert table.num_rows == 4
    assert {"organisation_id", "reporting_year", "emissions_tco2e", "submission_id"} <= set(table.column_names)
    duckdb = pytest.importorskip("duckdb")
    total = duckdb.sql(f"SELECT SUM(emissions_tco2e) FROM read_parquet('{store.root}/lines/*/*/*.parquet')")
    assert total.fetchall()[0][0] == 1011.0


def test_sixteen_processes_submitting_at_once_are_all_stored(tmp_path):
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["tests.store_workers"])
    data_dir = str(tmp_path / "data")
    SubmissionStore(data_dir)
    barrier = ctx.Manager().Barrier(16)
    with ctx.Pool(16) as pool:
        ids = pool.starmap(store_workers.submit_once,
                           [(data_dir, body, barrier) for body in store_workers.BODIES[:16]])
    store = SubmissionStore(data_dir)
    assert len(set(ids)) == 16
    assert sorted(s.submission_id for s in store.submissions()) == sorted(ids)
    assert len(store.current_parts()) == 32  # 16 bodies x 2 years
    assert len(store.current_lines()) == 16 * 8


def test_a_writer_killed_mid_submission_never_leaves_a_partial_one(tmp_path):
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["tests.store_workers"])
    data_dir = tmp_path / "data"
    SubmissionStore(data_dir)
    log = tmp_path / "done.log"
    rng = __import__("random").Random(2026)
    kills = 0

    def left_behind() -> list:  # files that no committed submission refers to: a kill landed mid-write
        stored = {s.submission_id for s in SubmissionStore(data_dir).submissions()}
        referenced = {p.name for s in stored for p in (data_dir / "lines").glob(f"*/*/{s}.parquet")}
        return [p for p in (data_dir / "lines").rglob("*") if p.is_file() and p.name not in referenced]

    # At least 20 kills; on a busy machine a kill may keep missing the write, so go on (up to 60) until one lands.
    for round_ in range(60):
        writer = ctx.Process(target=store_workers.submit_forever, args=(str(data_dir), str(log), round_))
        writer.start()
        time.sleep(rng.uniform(0.05, 0.8))
        os.kill(writer.pid, signal.SIGKILL)
        writer.join()
        kills += writer.exitcode == -signal.SIGKILL
        if round_ >= 19 and left_behind():
            break
    assert kills == round_ + 1
    reported = dict(line.split() for line in log.read_text().splitlines()) if log.exists() else {}
    assert len(reported) >= 10, "the writers should have finished some submissions between kills"
    store = SubmissionStore(data_dir)  # opens
    stored = {s.submission_id: s for s in store.submissions()}
    for submission_id, line_count in reported.items():  # every reported success is present and complete
        assert stored[submission_id].line_count == int(line_count)
        assert len(store.lines(submission_id)) == int(line_count)
    for s in stored.values():  # nothing visible is partial
        assert len(store.lines(s.submission_id)) == s.line_count
    current = store.current_lines()
    assert len(current) == store.current_parts()["line_count"].sum()
    # The kills did land mid-write: files that no committed submission refers to were left behind.
    leftover = left_behind()
    print(f"{len(reported)} submissions reported, {len(stored)} stored, {len(leftover)} files left behind")
    assert leftover


def test_the_compacted_snapshot_of_current_lines_always_equals_reading_every_part(store):
    def by_parts():
        frame = from_arrow(store._read_table(store.current_parts()))
        return frame.astype({c: str for c in frame.columns if frame[c].dtype == "category"})

    def current():
        frame = store.current_lines()
        return frame.astype({c: str for c in frame.columns if frame[c].dtype == "category"})

    central = store.submit(lines_of(*CARDIFF_2022, "Newport,2022-23,Waste,,,,,7,,,"), b"c", submitted_by="team")
    assert current().equals(by_parts())
    store.submit(lines_of("Newport,2022-23,Waste,,,,,6,,,", "Newport,2023-24,Water,,,,,2,,,"), b"n",
                 submitted_by="newport")  # replaces one part of the central file: the rest stays current
    assert current().equals(by_parts())
    assert totals(store.current_lines()) == {("cardiff", "2022-23"): 1005, ("newport", "2022-23"): 6,
                                             ("newport", "2023-24"): 2}
    store.set_status(central, "withdrawn", actor="team")
    assert current().equals(by_parts())
    snapshots = list((store.root / "snapshots").glob("current-*.parquet"))
    assert [p.name for p in snapshots] == [f"current-{store.version()}.parquet"]  # older ones removed
    snapshots[0].write_bytes(b"damaged")
    assert totals(store.current_lines()) == {("newport", "2022-23"): 6, ("newport", "2023-24"): 2}
    for p in (store.root / "snapshots").iterdir():
        p.unlink()  # derived data: deleting it loses nothing
    assert current().equals(by_parts())


def test_the_version_before_skips_withdrawn_ones_and_current_parts_of_one_body(store):
    first = store.submit(lines_of(*CARDIFF_2022, "Newport,2022-23,Waste,,,,,7,,,"), b"1", submitted_by="team")
    second = store.submit(lines_of(CARDIFF_2022[0]), b"2", submitted_by="alice")
    third = store.submit(lines_of(CARDIFF_2022[1]), b"3", submitted_by="alice")
    store.set_status(second, "withdrawn", actor="alice")
    assert store.previous_version(third, "cardiff", "2022-23") == first
    assert store.previous_version(first, "cardiff", "2022-23") is None
    assert store.previous_version(first, "newport", "2022-23") is None
    assert store.current_parts("newport")[["reporting_year", "submission_id"]].values.tolist() == [["2022-23", first]]
    assert store.current_parts("cardiff")["submission_id"].tolist() == [third]
