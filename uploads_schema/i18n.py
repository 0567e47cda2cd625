"""Every user-facing string in every language: gettext catalogues read with Babel, CLDR plurals and numbers.

The catalogues are ``locale/<lang>/LC_MESSAGES/<domain>.po``, one domain per part:
``web`` (the dashboard's pages), ``messages`` (the upload check's problems),
``reasons`` (why a figure is missing), ``cli`` (what the ``decarb`` command
prints, the validation report as text included) and ``mail`` (the review
cycle's e-mail notifications). They
are what translators' tools (Poedit, Weblate, CAT tools) open; they are read
here at first use and kept in memory, so there is no compile step.

A msgid is a symbolic key used in the code (``t("nav_home")``); the English
text is the ``en`` catalogue's msgstr and, for translators, each other
catalogue's ``#.`` comment. A message with a count is a plural: its
msgid_plural is the key, a colon and the parameter that counts
(``over_categories:count``), and each language has the forms its CLDR plural
rules need (Welsh has six). A text missing in a language falls back to English.

The languages are listed once, in ``locale/languages.csv``: a new language is
a line there plus its catalogue files.

The ``cli`` catalogue also holds argparse's own words ("usage: ", "the following
arguments are required: %s"), each with the context ``argparse`` and argparse's
English as its msgid, so that ``decarb --lang cy`` says them in Welsh.

``pybabel extract`` finds the keys the code uses, one domain at a time, with the
method map ``babel.cfg`` and the keywords of :data:`EXTRACT_KEYWORDS`, e.g.
``pybabel extract -F babel.cfg --no-default-keywords -k t -o web.pot decarb_dashboard``.
"""

from __future__ import annotations

import csv
import functools
import io
import math
from collections.abc import Mapping
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

DOMAINS = ("web", "messages", "reasons", "cli", "mail")
#: The functions whose first argument is a key of each domain (a problem code, for ``messages``).
EXTRACT_KEYWORDS: dict[str, tuple[str, ...]] = {
    "web": ("t",),
    "messages": ("add", "render", "problems.add"),
    "reasons": ("reasons.text", "Reason", "RegisterError", "AccountError", "FlatFileError", "SampleDataError",
                "CatalogueLost", "StoreError", "StoreFull", "StatusChanged"),
    "cli": ("say",),
    "mail": ("mail_text",),
}
LOCALE_DIR = Path(__file__).parent / "locale"
_locale_dir = LOCALE_DIR


def use_locale_dir(path: Path | None) -> None:
    """Read the catalogues and the language list from ``path`` (``None``: the package's own ``locale/``)."""
    global _locale_dir
    _locale_dir = Path(path) if path is not None else LOCALE_DIR


@functools.cache
def _languages(root: Path) -> dict[str, str]:
    with (root / "languages.csv").open(encoding="utf-8", newline="") as fp:
        return {row["code"]: row["name"] for row in csv.DictReader(fp)}


def languages() -> tuple[str, ...]:
    """Return the codes of the supported languages, the source language (English) first."""
    return tuple(_languages(_locale_dir))


def language_name(lang: str) -> str:
    """Return the name of language ``lang`` in that language ("Cymraeg" for "cy")."""
    return _languages(_locale_dir)[lang]


def default_language() -> str:
    """Return the source language, the one every other falls back to."""
    return languages()[0]


def language(value: object) -> str:
    """Return a supported language code for a value from a form or a query string (English by default)."""
    return value if isinstance(value, str) and value in languages() else default_language()


@functools.cache
def _catalog(root: Path, domain: str, lang: str) -> Catalog:
    path = root / lang / "LC_MESSAGES" / f"{domain}.po"
    if not path.exists():
        return Catalog(locale=None, domain=domain)
    with path.open("rb") as fp:
        return read_po(fp, domain=domain)


def catalog(domain: str, lang: str) -> Catalog:
    """Return the Babel catalogue of ``domain`` in ``lang`` as read from its ``.po`` file."""
    return _catalog(_locale_dir, domain, lang)


@functools.cache
def _translations(root: Path, domain: str, lang: str) -> Translations:
    buffer = io.BytesIO()
    write_mo(buffer, _catalog(root, domain, lang))  # compiled in memory: a fresh clone needs no build step
    buffer.seek(0)
    translations = Translations(buffer, domain=domain)
    source = _languages(root) and next(iter(_languages(root)))
    if lang != source:
        translations.add_fallback(_translations(root, domain, source))
    return translations


