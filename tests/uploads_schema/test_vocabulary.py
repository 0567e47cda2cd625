"""The vocabularies are data: every term has both languages, every source a scope and units."""

from __future__ import annotations

from uploads_schema import messages
from uploads_schema.columns import columns, match_header
from uploads_schema.vocabulary import vocabulary


def test_the_ten_categories_in_reporting_order():
    assert [c.name_en for c in vocabulary().ordered_categories()] == [
        "Buildings", "Street lighting", "Fleet", "Business travel", "Commuting", "Homeworking", "Waste",
        "Water", "Supply chain", "Land"]


def test_only_land_may_be_negative():
    assert [c.id for c in vocabulary().categories.values() if c.negative_allowed] == ["land"]


def test_travel_categories_required_from_2021_22():
    v = vocabulary()
    assert {c: v.categories[c].required_from for c in ("business_travel", "commuting", "homeworking")} == {
        "business_travel": "2021-22", "commuting": "2021-22", "homeworking": "2021-22"}


def test_every_term_has_welsh_and_english_names():
    v = vocabulary()
    for terms in (v.categories.values(), v.sources.values(), v.units.values(), v.statuses.values(),
                  v.methods.values()):
        for term in terms:
            assert term.name_en and term.name_cy, term.id


def test_units_convert_to_canonical():
    v = vocabulary()
    assert v.units["MWh"].to_canonical * 2.5 == 2500.0  # 2.5 MWh = 2,500 kWh
    assert v.units["miles"].to_canonical == 1.609344


def test_sources_imply_a_scope_of_their_category():
    v = vocabulary()
    assert v.sources[("buildings", "natural_gas")].scope == 1
    assert v.sources[("buildings", "electricity")].scope == 2
    assert v.sources[("supply_chain", "works")].units == ("GBP",)


def test_both_languages_have_every_message():
    for code in messages.codes():
        entry = messages.catalogue()[code]
        for part in ("title", "message", "fix"):
            assert set(entry[part]) == {"en", "cy"}, (code, part)


def test_every_column_has_both_descriptions_and_its_own_name_matches():
    for spec in columns():
        assert spec.description_en and spec.description_cy
        assert match_header(spec.name) == spec.name
        assert match_header(spec.name.upper().replace("_", " ")) == spec.name
