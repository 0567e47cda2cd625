"""Build ``registry.csv``, the register of Welsh public bodies that report under the scheme.

Run from the repository root::

    python sample_data/build_registry.py [--reference ../shared/reference/welsh_local_authorities.csv]

Names, types, regions and Cardiff Capital Region membership are written out
below. Council populations are copied from the shared reference file (ONS
mid-year estimates; the 2024 figure where it is confirmed, else 2022). A
health board's population is the sum of its councils' populations. Staff FTE,
floor area and gross expenditure are ILLUSTRATIVE round figures of a plausible
size, not published figures, and every row's ``provenance`` cell says so.
The script is deterministic: the same reference file gives the same register.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_REFERENCE = HERE.parent.parent / "shared" / "reference" / "welsh_local_authorities.csv"

# short_en, official_en, short_cy, official_cy, ons_code, region, extra aliases
COUNCILS = [
    ("Isle of Anglesey", "Isle of Anglesey County Council", "Ynys Môn", "Cyngor Sir Ynys Môn", "W06000001", "North Wales", "Anglesey"),
    ("Gwynedd", "Gwynedd Council", "Gwynedd", "Cyngor Gwynedd", "W06000002", "North Wales", ""),
    ("Conwy", "Conwy County Borough Council", "Conwy", "Cyngor Bwrdeistref Sirol Conwy", "W06000003", "North Wales", ""),
    ("Denbighshire", "Denbighshire County Council", "Sir Ddinbych", "Cyngor Sir Ddinbych", "W06000004", "North Wales", ""),
    ("Flintshire", "Flintshire County Council", "Sir y Fflint", "Cyngor Sir y Fflint", "W06000005", "North Wales", ""),
    ("Wrexham", "Wrexham County Borough Council", "Wrecsam", "Cyngor Bwrdeistref Sirol Wrecsam", "W06000006", "North Wales", ""),
    ("Ceredigion", "Ceredigion County Council", "Ceredigion", "Cyngor Sir Ceredigion", "W06000008", "Mid Wales", ""),
    ("Pembrokeshire", "Pembrokeshire County Council", "Sir Benfro", "Cyngor Sir Penfro", "W06000009", "South West Wales", ""),
    ("Carmarthenshire", "Carmarthenshire County Council", "Sir Gaerfyrddin", "Cyngor Sir Gâr", "W06000010", "South West Wales", "Sir Gar"),
    ("Swansea", "City and County of Swansea Council", "Abertawe", "Cyngor Dinas a Sir Abertawe", "W06000011", "South West Wales", "Swansea Council|City and County of Swansea"),
    ("Neath Port Talbot", "Neath Port Talbot County Borough Council", "Castell-nedd Port Talbot", "Cyngor Bwrdeistref Sirol Castell-nedd Port Talbot", "W06000012", "South West Wales", "NPT"),
    ("Bridgend", "Bridgend County Borough Council", "Pen-y-bont ar Ogwr", "Cyngor Bwrdeistref Sirol Pen-y-bont ar Ogwr", "W06000013", "South East Wales", ""),
    ("Vale of Glamorgan", "Vale of Glamorgan Council", "Bro Morgannwg", "Cyngor Bro Morgannwg", "W06000014", "South East Wales", "The Vale"),
    ("Cardiff", "Cardiff Council", "Caerdydd", "Cyngor Caerdydd", "W06000015", "South East Wales", "City of Cardiff Council|Cardiff City Council"),
    ("Rhondda Cynon Taf", "Rhondda Cynon Taf County Borough Council", "Rhondda Cynon Taf", "Cyngor Bwrdeistref Sirol Rhondda Cynon Taf", "W06000016", "South East Wales", "RCT|Rhondda Cynon Taff"),
    ("Caerphilly", "Caerphilly County Borough Council", "Caerffili", "Cyngor Bwrdeistref Sirol Caerffili", "W06000018", "South East Wales", ""),
    ("Blaenau Gwent", "Blaenau Gwent County Borough Council", "Blaenau Gwent", "Cyngor Bwrdeistref Sirol Blaenau Gwent", "W06000019", "South East Wales", ""),
    ("Torfaen", "Torfaen County Borough Council", "Torfaen", "Cyngor Bwrdeistref Sirol Torfaen", "W06000020", "South East Wales", ""),
    ("Monmouthshire", "Monmouthshire County Council", "Sir Fynwy", "Cyngor Sir Fynwy", "W06000021", "South East Wales", ""),
    ("Newport", "Newport City Council", "Casnewydd", "Cyngor Dinas Casnewydd", "W06000022", "South East Wales", ""),
    ("Powys", "Powys County Council", "Powys", "Cyngor Sir Powys", "W06000023", "Mid Wales", ""),
    ("Merthyr Tydfil", "Merthyr Tydfil County Borough Council", "Merthyr Tudful", "Cyngor Bwrdeistref Sirol Merthyr Tudful", "W06000024", "South East Wales", "Merthyr"),
]

# id, short_en, official_en, short_cy, official_cy, ons_code, region, councils served,
# staff_fte, floor_area_m2, gross_expenditure_gbp_m, aliases
HEALTH_BOARDS = [
    ("betsi_cadwaladr_uhb", "Betsi Cadwaladr", "Betsi Cadwaladr University Health Board", "Betsi Cadwaladr", "Bwrdd Iechyd Prifysgol Betsi Cadwaladr", "W11000023", "North Wales",
     ["Isle of Anglesey", "Gwynedd", "Conwy", "Denbighshire", "Flintshire", "Wrexham"], 17000, 600000, 2100, "BCUHB|BCU"),
    ("powys_thb", "Powys Teaching Health Board", "Powys Teaching Health Board", "Bwrdd Iechyd Addysgu Powys", "Bwrdd Iechyd Addysgu Powys", "W11000024", "Mid Wales",
     ["Powys"], 2300, 90000, 380, "PTHB"),
    ("hywel_dda_uhb", "Hywel Dda", "Hywel Dda University Health Board", "Hywel Dda", "Bwrdd Iechyd Prifysgol Hywel Dda", "W11000025", "South West Wales",
     ["Carmarthenshire", "Ceredigion", "Pembrokeshire"], 10500, 360000, 1300, "HDUHB"),
    ("swansea_bay_uhb", "Swansea Bay", "Swansea Bay University Health Board", "Bae Abertawe", "Bwrdd Iechyd Prifysgol Bae Abertawe", "W11000031", "South West Wales",
     ["Swansea", "Neath Port Talbot"], 11500, 380000, 1350, "SBUHB"),
    ("cwm_taf_morgannwg_uhb", "Cwm Taf Morgannwg", "Cwm Taf Morgannwg University Health Board", "Cwm Taf Morgannwg", "Bwrdd Iechyd Prifysgol Cwm Taf Morgannwg", "W11000030", "South East Wales",
     ["Bridgend", "Rhondda Cynon Taf", "Merthyr Tydfil"], 12000, 400000, 1400, "CTMUHB|Cwm Taf"),
    ("cardiff_and_vale_uhb", "Cardiff and Vale", "Cardiff and Vale University Health Board", "Caerdydd a'r Fro", "Bwrdd Iechyd Prifysgol Caerdydd a'r Fro", "W11000029", "South East Wales",
     ["Cardiff", "Vale of Glamorgan"], 14500, 520000, 1800, "CAVUHB|C&V UHB"),
    ("aneurin_bevan_uhb", "Aneurin Bevan", "Aneurin Bevan University Health Board", "Aneurin Bevan", "Bwrdd Iechyd Prifysgol Aneurin Bevan", "W11000028", "South East Wales",
     ["Blaenau Gwent", "Caerphilly", "Monmouthshire", "Newport", "Torfaen"], 14000, 480000, 1750, "ABUHB"),
]

# id, type, short_en, official_en, short_cy, official_cy, region, coverage, ccr_member,
# staff_fte, floor_area_m2, gross_expenditure_gbp_m, aliases
OTHER_BODIES = [
    ("public_health_wales", "nhs_trust", "Public Health Wales", "Public Health Wales NHS Trust", "Iechyd Cyhoeddus Cymru", "Ymddiriedolaeth GIG Iechyd Cyhoeddus Cymru", "South East Wales", "national", False, 2000, 30000, 200, "PHW"),
    ("velindre", "nhs_trust", "Velindre", "Velindre University NHS Trust", "Felindre", "Ymddiriedolaeth GIG Prifysgol Felindre", "South East Wales", "national", False, 2100, 40000, 300, "Velindre Cancer Centre|VUNHST"),
    ("welsh_ambulance", "nhs_trust", "Welsh Ambulance Service", "Welsh Ambulance Services University NHS Trust", "Gwasanaeth Ambiwlans Cymru", "Ymddiriedolaeth GIG Prifysgol Gwasanaethau Ambiwlans Cymru", "North Wales", "national", False, 4200, 60000, 300, "WAST|Welsh Ambulance Services NHS Trust"),
    ("north_wales_fra", "fire_rescue_authority", "North Wales Fire and Rescue", "North Wales Fire and Rescue Authority", "Tân ac Achub Gogledd Cymru", "Awdurdod Tân ac Achub Gogledd Cymru", "North Wales", "local", False, 900, 50000, 45, "NWFRS|North Wales Fire and Rescue Service"),
    ("mid_and_west_wales_fra", "fire_rescue_authority", "Mid and West Wales Fire and Rescue", "Mid and West Wales Fire and Rescue Authority", "Tân ac Achub Canolbarth a Gorllewin Cymru", "Awdurdod Tân ac Achub Canolbarth a Gorllewin Cymru", "South West Wales", "local", False, 1200, 70000, 60, "MAWWFRS|Mid and West Wales Fire and Rescue Service"),
    ("south_wales_fra", "fire_rescue_authority", "South Wales Fire and Rescue", "South Wales Fire and Rescue Authority", "Tân ac Achub De Cymru", "Awdurdod Tân ac Achub De Cymru", "South East Wales", "local", False, 1600, 90000, 90, "SWFRS|South Wales Fire and Rescue Service"),
    ("bannau_brycheiniog_npa", "national_park_authority", "Bannau Brycheiniog National Park", "Bannau Brycheiniog National Park Authority", "Parc Cenedlaethol Bannau Brycheiniog", "Awdurdod Parc Cenedlaethol Bannau Brycheiniog", "Mid Wales", "local", False, 150, 6000, 8, "Brecon Beacons National Park Authority|Brecon Beacons|Bannau Brycheiniog"),
    ("pembrokeshire_coast_npa", "national_park_authority", "Pembrokeshire Coast National Park", "Pembrokeshire Coast National Park Authority", "Parc Cenedlaethol Arfordir Penfro", "Awdurdod Parc Cenedlaethol Arfordir Penfro", "South West Wales", "local", False, 150, 6000, 8, "Pembrokeshire Coast|PCNPA"),
    ("eryri_npa", "national_park_authority", "Eryri National Park", "Eryri National Park Authority", "Parc Cenedlaethol Eryri", "Awdurdod Parc Cenedlaethol Eryri", "North Wales", "local", False, 170, 7000, 9, "Snowdonia National Park Authority|Snowdonia|Eryri"),
    ("natural_resources_wales", "sponsored_body", "Natural Resources Wales", "Natural Resources Wales", "Cyfoeth Naturiol Cymru", "Cyfoeth Naturiol Cymru", "South East Wales", "national", False, 2100, 60000, 250, "NRW|CNC"),
    ("welsh_government", "welsh_government", "Welsh Government", "Welsh Government (the Welsh Ministers)", "Llywodraeth Cymru", "Llywodraeth Cymru (Gweinidogion Cymru)", "South East Wales", "national", False, 5800, 100000, 24000, "Welsh Ministers|WG|Gweinidogion Cymru|LlC"),
    ("medr", "sponsored_body", "Medr", "Medr (Commission for Tertiary Education and Research)", "Medr", "Medr (Comisiwn Addysg Drydyddol ac Ymchwil)", "South East Wales", "national", False, 100, 2000, 900, "HEFCW|Higher Education Funding Council for Wales|Cyngor Cyllido Addysg Uwch Cymru|Commission for Tertiary Education and Research"),
    ("arts_council_of_wales", "sponsored_body", "Arts Council of Wales", "Arts Council of Wales", "Cyngor Celfyddydau Cymru", "Cyngor Celfyddydau Cymru", "South East Wales", "national", False, 90, 3000, 35, "ACW"),
    ("sport_wales", "sponsored_body", "Sport Wales", "Sport Wales", "Chwaraeon Cymru", "Chwaraeon Cymru", "South East Wales", "national", False, 200, 25000, 30, "Sports Council for Wales"),
    ("national_library_of_wales", "sponsored_body", "National Library of Wales", "National Library of Wales", "Llyfrgell Genedlaethol Cymru", "Llyfrgell Genedlaethol Cymru", "Mid Wales", "national", False, 250, 40000, 15, "NLW|LlGC"),
    ("amgueddfa_cymru", "sponsored_body", "Amgueddfa Cymru", "Amgueddfa Cymru – Museum Wales", "Amgueddfa Cymru", "Amgueddfa Cymru", "South East Wales", "national", False, 650, 120000, 45, "National Museum Wales|Museum Wales|National Museums Wales"),
]

FIELDS = [
    "id", "ons_code", "type", "name_en", "name_cy", "short_name_en", "short_name_cy", "aliases",
    "region", "coverage", "ccr_member", "population", "population_year", "staff_fte",
    "floor_area_m2", "gross_expenditure_gbp_m", "own_baseline_year", "provenance",
]
#: Bodies that keep their own baseline besides the scheme's 2019-20 one (../shared/reference/domain.md);
#: no other body's is confirmed, so the others are left blank.
OWN_BASELINE_YEARS = {"flintshire": "2018-19", "ceredigion": "2017-18"}

ILLUSTRATIVE = "staff_fte, floor_area_m2, gross_expenditure_gbp_m: illustrative, not published figures"


def slug(name: str) -> str:
    return "_".join(name.lower().replace("-", " ").split())


def council_populations(reference: Path) -> dict[str, tuple[int, int]]:
    """Return name -> (population, year): the 2024 ONS figure where confirmed, else 2022."""
    out = {}
    with reference.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["population_2024"]:
                out[row["name_en"]] = (int(row["population_2024"]), 2024)
            else:
                out[row["name_en"]] = (int(row["population_2022"]), 2022)
    return out


def ccr_members(reference: Path) -> set[str]:
    with reference.open(encoding="utf-8") as f:
        return {row["name_en"] for row in csv.DictReader(f) if row["ccr_member"] == "true"}


def build(reference: Path) -> list[dict[str, object]]:
    """Return the register's rows."""
    populations = council_populations(reference)
    ccr = ccr_members(reference)
    rows: list[dict[str, object]] = []
    for short_en, official_en, short_cy, official_cy, ons, region, aliases in COUNCILS:
        population, year = populations[short_en]
        rows.append({
            "id": slug(short_en), "ons_code": ons, "type": "council",
            "name_en": official_en, "name_cy": official_cy,
            "short_name_en": short_en, "short_name_cy": short_cy, "aliases": aliases,
            "region": region, "coverage": "local", "ccr_member": short_en in ccr,
            "population": population, "population_year": year,
            # Illustrative: one FTE per 30 residents, 1.6 m2 and GBP 2,900 per resident.
            "staff_fte": int(round(population / 30, -1)),
            "floor_area_m2": int(round(population * 1.6, -3)),
            "gross_expenditure_gbp_m": round(population * 2900 / 1e6),
            "provenance": f"population: ONS mid-{year} estimate (shared reference); {ILLUSTRATIVE}",
        })
    for (id_, short_en, official_en, short_cy, official_cy, ons, region, served,
         fte, area, spend, aliases) in HEALTH_BOARDS:
        population = sum(populations[c][0] for c in served)
        years = sorted({populations[c][1] for c in served})
        rows.append({
            "id": id_, "ons_code": ons, "type": "health_board",
            "name_en": official_en, "name_cy": official_cy,
            "short_name_en": short_en, "short_name_cy": short_cy, "aliases": aliases,
            "region": region, "coverage": "local", "ccr_member": False,
            "population": population, "population_year": max(years),
            "staff_fte": fte, "floor_area_m2": area, "gross_expenditure_gbp_m": spend,
            "provenance": "population: sum of the ONS estimates of the councils it serves ("
            + "/".join(str(y) for y in years) + "); " + ILLUSTRATIVE,
        })
    for (id_, type_, short_en, official_en, short_cy, official_cy, region, coverage, ccr_member,
         fte, area, spend, aliases) in OTHER_BODIES:
        rows.append({
            "id": id_, "ons_code": "", "type": type_,
            "name_en": official_en, "name_cy": official_cy,
            "short_name_en": short_en, "short_name_cy": short_cy, "aliases": aliases,
            "region": region, "coverage": coverage, "ccr_member": ccr_member,
            "population": "", "population_year": "",
            "staff_fte": fte, "floor_area_m2": area, "gross_expenditure_gbp_m": spend,
            "provenance": ("region: where its headquarters are; " if coverage == "national" else "")
            + ILLUSTRATIVE,
        })
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    parser.add_argument("--out", type=Path, default=HERE / "registry.csv")
    args = parser.parse_args()
    rows = build(args.reference)
    with args.out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            row = {**row, "own_baseline_year": OWN_BASELINE_YEARS.get(row["id"], "")}
            writer.writerow({k: (str(v).lower() if isinstance(v, bool) else v) for k, v in row.items()})
    print(f"wrote {len(rows)} bodies to {args.out}")


if __name__ == "__main__":
    main()
