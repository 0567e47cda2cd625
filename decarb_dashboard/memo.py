"""Results kept for as long as the object they were worked out from: one mechanism for every such cache.

The engine's frames are rebuilt when the store changes, so a result keyed by the
identity of the frame (and checked to be that very frame) can never be stale. The frame is held
weakly: once the process has no other use for it (its engine replaced, the requests on it answered)
its results go with it, rather than keeping every engine before alive until the bound drops them
(at 5,000 bodies some 170 MB an engine, one more after each submission).
A result being worked out is worked out once: a second caller of the same key (a
visitor arriving while the start-up warming draws the same page) waits for it
rather than doing the same work beside it.

A background thread may also give way here (:func:`give_way`): every result it asks for, kept or
worked out, is a point where it waits first for more pressing work of the process to end.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")
#: More results than this and the least recently used are dropped. A page of one body keeps one
#: comparison per body, year, peer group and metric asked for; a result is a few kilobytes to a few
#: megabytes (a year's quality flags of 5,000 bodies, a page's figures), so the bound keeps the
#: process's memory in hand.
MAX_ENTRIES = 256

_lock = threading.Lock()
_kept: dict[tuple[tuple[int, ...], Hashable], tuple[tuple[Callable[[], object], ...], object]] = {}
#: The slots whose owner has gone (appended by its weak reference's callback, which may run in any thread at any
#: moment, so it takes no lock), dropped at the next call.
_gone: list[tuple[tuple[int, ...], Hashable]] = []
#: The keys being worked out now, each with the lock its builder holds.
_building: dict[tuple[tuple[int, ...], Hashable], threading.Lock] = {}
#: Each thread's wait of :func:`give_way`, if it has one.
_local = threading.local()


def give_way(wait: Callable[[], object] | None) -> None:
    """Have the calling thread call ``wait`` (None: nothing) each time it asks :func:`per_object` for a result.

    For the drawing ahead of the pages (:mod:`decarb_dashboard.web.propagation`): a step of it
    (a page, a year's flags) takes seconds at 5,000 bodies and asks for hundreds of results, each
    a point where it can stop while the process rebuilds its engine, instead of taking half of
    Python's one lock from that rebuild for the whole step. ``wait`` must return within a bound
    of its own: the thread may be holding a result another thread waits for.
    """
    _local.give_way = wait


def per_object(owner: object, key: Hashable, build: Callable[[], T]) -> T:
    """Return ``build()``, worked out once per ``owner`` object and ``key``."""
    return per_objects((owner,), key, build)


def per_objects(owners: tuple[object, ...], key: Hashable, build: Callable[[], T]) -> T:
    """Return ``build()``, worked out once per ``key`` and set of ``owners``: kept while every one of them lives.

    For a result worked out from several objects, each of which may outlive the others: a year's
    quality flags read that year's and the year before's figures (each year's :meth:`Engine.revision
    <decarb_dashboard.engine.Engine.revision>`, carried from an engine to the next while no line of
    it changes), so a submission for one year leaves every other year's flags kept.
    """
    wait = getattr(_local, "give_way", None)
    if wait is not None:
        wait()
    slot = (tuple(id(o) for o in owners), key)
    while True:
        with _lock:
            _drop_gone()
            found = _kept.pop(slot, None)
            if found is not None and all(held() is o for held, o in zip(found[0], owners, strict=True)):
                _kept[slot] = found  # now the most recently used
                return found[1]
            busy = _building.get(slot)
            if busy is None:
                busy = _building[slot] = threading.Lock()
                busy.acquire()
                break
        with busy:  # another thread is working it out: wait for it, then take its result (or try ourselves)
            pass
    try:
        value = build()
        with _lock:
            while len(_kept) >= MAX_ENTRIES:
                _kept.pop(next(iter(_kept)))
            _kept[slot] = (tuple(_held(o, slot) for o in owners), value)
        return value
    finally:
        with _lock:
            del _building[slot]
        busy.release()


def kept(owners: tuple[object, ...], key: Hashable) -> object | None:
    """Return the result :func:`per_objects` keeps for ``owners`` and ``key``, or None: nothing is worked out.

    For a result worked out again from one kept for other owners (a year's quality flags on a new
    engine, from the engine before's, for the bodies a change touched): whether that one is still kept.
    """
    slot = (tuple(id(o) for o in owners), key)
    with _lock:
        _drop_gone()
        found = _kept.get(slot)
        if found is not None and all(held() is o for held, o in zip(found[0], owners, strict=True)):
            return found[1]
    return None


def _held(owner: object, slot: tuple[tuple[int, ...], Hashable]) -> Callable[[], object]:
    """A weak reference to ``owner`` that says when it goes; an object that cannot have one (a tuple) is held."""
    try:
        return weakref.ref(owner, lambda _ref: _gone.append(slot))
    except TypeError:
        return lambda: owner


def _drop_gone() -> None:
    """Drop the results of owners that have gone (``_lock`` held). A slot's number may already be a new owner's
    (its id reused): that result, whose owner is alive, stays."""
    while _gone:
        slot = _gone.pop()
        found = _kept.get(slot)
        if found is not None and any(held() is None for held in found[0]):
            del _kept[slot]
