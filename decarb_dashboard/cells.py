"""Columns of a return as codes into their distinct values.

A return has few distinct categories, units, years or bodies, however many
lines it has. Every rule is therefore applied once per distinct value and
spread to the rows with numpy, which keeps a million-line check close to the
cost of reading the file.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from decarb_dashboard.memo import per_object
from uploads_schema.codes import compact


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value) or (
        isinstance(value, str) and not value.strip())


def spread(per_distinct: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Return, per row, the flag of the row's distinct value (``codes`` may hold -1: not flagged).

    When no distinct value is flagged the rows are not visited at all: a clean
    million-line return costs nothing here.
    """
    if not per_distinct.any():
        return np.zeros(len(codes), dtype=bool)
    return np.append(per_distinct, False)[codes]


def strings(values: pd.Series) -> np.ndarray:
    """Return ``values`` as ``values.astype(str)`` gives them (NaN where missing), as an object array: a
    categorical's names converted once each and spread by its codes, not row by row (at 5,000 bodies the
    conversion of each row took a third of a comparison's first answer on a new engine)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        names = np.append(_names(values.cat.categories), np.nan)
        return names[values.cat.codes.to_numpy()]  # code -1, a missing value, picks the NaN at the end
    return values.astype(str).to_numpy(dtype=object)


def _names(categories: pd.Index) -> np.ndarray:
    """A categorical's names as an object array of str, converted at once (iterating an Index of pandas' Arrow
    strings costs a microsecond a name: 5,000 bodies' names, a dozen times a page)."""
    return categories.astype(str).to_numpy(dtype=object)


