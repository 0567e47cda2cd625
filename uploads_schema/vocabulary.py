"""The contract's vocabularies, loaded from the CSV files in ``vocabulary/``.

Categories (with their roles), sources (with the scope they imply and the units they
allow), units, statuses and methods are data, not code: a change to the reporting
scheme is an edit to a CSV file, and everything else (validation, templates,
documentation) follows from it. So are the comparisons' vocabularies: the metrics
(``metrics.csv``), peer groups, submission statuses and the review cycle's moves between them
(``review_transitions.csv``), body types, regions, and which council areas make up each health
board's area (``health_board_areas.csv``, by ONS code: ONS's "Local Authority District to Local
Health Board (April 2019) Lookup in Wales", unchanged since Bridgend joined Cwm Taf Morgannwg). Their
names on screen are the dashboard's translation keys (``metric_<id>``, ``unit_<id>``,
``peer_<id>``, ``type_<id>``, ``region_<key>``, ``review_<id>``).
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
#: The roles a category may have (``categories.csv`` ``role``): ``buildings``, the category the
#: per-m2 metric covers; ``spend_based``, estimated from spend (supply chain), left out on
#: request because it moves with prices; ``land``, which may be negative and is left out of
#: gross totals. Each role belongs to one category at most.
CATEGORY_ROLES = ("buildings", "spend_based", "land")


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split(_LIST_SEP) if part.strip())


def _read(name: str) -> list[dict[str, str]]:
    return _rows(resources.files("uploads_schema").joinpath(f"vocabulary/{name}").read_text("utf-8"))


def _rows(text: str) -> list[dict[str, str]]:
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
    role: str = ""


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
    in_restatement: bool = False


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
    estimated: bool = False


@dataclass(frozen=True)
class Metric:
    """A comparison measure: total emissions or an intensity over a register column.

    ``key`` is its JSON key with its unit; ``denominator`` the register column it divides by
    (None for the total) and ``denominator_en``/``denominator_cy`` that figure's name for
    users; ``scale`` multiplies the numerator (1000 for kgCO2e); ``category_role`` names the
    one category the numerator covers (``buildings``), or is blank for the whole total.
    """

    id: str
    key: str
    denominator: str | None
    denominator_en: str
    denominator_cy: str
    scale: float
    category_role: str

    def denominator_name(self, lang: str = "en") -> str:
        """Return the name of the figure divided by, in ``lang``."""
        return localised(self, "denominator", lang)


@dataclass(frozen=True)
class PeerGroup:
    """A kind of peer group: bodies sharing the value of ``registry_column`` (true, for a flag)."""

    id: str
    registry_column: str


@dataclass(frozen=True)
class SubmissionStatus:
    """A stored submission's status: ``initial`` when first stored; ``reviewer_may_set`` by a decision."""

    id: str
    initial: bool
    reviewer_may_set: bool


#: Who may make a review transition (``review_transitions.csv`` ``who``).
TRANSITION_ROLES = ("reviewer", "submitter")


@dataclass(frozen=True)
class ReviewTransition:
    """A move of the review cycle: ``action`` takes a submission from ``from_status`` to ``to_status``.

    ``who`` may make it (a reviewer, or a submitter of the body); ``message_required`` says
    whether it needs a message (a query, a reopening, a reply); ``event`` is what is announced.
    """

    from_status: str
    action: str
    to_status: str
    who: str
    message_required: bool
    event: str


