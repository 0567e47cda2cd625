"""The store survives operators' accidents: a lost catalogue, a damaged part, a full disk; backups restore."""

from __future__ import annotations

import errno
import threading

import pytest

from decarb_dashboard import maintenance
from decarb_dashboard import store as store_module
from decarb_dashboard.sample import seed_if_empty
from decarb_dashboard.store import CatalogueLost, StoreError, StoreFull, SubmissionStore
from tests.conftest import check

# Every test here is about the data directory's own files (its catalogue, Parquet parts, snapshots, free space,
# backups); a store on PostgreSQL has none: its own care is tested in test_store_postgres.py.
pytestmark = pytest.mark.sqlite_only

CARDIFF = ["Cardiff,2022-23,Buildings,Electricity,,,,100,,,", "Cardiff,2022-23,Waste,,,,,5,,,"]
NEWPORT = ["Newport,2022-23,Waste,,,,,7,,,", "Newport,2021-22,Waste,,,,,9,,,"]


def lines_of(*rows: str):
    report = check(*rows)
    assert report.valid, report.to_text()
    return report.lines


def totals(store: SubmissionStore) -> dict:
    frame = store.current_lines()
    grouped = frame.groupby(["organisation_id", "reporting_year"], observed=True)["emissions_tco2e"].sum()
    return {k: round(v, 3) for k, v in grouped.items()}


@pytest.fixture
def store(tmp_path) -> SubmissionStore:
    s = SubmissionStore(tmp_path / "data")
    s.submit(lines_of(*CARDIFF), b"cardiff bytes", submitted_by="alice", file_name="cardiff.csv")
    s.submit(lines_of(*NEWPORT), b"newport bytes", submitted_by="bob", file_name="newport.csv")
    return s


def cardiff_part(store: SubmissionStore):
    parts = store.current_parts("cardiff")
    return store.root / parts["path"].iloc[0]


# ---- 14: a lost catalogue ---------------------------------------------------------------
def test_a_lost_catalogue_refuses_to_start_instead_of_seeding_sample_returns(store):
    from decarb_dashboard.web import create_app

    (store.root / "store.sqlite").unlink()
    with pytest.raises(CatalogueLost, match="rebuild-catalogue"):
        SubmissionStore(store.root)
    with pytest.raises(CatalogueLost):
        create_app(store.root)
    assert not (store.root / "store.sqlite").exists()  # nothing was made in its place


def test_the_catalogue_is_rebuilt_from_the_parts(store):
    before = {s.submission_id: s for s in store.submissions()}
    # An interrupted two-part submission: one file renamed before the crash, the other not.
    interrupted = store.submit(lines_of(*NEWPORT), b"again", submitted_by="bob")
    next(store.root.glob(f"lines/newport/2021-22/{interrupted}.parquet")).unlink()
    (store.root / "store.sqlite").unlink()
    result = maintenance.rebuild_catalogue(store.root)
    assert (result.submissions, result.parts) == (2, 3)
    assert result.left_out == {interrupted: "interrupted: not all of its files were written"}
    rebuilt = SubmissionStore(store.root)
    assert {s.submission_id: s for s in rebuilt.submissions()} == before  # ids, who, when, sha256, line counts
    assert totals(rebuilt) == {("cardiff", "2022-23"): 105, ("newport", "2021-22"): 9, ("newport", "2022-23"): 7}
    with pytest.raises(StoreError, match="exists"):
        maintenance.rebuild_catalogue(store.root)


def test_a_file_of_200_bodies_gives_each_part_its_own_count_not_the_list_of_200_and_is_rebuilt(tmp_path):
    import json
    import sqlite3

    import pyarrow.parquet as pq

    from benchmarks.synthetic import synthetic_lines, synthetic_registry

    lines = synthetic_lines(synthetic_registry(200), 1)  # 200 bodies, one year: 200 parts of one submission
    per_body = lines.groupby("organisation_id", observed=True).size().to_dict()
    s = SubmissionStore(tmp_path / "data", durable=False)
    sid = s.submit(lines, b"two hundred bodies", submitted_by="central team", file_name="all.csv")
    paths = sorted(s.root.glob(f"lines/*/*/{sid}.parquet"))
    assert len(paths) == 200
    for path in paths:
        said = pq.read_schema(path).metadata[store_module.PART_METADATA_KEY]
        meta = json.loads(said)
        assert "parts" not in meta and meta["part_count"] == 200 and meta["line_count"] == len(lines)
        assert (meta["organisation_id"], meta["part_line_count"]) == (path.parent.parent.name,
                                                                      per_body[path.parent.parent.name])
        assert len(said) < 1000  # a list of the 200 parts alone would be some 6,000 bytes in every one of them
    lost = paths[7]
    lost.write_bytes(b"not a Parquet file any more")  # its metadata unreadable: counted by what the others leave
    (s.root / "store.sqlite").unlink()
    result = maintenance.rebuild_catalogue(s.root)
    assert (result.submissions, result.parts, result.left_out) == (1, 200, {})
    assert result.damaged == [lost.relative_to(s.root).as_posix()]
    rebuilt = SubmissionStore(s.root)
    assert len(rebuilt.current_lines()) == len(lines) - per_body[lost.parent.parent.name]
    assert rebuilt.unavailable() == [(lost.parent.parent.name, "2019-20", "damaged file")]
    with sqlite3.connect(s.root / "store.sqlite") as db:
        counted = db.execute("SELECT line_count FROM parts WHERE path = ?",
                             (lost.relative_to(s.root).as_posix(),)).fetchone()[0]
    assert counted == per_body[lost.parent.parent.name]


