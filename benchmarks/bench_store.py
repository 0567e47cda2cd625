"""Reading the current returns from a store of 5,000 bodies x 10 years (about 2 million lines).

Prints the time ``SubmissionStore.current_lines()`` takes (catalogue query,
Parquet read, conversion to pandas) against the time pyarrow takes to read the
same Parquet files directly, in the same run. Target (issue 3): at most 2x.

    python benchmarks/bench_store.py [--bodies 5000] [--years 10] [--repeat 3]

Building the store takes a few minutes (one submission per body covering all
its years, files written without fsync since only reading is measured).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.dataset as pads

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from decarb_dashboard import years
from decarb_dashboard.store import SubmissionStore
from uploads_schema.vocabulary import vocabulary


def body_lines(body: str, n_years: int, rng: np.random.Generator) -> pd.DataFrame:
    """Return one body's valid lines for ``n_years`` years: one per source (about 40 a year)."""
    sources = list(vocabulary().sources.values())
    labels = [years.label(2014 + y) for y in range(n_years)]
    n = len(sources) * n_years
    emissions = rng.uniform(1, 5000, n).round(2)
    negative = np.array([s.category == "land" for s in sources] * n_years)
    return pd.DataFrame({
        "organisation_id": pd.Categorical([body] * n),
        "reporting_year": pd.Categorical(np.repeat(labels, len(sources))),
        "category": pd.Categorical([s.category for s in sources] * n_years),
        "source": pd.Categorical([s.id for s in sources] * n_years),
        "scope": pd.array([s.scope for s in sources] * n_years, dtype="Int64"),
        "activity_amount": np.full(n, np.nan),
        "activity_unit": pd.Categorical([None] * n, categories=["kWh"]),
        "emissions_tco2e": np.where(negative, -emissions, emissions),
        "status": pd.Categorical(["measured"] * n),
        "method": pd.Categorical([None] * n, categories=["activity"]),
        "notes": pd.Categorical([None] * n, categories=["x"]),
        "row": np.arange(2, n + 2),
    })


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bodies", type=int, default=5000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data-dir", help="reuse (or build) the store here instead of a temporary directory")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(args.data_dir or tmp)
        store = SubmissionStore(root, durable=False)
        if store.is_empty():
            rng = np.random.default_rng(3)
            start = time.perf_counter()
            for b in range(args.bodies):
                store.submit(body_lines(f"body_{b:05d}", args.years, rng), b"bench", submitted_by="bench")
            print(f"built the store in {time.perf_counter() - start:,.0f} s")
        parts = store.current_parts()
        paths = [str(root / p) for p in parts["path"]]
        print(f"store: {parts['organisation_id'].nunique():,} bodies, {len(paths):,} files, "
              f"{int(parts['line_count'].sum()):,} current lines")
        store_s, arrow_s, arrow_pandas_s = [], [], []
        for _ in range(args.repeat):
            t = time.perf_counter()
            table = pads.dataset(paths, format="parquet").to_table()
            arrow_s.append(time.perf_counter() - t)
            table.to_pandas()
            arrow_pandas_s.append(time.perf_counter() - t)
            t = time.perf_counter()
            lines = store.current_lines()
            store_s.append(time.perf_counter() - t)
        assert len(lines) == table.num_rows
    s, a, ap = statistics.median(store_s), statistics.median(arrow_s), statistics.median(arrow_pandas_s)
    print(f"pyarrow reads the same files:          {a:6.2f} s")
    print(f"pyarrow reads them, then to pandas:    {ap:6.2f} s")
    print(f"store.current_lines():                 {s:6.2f} s")
    print(f"ratio store / pyarrow read:            {s / a:.2f}x   (target <= 2x)")
    print(f"ratio store / pyarrow read + pandas:   {s / ap:.2f}x")


if __name__ == "__main__":
    main()
