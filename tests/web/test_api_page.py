"""The /api page: the API for people, made from the OpenAPI document, in English and Welsh."""

from __future__ import annotations

import re

import pytest
from dash import html

from decarb_dashboard.web import api, create_app
from decarb_dashboard.web.navigation import page_title
from decarb_dashboard.web.pages import api_docs


@pytest.fixture(scope="module")
def app(sample_store):
    with pytest.MonkeyPatch.context() as env:  # these tests ask more often than the default limit allows
        env.setenv("DECARB_API_RATE_LIMIT", "10000 per minute")
        return create_app(sample_store.root, seed=False)


@pytest.fixture(scope="module")
def document(app) -> dict:
    """The document as a program gets it, from /api/v1/openapi.json."""
    return app.server.test_client().get("/api/v1/openapi.json").get_json()


def page(app, lang: str) -> html.Div:
    with app.server.test_request_context(f"/api?lang={lang}"):
        return api_docs.layout(lang=lang)


def components(node: object):
    """Every component under ``node``, ``node`` first."""
    if isinstance(node, list):
        for child in node:
            yield from components(child)
        return
    if not hasattr(node, "children"):
        return
    yield node
    yield from components(node.children)


def text(node: object) -> str:
    if isinstance(node, str | int | float):
        return str(node)
    if isinstance(node, list):
        return "".join(text(n) for n in node)
    return text(getattr(node, "children", None) or "")


def words_outside_code(node: object) -> list[str]:
    """The texts a reader reads as sentences: every string not inside a <code> (paths, keys, commands)."""
    if isinstance(node, str):
        return [node] if node.strip() else []
    if isinstance(node, list):
        return [w for n in node for w in words_outside_code(n)]
    if isinstance(node, html.Code) or not hasattr(node, "children"):
        return []
    return words_outside_code(node.children)


def by_id(root, wanted: str):
    return next(c for c in components(root) if getattr(c, "id", None) == wanted)


def _parameters(document: dict, operation: dict) -> list[str]:
    out = []
    for parameter in operation["parameters"]:
        if "$ref" in parameter:
            parameter = document["components"]["parameters"][parameter["$ref"].rsplit("/", 1)[1]]
        out.append(parameter["name"])
    return out


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_the_page_lists_every_path_parameter_and_status_of_the_document(app, document, lang):
    shown = page(app, lang)
    headings = [text(c).removeprefix("GET ") for c in components(shown) if isinstance(c, html.H2)
                and isinstance(c.children, html.Code)]
    assert headings == list(document["paths"])  # every path, in the document's order, and nothing else
    assert len(headings) == 8
    for path, item in document["paths"].items():
        name = item["get"]["operationId"]
        table = by_id(shown, f"api-{name}-parameters")
        names = [text(row.children[0]) for row in table.children[2].children]
        assert names == _parameters(document, item["get"]), path
    section = next(c for c in components(shown) if isinstance(c, html.Section)
                   and text(c.children[0]) == "GET /api/v1/bodies/{body}/comparison/{year}")
    assert text(section.children[-1]).endswith("200, 304, 400, 404, 429.")


def test_the_page_lists_the_keys_of_each_answer_with_their_units(app):
    shown = page(app, "en")
    keys = {text(row.children[0]) for row in by_id(shown, "api-returns-keys").children[2].children}
    assert {"organisation_id", "lines", "lines[].emissions_tco2e", "lines[].activity_unit"} <= keys
    bodies = {text(row.children[0]): text(row.children[1])
              for row in by_id(shown, "api-bodies-keys").children[2].children}
    assert bodies["bodies[].floor_area_m2"] == "The floor area of its buildings, m2."
    assert bodies["links.next"] == "The next page's address (null on the last page)."
    assert {"page", "per_page", "pages", "count", "bodies[].gross_expenditure_gbp_m"} <= set(bodies)


def test_the_welsh_page_says_no_sentence_of_the_english_one(app):
    english = set(words_outside_code(page(app, "en")))
    welsh = words_outside_code(page(app, "cy"))
    same = [w for w in welsh if w in english and not re.fullmatch(r"[\d\s.,:]+", w)]
    assert same == []
    assert "Cofrestr y cyrff" in welsh and "Trwydded Llywodraeth Agored v3.0" in welsh
    assert page_title("/api", "cy").startswith("Yr API")


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_every_text_of_the_document_is_the_catalogue_s(app, lang):
    with app.server.app_context():
        document = api.document(app.server, lang)
    texts = []

    def walk(node, key=None):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v)
        elif key in ("summary", "description"):
            texts.append(node)

    walk(document)
    assert len(texts) > 100
    assert [t for t in texts if re.fullmatch(r"api_[a-z0-9_]+", t)] == []  # a key with no text in the catalogue
    if lang == "cy":
        with app.server.app_context():
            english = api.document(app.server, "en")
        assert document["paths"]["/api/v1/bodies"]["get"]["summary"] == "Cofrestr y cyrff"
        assert english["paths"]["/api/v1/bodies"]["get"]["summary"] == "The register of bodies"


