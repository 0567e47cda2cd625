"""`decarb validate` on files shaped like real published returns (domain.md), and on the bundled samples."""

from __future__ import annotations

import json

import pytest

from decarb_dashboard.cli import main
from decarb_dashboard.validate import validate_file
from tests.conftest import REPO

FILES = {
    # A fire service heating with oil: 35,563 litres and no figure once counted as nothing, silently.
    "fire.csv": ("organisation,reporting_year,category,source,activity_amount,activity_unit,emissions_tco2e\n"
                 "Mid and West Wales Fire and Rescue Authority,2022-23,Buildings,Heating oil,\"35,563\",litres,\n"
                 "Mid and West Wales Fire and Rescue Authority,2022-23,Buildings,Electricity,,,412.6\n"),
    # Powys publishes kg CO2e, with a Total row under the category lines.
    "powys.csv": ("Category,Emissions (kg CO2e)\nBuildings,\"5,773,255\"\nSupply chain,\"80,000,000\"\n"
                  "Total,\"85,773,255\"\n"),
    # Public Health Wales: a column per year in ktCO2e.
    "phw.csv": "Category,2021-22 (ktCO2e),2022-23 (ktCO2e)\nBuildings,3.353,3.1\nSupply chain,20.5,19.8\n",
    # Homeworking in hours for 2021-22, a year whose UK set has no homeworking factor.
    "homeworking.csv": ("organisation,reporting_year,category,source,activity_amount,activity_unit,emissions_tco2e\n"
                        "Sport Wales,2021-22,Homeworking,Homeworking,\"12,000\",hours,\n"),
    # Torfaen publishes totals only: no lines to store.
    "torfaen.csv": "Category,2019-20,2022-23,2023-24\nTotal,\"55,702\",\"35,395\",\"40,048\"\n",
}


def run(tmp_path, capsys, name: str, *args: str) -> tuple[int, dict]:
    path = tmp_path / name
    path.write_text(FILES[name], encoding="utf-8")
    code = main(["validate", str(path), "--json", *args])
    return code, json.loads(capsys.readouterr().out)


def test_heating_oil_with_no_figure_is_computed_at_the_official_factor(tmp_path, capsys):
    from decarb_dashboard.engine import Engine
    from decarb_dashboard.factors import load_factors
    from decarb_dashboard.registry import bundled_registry

    code, report = run(tmp_path, capsys, "fire.csv")
    assert code == 0 and report["warnings"] == []  # burning oil has an official factor now
    path = tmp_path / "fire.csv"
    lines = validate_file(path).lines
    e = Engine.from_lines(lines, bundled_registry(), load_factors())
    buildings = e.categories[e.categories["category"] == "buildings"].iloc[0]
    # 35,563 litres x 2.54013 kgCO2e/litre (burning oil, 2022 set) = 90,334.6 kg; + 412.6 t of electricity
    assert buildings["tco2e"] == pytest.approx(35_563 * 2.54013 / 1000 + 412.6)


def test_an_activity_with_no_factor_is_named_at_upload(tmp_path, capsys):
    # Homeworking was required from 2021-22, but the UK sets have its factor only from 2022.
    code, report = run(tmp_path, capsys, "homeworking.csv")
    assert code == 0
    (warning,) = report["warnings"]
    assert (warning["code"], warning["row"]) == ("activity_not_computable", 2)
    assert "12,000 hours of Homeworking (Homeworking) in 2021-22" in warning["message"]


def test_powys_in_kilograms_with_its_total(tmp_path, capsys):
    code, report = run(tmp_path, capsys, "powys.csv", "--org", "powys", "--year", "2022-23")
    assert code == 0
    assert report["summary"]["lines"] == 2
    assert report["summary"]["warnings_by_code"] == {"emissions_converted": 1, "total_row_ignored": 1}
    lines = validate_file(tmp_path / "powys.csv", organisation="powys", reporting_year="2022-23").lines
    assert lines["emissions_tco2e"].tolist() == [5_773.255, 80_000.0]


def test_public_health_wales_in_kilotonnes(tmp_path, capsys):
    code, report = run(tmp_path, capsys, "phw.csv", "--org", "public_health_wales")
    assert code == 0
    assert report["summary"]["warnings_by_code"] == {"emissions_converted": 1}
    lines = validate_file(tmp_path / "phw.csv", organisation="public_health_wales").lines
    assert sorted(lines["emissions_tco2e"].round(3).tolist()) == [3_100.0, 3_353.0, 19_800.0, 20_500.0]


def test_totals_only_is_refused_as_a_return_without_lines(tmp_path, capsys):
    code, report = run(tmp_path, capsys, "torfaen.csv", "--org", "torfaen")
    assert code == 1
    assert report["summary"]["errors_by_code"] == {"no_lines": 1}
    assert report["summary"]["warnings_by_code"] == {"total_row_unchecked": 1}


@pytest.mark.parametrize("path", sorted((REPO / "sample_data" / "returns").glob("*.*")), ids=lambda p: p.name)
def test_the_samples_get_none_of_the_new_warnings(path):
    if path.suffix not in (".csv", ".xlsx"):
        pytest.skip("not a return")
    report = validate_file(path, organisation="eryri_npa" if path.stem == "eryri_npa" else None)
    assert report.valid, report.to_text()
    new = {"activity_not_computable", "activity_factor_newest_set", "emissions_converted", "total_row_mismatch",
           "total_row_unchecked", "emissions_units_mixed"}
    assert not new & set(report.counts)
