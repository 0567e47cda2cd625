"""The store on PostgreSQL (DECARB_DATABASE_URL): its migrations, the refusal of an unmigrated database,
``decarb store migrate``, and a writer killed mid-submission. The guarantees both backends share are the
tests of test_store.py, run on both."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
import time

import psycopg
import pytest

from decarb_dashboard import config, migrations
from decarb_dashboard.cli import main
from decarb_dashboard.store import DatabaseUnreachable, StoreNotMigrated, SubmissionStore
from tests import store_workers
from tests.conftest import check

CARDIFF = ["Cardiff,2022-23,Buildings,Electricity,,,,100,,,", "Cardiff,2022-23,Waste,,,,,5,,,"]


def lines_of(*rows: str):
    report = check(*rows)
    assert report.valid, report.to_text()
    return report.lines


def sql(url: str, statement: str, *args) -> list[tuple]:
    with psycopg.connect(url) as db:
        cursor = db.execute(statement, args)
        return cursor.fetchall() if cursor.description else []


@pytest.fixture
def unmigrated_url(postgres_cluster):
    url = postgres_cluster.new_database(migrated=False)
    yield url
    postgres_cluster.drop_database(url)


def test_the_newest_revisions_are_the_ones_alembic_finds():
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrations.alembic_config("sqlite://"))
    assert {r.revision for r in script.get_revisions("heads")} == migrations.heads() == {"0003", "a0001"}
    for branch, prefix in migrations.BRANCHES.items():  # each revises the one before in its branch
        files = sorted(p.name.split("_")[0] for p in migrations.VERSIONS.glob(f"{prefix}[0-9][0-9][0-9][0-9]_*.py"))
        assert [r.revision for r in script.iterate_revisions(f"{branch}@head", "base")] == files[::-1]
        assert migrations.head(branch) == files[-1]


def test_a_store_refuses_a_database_without_its_tables_and_changes_nothing(tmp_path, unmigrated_url):
    with pytest.raises(StoreNotMigrated, match=r"does not have the store's tables yet.*Run `decarb store migrate`"):
        SubmissionStore(tmp_path, database_url=unmigrated_url)
    assert sql(unmigrated_url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [(0,)]


def test_a_store_refuses_a_database_at_another_revision_in_words_in_both_languages(tmp_path, postgres_url):
    from decarb_dashboard.reasons import said

    sql(postgres_url, "UPDATE alembic_version SET version_num = '0001' WHERE version_num = '0003'")
    with pytest.raises(StoreNotMigrated) as refused:
        SubmissionStore(tmp_path, database_url=postgres_url)
    assert ("are at revision 0001, a0001, and this version of decarb-dashboard needs revision 0003, a0001"
            in str(refused.value))
    welsh = said(refused.value, "cy")
    assert "ar ddiwygiad 0001, a0001" in welsh and "decarb store migrate" in welsh
    assert "password" not in str(refused.value) and "@/" in str(refused.value)  # the address, never a password


def test_the_app_will_not_start_on_an_unmigrated_database(tmp_path, unmigrated_url, monkeypatch):
    from decarb_dashboard.web import create_app

    monkeypatch.setenv("DECARB_DATABASE_URL", unmigrated_url)
    with pytest.raises(config.ConfigurationError, match="decarb store migrate"):
        create_app(tmp_path, seed=False)


def test_a_database_that_cannot_be_reached_is_named_without_its_password(tmp_path):
    url = f"postgresql://decarb:s3cret@/nowhere?host={tmp_path}&connect_timeout=2"  # no server's socket there
    with pytest.raises(DatabaseUnreachable, match="Could not connect to the database") as refused:
        SubmissionStore(tmp_path / "data", database_url=url)
    assert "s3cret" not in str(refused.value) and "nowhere" in str(refused.value)


def test_decarb_store_migrate_makes_the_tables_once_and_the_store_then_opens(tmp_path, unmigrated_url, monkeypatch,
                                                                             capsys):
    monkeypatch.setenv("DECARB_DATABASE_URL", unmigrated_url)
    assert main(["store", "migrate", "--data-dir", str(tmp_path)]) == 0
    assert "the store's tables were made, at revision 0003, a0001, the newest" in capsys.readouterr().out
    assert main(["--lang", "cy", "store", "migrate", "--data-dir", str(tmp_path)]) == 0
    assert "mae tablau'r storfa eisoes ar y diwygiad diweddaraf, 0003, a0001: dim i'w wneud" in capsys.readouterr().out
    store = SubmissionStore(tmp_path)  # DECARB_DATABASE_URL: the database, not the directory
    sid = store.submit(lines_of(*CARDIFF), b"v1", submitted_by="alice")
    assert sql(unmigrated_url, "SELECT count(*), sum(emissions_tco2e) FROM lines WHERE submission_id = %s",
               sid) == [(2, 105.0)]
    assert not (tmp_path / "store.sqlite").exists()


def test_decarb_store_migrate_says_why_it_could_not_reach_the_database(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DECARB_DATABASE_URL", f"postgresql://decarb@/nowhere?host={tmp_path}&connect_timeout=2")
    assert main(["store", "migrate"]) == 1
    err = capsys.readouterr().err
    assert "could not migrate the database" in err and "Nothing was changed" in err and "Traceback" not in err
    monkeypatch.setenv("DECARB_DATABASE_URL", "mysql://somewhere/decarb")
    assert main(["store", "migrate"]) == 2
    assert "does not start with postgresql://" in capsys.readouterr().err


def test_the_data_directory_s_maintenance_commands_refuse_a_store_in_postgresql(tmp_path, postgres_url, monkeypatch,
                                                                               capsys):
    monkeypatch.setenv("DECARB_DATABASE_URL", postgres_url)
    assert main(["store", "check", "--data-dir", str(tmp_path)]) == 2
    assert "pg_dump" in capsys.readouterr().err


def test_decarb_store_migrate_stamps_a_data_directory_s_catalogue_and_keeps_its_submissions(tmp_path, capsys):
    store = SubmissionStore(tmp_path, database_url="")
    sid = store.submit(lines_of(*CARDIFF), b"v1", submitted_by="alice")
    with sqlite3.connect(tmp_path / "store.sqlite") as db:  # as a catalogue made before the migrations were
        db.execute("DROP TABLE alembic_version")
    assert main(["store", "migrate", "--data-dir", str(tmp_path)]) == 0
    assert "store.sqlite: the store's tables were made, at revision 0003" in capsys.readouterr().out
    assert migrations.current(f"sqlite:///{tmp_path / 'store.sqlite'}") == {"0003"}
    assert migrations.current(f"sqlite:///{tmp_path / 'accounts.sqlite'}") == {"a0001"}
    assert main(["store", "migrate", "--data-dir", str(tmp_path)]) == 0
    assert "nothing to do" in capsys.readouterr().out
    assert len(SubmissionStore(tmp_path, database_url="").lines(sid)) == 2


def test_the_stored_lines_are_append_only(tmp_path, postgres_url):
    store = SubmissionStore(tmp_path, database_url=postgres_url)
    store.submit(lines_of(*CARDIFF), b"v1", submitted_by="alice")
    store.change_register({"id": "cardiff"}, actor="admin", action="add", changes={})
    for statement in ("UPDATE lines SET emissions_tco2e = 0", "DELETE FROM lines", "TRUNCATE lines CASCADE",
                      "DELETE FROM register_history"):
        with pytest.raises(psycopg.Error, match="is append-only"):
            sql(postgres_url, statement)
    assert len(store.current_lines()) == 2


def test_the_version_grows_with_each_submission_and_status(tmp_path, postgres_url):
    store = SubmissionStore(tmp_path, database_url=postgres_url)
    assert store.version() == 0
    sid = store.submit(lines_of(*CARDIFF), b"v1", submitted_by="alice")
    assert store.version() == 1  # the audit log's newest entry
    store.set_status(sid, "accepted", actor="wg")
    store.change_register({"id": "cardiff"}, actor="admin", action="add", changes={})
    assert store.version() == 2 + 1  # audit log 2, register history 1


@pytest.mark.xdist_group("killed_writers")  # one at a time: each needs its writers to get through between kills
def test_a_writer_killed_mid_submission_never_leaves_a_partial_one(tmp_path, postgres_url):
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["tests.store_workers"])
    data_dir = tmp_path / "data"
    log = tmp_path / "done.log"
    rng = __import__("random").Random(2026)

    def rolled_back() -> int:  # numbers of submissions a kill rolled back: the transaction had inserted its row
        (count, last), = sql(postgres_url, "SELECT count(*), coalesce(max(seq), 0) FROM submissions")
        return last - count

    def reported() -> dict[str, str]:
        return dict(line.split() for line in log.read_text().splitlines()) if log.exists() else {}

    def in_transaction(name: str) -> bool:  # the writer's connection has written in a transaction not yet committed
        return sql(postgres_url, "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s"
                                 " AND backend_xid IS NOT NULL", name) != [(0,)]

    # 20 kills at random moments, then (up to 60 in all) until one has landed inside a transaction and some
    # submissions finished. On a busy machine a random moment may never fall inside one, so after the 20th each
    # kill waits for the writer's connection to hold an uncommitted write.
    for round_ in range(60):
        name = f"killed-writer-{round_}"
        writer = ctx.Process(target=store_workers.submit_forever, args=(str(data_dir), str(log), round_,
                                                                        f"{postgres_url}&application_name={name}"))
        writer.start()
        time.sleep(rng.uniform(0.05, 0.8))
        if round_ >= 20 and not rolled_back():
            deadline = time.monotonic() + 10
            while not in_transaction(name) and time.monotonic() < deadline:
                pass
        os.kill(writer.pid, signal.SIGKILL)
        writer.join()
        assert writer.exitcode == -signal.SIGKILL
        if round_ >= 19 and rolled_back() and len(reported()) >= 10:
            break
    assert len(reported()) >= 10, "the writers should have finished some submissions between kills"
    store = SubmissionStore(data_dir, database_url=postgres_url)
    stored = {s.submission_id: s for s in store.submissions()}
    for submission_id, line_count in reported().items():  # every reported success is present and complete
        assert stored[submission_id].line_count == int(line_count)
    for s in stored.values():  # nothing visible is partial
        assert len(store.lines(s.submission_id)) == s.line_count
    assert sql(postgres_url, "SELECT count(*) FROM lines") == [(sum(s.line_count for s in stored.values()),)]
    assert len(store.current_lines()) == store.current_parts()["line_count"].sum()
    assert len(store.audit_log()) == len(stored)  # one 'submit' entry each, none of a rolled-back one
    assert rolled_back() > 0  # a kill did land inside a submission's transaction


def test_decarb_export_reads_the_lines_from_postgresql_with_no_files_on_disk(tmp_path, postgres_url, monkeypatch,
                                                                              capsys):
    """Parquet stays the interchange format: `decarb export` writes a PostgreSQL store's lines, current and every
    version, as it does a data directory's (the data directory holds no line file)."""
    import pandas as pd

    monkeypatch.setenv("DECARB_DATABASE_URL", postgres_url)
    monkeypatch.delenv("DECARB_PUBLISH", raising=False)
    store = SubmissionStore(tmp_path / "d")
    store.submit(lines_of(*CARDIFF), b"v1", submitted_by="alice")
    store.submit(lines_of("Cardiff,2022-23,Buildings,Electricity,,,,90,,,"), b"v2", submitted_by="alice")
    assert not list((tmp_path / "d").rglob("*.parquet"))
    current, versions = tmp_path / "current.parquet", tmp_path / "versions.parquet"
    assert main(["export", "--format", "parquet", "-o", str(current), "--data-dir", str(tmp_path / "d")]) == 0
    assert main(["export", "--versions", "--format", "parquet", "-o", str(versions),
                 "--data-dir", str(tmp_path / "d")]) == 0
    now = pd.read_parquet(current)
    assert now["emissions_tco2e"].tolist() == [90.0]  # the correction, the first return's two lines superseded
    every = pd.read_parquet(versions)
    assert sorted(every["emissions_tco2e"]) == [5.0, 90.0, 100.0]
    assert every.groupby("version_state").size().to_dict() == {"current": 1, "superseded": 2}
