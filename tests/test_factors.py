"""The factor table: the official flat files as published, the shipped table built from them, WTT/T&D/memo lines."""

from __future__ import annotations

import csv
import io
from functools import cache

import pandas as pd
import pytest

from decarb_dashboard.cli import main
from decarb_dashboard.factors import (
    MAX_FLAT_FILE_BYTES,
    FlatFileError,
    factor_index,
    factor_map,
    import_flat_file,
    load_factors,
    read_flat_file,
)
from decarb_dashboard.normalise import normalise
from tests.conftest import REFERENCE, check
from uploads_schema.vocabulary import vocabulary

FLAT_FILES = REFERENCE / "uk_ghg_flat_files"
#: One worker reads the published files, once each (see published).
pytestmark = pytest.mark.xdist_group("factors")
needs_flat_files = pytest.mark.skipif(not FLAT_FILES.is_dir(), reason="shared reference flat files absent")
#: One file per set year, exactly as the government published them.
PUBLISHED = {
    2018: "ghg-conversion-factors-2018-flat-file-v01-01.xls",
    2019: "ghg-conversion-factors-2019-flat-file-v01-02.xls",
    2020: "ghg-conversion-factors-2020-flat-file.xlsx",
    2021: "ghg-conversion-factors-2021-flat-file.xls",
    2022: "ghg-conversion-factors-2022-flat-format.xls",
    2023: "ghg-conversion-factors-2023-flat-file-update.xlsx",
    2024: "ghg-conversion-factors-2024-flat-format-v1-1.xlsx",
}



@cache
def published(year: int):
    """The published flat file of ``year``, read once per test process (an Excel file takes seconds to read)."""
    return read_flat_file((FLAT_FILES / PUBLISHED[year]).read_bytes(), PUBLISHED[year])


FLAT = """UK Government GHG Conversion Factors for Company Reporting
Scope,Level 1,Level 2,Level 3,Level 4,Column Text,UOM,GHG/Unit,GHG Conversion Factor 2025
Scope 2,UK electricity,Electricity generated,Electricity: UK,,,kWh,kg CO2e,0.17700
Scope 2,UK electricity,Electricity generated,Electricity: UK,,,kWh,kg CO2,0.17600
Scope 1,Fuels,Gaseous fuels,Natural gas,,,kWh (Gross CV),kg CO2e,0.18290
Scope 1,Fuels,Liquid fuels,Diesel (average biofuel blend),,,litres,kg CO2e,(<1)
"""


@needs_flat_files
@pytest.mark.parametrize(("year", "name"), PUBLISHED.items())
def test_each_published_flat_file_imports(year, name):
    result = published(year)
    assert result.factor_year == year
    # 66 activity-units in factor_map.csv; no set has homeworking before 2022, and from 2022 the
    # government left commercial and industrial waste's closed-loop recycling blank.
    assert len(result.imported) == 65
    lacking = ["Homeworking (office equipment and heating) [hours]"] if year < 2022 else \
        ["Commercial and industrial waste (closed-loop recycling) [tonnes]"]
    assert result.missing == lacking
    assert (result.imported["source"] == f"UK Government GHG conversion factors {year}, flat file {name}").all()


@needs_flat_files
@pytest.mark.parametrize(("year", "activity", "unit", "value", "scope"), [
    # read by hand from uk_ghg_factors_2018_2025.csv (and the flat files' own cells)
    (2018, "UK electricity (grid average)", "kWh", 0.28307, "2"),
    (2019, "UK electricity (grid average)", "kWh", 0.2556, "2"),
    (2022, "UK electricity (grid average)", "kWh", 0.19338, "2"),
    (2023, "UK electricity (grid average)", "kWh", 0.2070742886, "2"),
    (2022, "UK electricity transmission and distribution losses", "kWh", 0.01769, "3"),
    (2022, "WTT UK electricity (generation)", "kWh", 0.04625, "3"),
    (2024, "Natural gas (gross CV)", "kWh", 0.1829, "1"),
    (2022, "WTT natural gas (gross CV)", "kWh", 0.0311, "3"),
    (2024, "Burning oil (litres)", "litres", 2.54015, "1"),
    (2024, "Gas oil (litres)", "litres", 2.75541, "1"),
    (2024, "Diesel (average biofuel blend)", "litres", 2.51279, "1"),
    (2024, "WTT diesel (average biofuel blend)", "litres", 0.61101, "3"),
    (2018, "Average local bus", "km", 0.10097, "3"),
    (2022, "Homeworking (office equipment and heating)", "hours", 0.3407533149, "3"),
    (2024, "Water supply", "m3", 0.15311, "3"),
])
def test_values_read_from_the_files_match_the_reference_by_hand(year, activity, unit, value, scope):
    imported = published(year).imported
    row = imported[(imported["activity"] == activity) & (imported["unit"] == unit)].iloc[0]
    assert row["kgco2e_per_unit"] == value
    assert row["scope"] == scope