def distinct_strings(values: pd.Series) -> list[str]:
    """Return the distinct values of ``values`` present (missing ones left out) as str, in no set order: a
    categorical's from the codes it uses, never a row's value converted (a year's bodies at 5,000 bodies x 10
    years, 370,000 rows, took 0.39 s row by row)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = np.unique(values.cat.codes.to_numpy())
        return _names(values.cat.categories[codes[codes >= 0]]).tolist()
    return [str(v) for v in pd.unique(values.dropna())]


@dataclass
class Cells:
    """A column as typed: ``codes`` index ``uniques`` (its distinct non-blank values); -1 is a blank cell."""

    codes: np.ndarray
    uniques: list

    @classmethod
    def of(cls, frame: pd.DataFrame, name: str) -> Cells:
        """Return the cells of column ``name`` (all blank when the column is absent)."""
        if name not in frame.columns:
            return cls(np.full(len(frame), -1, dtype=np.int64), [])
        values = frame[name]
        if isinstance(values.dtype, pd.CategoricalDtype):
            codes = values.cat.codes.to_numpy()  # int8 to int32: arithmetic on codes widens them first
            uniques = list(values.cat.categories)
        else:
            codes, found = pd.factorize(values, use_na_sentinel=True)
            codes, uniques = codes.astype(np.int64), list(found)
        blank = [k for k, u in enumerate(uniques) if _blank(u)]
        if blank:
            codes = np.where(np.isin(codes, blank), -1, codes)
        return cls(codes, uniques)

    def __len__(self) -> int:
        return len(self.codes)

    @functools.cached_property
    def blank(self) -> np.ndarray:
        """Return a mask of the blank cells (worked out once: the codes of a column never change)."""
        return self.codes < 0

    def at(self, i: int) -> object:
        """Return the cell of row position ``i`` as typed, or None when blank."""
        code = self.codes[i]
        return None if code < 0 else self.uniques[code]

    def resolve(self, fn: Callable[[object], str | None]) -> tuple[Terms, np.ndarray]:
        """Apply ``fn`` to each distinct value; return the ids per row and a mask of the rows it did not resolve.

        Blank cells are neither resolved nor in the mask (they have rules of their own).
        """
        resolved = [fn(u) for u in self.uniques]
        return Terms.from_distinct(resolved, self.codes), self.where([r is None for r in resolved])

    def where(self, per_unique: Sequence[bool]) -> np.ndarray:
        """Return a mask of the rows whose value is flagged in ``per_unique`` (one flag per distinct value)."""
        return spread(np.asarray(per_unique, dtype=bool).reshape(-1), self.codes)


@dataclass
class Terms:
    """Per-row ids from a short list: ``codes`` (int8 to int32) index ``ids``; -1 means none (blank or unresolved)."""

    codes: np.ndarray
    ids: list

    @classmethod
    def from_distinct(cls, resolved: Sequence[object], codes: np.ndarray) -> Terms:
        """Build from the id of each distinct cell value (None when it did not resolve) and the cell codes."""
        ids: list = []
        index: dict[object, int] = {}
        mapping = np.full(len(resolved) + 1, -1, dtype=np.int32)  # the extra slot maps code -1
        for k, term in enumerate(resolved):
            if term is None:
                continue
            if term not in index:
                index[term] = len(ids)
                ids.append(term)
            mapping[k] = index[term]
        if len(ids) == len(resolved) and codes.dtype.itemsize <= 4:
            # Each distinct value is a distinct id, in the same order (a clean column): the codes already are ids.
            return cls(codes, ids)
        return cls(mapping[codes], ids)

    @classmethod
    def empty(cls, n: int) -> Terms:
        return cls(np.full(n, -1, dtype=np.int32), [])

    @property
    def missing(self) -> np.ndarray:
        return self.codes < 0

    def at(self, i: int) -> object:
        code = self.codes[i]
        return None if code < 0 else self.ids[code]

    def assign(self, mask: np.ndarray, term: object) -> None:
        """Set the id of the rows in ``mask`` to ``term``."""
        if not mask.any():
            return
        if term not in self.ids:
            self.ids.append(term)
        self.codes = np.where(mask, np.int32(self.ids.index(term)), self.codes)  # int32: codes may be narrower

    def drop(self, mask: np.ndarray) -> None:
        """Make the rows in ``mask`` missing."""
        if mask.any():
            self.codes = np.where(mask, -1, self.codes)

    def where(self, test: Callable[[object], bool]) -> np.ndarray:
        """Return a mask of the rows whose id passes ``test`` (asked once per id; missing rows never pass)."""
        return spread(np.array([bool(test(t)) for t in self.ids], dtype=bool), self.codes)

    def is_(self, term: object) -> np.ndarray:
        """Return a mask of the rows whose id is ``term``."""
        return self.codes == self.ids.index(term) if term in self.ids else np.zeros(len(self.codes), bool)

    def categorical(self) -> pd.Categorical:
        """Return the ids as a pandas Categorical (missing as NaN)."""
        dtype = pd.CategoricalDtype(pd.Index(self.ids, dtype=object))
        smallest = np.int8 if len(self.ids) < 127 else np.int16 if len(self.ids) < 32767 else np.int32
        return pd.Categorical.from_codes(self.codes.astype(smallest), dtype=dtype, validate=False)


def pair(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Index the distinct pairs of two code arrays (-1 allowed in either).

    Returns (per-row index into the distinct pairs, the pairs' ``a`` codes, their ``b`` codes).
    """
    size = int(b.max(initial=-1)) + 2
    key = a.astype(np.int64)  # in place from here: each pass over a million rows is 8 MB
    key += 1
    key *= size
    key += b
    key += 1
    inverse, distinct = compact(key, (int(a.max(initial=-1)) + 2) * size)
    return inverse, distinct // size - 1, distinct % size - 1


def rows_where(frame: pd.DataFrame, **equal: str) -> pd.DataFrame:
    """The rows of ``frame`` whose columns hold the given values (``metric="total", reporting_year="2022-23"``), in
    the frame's order, found through the frame's rows grouped by those columns (worked out once per frame) rather
    than by comparing every row: at 5,000 bodies x 10 years the engine's metric values are a million rows, and a page
    picks a year's or a metric's out of them dozens of times."""
    columns = tuple(sorted(equal))
    groups = per_object(frame, ("rows by", columns), lambda: frame.groupby(
        list(columns), observed=True, sort=False).indices)
    found = groups.get(tuple(equal[c] for c in columns) if len(columns) > 1 else equal[columns[0]])
    return frame.iloc[found] if found is not None else frame.iloc[:0]