def test_parts_written_when_each_listed_every_part_are_still_rebuilt(store):
    import json

    import pyarrow.parquet as pq

    before = {s.submission_id: s for s in store.submissions()}
    paths = sorted(store.root.glob("lines/*/*/*.parquet"))
    listed: dict[str, list] = {}
    for path in paths:
        meta = store_module.part_metadata(path)
        listed.setdefault(meta["submission_id"], []).append(
            [meta["organisation_id"], meta["reporting_year"], meta["part_line_count"]])
    for path in paths:  # as an older version wrote them: the submission's whole list in each part
        table = pq.read_table(path)
        meta = store_module.part_metadata(path)
        old = {k: v for k, v in meta.items() if k not in ("part_count", "part_line_count")}
        old["parts"] = listed[meta["submission_id"]]
        pq.write_table(table.replace_schema_metadata(
            {store_module.PART_METADATA_KEY: json.dumps(old).encode()}), path)
    (store.root / "store.sqlite").unlink()
    result = maintenance.rebuild_catalogue(store.root)
    assert (result.submissions, result.parts, result.left_out, result.damaged) == (2, 3, {}, [])
    rebuilt = SubmissionStore(store.root)
    assert {s.submission_id: s for s in rebuilt.submissions()} == before
    assert totals(rebuilt) == {("cardiff", "2022-23"): 105, ("newport", "2021-22"): 9, ("newport", "2022-23"): 7}


def test_sample_returns_go_only_into_an_entirely_empty_directory(tmp_path):
    from decarb_dashboard.registry import bundled_registry

    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "accounts.sqlite").write_bytes(b"")
    assert not seed_if_empty(SubmissionStore(tmp_path / "used", durable=False), bundled_registry())
    fresh = SubmissionStore(tmp_path / "fresh", durable=False)
    fresh.submit(lines_of(*CARDIFF), b"real", submitted_by="alice")  # something real was stored first
    assert not seed_if_empty(fresh, bundled_registry())
    assert len(fresh.submissions()) == 1


