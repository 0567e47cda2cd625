"""Group figures with their coverage, on a canonical frame of 4 bodies x 3 years worked out by hand.

| body (type, region)        | 2019-20                     | 2020-21                        | 2021-22                 |
|----------------------------|-----------------------------|--------------------------------|-------------------------|
| cardiff (council, SE)      | buildings 1,000, SC 4,000   | buildings 900, SC 3,800        | buildings 800, SC 3,600 |
| newport (council, SE)      | buildings 500, fleet 100    | buildings 450, fleet not rep.  | no return               |
| gwynedd (council, North)   | buildings 300               | no return                      | buildings 240           |
| betsi (health bd, North)   | buildings 2,100             | buildings 2,000                | buildings 1,900         |

2019-20 totals (the baseline): cardiff 5,000, newport 600, gwynedd 300, betsi 2,100; all Wales 8,000.
"""

from __future__ import annotations

import pandas as pd
import pytest

from decarb_dashboard import rollups
from decarb_dashboard.engine import Engine
from decarb_dashboard.factors import load_factors
from decarb_dashboard.registry import bundled_registry
from tests.conftest import check

H = "organisation,reporting_year,category,emissions_tco2e,status"
LINES = [
    "cardiff,2019-20,Buildings,1000,", "cardiff,2019-20,Supply chain,4000,",
    "cardiff,2020-21,Buildings,900,", "cardiff,2020-21,Supply chain,3800,",
    "cardiff,2021-22,Buildings,800,", "cardiff,2021-22,Supply chain,3600,",
    "newport,2019-20,Buildings,500,", "newport,2019-20,Fleet,100,",
    "newport,2020-21,Buildings,450,", "newport,2020-21,Fleet,,not reported",
    "gwynedd,2019-20,Buildings,300,",
    "gwynedd,2021-22,Buildings,240,",
    "betsi_cadwaladr_uhb,2019-20,Buildings,2100,",
    "betsi_cadwaladr_uhb,2020-21,Buildings,2000,",
    "betsi_cadwaladr_uhb,2021-22,Buildings,1900,",
]
BODIES = ["betsi_cadwaladr_uhb", "cardiff", "gwynedd", "newport"]
COUNCILS = ["cardiff", "gwynedd", "newport"]


@pytest.fixture(scope="module")
def registry() -> pd.DataFrame:
    reg = bundled_registry()
    return reg[reg["id"].isin(BODIES)].reset_index(drop=True)


def engine_of(lines: list[str], registry: pd.DataFrame) -> Engine:
    report = check(*lines, header=H)
    assert report.valid, report.to_text()
    return Engine.from_lines(report.lines, registry, load_factors())


@pytest.fixture(scope="module")
def engine(registry: pd.DataFrame) -> Engine:
    return engine_of(LINES, registry)


def test_coverage_counts_the_bodies_and_their_share_of_the_baseline(engine, registry):
    c = rollups.coverage(engine.categories, registry, BODIES, "2021-22")
    assert (c["bodies_reported"], c["bodies_expected"], c["reported_pct"]) == (3, 4, 75.0)
    assert c["baseline_share_pct"] == pytest.approx(100 * 7_400 / 8_000)  # 92.5: all but Newport's 600
    assert c["provisional"] is True and c["bodies_missing"] == ["newport"]
    c = rollups.coverage(engine.categories, registry, BODIES, "2020-21")
    assert c["baseline_share_pct"] == pytest.approx(100 * 7_700 / 8_000)  # 96.25: all but Gwynedd's 300
    councils = rollups.coverage(engine.categories, registry, COUNCILS, "2021-22")
    assert (councils["bodies_reported"], councils["bodies_expected"]) == (2, 3)
    assert councils["baseline_share_pct"] == pytest.approx(100 * 5_300 / 5_900)  # 89.83
    full = rollups.coverage(engine.categories, registry, BODIES, "2019-20")
    assert (full["bodies_reported"], full["baseline_share_pct"], full["provisional"]) == (4, 100.0, False)


