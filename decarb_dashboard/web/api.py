"""``/api/v1/``: the read-only JSON API, on the Dash app's Flask server.

Every figure is the published one (the engine the public pages read, so ``DECARB_PUBLISH=accepted``
applies), and each endpoint answers exactly what the CLI prints with ``--json``: the same
library function (:func:`decarb_dashboard.compare.compare`, :func:`decarb_dashboard.rollups.overview`)
is called. Responses carry an ETag (a 304 answers a matching ``If-None-Match``), ``Cache-Control``
and, for GET, ``Access-Control-Allow-Origin: *`` (flask-cors). Errors are
``{"error": {"code", "message"}}`` in the ``?lang=`` or ``Accept-Language`` language.

The OpenAPI 3.1 document at ``/api/v1/openapi.json`` is built by apispec's Flask plugin from the
YAML after ``---`` in each view's docstring below, so the document and the routes cannot drift apart.
"""

from __future__ import annotations

import json
import time

import flask
from apispec import APISpec, BasePlugin
from apispec_webframeworks.flask import FlaskPlugin
from dash import Dash
from flask_cors import CORS
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address

from decarb_dashboard import config, peers, rollups
from decarb_dashboard.compare import compare, json_ready
from decarb_dashboard.factors import load_factors
from decarb_dashboard.web import data
from decarb_dashboard.web.i18n import language, languages, t
from uploads_schema.vocabulary import vocabulary

PREFIX = "/api/v1"
#: How long a client may reuse an answer without asking again: none, it revalidates with its ETag.
CACHE_CONTROL = "public, no-cache"
PER_PAGE_DEFAULT = 50
PER_PAGE_MAX = 200
#: The register's columns the API gives for a body (each key carries its unit).
BODY_FIELDS = ["id", "ons_code", "type", "name_en", "name_cy", "short_name_en", "short_name_cy", "region",
               "coverage", "ccr_member", "population", "population_year", "staff_fte", "floor_area_m2",
               "gross_expenditure_gbp_m", "own_baseline_year", "provenance"]
#: The factor table's columns (``decarb factors list``) and a return line's (the store's current lines, less the
#: body and year the address names), in the order they are answered.
FACTOR_FIELDS = ["factor_year", "activity", "unit", "kgco2e_per_unit", "scope", "confirmed", "source", "note"]
LINE_FIELDS = ["category", "source", "scope", "activity_amount", "activity_unit", "emissions_tco2e", "status",
               "method", "notes", "row", "submission_id"]
#: The top-level keys of ``decarb compare --json`` and ``decarb overview --json`` (a test checks they are all).
#: decarb plan --json's keys (:func:`decarb_dashboard.plan.plan_of`).
PLAN_KEYS = ["organisation_id", "organisation_name", "reported_tco2e", "baseline_tco2e", "latest_year", "latest_tco2e",
             "path_2030_tco2e", "path_tco2e", "scenarios", "projects", "coverage", "notes"]
#: decarb plan --rollup --json's keys (:func:`decarb_dashboard.plan.rollup`).
PLANS_KEYS = ["all_wales", "sector", "region"]
COMPARISON_KEYS = ["schema_version", "organisation", "reporting_year", "baseline_year", "total_tco2e",
                   "total_without_supply_chain_tco2e", "land_tco2e", "net_tco2e", "total_categories", "by_scope",
                   "categories", "change_vs_baseline_tco2e", "change_vs_baseline_pct",
                   "change_vs_baseline_categories", "change_vs_baseline_left_out", "own_baseline",
                   "change_year_on_year_tco2e", "change_year_on_year_pct", "change_year_on_year_categories",
                   "change_year_on_year_left_out", "intensities", "include_supply_chain", "peer_group",
                   "trajectory", "restatement", "quality_flags", "factor_warnings",
                   "computed_with_unconfirmed_factors"]
OVERVIEW_KEYS = ["schema_version", "reporting_year", "baseline_year", "adequate_coverage_pct", "all_wales",
                 "by_sector", "by_region", "trajectory"]

blueprint = flask.Blueprint("api_v1", __name__, url_prefix=PREFIX)


#: Every error code the API answers, with its HTTP status: the OpenAPI document's ``Error.code`` and the /api page
#: list these (each code's meaning is ``api_code_<code>`` in the web catalogue).
ERRORS = {"bad_parameter": 400, "unknown_body": 404, "unknown_year": 404, "no_return": 404,
          "unknown_endpoint": 404, "rate_limited": 429}


class ApiError(Exception):
    """An answer other than 200: a code for programs (its HTTP status is ``ERRORS[code]``) and a message key."""

    def __init__(self, code: str, key: str, **params: object) -> None:
        super().__init__(code)
        self.status, self.code, self.key, self.params = ERRORS[code], code, key, params


