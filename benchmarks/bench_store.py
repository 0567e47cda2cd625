"""The store at 5,000 bodies x 10 years (about 2 million lines), on SQLite + Parquet and on PostgreSQL, side by side.

For each backend, in the same run and on the same lines (the same seed):

- **filling**: every body's years as one submission each, written in bulk (``synthetic.fill_store``: the
  rows ``submit`` would write, without validating each again, in one transaction);
- **submitting**: then ``--sample`` bodies resubmit their years through ``SubmissionStore.submit``
  (validated, as the upload page does) into the full store; the median and 95th percentile of one,
  against pyarrow writing the same lines to a Parquet file in memory;
- **reading the current returns**: ``SubmissionStore.current_lines()`` (every body and year), against
  pyarrow reading the SQLite store's current Parquet files directly (the existing baseline, issue 3:
  at most 2x), and that read converted to pandas;
- **a body's history**: ``history(body)`` and ``current_lines(body)`` for ``--sample`` bodies, against
  pyarrow reading that body's files.

    python benchmarks/bench_store.py [--bodies 5000] [--years 10] [--repeat 3] [--backends sqlite postgresql]
                                     [--database-url URL] [--data-dir DIR]

PostgreSQL is a throwaway cluster (tests/postgres.py: initdb in a temporary directory, fsync off)
unless ``--database-url`` names a migrated database (an empty one is filled, one with submissions is
reused, as ``--data-dir``'s store is; the same ``--sample`` bodies resubmit each time). SQLite's files
are written without fsync: the figures are the store's own work, not the disk's. Filling both takes a few minutes.
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
import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.synthetic import fill_store, synthetic_lines
from decarb_dashboard import years
from decarb_dashboard.store import SubmissionStore
from uploads_schema.vocabulary import vocabulary

FIRST_YEAR = 2014


def body_lines(body: str, n_years: int, rng: np.random.Generator) -> pd.DataFrame:
    """Return one body's valid lines for ``n_years`` years: one per source (about 40 a year)."""
    sources = list(vocabulary().sources.values())
    labels = [years.label(FIRST_YEAR + y) for y in range(n_years)]
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


def build(store: SubmissionStore, n_bodies: int, n_years: int) -> float:
    """Fill an empty store with every body's ``n_years`` years, one submission per body (synthetic.fill_store);
    return the seconds it took."""
    start = time.perf_counter()
    ids = pd.DataFrame({"id": [f"body_{b:05d}" for b in range(n_bodies)]})
    fill_store(store, synthetic_lines(ids, n_years, first_year=FIRST_YEAR), submitted_by="bench")
    return time.perf_counter() - start


def submit_some(store: SubmissionStore, n_bodies: int, n_years: int, sample: int) -> dict:
    """Resubmit ``sample`` bodies' years through ``SubmissionStore.submit`` (validated, as the upload page does)
    into the full store; return the seconds of each, and of pyarrow writing the same lines to Parquet in memory."""
    rng = np.random.default_rng(3)
    submit_s, write_s = [], []
    for b in rng.choice(n_bodies, size=min(sample, n_bodies), replace=False):
        lines = body_lines(f"body_{b:05d}", n_years, rng)
        t = time.perf_counter()
        pq.write_table(pa.Table.from_pandas(lines, preserve_index=False), pa.BufferOutputStream(),
                       compression="zstd")
        write_s.append(time.perf_counter() - t)
        t = time.perf_counter()
        store.submit(lines, f"bench {b} {time.time_ns()}".encode(), submitted_by="bench")
        submit_s.append(time.perf_counter() - t)
    return {"submit_s": submit_s, "write_s": write_s}


def baseline(root: Path, args, rng: np.random.Generator) -> dict:
    """Time pyarrow reading the SQLite store's current files directly (median of the repeats), and the files of
    ``--sample`` bodies, each converted to pandas: the same lines every backend's store reads."""
    parts = SubmissionStore(root, durable=False).current_parts()
    paths = [str(root / p) for p in parts["path"]]
    arrow_s, arrow_pandas_s = [], []
    for _ in range(args.repeat):
        t = time.perf_counter()
        table = pads.dataset(paths, format="parquet").to_table()
        arrow_s.append(time.perf_counter() - t)
        table.to_pandas()
        arrow_pandas_s.append(time.perf_counter() - t)
    bodies = rng.choice(parts["organisation_id"].unique(), size=min(args.sample, parts["organisation_id"].nunique()),
                        replace=False)
    body_arrow_s = []
    for body in bodies:
        own = parts[parts["organisation_id"] == body]
        t = time.perf_counter()
        pads.dataset([str(root / p) for p in own["path"]], format="parquet").to_table().to_pandas()
        body_arrow_s.append(time.perf_counter() - t)
    return {"lines": table.num_rows, "files": len(paths), "arrow_s": statistics.median(arrow_s),
            "arrow_pandas_s": statistics.median(arrow_pandas_s), "body_arrow_s": statistics.median(body_arrow_s),
            "bodies": [str(b) for b in bodies],
            "body_lines": {str(b): int(parts.loc[parts["organisation_id"] == b, "line_count"].sum()) for b in bodies}}