def test_a_group_s_change_is_like_for_like_over_the_bodies_in_both_years(engine):
    lfl = rollups.like_for_like(engine.categories, BODIES, "2021-22", "2019-20")
    assert lfl["bodies"] == ["betsi_cadwaladr_uhb", "cardiff", "gwynedd"]
    # 1,900 + 4,400 + 240 = 6,540 against 2,100 + 5,000 + 300 = 7,400
    assert (lfl["tco2e"], lfl["other_tco2e"], lfl["change_tco2e"]) == (6_540, 7_400, -860)
    assert lfl["change_pct"] == pytest.approx(-860 / 7_400 * 100)  # -11.62%, not the -18.25% of 6,540 vs 8,000
    assert lfl["left_out"] == {"newport": "no return for 2021-22"}
    # 2020-21: Newport over buildings only (its fleet is not reported then): 450 vs 500
    lfl = rollups.like_for_like(engine.categories, BODIES, "2020-21", "2019-20")
    assert (lfl["tco2e"], lfl["other_tco2e"]) == (4_700 + 450 + 2_000, 5_000 + 500 + 2_100)
    assert lfl["left_out"] == {"gwynedd": "no return for 2020-21"}


def test_gap_filling_carries_each_missing_body_category_forward_from_its_latest_figure(engine, registry):
    filled = rollups.gap_fill(engine.categories, BODIES, "2021-22")
    assert sorted((f["organisation_id"], f["category"], f["from_year"], f["tco2e"]) for f in filled) == [
        ("newport", "buildings", "2020-21", 450.0),   # its latest buildings figure
        ("newport", "fleet", "2019-20", 100.0),      # not reported in 2020-21, so from 2019-20
    ]
    s = rollups.group_summary(engine.categories, registry, BODIES, "2021-22", with_gap_fill=True)
    assert s["total_tco2e"] == 6_540 and s["gap_filled_tco2e"] == 7_090 and s["gap_fill"]["filled_tco2e"] == 550
    s = rollups.group_summary(engine.categories, registry, BODIES, "2020-21", with_gap_fill=True)
    # Gwynedd's buildings 300 and Newport's unreported fleet 100, both from 2019-20
    assert s["total_tco2e"] == 7_150 and s["gap_filled_tco2e"] == 7_550
    assert rollups.group_summary(engine.categories, registry, BODIES, "2021-22")["gap_filled_tco2e"] is None


def test_the_group_trajectory_starts_from_the_whole_baseline(engine, registry):
    t = rollups.group_trajectory(engine.categories, registry, BODIES, "2021-22")
    assert t["baseline_tco2e"] == 8_000  # everyone's 2019-20, not only the bodies that reported this year
    assert t["achieved_reduction_pct"] == pytest.approx(860 / 7_400 * 100)  # like for like: 11.62%
    assert t["required_reduction_pct"] == pytest.approx(200 / 11)  # 2 of 11 years: 18.18%
    assert t["status"] == "off_track"
    assert t["tco2e"] == pytest.approx(8_000 * 6_540 / 7_400)  # 7,070.3
    assert t["required_path_tco2e"]["2019-20"] == 8_000 and t["required_path_tco2e"]["2030-31"] == 0
    assert t["coverage"]["bodies_reported"] == 3


def test_one_new_return_leaves_every_earlier_year_alone_and_is_provisional(engine, registry):
    before = {y: rollups.overview(engine.categories, registry, y) for y in ("2019-20", "2020-21", "2021-22")}
    after_engine = engine_of([*LINES, "cardiff,2022-23,Buildings,700,", "cardiff,2022-23,Supply chain,3000,"],
                             registry)
    for y, figures in before.items():
        assert rollups.overview(after_engine.categories, registry, y) == figures
    new = rollups.overview(after_engine.categories, registry, "2022-23")
    w = new["all_wales"]
    assert w["total_tco2e"] == 3_700
    assert (w["coverage"]["bodies_reported"], w["coverage"]["bodies_expected"]) == (1, 4)
    assert w["coverage"]["baseline_share_pct"] == pytest.approx(62.5) and w["coverage"]["provisional"] is True
    assert new["trajectory"]["baseline_tco2e"] == 8_000  # the all-Wales baseline, not Cardiff's 5,000
    assert new["trajectory"]["achieved_reduction_pct"] == pytest.approx(26.0)  # Cardiff 5,000 -> 3,700
    # the pages still open on the year with adequate coverage
    assert rollups.default_year(after_engine.categories, registry) == rollups.default_year(engine.categories,
                                                                                          registry)


