"""How long the reviewer's pages take: one review view and the whole queue, at Wales scale and with many bodies.

Printed as ratios against building the engine over the same store in the same run (the work
every page already waits for once), so that the figures compare across machines. The queue is
timed twice: worked out afresh over a new engine (after a submission or a decision the store's
version changes, the engine is rebuilt and every year's quality flags with it), and again for the
same engine and store version (kept: :func:`decarb_dashboard.review.queue`'s memo):

    .venv/bin/python -m benchmarks.bench_review [--bodies 5000] [--store DIR]

``--bodies 0`` (the default) is the sample data alone; ``--bodies N`` adds made-up bodies as
``benchmarks/bench_browser.py`` does (25 to a file), in a temporary store or in ``--store DIR``
(kept, and reused when it exists).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from decarb_dashboard import review
from decarb_dashboard.engine import Engine
from decarb_dashboard.registry import bundled_registry
from decarb_dashboard.sample import seed
from decarb_dashboard.store import SubmissionStore

REPEATS = 5


def best_of(fn: Callable[[], object], repeats: int = REPEATS, setup: Callable[[], object] | None = None) -> float:
    """The fastest of ``repeats`` runs of ``fn``, in seconds (the least disturbed by other work); ``setup`` runs
    before each, untimed, and its result is passed to ``fn``."""
    times = []
    for _ in range(repeats):
        given = setup() if setup is not None else None
        started = time.perf_counter()
        fn(given) if setup is not None else fn()
        times.append(time.perf_counter() - started)
    return min(times)


def measure(label: str, store: SubmissionStore, repeats: int) -> None:
    started = time.perf_counter()
    engine = Engine.from_store(store)
    baseline = time.perf_counter() - started
    started = time.perf_counter()
    rows = len(review.queue(store, engine))  # the first queue over this engine: afresh
    fresh = time.perf_counter() - started
    if repeats > 1:  # more engines, each timed, and a queue afresh over each
        baseline = min(baseline, best_of(lambda: Engine.from_store(store), min(repeats, 3) - 1))
        fresh = min(fresh, best_of(lambda e: review.queue(store, e), min(repeats, 3) - 1,
                                   setup=lambda: Engine.from_store(store)))
    kept = best_of(lambda: review.queue(store, engine), repeats)
    cardiff = store.history("cardiff", "2022-23")[-1].submission_id
    view = best_of(lambda: review.review_view(store, engine, cardiff, "cardiff", "2022-23"), repeats)
    print(f"{label}")
    print(f"  engine build (baseline):        {baseline:8.3f} s")
    print(f"  one review view:                {view:8.3f} s  = {view / baseline:6.2f} x the engine build")
    print(f"  the queue ({rows:,} rows), afresh: {fresh:8.3f} s  = {fresh / baseline:6.2f} x the engine build")
    print(f"  the queue, kept:                {kept:8.3f} s  = {kept / baseline:6.2f} x the engine build")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bodies", type=int, default=0)
    parser.add_argument("--store", type=Path, default=None)
    parser.add_argument("--repeats", type=int, default=REPEATS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if args.bodies == 0:
            store = SubmissionStore(Path(folder) / "wales", durable=False)
            seed(store, bundled_registry())
            measure("Wales scale (the sample returns)", store, args.repeats)
            return
        from benchmarks.bench_browser import large_store

        root = args.store or Path(folder) / "big"
        if not (root / "store.sqlite").exists():
            started = time.perf_counter()
            large_store(root, args.bodies)
            print(f"built a store of {args.bodies:,} bodies in {time.perf_counter() - started:.0f} s")
        measure(f"{args.bodies:,} bodies x 5 years", SubmissionStore(root, durable=False), args.repeats)


if __name__ == "__main__":
    main()
