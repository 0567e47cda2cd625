"""Translations of the dashboard: every label, title and message, in English and Welsh.

The catalogues are ``i18n/en.toml`` and ``i18n/cy.toml`` (flat ``key = "text"``
with ``{placeholders}``); both must hold every key (a test checks). Validation
messages come from ``uploads_schema/messages.toml`` and vocabulary names from
the vocabulary files, which carry both languages too.
"""

from __future__ import annotations

import functools
import tomllib
from importlib import resources

LANGUAGES = ("en", "cy")


@functools.cache
def catalogue(lang: str) -> dict[str, str]:
    """Return the flat catalogue of ``lang``."""
    text = resources.files("decarb_dashboard").joinpath(f"web/i18n/{lang}.toml").read_text("utf-8")
    return tomllib.loads(text)


def language(value: object) -> str:
    """Return a supported language code for a query-string value (English by default)."""
    return value if value in LANGUAGES else "en"  # type: ignore[return-value]


def t(key: str, lang: str = "en", **params: object) -> str:
    """Return the text of ``key`` in ``lang`` with its placeholders filled."""
    text = catalogue(language(lang)).get(key) or catalogue("en")[key]
    return text.format(**params) if params else text