def test_the_default_year_is_the_latest_with_adequate_coverage(engine, registry, monkeypatch):
    assert rollups.default_year(engine.categories, registry) == "2019-20"  # 4 of 4; later years 3 of 4 (75%)
    monkeypatch.setenv("DECARB_ADEQUATE_COVERAGE_PCT", "75")
    assert rollups.default_year(engine.categories, registry) == "2021-22"
    monkeypatch.setenv("DECARB_ADEQUATE_COVERAGE_PCT", "150")
    with pytest.raises(ValueError, match="DECARB_ADEQUATE_COVERAGE_PCT"):
        rollups.default_year(engine.categories, registry)


def test_an_aggregate_names_the_flagged_figures_it_includes(engine, registry):
    flags = pd.DataFrame([{"organisation_id": "gwynedd", "reporting_year": "2021-22", "kind": "unit_slip",
                           "category": "buildings", "value_tco2e": 240.0},
                          {"organisation_id": "cardiff", "reporting_year": "2021-22", "kind": "outlier",
                           "category": None, "value_tco2e": None}])
    s = rollups.group_summary(engine.categories, registry, COUNCILS, "2021-22", flags)
    assert s["flagged_figures"] == [{"organisation_id": "gwynedd", "kind": "unit_slip", "category": "buildings",
                                     "value_tco2e": 240.0}]  # an outlier is about a body, not one figure in the sum
    north_health = rollups.group_summary(engine.categories, registry, ["betsi_cadwaladr_uhb"], "2021-22", flags)
    assert north_health["flagged_figures"] == []


def test_overview_by_sector_and_region(engine, registry):
    o = rollups.overview(engine.categories, registry, "2021-22", with_gap_fill=True)
    council = o["by_sector"]["council"]
    assert council["total_tco2e"] == 4_640 and council["gap_filled_tco2e"] == 5_190  # + Newport's 450 + 100
    assert council["like_for_like"]["change_vs_baseline_tco2e"] == 4_640 - 5_300
    north = o["by_region"]["North Wales"]
    assert north["total_tco2e"] == 2_140 and north["coverage"]["bodies_reported"] == 2
    assert o["all_wales"]["like_for_like"]["bodies"] == ["betsi_cadwaladr_uhb", "cardiff", "gwynedd"]


def test_every_body_at_once_gives_the_sums_of_each_body_s_own_like_for_like(sample_store):
    """The group figures sum every body's like-for-like change at once (issue 15: 5,000 bodies); over the 45
    sample bodies and every year they equal, to the last bit, the figures of measures.like_for_like body by body
    added in the same order, and the bodies left out are the same with the same reasons."""
    from decarb_dashboard import measures, years

    engine = Engine.from_store(sample_store)
    cats = engine.categories
    bodies = sorted(engine.registry["id"].astype(str))
    for year in engine.years():
        for other, land in ((measures.BASELINE_YEAR, False), (years.previous(year), True)):
            group = rollups.like_for_like(cats, bodies, year, other, include_land=land)
            now = then = 0.0
            counted = []
            for body in bodies:
                own = measures.like_for_like(cats, body, year, other, include_land=land)
                if own["change_tco2e"] is not None:
                    now, then = now + own["tco2e"], then + own["other_tco2e"]
                    counted.append(body)
            assert group["bodies"] == counted
            assert (group["tco2e"], group["other_tco2e"]) == ((now, then) if counted else (None, None))
            assert sorted(group["left_out"]) == sorted(set(bodies) - set(counted))
        path = measures.trajectory(cats, bodies, year)
        if year != measures.BASELINE_YEAR:
            now = 0.0
            for body in path["bodies"]:  # added one by one, as the loop it replaced did (not sum(): its order)
                now += measures.like_for_like(cats, body, year, measures.BASELINE_YEAR, include_land=True)["tco2e"]
            assert path["tco2e"] == now and len(path["bodies"]) + len(path["left_out"]) == len(bodies)
    assert rollups.like_for_like(cats, bodies, "2022-23", "2022-23")["left_out"]["cardiff"] == \
        "this is the baseline year"
