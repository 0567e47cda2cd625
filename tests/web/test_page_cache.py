"""The pages' figures are kept per engine (data.page_view), worked out ahead at start-up (web.warm), and never
outlive the store they were drawn from: a new submission shows, a download still has its rows."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest

from decarb_dashboard import config, memo, review
from decarb_dashboard.web import components, create_app, data, propagation, warm
from decarb_dashboard.web.components import figure_text
from decarb_dashboard.web.pages import home, organisation, receipt, wales
from tests.conftest import HEADER
from tests.web.conftest import as_account


def submit_cardiff_2022(store) -> None:
    """A corrected Cardiff 2022-23: buildings 15,000 and supply chain 95,000 tCO2e, 110,000 tCO2e in all."""
    from decarb_dashboard.validate import validate_upload

    raw = (HEADER + "\nCardiff Council,2022-23,Buildings,,,,,15000,,,\n"
           "Cardiff Council,2022-23,Supply chain,,,,,95000,estimated,spend,\n").encode()
    report = validate_upload(raw, "corrected.csv", registry=data.registry())
    store.submit(report.lines, raw, submitted_by="test", file_name="corrected.csv")


def test_a_kept_page_shows_a_new_submission_at_once(app):
    with as_account(app, None):
        e = data.engine()
        body_page = organisation.view(e, "cardiff", "2022-23", "total", "type", True, "en")
        assert organisation.view(e, "cardiff", "2022-23", "total", "type", True, "en") is body_page  # kept
        cardiff_before = data.comparison(e, "cardiff", "2022-23")["total_tco2e"]
        wales_before = home.all_wales_summary("2022-23")["total_tco2e"]
        wales_page = wales.view(e, "2022-23", "en")
        assert wales.view(e, "2022-23", "en") is wales_page
        submit_cardiff_2022(data.store())
    with as_account(app, None):  # the next request: the store's new version, a new engine, the new figures
        e = data.engine()
        body_after = str(organisation.view(e, "cardiff", "2022-23", "total", "type", True, "en"))
        assert "110,000 tCO2e" in body_after and "110,000 tCO2e" not in str(body_page)
        # All Wales: the old total less Cardiff's old figure plus its new 110,000 tCO2e.
        expected = figure_text(wales_before - cardiff_before + 110_000, "tco2e", "en", "tCO2e")
        assert expected in str(wales.view(e, "2022-23", "en")) and expected not in str(wales_page)


def test_a_kept_page_still_downloads_every_row_of_its_table(app):
    query = {"view": "wales-view.children", "values": ["2022-23", "leave", "total", "council", "en"]}
    with app.server.test_request_context():
        wales.update("2022-23", "leave", "total", "council", "en")  # drawn, so now kept
        frame = components.rebuild_block(query, "wales-map")
        coverage = components.rebuild_block(query, "wales-coverage")
    assert len(frame) == 22  # the 22 councils
    assert len(coverage) == 45  # every body of the register


def test_a_receipt_has_each_return_s_totals_as_the_review_of_it_says(sample_store):
    from decarb_dashboard.engine import Engine

    engine = Engine.from_store(sample_store)
    sid = next(s.submission_id for s in sample_store.submissions() if "cardiff" in s.organisations)
    totals = review.submission_totals(sample_store, engine, sid)
    assert [year for body, year in totals if body == "cardiff"] == ["2019-20", "2020-21", "2021-22", "2022-23",
                                                                       "2023-24"]
    for (body, year), found in totals.items():
        assert found == review.review_view(sample_store, engine, sid, body, year)["totals"]


def test_the_receipt_page_works_its_totals_out_once_per_engine(app, monkeypatch):
    with as_account(app, None):
        s = next(s for s in data.store().submissions() if "cardiff" in s.organisations)
        first = receipt.return_totals(s)
        monkeypatch.setattr(review, "submission_totals", lambda *a: pytest.fail("worked out again"))
        assert receipt.return_totals(s) is first


def test_the_public_pages_are_drawn_ahead_at_start_up(sample_store, tmp_path, monkeypatch):
    root = tmp_path / "data"
    shutil.copytree(sample_store.root, root)
    monkeypatch.setenv("DECARB_WARM_PAGES", "1")
    drawn = threading.Event()
    real = warm.warm
    monkeypatch.setattr(warm, "warm", lambda *args: (real(*args), drawn.set())[0])
    app = create_app(root, seed=False)
    stop = propagation.start(app.server, Path(app.server.config["DECARB_DATA_DIR"]))  # create_app's thread
    try:
        assert drawn.wait(120), "the pages were not drawn ahead"
        monkeypatch.setattr(wales, "_figures", lambda *a: pytest.fail("the first visitor paid for the figures"))
        monkeypatch.setattr(organisation, "_figures", lambda *a: pytest.fail("the first visitor paid"))
        with app.server.test_request_context("/wales"):
            for lang in ("en", "cy"):
                e = data.engine()
                wales.view(e, data.default_year(), lang)
                organisation.view(e, data.chosen_body(None), data.default_year(), "total", "type", True, lang)
    finally:
        stop.set()


def test_warming_is_on_unless_turned_off_and_a_wrong_value_says_what_to_set(monkeypatch):
    monkeypatch.delenv("DECARB_WARM_PAGES")
    assert config.warm_pages() is True
    monkeypatch.setenv("DECARB_WARM_PAGES", "0")
    assert config.warm_pages() is False
    monkeypatch.setenv("DECARB_WARM_PAGES", "sometimes")
    with pytest.raises(config.ConfigurationError, match="DECARB_WARM_PAGES is 'sometimes': set it to 1"):
        config.warm_pages()


def test_two_threads_asking_for_the_same_result_work_it_out_once(monkeypatch):
    monkeypatch.setattr(memo, "_kept", {})
    owner, calls, results = object(), [], []

    def slow() -> str:
        calls.append(1)
        time.sleep(0.3)
        return "figures"

    threads = [threading.Thread(target=lambda: results.append(memo.per_object(owner, "page", slow)))
               for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == [1] and results == ["figures"] * 3


def test_drawing_ahead_waits_while_the_process_answers_a_request(app, monkeypatch):
    order = []
    answering, release = threading.Event(), threading.Event()

    def request(environ, start_response):
        answering.set()
        assert release.wait(30)
        order.append("answered")
        return []

    monkeypatch.setattr(warm, "PATIENCE_S", 60.0)
    monkeypatch.setattr(warm, "_flags", lambda *a: order.append("drawn"))
    monkeypatch.setattr(warm, "_page", lambda *a: order.append("drawn"))
    asked = threading.Thread(target=warm.counted(request), args=({}, None))
    asked.start()
    assert answering.wait(30)
    drawing = threading.Thread(target=warm.warm, args=(app.server,))
    drawing.start()
    time.sleep(0.2)  # time for the drawing to go ahead of the request, which it must not
    release.set()
    asked.join(30)
    drawing.join(30)
    assert order[0] == "answered" and len(order) > 1 and set(order[1:]) == {"drawn"}


def test_a_server_s_workers_draw_their_pages_in_turn(tmp_path):
    order = []

    def other_worker():
        with warm.turn(tmp_path):
            order.append("second drew")

    with warm.turn(tmp_path):
        second = threading.Thread(target=other_worker)
        second.start()
        time.sleep(0.2)  # time for the other to draw beside this one, which it must not
        order.append("first drew")
    second.join(30)
    assert order == ["first drew", "second drew"]


def test_drawing_ahead_stops_once_the_store_has_moved_on(app, monkeypatch):
    monkeypatch.setattr(warm, "_flags", lambda *a: pytest.fail("drawn on an engine about to be replaced"))
    monkeypatch.setattr(warm, "_page", lambda *a: pytest.fail("drawn on an engine about to be replaced"))
    assert warm.warm(app.server, stale=lambda: True) is False
