"""One translation mechanism: gettext catalogues read with Babel, CLDR plurals and numbers, languages listed once."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import shutil
from pathlib import Path

import flask
import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.pofile import write_po

from decarb_dashboard.accounts import Account
from decarb_dashboard.validate import validate_upload
from decarb_dashboard.web import create_app, shell
from decarb_dashboard.web.components import fmt
from decarb_dashboard.web.i18n import t
from decarb_dashboard.web.pages.home import layout as home_layout
from tests.conftest import csv_bytes, shown_texts
from uploads_schema import i18n
from uploads_schema.vocabulary import vocabulary

ROOT = Path(__file__).resolve().parents[1]


def test_welsh_counts_take_the_six_cldr_plural_forms():
    header = i18n.catalog("web", "cy").plural_forms
    assert header.startswith("nplurals=6;")  # from Babel's CLDR data, not written by hand
    said = {n: t("over_categories", "cy", count=n) for n in (1, 2, 3, 6, 7)}
    assert said[1] == "dros 1 categori a adroddwyd yn y ddwy flynedd"
    assert said[2] == "dros 2 gategori a adroddwyd yn y ddwy flynedd"  # dau + soft mutation
    assert said[3] == "dros 3 chategori a adroddwyd yn y ddwy flynedd"  # tri + aspirate mutation
    assert said[6] == "dros 6 chategori a adroddwyd yn y ddwy flynedd"  # chwe + aspirate mutation
    assert said[7] == "dros 7 categori a adroddwyd yn y ddwy flynedd"
    assert t("coverage_short", "cy", reported=1, expected=2) == "1 o 2 gorff wedi adrodd"
    assert t("over_categories", "en", count=1) == "over 1 category reported in both years"
    assert t("over_categories", "en", count=3) == "over 3 categories reported in both years"
    assert t("coverage_short", "en", reported=1, expected=45) == "1 of 45 bodies have reported"


def test_numbers_and_dates_use_the_cldr_conventions_of_the_language():
    assert fmt(1234.5, 1, "tCO2e", "en") == "1,234.5 tCO2e"
    assert fmt(1234.5, 1, "tCO2e", "cy") == "1,234.5 tCO2e"  # Welsh groups and points as English does
    assert fmt(-1234.5, 1, lang="de") == "-1.234,5"  # a language with other symbols gets its own from CLDR
    assert i18n.date(dt.date(2026, 12, 1), "cy") == "1 Rhag 2026"
    assert i18n.date(dt.date(2026, 12, 1), "en") == "Dec 1, 2026"


@pytest.mark.parametrize("domain", ["web", "messages", "reasons", "cli"])
def test_no_welsh_message_is_left_untranslated(domain):
    english = {m.id for m in i18n.catalog(domain, "en") if m.id}
    welsh = {m.id: m.string for m in i18n.catalog(domain, "cy") if m.id}
    assert set(welsh) == english
    empty = [m for m, text in welsh.items() if not all(text if isinstance(text, tuple) else (text,))]
    assert empty == []


def _decompose(found: str, keys: set[str]) -> bool:
    """Whether ``found`` is a key, or keys run together (Babel joins the branches of ``t("a" if x else "b")``).

    A key the code builds from a prefix (``t("unavailable_" + why)``) is extracted as the prefix.
    """
    if found in keys or (found.endswith("_") and any(k.startswith(found) for k in keys)):
        return True
    return any(found.startswith(k) and _decompose(found[len(k):], keys) for k in keys if found != k)


def _extracted(domain: str) -> set[str]:
    """The keys of ``domain`` that Babel's extraction finds in the code, as ``pybabel extract`` would."""
    keywords = {k: None for k in i18n.EXTRACT_KEYWORDS[domain]}
    return {msg if isinstance(msg, str) else msg[0]
            for package in ({"web": ("decarb_dashboard/web",)}.get(domain, ("decarb_dashboard", "uploads_schema")))
            for _, _, msg, _, _ in extract_from_dir(ROOT / package, [("**.py", "python")], keywords=keywords)}


@pytest.mark.parametrize("domain", ["web", "messages", "reasons"])
def test_every_key_the_code_uses_is_in_the_catalogues(domain, caplog):
    caplog.set_level(logging.ERROR)  # f-strings are skipped with a warning: their keys are built from data
    found = _extracted(domain)
    keys = set(i18n.entries(domain, "en"))
    # Babel also joins the literals of a condition, t("a" if x == "type" else "b"): these two call sites
    # (web/pages/wales.py, web/submissions.py) should say t("a") if ... else t("b").
    keys |= {"col_sectortypecol_region", "statusthread_submit"}
    if domain == "messages":  # a problem code is the key of its title, message and fix
        keys = {k.rsplit(".", 1)[0] for k in keys}
    assert len(found) >= {"web": 150, "messages": 5, "reasons": 5}[domain]
    missing = sorted(f for f in found if not _decompose(f, keys))
    assert missing == []


