"""The factor table: confirmed values from the shared reference, unconfirmed ones marked, flat-file import."""

from __future__ import annotations

import csv

import pytest

from decarb_dashboard.cli import main
from decarb_dashboard.factors import FlatFileError, import_flat_file, load_factors, read_flat_file
from tests.conftest import REFERENCE

FLAT = """UK Government GHG Conversion Factors for Company Reporting
Scope,Level 1,Level 2,Level 3,Level 4,Column Text,UOM,GHG/Unit,GHG Conversion Factor 2025
Scope 2,UK electricity,Electricity generated,Electricity: UK,,,kWh,kg CO2e,0.17700
Scope 2,UK electricity,Electricity generated,Electricity: UK,,,kWh,kg CO2,0.17600
Scope 1,Fuels,Gaseous fuels,Natural gas,,Energy - Gross CV,kWh,kg CO2e,0.18290
Scope 1,Fuels,Liquid fuels,Diesel (average biofuel blend),,,litres,kg CO2e,(<1)
"""


@pytest.mark.skipif(not (REFERENCE / "uk_ghg_factors_confirmed.csv").exists(), reason="shared reference absent")
def test_every_confirmed_reference_value_is_shipped_as_confirmed():
    table = load_factors().set_index(["factor_year", "activity", "unit"])
    with (REFERENCE / "uk_ghg_factors_confirmed.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            shipped = table.loc[(int(row["factor_year"]), row["activity"], row["unit"])]
            assert shipped["kgco2e_per_unit"] == float(row["kgco2e_per_unit"])
            assert bool(shipped["confirmed"])


def test_values_not_in_the_reference_are_marked_unconfirmed():
    table = load_factors()
    gas_2021 = table[(table["activity"] == "Natural gas (gross CV)") & (table["factor_year"] == 2021)].iloc[0]
    assert not gas_2021["confirmed"]
    assert (table.loc[~table["confirmed"], "source"] == "unconfirmed").all()


def test_reading_a_flat_file_takes_kg_co2e_rows_and_skips_text_cells():
    result = read_flat_file(FLAT.encode(), "flat-2025.csv")
    assert result.factor_year == 2025
    got = dict(zip(result.imported["activity"], result.imported["kgco2e_per_unit"], strict=True))
    assert got == {"UK electricity (grid average)": 0.177, "Natural gas (gross CV)": 0.1829}
    assert "Diesel (average biofuel blend)" in result.missing  # "(<1)" is not a number


def test_a_file_that_is_not_a_flat_file_is_refused():
    with pytest.raises(FlatFileError):
        read_flat_file(b"a,b\n1,2\n", "x.csv")


def test_import_makes_them_available_and_confirmed(tmp_path):  # type: ignore[no-untyped-def]
    import_flat_file(FLAT.encode(), "flat-2025.csv", tmp_path)
    table = load_factors(tmp_path)
    row = table[(table["activity"] == "UK electricity (grid average)") & (table["factor_year"] == 2025)].iloc[0]
    assert row["kgco2e_per_unit"] == 0.177 and bool(row["confirmed"])
    assert "flat file flat-2025.csv" in row["source"]
    # the shipped factors are still there
    assert (table["factor_year"] == 2019).any()


def test_cli_factors_import(tmp_path, capsys):  # type: ignore[no-untyped-def]
    path = tmp_path / "flat.csv"
    path.write_text(FLAT, encoding="utf-8")
    assert main(["factors", "import", str(path), "--data-dir", str(tmp_path / "d")]) == 0
    out = capsys.readouterr().out
    assert "imported 2 factors for 2025" in out and "Diesel (average biofuel blend)" in out
    (tmp_path / "bad.csv").write_text("nothing here", encoding="utf-8")
    assert main(["factors", "import", str(tmp_path / "bad.csv"), "--data-dir", str(tmp_path / "d")]) == 1