def _schema_keys(document: dict, schema: dict) -> dict:
    """{key: nested keys} of a schema (a list's items' keys under its key)."""
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    out = {}
    for key, prop in schema.get("properties", {}).items():
        items = prop.get("items", {})
        out[key] = sorted(items.get("properties", {})) or sorted(prop.get("properties", {}))
    return out


@pytest.mark.parametrize("path", ["/api/v1/bodies", "/api/v1/factors", "/api/v1/bodies/cardiff/returns/2022-23",
                                  "/api/v1/bodies/cardiff/comparison/2022-23", "/api/v1/overview/2022-23"])
def test_each_answer_has_exactly_the_keys_the_document_lists(app, document, path):
    template = next(p for p in document["paths"] if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", p), path))
    schema = document["paths"][template]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    listed = _schema_keys(document, schema)
    answer = app.server.test_client().get(path).get_json()
    assert list(answer) == list(listed)
    for key, nested in listed.items():
        if nested and isinstance(answer[key], list):
            assert sorted(answer[key][0]) == nested, key
        elif nested and key == "links":
            assert sorted(answer[key]) == nested


def curl_lines(shown) -> dict[str, str]:
    return {c.id: text(c) for c in components(shown) if isinstance(c, html.Pre)}


def test_each_curl_example_is_an_address_of_this_site_that_answers(app, monkeypatch):
    monkeypatch.delenv("DECARB_PUBLIC_URL", raising=False)
    lines = curl_lines(page(app, "en"))
    assert lines["api-comparison-curl"] == "curl 'http://localhost/api/v1/bodies/cardiff/comparison/2022-23'"
    client = app.server.test_client()
    for line in lines.values():
        address = re.fullmatch(r"curl '(http://localhost)(/api/v1/\S+)'", line)
        assert address is not None, line
        assert client.get(address[2]).status_code == 200, line
    monkeypatch.setenv("DECARB_PUBLIC_URL", "https://decarb.example.gov.wales/")
    assert curl_lines(page(app, "cy"))["api-overview-curl"] == \
        "curl 'https://decarb.example.gov.wales/api/v1/overview/2022-23'"


@pytest.mark.parametrize(("limit", "lang", "words"), [
    ("120 per minute", "en", "120 requests a minute"),
    ("120 per minute", "cy", "120 cais y funud"),
    ("1 per second", "en", "1 request a second"),
    ("2 per hour", "cy", "2 gais yr awr"),
    ("60 per minute;1000 per day", "en", "60 requests a minute and 1,000 requests a day"),
    ("60 per minute;1000 per day", "cy", "60 cais y funud a 1,000 cais y dydd"),
    ("10 per 5 minutes", "en", "10 requests every 5 minutes"),
    ("10 per 5 minutes", "cy", "10 cais bob 5 munud"),
])
def test_the_rate_limit_in_words(limit, lang, words):
    assert api_docs.rate_limit_words(limit, lang) == words


def test_the_page_says_the_deployment_s_rate_limit_licence_and_publication(app, monkeypatch):
    monkeypatch.setenv("DECARB_API_RATE_LIMIT", "30 per minute;500 per day")
    monkeypatch.setenv("DECARB_DATA_LICENCE", "CC BY 4.0")
    monkeypatch.setenv("DECARB_DATA_LICENCE_URL", "https://creativecommons.org/licenses/by/4.0/")
    monkeypatch.setenv("DECARB_PUBLISH", "accepted")
    shown = page(app, "en")
    assert "30 requests a minute and 500 requests a day" in text(by_id(shown, "api-rate-limit"))
    licence = by_id(shown, "api-licence")
    assert (licence.children, licence.href) == ("CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/")
    assert "only returns Welsh Government has accepted" in text(shown)
    assert by_id(shown, "api-openapi").href == "/api/v1/openapi.json"
    errors = {text(row.children[0]): text(row.children[1]) for row in by_id(shown, "api-errors").children[2].children}
    assert errors == {code: str(status) for code, status in api.ERRORS.items()}
