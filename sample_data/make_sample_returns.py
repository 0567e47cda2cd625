"""Make the ILLUSTRATIVE sample returns in ``returns/``: one file per registered body, 2019-20 to 2023-24.

    python sample_data/make_sample_returns.py          # seeded: the same files every time

Not real data. Magnitudes and mixes are made to look like Wales: a large
council's total of the order of 100-200 kt CO2e, supply chain 60-90% of most
totals, buildings the largest category after it, land negative where a body
owns woodland, national parks tiny, commuting, business travel and homeworking
only from 2021-22 (when they became required), some categories not reported or
not applicable, some estimated lines. Electricity and gas lines carry kWh and
the emissions at the confirmed UK factor of the year (the 2021 gas factor is
not confirmed; see the factor table). Problems a reviewer should catch are
planted on purpose and listed in ``returns/PLANTED.md``. Files come in the
long layout, one in Welsh, one in the short layout and one as an Excel workbook,
because bodies send all of these.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
OUT = HERE / "returns"
YEARS = ["2019-20", "2020-21", "2021-22", "2022-23", "2023-24"]
# Confirmed UK factors (kg CO2e per kWh) of the calendar year each financial year starts in;
# 2021 natural gas is not in the confirmed list and uses an unconfirmed value.
ELECTRICITY = {"2019-20": 0.2556, "2020-21": 0.23314, "2021-22": 0.21233, "2022-23": 0.19338, "2023-24": 0.20707}
GAS = {"2019-20": 0.18385, "2020-21": 0.18387, "2021-22": 0.18316, "2022-23": 0.18254, "2023-24": 0.18293}
DIESEL_KG_PER_LITRE = 2.51  # illustrative, not a confirmed factor
HEADER = ["organisation", "reporting_year", "category", "source", "scope", "activity_amount", "activity_unit",
          "emissions_tco2e", "status", "method", "notes"]
WOODLAND_HA = {"powys": 900, "gwynedd": 650, "carmarthenshire": 520, "ceredigion": 380, "conwy": 300,
               "monmouthshire": 260, "rhondda_cynon_taf": 410, "neath_port_talbot": 350, "pembrokeshire": 240,
               "natural_resources_wales": 126_000, "bannau_brycheiniog_npa": 320, "eryri_npa": 280,
               "pembrokeshire_coast_npa": 150}
SEQUESTRATION_T_PER_HA = -4.5
# Planted problems (see PLANTED.md): (body, year, category, source) -> what to do.
UNIT_SLIP = ("torfaen", "2022-23", "Fleet", "Diesel")
JUMP = ("ceredigion", "2021-22", "Buildings", "Natural gas")
SUPPLY_CHAIN_DROP = ("wrexham", "2023-24")
WELSH_FILE, SHORT_FILE, EXCEL_FILE = "gwynedd", "eryri_npa", "powys"
WELSH = {"Buildings": "Adeiladau", "Street lighting": "Goleuadau stryd", "Fleet": "Fflyd",
         "Business travel": "Teithio busnes", "Commuting": "Cymudo", "Homeworking": "Gweithio gartref",
         "Waste": "Gwastraff", "Water": "Dŵr", "Supply chain": "Cadwyn gyflenwi", "Land": "Tir",
         "Electricity": "Trydan", "Natural gas": "Nwy naturiol", "Diesel": "Diesel", "Woodland": "Coetir",
         "measured": "wedi'i fesur", "estimated": "amcangyfrif", "not reported": "heb ei adrodd",
         "not applicable": "amherthnasol"}


def base_total_t(body: dict, rng: np.random.Generator) -> float:
    """Return a plausible 2019-20 gross total (tCO2e) for a body."""
    kind, population, fte = body["type"], body["population"], float(body["staff_fte"])
    if kind == "council":
        return float(population) * rng.uniform(0.38, 0.55)
    if kind == "health_board":
        return float(population) * rng.uniform(0.25, 0.35)
    per_fte = {"nhs_trust": 12.0, "fire_rescue_authority": 8.0, "national_park_authority": 12.0,
               "welsh_government": 14.0, "sponsored_body": 10.0}[kind]
    return fte * per_fte * rng.uniform(0.8, 1.2)


def body_lines(body: dict, rng: np.random.Generator) -> list[list[object]]:
    """Return one body's lines for every year, as rows of the long layout (English labels)."""
    kind = body["type"]
    total = base_total_t(body, rng)
    supply_share = rng.uniform(0.62, 0.85) if kind not in ("national_park_authority", "fire_rescue_authority") \
        else rng.uniform(0.45, 0.65)
    rest = total * (1 - supply_share)
    fleet_weight = 0.35 if kind in ("fire_rescue_authority", "nhs_trust") else 0.18
    weights = {"Buildings": 0.5, "Fleet": fleet_weight, "Street lighting": 0.1 if kind == "council" else 0.0,
               "Waste": 0.05, "Water": 0.02, "Business travel": 0.03, "Commuting": 0.09, "Homeworking": 0.02}
    scale = rest / sum(weights.values())
    base = {k: w * scale for k, w in weights.items()}
    elec_share = rng.uniform(0.35, 0.55)
    supply = total * supply_share
    woodland = WOODLAND_HA.get(body["id"])
    estimates_waste = rng.random() < 0.35
    skips_homeworking = rng.random() < 0.12
    rows: list[list[object]] = []
    name = body["name_en"]

    def add(year: str, category: str, source: str = "", amount: object = "", unit: str = "",
            tco2e: object = "", status: str = "", method: str = "", notes: str = "") -> None:
        rows.append([name, year, category, source, "", amount, unit, tco2e, status, method, notes])

    for y, year in enumerate(YEARS):
        trend = (1 - 0.035) ** y * rng.uniform(0.97, 1.03)
        buildings = base["Buildings"] * trend
        # Buildings: electricity and gas from kWh at the year's factor; electricity's share moves with the grid.
        elec_kwh = buildings * elec_share * 1000 / ELECTRICITY["2019-20"] * (0.98 ** y)
        gas_kwh = buildings * (1 - elec_share) * 1000 / GAS["2019-20"]
        if (body["id"], year, "Buildings", "Natural gas") == JUMP:
            gas_kwh *= 2.6  # planted: an implausible jump (a meter read twice)
        add(year, "Buildings", "Electricity", round(elec_kwh), "kWh", round(elec_kwh * ELECTRICITY[year] / 1000, 1))
        add(year, "Buildings", "Natural gas", round(gas_kwh), "kWh", round(gas_kwh * GAS[year] / 1000, 1))
        if kind == "council":
            lighting_kwh = base["Street lighting"] * 1000 / ELECTRICITY["2019-20"] * (0.93 ** y)
            add(year, "Street lighting", "Electricity", round(lighting_kwh), "kWh",
                round(lighting_kwh * ELECTRICITY[year] / 1000, 1))
        else:
            add(year, "Street lighting", status="not applicable")
        litres = base["Fleet"] * 1000 / DIESEL_KG_PER_LITRE * (0.98 ** y) * rng.uniform(0.97, 1.03)
        fleet_t = round(litres * DIESEL_KG_PER_LITRE / 1000, 1)
        if (body["id"], year, "Fleet", "Diesel") == UNIT_SLIP:
            fleet_t = round(litres * DIESEL_KG_PER_LITRE, 1)  # planted: kg CO2e entered as tonnes
            litres = ""
        add(year, "Fleet", "Diesel", round(litres) if litres != "" else "", "litres" if litres != "" else "",
            fleet_t)
        add(year, "Waste", "", "", "", round(base["Waste"] * (0.96 ** y), 1),
            "estimated" if estimates_waste else "")
        if y == 0 and kind == "sponsored_body" and rng.random() < 0.5:
            add(year, "Water", status="not reported")
        else:
            add(year, "Water", "Water supply", round(base["Water"] * 1000 / 0.149), "m3",
                round(base["Water"] * (0.99 ** y), 2))
        if y >= 2:  # required from 2021-22
            add(year, "Business travel", "Car", "", "", round(base["Business travel"] * (1.05 ** (y - 2)), 1))
            add(year, "Commuting", "", "", "", round(base["Commuting"] * (0.97 ** (y - 2)), 1), "estimated",
                notes="staff travel survey")
            if skips_homeworking and y == 2:
                add(year, "Homeworking", status="not reported")
            else:
                add(year, "Homeworking", "Homeworking", "", "", round(base["Homeworking"] * (0.85 ** (y - 2)), 1),
                    "estimated")
        covid = 1.25 if kind in ("health_board", "nhs_trust") and year in ("2020-21", "2021-22") else 1.0
        spend_t = supply * covid * rng.uniform(0.9, 1.1) * (1.02 ** y)
        if (body["id"], year) == SUPPLY_CHAIN_DROP:
            spend_t *= 0.3  # planted: most spend categories left out
        add(year, "Supply chain", "", "", "", round(spend_t, 1), "estimated", "spend")
        if woodland:
            add(year, "Land", "Woodland", woodland, "hectares", round(woodland * SEQUESTRATION_T_PER_HA, 1))
        elif kind == "council":
            add(year, "Land", status="not reported")
        else:
            add(year, "Land", status="not applicable")
    return rows


