"""Each process follows the store's version in a thread of its own (web.propagation): a submission made elsewhere
(another server, another worker) shows within the interval plus one rebuild, and requests never wait for it."""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time

import pandas as pd
import pytest

from decarb_dashboard import config, memo, peers
from decarb_dashboard import engine as engine_module
from decarb_dashboard.engine import Engine
from decarb_dashboard.factors import load_factors
from decarb_dashboard.registry import bundled_registry
from decarb_dashboard.store import SubmissionStore
from decarb_dashboard.web import create_app, data, propagation, warm
from decarb_dashboard.web.i18n import languages
from decarb_dashboard.web.pages import wales
from tests.conftest import check

#: A return for a year the sample store has none of: Cardiff 2024-25, waste 5 tCO2e and nothing else.
CARDIFF_2024 = "Cardiff,2024-25,Waste,,,,,5,,,"


@pytest.fixture
def followed(sample_store, tmp_path, monkeypatch):
    """An app over a copy of the sample store whose follower reads the version every 0.1 s; stopped after."""
    root = tmp_path / "data"
    shutil.copytree(sample_store.root, root)
    monkeypatch.setenv("DECARB_PROPAGATION_INTERVAL_S", "0.1")
    app = create_app(root, seed=False)
    stop = propagation.start(app.server, root)  # the thread create_app started
    assert stop is not None
    yield app, root
    stop.set()


def wait_for(condition, seconds: float = 20.0) -> float:
    """Poll ``condition`` until true; return the seconds it took (fail after ``seconds``)."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < seconds, f"not seen within {seconds} s"
        time.sleep(0.02)
    return time.monotonic() - started


def years_shown(app) -> list[str]:
    with app.server.test_request_context("/wales"):
        return data.engine().years()


def test_a_submission_made_by_another_process_shows_without_any_request_reading_the_version(followed, monkeypatch):
    app, root = followed
    wait_for(lambda: data.built_version(root) is not None)  # the follower built the first engine itself
    assert "2024-25" not in years_shown(app)
    readers = []
    real = SubmissionStore.version
    monkeypatch.setattr(SubmissionStore, "version", lambda self: readers.append(threading.current_thread().name)
                        or real(self))
    elsewhere = SubmissionStore(root)  # another server's store object: this process's is not told
    elsewhere.submit(check(CARDIFF_2024).lines, b"x", submitted_by="test")
    wait_for(lambda: "2024-25" in years_shown(app))
    with app.server.test_request_context("/api/v1/bodies"):
        assert data.engine().registry["id"].nunique() == 45
    assert readers and set(readers) == {"decarb-follow-store"}  # requests read no version; the follower did


def test_requests_are_answered_from_the_engine_before_while_the_follower_rebuilds(followed, monkeypatch):
    app, root = followed
    wait_for(lambda: data.built_version(root) is not None)
    before = data._engines[data._engine_key(root, False)].engine
    release, started = threading.Event(), threading.Event()
    real = Engine.updated

    def slow(engine, lines, changed):  # the rebuild after one submission works out only its body-years
        started.set()
        assert release.wait(30)
        return real(engine, lines, changed)

    monkeypatch.setattr(Engine, "updated", slow)
    SubmissionStore(root).submit(check(CARDIFF_2024).lines, b"x", submitted_by="test")
    assert started.wait(20), "the follower did not start a rebuild"
    t0 = time.monotonic()
    with app.server.test_request_context("/wales"):
        assert data.engine() is before  # answered at once, not after the rebuild
    assert time.monotonic() - t0 < 1.0
    release.set()
    wait_for(lambda: "2024-25" in years_shown(app))


def test_the_interval_is_half_a_second_unless_set_and_a_wrong_value_says_what_to_set(monkeypatch):
    monkeypatch.delenv("DECARB_PROPAGATION_INTERVAL_S")
    assert config.propagation_interval_s() == 0.5
    monkeypatch.setenv("DECARB_PROPAGATION_INTERVAL_S", "2")
    assert config.propagation_interval_s() == 2.0
    monkeypatch.setenv("DECARB_PROPAGATION_INTERVAL_S", "0")
    assert config.propagation_interval_s() == 0.0
    for wrong in ("soon", "0.01", "-1", "61", "nan"):
        monkeypatch.setenv("DECARB_PROPAGATION_INTERVAL_S", wrong)
        with pytest.raises(config.ConfigurationError, match=f"DECARB_PROPAGATION_INTERVAL_S is '{wrong}': set it to a"):
            config.propagation_interval_s()


def test_without_a_follower_each_request_reads_the_version(sample_store):
    app = create_app(sample_store.root, seed=False)  # the suite's setting: DECARB_PROPAGATION_INTERVAL_S=0
    assert propagation.start(app.server, sample_store.root, warm_pages=False) is None


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its categories as text, in one order: to compare an updated engine's with a full build's."""
    out = frame.astype({c: str for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)})
    out = out.astype({c: str for c in out.columns if out[c].dtype == object})  # Reasons as their English
    return out.sort_values(list(out.columns), kind="stable").reset_index(drop=True)


