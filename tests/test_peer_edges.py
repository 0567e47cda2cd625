"""Peer statistics at the edges: a body on a quartile boundary, a body alone, a body outside its group.

Every figure below is worked out by hand. Quartiles are numpy's linear ones: for sorted values
x0..x(n-1), q at fraction f is interpolated at position (n - 1) * f.
"""

from __future__ import annotations

import pandas as pd
import pytest

from decarb_dashboard import peers


def values_of(figures: dict[str, float | None], year: str = "2022-23", metric: str = "total") -> pd.DataFrame:
    """A metric-values frame (as measures.metric_values gives) with one value per body."""
    return pd.DataFrame({
        "organisation_id": list(figures), "reporting_year": year, "metric": metric, "key": "total_tco2e",
        "numerator": list(figures.values()), "denominator": 1.0, "value": list(figures.values()),
        "missing_reason": [None if v is not None else "no figures" for v in figures.values()],
    })


FIVE = {"a": 10.0, "b": 20.0, "c": 30.0, "d": 40.0, "e": 50.0}  # q1 20 (position 1), median 30, q3 40


def standing(figures: dict, body: str, members: list[str] | None = None, label: str = "type") -> tuple:
    r = peers.rank_in_group(values_of(figures), body, members or list(figures), "2022-23", "total", label)
    return r["rank"], r["peer_count"], r["percentile"], r["quartile"]


@pytest.mark.parametrize(("body", "expected"), [
    ("a", (1, 5, 0.0, 1)), ("b", (2, 5, 25.0, 1)),   # on q1: the lower quartile
    ("c", (3, 5, 50.0, 2)),                           # at the median: quartile 2, not 3
    ("d", (4, 5, 75.0, 3)),                           # on q3: quartile 3
    ("e", (5, 5, 100.0, 4)),
])
def test_an_odd_group_puts_a_value_on_a_boundary_in_the_lower_quartile(body, expected):
    assert standing(FIVE, body) == expected


def test_an_even_group_interpolates_its_quartiles():
    four = {"a": 10.0, "b": 20.0, "c": 30.0, "d": 40.0}  # q1 17.5, median 25, q3 32.5
    r = peers.rank_in_group(values_of(four), "b", list(four), "2022-23", "total")
    assert (r["peer_q1"], r["peer_median"], r["peer_q3"]) == (17.5, 25.0, 32.5)
    assert standing(four, "b") == (2, 4, pytest.approx(100 / 3), 2)  # 20: above q1, below the median
    assert standing(four, "c") == (3, 4, pytest.approx(200 / 3), 3)  # 30: above the median, below q3


def test_bodies_tied_at_the_median_share_the_lower_rank_and_quartile_2():
    seven = {"a": 10.0, "b": 20.0, "c": 30.0, "d": 30.0, "e": 40.0, "f": 50.0, "g": 60.0}
    # q1 at position 1.5: 25; median at 3: 30; q3 at 4.5: 45
    assert standing(seven, "c") == standing(seven, "d") == (3, 7, pytest.approx(100 * 2 / 6), 2)
    assert standing(seven, "e") == (5, 7, pytest.approx(100 * 4 / 6), 3)


def test_a_body_alone_in_its_group_is_rank_1_of_1_with_no_percentile_and_the_reason():
    r = peers.rank_in_group(values_of({"welsh_government": 5000.0}), "welsh_government", ["welsh_government"],
                                "2022-23", "total", "type")
    assert (r["rank"], r["peer_count"], r["percentile"], r["quartile"]) == (1, 1, None, None)
    assert r["rank_reason"] == "no other body of this type: it is not ranked"
    assert r["peer_median"] == 5000.0 and r["member"] is True


def test_groups_of_two_and_three():
    two = {"a": 10.0, "b": 20.0}  # q1 12.5, median 15, q3 17.5
    assert standing(two, "a") == (1, 2, 0.0, 1) and standing(two, "b") == (2, 2, 100.0, 4)
    three = {"a": 10.0, "b": 20.0, "c": 30.0}  # q1 15, median 20, q3 25
    assert [standing(three, b) for b in "abc"] == [(1, 3, 0.0, 1), (2, 3, 50.0, 2), (3, 3, 100.0, 4)]
    assert peers.rank_in_group(values_of(three), "b", list(three), "2022-23", "total")["rank_reason"] is None


def test_a_body_outside_the_group_is_placed_against_it_and_marked_not_a_member():
    figures = {**FIVE, "swansea": 25.0}
    r = peers.rank_in_group(values_of(figures), "swansea", list(FIVE), "2022-23", "total", "ccr")
    # the group's own figures, not changed by the outsider
    assert (r["peer_count"], r["peer_q1"], r["peer_median"], r["peer_q3"]) == (5, 20.0, 30.0, 40.0)
    # 25 would come third (10 and 20 below it) of the 6 it would make: percentile 100 * 2 / 5
    assert (r["rank"], r["percentile"], r["quartile"]) == (3, 40.0, 2)
    assert r["member"] is False and r["value"] == 25.0 and r["gap_to_median"] == -5.0
    assert r["rank_reason"].startswith("not a member of the Cardiff Capital Region")


