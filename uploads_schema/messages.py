"""The catalogue of validation messages (``messages.toml``) in English and Welsh."""

from __future__ import annotations

import functools
import string
import tomllib
from collections.abc import Mapping
from importlib import resources

LANGUAGES = ("en", "cy")
#: Sentences of the catalogue put into a message only when their parameter has a value (``{phrase}``: param).
PHRASES = {"units_with_factor": "factor_units"}


@functools.cache
def catalogue() -> dict[str, dict]:
    """Return the raw message catalogue, keyed by problem code."""
    text = resources.files("uploads_schema").joinpath("messages.toml").read_text("utf-8")
    return tomllib.loads(text)


def codes() -> list[str]:
    """Return every problem code the validator can report."""
    return [code for code, entry in catalogue().items() if "severity" in entry]


def severity(code: str) -> str:
    """Return "error" or "warning" for a problem code."""
    return catalogue()[code]["severity"]


class _Params(dict):
    def __missing__(self, key: str) -> str:  # a placeholder without a value stays visible
        return "{" + key + "}"


def render(code: str, part: str, params: Mapping[str, object], lang: str = "en") -> str:
    """Return the ``part`` ("title", "message" or "fix") of problem ``code`` in ``lang``.

    ``params`` fill the placeholders; ``suggestion`` turns into the
    "Did you mean ...?" sentence of ``{did_you_mean}``, and each of ``PHRASES``
    into its sentence. A parameter ending in ``_en`` or ``_cy`` (a name, a list
    of names) fills the placeholder without the ending in that language.
    """
    lang = lang if lang in LANGUAGES else "en"
    values = _Params({k: ("" if v is None else str(v)) for k, v in params.items()})
    for k, v in params.items():
        if k.endswith("_" + lang):
            values[k.removesuffix("_" + lang)] = "" if v is None else str(v)
    suggestion = params.get("suggestion")
    values["did_you_mean"] = (
        catalogue()["did_you_mean"][lang].format_map(_Params(suggestion=suggestion)) if suggestion else ""
    )
    for phrase, param in PHRASES.items():  # a sentence that is there only when its value is
        given = params.get(param)
        values[phrase] = catalogue()[phrase][lang].format_map(_Params({param: given})) if given else ""
    template = catalogue()[code][part][lang]
    return string.Formatter().vformat(template, (), values)