def test_a_rebuild_reads_and_works_out_only_the_body_years_that_changed_and_gives_the_figures_of_a_full_build(
        sample_store, tmp_path, monkeypatch):
    root = tmp_path / "data"
    shutil.copytree(sample_store.root, root)
    data.rebuild(root)  # the first engine: every line read
    before = data._engines[data._engine_key(root, False)].engine
    assert before.values_without_supply_chain is not None  # asked for: the update keeps it current too
    s = SubmissionStore(root)
    s.submit(check(CARDIFF_2024).lines, b"x", submitted_by="test")  # a new body-year
    s.submit(check("Newport,2022-23,Waste,,,,,70,,,").lines, b"y", submitted_by="test")  # a replaced one
    swansea = s.history("swansea", "2021-22")[-1].submission_id
    s.set_status(swansea, "withdrawn", actor="test")  # a withdrawn one: Swansea has no 2021-22 return now
    read, normalised = [], []
    real = SubmissionStore.current_lines
    monkeypatch.setattr(SubmissionStore, "current_lines", lambda self, *args, **kwargs: read.append(args) or real(
        self, *args, **kwargs))
    real_normalise = engine_module.normalise
    monkeypatch.setattr(engine_module, "normalise", lambda lines, factors: normalised.append(len(lines)) or
                        real_normalise(lines, factors))
    data.rebuild(root)
    assert sorted(read) == [("cardiff", "2024-25"), ("newport", "2022-23")]  # withdrawn: nothing to read
    assert normalised == [2]  # Cardiff's line and Newport's, not the store's thousands
    kept = data._engines[data._engine_key(root, False)].engine
    monkeypatch.setattr(SubmissionStore, "current_lines", real)
    full = Engine.from_store(SubmissionStore(root))
    for frame in ("facts", "factor_warnings", "categories", "values", "values_without_supply_chain"):
        pd.testing.assert_frame_equal(_tidy(getattr(kept, frame)), _tidy(getattr(full, frame)), obj=frame)
    newport = kept.categories[(kept.categories["organisation_id"] == "newport")
                              & (kept.categories["reporting_year"] == "2022-23")]
    assert newport["tco2e"].sum() == 70.0  # the replacement alone: 70 tCO2e of waste
    assert not ((kept.facts["organisation_id"] == "swansea") & (kept.facts["reporting_year"] == "2021-22")).any()
    assert ((before.facts["organisation_id"] == "swansea") & (before.facts["reporting_year"] == "2021-22")).any()


