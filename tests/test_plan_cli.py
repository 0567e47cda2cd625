"""``decarb plan`` and the API's ``bodies/{id}/plan`` over a real projects submission (issue 18's CLI contract).

Cardiff's sample returns: 2019-20 baseline 137,302.79 tCO2e and 2023-24 (its latest) 152,553.93 tCO2e, net of land
(as ``decarb compare`` gives them). Its three projects, worked by hand:
- LED street lighting, planned from 2025-26: -1,200,000 kWh of electricity x 0.20705 kg/kWh (the 2024 set, the
  newest) / 1000 = 248.46 tCO2e a year;
- fleet electrification, tentative from 2026-27: 85.5 tCO2e a year;
- heat pumps, completed in 2023-24: 120 tCO2e, already in the reported figures, not subtracted again.
So in 2030-31: planned 152,553.93 - 248.46 = 152,305.47; with tentative (and with potential, none more)
152,305.47 - 85.5 = 152,219.97. The path: 137,302.79 x (2030 - 2025) / (2030 - 2019) = 62,410.36 in 2025-26.
The heat pumps' realised saving: Cardiff's buildings fell from 15,487.3 tCO2e in 2022-23 (the year before) to
15,464.8 in 2023-24 (its latest), 22.5 tCO2e, less than half of the 120 expected: flagged.
"""

from __future__ import annotations

import json
import shutil

import pytest

from decarb_dashboard.cli import main
from decarb_dashboard.web import create_app

PROJECTS = """\
organisation,project,category,source,status,start_year,saving_tco2e,activity_change,activity_unit,cost_gbp,notes
Cardiff,LED street lighting,Street lighting,Electricity,planned,2025-26,,-1200000,kWh,450000,
Cardiff,Fleet electrification,Fleet,,tentative,2026-27,85.5,,,,
Cardiff,Heat pumps at the main office,Buildings,Natural gas,completed,2023-24,120,,,,
"""


@pytest.fixture(scope="module")
def site(sample_store, tmp_path_factory):
    root = tmp_path_factory.mktemp("plan") / "data"
    shutil.copytree(sample_store.root, root)
    projects = root.parent / "projects.csv"
    projects.write_text(PROJECTS, encoding="utf-8")
    assert main(["projects", "submit", str(projects), "--data-dir", str(root), "--as", "cardiff.officer"]) == 0
    return root


