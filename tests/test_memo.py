"""Results kept per object: worked out once, the least recently used dropped past the bound."""

from __future__ import annotations

import threading

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


def test_a_thread_that_gives_way_waits_at_each_result_it_asks_for_and_no_other_thread_does():
    waited, owner = [], object()

    def background():
        memo.give_way(lambda: waited.append("background"))
        memo.per_object(owner, "k", lambda: 1)  # worked out
        memo.per_object(owner, "k", lambda: 2)  # kept
        memo.give_way(None)
        memo.per_object(owner, "k", lambda: 3)

    thread = threading.Thread(target=background)
    thread.start()
    thread.join()
    assert memo.per_object(owner, "k", lambda: 4) == 1  # this thread has no wait of its own
    assert waited == ["background", "background"]


def test_a_result_goes_with_its_owner_and_an_owner_without_weak_references_is_held(monkeypatch):
    monkeypatch.setattr(memo, "_kept", {})
    old, kept = Owner(), Owner()
    memo.per_object(old, "figures", lambda: "of the engine before")
    memo.per_object(kept, "figures", lambda: "of the engine now")
    del old  # the engine replaced, the last request on it answered
    assert memo.per_object(kept, "figures", lambda: "again") == "of the engine now"
    assert [value for _, value in memo._kept.values()] == ["of the engine now"]  # nothing of the one gone
    key = ("a", "tuple")
    assert memo.per_object(key, "k", lambda: 1) == 1 and memo.per_object(key, "k", lambda: 2) == 1


def test_a_result_of_several_owners_is_kept_while_each_of_them_lives_and_only_for_those_very_ones(monkeypatch):
    monkeypatch.setattr(memo, "_kept", {})
    register, this_year, last_year = Owner(), Owner(), Owner()
    assert memo.per_objects((register, this_year, last_year), "flags", lambda: "worked out") == "worked out"
    assert memo.per_objects((register, this_year, last_year), "flags", lambda: "again") == "worked out"
    assert memo.per_objects((register, last_year, this_year), "flags", lambda: "in another order") \
        == "in another order"
    new_year = Owner()  # a line of last year changed: its revision is a new object
    assert memo.per_objects((register, this_year, new_year), "flags", lambda: "afresh") == "afresh"
    del last_year  # no engine has it any more: what was worked out from it goes, and nothing else
    assert memo.per_objects((register, this_year, new_year), "flags", lambda: "again") == "afresh"
    assert [value for _, value in memo._kept.values()] == ["afresh"]
