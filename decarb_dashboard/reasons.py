"""Why a figure is missing, in words: one set of templates (``data/reasons.toml``) in English and Welsh.

The engine states its reasons as :class:`Reason`: English text (as the CLI and its
JSON show them) that remembers its template, so :func:`translate` can give the same
reason in Welsh for the web pages.
"""

from __future__ import annotations

import functools
import tomllib
from importlib import resources


@functools.cache
def templates() -> dict[str, dict[str, str]]:
    """Return {code: {"en": template, "cy": template}}."""
    raw = resources.files("decarb_dashboard").joinpath("data/reasons.toml").read_text("utf-8")
    return tomllib.loads(raw)


class Reason(str):
    """A reason in English, as the CLI and its JSON show it, that knows its template and values.

    It is a ``str`` everywhere (tables, JSON); :func:`translate` says it in another language.
    """

    code: str
    params: dict[str, object]

    def __new__(cls, code: str, **params: object) -> Reason:
        reason = super().__new__(cls, templates()[code]["en"].format(**params))
        reason.code, reason.params = code, params
        return reason

    def __getnewargs_ex__(self) -> tuple[tuple, dict]:
        return (self.code,), self.params


def text(code: str, lang: str = "en", **params: object) -> str:
    """Return reason ``code`` in ``lang`` with its placeholders filled (in English, a :class:`Reason`)."""
    return Reason(code, **params) if lang == "en" else templates()[code][lang].format(**params)


def translate(reason: str, lang: str) -> str:
    """Return a reason the engine gave in ``lang`` (any other text unchanged)."""
    if lang == "en" or not isinstance(reason, Reason):
        return reason
    return text(reason.code, lang, **reason.params)
