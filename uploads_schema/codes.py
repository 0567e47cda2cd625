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
    """Fold several arrays of small non-negative-or-minus-one codes into one int64 key per row.

    Keys sort as the rows would sort by the columns in the order given.
    """
    return fold(codes)[0]


def fold(codes: list, limit: int = 1 << 62) -> tuple[np.ndarray, int]:
    """Return one int64 key per row and the number of keys possible (every key is below it).

    Whenever the next column would make more than ``limit`` keys possible, the keys
    so far are renumbered (their order kept): the combinations present are far
    fewer than those possible. The default only guards against overflow.
    """
    key = np.zeros(len(codes[0]), dtype=np.int64)
    domain = 1
    for c in codes:
        c = np.asarray(c)
        size = int(c.max(initial=0)) + 2
        if domain * size > limit and domain > 1:
            key, distinct = compact(key, domain)
            domain = len(distinct)
        # In place: a million rows are 8 MB a pass; and int64 first, as c + 1 alone could overflow a narrow c.
        key *= size
        key += c
        key += 1
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
    # Narrow columns first: the keys are renumbered later, if at all.
    key, domain = fold(sorted(codes, key=lambda c: int(np.max(c, initial=0))), limit)
    if domain > limit:
        key, distinct = compact(key, domain)
        domain = len(distinct)
    return np.bincount(key, minlength=domain)[key] > 1
