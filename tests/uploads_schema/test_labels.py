"""Matching typed labels, and suggesting the nearest for a miss, in short and very long lists."""

from __future__ import annotations

import pytest

from uploads_schema import labels
from uploads_schema.labels import LabelIndex


def bodies(n: int) -> LabelIndex:
    return LabelIndex((f"body_{k:05d}", f"Synthetic Body {k:05d}",
                       [f"Synthetic Body {k:05d}", f"Corff Synthetig {k:05d}"]) for k in range(n))


@pytest.mark.parametrize("typed, nearest", [
    ("Synthetic Bdy 01234", "Synthetic Body 01234"),
    ("Synthetc Body 04999 Council", "Synthetic Body 04999"),
    ("corff synthetig 00042", "Synthetic Body 00042"),  # resolves outright, and is its own nearest
    ("Cardiff Council", None),
])
def test_a_long_register_suggests_from_its_closest_labels(typed, nearest):
    index = bodies(5_000)  # 10,000 labels: past COMPARE_ALL_UP_TO, so only the closest few are compared
    assert len(index._ids) > labels.COMPARE_ALL_UP_TO
    assert index.suggest(typed) == nearest


def test_the_shortlist_finds_what_comparing_every_label_finds(monkeypatch):
    typed = ["Synthetic Bdy 00007", "Synthtic Body 00123", "Corff Synthetg 00999", "Synthetic Body 0099"]
    shortlisted = [bodies(1_200).suggest(t) for t in typed]
    monkeypatch.setattr(labels, "COMPARE_ALL_UP_TO", 10**9)
    assert [bodies(1_200).suggest(t) for t in typed] == shortlisted
    assert shortlisted[:3] == ["Synthetic Body 00007", "Synthetic Body 00123", "Synthetic Body 00999"]


def test_a_suggestion_is_worked_out_once_per_text(monkeypatch):
    index = bodies(10)
    calls = []
    nearest = index._nearest
    monkeypatch.setattr(index, "_nearest", lambda key: calls.append(key) or nearest(key))
    assert {index.suggest("Synthetic Bdy 00003") for _ in range(200)} == {"Synthetic Body 00003"}
    assert calls == ["synthetic bdy 00003"]
