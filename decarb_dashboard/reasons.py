"""Why a figure is missing, in words: one set of templates (``data/reasons.toml``) in English and Welsh.

The engine states its reasons in English (:func:`text`), as the CLI and its JSON
show them; :func:`translate` gives the same reason in Welsh for the web pages.
"""

from __future__ import annotations

import functools
import re
import tomllib
from importlib import resources


@functools.cache
def templates() -> dict[str, dict[str, str]]:
    """Return {code: {"en": template, "cy": template}}."""
    raw = resources.files("decarb_dashboard").joinpath("data/reasons.toml").read_text("utf-8")
    return tomllib.loads(raw)


def text(code: str, lang: str = "en", **params: object) -> str:
    """Return reason ``code`` in ``lang`` with its placeholders filled."""
    return templates()[code][lang].format(**params)


@functools.cache
def _patterns() -> list[tuple[re.Pattern[str], str]]:
    out = []
    for code, t in templates().items():
        parts = re.split(r"\{(\w+)\}", t["en"])
        regex = "".join(re.escape(p) if k % 2 == 0 else f"(?P<{p}>.+?)" for k, p in enumerate(parts))
        out.append((re.compile(f"^{regex}$"), code))
    return out


def translate(reason: str, lang: str) -> str:
    """Return an English reason from :func:`text` in ``lang`` (unchanged if it is not one of the templates)."""
    if lang == "en":
        return reason
    for pattern, code in _patterns():
        found = pattern.match(reason)
        if found:
            return text(code, lang, **found.groupdict())
    return reason