def test_with_only_accepted_returns_published_the_published_engine_is_updated_when_a_return_is_accepted(
        sample_store, tmp_path, monkeypatch):
    monkeypatch.setenv("DECARB_PUBLISH", "accepted")
    root = tmp_path / "data"
    shutil.copytree(sample_store.root, root)
    s = SubmissionStore(root)
    for sub in s.submissions():  # the sample returns accepted: published
        s.set_status(sub.submission_id, "accepted", actor="test")
    data.rebuild(root)
    newport = s.submit(check("Newport,2022-23,Waste,,,,,70,,,").lines, b"y", submitted_by="test")
    data.rebuild(root)

    def newport_2022(drafts):
        e = data.engine(root, drafts=drafts)
        return e.categories[(e.categories["organisation_id"] == "newport")
                            & (e.categories["reporting_year"] == "2022-23")]["tco2e"].sum()

    published = newport_2022(False)
    assert newport_2022(True) == 70.0 and published != 70.0  # awaiting review: the accepted return is published
    read, normalised = [], []
    real = SubmissionStore.current_lines
    monkeypatch.setattr(SubmissionStore, "current_lines", lambda self, *args, **kwargs: read.append(
        (args, kwargs.get("accepted_only"))) or real(self, *args, **kwargs))
    real_normalise = engine_module.normalise
    monkeypatch.setattr(engine_module, "normalise", lambda lines, factors: normalised.append(len(lines)) or
                        real_normalise(lines, factors))
    s.set_status(newport, "accepted", actor="test")
    data.rebuild(root)
    assert read == [(("newport", "2022-23"), True)] and normalised == [1]  # the published engine only: drafts same
    assert newport_2022(False) == 70.0
    monkeypatch.setattr(SubmissionStore, "current_lines", real)
    full = Engine.from_store(SubmissionStore(root), accepted_only=True)
    for frame in ("facts", "categories", "values"):
        pd.testing.assert_frame_equal(_tidy(getattr(data.engine(root), frame)), _tidy(getattr(full, frame)), obj=frame)


def test_an_updated_engine_keeps_the_body_and_year_order_with_each_return_s_lines_in_their_order():
    registry = bundled_registry()
    lines = check("Cardiff,2020-21,Waste,,,,,5,,,", "Cardiff,2020-21,Water,,,,,7,,,",
                  "Newport,2020-21,Waste,,,,,9,,,").lines
    engine = Engine.from_lines(lines, registry, load_factors())
    fresh = check("Blaenau Gwent,2021-22,Waste,,,,,3,,,", "Cardiff,2020-21,Water,,,,,8,,,",
                  "Cardiff,2020-21,Waste,,,,,6,,,").lines
    updated = engine.updated(fresh, {("cardiff", "2020-21"), ("blaenau_gwent", "2021-22")})
    assert list(zip(updated.facts["organisation_id"], updated.facts["category"],
                    updated.facts["emissions_tco2e"], strict=True)) == [
        ("blaenau_gwent", "waste", 3.0), ("cardiff", "water", 8.0), ("cardiff", "waste", 6.0),
        ("newport", "waste", 9.0)]
    totals = updated.values[updated.values["metric"] == "total"]
    assert list(zip(totals["organisation_id"], totals["value"], strict=True)) == [
        ("blaenau_gwent", 3.0), ("cardiff", 14.0), ("newport", 9.0)]
    assert list(updated.values["metric"].unique()) == list(engine.values["metric"].unique())  # metric by metric
    assert updated.registry is engine.registry and engine.facts["emissions_tco2e"].sum() == 21.0  # engine unchanged
    engine.values_without_supply_chain  # noqa: B018 (asked for, so kept up to date)
    withdrawn = engine.updated(None, {("newport", "2020-21")})  # no lines come: Newport's 2020-21 return withdrawn
    assert list(withdrawn.categories["organisation_id"].unique()) == ["cardiff"]
    for frame in (withdrawn.facts, withdrawn.values, withdrawn.values_without_supply_chain):
        assert set(frame["organisation_id"]) == {"cardiff"}


def test_an_updated_engine_keeps_the_quality_flags_of_the_years_its_change_left_alone(monkeypatch):
    lines = check("Cardiff,2022-23,Waste,,,,,5,,,", "Cardiff,2023-24,Waste,,,,,6,,,",
                  "Newport,2023-24,Waste,,,,,9,,,").lines
    engine = Engine.from_lines(lines, bundled_registry(), load_factors())
    worked_out = []
    real = peers.quality_flags
    monkeypatch.setattr(peers, "quality_flags", lambda *args, **kwargs: worked_out.append(args[4]) or real(
        *args, **kwargs))
    kept = peers.year_flags(engine, "2023-24")
    assert peers.year_flags(engine, "2024-25").empty  # no 2024-25 return yet
    # Cardiff's 2024-25 return: 12 tCO2e of waste, twice its 6 of the year before (a jump: over 50%)
    updated = engine.updated(check("Cardiff,2024-25,Waste,,,,,12,,,").lines, {("cardiff", "2024-25")})
    assert peers.year_flags(updated, "2023-24") is kept  # its lines and 2022-23's unchanged: not worked out again
    now = peers.year_flags(updated, "2024-25")
    peers.year_flags(updated, "2025-26")  # read 2024-25 as its year before: worked out again
    assert worked_out == ["2023-24", "2024-25", "2024-25", "2025-26"]
    jump = now[now["kind"] == "jump"].iloc[0]
    assert (jump["organisation_id"], jump["category"], jump["before_tco2e"], jump["value_tco2e"],
            jump["change_pct"]) == ("cardiff", "waste", 6.0, 12.0, 100.0)
    full = Engine.from_lines(pd.concat([lines, check("Cardiff,2024-25,Waste,,,,,12,,,").lines], ignore_index=True),
                             engine.registry, engine.factors)
    for year in ("2023-24", "2024-25"):  # the kept flags and the new ones are a full build's
        pd.testing.assert_frame_equal(peers.year_flags(updated, year), peers.year_flags(full, year))


