"""The column declaration of the annual return, loaded from ``columns.toml``."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from importlib import resources

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

    def description(self, lang: str = "en") -> str:
        """Return the column's description in ``lang``."""
        return self.description_cy if lang == "cy" else self.description_en


@functools.cache
def columns() -> tuple[ColumnSpec, ...]:
    """Return the declared columns of the return, in template order."""
    raw = tomllib.loads(resources.files("uploads_schema").joinpath("columns.toml").read_text("utf-8"))
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
        )
        for c in raw["column"]
    )


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
        for label in (c.name, c.name.replace("_", " "), *c.aliases):
            index[normalise_label(label)] = c.name
    return index


def match_header(text: object) -> str | None:
    """Return the column name a header cell means, or None if it is not a return column."""
    return header_index().get(normalise_label(text))
