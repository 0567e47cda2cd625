"""The register of Welsh public bodies and matching the names people type."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from decarb_dashboard.matcher import OrganisationMatcher
from decarb_dashboard.registry import bundled_registry, load_registry
from tests.conftest import REFERENCE


@pytest.fixture(scope="module")
def matcher() -> OrganisationMatcher:
    return OrganisationMatcher(bundled_registry())


def test_every_reporting_body_is_registered():
    registry = bundled_registry()
    counts = registry["type"].value_counts().to_dict()
    assert counts == {"council": 22, "health_board": 7, "sponsored_body": 6, "nhs_trust": 3,
                      "fire_rescue_authority": 3, "national_park_authority": 3, "welsh_government": 1}
    assert len(registry) == 45


def test_cardiff_capital_region_is_the_ten_councils():
    registry = bundled_registry()
    assert sorted(registry.loc[registry["ccr_member"], "short_name_en"]) == [
        "Blaenau Gwent", "Bridgend", "Caerphilly", "Cardiff", "Merthyr Tydfil", "Monmouthshire", "Newport",
        "Rhondda Cynon Taf", "Torfaen", "Vale of Glamorgan"]


@pytest.mark.skipif(not (REFERENCE / "welsh_local_authorities.csv").exists(), reason="shared reference absent")
def test_council_populations_are_the_confirmed_ons_figures():
    registry = bundled_registry().set_index("short_name_en")
    with (REFERENCE / "welsh_local_authorities.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            body = registry.loc[row["name_en"]]
            year = 2024 if row["population_2024"] else 2022
            assert body["population"] == int(row[f"population_{year}"])
            assert body["population_year"] == year


def test_health_board_population_is_the_sum_of_its_councils():
    registry = bundled_registry().set_index("id")
    # Cardiff 383,919 (2024) + Vale of Glamorgan 133,492 (2022, no 2024 figure confirmed)
    assert registry.at["cardiff_and_vale_uhb", "population"] == 517_411


def test_illustrative_denominators_are_marked():
    registry = bundled_registry()
    assert registry["provenance"].str.contains("illustrative").all()


@pytest.mark.parametrize(
    ("typed", "body"),
    [
        ("Cardiff", "cardiff"), ("cardiff council", "cardiff"), ("CARDIFF COUNTY COUNCIL", "cardiff"),
        ("Caerdydd", "cardiff"), ("Cyngor Caerdydd", "cardiff"), ("W06000015", "cardiff"), ("cardiff", "cardiff"),
        ("Rhondda Cynon Taf County Borough Council", "rhondda_cynon_taf"), ("RCT", "rhondda_cynon_taf"),
        ("Merthyr Tydfil CBC", "merthyr_tydfil"), ("Ynys Mon", "isle_of_anglesey"),
        ("Cyngor Sir Ynys Môn", "isle_of_anglesey"), ("City and County of Swansea", "swansea"),
        ("Powys", "powys"), ("Powys County Council", "powys"), ("Powys Health Board", "powys_thb"),
        ("Powys Teaching Health Board", "powys_thb"), ("Betsi Cadwaladr UHB", "betsi_cadwaladr_uhb"),
        ("Brecon Beacons National Park Authority", "bannau_brycheiniog_npa"), ("HEFCW", "medr"),
        ("Welsh Ministers", "welsh_government"), ("Cyfoeth Naturiol Cymru", "natural_resources_wales"),
        ("  velindre  university nhs trust ", "velindre"),
    ],
)
def test_names_people_type_find_the_body(matcher, typed, body):
    assert matcher.resolve(typed) == body


def test_near_misses_get_a_suggestion_not_a_guess(matcher):
    assert matcher.resolve("Cardif") is None
    assert matcher.suggest("Cardif") == "Cardiff Council"
    assert matcher.resolve("Gotham City Council") is None


def test_names_in_both_languages(matcher):
    assert matcher.name("newport", "cy") == "Cyngor Dinas Casnewydd"
    assert matcher.name("newport", "cy", short=True) == "Casnewydd"


def test_a_register_in_the_data_directory_replaces_the_bundled_one(tmp_path):
    bundled = bundled_registry()
    smaller = bundled[bundled["type"] == "national_park_authority"].copy()
    smaller.to_csv(tmp_path / "registry.csv", index=False)
    loaded = load_registry(tmp_path)
    assert sorted(loaded["id"]) == ["bannau_brycheiniog_npa", "eryri_npa", "pembrokeshire_coast_npa"]


def test_a_broken_replacement_register_is_refused(tmp_path):
    bundled = bundled_registry().copy()
    bundled.loc[0, "region"] = "Narnia"
    bundled.to_csv(tmp_path / "registry.csv", index=False)
    with pytest.raises(Exception, match="region"):
        load_registry(tmp_path)
    assert isinstance(load_registry(None), pd.DataFrame)
