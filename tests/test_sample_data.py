"""The illustrative sample returns: they load through the upload path and look like Wales."""

from __future__ import annotations

import pytest

from decarb_dashboard.registry import bundled_registry
from decarb_dashboard.sample import SAMPLE_USER, sample_files, seed_if_empty
from decarb_dashboard.store import SubmissionStore


@pytest.fixture(scope="module")
def seeded(sample_store) -> SubmissionStore:
    return sample_store


@pytest.fixture(scope="module")
def totals(seeded):
    lines = seeded.current_lines()
    gross = lines[lines["category"] != "land"]
    return gross.groupby(["organisation_id", "reporting_year", "category"], observed=True)["emissions_tco2e"].sum()


def test_every_body_has_a_return_for_every_year(seeded):
    parts = seeded.current_parts()
    assert parts["organisation_id"].nunique() == 45
    assert sorted(parts["reporting_year"].unique()) == ["2019-20", "2020-21", "2021-22", "2022-23", "2023-24"]
    assert len(parts) == 45 * 5
    assert {s.submitted_by for s in seeded.submissions()} == {SAMPLE_USER}


def test_seeding_happens_once(tmp_path):
    store = SubmissionStore(tmp_path, durable=False)
    assert seed_if_empty(store, bundled_registry())
    assert not seed_if_empty(store, bundled_registry())
    assert len(store.submissions()) == len(sample_files())


def test_magnitudes_look_like_wales(totals):
    by_body = totals.groupby(level=["organisation_id", "reporting_year"]).sum()
    assert 100_000 < by_body[("cardiff", "2019-20")] < 200_000  # a large council: 100-200 kt
    assert by_body[("eryri_npa", "2019-20")] < 5_000  # national parks are tiny
    shares = (totals.xs("supply_chain", level="category") / by_body).xs("2019-20", level="reporting_year")
    assert (shares.between(0.6, 0.9)).mean() > 0.75  # supply chain 60-90% of most totals


def test_buildings_is_the_largest_category_after_supply_chain(totals):
    year = totals.xs("2019-20", level="reporting_year")
    largest = year.drop("supply_chain", level="category").groupby(level="organisation_id").idxmax()
    assert (largest.map(lambda key: key[1]) == "buildings").mean() > 0.8


def test_travel_categories_start_in_2021_22(seeded):
    lines = seeded.current_lines()
    travel = lines[lines["category"].isin(["commuting", "business_travel", "homeworking"])]
    assert set(travel["reporting_year"]) == {"2021-22", "2022-23", "2023-24"}


def test_not_reported_not_applicable_and_estimated_lines_exist(seeded):
    status = seeded.current_lines()["status"].value_counts()
    assert status["not_applicable"] > 0 and status["not_reported"] > 0 and status["estimated"] > 0


def test_land_is_negative_where_a_body_owns_woodland(seeded):
    lines = seeded.current_lines()
    land = lines[(lines["category"] == "land") & lines["emissions_tco2e"].notna()]
    assert (land["emissions_tco2e"] < 0).all()
    assert {"powys", "natural_resources_wales", "eryri_npa"} <= set(land["organisation_id"])


def test_the_planted_problems_are_there(totals):
    fleet = totals.xs(("torfaen", "fleet"), level=["organisation_id", "category"])
    assert 900 < fleet["2022-23"] / fleet["2021-22"] < 1100  # a 1000x unit slip
    gas = totals.xs(("ceredigion", "buildings"), level=["organisation_id", "category"])
    assert gas["2021-22"] / gas["2020-21"] > 1.5  # an implausible jump
    supply = totals.xs(("wrexham", "supply_chain"), level=["organisation_id", "category"])
    assert supply["2023-24"] / supply["2022-23"] < 0.4


def test_cardiff_corrected_2022_23_and_keeps_its_history(seeded):
    history = seeded.history("cardiff", "2022-23")
    assert [s.file_name for s in history] == ["cardiff.csv", "cardiff-2022-23-corrected.csv"]
    diff = seeded.diff(history[0].submission_id, history[1].submission_id, "cardiff", "2022-23")
    assert diff["category"].tolist() == ["waste"]
    assert diff["status_old"].tolist() == ["estimated"] and diff["status_new"].tolist() == ["measured"]


def test_the_layouts_and_languages_of_the_sample_files():
    names = {name for name, _ in sample_files()}
    assert {"gwynedd.csv", "eryri_npa.csv", "powys.xlsx", "cardiff-2022-23-corrected.csv"} <= names
