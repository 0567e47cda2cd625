"""Rules of the return that both the validator and the pandera model apply, each written once here.

The validator (:mod:`decarb_dashboard.checks`) calls them to say which rows of an upload break a
rule, with a message per row; :class:`uploads_schema.models.ReturnLines` calls them to refuse
lines that break one at a boundary. Each takes per-row arrays and returns a mask of the rows
that break the rule; what the vocabulary allows is decided once per distinct value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from uploads_schema.codes import duplicated
from uploads_schema.vocabulary import Vocabulary


def per_value(ids: Sequence[object], codes: np.ndarray, test: Callable[[object], bool],
              missing: bool = False) -> np.ndarray:
    """Return per row whether its value passes ``test``, asked once per distinct value (``ids[code]``).

    A row with code -1 (no value) gets ``missing``.
    """
    passed = np.array([bool(test(value)) for value in ids] + [missing], dtype=bool)  # the last slot: code -1
    return passed[codes]


def distinct_of(values: pd.Series) -> tuple[list, np.ndarray]:
    """Return a column's distinct values and, per row, the code of its value (-1 when missing)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return list(values.cat.categories), values.cat.codes.to_numpy()
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return list(uniques), codes


def may_be_negative(vocab: Vocabulary, category_id: object) -> bool:
    """Return whether a category's emissions may be below zero (Land's removals); an unknown one is not judged."""
    category = vocab.categories.get(str(category_id))
    return category is None or category.negative_allowed


def has_figures(vocab: Vocabulary, status_id: object) -> bool:
    """Return whether a line of this status carries figures (measured, estimated do; not reported does not)."""
    status = vocab.statuses.get(str(status_id))
    return status is None or status.has_figures


def negative_not_allowed(emissions_tco2e: np.ndarray, negative_allowed: np.ndarray) -> np.ndarray:
    """Return the rows whose emissions (tCO2e) are below zero where the category does not allow it."""
    return (emissions_tco2e < 0) & ~negative_allowed


def figures_against_status(anything_given: np.ndarray, figures_given: np.ndarray, status_known: np.ndarray,
                           status_has_figures: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (rows whose status has figures but that give nothing, rows whose status has none but give figures).

    ``anything_given`` counts any cell that holds something, even something wrong (reported by its
    own rule); ``figures_given`` counts emissions or activity figures. A row of no known status is
    judged by neither.
    """
    missing = status_known & status_has_figures & ~anything_given
    unexpected = status_known & ~status_has_figures & figures_given
    return missing, unexpected


def repeated_lines(key_codes: list[np.ndarray]) -> np.ndarray:
    """Return the rows whose line key (body, year, category, source, scope codes) occurs more than once."""
    return duplicated(key_codes)


# ---- the same rules over a frame of return lines (the pandera model's checks) --------------

def lines_negative_not_allowed(lines: pd.DataFrame, vocab: Vocabulary) -> np.ndarray:
    """Return the lines of ``lines`` whose emissions are negative outside a category that allows it."""
    ids, codes = distinct_of(lines["category"])
    allowed = per_value(ids, codes, lambda c: may_be_negative(vocab, c), missing=True)
    return negative_not_allowed(lines["emissions_tco2e"].to_numpy(dtype=float, na_value=np.nan), allowed)


def lines_figures_against_status(lines: pd.DataFrame, vocab: Vocabulary) -> np.ndarray:
    """Return the lines whose figures do not match their status (none on a reported line, some on another)."""
    given = (lines["emissions_tco2e"].notna() | lines["activity_amount"].notna()).to_numpy()
    ids, codes = distinct_of(lines["status"])
    missing, unexpected = figures_against_status(given, given, codes >= 0,
                                                 per_value(ids, codes, lambda s: has_figures(vocab, s)))
    return missing | unexpected
