"""Translations of the dashboard: every label, title and message, in each language.

The texts are the ``web`` domain of the one set of gettext catalogues
(``uploads_schema/locale/<lang>/LC_MESSAGES/web.po``, read with Babel by
:mod:`uploads_schema.i18n`): symbolic keys with ``{placeholders}``, plurals by
the CLDR rules of each language. Validation messages are the ``messages``
domain and vocabulary names come from the vocabulary files, through the same
lookup.
"""

from __future__ import annotations

from uploads_schema import i18n

language = i18n.language


def languages() -> tuple[str, ...]:
    """Return the codes of the languages the dashboard speaks, English first."""
    return i18n.languages()


def catalogue(lang: str) -> dict[str, str]:
    """Return {key: text} of every label of the dashboard in ``lang`` (a plural gives its "other" form)."""
    return i18n.entries("web", lang)


def t(key: str, lang: str = "en", **params: object) -> str:
    """Return the text of ``key`` in ``lang`` with its placeholders filled (a plural in the form for its count)."""
    return i18n.gettext("web", key, lang, **params)