def _lang() -> str:
    asked = flask.request.args.get("lang")
    if asked:
        return language(asked)
    return flask.request.accept_languages.best_match(languages()) or languages()[0]


def _answer(payload: object, status: int = 200) -> flask.Response:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    response = flask.Response(body, status=status, mimetype="application/json")
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.headers["Content-Language"] = _lang()
    if status == 200:
        response.add_etag()
        response.make_conditional(flask.request)
    return response


@blueprint.errorhandler(ApiError)
def _api_error(error: ApiError) -> flask.Response:
    lang = _lang()
    return _answer({"error": {"code": error.code, "message": t(error.key, lang, **error.params)}}, error.status)


@blueprint.errorhandler(RateLimitExceeded)
def _too_many(error: RateLimitExceeded) -> flask.Response:
    lang = _lang()
    response = _answer({"error": {"code": "rate_limited", "message": t(
        "api_error_rate_limited", lang, limit=str(error.limit.limit))}}, ERRORS["rate_limited"])
    breached = next(iter(flask.current_app.extensions["limiter"])).current_limit
    if breached is not None:  # the limit this request broke: the seconds until its window resets
        response.headers["Retry-After"] = str(max(1, int(breached.reset_at - time.time())))
    return response


def _int_arg(name: str, default: int, maximum: int) -> int:
    raw = flask.request.args.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise ApiError("bad_parameter", "api_error_bad_number", name=name, maximum=maximum)
    return int(raw)


def _choice_arg(name: str, default: str, choices: list[str]) -> str:
    value = flask.request.args.get(name, default)
    if value not in choices:
        raise ApiError("bad_parameter", "api_error_bad_choice", name=name, choices=", ".join(choices))
    return value


def _known(engine, body: str | None, year: str | None) -> None:
    if body is not None and body not in set(engine.registry["id"]):
        raise ApiError("unknown_body", "api_error_unknown_body", body=body)
    if year is not None and year not in engine.years():
        raise ApiError("unknown_year", "api_error_unknown_year", year=year)


def _page_link(page: int, per_page: int) -> str:
    return flask.url_for(flask.request.endpoint, page=page, per_page=per_page, **flask.request.view_args)


@blueprint.get("/bodies")
def bodies() -> flask.Response:
    """The register of public bodies, a page at a time.
    ---
    get:
      operationId: bodies
      summary: api_bodies_summary
      description: api_bodies_description
      parameters: [page, per_page]
      responses:
        "200":
          description: api_bodies_returns
          content: {application/json: {schema: {$ref: "#/components/schemas/BodiesPage"}}}
        "400": {$ref: "#/components/responses/Error"}
    """
    return _paginated(data.engine().registry[BODY_FIELDS], "bodies")


