"""The full benchmark (every body, year, category, metric and peer statistic) against DuckDB SQL.

Wales scale: the bundled sample returns (45 bodies x 5 years). UK scale: 5,000
synthetic bodies x 10 years (about 2 million lines). The engine's time covers
normalising (units, factors), category totals, body totals, intensities for
five metrics, changes since the baseline and year on year, and peer ranks with
percentiles, quartiles, medians and quartiles of the spread. DuckDB computes
category totals, body totals, changes and ranks of totals and per-FTE on the
same lines, in the same run. Targets (issue 4): within 2x of DuckDB at UK
scale; under 0.2 s at Wales scale.

    pip install -e ".[bench]"; python benchmarks/bench_engine.py [--bodies 5000] [--years 10]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.synthetic import synthetic_lines, synthetic_registry
from decarb_dashboard import measures, peers
from decarb_dashboard.engine import Engine
from decarb_dashboard.factors import load_factors
from decarb_dashboard.registry import bundled_registry
from decarb_dashboard.sample import seed
from decarb_dashboard.store import SubmissionStore

SQL = """
WITH cat AS (
  SELECT organisation_id, reporting_year, category, SUM(emissions_tco2e) AS tco2e
  FROM lines WHERE emissions_tco2e IS NOT NULL GROUP BY ALL),
tot AS (
  SELECT organisation_id, reporting_year, SUM(tco2e) AS total_tco2e FROM cat WHERE category <> 'land' GROUP BY ALL),
chg AS (
  SELECT c.*, c.tco2e - b.tco2e AS change_vs_baseline_tco2e,
         (c.tco2e - b.tco2e) / ABS(b.tco2e) * 100 AS change_vs_baseline_pct,
         c.tco2e - p.tco2e AS change_yoy_tco2e, (c.tco2e - p.tco2e) / ABS(p.tco2e) * 100 AS change_yoy_pct
  FROM cat c
  LEFT JOIN cat b ON b.organisation_id = c.organisation_id AND b.category = c.category
                 AND b.reporting_year = '2019-20'
  LEFT JOIN cat p ON p.organisation_id = c.organisation_id AND p.category = c.category
                 AND CAST(LEFT(p.reporting_year, 4) AS INT) = CAST(LEFT(c.reporting_year, 4) AS INT) - 1),
met AS (
  SELECT t.organisation_id, t.reporting_year, r.type, t.total_tco2e, t.total_tco2e / r.staff_fte AS tco2e_per_fte
  FROM tot t JOIN registry r ON r.id = t.organisation_id),
ranked AS (
  SELECT *, RANK() OVER (PARTITION BY reporting_year, type ORDER BY total_tco2e) AS rank_total,
         COUNT(*) OVER (PARTITION BY reporting_year, type) AS peers,
         MEDIAN(total_tco2e) OVER (PARTITION BY reporting_year, type) AS median_total,
         RANK() OVER (PARTITION BY reporting_year, type ORDER BY tco2e_per_fte) AS rank_fte,
         MEDIAN(tco2e_per_fte) OVER (PARTITION BY reporting_year, type) AS median_fte
  FROM met)
SELECT (SELECT COUNT(*) FROM chg) AS changes, (SELECT COUNT(*) FROM ranked) AS ranks
"""


def engine_run(lines, registry, factors):
    engine = Engine.from_lines(lines, registry, factors)
    changes = measures.all_changes(engine.categories)
    league = peers.league_table(engine.values, registry)
    return len(changes), len(league)


def duckdb_run(con) -> tuple:
    return con.execute(SQL).fetchall()[0]


def measure(label: str, lines, registry, repeat: int) -> None:
    import duckdb

    factors = load_factors()
    con = duckdb.connect()
    con.register("lines", lines.assign(**{c: lines[c].astype(str) for c in ("organisation_id", "reporting_year",
                                                                             "category")}))
    con.register("registry", registry[["id", "type", "staff_fte"]])
    engine_s, duck_s = [], []
    for _ in range(repeat):
        t = time.perf_counter()
        engine_run(lines, registry, factors)
        engine_s.append(time.perf_counter() - t)
        t = time.perf_counter()
        duckdb_run(con)
        duck_s.append(time.perf_counter() - t)
    e, d = statistics.median(engine_s), statistics.median(duck_s)
    print(f"{label}: {len(lines):,} lines, {registry.shape[0]:,} bodies")
    print(f"  engine (full benchmark):  {e:7.3f} s")
    print(f"  DuckDB SQL (same data):   {d:7.3f} s")
    print(f"  ratio engine / DuckDB:    {e / d:7.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bodies", type=int, default=5000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = SubmissionStore(Path(tmp), durable=False)
        seed(store, bundled_registry())
        measure("Wales scale (sample returns)", store.current_lines(), bundled_registry(), args.repeat)
    registry = synthetic_registry(args.bodies)
    measure("UK scale (synthetic)", synthetic_lines(registry, args.years), registry, args.repeat)
    print("targets: Wales-scale engine under 0.2 s; UK-scale ratio within 2x")


if __name__ == "__main__":
    main()
