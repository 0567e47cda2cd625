"""The upload check's problems in words: the ``messages`` domain of the gettext catalogues.

Each problem code has a title, a message saying what is wrong and a fix saying
what to do (msgids ``<code>.title``, ``<code>.message``, ``<code>.fix`` in
``locale/<lang>/LC_MESSAGES/messages.po``); whether it is an error or a warning
is data, in ``problems.csv``.
"""

from __future__ import annotations

import csv
import functools
import string
from collections.abc import Mapping
from importlib import resources

from uploads_schema import i18n

PARTS = ("title", "message", "fix")
#: Sentences of the catalogue put into a message only when their parameter has a value (``{phrase}``: param).
PHRASES = {"units_with_factor": "factor_units"}


@functools.cache
def _severities() -> dict[str, str]:
    with resources.files("uploads_schema").joinpath("problems.csv").open(encoding="utf-8", newline="") as fp:
        return {row["code"]: row["severity"] for row in csv.DictReader(fp)}


def catalogue() -> dict[str, dict]:
    """Return {code: {"severity": ..., part: {lang: text}}} and {sentence: {lang: text}} for the extra sentences."""
    langs = i18n.languages()
    out: dict[str, dict] = {
        code: {"severity": severity, **{part: {lang: _template(f"{code}.{part}", lang) for lang in langs}
                                         for part in PARTS}}
        for code, severity in _severities().items()
    }
    for sentence in ("did_you_mean", *PHRASES):
        out[sentence] = {lang: _template(sentence, lang) for lang in langs}
    return out


def codes() -> list[str]:
    """Return every problem code the validator can report."""
    return list(_severities())


def severity(code: str) -> str:
    """Return "error" or "warning" for a problem code."""
    return _severities()[code]


def _template(key: str, lang: str, params: Mapping[str, object] | None = None) -> str:
    """The template of ``key`` in ``lang``; a counted message takes the form of its count in ``params``."""
    return i18n.text("messages", key, lang, params)


class _Params(dict):
    def __missing__(self, key: str) -> str:  # a placeholder without a value stays visible
        return "{" + key + "}"


def render(code: str, part: str, params: Mapping[str, object], lang: str = "en") -> str:
    """Return the ``part`` ("title", "message" or "fix") of problem ``code`` in ``lang``.

    ``params`` fill the placeholders; ``suggestion`` turns into the
    "Did you mean ...?" sentence of ``{did_you_mean}``, and each of ``PHRASES``
    into its sentence. A parameter ending in ``_<lang>`` (a name, a list of
    names) fills the placeholder without the ending in that language, or in
    English if there is none in ``lang``.
    """
    lang = i18n.language(lang)
    values = _Params({k: ("" if v is None else str(v)) for k, v in params.items()})
    for suffix in dict.fromkeys((i18n.default_language(), lang)):  # English first, then the language's own
        for k, v in params.items():
            if k.endswith("_" + suffix):
                values[k.removesuffix("_" + suffix)] = "" if v is None else str(v)
    suggestion = values.get("suggestion")  # given as it is or per language (``suggestion_cy``)
    values["did_you_mean"] = (
        _template("did_you_mean", lang).format_map(_Params(suggestion=suggestion)) if suggestion else ""
    )
    for phrase, param in PHRASES.items():  # a sentence that is there only when its value is
        given = values.get(param)  # given as it is or per language (``factor_units_cy``)
        values[phrase] = _template(phrase, lang).format_map(_Params({param: given})) if given else ""
    return string.Formatter().vformat(_template(f"{code}.{part}", lang, params), (), values)