def _csv(rows: list[list[object]], header: list[str] = HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def in_welsh(body: dict, rows: list[list[object]]) -> list[list[object]]:
    return [[body["name_cy"], r[1], WELSH.get(r[2], r[2]), WELSH.get(r[3], r[3]), *r[4:8],
             WELSH.get(r[8], r[8]), *r[9:]] for r in rows]


def short_layout(rows: list[list[object]]) -> bytes:
    """One row per category, a column per year: totals the way bodies publish them."""
    totals: dict[str, dict[str, object]] = {}
    for r in rows:
        cell = totals.setdefault(r[2], {})
        if r[8] in ("not applicable", "not reported"):
            cell[r[1]] = r[8]
        else:
            cell[r[1]] = round(float(cell.get(r[1], 0) or 0) + float(r[7]), 1)
    out = [[category, *[totals[category].get(y, "") for y in YEARS]] for category in totals]
    grand = ["Total", *[round(sum(float(v) for c in totals.values() if isinstance(v := c.get(y, 0), float | int)),
                              1) for y in YEARS]]
    return _csv([*out, grand], ["category", *[f"{y} (tCO2e)" for y in YEARS]])


def workbook(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Return"
    ws.append(HEADER)
    for r in rows:
        ws.append([None if v == "" else v for v in r])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def main() -> None:
    rng = np.random.default_rng(20_191_920)
    OUT.mkdir(exist_ok=True)
    for old in OUT.glob("*.*"):
        if old.suffix in (".csv", ".xlsx"):
            old.unlink()
    with (HERE / "registry.csv").open(encoding="utf-8") as f:
        bodies = list(csv.DictReader(f))
    corrected: list[list[object]] = []
    for body in bodies:
        rows = body_lines(body, rng)
        if body["id"] == WELSH_FILE:
            (OUT / f"{body['id']}.csv").write_bytes(_csv(in_welsh(body, rows)))
        elif body["id"] == SHORT_FILE:
            (OUT / f"{body['id']}.csv").write_bytes(short_layout(rows))
        elif body["id"] == EXCEL_FILE:
            (OUT / f"{body['id']}.xlsx").write_bytes(workbook(rows))
        else:
            (OUT / f"{body['id']}.csv").write_bytes(_csv(rows))
        if body["id"] == "cardiff":
            # A correction, so that the sample has a history: Cardiff re-sends 2022-23 with waste
            # now weighed at the transfer station (measured, 4% higher than the estimate).
            corrected = [[*r[:7], round(float(r[7]) * 1.04, 1), "measured", *r[9:]] if r[2] == "Waste" else r
                         for r in rows if r[1] == "2022-23"]
    (OUT / "corrections").mkdir(exist_ok=True)
    (OUT / "corrections" / "cardiff-2022-23-corrected.csv").write_bytes(_csv(corrected))
    print(f"wrote {len(bodies)} returns and 1 correction to {OUT}")


if __name__ == "__main__":
    main()