@dataclass(frozen=True)
class Region:
    """A region of Wales: its register value (``id``, English) and its translation ``key``."""

    id: str
    key: str


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
                role=r.get("role", ""),
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
                in_restatement=r.get("in_restatement") == "yes",
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
                estimated=r.get("estimated") == "yes",
            )
            for r in _read("statuses.csv")
        }
        self.methods: dict[str, Term] = {
            r["id"]: Term(
                id=r["id"], name_en=r["name_en"], name_cy=r["name_cy"], aliases=_split(r["aliases"])
            )
            for r in _read("methods.csv")
        }
        self.metrics: dict[str, Metric] = {
            r["id"]: Metric(id=r["id"], key=r["key"], denominator=r["denominator"] or None,
                            denominator_en=r["denominator_en"], denominator_cy=r["denominator_cy"],
                            scale=float(r["scale"]), category_role=r["category_role"])
            for r in _read("metrics.csv")
        }
        self.peer_groups: dict[str, PeerGroup] = {
            r["id"]: PeerGroup(id=r["id"], registry_column=r["registry_column"]) for r in _read("peer_groups.csv")
        }
        self.submission_statuses: dict[str, SubmissionStatus] = {
            r["id"]: SubmissionStatus(id=r["id"], initial=r["initial"] == "yes",
                                      reviewer_may_set=r["reviewer_may_set"] == "yes")
            for r in _read("submission_statuses.csv")
        }
        self.review_transitions: tuple[ReviewTransition, ...] = tuple(
            ReviewTransition(from_status=r["from_status"], action=r["action"], to_status=r["to_status"],
                             who=r["who"], message_required=r["message_required"] == "yes", event=r["event"])
            for r in _read("review_transitions.csv"))
        self._check_transitions()
        self.body_types: tuple[str, ...] = tuple(r["id"] for r in _read("body_types.csv"))
        self.regions: dict[str, Region] = {r["id"]: Region(id=r["id"], key=r["key"]) for r in _read("regions.csv")}
        #: {council ONS code: ONS code of the health board whose area holds it}.
        self.health_board_areas: dict[str, str] = {
            r["council_ons_code"]: r["health_board_ons_code"] for r in _read("health_board_areas.csv")}
        self._check_roles()
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

    def _check_roles(self) -> None:
        for role in CATEGORY_ROLES:
            if sum(c.role == role for c in self.categories.values()) > 1:
                raise ValueError(f"categories.csv: more than one category has role {role}")
        unknown = {c.role for c in self.categories.values()} - {"", *CATEGORY_ROLES}
        if unknown:
            raise ValueError(f"categories.csv: unknown roles {sorted(unknown)}; use {', '.join(CATEGORY_ROLES)}")
        for m in self.metrics.values():
            if m.category_role and m.category_role not in CATEGORY_ROLES:
                raise ValueError(f"metrics.csv: {m.id} covers unknown role {m.category_role}")

    def _check_transitions(self) -> None:
        for t in self.review_transitions:
            unknown = {t.from_status, t.to_status} - set(self.submission_statuses)
            if unknown:
                raise ValueError(f"review_transitions.csv: {t.action} names unknown statuses {sorted(unknown)}")
            if t.who not in TRANSITION_ROLES:
                raise ValueError(f"review_transitions.csv: {t.action} is for {t.who!r}; use one of "
                                 f"{', '.join(TRANSITION_ROLES)}")

    def review_actions(self) -> tuple[str, ...]:
        """Return the review cycle's actions (accept, query ...), in file order, each once."""
        return tuple(dict.fromkeys(t.action for t in self.review_transitions))

    def category_with_role(self, role: str) -> str | None:
        """Return the id of the category with ``role`` (one of :data:`CATEGORY_ROLES`), or None."""
        return next((c.id for c in self.categories.values() if c.role == role), None)

    def estimated_statuses(self) -> tuple[str, ...]:
        """Return the line statuses whose figures are estimates (estimated, gap-filled)."""
        return tuple(s.id for s in self.statuses.values() if s.estimated)

    def restatement_sources(self) -> set[tuple[str, str]]:
        """Return the (category, source) pairs that restatement recomputes at the baseline's factors."""
        return {key for key, s in self.sources.items() if s.in_restatement}

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


def _index(terms) -> LabelIndex:
    return LabelIndex((t.id, t.name_en, t.labels) for t in terms)


@functools.cache
def vocabulary() -> Vocabulary:
    """Return the contract's vocabulary (loaded once per process)."""
    return Vocabulary()
