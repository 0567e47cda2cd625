"""The pages with one early return for a new year: provisional, with its coverage, opening on the adequate year."""

from __future__ import annotations

import pytest

from decarb_dashboard.web import create_app
from decarb_dashboard.web.pages import organisation, wales
from tests.conftest import HEADER

#: One worker runs this module, so that its module-scoped fixtures are made once, not once per worker.
pytestmark = pytest.mark.xdist_group("coverage_views")


@pytest.fixture(scope="module")
def early_app(tmp_path_factory):
    from decarb_dashboard.registry import bundled_registry
    from decarb_dashboard.sample import seed
    from decarb_dashboard.store import SubmissionStore
    from decarb_dashboard.validate import validate_upload

    store = SubmissionStore(tmp_path_factory.mktemp("early"), durable=False)
    seed(store, bundled_registry())
    data = (HEADER + "\nCardiff Council,2024-25,Buildings,,,,,15000,,,\n"
            "Cardiff Council,2024-25,Supply chain,,,,,95000,estimated,spend,\n").encode()
    report = validate_upload(data, "early.csv", registry=bundled_registry())
    store.submit(report.lines, data, submitted_by="test", file_name="early.csv")
    return create_app(store.root, seed=False)


def test_the_pages_open_on_the_latest_adequate_year_and_mark_the_new_one(early_app):
    from decarb_dashboard.web import data

    with early_app.server.app_context():
        assert data.default_year() == "2023-24"  # 45 of 45; 2024-25 has 1 of 45
        labels = {o["value"]: o["label"] for o in data.year_options("en")}
        assert labels["2024-25"] == "2024-25 (provisional: 1 of 45 bodies)" and labels["2023-24"] == "2023-24"
        assert {o["value"]: o["label"] for o in data.year_options("cy")}["2024-25"] == \
            "2024-25 (dros dro: 1 o 45 corff)"
        page = str(organisation.layout("en", body="cardiff"))
        assert "'value': '2023-24'" in page.replace('"', "'")


def test_the_wales_overview_says_a_year_is_provisional_and_how_covered(early_app):
    from decarb_dashboard.web import data

    with early_app.server.app_context():
        text = str(wales.view(data.engine(), "2024-25", "en"))
        assert "wales-provisional" in text and "Provisional: only 1 of 45 bodies have reported for 2024-25" in text
        assert "110,000 tCO2e" in text  # Cardiff's alone, said to be a part
        full = str(wales.view(data.engine(), "2023-24", "en"))
        assert "wales-provisional" not in full and "45 of 45 bodies have reported for 2023-24" in full
        # The path starts from the all-Wales baseline in every year's view
        fig, _ = wales.wales_trajectory(data.engine(), "en")
        path = next(tr for tr in fig.data if tr["name"] == "Straight path to net zero")
        early = next(tr for tr in fig.data if tr["name"].startswith("Provisional"))
        assert path["y"][0] > 1_000_000 and early["x"] == ["2024-25"]
        assert early["text"] == ["1 of 45 bodies have reported"]


def test_gap_filling_is_shown_as_its_own_part(early_app):
    from decarb_dashboard.web import data

    with early_app.server.app_context():
        fig, frame = wales.grouped_history(data.engine(), "type", "en", "chart_by_sector", gap_fill=True)
        filled = next(tr for tr in fig.data if tr["name"] == "Gap-filled (carried forward)")
        assert filled["y"][filled["x"].index("2024-25")] > 1_000_000  # 44 bodies carried forward
        assert filled["y"][filled["x"].index("2023-24")] == 0  # everyone reported
        assert "Gap-filled (carried forward)" in frame.iloc[:, 0].tolist()
        assert "Bodies reported" in frame.iloc[:, 0].tolist()
