"""Results kept per object: worked out once, the least recently used dropped past the bound."""

from __future__ import annotations

from decarb_dashboard import memo


class Owner:
    """Something results are worked out from (an engine, a frame)."""


def test_a_result_is_worked_out_once_per_owner_and_key(monkeypatch):
    monkeypatch.setattr(memo, "_kept", {})
    calls = []
    a, b = Owner(), Owner()
    assert memo.per_object(a, "k", lambda: calls.append("a") or 1) == 1
    assert memo.per_object(a, "k", lambda: calls.append("a again") or 2) == 1
    assert memo.per_object(b, "k", lambda: calls.append("b") or 3) == 3  # another engine: worked out afresh
    assert calls == ["a", "b"]


def test_past_the_bound_the_least_recently_used_result_is_dropped(monkeypatch):
    monkeypatch.setattr(memo, "_kept", {})
    monkeypatch.setattr(memo, "MAX_ENTRIES", 3)
    owner = Owner()
    for key in ("first", "second", "third"):
        memo.per_object(owner, key, lambda key=key: key)
    memo.per_object(owner, "first", lambda: "worked out again")  # used: now the most recent
    memo.per_object(owner, "fourth", lambda: "fourth")  # drops "second", the least recently used
    assert len(memo._kept) == 3
    assert memo.per_object(owner, "first", lambda: "worked out again") == "first"
    assert memo.per_object(owner, "second", lambda: "worked out again") == "worked out again"
