"""The page shell in the page's language, the footer and its service pages, and the weight of what is sent."""

from __future__ import annotations

import gzip
import re

import brotli
import pytest
from dash import dcc

from decarb_dashboard.web import create_app, render_footer
from tests.dash_http import callback_body

SERVICE_PAGES = ("/accessibility", "/privacy", "/contact")


@pytest.fixture
def client(sample_store, monkeypatch):
    for name in ("DECARB_CONTACT_EMAIL", "DECARB_SERVICE_OWNER", "DECARB_SERVICE_OWNER_CY",
                 "DECARB_DATA_CONTROLLER", "DECARB_DATA_CONTROLLER_CY"):
        monkeypatch.delenv(name, raising=False)
    return create_app(sample_store.root, seed=False).server.test_client()


def _index(client, url: str) -> tuple[str, str, str]:
    """The <html> tag, the <title> text and the loading text of the page Dash first sends for ``url``."""
    text = client.get(url).get_data(as_text=True)
    loading = re.search(r'<div class="_dash-loading">\s*(.*?)\s*</div>', text, re.S).group(1)
    return re.search(r"<html[^>]*>", text).group(0), re.search(r"<title>(.*?)</title>", text).group(1), loading


def _page(client, path: str, search: str) -> dict:
    """What Dash's page-routing callback answers when the browser moves to ``path`` + ``search``."""
    client.get("/")
    body = callback_body(client.get("/_dash-dependencies").get_json(), ".._pages_content",
                         {"_pages_location.pathname": path, "_pages_location.search": search})
    return client.post("/_dash-update-component", json=body).get_json()["response"]


def test_the_first_html_names_its_language_and_the_page_in_the_tab(client):
    assert _index(client, "/compare?lang=cy") == (
        '<html lang="cy">', "Cymharu – Dangosfwrdd Datgarboneiddio", "Wrthi&#x27;n llwytho...")
    assert _index(client, "/compare") == ('<html lang="en">', "Compare – Decarbonisation Dashboard", "Loading...")
    assert _index(client, "/?lang=cy")[1] == "Dangosfwrdd Datgarboneiddio"  # home is the service's name
    assert _index(client, "/receipt/x1?lang=cy")[1] == "Derbynneb – Dangosfwrdd Datgarboneiddio"
    assert _index(client, "/privacy?lang=xx")[:2] == ('<html lang="en">', "Privacy notice – Decarbonisation Dashboard")


def test_moving_to_another_page_retitles_the_tab_in_the_address_language(client):
    assert _page(client, "/wales", "?lang=cy")["_pages_store"]["data"]["title"] == (
        "Trosolwg Cymru – Dangosfwrdd Datgarboneiddio")
    assert _page(client, "/accessibility", "")["_pages_store"]["data"]["title"] == (
        "Accessibility statement – Decarbonisation Dashboard")


