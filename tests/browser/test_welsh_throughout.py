"""No English on a Welsh page: every page with ``?lang=cy``, signed out and as each role's demo account, in a browser.

What counts as "an English word" is worked out from the catalogues, so that a new string
that was never translated is caught without anyone listing it: every word of the English
pages' catalogues' messages (web, messages, reasons; Plotly's toolbar words among them), of the vocabulary's
and the register's English names, and of Dash's own English words, that does not occur in
any Welsh message or Welsh name, less the short list in ``welsh_allowlist.txt`` (proper
names, units, codes: words a Welsh reader meets in English by design).

A page is read as a reader meets it: after opening every ``<details>`` (the figures behind
each chart among them) and every dropdown, its visible text, the attributes read out or
shown on hover (title, aria-label, alt, placeholder, Plotly's data-title), every SVG text
of the charts (axis titles, ticks, legends) and each trace's name and hover template.
"""

from __future__ import annotations

import csv
import re
import time
from functools import cache
from pathlib import Path

import pytest

from decarb_dashboard.sample import DEMO_ACCOUNTS
from tests.browser import screenshots
from tests.conftest import REPO
from uploads_schema import i18n

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

ALLOWLIST = Path(__file__).with_name("welsh_allowlist.txt")
#: Dash 4's dcc.Dropdown's and dcc.Loading's own English (dash_core_components.js), shown unless a page says otherwise.
DASH_ENGLISH = ("Select...", "Select All", "Deselect All", "{num_selected} selected", "Search", "Clear search",
                "Clear selection", "No options found", "Loading...")
#: Vocabulary and register files whose names come as ``<column>_en`` and ``<column>_cy``.
NAMED = [*sorted((REPO / "uploads_schema" / "vocabulary").glob("*.csv")), REPO / "sample_data" / "registry.csv"]
_PLACEHOLDER = re.compile(r"\{[^}]*\}|%\{[^}]*\}|<[^>]*>|%\([a-z_]+\)[sd]")
_WORD = re.compile(r"[^\W\d_]+")
#: Data, not the site's words: a submission's reference (CARDIFF-2022-23-02) and the name of an uploaded file.
_DATA = re.compile(r"\b[A-Z][A-Z0-9]*(?:-[A-Z0-9+]+)+|[^\s()]+\.(?:csv|xlsx|xls|ods)\b")
#: What people called themselves: the account holders' user names, not the site's words (the sample loader's and
#: the demo accounts' names are the site's, said in the page's language).
PEOPLE = tuple(account[0] for account in DEMO_ACCOUNTS)
#: The catalogues the pages speak from (cli's and mail's messages name commands, options and codes).
PAGE_DOMAINS = ("web", "messages", "reasons")
#: Signed out, then one demo account of each role: the one with the most bodies (a submitter for several sees every
#: page and word a submitter for one does; walking both took 40 s of the suite's 15 minutes for nothing more).
USERS = ("-", *{role: name for name, role, _, _ in sorted(DEMO_ACCOUNTS, key=lambda a: len(a[2]))}.values())
#: Pages whose words depend on whether someone is signed in but not on who: read signed out and as the first account.
SAME_FOR_EVERY_ACCOUNT = ("sign-in", "accessibility", "privacy", "contact", "api", "data")
#: What a reader meets on a page: [where, text] pairs.
READ_PAGE = """
// A <code> is the program's words (an address, a JSON key, a command), the same in every language: left unread.
const codes = [...document.querySelectorAll("code")];
for (const el of codes) el.style.setProperty("display", "none");
const out = [["text", document.body.innerText]];
for (const el of codes) el.style.removeProperty("display");
for (const el of document.querySelectorAll("[title],[aria-label],[alt],[placeholder],[data-title]")) {
  for (const attr of ["title", "aria-label", "alt", "placeholder", "data-title"]) {
    const value = el.getAttribute(attr);
    if (value) out.push([`${attr} of <${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}>`, value]);
  }
}
for (const el of document.querySelectorAll("svg text")) out.push(["chart text", el.textContent]);
for (const gd of document.querySelectorAll(".js-plotly-plot")) {
  for (const trace of gd.data || []) {
    for (const key of ["name", "hovertemplate"]) {
      const values = Array.isArray(trace[key]) ? trace[key] : [trace[key]];
      for (const value of values) if (typeof value === "string") out.push([`chart ${key}`, value]);
    }
  }
}
return out;
"""


def words(text: str) -> set[str]:
    """The words of ``text``, lower case, without placeholders and markup ("{value}", "%{y}", "<b>")."""
    return {w.lower() for w in _WORD.findall(_PLACEHOLDER.sub(" ", text)) if len(w) > 1}


def _messages(lang: str) -> list[str]:
    out = []
    for domain in PAGE_DOMAINS:
        for message in i18n.catalog(domain, lang):
            if message.id:
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                out.extend(s for s in strings if s)
    return out


def _names(suffix: str) -> list[str]:
    out = []
    for path in NAMED:
        with path.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                out.extend(v for k, v in row.items() if k.endswith(suffix) and v)
    return out


def allowlist() -> set[str]:
    lines = ALLOWLIST.read_text(encoding="utf-8").splitlines()
    return {w for line in lines if line.strip() and not line.startswith("#") for w in words(line.split("#")[0])}


