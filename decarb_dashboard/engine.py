"""The engine: the data flow worked out once from the current lines.

current lines -> facts (:mod:`decarb_dashboard.normalise`) -> category table and metric values
(:mod:`decarb_dashboard.measures`). Every comparison, roll-up and page reads from an
:class:`Engine`; the ``decarb compare`` contract is :mod:`decarb_dashboard.compare`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from decarb_dashboard import measures
from decarb_dashboard.factors import load_factors
from decarb_dashboard.normalise import normalise
from decarb_dashboard.registry import load_registry
from decarb_dashboard.store import SubmissionStore


@dataclass
class Engine:
    """Everything the comparisons read, worked out once from the current lines."""

    registry: pd.DataFrame
    factors: pd.DataFrame
    facts: pd.DataFrame
    factor_warnings: pd.DataFrame
    categories: pd.DataFrame
    values: pd.DataFrame

    @classmethod
    def from_lines(cls, lines: pd.DataFrame, registry: pd.DataFrame, factors: pd.DataFrame) -> Engine:
        facts, warnings = normalise(lines, factors)
        categories = measures.category_table(facts)
        return cls(registry, factors, facts, warnings, categories, measures.metric_values(categories, registry))

    @functools.cached_property
    def values_without_supply_chain(self) -> pd.DataFrame:
        """Metric values with the spend-based supply chain left out (worked out when first asked for)."""
        return measures.metric_values(self.categories, self.registry, include_supply_chain=False)

    @classmethod
    def from_store(cls, store: SubmissionStore, accepted_only: bool = False) -> Engine:
        """The engine over the store's current lines (with ``accepted_only``, each body-year's newest accepted)."""
        return cls.over(store.current_lines(accepted_only=accepted_only), store.root)

    @classmethod
    def over(cls, lines: pd.DataFrame, data_dir: Path) -> Engine:
        """The engine over ``lines`` with the register and imported factors of the data directory ``data_dir``."""
        return cls.from_lines(lines, load_registry(data_dir), load_factors(data_dir))

    @classmethod
    def from_data_dir(cls, data_dir: Path) -> Engine:
        return cls.from_store(SubmissionStore(data_dir))

    def years(self) -> list[str]:
        return sorted(self.categories["reporting_year"].unique())
