"""What the pages read is worked out once per engine, and the store asked its version once per request."""

from __future__ import annotations

import pytest

from decarb_dashboard.store import SubmissionStore
from decarb_dashboard.web import create_app, data


@pytest.fixture(scope="module")
def app(sample_store):
    return create_app(sample_store.root, seed=False)


def test_a_body_s_comparison_is_worked_out_once_per_engine(app, monkeypatch):
    import decarb_dashboard.compare

    with app.server.test_request_context("/organisation"):
        e = data.engine()
        first = data.comparison(e, "cardiff", "2022-23")
        monkeypatch.setattr(decarb_dashboard.compare, "compare", lambda *a, **k: pytest.fail("worked out again"))
        assert data.comparison(e, "cardiff", "2022-23") is first
        assert first["organisation"]["id"] == "cardiff" and first["reporting_year"] == "2022-23"


def test_the_store_is_asked_its_version_once_per_request(app, monkeypatch):
    with app.server.test_request_context("/wales"):
        data.engine()  # built before counting: a first build reads the version for its own files
    asked = []
    real = SubmissionStore.version
    monkeypatch.setattr(SubmissionStore, "version", lambda self: asked.append(1) or real(self))
    with app.server.test_request_context("/wales"):
        engines = {id(data.engine()) for _ in range(20)}
    assert asked == [1] and len(engines) == 1
    with app.server.test_request_context("/wales"):
        data.engine()
    assert asked == [1, 1]  # the next request asks again: a new submission shows within REBUILD_INTERVAL_S
