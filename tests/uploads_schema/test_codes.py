"""Keys folded from columns of codes: duplicates and distinct combinations, worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from decarb_dashboard.cells import pair
from uploads_schema import codes
from uploads_schema.codes import combine_codes, compact, duplicated


def test_duplicated_marks_every_copy_of_a_repeated_combination():
    body = np.array([0, 0, 1, 1, -1, -1, 0])
    year = np.array([2, 2, 2, 3, -1, -1, 3])
    # rows 0 and 1 are (0, 2); rows 4 and 5 are both missing in both columns; the rest are unique
    assert duplicated([body, year]).tolist() == [True, True, False, False, True, True, False]


def test_duplicated_of_nothing_is_nothing():
    assert duplicated([np.array([], dtype=np.int64)]).tolist() == []


def test_compact_numbers_the_keys_in_order():
    inverse, distinct = compact(np.array([5, 3, 5, 9]), 10)
    assert inverse.tolist() == [1, 0, 1, 2]
    assert distinct.tolist() == [3, 5, 9]


def test_compact_by_hashing_when_the_keys_are_too_many_to_mark(monkeypatch):
    monkeypatch.setattr(codes, "DIRECT_DOMAIN", 4)
    inverse, distinct = compact(np.array([5_000_000_000, 3, 5_000_000_000, 9]), 10_000_000_000)
    assert inverse.tolist() == [2, 0, 2, 1]
    assert distinct.tolist() == [3, 9, 5_000_000_000]


@pytest.mark.parametrize("direct_domain", [codes.DIRECT_DOMAIN, 16])
def test_duplicated_agrees_with_pandas_on_wide_keys(monkeypatch, direct_domain):
    # Five columns of up to 5,000 codes: 5,000^5 possible keys, far more than can be marked in an array,
    # so the keys are renumbered as the columns are folded in (and, with a tiny limit, by hashing).
    monkeypatch.setattr(codes, "DIRECT_DOMAIN", direct_domain)
    rng = np.random.default_rng(7)
    columns = [rng.integers(-1, high, 20_000) for high in (5_000, 3, 5_000, 40, 5_000)]
    columns = [np.concatenate([c, c[:500]]) for c in columns]  # 500 certain repeats
    expected = pd.DataFrame(dict(enumerate(columns))).duplicated(keep=False).to_numpy()
    assert expected.sum() >= 1_000
    assert (duplicated(columns) == expected).all()


def test_narrow_codes_do_not_overflow():
    # int8 codes of 126 and 127: adding one in int8 would wrap round to -128 and merge keys.
    a = np.array([126, 127, 127], dtype=np.int8)
    b = np.array([127, 126, 127], dtype=np.int8)
    assert duplicated([a, b]).tolist() == [False, False, False]
    assert len(set(combine_codes([a, b]).tolist())) == 3
    inverse, a_codes, b_codes = pair(a, b)
    assert sorted(zip(a_codes.tolist(), b_codes.tolist(), strict=True)) == [(126, 127), (127, 126), (127, 127)]
    assert len(set(inverse.tolist())) == 3
