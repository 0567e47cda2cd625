"""Why a figure is missing, in words: the ``reasons`` domain of the gettext catalogues.

The engine states its reasons as :class:`Reason`: English text (as the CLI and its
JSON show them) that remembers its code and values, so :func:`translate` can give
the same reason in another language for the web pages.
"""

from __future__ import annotations

from uploads_schema import i18n


def templates() -> dict[str, dict[str, str]]:
    """Return {code: {lang: template}} of every reason in every language."""
    langs = i18n.languages()
    return {code: {lang: i18n.text("reasons", code, lang) for lang in langs}
            for code in i18n.entries("reasons", i18n.default_language())}


class Reason(str):
    """A reason in English, as the CLI and its JSON show it, that knows its template and values.

    It is a ``str`` everywhere (tables, JSON); :func:`translate` says it in another language.
    """

    code: str
    params: dict[str, object]

    def __new__(cls, code: str, **params: object) -> Reason:
        reason = super().__new__(cls, i18n.gettext("reasons", code, i18n.default_language(), **params))
        reason.code, reason.params = code, params
        return reason

    def __getnewargs_ex__(self) -> tuple[tuple, dict]:
        return (self.code,), self.params


def text(code: str, lang: str = "en", **params: object) -> str:
    """Return reason ``code`` in ``lang`` with its placeholders filled (in English, a :class:`Reason`)."""
    if i18n.language(lang) == i18n.default_language():
        return Reason(code, **params)
    return i18n.gettext("reasons", code, lang, **params)


def translate(reason: str, lang: str) -> str:
    """Return a reason the engine gave in ``lang`` (any other text unchanged)."""
    if i18n.language(lang) == i18n.default_language() or not isinstance(reason, Reason):
        return reason
    return text(reason.code, lang, **reason.params)


class ReasonError(Exception):
    """An error that says what went wrong and how to fix it as a :class:`Reason` of the ``reasons`` catalogue.

    ``str(error)`` is English (logs, JSON, tests); :func:`said` gives it in the reader's language.
    ``ReasonError(code, **params)``, like :class:`Reason`; a value given per language (``allowed_cy``)
    fills its placeholder in that language.
    """

    def __init__(self, code: str, **params: object) -> None:
        self.reason = text(code, **params)
        super().__init__(self.reason)

    def __str__(self) -> str:
        return str(self.reason)

    def __reduce__(self) -> tuple:
        return _rebuilt, (type(self), self.reason.code, self.reason.params)


def _rebuilt(cls: type[ReasonError], code: str, params: dict[str, object]) -> ReasonError:
    return cls(code, **params)


def said(value: object, lang: str) -> object:
    """Return ``value`` in ``lang`` if it is a reason or an error with one (``.reason``); any other value unchanged."""
    reason = getattr(value, "reason", value)
    return translate(reason, lang) if isinstance(reason, Reason) else value
