"""``decarb plan`` and the API's ``bodies/{id}/plan`` over a real projects submission (issue 18's CLI contract).

Cardiff's sample returns: 2019-20 baseline 137,302.79 tCO2e and 2023-24 (its latest) 152,553.93 tCO2e, net of land
(as ``decarb compare`` gives them). Its three projects, worked by hand:
- LED street lighting, planned from 2025-26: -1,200,000 kWh of electricity x 0.20705 kg/kWh (the 2024 set, the
  newest) / 1000 = 248.46 tCO2e a year;
- fleet electrification, tentative from 2026-27: 85.5 tCO2e a year;
- heat pumps, completed in 2023-24: 120 tCO2e, already in the reported figures, not subtracted again.
So in 2030-31: planned 152,553.93 - 248.46 = 152,305.47; with tentative (and with potential, none more)
152,305.47 - 85.5 = 152,219.97. The path: 137,302.79 x (2030 - 2025) / (2030 - 2019) = 62,410.36 in 2025-26.
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