def test_a_body_outside_the_group_with_no_figure_says_why_it_is_not_placed():
    figures = {**FIVE, "swansea": None}
    r = peers.rank_in_group(values_of(figures), "swansea", list(FIVE), "2022-23", "total", "ccr")
    assert r["rank"] is None and r["member"] is False and r["rank_reason"].startswith("not a member")


def test_the_league_table_follows_the_same_rules():
    registry = pd.DataFrame({"id": [*"abcdefg", "solo"], "type": ["council"] * 7 + ["government"],
                             "region": "x", "ccr_member": False})
    seven = {"a": 10.0, "b": 20.0, "c": 30.0, "d": 30.0, "e": 40.0, "f": 50.0, "g": 60.0, "solo": 7.0}
    league = peers.league_table(values_of(seven), registry).set_index("organisation_id")
    assert league.loc["c", "quartile"] == league.loc["d", "quartile"] == 2
    assert league.loc["c", "rank"] == 3 and league.loc["e", "quartile"] == 3
    assert league.loc["b", "quartile"] == 1 and league.loc["g", "quartile"] == 4  # 20 < q1 25; 60 > q3 45
    assert league.loc["solo", "rank"] == 1 and pd.isna(league.loc["solo", "percentile"])
    assert pd.isna(league.loc["solo", "quartile"])


def test_the_page_says_alone_or_not_a_member_instead_of_a_bare_rank():
    from decarb_dashboard.reasons import Reason
    from decarb_dashboard.web.pages.organisation import rank_text

    alone = {"rank": 1, "peer_count": 1, "percentile": None, "quartile": None, "member": True,
             "rank_reason": Reason("alone_type")}
    assert rank_text(alone, "en") == "no other body of this type: it is not ranked"
    assert rank_text(alone, "cy") == "dim corff arall o'r math hwn: nid yw wedi'i restru"
    outside = {"rank": 3, "peer_count": 5, "percentile": 40.0, "quartile": 2, "member": False,
               "rank_reason": Reason("not_member_ccr")}
    assert rank_text(outside, "en").startswith("would be 3 of 6 (1 = lowest) if it were a member: not a member")
    member = {"rank": 3, "peer_count": 5, "percentile": 50.0, "quartile": 2, "member": True, "rank_reason": None}
    assert rank_text(member, "en") == "3 of 5 (1 = lowest), quartile 2 (1 = lowest quarter)"


def test_compare_places_a_body_outside_the_cardiff_capital_region(sample_store):
    from decarb_dashboard.compare import compare
    from decarb_dashboard.engine import Engine

    r = compare(Engine.from_store(sample_store), "swansea", "2022-23", peer_group="ccr")["peer_group"]
    assert r["member"] is False and "swansea" not in r["members"] and len(r["members"]) == 10
    assert r["rank"] is not None and 1 <= r["rank"] <= 11 and r["body_total_tco2e"] is not None
    assert r["rank_reason"].startswith("not a member of the Cardiff Capital Region")


def test_a_body_whose_peers_have_not_reported_yet_is_not_called_alone_of_its_type():
    figures = {"cardiff": 98_000.0, "newport": None}
    v = values_of(figures, year="2024-25")
    v = v[v["organisation_id"] == "cardiff"]  # Newport has no 2024-25 return at all
    r = peers.rank_in_group(v, "cardiff", ["cardiff", "newport", "swansea"], "2024-25", "total", "type")
    assert (r["rank"], r["peer_count"], r["percentile"], r["quartile"]) == (1, 1, None, None)
    assert r["rank_reason"] == "no other body of the group has a figure for 2024-25 yet: it is not ranked"
    assert r["left_out"] == {"newport": "no return for 2024-25", "swansea": "no return for 2024-25"}


@pytest.mark.parametrize("seed", range(20))
def test_the_league_tables_array_code_agrees_with_rank_in_group_on_random_frames(seed):
    """league_table ranks every body at once with array code, for speed; rank_in_group (over
    standing) is the plain reference. On random groups with ties and missing values they agree."""
    import numpy as np

    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 30))
    ids = [f"b{i}" for i in range(n)]
    kinds = rng.choice(["council", "health_board", "fire"], n)
    registry = pd.DataFrame({"id": ids, "type": kinds, "region": "x", "ccr_member": False})
    raw = rng.integers(0, 8, n).astype(float) * 10  # few distinct values: ties are common
    figures = {b: (None if rng.random() < 0.15 else float(x)) for b, x in zip(ids, raw, strict=True)}
    league = peers.league_table(values_of(figures), registry).set_index("organisation_id")
    for body, value in figures.items():
        if value is None:
            assert body not in league.index
            continue
        members = [b for b, k in zip(ids, kinds, strict=True) if k == kinds[ids.index(body)]]
        one = peers.rank_in_group(values_of(figures), body, members, "2022-23", "total")
        row = league.loc[body]
        assert (row["rank"], row["peer_count"]) == (one["rank"], one["peer_count"])
        assert row["peer_median"] == pytest.approx(one["peer_median"])
        assert row["peer_q1"] == pytest.approx(one["peer_q1"]) and row["peer_q3"] == pytest.approx(one["peer_q3"])
        if one["percentile"] is None:
            assert pd.isna(row["percentile"]) and pd.isna(row["quartile"])
        else:
            assert row["percentile"] == pytest.approx(one["percentile"]) and row["quartile"] == one["quartile"]
