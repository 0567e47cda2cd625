"""Validation speed and memory on a synthetic 1,000,000-line return.

Prints lines per second and the ratio of validation time (reading included) to
a plain ``pandas.read_csv`` of the same file, both measured in this run, each
in a fresh child process so that their peak memory can be told apart.
Targets (issue 2): ratio at most 3x; peak memory under 2 GB. Also timed: the same file with
every body's name misspelt (a million problems to count, 200 to list with a suggestion).

    python benchmarks/bench_validate.py [--lines 1000000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def child(mode: str, path: str, n_bodies: int) -> None:
    import pandas as pd

    from benchmarks.synthetic import synthetic_registry

    registry = synthetic_registry(n_bodies) if mode != "read" else None
    from decarb_dashboard.validate import validate_file

    timings = []
    for _ in range(2):  # the first call pays one-off costs (imports, building the name matcher)
        start = time.perf_counter()
        if mode == "read":
            frame = pd.read_csv(path)
            n = len(frame)
        else:
            report = validate_file(path, max_bytes=0, registry=registry, max_rows=2_000_000)
            if mode == "validate":
                assert report.valid, report.to_text()[:2000]
            else:  # "misspelt": every line names a body the register does not know
                assert report.counts == {"organisation_unknown": report.rows_read}, report.counts
            n = report.rows_read
        timings.append(time.perf_counter() - start)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"first": timings[0], "seconds": timings[1], "lines": n, "peak_mb": peak_mb}))


def run(mode: str, path: Path, n_bodies: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", mode, str(path), "--bodies", str(n_bodies)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--bodies", type=int, default=5200)
    parser.add_argument("--child", nargs=2, metavar=("MODE", "FILE"))
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], args.bodies)
        return

    from benchmarks.synthetic import synthetic_registry, write_return_csv

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "return.csv"
        n = write_return_csv(path, synthetic_registry(args.bodies), args.lines)
        size_mb = path.stat().st_size / 1024 / 1024
        print(f"synthetic return: {n:,} lines, {size_mb:,.1f} MB, {args.bodies:,} bodies")
        reads, validations = [], []
        for _ in range(args.repeat):
            reads.append(run("read", path, args.bodies))
            validations.append(run("validate", path, args.bodies))
        # The same file with every body's name misspelt: a million problems, 200 of them listed with a suggestion.
        misspelt_path = Path(tmp) / "misspelt.csv"
        misspelt_path.write_bytes(path.read_bytes().replace(b"Synthetic Body ", b"Synthetic Bdy "))
        misspelt = run("misspelt", misspelt_path, args.bodies)
    read_s = statistics.median(r["seconds"] for r in reads)
    validate_s = statistics.median(r["seconds"] for r in validations)
    first_s = statistics.median(r["first"] for r in validations)
    first_read_s = statistics.median(r["first"] for r in reads)
    print(f"plain pandas.read_csv:          {read_s:6.2f} s   peak {max(r['peak_mb'] for r in reads):,.0f} MB")
    print(f"validate (read incl.):          {validate_s:6.2f} s   peak "
          f"{max(r['peak_mb'] for r in validations):,.0f} MB (whole process)")
    print(f"first calls in a process:       read {first_read_s:.2f} s, validate {first_s:.2f} s")
    print(f"lines per second:               {n / validate_s:,.0f}")
    # Each validation is timed right after a read of the same file: the ratio of each such pair drifts
    # less with the machine's load than the ratio of the medians.
    pairs = sorted(v["seconds"] / r["seconds"] for r, v in zip(reads, validations, strict=True))
    print(f"ratio validate / read:          {validate_s / read_s:.2f}x   (target <= 3x)")
    print(f"ratio per pair of runs:         median {statistics.median(pairs):.2f}x, "
          f"range {pairs[0]:.2f}x to {pairs[-1]:.2f}x")
    print(f"ratio of first calls:           {first_s / first_read_s:.2f}x   (a one-off command's view: "
          f"imports, thread pools and memory not yet warm in either)")
    print(f"every body misspelt:            {misspelt['first']:6.2f} s first call, {misspelt['seconds']:.2f} s "
          f"with suggestions remembered ({misspelt['lines']:,} problems counted, 200 listed with the "
          f"nearest body; peak {misspelt['peak_mb']:,.0f} MB)")


if __name__ == "__main__":
    main()
