"""Keys made of several columns of small integer codes.

A return's key (body, year, category, source, scope) is a handful of columns
with few distinct values each. Their codes fold into one integer per row, and
while the number of possible keys stays modest the distinct keys are found by
marking them in an array: no hashing, no sorting, a few passes over the rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Possible keys up to this many (or four per row) are compacted by marking them in an array.
DIRECT_DOMAIN = 1 << 22


def combine_codes(codes: list) -> np.ndarray:
    """Fold several arrays of small non-negative-or-minus-one codes into one int64 key per row."""
    key, _ = _fold(codes)
    return key


def _fold(codes: list) -> tuple[np.ndarray, int]:
    """Return one int64 key per row and the number of keys possible (the key is below it)."""
    key = np.zeros(len(codes[0]), dtype=np.int64)
    domain = 1
    for c in codes:
        c = np.asarray(c)
        size = int(c.max(initial=0)) + 2
        if domain * size >= 1 << 62:  # about to overflow: renumber the keys so far (their order kept)
            key, distinct = compact(key, domain)
            domain = len(distinct)
        key = key * size + c + 1  # int64 first: c + 1 alone could overflow a narrow c
        domain *= size
    return key, domain


def compact(key: np.ndarray, domain: int) -> tuple[np.ndarray, np.ndarray]:
    """Number the distinct keys 0..k-1 in key order.

    ``key`` holds non-negative integers below ``domain``. Returns (each row's
    number, the distinct keys in increasing order).
    """
    if domain <= max(DIRECT_DOMAIN, 4 * len(key)):
        present = np.zeros(domain, dtype=bool)
        present[key] = True
        distinct = np.flatnonzero(present)
        number = np.zeros(domain, dtype=np.int64)
        number[distinct] = np.arange(len(distinct))
        return number[key], distinct
    inverse, distinct = pd.factorize(key, sort=True)
    return inverse.astype(np.int64), np.asarray(distinct, dtype=np.int64)


def duplicated(codes: list) -> np.ndarray:
    """Return a mask of the rows whose combination of codes occurs more than once."""
    n = len(codes[0])
    if n == 0:
        return np.zeros(0, dtype=bool)
    limit = max(DIRECT_DOMAIN, 4 * n)
    columns = sorted(((int(c.max(initial=0)) + 2, np.asarray(c)) for c in codes), key=lambda sc: sc[0])
    key = np.zeros(n, dtype=np.int64)
    domain = 1
    # Narrow columns first, renumbering the keys whenever the next column would make too many possible:
    # the combinations present are far fewer than those possible. In place: a million rows are 8 MB a pass.
    for size, c in columns:
        if domain * size > limit and domain > 1:
            key, distinct = compact(key, domain)
            domain = len(distinct)
        key *= size
        key += c
        key += 1
        domain *= size
    if domain > limit:
        key, distinct = compact(key, domain)
        domain = len(distinct)
    return np.bincount(key, minlength=domain)[key] > 1
