"""``/api``: the read-only JSON API for people, made from its OpenAPI document in the page's language.

Everything listed per endpoint (its path, what it answers, its parameters, the JSON keys of its answer, the HTTP
statuses it answers with) is read from :func:`decarb_dashboard.web.api.document`, the same document as
``/api/v1/openapi.json`` with its texts in the page's language: the page cannot list an endpoint, a parameter or a
key the API does not have, nor leave one out.
"""

from __future__ import annotations

import datetime as dt
import functools

import dash
import flask
from babel.dates import format_timedelta
from dash import Dash, html
from limits import parse_many

from decarb_dashboard import config, notify
from decarb_dashboard.web import api
from decarb_dashboard.web.i18n import language, t
from uploads_schema import i18n

PATH = "/api"


def rate_limit_words(limit: str, lang: str) -> str:
    """Say a rate limit in Flask-Limiter's notation in words: "60 per minute;1000 per day" -> "60 requests a minute
    and 1,000 requests a day" (a period of several units by CLDR's words for it: "every 5 minutes")."""
    said = []
    for item in parse_many(limit):
        if item.multiples == 1:
            period = t(f"api_per_{item.GRANULARITY.name}", lang)
        else:
            duration = dt.timedelta(seconds=item.get_expiry())
            period = t("api_every", lang, period=format_timedelta(duration, locale=i18n.babel_locale(lang)))
        said.append(t("api_requests", lang, count=item.amount, number=i18n.number(item.amount, 0, lang),
                      period=period))
    return functools.reduce(lambda first, second: t("api_and", lang, first=first, second=second), said)


def site_address() -> str:
    """This site's address as its users reach it: ``DECARB_PUBLIC_URL``, else the address this page was asked at."""
    return notify.public_url() or flask.request.host_url.rstrip("/")


def _resolve(document: dict, node: dict) -> dict:
    """``node`` itself, or the component its ``$ref`` names."""
    while "$ref" in node:
        *_, kind, name = node["$ref"].split("/")
        node = document["components"][kind][name]
    return node


def _rows(schema: dict, document: dict, prefix: str = "") -> list[tuple[str, str]]:
    """(key, meaning) of every key of an answer's schema, a list's items as ``lines[].emissions_tco2e``."""
    out = []
    for key, prop in _resolve(document, schema).get("properties", {}).items():
        out.append((prefix + key, prop.get("description", "")))
        if "properties" in prop:
            out += _rows(prop, document, f"{prefix}{key}.")
        if "items" in prop:
            out += _rows(prop["items"], document, f"{prefix}{key}[].")
    return out


def _table(caption: str, headers: list[str], rows: list[list], table_id: str) -> html.Div:
    head = html.Thead(html.Tr([html.Th(h, scope="col") for h in headers]))
    body = html.Tbody([html.Tr([html.Td(cell) for cell in row]) for row in rows])
    return html.Div(html.Table([html.Caption(caption), head, body], className="data-table", id=table_id),
                    className="table-scroll", tabIndex="0", role="region", **{"aria-label": caption})


def example_address(path: str, operation: dict, document: dict) -> str:
    """The address of an example request of ``operation``: ``path`` with each path parameter's example."""
    for parameter in (_resolve(document, p) for p in operation.get("parameters", [])):
        if parameter["in"] == "path":
            path = path.replace("{" + parameter["name"] + "}", str(parameter["example"]))
    return site_address() + path


def endpoint(path: str, operation: dict, document: dict, lang: str) -> html.Section:
    """One endpoint: what it answers, its parameters, the keys of its answer, an example and its HTTP statuses."""
    name = operation["operationId"]
    parameters = [_resolve(document, p) for p in operation.get("parameters", [])]
    answer = operation["responses"]["200"]["content"]["application/json"]["schema"]
    keys = _rows(answer, document)
    return html.Section(
        [
            html.H2(html.Code(f"GET {path}"), id=f"api-{name}"),
            html.P(html.Strong(operation["summary"])),
            html.P(operation["description"]),
            _table(t("api_page_parameters", lang), [t("api_page_col_name", lang), t("api_page_col_in", lang),
                                                    t("api_page_col_required", lang), t("api_page_col_meaning", lang)],
                   [[html.Code(p["name"]), t(f"api_in_{p['in']}", lang),
                     t("api_page_required" if p.get("required") else "api_page_optional", lang), p["description"]]
                    for p in parameters], f"api-{name}-parameters"),
            *([_table(t("api_page_keys", lang), [t("api_page_col_key", lang), t("api_page_col_meaning", lang)],
                      [[html.Code(key), meaning] for key, meaning in keys], f"api-{name}-keys")] if keys else []),
            html.H3(t("api_page_example", lang)),
            html.Pre(html.Code(f"curl '{example_address(path, operation, document)}'"), id=f"api-{name}-curl",
                     tabIndex="0"),
            html.P(t("api_page_statuses", lang, statuses=", ".join(sorted(operation["responses"])))),
        ],
        className="api-endpoint",
    )


def layout(lang: str = "en", **_query: str) -> html.Div:
    """Return the page in ``lang``: how every endpoint behaves, its errors, then each endpoint of the document."""
    lang = language(lang)
    document = api.document(flask.current_app, lang)
    licence, licence_url = config.data_licence(lang)
    codes = document["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]["enum"]
    published = "api_page_published_accepted" if config.publish_accepted_only() else "api_page_published_all"
    openapi = f"{api.PREFIX}/openapi.json"
    return html.Div(
        [
            html.H1(t("api_page_title", lang)),
            html.P(document["info"]["description"]),
            html.P(t(published, lang)),
            html.P([t("api_page_openapi", lang), " ", html.A(html.Code(openapi), href=openapi, id="api-openapi")]),
            html.H2(t("api_page_general_heading", lang)),
            html.Ul(
                [
                    html.Li(t("api_page_rate_limit", lang, limit=rate_limit_words(config.api_rate_limit(), lang)),
                            id="api-rate-limit"),
                    html.Li(t("api_page_caching", lang)),
                    html.Li(t("api_page_cors", lang)),
                    html.Li(t("api_page_pagination", lang, default=api.PER_PAGE_DEFAULT, maximum=api.PER_PAGE_MAX)),
                    html.Li(t("api_page_language", lang)),
                    html.Li([t("api_page_licence", lang), " ", html.A(licence, href=licence_url, id="api-licence")]),
                ]
            ),
            html.H2(t("api_page_errors_heading", lang)),
            html.P(t("api_page_errors", lang)),
            _table(t("api_page_errors_caption", lang),
                   [t("api_page_col_code", lang), t("api_page_col_status", lang), t("api_page_col_meaning", lang)],
                   [[html.Code(code), str(api.ERRORS[code]), t(f"api_code_{code}", lang)] for code in codes],
                   "api-errors"),
            *[endpoint(path, operation, document, lang)
              for path, item in document["paths"].items() for operation in item.values()],
        ],
        className="service-page api-page",
    )


def register(app: Dash) -> None:
    """Register the page at ``/api``."""
    dash.register_page(__name__, path=PATH, layout=layout)
