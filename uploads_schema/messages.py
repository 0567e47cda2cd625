"""The catalogue of validation messages (``messages.toml``) in English and Welsh."""

from __future__ import annotations

import functools
import string
import tomllib
from collections.abc import Mapping
from importlib import resources

LANGUAGES = ("en", "cy")


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
    "Did you mean ...?" sentence of ``{did_you_mean}``.
    """
    lang = lang if lang in LANGUAGES else "en"
    values = _Params({k: ("" if v is None else str(v)) for k, v in params.items()})
    suggestion = params.get("suggestion")
    values["did_you_mean"] = (
        catalogue()["did_you_mean"][lang].format_map(_Params(suggestion=suggestion)) if suggestion else ""
    )
    template = catalogue()[code][part][lang]
    return string.Formatter().vformat(template, (), values)
