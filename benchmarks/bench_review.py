"""How long the reviewer's pages take on the sample data: one review view and the whole queue.

Printed as ratios against building the engine over the same store in the same run (the work
every page already waits for once), so that the figures compare across machines:

    .venv/bin/python -m benchmarks.bench_review
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from decarb_dashboard import review
from decarb_dashboard.engine import Engine
from decarb_dashboard.registry import bundled_registry
from decarb_dashboard.sample import seed
from decarb_dashboard.store import SubmissionStore

REPEATS = 5


def best_of(fn, repeats: int = REPEATS) -> float:
    """The fastest of ``repeats`` runs of ``fn``, in seconds (the least disturbed by other work)."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = SubmissionStore(Path(folder), durable=False)
        seed(store, bundled_registry())
        engine = Engine.from_store(store)
        cardiff = store.history("cardiff", "2022-23")[-1].submission_id
        baseline = best_of(lambda: Engine.from_store(store))
        view = best_of(lambda: review.review_view(store, engine, cardiff, "cardiff", "2022-23"))
        queue = best_of(lambda: review.queue(store, engine))
        rows = len(review.queue(store, engine))
    print(f"engine build (baseline): {baseline:.3f} s")
    print(f"one review view:         {view:.3f} s  = {view / baseline:.2f} x the engine build")
    print(f"the queue ({rows} rows):   {queue:.3f} s  = {queue / baseline:.2f} x the engine build")


if __name__ == "__main__":
    main()
