"""The contract's vocabularies, loaded from the CSV files in ``vocabulary/``.

Categories, sources (with the scope they imply and the units they allow),
units, statuses and methods are data, not code: a change to the reporting
scheme is an edit to a CSV file, and everything else (validation, templates,
documentation) follows from it.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from importlib import resources

from uploads_schema.i18n import localised
from uploads_schema.labels import LabelIndex

_LIST_SEP = "|"
#: How a source's line counts: ``direct`` emissions; ``wtt`` (well-to-tank) and ``td`` (electricity
#: transmission and distribution losses), scope 3 streams of their own beside the fuel or
#: electricity they belong to (never a breakdown of it); ``memo``, recorded but never emissions
#: (renewable generation: never netted off).
STREAMS = ("direct", "wtt", "td", "memo")


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split(_LIST_SEP) if part.strip())


def _read(name: str) -> list[dict[str, str]]:
    text = resources.files("uploads_schema").joinpath(f"vocabulary/{name}").read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


@dataclass(frozen=True)
class Term:
    """A vocabulary term: a stable id, its English and Welsh names and other spellings."""

    id: str
    name_en: str
    name_cy: str
    aliases: tuple[str, ...]

    def name(self, lang: str = "en") -> str:
        """Return the term's name in ``lang`` (English where the vocabulary has no column for ``lang``)."""
        return localised(self, "name", lang)

    @property
    def labels(self) -> tuple[str, ...]:
        return (self.id, self.name_en, self.name_cy, *self.aliases)


@dataclass(frozen=True)
class Category(Term):
    """A reporting category (Buildings, Fleet, ...)."""

    scopes: tuple[int, ...]
    negative_allowed: bool
    required_from: str
    order: int


@dataclass(frozen=True)
class Source(Term):
    """A source within a category (natural gas within Buildings), with its implied scope and units.

    ``stream`` is one of :data:`STREAMS`. A source with no units (a category's well-to-tank
    lines together) takes a figure only: its activity would be of several fuels at once.
    """

    category: str
    scope: int
    units: tuple[str, ...]
    method: str
    stream: str = "direct"


@dataclass(frozen=True)
class Unit(Term):
    """A unit of activity and how to convert it to its canonical unit."""

    quantity: str
    canonical: str
    to_canonical: float


@dataclass(frozen=True)
class Status(Term):
    """A data-quality status. ``has_figures`` is False for not reported / not applicable."""

    has_figures: bool
    number_cell_tokens: tuple[str, ...]


class Vocabulary:
    """All vocabularies of the contract, with label indexes for matching typed text."""

    def __init__(self) -> None:
        self.categories: dict[str, Category] = {
            r["id"]: Category(
                id=r["id"],
                name_en=r["name_en"],
                name_cy=r["name_cy"],
                aliases=_split(r["aliases"]),
                scopes=tuple(int(s) for s in _split(r["scopes"])),
                negative_allowed=r["negative_allowed"] == "yes",
                required_from=r["required_from"],
                order=int(r["order"]),
            )
            for r in _read("categories.csv")
        }
        self.units: dict[str, Unit] = {
            r["id"]: Unit(
                id=r["id"],
                name_en=r["name_en"],
                name_cy=r["name_cy"],
                aliases=_split(r["aliases"]),
                quantity=r["quantity"],
                canonical=r["canonical"],
                to_canonical=float(r["to_canonical"]),
            )
            for r in _read("units.csv")
        }
        self.sources: dict[tuple[str, str], Source] = {}
        for r in _read("sources.csv"):
            source = Source(
                id=r["id"],
                name_en=r["name_en"],
                name_cy=r["name_cy"],
                aliases=_split(r["aliases"]),
                category=r["category"],
                scope=int(r["scope"]),
                units=_split(r["units"]),
                method=r["method"],
                stream=r.get("stream") or "direct",
            )
            self._check_source(source)
            self.sources[(source.category, source.id)] = source
        self.statuses: dict[str, Status] = {
            r["id"]: Status(
                id=r["id"],
                name_en=r["name_en"],
                name_cy=r["name_cy"],
                aliases=_split(r["aliases"]),
                has_figures=r["has_figures"] == "yes",
                number_cell_tokens=_split(r["number_cell_tokens"]),
            )
            for r in _read("statuses.csv")
        }
        self.methods: dict[str, Term] = {
            r["id"]: Term(
                id=r["id"], name_en=r["name_en"], name_cy=r["name_cy"], aliases=_split(r["aliases"])
            )
            for r in _read("methods.csv")
        }
        self.category_index = _index(self.categories.values())
        self.unit_index = _index(self.units.values())
        self.status_index = _index(self.statuses.values())
        self.method_index = _index(self.methods.values())
        self.source_index = {
            cat: _index(s for s in self.sources.values() if s.category == cat)
            for cat in self.categories
        }

    def _check_source(self, source: Source) -> None:
        category = self.categories.get(source.category)
        if category is None:
            raise ValueError(f"sources.csv: {source.id} names unknown category {source.category}")
        if source.scope not in category.scopes:
            raise ValueError(f"sources.csv: {source.id} has scope {source.scope}, not in {category.id}")
        if source.stream not in STREAMS:
            raise ValueError(f"sources.csv: {source.category}/{source.id} has stream {source.stream}, "
                             f"not one of {', '.join(STREAMS)}")
        unknown = [u for u in source.units if u not in self.units]
        if unknown:
            raise ValueError(f"sources.csv: {source.category}/{source.id} has unknown units {unknown}")

    def sources_of(self, category: str) -> list[Source]:
        """Return the sources of a category, in file order."""
        return [s for s in self.sources.values() if s.category == category]

    def units_of_category(self, category: str) -> tuple[str, ...]:
        """Return every unit allowed for some source of ``category``, in units.csv order."""
        allowed = {u for s in self.sources_of(category) for u in s.units}
        return tuple(u for u in self.units if u in allowed)

    def ordered_categories(self) -> list[Category]:
        """Return the categories in reporting order."""
        return sorted(self.categories.values(), key=lambda c: c.order)

    def status_tokens(self) -> dict[str, str]:
        """Map text a user may put in a number cell ("N/A", "-") to the status it means."""
        return {
            token.casefold(): status.id
            for status in self.statuses.values()
            for token in status.number_cell_tokens
        }


def _index(terms) -> LabelIndex:  # type: ignore[no-untyped-def]
    return LabelIndex((t.id, t.name_en, t.labels) for t in terms)


@functools.cache
def vocabulary() -> Vocabulary:
    """Return the contract's vocabulary (loaded once per process)."""
    return Vocabulary()