def test_a_years_flags_after_a_change_are_worked_out_again_for_the_bodies_of_the_changed_ones_type_only(monkeypatch):
    # 2024-25 waste: two councils 10 tCO2e each and Powys 10,000, 1000x the councils' median of 10 (a unit slip
    # against its peers; too few for outliers); a health board's 10,000 has no peer to be against. Cardiff's
    # 2023-24 is 10.
    lines = check("Cardiff,2023-24,Waste,,,,,10,,,", *(f"{body},2024-25,Waste,,,,,{t},,," for body, t in (
        ("Cardiff", 10), ("Newport", 10), ("Powys", 10000),
        ("Betsi Cadwaladr University Health Board", 10000)))).lines
    engine = Engine.from_lines(lines, bundled_registry(), load_factors())
    before = peers.year_flags(engine, "2024-25")
    assert before[["organisation_id", "kind", "against", "ratio"]].values.tolist() == [
        ["powys", "unit_slip", "peers", 1000.0]]
    peers.year_flags(engine, "2025-26")
    checked = []
    real = peers.quality_flags
    monkeypatch.setattr(peers, "quality_flags", lambda *args, **kwargs: checked.append((args[4], args[5])) or real(
        *args, **kwargs))
    # Cardiff's 2024-25 becomes 10,000: the councils' median is now 10,000, Powys's ratio 1 (no slip), Newport's
    # 0.001; Cardiff's own is 1000x its 2023-24 (a slip against its year before, not a jump).
    change = check("Cardiff,2024-25,Waste,,,,,10000,,,").lines
    updated = engine.updated(change, {("cardiff", "2024-25")})
    now = peers.year_flags(updated, "2024-25")
    assert now[["organisation_id", "kind", "against", "ratio"]].values.tolist() == [
        ["cardiff", "unit_slip", "previous_year", 1000.0]]
    peers.year_flags(updated, "2025-26")
    councils = sorted(engine.registry.loc[engine.registry["type"] == "council", "id"])
    assert checked == [("2024-25", councils), ("2025-26", ["cardiff"])]  # the health board's left as they were
    monkeypatch.undo()
    kept = lines[~((lines["organisation_id"] == "cardiff") & (lines["reporting_year"] == "2024-25"))]
    full = Engine.from_lines(pd.concat([kept, change], ignore_index=True), engine.registry, engine.factors)
    for year in ("2024-25", "2025-26"):  # the same as every body's worked out afresh
        pd.testing.assert_frame_equal(peers.year_flags(updated, year), peers.year_flags(full, year))
    # Worked out again from the engine before's only while it is the newest: an engine two changes on has its own
    again = updated.updated(check("Cardiff,2024-25,Waste,,,,,10,,,").lines, {("cardiff", "2024-25")})
    assert updated.revision("2024-25").base is None and again.revision("2024-25").base is updated.revision("2024-25")