@needs_flat_files
@pytest.mark.skipif(not (REFERENCE / "uk_ghg_factors_2018_2025.csv").exists(), reason="shared reference absent")
def test_every_value_the_reference_also_lists_agrees_with_it():
    reference = pd.read_csv(REFERENCE / "uk_ghg_factors_2018_2025.csv", dtype=str, keep_default_na=False)
    spec = factor_map().drop_duplicates(["activity", "unit"]).set_index(["activity", "unit"])
    compared = 0
    for row in load_factors().itertuples():
        m = spec.loc[(row.activity, row.unit)]
        same = reference[reference["factor_year"] == str(row.factor_year)]
        for level in ("level_1", "level_2", "level_3", "level_4", "column_text"):
            if m[level]:
                same = same[same[level].str.casefold() == m[level].casefold()]
        same = same[same["unit"].str.casefold() == m["uom"].casefold()]
        if len(same):
            compared += 1
            assert float(same["kgco2e_per_unit"].iloc[0]) == pytest.approx(row.kgco2e_per_unit, rel=1e-9), row
    assert compared >= 60  # the reference lists a subset; this many of ours are in it


@needs_flat_files
def test_the_shipped_table_is_what_the_build_script_makes_of_the_flat_files(tmp_path, monkeypatch):
    from decarb_dashboard import build_factors
    from decarb_dashboard.factors import write_factor_table

    by_name = {name: year for year, name in PUBLISHED.items()}
    # the files as read_flat_file reads them (once per test process: see published)
    monkeypatch.setattr(build_factors, "read_flat_file",
                        lambda data, name: published(by_name[name]) if name in by_name else read_flat_file(data, name))
    table, _ = build_factors.build(FLAT_FILES)
    write_factor_table(table, tmp_path / "factors.csv")
    assert (tmp_path / "factors.csv").read_bytes() == build_factors.SHIPPED.read_bytes()


def test_every_shipped_factor_is_official_and_names_its_file():
    table = load_factors()
    assert table["confirmed"].all()
    assert table["source"].str.match(r"UK Government GHG conversion factors (\d{4}), flat file ghg-conversion-").all()
    assert sorted(table["factor_year"].unique()) == list(range(2018, 2025))
    diesel = table[(table["activity"] == "Diesel (average biofuel blend)") & (table["factor_year"] == 2022)]
    assert diesel["kgco2e_per_unit"].tolist() == [2.55784]  # the official value, not the old illustrative 2.51


#: (category, source, canonical unit) that no official factor fits, and why. A new source or unit
#: must either get a row in factor_map.csv or an entry here: the walk below fails otherwise.
NOT_COMPUTABLE = {
    **{("supply_chain", s, "GBP"): "spend: the flat files have no spend-based factors" for s in
       ("goods", "services", "works")},
    **{("land", s, "hectares"): "land use: the flat files have no per-hectare factors" for s in
       ("woodland", "grassland", "cropland", "wetland", "settlement")},
    **{("business_travel", s, "GBP"): "spend: the flat files have no spend-based factors" for s in
       ("car", "rail", "air", "bus", "taxi")},
    ("business_travel", "car", "litres"): "the fuel of a claimed car is not known: report km",
    ("business_travel", "air", "km"): "flight factors differ by haul: report domestic, short- or long-haul flights",
    ("commuting", "other", "km"): "several modes together: no single factor",
    ("buildings", "renewable_generation", "kWh"): "memo line: generation is recorded, never emissions",
}
#: Combinations with a factor in some sets only: (category, source, canonical unit) -> years without one.
NOT_IN_EVERY_SET = {
    ("homeworking", "homeworking", "hours"): (range(2019, 2022), "homeworking factors start in the 2022 set"),
    ("waste", "recycling", "tonnes"): (range(2022, 2100), "the government left closed-loop recycling of "
                                                          "commercial and industrial waste blank from 2022"),
}


