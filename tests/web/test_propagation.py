"""Each process follows the store's version in a thread of its own (web.propagation): a submission made elsewhere
(another server, another worker) shows within the interval plus one rebuild, and requests never wait for it."""

from __future__ import annotations

import shutil
import threading
import time

import pandas as pd
import pytest

from decarb_dashboard import config
from decarb_dashboard.engine import Engine
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
    real = Engine.from_lines.__func__

    def slow(cls, lines, registry, factors):
        started.set()
        assert release.wait(30)
        return real(cls, lines, registry, factors)

    monkeypatch.setattr(Engine, "from_lines", classmethod(slow))
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


def test_a_rebuild_reads_only_the_body_years_that_changed_and_gives_the_figures_of_a_full_build(sample_store,
                                                                                                 tmp_path,
                                                                                                 monkeypatch):
    root = tmp_path / "data"
    shutil.copytree(sample_store.root, root)
    data.rebuild(root)  # the first engine: every line read
    s = SubmissionStore(root)
    s.submit(check(CARDIFF_2024).lines, b"x", submitted_by="test")  # a new body-year
    s.submit(check("Newport,2022-23,Waste,,,,,70,,,").lines, b"y", submitted_by="test")  # a replaced one
    read = []
    real = SubmissionStore.current_lines
    monkeypatch.setattr(SubmissionStore, "current_lines", lambda self, *args, **kwargs: read.append(args) or real(
        self, *args, **kwargs))
    data.rebuild(root)
    assert sorted(read) == [("cardiff", "2024-25"), ("newport", "2022-23")]
    kept = data._engines[data._engine_key(root, False)].engine
    monkeypatch.setattr(SubmissionStore, "current_lines", real)
    full = Engine.from_store(SubmissionStore(root))
    for frame in ("categories", "values"):
        def tidy(f):
            return f.astype({c: str for c in f.columns if isinstance(f[c].dtype, pd.CategoricalDtype)}).sort_values(
                list(f.columns[:4])).reset_index(drop=True)
        pd.testing.assert_frame_equal(tidy(getattr(kept, frame)), tidy(getattr(full, frame)))
    newport = kept.categories[(kept.categories["organisation_id"] == "newport")
                              & (kept.categories["reporting_year"] == "2022-23")]
    assert newport["tco2e"].sum() == 70.0  # the replacement alone: 70 tCO2e of waste


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
