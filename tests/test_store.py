"""The submission store: latest wins, history, withdrawal, review status, audit log, crash safety.

Each test that takes ``store`` or ``store_database_url`` runs on both backends (the data directory's
SQLite + Parquet, and PostgreSQL: tests/conftest.py), except those marked ``sqlite_only``.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import signal
import sqlite3
import time

import psycopg
import pyarrow.dataset as pads
import pytest

from decarb_dashboard.store import StoreError, SubmissionStore, from_arrow
from tests import store_workers
from tests.conftest import check

CARDIFF_2022 = ["Cardiff,2022-23,Buildings,Electricity,,,,100,,,", "Cardiff,2022-23,Supply chain,,,,,900,,,",
                "Cardiff,2022-23,Waste,,,,,5,estimated,,"]


@pytest.fixture
def store(tmp_path, store_database_url) -> SubmissionStore:
    return SubmissionStore(tmp_path / "data", database_url=store_database_url)


def run_sql_outside_the_store(store: SubmissionStore, sql: str) -> None:
    """Run ``sql`` on the store's database directly, as someone with a database client would."""
    if store.backend == "sqlite":
        with sqlite3.connect(store.root / "store.sqlite") as db:
            db.execute(sql)
    else:
        with psycopg.connect(store._db.url) as db:
            db.execute(sql)


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


def test_each_part_of_a_multi_body_file_holds_only_its_own_names(tmp_path):
    """A part's text columns carry only the values of its own lines: not every body and year of the file it came
    from (at 5,000 bodies x 10 years, parts carrying every body's name read back as some 15 GB)."""
    import pyarrow.parquet as pq

    store = SubmissionStore(tmp_path / "data", database_url="")
    store.submit(lines_of(*CARDIFF_2022, "Newport,2022-23,Waste,,,,,7,,,", "Newport,2021-22,Waste,,,,,9,,,"),
                 b"central", submitted_by="wg-team")
    parts = store.current_parts()
    newport = parts[(parts["organisation_id"] == "newport") & (parts["reporting_year"] == "2021-22")]
    table = pq.read_table(store.root / newport["path"].iloc[0])
    assert table["organisation_id"].chunk(0).dictionary.to_pylist() == ["newport"]
    assert table["reporting_year"].chunk(0).dictionary.to_pylist() == ["2021-22"]
    assert table["category"].chunk(0).dictionary.to_pylist() == ["waste"]
    assert totals(store.current_lines()) == {("cardiff", "2022-23"): 1005, ("newport", "2021-22"): 9,
                                             ("newport", "2022-23"): 7}


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
    refused = (sqlite3.DatabaseError, psycopg.Error)
    with pytest.raises(refused, match="the audit log is append-only"):
        run_sql_outside_the_store(store, "UPDATE audit_log SET message = 'nothing to see'")
    with pytest.raises(refused, match="the audit log is append-only"):
        run_sql_outside_the_store(store, "DELETE FROM audit_log")
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


@pytest.mark.sqlite_only
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


def test_sixteen_processes_submitting_at_once_are_all_stored(tmp_path, store_database_url):
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["tests.store_workers"])
    data_dir = str(tmp_path / "data")
    SubmissionStore(data_dir, database_url=store_database_url)
    barrier = ctx.Manager().Barrier(16)
    with ctx.Pool(16) as pool:
        ids = pool.starmap(store_workers.submit_once,
                           [(data_dir, body, barrier, store_database_url) for body in store_workers.BODIES[:16]])
    store = SubmissionStore(data_dir, database_url=store_database_url)
    assert len(set(ids)) == 16
    assert sorted(s.submission_id for s in store.submissions()) == sorted(ids)
    assert len(store.current_parts()) == 32  # 16 bodies x 2 years
    assert len(store.current_lines()) == 16 * 8


@pytest.mark.sqlite_only  # on PostgreSQL: test_store_postgres.py
@pytest.mark.xdist_group("killed_writers")  # one at a time: each needs its writers to get through between kills
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


@pytest.mark.sqlite_only  # the snapshot is a Parquet file of the data directory
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


# ---- issue 14: references, declarations, warnings, duplicates, statuses, publication -----------
NEWPORT_2022 = "Newport,2022-23,Waste,,,,,7,,,"


def test_references_count_each_body_year_s_submissions_and_name_the_others():
    from decarb_dashboard.store import make_reference

    assert make_reference([("cardiff", "2024-25")], 3) == "CARDIFF-2024-25-03"
    assert make_reference([("vale_of_glamorgan", "2023-24"), ("vale_of_glamorgan", "2024-25")], 1) == \
        "VALE-OF-GLAMORGAN-2023-24-01+1"