def test_a_change_landing_while_the_pages_are_drawn_ahead_stops_that_drawing_and_the_new_figures_are_drawn(
        sample_store, tmp_path, monkeypatch):
    root = tmp_path / "data"
    shutil.copytree(sample_store.root, root)
    monkeypatch.setenv("DECARB_PROPAGATION_INTERVAL_S", "0.1")
    monkeypatch.setenv("DECARB_WARM_PAGES", "1")
    drawn = []  # the store version of the engine each page was drawn ahead on
    real = warm._page

    def page(server, path, layout, lang):
        if not drawn:  # the first page drawn at start-up: a submission lands through another server meanwhile
            SubmissionStore(root).submit(check(CARDIFF_2024).lines, b"x", submitted_by="test")
        drawn.append(data.built_version(root))
        real(server, path, layout, lang)

    monkeypatch.setattr(warm, "_page", page)
    app = create_app(root, seed=False)
    stop = propagation.start(app.server, root)
    try:
        pages = len(languages()) * len(warm.PATHS)
        wait_for(lambda: len(drawn) > 1 and drawn.count(drawn[-1]) == pages, seconds=120)
        assert drawn.count(drawn[0]) == 1 and drawn[-1] > drawn[0]  # the rest of the old engine's pages never drawn
        monkeypatch.setattr(wales, "_figures", lambda *a: pytest.fail("the first visitor after the change paid"))
        with app.server.test_request_context("/wales"):
            assert "2024-25" in data.engine().years()
            wales.view(data.engine(), data.default_year(), "cy")
    finally:
        stop.set()


def test_the_follower_builds_the_next_engine_while_a_page_is_still_being_drawn_ahead(sample_store, tmp_path,
                                                                                      monkeypatch):
    root = tmp_path / "data"
    shutil.copytree(sample_store.root, root)
    monkeypatch.setenv("DECARB_PROPAGATION_INTERVAL_S", "0.1")
    monkeypatch.setenv("DECARB_WARM_PAGES", "1")
    drawing, release = threading.Event(), threading.Event()
    real = warm._page

    def page(server, path, layout, lang):  # a drawing step that takes as long as the test wants (seconds at scale)
        drawing.set()
        assert release.wait(60)
        real(server, path, layout, lang)

    monkeypatch.setattr(warm, "_page", page)
    app = create_app(root, seed=False)
    stop = propagation.start(app.server, root)
    try:
        assert drawing.wait(60), "the pages were not drawn ahead"
        before = data.built_version(root)
        SubmissionStore(root).submit(check(CARDIFF_2024).lines, b"x", submitted_by="test")
        wait_for(lambda: "2024-25" in years_shown(app))  # the new engine, though the page is not drawn yet
        assert data.built_version(root) > before and not release.is_set()
        if sys.platform == "linux":  # and the drawing has the cores last, the follower at the process's priority
            niceness = {t.name: os.getpriority(os.PRIO_PROCESS, t.native_id) for t in threading.enumerate()
                        if t.name.startswith("decarb-")}
            assert niceness["decarb-draw-ahead"] == 19
            assert niceness["decarb-follow-store"] == os.getpriority(os.PRIO_PROCESS, 0)
    finally:
        release.set()
        stop.set()


def test_the_drawing_ahead_waits_while_the_follower_rebuilds(sample_store, tmp_path, monkeypatch):
    """A step of the drawing asks for results (memo.per_object) as it goes; once a rebuild has begun, the next one
    it asks for waits until that rebuild ends, rather than taking half of Python's lock from it."""
    root = tmp_path / "data"
    shutil.copytree(sample_store.root, root)
    monkeypatch.setenv("DECARB_PROPAGATION_INTERVAL_S", "0.1")
    monkeypatch.setenv("DECARB_WARM_PAGES", "1")
    drawing, rebuilding = threading.Event(), threading.Event()
    order = []
    real_page, real_rebuild = warm._page, data.rebuild

    def page(server, path, layout, lang):
        if not drawing.is_set():  # the first step: it goes on only once a rebuild has begun
            drawing.set()
            assert rebuilding.wait(60)
            memo.per_object(object(), "a step's result", lambda: order.append("drawn"))
        real_page(server, path, layout, lang)

    def rebuild(directory):
        rebuilding.set()
        time.sleep(0.5)  # the drawing, if it did not wait, would ask for its result meanwhile
        order.append("rebuilt")
        return real_rebuild(directory)

    monkeypatch.setattr(warm, "_page", page)
    app = create_app(root, seed=False)
    stop = propagation.start(app.server, root)
    try:
        assert drawing.wait(60), "the pages were not drawn ahead"
        monkeypatch.setattr(data, "rebuild", rebuild)
        SubmissionStore(root).submit(check(CARDIFF_2024).lines, b"x", submitted_by="test")
        wait_for(lambda: "drawn" in order, seconds=60)
        assert order == ["rebuilt", "drawn"]
    finally:
        stop.set()
