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


# The Old boiler (completed 2022-23, 30 tCO2e a year expected) against buildings' reported emissions: from 2021-22,
# the year before it started, to the latest year buildings is reported.
def _with_buildings(cells):
    return plan.body_plan(TOTALS, PROJECTS, load_factors(), cells)


def old_boiler(result):
    return next(p for p in result["projects"] if p["project"] == "Old boiler")


def test_a_completed_project_s_realised_saving_is_its_category_s_fall_since_the_year_before_it_started():
    # 500 in 2021-22 to 480 in 2023-24 (the 2022-23 figure is passed over): 20 realised, at least half of 30: no flag
    p = old_boiler(_with_buildings({("2021-22", "buildings"): 500.0, ("2022-23", "buildings"): 470.0,
                                    ("2023-24", "buildings"): 480.0, ("2023-24", "fleet"): 90.0}))
    assert p["realised_saving_tco2e"] == pytest.approx(20.0)
    assert (p["realised_from_year"], p["realised_to_year"]) == ("2021-22", "2023-24")
    assert p["realised_below_expected"] is False and p["realised_note"] is None


def test_a_fall_below_half_the_expected_saving_is_flagged_and_the_share_is_configurable(monkeypatch):
    cells = {("2021-22", "buildings"): 500.0, ("2023-24", "buildings"): 490.0}  # 10 of 30 expected
    assert old_boiler(_with_buildings(cells))["realised_below_expected"] is True
    monkeypatch.setenv("DECARB_REALISED_FLAG_PCT", "30")  # 10 is at least 30% of 30 (9)
    assert old_boiler(_with_buildings(cells))["realised_below_expected"] is False
    monkeypatch.setenv("DECARB_REALISED_FLAG_PCT", "half")
    from decarb_dashboard.config import ConfigurationError
    with pytest.raises(ConfigurationError, match="DECARB_REALISED_FLAG_PCT is 'half'"):
        _with_buildings(cells)


def test_no_year_before_or_since_is_a_note_not_a_saving_of_zero():
    before = old_boiler(_with_buildings({("2023-24", "buildings"): 480.0}))
    assert before["realised_saving_tco2e"] is None and before["realised_note"] == "not_reported_before"
    assert before["realised_below_expected"] is None
    since = old_boiler(_with_buildings({("2021-22", "buildings"): 500.0}))
    assert since["realised_note"] == "not_reported_since"
    planned = next(p for p in _with_buildings({("2021-22", "buildings"): 500.0})["projects"]
                   if p["project"] == "LED lighting")
    assert planned["realised_saving_tco2e"] is None and planned["realised_note"] is None


def test_a_group_s_plan_adds_up_its_bodies_and_says_its_coverage():
    factors = load_factors()
    plans = {
        "b1": plan.body_plan(TOTALS, PROJECTS, factors),  # gaps 700 / 492.95 / 442.95, latest 800 in 2023-24
        "b2": plan.body_plan({"2019-20": 500.0, "2024-25": 400.0}, PROJECTS.iloc[:0], factors),  # flat at 400
        # 10 tCO2e less 30 a year from 2024-25: a gap of -20, nothing still to find
        "b4": plan.body_plan({"2023-24": 10.0}, _projects([["b4", "Solar farm", "buildings", None, "planned",
                                                             "2024-25", 30.0, NAN, None, NAN, ""]]), factors),
    }
    group = plan.group_plan(plans, ["b1", "b2", "b3", "b4"])  # b3 has not reported
    assert group["coverage"] == {"bodies": 4, "bodies_reported": 3, "bodies_with_baseline": 2,
                                 "bodies_with_projects": 2, "projects": 5, "realised_below_expected": 0}
    assert group["baseline_tco2e"] == 1600.0  # b1 1,100 + b2 500; b4 has no baseline
    assert group["latest_year"] == "2024-25" and group["latest_tco2e"] == 1210.0  # 800 + 400 + 10
    assert group["reported_tco2e"] == {}  # no year that all three reported
    assert plan.group_plan(plans, ["b1", "b2"])["reported_tco2e"] == {"2019-20": 1600.0}
    assert group["path_tco2e"]["2025-26"] == pytest.approx(1600 * 5 / 11)
    planned = group["scenarios"]["planned"]
    assert list(planned["projected_tco2e"]) == ["2025-26", "2026-27", "2027-28", "2028-29", "2029-30", "2030-31"]
    assert planned["projected_tco2e"]["2025-26"] == pytest.approx(700 + 400 - 20)
    assert planned["gap_2030_tco2e"] == pytest.approx(1080.0)
    assert planned["saving_still_to_find_tco2e"] == pytest.approx(1100.0)  # b4's surplus closes no one else's gap
    assert group["scenarios"]["with_tentative"]["gap_2030_tco2e"] == pytest.approx(492.95 + 400 - 20)
    assert group["scenarios"]["with_potential"]["gap_2030_tco2e"] == pytest.approx(442.95 + 400 - 20)
    assert group["cost_gbp_per_tco2e"] == pytest.approx(10_000 / 50)  # only the heat pumps give a cost


def test_a_group_nobody_in_has_reported_has_no_figures_only_its_coverage():
    group = plan.group_plan({}, ["b1", "b2"])
    assert group["coverage"]["bodies"] == 2 and group["coverage"]["bodies_reported"] == 0
    assert group["latest_tco2e"] is None and group["baseline_tco2e"] is None and group["scenarios"] == {}
