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
import math
import time

import flask
from apispec import APISpec
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

blueprint = flask.Blueprint("api_v1", __name__, url_prefix=PREFIX)


class ApiError(Exception):
    """An answer other than 200: an HTTP status, a code for programs and a message key (web domain)."""

    def __init__(self, status: int, code: str, key: str, **params: object) -> None:
        super().__init__(code)
        self.status, self.code, self.key, self.params = status, code, key, params


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
    response = _answer({"error": {"code": "rate_limited",
                                  "message": t("api_error_rate_limited", lang, limit=str(error.limit.limit))}}, 429)
    breached = next(iter(flask.current_app.extensions["limiter"])).current_limit
    if breached is not None:  # the limit this request broke: the seconds until its window resets
        response.headers["Retry-After"] = str(max(1, math.ceil(breached.reset_at - time.time())))
    return response


def _int_arg(name: str, default: int, maximum: int) -> int:
    raw = flask.request.args.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise ApiError(400, "bad_parameter", "api_error_bad_number", name=name, maximum=maximum)
    return int(raw)


def _choice_arg(name: str, default: str, choices: list[str]) -> str:
    value = flask.request.args.get(name, default)
    if value not in choices:
        raise ApiError(400, "bad_parameter", "api_error_bad_choice", name=name, choices=", ".join(choices))
    return value


def _known(engine, body: str | None, year: str | None) -> None:
    if body is not None and body not in set(engine.registry["id"]):
        raise ApiError(404, "unknown_body", "api_error_unknown_body", body=body)
    if year is not None and year not in engine.years():
        raise ApiError(404, "unknown_year", "api_error_unknown_year", year=year)


def _page_link(page: int, per_page: int) -> str:
    return flask.url_for(flask.request.endpoint, page=page, per_page=per_page, **flask.request.view_args)


@blueprint.get("/bodies")
def bodies() -> flask.Response:
    """The register of public bodies, a page at a time.
    ---
    get:
      summary: The register of bodies
      description: Every registered body with its type, region and denominators, a page at a time.
      parameters:
        - {name: page, in: query, schema: {type: integer, minimum: 1, default: 1}}
        - {name: per_page, in: query, schema: {type: integer, minimum: 1, maximum: 200, default: 50}}
      responses:
        "200":
          description: A page of bodies, with links to the next and previous pages.
          content:
            application/json:
              schema: {$ref: "#/components/schemas/BodiesPage"}
        "304": {description: Not modified since the ETag given in If-None-Match.}
        "400": {$ref: "#/components/responses/Error"}
    """
    return _paginated(data.engine().registry[BODY_FIELDS], "bodies")