def _paginated(frame, key: str) -> flask.Response:
    """Answer a page of ``frame``'s rows (``?page=&per_page=``) under ``key``, with links to the pages either side.

    The one pagination of the API: ``/bodies`` and ``/factors`` both answer through it, and their documents share
    its parameters (``#/components/parameters/page``) and its envelope (:func:`_page_schema`).
    """
    per_page = _int_arg("per_page", PER_PAGE_DEFAULT, PER_PAGE_MAX)
    pages = max(1, -(-len(frame) // per_page))
    page = _int_arg("page", 1, pages)
    rows = frame.iloc[(page - 1) * per_page: page * per_page]
    links = {"self": _page_link(page, per_page),
             "next": _page_link(page + 1, per_page) if page < pages else None,
             "prev": _page_link(page - 1, per_page) if page > 1 else None}
    return _answer({"page": page, "per_page": per_page, "pages": pages, "count": len(frame),
                    # pandas' JSON writer, not json_ready: a factor must keep every digit it is published with
                    "links": links, key: json.loads(rows.to_json(orient="records", double_precision=15))})


@blueprint.get("/factors")
def factors() -> flask.Response:
    """The conversion factors the figures are worked out with, a page at a time (as ``decarb factors list``).
    ---
    get:
      operationId: factors
      summary: api_factors_summary
      description: api_factors_description
      parameters: [page, per_page]
      responses:
        "200":
          description: api_factors_returns
          content: {application/json: {schema: {$ref: "#/components/schemas/FactorsPage"}}}
        "400": {$ref: "#/components/responses/Error"}
    """
    return _paginated(load_factors(data.data_dir())[FACTOR_FIELDS], "factors")


@blueprint.get("/bodies/<body>/comparison/<year>")
def comparison(body: str, year: str) -> flask.Response:
    """A body's comparison with its peers in a year: exactly ``decarb compare --org BODY --year YEAR --json``.
    ---
    get:
      operationId: comparison
      summary: api_comparison_summary
      description: api_comparison_description
      parameters: [body, year, metric, peers]
      responses:
        "200":
          description: api_comparison_returns
          content: {application/json: {schema: {$ref: "#/components/schemas/Comparison"}}}
        "400": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
    """
    engine = data.engine()
    _known(engine, body, year)
    metric = _choice_arg("metric", "total", list(vocabulary().metrics))
    group = _choice_arg("peers", "type", list(vocabulary().peer_groups))
    return _answer(compare(engine, body, year, peer_group=group, metric=metric))


@blueprint.get("/bodies/<body>/plan")
def body_plan(body: str) -> flask.Response:
    """A body's net zero plan: exactly ``decarb plan --org BODY --json``.
    ---
    get:
      operationId: plan
      summary: api_plan_summary
      description: api_plan_description
      parameters: [body]
      responses:
        "200":
          description: api_plan_returns
          content: {application/json: {schema: {$ref: "#/components/schemas/Plan"}}}
        "404": {$ref: "#/components/responses/Error"}
    """
    from decarb_dashboard.plan import plan_of

    engine = data.engine()
    _known(engine, body, None)
    return _answer(plan_of(engine, data.store(), body))


@blueprint.get("/plan")
def plans() -> flask.Response:
    """All Wales's, each sector's and each region's net zero plan: exactly ``decarb plan --rollup --json``.
    ---
    get:
      operationId: plans
      summary: api_plans_summary
      description: api_plans_description
      responses:
        "200":
          description: api_plans_returns
          content: {application/json: {schema: {$ref: "#/components/schemas/Plans"}}}
    """
    from decarb_dashboard.plan import rollup

    return _answer(rollup(data.engine(), data.store()))


@blueprint.get("/bodies/<body>/returns/<year>")
def returns(body: str, year: str) -> flask.Response:
    """A body's current (published) return for a year, line by line, with each line's provenance.
    ---
    get:
      operationId: returns
      summary: api_returns_summary
      description: api_returns_description
      parameters: [body, year]
      responses:
        "200":
          description: api_returns_returns
          content: {application/json: {schema: {$ref: "#/components/schemas/Return"}}}
        "404": {$ref: "#/components/responses/Error"}
    """
    engine = data.engine()
    _known(engine, body, None)
    lines = data.store().current_lines(body, year, accepted_only=config.publish_accepted_only())
    if lines.empty:
        raise ApiError("no_return", "api_error_no_return", body=body, year=year)
    records = json_ready(lines.drop(columns=["organisation_id", "reporting_year"]).to_dict("records"))
    return _answer({"organisation_id": body, "reporting_year": year, "lines": records})


@blueprint.get("/overview/<year>")
def overview(year: str) -> flask.Response:
    """All of Wales in a year: exactly ``decarb overview --year YEAR --json``.
    ---
    get:
      operationId: overview
      summary: api_overview_summary
      description: api_overview_description
      parameters: [year, gap_fill]
      responses:
        "200":
          description: api_overview_returns
          content: {application/json: {schema: {$ref: "#/components/schemas/Overview"}}}
        "400": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
    """
    engine = data.engine()
    _known(engine, None, year)
    gap_fill = _choice_arg("gap_fill", "false", ["true", "false"]) == "true"
    flags = peers.year_flags(engine, year)  # kept per engine: the published one's, not the pages' drafts
    return _answer(json_ready(rollups.overview(engine.categories, engine.registry, year, flags, gap_fill)))


@blueprint.get("/<path:anything>")
def unknown(anything: str) -> flask.Response:
    """Any other address under /api/v1/: a JSON 404 (not the dashboard's page, which Dash gives any other path)."""
    raise ApiError("unknown_endpoint", "api_error_unknown_endpoint", path=f"{PREFIX}/{anything}")


@blueprint.get("/openapi.json")
def openapi_document() -> flask.Response:
    """This API's OpenAPI 3.1 document.
    ---
    get:
      operationId: openapi
      summary: api_openapi_summary
      description: api_openapi_description
      responses:
        "200":
          description: api_openapi_returns
          content: {application/json: {schema: {type: object}}}
    """
    return _answer(document(flask.current_app))


#: The views the document describes, in the order the /api page lists them.
VIEWS = (bodies, returns, comparison, body_plan, overview, plans, factors, openapi_document)


def _keys(names: list[str], of: str = "", **nested: dict) -> dict:
    """A JSON object schema of ``names``, each described by the catalogue key ``api_key_<of><name>`` (the name says
    the unit: ``emissions_tco2e``); ``of`` tells apart a name two objects use for different things (``source``)."""
    return {"type": "object",
            "properties": {n: {"description": f"api_key_{of}{n}", **nested.get(n, {})} for n in names}}


def _page_schema(key: str, item_fields: list[str]) -> dict:
    """The envelope :func:`_paginated` answers: the page, the counts, the links and the rows under ``key``."""
    page = _keys(["page", "per_page", "pages", "count", "links", key],
                 **{key: {"type": "array", "items": _keys(item_fields, of=f"{key}_")}})
    page["properties"]["links"] |= _keys(["self", "next", "prev"])
    return page


def openapi_spec(app: flask.Flask) -> APISpec:
    """Build the OpenAPI 3.1 document of the API from its routes' docstrings, its texts as catalogue keys.

    Every ``summary`` and ``description`` is a key of the web catalogue: :func:`document` gives them in a language.
    Declared once here, for every operation: the ``lang`` parameter, the 304 of a matching ETag and the 429 of the
    rate limit.
    """
    spec = APISpec(title="decarb-dashboard API", version="1.0.0", openapi_version="3.1.0",
                   plugins=[FlaskPlugin(), _EveryOperation()], info={"description": "api_intro"})
    spec.components.schema("Error", {"type": "object", "required": ["error"], "properties": {"error": {
        "type": "object", "required": ["code", "message"], "properties": {
            "code": {"type": "string", "enum": list(ERRORS), "description": "api_key_code"},
            "message": {"type": "string", "description": "api_key_message"}}}}})
    spec.components.schema("BodiesPage", _page_schema("bodies", BODY_FIELDS))
    spec.components.schema("FactorsPage", _page_schema("factors", FACTOR_FIELDS))
    spec.components.schema("Return", _keys(["organisation_id", "reporting_year", "lines"],
                                           lines={"type": "array", "items": _keys(LINE_FIELDS, of="line_")}))
    spec.components.schema("Comparison", _keys(COMPARISON_KEYS))
    spec.components.schema("Overview", _keys(OVERVIEW_KEYS))
    spec.components.schema("Plan", _keys(PLAN_KEYS))
    spec.components.schema("Plans", _keys(PLANS_KEYS, "plans_"))
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    spec.components.response("Error", {"description": "api_error_response", "content": error})
    spec.components.response("NotModified", {"description": "api_not_modified"})
    for name, where, schema, example in (
            ("page", "query", {"type": "integer", "minimum": 1, "default": 1}, None),
            ("per_page", "query", {"type": "integer", "minimum": 1, "maximum": PER_PAGE_MAX,
                                   "default": PER_PAGE_DEFAULT}, None),
            ("body", "path", {"type": "string"}, "cardiff"),
            ("year", "path", {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"}, "2022-23"),
            ("metric", "query", {"type": "string", "enum": list(vocabulary().metrics), "default": "total"}, None),
            ("peers", "query", {"type": "string", "enum": list(vocabulary().peer_groups), "default": "type"}, None),
            ("gap_fill", "query", {"type": "boolean", "default": False}, None),
            ("lang", "query", {"type": "string", "enum": list(languages())}, None)):
        spec.components.parameter(name, where, {"description": f"api_param_{name}", "schema": schema,
                                                **({"example": example} if example else {})})
    for view in VIEWS:
        spec.path(view=view, app=app)
    return spec


class _EveryOperation(BasePlugin):
    """What every operation has, said once: ``lang`` for its messages, a 304 for its ETag, the rate limit's 429."""

    def operation_helper(self, path: str | None = None, operations: dict | None = None, **kwargs: object) -> None:
        for operation in (operations or {}).values():
            operation.setdefault("parameters", []).append("lang")
            operation["responses"].setdefault("304", {"$ref": "#/components/responses/NotModified"})
            operation["responses"]["429"] = {"$ref": "#/components/responses/Error"}


def document(app: flask.Flask, lang: str = "en") -> dict:
    """Return the OpenAPI document as a dict, its every ``summary`` and ``description`` in ``lang``.

    ``/api/v1/openapi.json`` is it in English; the /api page reads it in the page's language, so that the two
    cannot differ.
    """
    def localised(node: object, key: str | None = None) -> object:
        if isinstance(node, dict):
            return {k: localised(v, k) for k, v in node.items()}
        if isinstance(node, list):
            return [localised(v) for v in node]
        return t(node, lang) if key in ("summary", "description") and isinstance(node, str) else node

    return localised(openapi_spec(app).to_dict())


def register(app: Dash) -> None:
    """Serve the API on ``app``'s Flask server; any origin may GET it, each client at most ``DECARB_API_RATE_LIMIT``.

    The counts are kept in the process's memory: behind several workers each counts its own.
    """
    # No X-RateLimit headers: Flask-Limiter's (RATELIMIT_HEADERS_ENABLED) put a Retry-After on every 200 as well;
    # only the 429 says when to come back (_too_many).
    limiter = Limiter(get_remote_address, app=app.server, storage_uri="memory://", headers_enabled=False,
                      default_limits=[])
    limiter.limit(config.api_rate_limit())(blueprint)
    app.server.register_blueprint(blueprint)
    CORS(app.server, resources={rf"{PREFIX}/*": {"origins": "*", "methods": ["GET"], "send_wildcard": True}})
