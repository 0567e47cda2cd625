"""Results kept for as long as the object they were worked out from: one mechanism for every such cache.

The engine's frames are rebuilt when the store changes, so a result keyed by the
identity of the frame (and checked to be that very frame) can never be stale.
A result being worked out is worked out once: a second caller of the same key (a
visitor arriving while the start-up warming draws the same page) waits for it
rather than doing the same work beside it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")
#: More results than this and the least recently used are dropped. A page of one body keeps one
#: comparison per body, year, peer group and metric asked for; a result is a few kilobytes to a few
#: megabytes (a year's quality flags of 5,000 bodies, a page's figures), so the bound keeps the
#: process's memory in hand.
MAX_ENTRIES = 256

_lock = threading.Lock()
_kept: dict[tuple[int, Hashable], tuple[object, object]] = {}
#: The keys being worked out now, each with the lock its builder holds.
_building: dict[tuple[int, Hashable], threading.Lock] = {}


def per_object(owner: object, key: Hashable, build: Callable[[], T]) -> T:
    """Return ``build()``, worked out once per ``owner`` object and ``key``."""
    slot = (id(owner), key)
    while True:
        with _lock:
            found = _kept.pop(slot, None)
            if found is not None and found[0] is owner:
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
            _kept[slot] = (owner, value)
        return value
    finally:
        with _lock:
            del _building[slot]
        busy.release()