def _paginated(frame, key: str) -> flask.Response:
    """Answer a page of ``frame``'s rows (``?page=&per_page=``) under ``key``, with links to the pages either side."""
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
      summary: The conversion factors
      description: "Every conversion factor in use (kgCO2e per unit of activity), by factor year, with its
        source; the table `decarb factors list` prints."
      parameters:
        - {name: page, in: query, schema: {type: integer, minimum: 1, default: 1}}
        - {name: per_page, in: query, schema: {type: integer, minimum: 1, maximum: 200, default: 50}}
      responses:
        "200":
          description: A page of factors, with links to the next and previous pages.
          content: {application/json: {schema: {type: object}}}
        "304": {description: Not modified since the ETag given in If-None-Match.}
        "400": {$ref: "#/components/responses/Error"}
    """
    return _paginated(load_factors(data.data_dir()), "factors")


@blueprint.get("/bodies/<body>/comparison/<year>")
def comparison(body: str, year: str) -> flask.Response:
    """A body's comparison with its peers in a year: exactly ``decarb compare --org BODY --year YEAR --json``.
    ---
    get:
      summary: A body compared with its peers
      description: "Totals, categories, changes, intensities, peer ranking, trajectory and quality flags;
        the JSON of `decarb compare --json`."
      parameters:
        - {name: body, in: path, required: true, schema: {type: string}, description: The body's register id.}
        - {name: year, in: path, required: true, schema: {type: string, pattern: "^[0-9]{4}-[0-9]{2}$"}}
        - {name: metric, in: query, schema: {type: string, default: total}}
        - {name: peers, in: query, schema: {type: string, default: type}, description: The peer group.}
      responses:
        "200":
          description: The comparison.
          content: {application/json: {schema: {type: object}}}
        "304": {description: Not modified since the ETag given in If-None-Match.}
        "400": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
    """
    engine = data.engine()
    _known(engine, body, year)
    metric = _choice_arg("metric", "total", list(vocabulary().metrics))
    group = _choice_arg("peers", "type", list(vocabulary().peer_groups))
    return _answer(compare(engine, body, year, peer_group=group, metric=metric))


@blueprint.get("/bodies/<body>/returns/<year>")
def returns(body: str, year: str) -> flask.Response:
    """A body's current (published) return for a year, line by line, with each line's provenance.
    ---
    get:
      summary: A body's return for a year
      description: "The lines of the body's current return (with `DECARB_PUBLISH=accepted`, its newest
        accepted one): category, source, scope, activity and its unit, tCO2e, status, method, notes,
        and the submission and row each line came from."
      parameters:
        - {name: body, in: path, required: true, schema: {type: string}, description: The body's register id.}
        - {name: year, in: path, required: true, schema: {type: string, pattern: "^[0-9]{4}-[0-9]{2}$"}}
      responses:
        "200":
          description: The return's lines.
          content: {application/json: {schema: {type: object}}}
        "304": {description: Not modified since the ETag given in If-None-Match.}
        "404": {$ref: "#/components/responses/Error"}
    """
    engine = data.engine()
    _known(engine, body, None)
    lines = data.store().current_lines(body, year, accepted_only=config.publish_accepted_only())
    if lines.empty:
        raise ApiError(404, "no_return", "api_error_no_return", body=body, year=year)
    records = json_ready(lines.drop(columns=["organisation_id", "reporting_year"]).to_dict("records"))
    return _answer({"organisation_id": body, "reporting_year": year, "lines": records})


@blueprint.get("/overview/<year>")
def overview(year: str) -> flask.Response:
    """All of Wales in a year: exactly ``decarb overview --year YEAR --json``.
    ---
    get:
      summary: The all-Wales overview of a year
      description: "Totals by sector and region, like-for-like change, trajectory and flagged bodies;
        the JSON of `decarb overview --json`."
      parameters:
        - {name: year, in: path, required: true, schema: {type: string, pattern: "^[0-9]{4}-[0-9]{2}$"}}
        - {name: gap_fill, in: query, schema: {type: boolean, default: false},
           description: Fill a body's missing year from its nearest reported one (as `--gap-fill`).}
      responses:
        "200":
          description: The overview.
          content: {application/json: {schema: {type: object}}}
        "304": {description: Not modified since the ETag given in If-None-Match.}
        "404": {$ref: "#/components/responses/Error"}
    """
    engine = data.engine()
    _known(engine, None, year)
    gap_fill = _choice_arg("gap_fill", "false", ["true", "false"]) == "true"
    flags = peers.quality_flags(engine.facts, engine.categories, engine.values, engine.registry, year)
    return _answer(json_ready(rollups.overview(engine.categories, engine.registry, year, flags, gap_fill)))


@blueprint.get("/<path:anything>")
def unknown(anything: str) -> flask.Response:
    """Any other address under /api/v1/: a JSON 404 (not the dashboard's page, which Dash gives any other path)."""
    raise ApiError(404, "unknown_endpoint", "api_error_unknown_endpoint", path=f"{PREFIX}/{anything}")


def openapi_spec(app: flask.Flask) -> APISpec:
    """Build the OpenAPI 3.1 document of the API from its routes' docstrings."""
    spec = APISpec(title="decarb-dashboard API", version="1.0.0", openapi_version="3.1.0",
                   plugins=[FlaskPlugin()],
                   info={"description": "Published carbon emissions returns of Welsh public bodies, read-only."})
    spec.components.schema("Error", {"type": "object", "required": ["error"], "properties": {"error": {
        "type": "object", "required": ["code", "message"],
        "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}})
    spec.components.schema("BodiesPage", {"type": "object", "properties": {
        "page": {"type": "integer"}, "per_page": {"type": "integer"}, "pages": {"type": "integer"},
        "count": {"type": "integer"},
        "links": {"type": "object", "properties": {k: {"type": ["string", "null"]} for k in ("self", "next", "prev")}},
        "bodies": {"type": "array", "items": {"type": "object"}}}})
    error = {"schema": {"$ref": "#/components/schemas/Error"}}
    spec.components.response("Error", {"description": "An error, coded, with a message in the asked language.",
                                       "content": {"application/json": error}})
    for view in (bodies, comparison, returns, overview, factors, openapi_document):
        spec.path(view=view, app=app)
    return spec


@blueprint.get("/openapi.json")
def openapi_document() -> flask.Response:
    """This API's OpenAPI 3.1 document.
    ---
    get:
      summary: This document
      responses:
        "200":
          description: The OpenAPI 3.1 document of the API.
          content: {application/json: {schema: {type: object}}}
    """
    return _answer(openapi_spec(flask.current_app).to_dict())


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
