"""Translations of the dashboard: every label, title and message, in each language.

The texts are the ``web`` domain of the one set of gettext catalogues
(``uploads_schema/locale/<lang>/LC_MESSAGES/web.po``, read with Babel by
:mod:`uploads_schema.i18n`): symbolic keys with ``{placeholders}``, plurals by
the CLDR rules of each language. Validation messages are the ``messages``
domain and vocabulary names come from the vocabulary files, through the same
lookup.
"""

from __future__ import annotations

import urllib.parse

import dash
import flask

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


def request_language() -> str:
    """Return the language of the page being answered: the ``lang`` of its address.

    The page itself (``GET /organisation?lang=cy``) has it in its query; Dash's page-routing
    callback, which answers a move to another page, has it in the ``search`` of the
    address it is sent. Anything else is the default language.
    """
    if not flask.has_request_context():
        return language(None)
    if "lang" in flask.request.args:
        return language(flask.request.args.get("lang"))
    if not flask.request.path.endswith("/_dash-update-component"):
        return language(None)
    try:
        inputs = dash.callback_context.inputs
    except (LookupError, dash.exceptions.MissingCallbackContextException):  # not inside the callback itself
        return language(None)
    search = next((v for k, v in inputs.items() if k.endswith(".search") and isinstance(v, str)), "")
    return language(dict(urllib.parse.parse_qsl(search.lstrip("?"))).get("lang"))