@cache
def english_words() -> frozenset[str]:
    """Words of the English catalogues, names and Dash's own words that no Welsh message or name uses."""
    english = set().union(*map(words, [*_messages("en"), *_names("_en"), *DASH_ENGLISH]))
    welsh = set().union(*map(words, [*_messages("cy"), *_names("_cy")]))
    return frozenset(english - welsh - allowlist())


def test_the_english_words_are_worked_out_from_the_catalogues():
    english = english_words()
    found = english_in("upload", [["text", "Yn cyflwyno fel (cardiff.officer): CARDIFF-2022-23-02, r.csv"],
                                  ["title of <a>", "Download plot as a png"]], PEOPLE)
    assert found == [f"upload: “{w}” in title of <a>: 'Download plot as a png'" for w in ("as", "download", "plot")]
    assert {"the", "upload", "submitted", "cardiff", "zoom", "selected"} <= english
    assert not {"tco2e", "cymru", "caerdydd", "mae", "llwytho"} & english
    assert "select" in english  # Dash's own "Select..." counts, though no catalogue says it


def english_in(page: str, read: list[list[str]], names: tuple[str, ...]) -> list[str]:
    """Return, per English word found in what was read on ``page``, where: the page, the word and its context."""
    english = english_words()
    found = []
    for where, text in read:
        for name in names:
            text = text.replace(name, " ")
        text = _DATA.sub(" ", text)
        for line in text.splitlines():
            for word in sorted(words(line) & english):
                found.append(f"{page}: “{word}” in {where}: {line.strip()[:160]!r}")
    return found


def charts_drawn(driver, timeout_s: float = 15) -> None:
    """Wait until every chart on the page has drawn its SVG (Dash loads plotly.js when the first chart appears)."""
    script = ("return [...document.querySelectorAll('.dash-graph')]"
              ".every(g => g.querySelector('.main-svg'));")
    start = time.perf_counter()
    while time.perf_counter() - start < timeout_s and not driver.execute_script(script):
        time.sleep(0.1)
    if driver.execute_script("return document.querySelector('.dash-graph') !== null;"):
        time.sleep(0.3)  # the axes' and legends' text is laid out just after the SVG appears


def reveal(driver) -> None:
    """Open every <details> (the figures behind each chart) so that their text is shown."""
    driver.execute_script("for (const d of document.querySelectorAll('details')) d.open = true;")


def until(driver, script: str, timeout_s: float = 3) -> None:
    """Poll ``script`` until it returns true (a dropdown's list opening or closing), for at most ``timeout_s``."""
    start = time.perf_counter()
    while not driver.execute_script(script) and time.perf_counter() - start < timeout_s:
        time.sleep(0.02)


def read_dropdowns(driver) -> list[list[str]]:
    """Open each dropdown in turn and read the options it lists, then close it."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    read = []
    for k in range(len(driver.find_elements(By.CSS_SELECTOR, ".dash-dropdown"))):
        trigger = driver.find_elements(By.CSS_SELECTOR, ".dash-dropdown")[k]
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", trigger)
        try:
            trigger.click()
        except Exception:  # covered or not interactable: its options are still read below if open
            continue
        until(driver, "return document.querySelector('.dash-dropdown-content') !== null;")
        for where, text in driver.execute_script(READ_PAGE):
            read.append([f"open dropdown {k + 1}: {where}", text])
        driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)
        until(driver, "return document.querySelector('.dash-dropdown-content') === null;")
    return read


@pytest.fixture(scope="module")
def site():
    with screenshots.running_site() as running:
        yield running


@pytest.mark.parametrize("user", USERS, ids=[u if u != "-" else "signed-out" for u in USERS])
def test_no_english_word_on_a_welsh_page(site, user):
    base, receipt = site
    driver = screenshots.chromium()
    found: list[str] = []
    try:
        if user != "-":
            screenshots.sign_in(driver, base, user)
        for page, path in screenshots.PAGES.items():
            if page in SAME_FOR_EVERY_ACCOUNT and user not in USERS[:2]:
                continue
            driver.get(base + screenshots.address(path, "cy", receipt))
            screenshots.wait_for_content(driver)
            charts_drawn(driver)
            reveal(driver)
            read = driver.execute_script(READ_PAGE) + read_dropdowns(driver)
            found += english_in(f"{page} ({user if user != '-' else 'signed out'})", read, PEOPLE)
    finally:
        driver.quit()
    found = list(dict.fromkeys(found))
    assert not found, f"{len(found)} English words on Welsh pages:\n" + "\n".join(found[:80])


def test_the_review_page_fits_a_phone_in_welsh(site):
    """At 390 px the Welsh review page (the longest words) neither scrolls sideways nor cuts the queue's caption."""
    base, receipt = site
    driver = screenshots.chromium()
    try:
        screenshots.sign_in(driver, base, "wg.reviewer")
        screenshots.set_viewport(driver, 390)
        driver.get(base + screenshots.address(screenshots.PAGES["review"], "cy", receipt))
        screenshots.wait_for_content(driver)
        driver.execute_script("document.querySelector('#rv-queue-caption').scrollIntoView();")
        document, viewport = screenshots.document_width(driver)
        assert document <= viewport == 390, f"the review page is {document} px wide in a {viewport} px window"
        left, right = driver.execute_script(
            "const r = document.querySelector('#rv-queue-caption').getBoundingClientRect(); return [r.left, r.right];")
        assert left >= 0 and right <= viewport, f"the queue's caption spans {left}-{right} px of {viewport}"
        assert driver.find_element("id", "rv-queue-caption").text.endswith("pennawd colofn i drefnu")
    finally:
        driver.quit()