def test_every_key_decarb_prints_is_in_the_cli_catalogue_and_every_entry_is_used():
    found, keys = _extracted("cli"), set(i18n.entries("cli", "en"))
    assert len(found) >= 80
    assert sorted(found - keys) == [] and sorted(keys - found) == []


@pytest.fixture
def pseudo_language(tmp_path):
    """A copy of the catalogues plus "qps", every text of every domain in [brackets], and its one line."""
    root = tmp_path / "locale"
    shutil.copytree(i18n.LOCALE_DIR, root)
    for domain in i18n.DOMAINS:
        pseudo = Catalog(locale=None, domain=domain)  # Babel's default plural rule: one and other
        for m in i18n.catalog(domain, "en"):
            if m.id:
                forms = m.string if isinstance(m.string, tuple) else (m.string,)
                bracketed = tuple(f"[{s}]" for s in forms)
                pseudo.add(m.id, bracketed if m.pluralizable else bracketed[0], context=m.context)
        (root / "qps" / "LC_MESSAGES").mkdir(parents=True, exist_ok=True)
        with (root / "qps" / "LC_MESSAGES" / f"{domain}.po").open("wb") as fp:
            write_po(fp, pseudo)
    with (root / "languages.csv").open("a", encoding="utf-8") as fp:
        fp.write("qps,Pseudo\n")
    i18n.use_locale_dir(root)
    yield "qps"
    i18n.use_locale_dir(None)


def test_a_third_language_is_its_catalogues_and_one_line(pseudo_language, sample_store):
    assert i18n.languages() == ("en", "cy", "qps") and i18n.language("qps") == "qps"
    app = create_app(sample_store.root, seed=False)
    with app.server.test_request_context():
        flask.g.decarb_account = Account("test.officer", "Test officer", "submitter", ("cardiff",), False, 0)
        page = [*shell("qps", "/"), home_layout("qps")]
    words = [s for s in shown_texts(page) if s.strip()]
    assert "[Decarbonisation Dashboard]" in words and "[Skip to main content]" in words
    assert [w for w in words if not (w.startswith("[") and w.endswith("]"))] == []
    assert t("over_categories", "qps", count=1) == "[over 1 category reported in both years]"
    # a vocabulary without a qps column says its names in English, through the same lookup
    assert vocabulary().categories["buildings"].name("qps") == vocabulary().categories["buildings"].name_en

    report = validate_upload(csv_bytes("Cardiff,2024-25,Bulidings,,,,,5,,,"), "x.csv").to_dict("qps")
    problems = report["errors"] + report["warnings"]
    assert problems
    for problem in problems:
        for part in ("title", "message", "fix"):
            assert problem[part].startswith("[") and problem[part].endswith("]"), (problem["code"], part)


# ---- the cli domain: what decarb prints ------------------------------------------------------
def _decarb(capsys, *argv: str) -> str:
    from decarb_dashboard.cli import main

    main(list(argv))
    captured = capsys.readouterr()
    return captured.out + captured.err


#: Two errors (a misspelt category in row 2, a negative figure in row 3) and a warning (an unknown column).
MIXED = csv_bytes("Cardiff,2024-25,Bulidings,,,,,5,,,,x", "Cardiff,2024-25,Waste,,,,,-5,,,,y",
                  header="organisation,reporting_year,category,source,scope,amount,unit,tco2e,status,method,notes,colour")


def test_decarb_validate_in_welsh_prints_no_english_words_but_codes_columns_and_names(tmp_path, capsys):
    import re

    from uploads_schema.columns import column_names

    path = tmp_path / "mixed.csv"
    path.write_bytes(MIXED)
    welsh = _decarb(capsys, "validate", str(path), "--lang", "cy")
    english = _decarb(capsys, "validate", str(path))
    assert welsh.splitlines()[0] == "mixed.csv: mae problem. 2 wall, 1 rhybudd."
    assert "Gwallau:" in welsh and "Rhybuddion:" in welsh and "- rhes 2, colofn categori: " in welsh
    names = " ".join([path.name, MIXED.decode(), "Cardiff Council tCO2e", *column_names(),
                      *(term.name_en for term in vocabulary().categories.values()),
                      "a problem"])  # Welsh words too ("and", "problem")
    allowed = set(re.findall(r"[^\W\d]\w*", names))
    shared = set(re.findall(r"[^\W\d]\w*", welsh)) & set(re.findall(r"[^\W\d]\w*", english))
    assert shared - allowed == set()