def test_every_source_unit_and_year_has_a_factor_or_is_said_to_be_not_computable():
    v = vocabulary()
    index = factor_index(load_factors())
    newest = index.newest_set
    assert newest == 2024
    walked, stand_ins = 0, 0
    for source in v.sources.values():
        for unit in {v.units[u].canonical for u in source.units}:
            key = (source.category, source.id, unit)
            for year in range(2019, newest + 1):
                hit = index.find(source.category, source.id, unit, year)
                years_without = NOT_IN_EVERY_SET.get(key, ((), ""))[0]
                if key in NOT_COMPUTABLE or year in years_without:
                    assert hit is None, (key, year, "has a factor: take it off the not-computable list")
                else:
                    assert hit is not None, (key, year, "no factor: map it, or list it as not computable, why")
                    assert hit.factor_year == year and not hit.newest_set_used
                walked += 1
            # a year with no official set yet uses the newest one, and says so
            later = index.find(source.category, source.id, unit, newest + 1)
            if later is not None:
                assert later.factor_year == newest and later.newest_set_used
                stand_ins += 1
    assert walked > 500 and stand_ins > 60


def test_wtt_td_and_memo_sources_are_declared_streams():
    v = vocabulary()
    assert v.sources[("fleet", "wtt_fuels")].stream == "wtt"
    assert v.sources[("fleet", "wtt_fuels")].units == ()  # one line for several fuels: a figure only
    assert v.sources[("buildings", "transmission_losses")].stream == "td"
    assert v.sources[("buildings", "renewable_generation")].stream == "memo"
    assert v.sources[("buildings", "electricity")].stream == "direct"
    assert 3 in v.categories["fleet"].scopes
    resolve = v.source_index["fleet"].resolve
    assert resolve("Fuel upstream losses") == "wtt_fuels"
    assert resolve("WTT") == "wtt_fuels"
    assert v.source_index["buildings"].resolve("Gas upstream losses") == "wtt_natural_gas"
    assert v.source_index["buildings"].resolve("Electricity upstream losses") == "wtt_electricity"
    assert v.source_index["business_travel"].resolve("Business mileage (upstream losses)") == "wtt_car"
    assert v.source_index["commuting"].resolve("Commuting mileage (upstream losses)") == "wtt_car"
    assert v.source_index["buildings"].resolve("Solar PV generation") == "renewable_generation"


def test_a_real_fuel_upstream_losses_line_under_fleet_validates():
    # Transport for Wales 2021-22: "Fuel upstream losses", scope 3, 19,393 tCO2e, beside its fleet fuels
    report = check("Cardiff,2021-22,Fleet,Diesel,,\"1,000,000\",litres,,,,",
                   "Cardiff,2021-22,Fleet,Fuel upstream losses,3,,,\"19,393\",,,")
    assert report.valid, [e.to_dict() for e in report.errors]
    line = report.lines[report.lines["source"] == "wtt_fuels"].iloc[0]
    assert line["scope"] == 3 and line["emissions_tco2e"] == 19393


def test_a_category_total_beside_its_wtt_line_is_not_a_double_count():
    report = check("Cardiff,2022-23,Fleet,,,,,500,,,", "Cardiff,2022-23,Fleet,Fuel upstream losses,3,,,120,,,")
    assert report.valid, [e.to_dict() for e in report.errors]
    # a direct source beside the total still is (the rule is unchanged for those)
    report = check("Cardiff,2022-23,Fleet,,,,,500,,,", "Cardiff,2022-23,Fleet,Diesel,,,,120,,,")
    assert [e.code for e in report.errors] == ["total_and_breakdown"]


def test_wtt_and_td_lines_are_computed_from_their_activity():
    report = check("Cardiff,2022-23,Buildings,Gas upstream losses,,\"1,000,000\",kWh,,,,",
                   "Cardiff,2022-23,Fleet,WTT diesel,,\"10,000\",litres,,,,",
                   "Cardiff,2022-23,Street lighting,T&D losses,,2,GWh,,,,")
    assert report.valid, [e.to_dict() for e in report.errors]
    facts = normalise(report.lines, load_factors())[0].set_index("source")
    # 1,000,000 kWh x 0.0311 kg (2022 WTT natural gas, gross CV) = 31.1 t
    assert facts.at["wtt_natural_gas", "emissions_computed_tco2e"] == pytest.approx(31.1)
    # 10,000 litres x 0.60986 kg (2022 WTT diesel, average biofuel blend) = 6.0986 t
    assert facts.at["wtt_diesel", "emissions_computed_tco2e"] == pytest.approx(6.0986)
    # 2,000,000 kWh x 0.01769 kg (2022 T&D UK electricity) = 35.38 t
    assert facts.at["transmission_losses", "emissions_computed_tco2e"] == pytest.approx(35.38)
    assert (facts["scope"] == 3).all()


