"""Synthetic data at scale for the benchmarks: a register of many bodies and their returns.

Not real data: bodies are "Synthetic Body 0001 Council" etc., figures are random.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from uploads_schema.models import BODY_TYPES, REGIONS, Registry
from uploads_schema.vocabulary import vocabulary


def synthetic_registry(n_bodies: int, seed: int = 1) -> pd.DataFrame:
    """Return a register of ``n_bodies`` made-up bodies that passes the Registry model."""
    rng = np.random.default_rng(seed)
    ids = [f"body_{i:05d}" for i in range(n_bodies)]
    population = rng.integers(20_000, 400_000, n_bodies)
    frame = pd.DataFrame({
        "id": ids,
        "ons_code": [None] * n_bodies,
        "type": [BODY_TYPES[i % len(BODY_TYPES)] for i in range(n_bodies)],
        "name_en": [f"Synthetic Body {i:05d}" for i in range(n_bodies)],
        "name_cy": [f"Corff Synthetig {i:05d}" for i in range(n_bodies)],
        "short_name_en": [f"Synthetic {i:05d}" for i in range(n_bodies)],
        "short_name_cy": [f"Synthetig {i:05d}" for i in range(n_bodies)],
        "aliases": [None] * n_bodies,
        "region": [REGIONS[i % len(REGIONS)] for i in range(n_bodies)],
        "coverage": ["local"] * n_bodies,
        "ccr_member": [i % 10 == 0 for i in range(n_bodies)],
        "population": pd.array(population, dtype="Int64"),
        "population_year": pd.array([2024] * n_bodies, dtype="Int64"),
        "staff_fte": (population / 30).round(),
        "floor_area_m2": (population * 1.6).round(),
        "gross_expenditure_gbp_m": (population * 0.0029).round(),
        "own_baseline_year": [None] * n_bodies,
        "provenance": ["synthetic, for benchmarks only"] * n_bodies,
    })
    return Registry.validate(frame)


def write_return_csv(path: Path, registry: pd.DataFrame, n_lines: int, first_year: int = 2019,
                     seed: int = 2) -> int:
    """Write a long-layout return of ``n_lines`` valid lines to ``path``; return the lines written."""
    v = vocabulary()
    sources = [s for s in v.sources.values() if s.units]  # a figure-only source (WTT of fuels together) has none
    rng = np.random.default_rng(seed)
    written = 0
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["organisation", "reporting_year", "category", "source", "scope", "activity_amount",
                    "activity_unit", "emissions_tco2e", "status", "method", "notes"])
        names = registry["name_en"].tolist()
        year = first_year
        while written < n_lines:
            label = f"{year}-{(year + 1) % 100:02d}"
            for name in names:
                amounts = rng.uniform(1_000, 5_000_000, len(sources)).round(1)
                emissions = (amounts * rng.uniform(0.0001, 0.0005, len(sources))).round(3)
                for s, amount, tco2e in zip(sources, amounts, emissions, strict=True):
                    cat = v.categories[s.category]
                    if cat.negative_allowed:
                        tco2e = -tco2e
                    w.writerow([name, label, cat.name_en, s.name_en, s.scope, amount, s.units[0], tco2e,
                                "measured", "", ""])
                    written += 1
                    if written >= n_lines:
                        return written
            year += 1
    return written


def synthetic_lines(registry: pd.DataFrame, n_years: int, first_year: int = 2019, seed: int = 4) -> pd.DataFrame:
    """Return validated-shape return lines: every body, ``n_years`` years, one line per source.

    About 40 lines per body and year; a few lines are "not reported" (no figure),
    land is negative, electricity lines carry kWh and no reported emissions (so
    the engine computes them).
    """
    from decarb_dashboard import years

    v = vocabulary()
    sources = list(v.sources.values())
    rng = np.random.default_rng(seed)
    bodies = registry["id"].to_numpy()
    labels = [years.label(first_year + y) for y in range(n_years)]
    n_src, n_body = len(sources), len(bodies)
    n = n_body * n_years * n_src
    body_idx = np.repeat(np.arange(n_body), n_years * n_src)
    year_idx = np.tile(np.repeat(np.arange(n_years), n_src), n_body)
    src_idx = np.tile(np.arange(n_src), n_body * n_years)
    emissions = rng.uniform(1, 5000, n).round(2)
    land = np.array([s.category == "land" for s in sources])[src_idx]
    emissions = np.where(land, -emissions, emissions)
    electricity = np.array([s.id == "electricity" and s.category == "buildings" for s in sources])[src_idx]
    not_reported = rng.random(n) < 0.02
    activity = np.where(electricity, rng.uniform(1e5, 1e7, n).round(), np.nan)
    emissions = np.where(electricity | not_reported, np.nan, emissions)
    activity = np.where(not_reported, np.nan, activity)
    status = np.where(not_reported, "not_reported", "measured")
    return pd.DataFrame({
        "organisation_id": pd.Categorical.from_codes(body_idx, categories=bodies),
        "reporting_year": pd.Categorical.from_codes(year_idx, categories=labels),
        "category": pd.Categorical([s.category for s in sources])[src_idx],
        "source": pd.Categorical([s.id for s in sources])[src_idx],
        "scope": pd.array(np.array([s.scope for s in sources])[src_idx], dtype="Int64"),
        "activity_amount": activity,
        "activity_unit": pd.Categorical(np.where(np.isnan(activity), None, "kWh")),
        "emissions_tco2e": emissions,
        "status": pd.Categorical(status),
        "method": pd.Categorical([None] * n, categories=["activity"]),
        "notes": pd.Categorical([None] * n, categories=["x"]),
        "row": np.arange(2, n + 2),
    })