def plan_json(site, capsys, org: str) -> dict:
    capsys.readouterr()
    assert main(["plan", "--org", org, "--data-dir", str(site), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_the_plan_s_scenarios_gaps_and_path_are_the_hand_worked_figures(site, capsys):
    plan = plan_json(site, capsys, "Cardiff")
    assert (plan["baseline_tco2e"], plan["latest_year"], plan["latest_tco2e"]) == (137302.79, "2023-24", 152553.93)
    assert plan["path_2030_tco2e"] == 0
    assert plan["path_tco2e"]["2025-26"] == pytest.approx(62410.36, abs=0.01)
    planned = plan["scenarios"]["planned"]["projected_tco2e"]
    assert planned == {"2024-25": 152553.93, **{y: 152305.47 for y in
                                                ("2025-26", "2026-27", "2027-28", "2028-29", "2029-30", "2030-31")}}
    gaps = {name: s["gap_2030_tco2e"] for name, s in plan["scenarios"].items()}
    assert gaps == {"planned": 152305.47, "with_tentative": 152219.97, "with_potential": 152219.97}
    led, fleet, heat_pumps = plan["projects"]
    assert (led["saving_tco2e_per_year"], led["factor_year"]) == (248.46, 2024)
    assert led["cost_gbp_per_tco2e"] == pytest.approx(450000 / 248.46, abs=1e-4)
    assert fleet["saving_tco2e_by_year"] == {y: 85.5 for y in ("2026-27", "2027-28", "2028-29", "2029-30", "2030-31")}
    assert heat_pumps["status"] == "completed" and heat_pumps["saving_tco2e_by_year"] == {}
    assert plan["coverage"] == {"projects": 3, "with_saving": 3}


def test_a_body_without_projects_has_flat_scenarios_and_the_text_says_so_in_welsh(site, capsys):
    plan = plan_json(site, capsys, "newport")
    assert plan["projects"] == [] and len({s["gap_2030_tco2e"] for s in plan["scenarios"].values()}) == 1
    assert plan["scenarios"]["planned"]["gap_2030_tco2e"] == plan["latest_tco2e"]
    assert main(["plan", "--org", "Casnewydd", "--data-dir", str(site), "--lang", "cy"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Cynllun sero net Cyngor Dinas Casnewydd\n")
    assert "Nid oes prosiectau wedi'u cadw ar gyfer Cyngor Dinas Casnewydd." in text


def test_the_text_gives_each_gap_in_whole_tonnes_and_names_the_factor_set(site, capsys):
    assert main(["plan", "--org", "cardiff", "--data-dir", str(site)]) == 0
    text = capsys.readouterr().out
    for line in ("With completed and planned projects: 152,305 tCO2e in 2030-31; 152,305 tCO2e of savings still",
                 "With tentative projects too: 152,220 tCO2e in 2030-31",
                 "LED street lighting (planned, 2025-26): saves 248 tCO2e a year (its activity change at the newest "
                 "official factors, the 2024 set)",
                 "Heat pumps at the main office (completed, 2023-24): saves 120 tCO2e a year"):
        assert line in text


def test_the_api_answers_what_decarb_plan_json_prints(site, capsys, monkeypatch):
    monkeypatch.setenv("DECARB_API_RATE_LIMIT", "10000 per minute")
    client = create_app(site, seed=False).server.test_client()
    answer = client.get("/api/v1/bodies/cardiff/plan")
    assert answer.status_code == 200
    assert answer.get_json() == plan_json(site, capsys, "cardiff")
    unknown = client.get("/api/v1/bodies/atlantis/plan")
    assert unknown.status_code == 404 and unknown.get_json()["error"]["code"] == "unknown_body"
    groups = client.get("/api/v1/plan")
    assert groups.status_code == 200 and groups.get_json() == rollup_json(site, capsys)


@pytest.mark.parametrize(("lang", "words"), [
    ("en", ["Net zero plan: projects against the path to 2030-31",
            "Completed and planned projects: 152,305 tCO2e in 2030-31, against 0 on the path; 152,305 tCO2e",
            "With tentative projects too: 152,220 tCO2e in 2030-31"]),
    ("cy", ["Cynllun sero net: prosiectau o'u cymharu â'r llwybr i 2030-31",
            "Gyda rhai petrus hefyd: 152,220 tCO2e yn 2030-31, o'i gymharu â 0 ar y llwybr"]),
])
def test_my_organisation_shows_the_plan_s_gaps_and_its_projects_table(site, lang, words):
    from decarb_dashboard.web import data
    from decarb_dashboard.web.pages import organisation
    from tests.conftest import shown_texts

    app = create_app(site, seed=False)
    with app.server.test_request_context():
        section = organisation.plan_section(data.engine(), "cardiff", lang)
    text = " ".join(shown_texts(section))
    for phrase in words:
        assert phrase in text
    assert ("LED street lighting" in text) and ("Heat pumps at the main office" in text)
    with app.server.test_request_context():
        none = " ".join(shown_texts(organisation.plan_section(data.engine(), "newport", lang)))
    assert ("Newport City Council has recorded no net zero projects yet" if lang == "en"
            else "Nid yw Cyngor Dinas Casnewydd wedi cofnodi unrhyw brosiectau sero net eto") in none


def test_the_completed_project_s_realised_saving_is_set_beside_the_saving_it_expected(site, capsys):
    heat = next(p for p in plan_json(site, capsys, "cardiff")["projects"] if p["status"] == "completed")
    assert heat["realised_saving_tco2e"] == pytest.approx(22.5)
    assert (heat["realised_from_year"], heat["realised_to_year"]) == ("2022-23", "2023-24")
    assert heat["realised_below_expected"] is True
    capsys.readouterr()
    assert main(["plan", "--org", "cardiff", "--data-dir", str(site), "--lang", "cy"]) == 0
    assert "gostyngodd allyriadau ei gategori ddim ond 22 tCO2e o 2022-23 i 2023-24" in capsys.readouterr().out


def rollup_json(site, capsys) -> dict:
    capsys.readouterr()
    assert main(["plan", "--rollup", "--data-dir", str(site), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_the_rollup_says_its_coverage_and_counts_cardiff_s_projects_in_its_groups_only(site, capsys):
    found = rollup_json(site, capsys)
    wales = found["all_wales"]
    assert wales["coverage"] == {"bodies": 45, "bodies_reported": 45, "bodies_with_baseline": 45,
                                 "bodies_with_projects": 1, "projects": 3, "realised_below_expected": 1}
    # Every body but Cardiff stays at its latest figure: the groups Cardiff is in are lower by its savings only.
    for group in (wales, found["sector"]["council"], found["region"]["South East Wales"]):
        gaps = {k: s["gap_2030_tco2e"] for k, s in group["scenarios"].items()}
        assert gaps["planned"] == pytest.approx(group["latest_tco2e"] - 248.46)
        assert gaps["with_tentative"] == pytest.approx(group["latest_tco2e"] - 248.46 - 85.5)
        assert gaps["with_potential"] == gaps["with_tentative"]
    north = found["region"]["North Wales"]
    assert north["coverage"]["bodies_with_projects"] == 0
    assert north["scenarios"]["with_potential"]["gap_2030_tco2e"] == pytest.approx(north["latest_tco2e"])
    assert found["sector"]["council"]["coverage"]["bodies"] == 22
    assert wales["cost_gbp_per_tco2e"] == pytest.approx(450_000 / 248.46)  # the LED project's cost only


def test_the_rollup_text_names_each_group_in_welsh(site, capsys):
    capsys.readouterr()
    assert main(["plan", "--rollup", "--data-dir", str(site), "--lang", "cy"]) == 0
    out = capsys.readouterr().out
    assert "Cymru gyfan: 45 corff, 45 wedi adrodd, 1 wedi cofnodi prosiectau (3 prosiect)" in out
    assert "Cynghorau: 22 corff" in out and "Gogledd Cymru:" in out


@pytest.mark.parametrize(("lang", "words"), [
    ("en", ["1 of 45 bodies have recorded net zero projects (3 projects in all)", "All Wales", "Councils",
            "North Wales", "Completed projects whose realised saving is far below the saving expected: 1."]),
    ("cy", ["Mae 1 o'r 45 corff wedi cofnodi prosiectau sero net (3 prosiect i gyd)", "Cymru gyfan", "Cynghorau",
            "Gogledd Cymru"]),
])
def test_the_wales_overview_shows_the_plans_of_every_group_with_coverage(site, lang, words):
    from decarb_dashboard.web import data, plan_views
    from tests.conftest import shown_texts

    app = create_app(site, seed=False)
    with app.server.test_request_context():
        engine = data.engine()
        section = plan_views.wales_section(engine, lang)
        table = plan_views.group_table(plan_views.rollups_of(engine), lang)
    text = " ".join(shown_texts(section))
    for phrase in words:
        assert phrase in text
    assert len(table) == 1 + 7 + 4  # all Wales, seven sectors, four regions
    whole = table.iloc[0]
    assert whole.iloc[1:4].tolist() == [45, 45, 1]
    assert whole.iloc[5] == pytest.approx(whole.iloc[4] - 248.46)  # the planned gap: the LED project off


def test_my_organisation_marks_the_completed_project_far_below_what_it_expected(site):
    from decarb_dashboard.web import data
    from decarb_dashboard.web.pages import organisation
    from tests.conftest import shown_texts

    app = create_app(site, seed=False)
    with app.server.test_request_context():
        text = " ".join(shown_texts(organisation.plan_section(data.engine(), "cardiff", "en")))
    assert "Far below the saving expected (its category's emissions, 2022-23 to 2023-24)" in text
    assert "it is less than 50% of it" in text


def test_with_no_projects_anywhere_the_wales_overview_says_so_and_draws_nothing(sample_store):
    from decarb_dashboard.web import data, plan_views
    from tests.conftest import shown_texts

    app = create_app(sample_store.root, seed=False)
    with app.server.test_request_context():
        section = plan_views.wales_section(data.engine(), "en")
    text = " ".join(shown_texts(section))
    assert "None of the 45 bodies has recorded net zero projects yet." in text
    assert "tCO2e" not in text  # no gap of business as usual dressed up as a plan
