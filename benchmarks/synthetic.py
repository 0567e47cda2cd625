"""Synthetic data at scale for the benchmarks: a register of many bodies and their returns.

Not real data: bodies are "Synthetic Body 0001 Council" etc., figures are random.
"""

from __future__ import annotations

import csv
import json
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


def fill_store(store, lines: pd.DataFrame, submitted_by: str = "synthetic") -> int:
    """Store ``lines`` (validated-shape, as :func:`synthetic_lines` gives) into an empty store, quickly, as one
    submission per body covering all its years; return the number of submissions.

    What ``SubmissionStore.submit`` would record for each (the same rows of ``submissions``,
    ``parts`` and ``audit_log``, each part's Parquet file with its metadata and checksum on
    SQLite, the lines as rows on PostgreSQL), but without validating each submission again
    and with one write transaction for them all: at 5,000 bodies x 10 years, submitting one by
    one takes most of an hour on a busy machine. For benchmarks only: the lines are trusted.
    """
    import datetime as dt
    import io
    import secrets

    import pyarrow as pa
    import pyarrow.csv as pacsv

    from decarb_dashboard import store as store_module
    from decarb_dashboard import store_sql

    if not store.is_empty():
        raise ValueError("fill_store fills an empty store only")
    lines = lines.sort_values(["organisation_id", "reporting_year", "row"], kind="stable").reset_index(drop=True)
    bodies = [str(b) for b in lines["organisation_id"].unique()]
    start = dt.datetime.now(dt.UTC)
    ids = {b: "s" + (start + dt.timedelta(microseconds=k)).strftime("%Y%m%dT%H%M%S%f") + "-" + secrets.token_hex(4)
           for k, b in enumerate(bodies)}
    at = store_module._now()
    frame = lines.assign(submission_id=pd.Categorical(lines["organisation_id"].astype(str).map(ids)))
    table = pa.Table.from_pandas(frame[store_module.LINES_SCHEMA.names], schema=store_module.LINES_SCHEMA,
                                 preserve_index=False)
    groups = frame.groupby(["organisation_id", "reporting_year"], observed=True, sort=True).indices
    by_body: dict[str, list[tuple[str, str, int, int]]] = {}
    for (org, year), positions in groups.items():
        by_body.setdefault(str(org), []).append((str(org), str(year), int(positions[0]), len(positions)))
    submissions, parts, audit = [], [], []
    in_database = store.backend == "postgresql"
    for body in bodies:
        sid, body_parts = ids[body], by_body[body]
        body_years = [(org, year) for org, year, _, _ in body_parts]
        reference = store_module.make_reference(body_years, 1)
        sha256 = secrets.token_hex(32)  # stands for the original file's, which a synthetic submission has not
        count = sum(n for *_, n in body_parts)
        described = {"submission_id": sid, "submitted_at": at, "submitted_by": submitted_by, "file_name": None,
                     "sha256": sha256, "line_count": count, "parts": [[o, y, n] for o, y, _, n in body_parts],
                     "reference": reference, "declaration": None, "warnings": []}
        for org, year, first, n in body_parts:
            relative = f"lines/{org}/{year}/{sid}.parquet"
            part_sha = None
            if not in_database:
                part = table.slice(first, n).replace_schema_metadata({
                    store_module.PART_METADATA_KEY: json.dumps({**described, "organisation_id": org,
                                                               "reporting_year": year}).encode()})
                part_sha = store._write_parquet(part, store.root / relative)
            parts.append((sid, org, year, relative, n, part_sha))
        submissions.append((sid, at, submitted_by, None, sha256, count, store_module.INITIAL_STATUS, reference,
                            None, "[]"))
        audit.append((at, submitted_by, sid, "submit", store_module.INITIAL_STATUS, None))
    with store._write() as db:
        db.executemany("INSERT INTO submissions (submission_id, submitted_at, submitted_by, file_name, sha256,"
                       " line_count, status, reference, declaration, warnings) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       submissions)
        db.executemany("INSERT INTO parts (submission_id, organisation_id, reporting_year, path, line_count, sha256)"
                       " VALUES (?, ?, ?, ?, ?, ?)", parts)
        if in_database:
            # COPY from CSV that Arrow writes: Python never touches the 2 million lines one by one
            numbers = np.concatenate([np.arange(n) for *_, n in (p for b in bodies for p in by_body[b])])
            flat = pa.table({"submission_id": table["submission_id"].cast(pa.string()),
                             "organisation_id": table["organisation_id"].cast(pa.string()),
                             "reporting_year": table["reporting_year"].cast(pa.string()),
                             "line_number": pa.array(numbers, pa.int32()),
                             **{c: table[c].cast(pa.string()) if pa.types.is_dictionary(table[c].type) else table[c]
                                for c in store_sql.LINE_COLUMNS}})
            buffer = io.BytesIO()
            pacsv.write_csv(flat, buffer, pacsv.WriteOptions(include_header=False, quoting_style="needed"))
            quoted = ", ".join(f'"{c}"' for c in flat.column_names)
            with db.conn.connection.driver_connection.cursor() as cursor, cursor.copy(
                    f"COPY lines ({quoted}) FROM STDIN (FORMAT csv)") as copy:
                copy.write(buffer.getvalue())
        db.executemany("INSERT INTO audit_log (at, actor, submission_id, action, status, message)"
                       " VALUES (?, ?, ?, ?, ?, ?)", audit)
        db.execute("DELETE FROM store_info WHERE key = 'sample_data'")
    return len(submissions)
