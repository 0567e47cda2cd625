"""Reasons for a missing figure: English from the engine, the same words in Welsh on the pages."""

from __future__ import annotations

import string

import pytest

from decarb_dashboard import reasons
from decarb_dashboard.compare import compare
from decarb_dashboard.engine import Engine


@pytest.mark.parametrize("code", sorted(reasons.templates()))
def test_every_reason_has_both_languages_and_its_english_translates_back(code):
    t = reasons.templates()[code]
    assert set(t) == {"en", "cy"} and t["en"] != t["cy"]
    names = {name for _, name, _, _ in string.Formatter().parse(t["en"]) if name}
    assert names == {name for _, name, _, _ in string.Formatter().parse(t["cy"]) if name}  # the same placeholders
    params = {"year": "2021-22", "denominator": "staff_fte", **{n: f"<{n}>" for n in names - {"year", "denominator"}}}
    english = reasons.text(code, **params)
    assert reasons.translate(english, "cy") == reasons.text(code, "cy", **params)
    assert reasons.translate(english, "en") == english


def test_reasons_the_engine_gives_are_all_translated(sample_store):
    engine = Engine.from_store(sample_store)
    given = set()
    for body in ("isle_of_anglesey", "cardiff", "eryri_npa", "torfaen"):
        for year in ("2019-20", "2022-23"):
            r = compare(engine, body, year)
            given |= set(r["peer_group"]["left_out"].values())
            given |= {c[k] for c in r["categories"] for k in c if k.endswith("_reason") and c[k]}
    assert "this is the baseline year" in given and any(g.startswith("not reported in ") for g in given)
    untranslated = {g for g in given if reasons.translate(g, "cy") == g}
    assert untranslated == set()
    not_reported = next(g for g in given if g == "not reported in 2022-23")  # as the engine gave it
    assert reasons.translate(not_reported, "cy") == "heb ei adrodd yn 2022-23"


def test_a_missing_denominator_is_named_in_the_reader_s_language():
    from decarb_dashboard.factors import load_factors
    from decarb_dashboard.registry import bundled_registry
    from tests.conftest import check

    no_staff = bundled_registry().assign(staff_fte=None)
    engine = Engine.from_lines(check("cardiff,2022-23,Buildings,,,,,100,,,").lines, no_staff, load_factors())
    values = engine.values
    why = values[values["metric"] == "per_fte"]["missing_reason"].iloc[0]
    assert why == "no staff full-time equivalent figure for this body"  # the figure's name, not its column id
    assert reasons.translate(why, "cy") == "dim ffigur cyfwerth ag amser llawn staff ar gyfer y corff hwn"
