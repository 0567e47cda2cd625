"""Results kept for as long as the object they were worked out from: one mechanism for every such cache.

The engine's frames are rebuilt when the store changes, so a result keyed by the
identity of the frame (and checked to be that very frame) can never be stale.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")
#: More owners than this and the oldest results are dropped (a process serves one store).
MAX_ENTRIES = 64

_lock = threading.Lock()
_kept: dict[tuple[int, Hashable], tuple[object, object]] = {}


def per_object(owner: object, key: Hashable, build: Callable[[], T]) -> T:
    """Return ``build()``, worked out once per ``owner`` object and ``key``."""
    slot = (id(owner), key)
    with _lock:
        found = _kept.get(slot)
        if found is not None and found[0] is owner:
            return found[1]
    value = build()
    with _lock:
        if len(_kept) >= MAX_ENTRIES:
            _kept.pop(next(iter(_kept)))
        _kept[slot] = (owner, value)
    return value