def test_renewable_generation_is_a_memo_line_with_no_factor():
    report = check("Cardiff,2022-23,Buildings,Solar PV generation,,\"250,000\",kWh,0,,,",
                   "Cardiff,2022-23,Buildings,Electricity,,\"1,000,000\",kWh,,,,")
    assert report.valid, [e.to_dict() for e in report.errors]
    facts = normalise(report.lines, load_factors())[0].set_index("source")
    assert pd.isna(facts.at["renewable_generation", "factor_kgco2e_per_unit"])
    # the electricity is computed in full, never netted off by what was generated: 1,000,000 x 0.19338 kg
    assert facts.at["electricity", "emissions_tco2e"] == pytest.approx(193.38)


def test_reading_a_csv_of_the_flat_file_takes_kg_co2e_rows_and_skips_text_cells():
    result = read_flat_file(FLAT.encode(), "flat-2025.csv")
    assert result.factor_year == 2025
    got = {(a, u): k for a, u, k in zip(result.imported["activity"], result.imported["unit"],
                                         result.imported["kgco2e_per_unit"], strict=True)}
    assert got == {("UK electricity (grid average)", "kWh"): 0.177, ("Natural gas (gross CV)", "kWh"): 0.1829}
    assert "Diesel (average biofuel blend) [litres]" in result.missing  # "(<1)" is not a number


def _workbook(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(("data", "says"), [
    (b"", "the file is empty"),
    (b"a,b\n1,2\n", "no header row with 'Level 1'"),
    (_workbook([["Budget", "2024"], ["Staff", 12]]), "no sheet of the workbook (Sheet) has the flat file's header"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "the workbook cannot be read"),
    (b"PK\x03\x04 not really a zip", "the workbook cannot be read"),
    (b"Scope,Level 1,Level 2,Level 3,Level 4,Column Text,UOM,GHG/Unit,GHG Conversion Factor 2025\n"
     b"Scope 1,Fuels,Liquid fuels,Petrol,,,litres,kg CO2,2.1\n", "no kg CO2e rows"),
    (b"Scope,Level 1,Level 2,Level 3,Level 4,Column Text,UOM,GHG\n", "GHG Conversion Factor YYYY"),
])
def test_anything_but_a_flat_file_is_refused_with_a_clear_message(data, says):
    with pytest.raises(FlatFileError) as refused:
        read_flat_file(data, "upload")
    assert says in str(refused.value)


def test_an_absurdly_large_file_is_refused_unread():
    with pytest.raises(FlatFileError, match="more than 20 MB is refused"):
        read_flat_file(b"x" * (MAX_FLAT_FILE_BYTES + 1), "huge.csv")


def test_import_makes_them_available_and_a_refused_file_changes_nothing(tmp_path):
    import_flat_file(FLAT.encode(), "flat-2025.csv", tmp_path)
    table = load_factors(tmp_path)
    row = table[(table["activity"] == "UK electricity (grid average)") & (table["factor_year"] == 2025)].iloc[0]
    assert row["kgco2e_per_unit"] == 0.177 and bool(row["confirmed"])
    assert "flat file flat-2025.csv" in row["source"]
    assert (table["factor_year"] == 2019).any()  # the shipped factors are still there
    before = (tmp_path / "factors.csv").read_bytes()
    with pytest.raises(FlatFileError):
        import_flat_file(b"a,b\n1,2\n", "bad.csv", tmp_path)
    assert (tmp_path / "factors.csv").read_bytes() == before
    # the 2025 set now stands for years after it, instead of 2024
    assert factor_index(table).find("buildings", "electricity", "kWh", 2026).factor_year == 2025


@needs_flat_files
@pytest.mark.parametrize("year", [2021, 2023])  # an .xls (the one xlrd cannot read) and an .xlsx
def test_cli_factors_import_of_a_published_file(tmp_path, capsys, year):
    data_dir = tmp_path / "d"
    assert main(["factors", "import", str(FLAT_FILES / PUBLISHED[year]), "--data-dir", str(data_dir)]) == 0
    assert f"imported 65 factors for {year} from {PUBLISHED[year]}" in capsys.readouterr().out
    with (data_dir / "factors.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 65 and {r["factor_year"] for r in rows} == {str(year)}
    assert main(["factors", "list", "--data-dir", str(data_dir)]) == 0
    assert PUBLISHED[year] in capsys.readouterr().out


def test_cli_factors_import_refuses_a_file_that_is_not_one(tmp_path, capsys):
    (tmp_path / "bad.csv").write_text("nothing here", encoding="utf-8")
    assert main(["factors", "import", str(tmp_path / "bad.csv"), "--data-dir", str(tmp_path / "d")]) == 1
    assert "cannot import" in capsys.readouterr().err
    assert not (tmp_path / "d" / "factors.csv").exists()