# ---- 13: a damaged part ---------------------------------------------------------------
def damage(path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def test_a_damaged_part_makes_only_its_body_and_year_unavailable(store):
    assert totals(store)[("cardiff", "2022-23")] == 105  # the snapshot is made
    version = store.version()
    damage(cardiff_part(store))
    for snapshot in (store.root / "snapshots").iterdir():
        snapshot.unlink()  # rebuilt from the parts
    assert totals(store) == {("newport", "2021-22"): 9, ("newport", "2022-23"): 7}
    assert store.unavailable() == [("cardiff", "2022-23", "damaged file")]
    assert store.version() > version  # the pages' caches follow
    assert store.current_lines("cardiff").empty
    found = maintenance.check(store)
    assert not found.ok and [(d[1], d[2], d[4], d[5]) for d in found.damaged] == [
        ("cardiff", "2022-23", "damaged file", True)]
    _, moved = maintenance.repair(store)
    assert moved and (store.root / "quarantine" / moved[0]).exists() and not (store.root / moved[0]).exists()
    assert store.unavailable() == [("cardiff", "2022-23", "damaged file")]
    store.submit(lines_of(*CARDIFF), b"again", submitted_by="alice")  # submitting again brings it back
    assert store.unavailable() == [] and totals(store)[("cardiff", "2022-23")] == 105


def test_a_part_damaged_under_the_snapshot_is_found_by_check(store):
    totals(store)
    damage(cardiff_part(store))
    assert maintenance.check(store).damaged[0][1:3] == ("cardiff", "2022-23")
    assert ("cardiff", "2022-23") not in totals(store)  # the snapshot is remade without it


def test_healthz_and_every_page_name_what_is_unavailable(store):
    from decarb_dashboard.web import create_app, render_shell

    damage(cardiff_part(store))
    maintenance.check(store)
    app = create_app(store.root, seed=False)
    client = app.server.test_client()
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.get_json()["status"] == "degraded"
    assert answer.get_json()["unavailable"] == [
        {"organisation_id": "cardiff", "reporting_year": "2022-23", "reason": "damaged file"}]
    with app.server.test_request_context("/"):
        assert "Cardiff 2022-23: unavailable: damaged file" in str(render_shell("/", "")[0])
        assert "Caerdydd 2022-23: ddim ar gael: ffeil wedi'i difrodi" in str(render_shell("/", "?lang=cy")[0])


# ---- 15: a full disk ---------------------------------------------------------------
def full_disk(*_args, **_kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_disk_keeps_reads_working_and_refuses_a_submission_cleanly(store, monkeypatch):
    from decarb_dashboard.web import create_app

    app = create_app(store.root, seed=False)
    real_write = store_module.pq.write_table
    monkeypatch.setattr(store_module.pq, "write_table",
                        lambda table, where, **kw: full_disk() if isinstance(where, str | type(store.root))
                        else real_write(table, where, **kw))
    monkeypatch.setattr(store_module.os, "fsync", full_disk)
    assert totals(store) == {("cardiff", "2022-23"): 105, ("newport", "2021-22"): 9, ("newport", "2022-23"): 7}
    assert app.server.test_client().get("/healthz").get_json()["status"] == "ok"
    before = sorted(p.name for p in store.root.rglob("*"))
    with pytest.raises(StoreFull, match="disk of the data directory is full"):
        store.submit(lines_of(*NEWPORT), b"x", submitted_by="bob")
    assert len(store.submissions()) == 2
    assert sorted(p.name for p in store.root.rglob("*")) == before  # no part, no temporary file left


def test_leftover_temporary_files_are_removed_at_start_up(store):
    import os
    import time

    from decarb_dashboard.web import create_app

    folder = cardiff_part(store).parent
    dead = folder / ".x.parquet.999999999-abcd.tmp"  # its writer's process is gone
    old = store.root / "snapshots" / ".current-3.parquet.1a2b.tmp"
    old.parent.mkdir(exist_ok=True)
    live = folder / f".y.parquet.{os.getpid()}-abcd.tmp"  # a write under way in a running process
    for path in (dead, old, live):
        path.write_bytes(b"partial")
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    create_app(store.root, seed=False)
    assert not dead.exists() and not old.exists() and live.exists()


# ---- 16: backups ---------------------------------------------------------------
def test_a_backup_made_while_submissions_arrive_restores_every_submission(store, tmp_path):
    first = store.submissions()[0].submission_id
    store.set_status(first, "queried", actor="wg", message="why so low?")
    stop = threading.Event()

    def keep_submitting() -> None:
        n = 0
        while not stop.is_set():  # each file different: the same file twice is refused as a duplicate
            n += 1
            store.submit(lines_of("Torfaen,2022-23,Waste,,,,,3,,,"), b"t%d" % n, submitted_by="torfaen")

    writer = threading.Thread(target=keep_submitting)
    writer.start()
    try:
        manifest = maintenance.backup(store, tmp_path / "backup")
    finally:
        stop.set()
        writer.join()
    maintenance.restore(tmp_path / "backup", tmp_path / "restored")
    restored = SubmissionStore(tmp_path / "restored")
    source = {s.submission_id: s for s in store.submissions()}
    copies = restored.submissions()
    assert len(copies) >= 2 and manifest["files"]
    for s in copies:
        assert s == source[s.submission_id]
        assert restored.lines(s.submission_id).equals(store.lines(s.submission_id))
    ids = [s.submission_id for s in copies]
    assert ids == [s.submission_id for s in store.submissions()][: len(ids)]  # a consistent prefix
    assert restored.submission(first).status == "queried"
    assert restored.audit_log() == store.audit_log()[: len(restored.audit_log())]
    assert maintenance.check(restored).ok
    with pytest.raises(StoreError, match="not empty"):
        maintenance.restore(tmp_path / "backup", tmp_path / "restored")
    damage(next((tmp_path / "backup").glob("lines/*/*/*.parquet")))
    with pytest.raises(StoreError, match="damaged"):
        maintenance.restore(tmp_path / "backup", tmp_path / "again")
    assert not (tmp_path / "again").exists()