def test_each_submission_gets_the_next_reference_of_its_first_body_year(store):
    first = store.submit(lines_of(*CARDIFF_2022), b"v1", submitted_by="alice")
    both = store.submit(lines_of(*CARDIFF_2022, NEWPORT_2022, "Newport,2021-22,Waste,,,,,9,,,"), b"c",
                        submitted_by="team")
    newport = store.submit(lines_of(NEWPORT_2022), b"np", submitted_by="newport")
    store.set_status(first, "withdrawn", actor="alice")
    again = store.submit(lines_of(*CARDIFF_2022), b"v3", submitted_by="alice")  # a withdrawn one still counts
    refs = [store.submission(s).reference for s in (first, both, newport, again)]
    # the file of Cardiff 2022-23 and Newport 2021-22 and 2022-23 is the 2nd of Cardiff 2022-23, with 2 others;
    # Newport's own 2022-23 is that body-year's 2nd
    assert refs == ["CARDIFF-2022-23-01", "CARDIFF-2022-23-02+2", "NEWPORT-2022-23-02", "CARDIFF-2022-23-03"]


def test_the_declaration_and_the_explained_warnings_are_kept_with_the_submission(store):
    declaration = {"approved_by": "Jane Jones", "approver_role": "Director of Resources"}
    warnings = ({"key": "factor_mismatch", "count": 2, "rows": [2, 3], "text": {"en": "a", "cy": "b"},
                 "explanation": "our supplier's own factor"},)
    sid = store.submit(lines_of(*CARDIFF_2022), b"v1", submitted_by="alice", declaration=declaration,
                       warnings=warnings)
    s = store.submission(sid)
    assert s.declaration == declaration and s.warnings == warnings
    plain = store.submission(store.submit(lines_of(NEWPORT_2022), b"np", submitted_by="sample data"))
    assert plain.declaration is None and plain.warnings == ()


def test_the_same_file_for_the_same_body_years_is_refused_with_the_one_stored(store):
    from decarb_dashboard.store import DuplicateSubmission

    first = store.submit(lines_of(*CARDIFF_2022), b"same bytes", submitted_by="alice")
    with pytest.raises(DuplicateSubmission) as refused:
        store.submit(lines_of(*CARDIFF_2022), b"same bytes", submitted_by="alice")
    assert (refused.value.submission_id, refused.value.reference) == (first, "CARDIFF-2022-23-01")
    assert len(store.submissions()) == 1 and len(store.current_lines()) == 3
    if store.backend == "sqlite":
        assert len(list((store.root / "lines").rglob("*.parquet"))) == 1  # and no second file was written
    # the same bytes for other body-years (another --org) are another return; a withdrawn copy is no obstacle
    store.submit(lines_of(NEWPORT_2022), b"same bytes", submitted_by="alice")
    store.set_status(first, "withdrawn", actor="alice")
    store.submit(lines_of(*CARDIFF_2022), b"same bytes", submitted_by="alice")
    assert len(store.submissions()) == 3


def test_two_identical_clicks_at_once_store_one_submission(tmp_path, store_database_url):
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["tests.store_workers"])
    data_dir = str(tmp_path / "data")
    SubmissionStore(data_dir, database_url=store_database_url)
    barrier = ctx.Manager().Barrier(4)
    with ctx.Pool(4) as pool:
        outcomes = pool.starmap(store_workers.submit_same, [(data_dir, barrier, store_database_url)] * 4)
    stored = SubmissionStore(data_dir, database_url=store_database_url).submissions()
    assert len(stored) == 1
    assert sorted(outcomes) == sorted([stored[0].submission_id] + ["duplicate of " + stored[0].submission_id] * 3)


def test_sixteen_writers_of_one_body_year_get_sixteen_distinct_references(tmp_path, store_database_url):
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["tests.store_workers"])
    data_dir = str(tmp_path / "data")
    SubmissionStore(data_dir, database_url=store_database_url)
    barrier = ctx.Manager().Barrier(16)
    with ctx.Pool(16) as pool:
        refs = pool.starmap(store_workers.submit_once_reference,
                            [(data_dir, n, barrier, store_database_url) for n in range(16)])
    # every file covers Cardiff 2021-22 and 2022-23: numbered 1 to 16 in the order they were stored
    assert sorted(refs) == [f"CARDIFF-2021-22-{n:02d}+1" for n in range(1, 17)]
    in_order = [s.reference for s in SubmissionStore(data_dir, database_url=store_database_url).submissions()]
    assert in_order == [f"CARDIFF-2021-22-{n:02d}+1" for n in range(1, 17)]