def translations(domain: str, lang: str) -> Translations:
    """Return the gettext translations of ``domain`` in ``lang``, falling back to English."""
    return _translations(_locale_dir, domain, language(lang))


@functools.cache
def _plural_params(root: Path, domain: str) -> dict[str, str]:
    source = next(iter(_languages(root)))
    return {m.id[0]: m.id[1].partition(":")[2] for m in _catalog(root, domain, source)
            if m.pluralizable and not m.context}


def plural_param(domain: str, key: str) -> str | None:
    """Return the parameter that counts in plural message ``key`` (``None`` if it is not a plural)."""
    return _plural_params(_locale_dir, domain).get(key)


def text(domain: str, key: str, lang: str, params: Mapping[str, object] | None = None) -> str:
    """Return the template of ``key`` in ``lang``, unfilled; a plural takes the form for its count in ``params``."""
    param = plural_param(domain, key)
    if param is None:
        return translations(domain, lang).gettext(key)
    count = (params or {}).get(param)
    try:
        n = count if isinstance(count, int) else int(float(str(count).replace(",", ""))) if count is not None else 2
    except ValueError:  # a count that is not a number (a template's own placeholder) takes the form of 2
        n = 2
    return translations(domain, lang).ngettext(key, f"{key}:{param}", n)


def gettext(domain: str, key: str, lang: str, **params: object) -> str:
    """Return ``key`` of ``domain`` in ``lang`` with its ``{placeholders}`` filled."""
    template = text(domain, key, lang, params)
    if not params:
        return template
    # A value given per language (``denominator_cy``) fills its placeholder (``{denominator}``) in that language.
    suffix = f"_{language(lang)}"
    values = {**params, **{k.removesuffix(suffix): v for k, v in params.items() if k.endswith(suffix)}}
    return template.format(**values)


def entries(domain: str, lang: str) -> dict[str, str]:
    """Return {key: text} of every message of ``domain`` in ``lang`` (a plural gives its last, "other", form).

    Messages with a context are another program's own words (argparse's, in ``cli``), not keys: they are left out.
    """
    out: dict[str, str] = {}
    for m in catalog(domain, default_language()):
        if not m.id or m.context:
            continue
        key = m.id[0] if m.pluralizable else m.id
        out[key] = text(domain, key, lang, {plural_param(domain, key): 1_000_001} if m.pluralizable else None)
    return out


def localised(values: object, field: str, lang: str) -> str:
    """Return ``field`` of a vocabulary term or register row in ``lang`` (``name`` -> ``name_cy``).

    ``values`` is an object with attributes or a mapping with keys ``<field>_<lang>``;
    a language without its own column falls back to English.
    """
    get = values.get if isinstance(values, Mapping) else lambda k, d=None: getattr(values, k, d)
    value = get(f"{field}_{lang}")
    return value if value else get(f"{field}_{default_language()}")


@functools.cache
def babel_locale(lang: str) -> Locale:
    """Return the CLDR locale of ``lang`` (English's for a language CLDR does not know, e.g. a pseudo-language)."""
    try:
        return Locale.parse(lang.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(default_language())


@functools.cache
def _symbols(lang: str) -> dict[int, str] | None:
    """Python's "," "." "-" -> ``lang``'s CLDR group, decimal and minus symbols (``None`` when the same)."""
    symbols = babel_locale(lang).number_symbols["latn"]
    table = str.maketrans({",": symbols["group"], ".": symbols["decimal"], "-": symbols["minusSign"]})
    return None if all(chr(k) == v for k, v in table.items()) else table


def number(value: float, digits: int, lang: str) -> str:
    """Return ``value`` with ``digits`` decimals, grouped in thousands, with ``lang``'s CLDR symbols.

    Python rounds (as the figures always have been); Babel's CLDR data gives the
    group and decimal separators and the minus sign. English and Welsh share them:
    1,234.5 and -0.25.
    """
    plain = f"{value:,.{digits}f}"
    table = _symbols(lang)
    return plain if table is None or math.isnan(value) or math.isinf(value) else plain.translate(table)


def date(value: object, lang: str, format: str = "medium") -> str:
    """Return a date or datetime in ``lang``'s CLDR format ("1 Dec 2026" in English, "1 Rhag 2026" in Welsh)."""
    from babel.dates import format_date

    return format_date(value, format=format, locale=babel_locale(lang))
