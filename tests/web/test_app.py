"""The app starts on an empty data directory, seeded with the sample returns through the upload path."""

from __future__ import annotations

from decarb_dashboard.store import SubmissionStore
from decarb_dashboard.web import create_app


def test_first_start_seeds_the_sample_returns_and_serves_a_page(tmp_path):
    app = create_app(tmp_path)
    store = SubmissionStore(tmp_path)
    assert not store.is_empty()
    assert store.current_parts()["organisation_id"].nunique() == 45
    with app.server.app_context():
        from decarb_dashboard.web.pages.home import layout as home_layout

        assert "45 of 45 bodies have reported" in str(home_layout("en"))  # the seeded returns, all Wales
    response = app.server.test_client().get("/")
    assert response.status_code == 200
    create_app(tmp_path)  # a second start does not seed again
    assert len(store.submissions()) == 46


def test_app_module_exposes_server_for_gunicorn(monkeypatch, tmp_path):
    import importlib
    import sys

    monkeypatch.setenv("DECARB_DATA_DIR", str(tmp_path))
    sys.modules.pop("app", None)
    module = importlib.import_module("app")
    assert module.server is module.app.server


def test_pages_follow_a_submission_within_the_rebuild_interval(tmp_path, monkeypatch):
    from decarb_dashboard.web import data
    from tests.conftest import check

    app = create_app(tmp_path)
    store = SubmissionStore(tmp_path)
    clock = [1000.0]
    monkeypatch.setattr(data.time, "monotonic", lambda: clock[0])
    with app.server.app_context():
        data._engines.clear()
        before = data.engine()
        lines = check("Cardiff,2024-25,Waste,,,,,5,,,").lines
        store.submit(lines, b"x", submitted_by="test")
        clock[0] += data.REBUILD_INTERVAL_S / 2
        assert data.engine() is before  # within the interval: the engine before is still used
        clock[0] += data.REBUILD_INTERVAL_S
        after = data.engine()
        assert after is not before and "2024-25" in after.years()
        assert data.engine() is after  # unchanged store: no rebuild