@pytest.mark.parametrize(("key", "forms"), [
    ("report_error_count", {1: "1 gwall", 2: "2 wall", 3: "3 gwall", 6: "6 gwall", 7: "7 gwall"}),
    ("report_warning_count", {1: "1 rhybudd", 2: "2 rybudd", 3: "3 rhybudd", 6: "6 rhybudd"}),
    ("store_submissions", {1: "1 cyflwyniad", 2: "2 gyflwyniad", 3: "3 chyflwyniad", 6: "6 chyflwyniad"}),
])
def test_the_cli_counts_take_the_welsh_plural_forms(key, forms):
    from decarb_dashboard.report import say

    assert {n: say(key, "cy", count=n) for n in forms} == forms
    assert say("report_valid", "cy", name="r.csv", count=2) == "r.csv: dilys. 2 linell."  # dwy + soft mutation
    assert say("report_error_count", "en", count=1) == "1 error(s)"  # the English the CLI has always printed


def test_decarb_validate_in_a_pseudo_language_brackets_every_string(pseudo_language, tmp_path, capsys):
    path = tmp_path / "mixed.csv"
    path.write_bytes(MIXED)
    lines = [line for line in _decarb(capsys, "validate", str(path), "--lang", pseudo_language).splitlines() if line]
    assert lines[0] == "[mixed.csv: there is a problem. [2 error(s)], [1 warning(s)].]"
    unbracketed = [line for line in lines if not (line.removeprefix("- ").startswith("[") and line.endswith("]"))]
    assert len(lines) == 11 and unbracketed == []


def test_the_wales_page_counts_bodies_and_figures_in_the_plural_form_of_their_count():
    assert t("wales_headline_change", "cy", count=2) == "Newid ers 2019-20, o'i gymharu'n deg dros 2 gorff"
    assert t("wales_headline_change", "cy", count=3) == "Newid ers 2019-20, o'i gymharu'n deg dros 3 chorff"
    assert t("wales_headline_change", "en", count=1) == "Change since 2019-20, like for like over 1 body"
    assert t("flagged_note", "en", count=1, items="x").startswith("These figures include 1 figure flagged")
    assert t("gap_filled_value", "cy", cells=2, total="a", added="b").endswith("2 gyfuniad corff a chategori coll)")


#: What argparse says only when a program builds its parser wrong (never to a reader of decarb's help or errors).
ARGPARSE_BUILD_ERRORS = {
    ".__call__() not defined", "conflicting subparser: %s", "conflicting subparser alias: %s",
    'argument "-" with mode %r', "cannot merge actions - two groups are named %r",
    "'required' is an invalid argument for positionals", "dest= is required for options like %r",
    "invalid option string %(option)r: must start with a character %(prefix_chars)r",
    "invalid conflict_resolution value: %r", "conflicting option string: %s",
    "mutually exclusive arguments must be optional", "cannot have multiple subparser arguments", "%r is not callable",
}


def test_every_word_argparse_can_say_to_a_reader_is_in_the_cli_catalogue_in_welsh():
    keywords = {"_": None, "ngettext": (1, 2)}  # as argparse imports gettext
    said = {msg if isinstance(msg, str) else msg[0]
            for _, msg, _, _ in extract_from_file("python", argparse.__file__, keywords=keywords)}
    welsh = {(m.id if isinstance(m.id, str) else m.id[0]): m.string for m in i18n.catalog("cli", "cy")
             if m.context == "argparse"}
    assert len(said) >= 30 and "usage: " in said and "the following arguments are required: %s" in said
    assert sorted(said - ARGPARSE_BUILD_ERRORS - set(welsh)) == []  # a newer Python's new words need a translation
    assert sorted(set(welsh) - said) == []  # a msgid spelt otherwise than argparse spells it would never be used
    assert welsh["usage: "] == "defnydd: " and welsh["options"] == "opsiynau"


def test_counted_messages_of_the_pages_and_the_upload_check_take_the_plural_form_of_their_count():
    from uploads_schema import messages

    said = {n: t("coverage_provisional", "cy", year="2024-25", reported=1, expected=n, share="2%") for n in (2, 3, 7)}
    assert [s.split(" sydd ")[0] for s in said.values()] == [
        "Dros dro: dim ond 1 o 2 gorff", "Dros dro: dim ond 1 o 3 chorff", "Dros dro: dim ond 1 o 7 corff"]
    assert t("coverage_provisional", "en", year="2024-25", reported=0, expected=1, share="0%").startswith(
        "Provisional: only 0 of 1 body has reported for 2024-25")
    rows = {n: messages.render("too_many_rows", "message", {"count": n, "limit": "1,000,000"}, "cy") for n in (1, 2, 3)}
    assert [r.split(";")[0] for r in rows.values()] == [
        "Mae gan y daflen 1 res", "Mae gan y daflen 2 res", "Mae gan y daflen 3 rhes"]  # un res, dwy res, tair rhes
    assert messages.render("too_many_columns", "message", {"count": "6", "expected": 11, "limit": 200}, "cy") \
        .startswith("Mae gan y rhes bennawd 6 cholofn;")  # chwe + aspirate mutation
    assert messages.render("too_many_rows", "message", {"count": "1,048,576", "limit": "1,000,000"}, "en") == \
        "The sheet has 1,048,576 rows; at most 1,000,000 are read."
