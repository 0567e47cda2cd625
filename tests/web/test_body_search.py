"""The body selectors of a large register: the chosen bodies and those matching what is typed, never all 5,000.

The sample register has 45 bodies; these tests make the selectors' limit 10 instead of 50, so
that the same rules are exercised on it as on a register of thousands.
"""

from __future__ import annotations

import shutil

import pytest

from decarb_dashboard.web import controls, create_app


@pytest.fixture(scope="module")
def app(sample_store, tmp_path_factory):
    """The app on a copy of the sample store (45 bodies), once for the module: these tests only read."""
    root = tmp_path_factory.mktemp("body-search") / "data"
    shutil.copytree(sample_store.root, root)
    return create_app(root, seed=False)


@pytest.fixture
def small_limit(app, monkeypatch):
    """The app, its body selectors offering at most 10 bodies at a time (the register has 45), in a request."""
    monkeypatch.setattr(controls, "BODY_CHOICES", 10)
    monkeypatch.setattr(controls, "BODY_CHOICES_KEPT", 15)
    with app.server.test_request_context():
        yield app


def values(options: list[dict] | None) -> list[str]:
    return [o["value"] for o in options or []]


def test_a_large_register_first_offers_the_chosen_body_among_the_first_by_name(small_limit):
    offered = controls.body_options("en", "wrexham")
    assert len(offered) == 10 and "wrexham" in values(offered)  # 9 others and Wrexham, not 45
    labels = [o["label"] for o in offered]
    assert labels == sorted(labels, key=str.casefold) and labels[-1] == "Wrexham"
    assert values(controls.body_options("en", ["newport", "cardiff", "nobody"]))[:3] == \
        ["amgueddfa_cymru", "aneurin_bevan_uhb", "arts_council_of_wales"]  # by name; an unknown id is dropped
    assert {"cardiff", "newport"} <= set(values(controls.body_options("en", ["newport", "cardiff", "nobody"])))


def test_part_of_a_welsh_name_finds_the_body_on_an_english_page_and_keeps_the_chosen_one(small_limit):
    found = controls.body_choices("caerd", "newport", controls.body_options("en", "newport"), "en")
    assert values(found)[0] == "cardiff"  # Caerdydd, named Cardiff on an English page
    assert "newport" in values(found)  # still chosen: Dash's dropdown would drop a chosen body its list lacks
    assert next(o for o in found if o["value"] == "cardiff")["label"] == "Cardiff"
    # The dropdown filters the list again by the same words in the browser: they are in each option.
    assert "caerdydd" in next(o for o in found if o["value"] == "cardiff")["search"]


def test_part_of_an_english_name_finds_the_body_on_a_welsh_page(small_limit):
    found = controls.body_choices("vale glam", "cardiff", [], "cy")
    assert values(found)[0] == "vale_of_glamorgan" and found[0]["label"] == "Bro Morgannwg"


def test_a_name_is_found_with_or_without_its_accents_and_by_every_typed_word(small_limit):
    fire = ["mid_and_west_wales_fra", "north_wales_fra", "south_wales_fra"]
    assert sorted(values(controls.matching_bodies("tân achub", "en"))) == fire
    assert sorted(values(controls.matching_bodies("TAN ACHUB", "en"))) == fire
    assert values(controls.matching_bodies("ynys m", "cy")) == ["isle_of_anglesey"]  # Ynys Môn
    assert values(controls.matching_bodies("W06000015", "en")) == ["cardiff"]  # its ONS code
    assert controls.matching_bodies("cardiff zzz", "en") == []  # every word must be there


def test_names_that_start_with_what_is_typed_come_first(small_limit):
    found = values(controls.matching_bodies("pow", "en"))
    assert found[0] == "powys" and "powys_thb" in found  # Powys, then Powys Teaching Health Board


def test_nothing_typed_keeps_the_list_and_adds_a_chosen_body_it_lacks(small_limit):
    offered = controls.body_options("en", "cardiff")
    assert controls.body_choices(None, "cardiff", offered, "en") is None  # nothing to change: no update
    kept = controls.body_choices("", ["cardiff", "wrexham"], offered, "en")
    assert values(kept) == [*values(offered), "wrexham"]  # chosen by another control: added, none dropped


def test_a_search_keeps_bodies_offered_before_up_to_a_limit(small_limit, monkeypatch):
    monkeypatch.setattr(controls, "BODY_CHOICES_KEPT", 6)
    first = controls.body_choices("card", "newport", controls.body_options("en", "newport"), "en")
    assert values(first) == ["cardiff", "cardiff_and_vale_uhb", "newport", "amgueddfa_cymru", "aneurin_bevan_uhb",
                             "arts_council_of_wales"]  # the matches, the chosen body, then those offered before
    then = controls.body_choices("swan", "newport", first, "en")
    # Cardiff stays, hidden in the browser as it does not match "swan": a body chosen meanwhile is not lost.
    assert values(then) == ["swansea", "swansea_bay_uhb", "newport", "cardiff", "cardiff_and_vale_uhb",
                            "amgueddfa_cymru"]


def test_the_whole_register_when_it_is_small(app):
    with app.server.test_request_context():
        assert len(controls.body_options("en", "cardiff")) == 45  # up to 50: every body at once
        assert controls.body_choices("card", "cardiff", [], "en") is None  # nothing to fetch as one types


def test_nonsense_sent_as_a_selector_s_input_changes_nothing(small_limit):
    assert controls.body_choices("x" * 100_000, {"a": 1}, "junk", "xx") == []  # read up to 100 characters
    assert controls.body_choices(None, [None, 3, "nobody"], [{"value": "nobody"}, "x"], "en") is None
    assert values(controls.body_choices("", "cardiff", [{"value": "<script>", "label": "x"}], "en")) == ["cardiff"]
