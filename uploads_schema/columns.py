"""The column declaration of the annual return, loaded from ``columns.toml``."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from importlib import resources

from uploads_schema.i18n import localised
from uploads_schema.labels import normalise_label


@dataclass(frozen=True)
class ColumnSpec:
    """One column of the return as declared in ``columns.toml``."""

    name: str
    kind: str
    required: str
    aliases: tuple[str, ...]
    example: str
    description_en: str
    description_cy: str
    vocabulary: str | None = None
    units: str | None = None
    header_cy: str | None = None
    label_en: str = ""
    label_cy: str = ""

    @property
    def header_en(self) -> str:
        return self.name

    def description(self, lang: str = "en") -> str:
        """Return the column's description in ``lang``."""
        return localised(self, "description", lang)

    def label(self, lang: str = "en") -> str:
        """Return the column's name in plain words in ``lang`` ("unit of the activity amount"), never its code."""
        return localised(self, "label", lang)

    def header(self, lang: str = "en") -> str:
        """Return the column's header in ``lang``, as a message names it ("category"; "categori" in Welsh)."""
        return localised(self, "header", lang)


@functools.cache
def columns() -> tuple[ColumnSpec, ...]:
    """Return the declared columns of the return, in template order."""
    return tuple(
        ColumnSpec(
            name=c["name"],
            kind=c["kind"],
            required=c["required"],
            aliases=tuple(c.get("aliases", ())),
            example=c["example"],
            description_en=c["description_en"],
            description_cy=c["description_cy"],
            vocabulary=c.get("vocabulary"),
            units=c.get("units"),
            header_cy=c.get("header_cy"),
            label_en=c["label_en"],
            label_cy=c["label_cy"],
        )
        for c in _raw()["column"]
    )


@functools.cache
def _raw() -> dict:
    return tomllib.loads(resources.files("uploads_schema").joinpath("columns.toml").read_text("utf-8"))


@dataclass(frozen=True)
class EmissionsUnit:
    """A unit emissions may be given in, and how it becomes tonnes CO2e (``to_tonnes``: tCO2e per unit)."""

    id: str
    to_tonnes: float
    spellings: tuple[str, ...]
    conversion_en: str
    conversion_cy: str


@functools.cache
def emissions_units() -> dict[str, EmissionsUnit]:
    """Return the units emissions may be given in (``columns.toml``), by id; "tCO2e" is the return's own."""
    return {u["id"]: EmissionsUnit(u["id"], float(u["to_tonnes"]), tuple(u["spellings"]), u["conversion_en"],
                                   u["conversion_cy"]) for u in _raw()["emissions_unit"]}


@functools.cache
def _unit_spellings() -> tuple[tuple[str, EmissionsUnit], ...]:
    """Every spelling of an emissions unit (normalised), longest first: "kg co2e" before "co2e"-like endings."""
    pairs = {normalise_label(s): u for u in emissions_units().values() for s in (u.id, *u.spellings)}
    return tuple(sorted(pairs.items(), key=lambda p: -len(p[0])))


def emissions_unit(text: object) -> EmissionsUnit | None:
    """Return the emissions unit a cell names ("kg CO2e", "ktCO2e"), or None."""
    key = normalise_label(text)
    return next((u for spelling, u in _unit_spellings() if spelling == key), None)


def split_emissions_unit(text: object) -> tuple[str, EmissionsUnit | None]:
    """Return (the normalised words of a header before the emissions unit it ends in, that unit).

    ``"Emissions (kg CO2e)"`` -> ``("emissions", kgCO2e)``; ``"ktCO2e"`` -> ``("", ktCO2e)``;
    a header with no unit at its end -> ``(its normalised words, None)``.
    """
    key = normalise_label(text)
    for spelling, unit in _unit_spellings():
        if key == spelling:
            return "", unit
        if key.endswith(" " + spelling):
            return key[: -len(spelling) - 1], unit
    return key, None


def header_unit(text: object) -> EmissionsUnit | None:
    """Return the emissions unit a header of the emissions column names, or None when it names none."""
    if match_header(text) != "emissions_tco2e":
        return None
    return split_emissions_unit(text)[1]


def column(name: str) -> ColumnSpec:
    """Return the declared column called ``name``."""
    return next(c for c in columns() if c.name == name)


def column_names() -> tuple[str, ...]:
    """Return the header names of the return, in template order."""
    return tuple(c.name for c in columns())


@functools.cache
def header_index() -> dict[str, str]:
    """Map every accepted header spelling (normalised) to its column name."""
    index: dict[str, str] = {}
    for c in columns():
        for label in (c.name, c.name.replace("_", " "), *([c.header_cy] if c.header_cy else []), *c.aliases):
            index[normalise_label(label)] = c.name
    return index


def match_header(text: object) -> str | None:
    """Return the column name a header cell means, or None if it is not a return column.

    A column declared with ``units`` is also named by one of its spellings followed by an
    emissions unit, or by the unit alone ("Emissions (kg CO2e)", "tonnes CO2e").
    """
    key = normalise_label(text)
    name = header_index().get(key)
    if name is not None:
        return name
    words, unit = split_emissions_unit(key)
    if unit is None:
        return None
    name = header_index().get(words) if words else _unit_column()
    return name if name is not None and column(name).units == "emissions" else None


@functools.cache
def _unit_column() -> str | None:
    """Return the column a bare emissions unit heads."""
    return next((c.name for c in columns() if c.units == "emissions"), None)
