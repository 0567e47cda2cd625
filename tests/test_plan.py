"""The net zero plan model (issue 18), with figures worked out by hand."""

import math

import pandas as pd
import pytest

from decarb_dashboard import plan
from decarb_dashboard.factors import load_factors

COLUMNS = ["organisation_id", "project", "category", "source", "status", "start_year", "saving_tco2e",
           "activity_change", "activity_unit", "cost_gbp", "notes"]
NAN = math.nan


def _projects(rows):
    return pd.DataFrame(rows, columns=COLUMNS)


PROJECTS = _projects([
    ["b1", "LED lighting", "buildings", None, "planned", "2025-26", 100.0, NAN, None, NAN, ""],
    # 1,000,000 kWh less grid electricity at the newest (2024) factor 0.20705 kg/kWh = 207.05 tCO2e a year
    ["b1", "Solar", "buildings", "electricity", "tentative", "2027-28", NAN, -1_000_000.0, "kWh", NAN, ""],
    ["b1", "Heat pumps", "buildings", None, "potential", "2024-25", 50.0, NAN, None, 10_000.0, ""],
    ["b1", "Old boiler", "buildings", None, "completed", "2022-23", 30.0, NAN, None, NAN, ""],
])
TOTALS = {"2019-20": 1100.0, "2022-23": 850.0, "2023-24": 800.0}


@pytest.fixture(scope="module")
def result():
    return plan.body_plan(TOTALS, PROJECTS, load_factors())


def test_every_scenario_year_by_year(result):
    assert result["baseline_tco2e"] == 1100.0
    assert result["latest_year"] == "2023-24" and result["latest_tco2e"] == 800.0
    expected = {
        "planned": [800, 700, 700, 700, 700, 700, 700],
        "with_tentative": [800, 700, 700, 492.95, 492.95, 492.95, 492.95],
        "with_potential": [750, 650, 650, 442.95, 442.95, 442.95, 442.95],
    }
    future = ["2024-25", "2025-26", "2026-27", "2027-28", "2028-29", "2029-30", "2030-31"]
    for name, figures in expected.items():
        projected = result["scenarios"][name]["projected_tco2e"]
        assert list(projected) == future
        assert list(projected.values()) == pytest.approx(figures)
    assert result["scenarios"]["planned"]["gap_2030_tco2e"] == pytest.approx(700)
    assert result["scenarios"]["with_tentative"]["gap_2030_tco2e"] == pytest.approx(492.95)
    assert result["scenarios"]["with_potential"]["saving_still_to_find_tco2e"] == pytest.approx(442.95)


def test_path_is_straight_from_baseline_to_zero(result):
    path = result["path_tco2e"]
    assert path["2019-20"] == 1100.0 and path["2030-31"] == 0.0
    assert path["2025-26"] == pytest.approx(500.0)  # 1100 * 5 / 11
    assert result["path_2030_tco2e"] == 0.0


def test_projects_say_factor_year_cost_and_saving_by_year(result):
    solar = next(p for p in result["projects"] if p["project"] == "Solar")
    assert solar["saving_tco2e_per_year"] == pytest.approx(207.05) and solar["factor_year"] == 2024
    heat = next(p for p in result["projects"] if p["project"] == "Heat pumps")
    assert heat["cost_gbp_per_tco2e"] == pytest.approx(200.0)
    assert list(heat["saving_tco2e_by_year"]) == ["2024-25", "2025-26", "2026-27", "2027-28", "2028-29",
                                                  "2029-30", "2030-31"]
    old = next(p for p in result["projects"] if p["project"] == "Old boiler")
    assert old["saving_tco2e_by_year"] == {}


def test_no_factor_is_a_note_not_zero():
    projects = _projects([["b1", "Mystery", "buildings", "electricity", "planned", "2025-26", NAN, -10.0,
                           "furlongs", NAN, ""]])
    result = plan.body_plan(TOTALS, projects, load_factors())
    assert result["projects"][0]["saving_tco2e_per_year"] is None
    assert result["projects"][0]["note"] == "no_factor"
    assert result["scenarios"]["planned"]["gap_2030_tco2e"] == 800.0


def test_no_baseline_no_path():
    result = plan.body_plan({"2023-24": 800.0}, PROJECTS.iloc[:0], load_factors())
    assert result["baseline_tco2e"] is None and result["path_tco2e"] == {}
    assert "no_baseline" in result["notes"]


def test_stored_projects_reads_the_store():
    class Store:
        def current_projects(self, organisation_id=None):
            return PROJECTS[PROJECTS.organisation_id == organisation_id]

    assert len(plan.stored_projects(Store(), "b1")) == 4