def test_dropdowns_say_their_own_words_in_the_page_language(client):
    content = _page(client, "/compare", "?lang=cy")["_pages_content"]["children"]
    found = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "Dropdown":
                found.append(node["props"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(content)
    bodies = next(p for p in found if p["id"] == "cmp-bodies")
    assert bodies["labels"]["select_all"] == "Dewis y cyfan"
    assert bodies["labels"]["selected_count"] == "{num_selected} wedi'u dewis"  # Dash fills the count
    assert bodies["labels"]["no_options_found"] == "Heb ddod o hyd i ddewisiadau"
    assert bodies["placeholder"] == "Dewiswch..."
    assert len(found) >= 2 and all(p["labels"]["search"] == "Chwilio" for p in found)


def test_a_dropdown_keeps_words_its_page_gave_it():
    from decarb_dashboard.web.controls import localise

    own = dcc.Dropdown(id="d", placeholder="Choose a body")
    localise([own], "cy")
    assert own.placeholder == "Choose a body" and own.labels["deselect_all"] == "Dad-ddewis y cyfan"


def test_every_page_has_the_footer_with_the_service_pages_in_its_language(client):
    layout = str(client.get("/_dash-layout").get_json())  # one layout round every page's content
    assert "'id': 'page-footer'" in layout and "'/accessibility?lang=en'" in layout
    footer = str(render_footer("?lang=cy"))
    for path in SERVICE_PAGES:
        assert f"'{path}?lang=cy'" in footer
    assert "Datganiad hygyrchedd" in footer and "Hysbysiad preifatrwydd" in footer and "Cysylltu â ni" in footer
    assert "Y sefydliad sy'n rhedeg y gwasanaeth hwn yw Llywodraeth Cymru." in footer
    english = str(render_footer(""))
    assert "'/privacy?lang=en'" in english and "This service is run by Welsh Government." in english


@pytest.mark.parametrize(("path", "lang", "words"), [
    ("/accessibility", "en", ["axe-core", "390 pixels", "Known issues",
                              "The Equality and Human Rights Commission (EHRC) is responsible for enforcing"]),
    ("/accessibility", "cy", ["axe-core", "390 picsel", "Problemau hysbys",
                              "Y Comisiwn Cydraddoldeb a Hawliau Dynol (EHRC) sy'n gyfrifol am orfodi"]),
    ("/privacy", "en", ["Welsh Government is the data controller", "after 8 hours", "15 minutes after its last",
                        "the review thread", "e-mail address"]),
    ("/privacy", "cy", ["Llywodraeth Cymru yw'r rheolydd data", "ar ôl 8 awr", "15 munud ar ôl ei fethiant",
                        "yr edefyn adolygu", "cyfeiriad e-bost"]),
    ("/contact", "en", ["This service is run by Welsh Government.", "This copy of the service has no contact"]),
    ("/contact", "cy", ["Y sefydliad sy'n rhedeg y gwasanaeth hwn yw Llywodraeth Cymru.",
                        "Nid oes cyfeiriad cyswllt wedi'i osod"]),
])
def test_each_service_page_in_each_language(client, path, lang, words):
    text = str(_page(client, path, f"?lang={lang}")["_pages_content"]["children"])
    assert [w for w in words if w not in text] == []


def test_the_owner_controller_and_contact_address_are_settings(client, monkeypatch):
    monkeypatch.setenv("DECARB_CONTACT_EMAIL", "carbon@example.gov.wales")
    monkeypatch.setenv("DECARB_SERVICE_OWNER", "Public Health Wales")
    monkeypatch.setenv("DECARB_SERVICE_OWNER_CY", "Iechyd Cyhoeddus Cymru")
    contact = str(_page(client, "/contact", "?lang=cy")["_pages_content"]["children"])
    assert "mailto:carbon@example.gov.wales" in contact and "yw Iechyd Cyhoeddus Cymru." in contact
    assert "Public Health Wales is the data controller" in str(_page(client, "/privacy", "")["_pages_content"])
    monkeypatch.setenv("DECARB_DATA_CONTROLLER", "NHS Wales Shared Services Partnership")
    assert "NHS Wales Shared Services Partnership is the data controller" in str(
        _page(client, "/privacy", "")["_pages_content"])
    assert "Run" not in str(render_footer("?lang=cy")) and "Iechyd Cyhoeddus Cymru" in str(render_footer("?lang=cy"))


def test_scripts_are_compressed_and_kept_a_year_and_pages_compressed_afresh(client):
    page = client.get("/", headers={"Accept-Encoding": "gzip"})
    script = re.search(r'src="(/_dash-component-suites/dash/dcc/dash_core_components\.v[^"]+)"',
                       gzip.decompress(page.get_data()).decode()).group(1)
    plain = client.get(script).get_data()
    zipped = client.get(script, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert zipped.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert gzip.decompress(zipped.get_data()) == plain and len(zipped.get_data()) < len(plain) / 2
    again = client.get(script, headers={"Accept-Encoding": "gzip"})  # the kept copy, the same bytes
    assert again.get_data() == zipped.get_data()
    squeezed = client.get(script, headers={"Accept-Encoding": "br, gzip"})
    assert squeezed.headers["Content-Encoding"] == "br" and brotli.decompress(squeezed.get_data()) == plain
    assert "Content-Encoding" not in client.get(script).headers  # a client that takes none gets none
    assert page.headers["Content-Encoding"] == "gzip" and "max-age=31536000" not in page.headers.get(
        "Cache-Control", "")
    unversioned = client.get("/_dash-component-suites/dash/dcc/dash_core_components.js",
                             headers={"Accept-Encoding": "gzip"})
    assert "immutable" not in unversioned.headers.get("Cache-Control", "")


def test_the_apps_own_assets_are_kept_a_year_when_their_address_carries_their_version(client):
    page = client.get("/").get_data(as_text=True)
    css = re.search(r'href="(/assets/style\.css\?m=[^"]+)"', page).group(1)
    response = client.get(css, headers={"Accept-Encoding": "gzip"})
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["Content-Encoding"] == "gzip"
    assert "immutable" not in client.get("/assets/style.css").headers.get("Cache-Control", "")
