"""Match the names people type (English or Welsh, official, short, an ONS code) to the register's bodies."""

from __future__ import annotations

import re

import pandas as pd

from decarb_dashboard.memo import per_object
from uploads_schema.i18n import localised
from uploads_schema.labels import LabelIndex, normalise_label

# Words around a body's name that people add or leave out. A suffix that names
# a kind of body also narrows the match to bodies of that type, so that
# "Powys Health Board" finds the health board, not Powys County Council.
_SUFFIXES: list[tuple[str, str | None]] = [
    ("county borough council", "council"),
    ("county council", "council"),
    ("city council", "council"),
    ("borough council", "council"),
    ("council", "council"),
    ("cbc", "council"),
    ("university teaching health board", "health_board"),
    ("university health board", "health_board"),
    ("teaching health board", "health_board"),
    ("health board", "health_board"),
    ("uhb", "health_board"),
    ("university nhs trust", "nhs_trust"),
    ("nhs trust", "nhs_trust"),
    ("fire and rescue authority", "fire_rescue_authority"),
    ("fire and rescue service", "fire_rescue_authority"),
    ("fire authority", "fire_rescue_authority"),
    ("national park authority", "national_park_authority"),
    ("national park", "national_park_authority"),
]
_PREFIXES: list[tuple[str, str | None]] = [
    ("the", None),
    ("city and county of", "council"),
    ("city of", "council"),
    ("cyngor bwrdeistref sirol", "council"),
    ("cyngor dinas a sir", "council"),
    ("cyngor dinas", "council"),
    ("cyngor sir", "council"),
    ("cyngor", "council"),
    ("bwrdd iechyd prifysgol", "health_board"),
    ("bwrdd iechyd addysgu", "health_board"),
    ("bwrdd iechyd", "health_board"),
    ("ymddiriedolaeth gig prifysgol", "nhs_trust"),
    ("ymddiriedolaeth gig", "nhs_trust"),
    ("awdurdod tan ac achub", "fire_rescue_authority"),
    ("awdurdod parc cenedlaethol", "national_park_authority"),
    ("parc cenedlaethol", "national_park_authority"),
]


def strip_kind(text: object) -> tuple[str, str | None]:
    """Return a name without the words that say what kind of body it is, and that kind.

    ``"Cardiff County Council"`` -> ``("cardiff", "council")``.
    """
    key = normalise_label(text)
    kind: str | None = None
    changed = True
    while changed:
        changed = False
        for suffix, suffix_kind in _SUFFIXES:
            if key.endswith(" " + suffix):
                key, kind, changed = key[: -len(suffix) - 1], kind or suffix_kind, True
        for prefix, prefix_kind in _PREFIXES:
            if key.startswith(prefix + " "):
                key, kind, changed = key[len(prefix) + 1 :], kind or prefix_kind, True
    return key, kind


_SPLIT = re.compile(r"\s*\|\s*")


class OrganisationMatcher:
    """Finds the body a typed name means: id, ONS code, English or Welsh name, short or official."""

    def __init__(self, registry: pd.DataFrame) -> None:
        self.registry = registry.set_index("id", drop=False)
        self._labels: dict[str, list[str]] = {}
        # Whole columns as lists: walking a frame row by row costs more than the rest of the matcher.
        column = {name: registry[name].tolist() for name in ("id", "name_en", "name_cy", "short_name_en",
                                                             "short_name_cy", "ons_code", "aliases", "type")}
        self._names = {name: dict(zip(column["id"], column[name], strict=True))
                       for name in ("name_en", "name_cy", "short_name_en", "short_name_cy", "type")}
        for id_, en, cy, short_en, short_cy, ons_code, aliases, _ in zip(*column.values(), strict=True):
            labels = [id_, en, cy, short_en, short_cy]
            if isinstance(ons_code, str):
                labels.append(ons_code)
            if isinstance(aliases, str):
                labels.extend(_SPLIT.split(aliases))
            self._labels[id_] = labels
        self._exact = LabelIndex((id_, self._names["name_en"][id_], labels) for id_, labels in self._labels.items())
        self._by_kind_index: dict[str, LabelIndex] | None = None

    @property
    def _by_kind(self) -> dict[str, LabelIndex]:
        # Built on first need: most uploads name bodies exactly.
        if self._by_kind_index is None:
            entries: dict[str, list[tuple[str, str, list[str]]]] = {}
            for id_, labels in self._labels.items():
                entries.setdefault(self._names["type"][id_], []).append(
                    (id_, self._names["name_en"][id_], [strip_kind(label)[0] for label in labels]))
            self._by_kind_index = {kind: LabelIndex(e) for kind, e in entries.items()}
        return self._by_kind_index

    def resolve(self, text: object) -> str | None:
        """Return the registry id of the body ``text`` names, or None."""
        found = self._exact.resolve(text)
        if found:
            return found
        core, kind = strip_kind(text)
        found = self._exact.resolve(core)
        if found and (kind is None or self._names["type"][found] == kind):
            return found
        if kind in self._by_kind:
            return self._by_kind[kind].resolve(core)
        return None

    def suggest(self, text: object) -> str | None:
        """Return the English name of the body nearest to ``text``, or None."""
        return self._exact.suggest(text) or self._exact.suggest(strip_kind(text)[0])

    def suggest_id(self, text: object) -> str | None:
        """Return the register id of the body nearest to ``text`` (to name it in any language), or None."""
        return self._exact.suggest_id(text) or self._exact.suggest_id(strip_kind(text)[0])

    def example_name(self, lang: str = "en") -> str:
        """Return a body's name in ``lang`` to show in an example: Cardiff Council when registered."""
        body = "cardiff" if "cardiff" in self._names["name_en"] else next(iter(self._names["name_en"]))
        return self.name(str(body), lang)

    def name(self, body_id: str, lang: str = "en", short: bool = False) -> str:
        """Return a body's name in ``lang``; ``short`` for the form people use day to day."""
        field = "short_name" if short else "name"
        return str(localised({column: names[body_id] for column, names in self._names.items()}, field, lang))


def matcher_for(registry: pd.DataFrame) -> OrganisationMatcher:
    """Return the matcher of a register, built once per register object."""
    return per_object(registry, "matcher", lambda: OrganisationMatcher(registry))