@pytest.mark.sqlite_only  # a catalogue of an older version exists only in data directories
def test_an_older_catalogue_is_migrated_in_place_with_references_in_submission_order(store):
    first = store.submit(lines_of(*CARDIFF_2022), b"v1", submitted_by="alice")
    second = store.submit(lines_of(*CARDIFF_2022, NEWPORT_2022), b"v2", submitted_by="team")
    third = store.submit(lines_of(NEWPORT_2022), b"v3", submitted_by="newport")
    with sqlite3.connect(store.root / "store.sqlite") as db:  # as a catalogue before issue 14 was
        db.execute("DROP INDEX submissions_by_reference")
        db.execute("DROP TABLE alembic_version")  # made before the migrations were
        for column in ("reference", "declaration", "warnings"):
            db.execute(f"ALTER TABLE submissions DROP COLUMN {column}")
    reopened = SubmissionStore(store.root)
    assert [reopened.submission(s).reference for s in (first, second, third)] == \
        ["CARDIFF-2022-23-01", "CARDIFF-2022-23-02+1", "NEWPORT-2022-23-02"]
    assert reopened.submission(first).declaration is None and reopened.submission(first).warnings == ()
    with sqlite3.connect(store.root / "store.sqlite") as db, pytest.raises(sqlite3.IntegrityError):
        db.execute("UPDATE submissions SET reference = 'CARDIFF-2022-23-01' WHERE submission_id = ?", (third,))


@pytest.mark.sqlite_only  # rebuilt from the data directory's Parquet files
def test_a_rebuilt_catalogue_brings_back_references_declarations_and_warnings(store):
    from decarb_dashboard import maintenance

    declaration = {"approved_by": "Jane Jones", "approver_role": "Chief Executive"}
    warnings = ({"key": "stored:change", "count": 1, "rows": [], "text": {"en": "x", "cy": "y"},
                 "explanation": "a new depot opened"},)
    sid = store.submit(lines_of(*CARDIFF_2022), b"v1", submitted_by="alice", declaration=declaration,
                       warnings=warnings)
    store.submit(lines_of(*CARDIFF_2022[:2]), b"v2", submitted_by="alice")
    before = [(s.submission_id, s.reference, s.declaration, s.warnings) for s in store.submissions()]
    (store.root / "store.sqlite").unlink()
    for leftover in store.root.glob("store.sqlite-*"):
        leftover.unlink()
    maintenance.rebuild_catalogue(store.root)
    after = [(s.submission_id, s.reference, s.declaration, s.warnings)
             for s in SubmissionStore(store.root).submissions()]
    assert after == before and after[0][:2] == (sid, "CARDIFF-2022-23-01")


def test_current_statuses_give_each_body_year_s_current_return_and_when_it_was_first_submitted(store):
    first = store.submit(lines_of(*CARDIFF_2022), b"v1", submitted_by="alice")
    store.set_status(first, "accepted", actor="wg")
    second = store.submit(lines_of(*CARDIFF_2022[:2]), b"v2", submitted_by="alice")
    newport = store.submit(lines_of(NEWPORT_2022), b"np", submitted_by="newport")
    store.set_status(newport, "queried", actor="wg", message="waste looks low")
    rows = store.current_statuses()
    assert list(rows.columns) == ["organisation_id", "reporting_year", "submission_id", "reference", "status",
                                  "submitted_at", "first_submitted_at"]
    assert rows[["organisation_id", "submission_id", "reference", "status"]].values.tolist() == [
        ["cardiff", second, "CARDIFF-2022-23-02", "submitted"], ["newport", newport, "NEWPORT-2022-23-01", "queried"]]
    assert rows["first_submitted_at"].tolist() == [store.submission(first).submitted_at,
                                                   store.submission(newport).submitted_at]
    accepted = store.current_statuses(accepted_only=True)
    assert accepted[["organisation_id", "submission_id", "status"]].values.tolist() == [
        ["cardiff", first, "accepted"]]


def test_accepted_only_publishes_each_body_year_s_newest_accepted_return(store):
    first = store.submit(lines_of(*CARDIFF_2022), b"v1", submitted_by="alice")  # 100 + 900 + 5 tCO2e
    store.submit(lines_of(NEWPORT_2022), b"np", submitted_by="newport")  # never accepted: not published
    assert store.current_lines(accepted_only=True).empty
    store.set_status(first, "accepted", actor="wg")
    store.submit(lines_of(*CARDIFF_2022[:2]), b"v2", submitted_by="alice")  # 1000 tCO2e, awaiting review
    assert totals(store.current_lines(accepted_only=True)) == {("cardiff", "2022-23"): 1005.0}
    assert totals(store.current_lines("cardiff", accepted_only=True)) == {("cardiff", "2022-23"): 1005.0}
    assert totals(store.current_lines()) == {("cardiff", "2022-23"): 1000.0, ("newport", "2022-23"): 7.0}