def measure(store: SubmissionStore, base: dict, args) -> dict:
    """Time reading the current returns and a body's history (median of the repeats) on ``store``."""
    current_s = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        lines = store.current_lines()
        current_s.append(time.perf_counter() - t)
    assert len(lines) == base["lines"], (len(lines), base["lines"])
    history_s = []
    for body in base["bodies"]:
        t = time.perf_counter()
        versions = store.history(body)
        own = store.current_lines(body)
        history_s.append(time.perf_counter() - t)
        assert versions and len(own) == base["body_lines"][body]
    return {**base, "total_tco2e": float(lines["emissions_tco2e"].sum()), "current_s": statistics.median(current_s),
            "history_s": statistics.median(history_s)}


def open_store(backend: str, root: Path, url: str | None) -> SubmissionStore:
    return SubmissionStore(root, durable=False, database_url=url if backend == "postgresql" else None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bodies", type=int, default=5000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sample", type=int, default=20, help="bodies whose history is read (default 20)")
    parser.add_argument("--backends", nargs="+", choices=("sqlite", "postgresql"), default=["sqlite", "postgresql"])
    parser.add_argument("--database-url", help="a migrated PostgreSQL database instead of a throwaway cluster")
    parser.add_argument("--data-dir", help="reuse (or build) the SQLite store here instead of a temporary directory")
    args = parser.parse_args()
    cluster = None
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_root = Path(args.data_dir or Path(tmp) / "sqlite")
        url = args.database_url
        if "postgresql" in args.backends and url is None:
            from tests import postgres

            cluster = postgres.start_cluster()
            url = cluster.new_database()
        try:
            results, built, submitted = {}, {}, {}
            # The SQLite store is the baseline's files: built first even when only PostgreSQL is measured.
            for backend in ["sqlite", *[b for b in args.backends if b != "sqlite"]]:
                store = open_store(backend, sqlite_root if backend == "sqlite" else Path(tmp) / "pg-data", url)
                if store.is_empty():
                    built[backend] = build(store, args.bodies, args.years)
                    print(f"{backend}: filled the store in {built[backend]:,.0f} s", flush=True)
                submitted[backend] = submit_some(store, args.bodies, args.years, args.sample)
                print(f"{backend}: submitted {args.sample} bodies", flush=True)
                if backend == "sqlite":
                    base = baseline(sqlite_root, args, np.random.default_rng(5))
                    print("baseline: measured", flush=True)
                if backend in args.backends:
                    results[backend] = measure(store, base, args)
                    print(f"{backend}: measured", flush=True)
        finally:
            if cluster is not None:
                cluster.stop()
    report(results, submitted, args)


def report(results: dict, built: dict, args) -> None:
    """Print the backends' figures side by side (``built``: the submissions timed, per backend)."""
    first = next(iter(results.values()))
    print(f"\n{args.bodies:,} bodies x {args.years} years: {first['files']:,} current parts, "
          f"{first['lines']:,} current lines")
    if len({round(r["total_tco2e"], 1) for r in results.values()}) != 1:
        print("  the backends' current lines differ!", {b: r["total_tco2e"] for b, r in results.items()})
    names = list(results)
    print(f"  {'':44}" + "".join(f"{n:>24}" for n in names))

    def row(label: str, cells: list[str]) -> None:
        print(f"  {label:44}" + "".join(f"{c:>24}" for c in cells))

    if any(b in built for b in names):
        row(f"submit one body ({args.years} years), median", [
            f"{statistics.median(built[b]['submit_s']) * 1000:,.0f} ms" if b in built else "(reused)" for b in names])
        row("  95th percentile", [
            f"{np.percentile(built[b]['submit_s'], 95) * 1000:,.0f} ms" if b in built else "" for b in names])
        row("  x pyarrow writing its Parquet (median)", [
            f"{statistics.median(built[b]['submit_s']) / statistics.median(built[b]['write_s']):,.1f}x"
            if b in built else "" for b in names])
    row("baseline: pyarrow reads the same files", [f"{r['arrow_s']:.2f} s" for r in results.values()])
    row("  then to pandas", [f"{r['arrow_pandas_s']:.2f} s" for r in results.values()])
    row("store.current_lines()", [f"{r['current_s']:.2f} s" for r in results.values()])
    row("  x pyarrow read (target <= 2x)", [f"{r['current_s'] / r['arrow_s']:.2f}x" for r in results.values()])
    row("  x pyarrow read + pandas", [f"{r['current_s'] / r['arrow_pandas_s']:.2f}x" for r in results.values()])
    row("a body's history + current lines, median", [f"{r['history_s'] * 1000:,.0f} ms" for r in results.values()])
    row("  x pyarrow reading its files + pandas", [f"{r['history_s'] / r['body_arrow_s']:.1f}x"
                                                   for r in results.values()])


if __name__ == "__main__":
    main()
