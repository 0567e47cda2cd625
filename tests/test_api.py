"""The read-only JSON API (/api/v1/): the CLI's JSON for every sample body, pages, errors, caching, CORS, OpenAPI."""

from __future__ import annotations

import json
import shutil

import pytest
from openapi_spec_validator import validate

from decarb_dashboard.cli import main
from decarb_dashboard.web import create_app

YEAR = "2022-23"


@pytest.fixture(scope="module")
def client(sample_store):
    with pytest.MonkeyPatch.context() as env:  # these tests ask more often than the default limit allows
        env.setenv("DECARB_API_RATE_LIMIT", "10000 per minute")
        return create_app(sample_store.root, seed=False).server.test_client()


def cli_json(capsys, sample_store, *args: str) -> dict:
    assert main([*args, "--data-dir", str(sample_store.root), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_comparison_equals_the_cli_for_every_sample_body(client, capsys, sample_store, monkeypatch):
    from decarb_dashboard.engine import Engine

    # The CLI reads the store afresh on each call; it is the same store here, so read it once (keeps this fast).
    built = {}
    from_store = Engine.from_store.__func__
    monkeypatch.setattr(Engine, "from_store", classmethod(
        lambda cls, store, accepted_only=False: built.get(accepted_only) or built.setdefault(
            accepted_only, from_store(cls, store, accepted_only))))
    bodies = client.get("/api/v1/bodies?per_page=200").get_json()["bodies"]
    assert len(bodies) > 20
    for body in (b["id"] for b in bodies):
        answer = client.get(f"/api/v1/bodies/{body}/comparison/{YEAR}")
        assert answer.status_code == 200, body
        assert answer.get_json() == cli_json(capsys, sample_store, "compare", "--org", body, "--year", YEAR), body


def test_comparison_metric_and_peers_are_the_cli_options(client, capsys, sample_store):
    answer = client.get(f"/api/v1/bodies/newport/comparison/{YEAR}?metric=per_fte&peers=region").get_json()
    assert answer == cli_json(capsys, sample_store, "compare", "--org", "newport", "--year", YEAR,
                              "--metric", "per_fte", "--peer-group", "region")
    assert answer["peer_group"]["name"] == "region:South East Wales"


def test_overview_equals_the_cli(client, capsys, sample_store):
    for year in ("2021-22", YEAR):
        assert client.get(f"/api/v1/overview/{year}").get_json() == cli_json(
            capsys, sample_store, "overview", "--year", year)
    assert client.get(f"/api/v1/overview/{YEAR}?gap_fill=true").get_json() == cli_json(
        capsys, sample_store, "overview", "--year", YEAR, "--gap-fill")


def test_bodies_are_paginated_with_links(client):
    first = client.get("/api/v1/bodies?per_page=10").get_json()
    everyone = client.get("/api/v1/bodies?per_page=200").get_json()
    assert first["count"] == everyone["count"] and first["pages"] == -(-everyone["count"] // 10)
    assert [b["id"] for b in first["bodies"]] == [b["id"] for b in everyone["bodies"][:10]]
    assert first["links"]["prev"] is None and first["links"]["next"] == "/api/v1/bodies?page=2&per_page=10"
    second = client.get(first["links"]["next"]).get_json()
    assert [b["id"] for b in second["bodies"]] == [b["id"] for b in everyone["bodies"][10:20]]
    last = client.get(f"/api/v1/bodies?per_page=10&page={first['pages']}").get_json()
    assert last["links"]["next"] is None and len(last["bodies"]) == everyone["count"] - 10 * (first["pages"] - 1)
    cardiff = next(b for b in everyone["bodies"] if b["id"] == "cardiff")
    assert cardiff["name_cy"] == "Cyngor Caerdydd" and "staff_fte" in cardiff and "floor_area_m2" in cardiff


@pytest.mark.parametrize(("path", "status", "code"), [
    (f"/api/v1/bodies/nobody/comparison/{YEAR}", 404, "unknown_body"),
    ("/api/v1/bodies/cardiff/comparison/2031-32", 404, "unknown_year"),
    ("/api/v1/overview/2031-32", 404, "unknown_year"),
    ("/api/v1/bodies/nobody/returns/2022-23", 404, "unknown_body"),
    ("/api/v1/bodies/cardiff/returns/2031-32", 404, "no_return"),
    (f"/api/v1/bodies/cardiff/comparison/{YEAR}?metric=per_nothing", 400, "bad_parameter"),
    ("/api/v1/bodies?page=0", 400, "bad_parameter"),
    ("/api/v1/nothing/here", 404, "unknown_endpoint"),
    ("/api/v1/bodies?per_page=10&page=99", 400, "bad_parameter"),
])
def test_errors_are_coded_json(client, path, status, code):
    answer = client.get(path)
    assert answer.status_code == status and answer.mimetype == "application/json"
    assert answer.get_json()["error"]["code"] == code


def test_error_messages_in_the_asked_language(client):
    path = f"/api/v1/bodies/nobody/comparison/{YEAR}"
    assert client.get(path).get_json()["error"]["message"].startswith('There is no body with the id "nobody"')
    welsh = 'Nid oes corff â\'r id "nobody"'
    assert client.get(path + "?lang=cy").get_json()["error"]["message"].startswith(welsh)
    answer = client.get(path, headers={"Accept-Language": "cy-GB,cy;q=0.9,en;q=0.5"})
    assert answer.get_json()["error"]["message"].startswith(welsh) and answer.headers["Content-Language"] == "cy"


def test_etag_gives_304_and_cache_control(client):
    first = client.get(f"/api/v1/overview/{YEAR}")
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "public, no-cache"
    again = client.get(f"/api/v1/overview/{YEAR}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    other = client.get("/api/v1/overview/2021-22", headers={"If-None-Match": etag})
    assert other.status_code == 200 and other.headers["ETag"] != etag


def test_any_origin_may_get(client):
    answer = client.get("/api/v1/bodies", headers={"Origin": "https://example.org"})
    assert answer.status_code == 200 and answer.headers["Access-Control-Allow-Origin"] == "*"
    # the app's pages are not opened to other origins
    assert "Access-Control-Allow-Origin" not in client.get("/healthz", headers={"Origin": "https://example.org"}).headers


def test_openapi_document_is_valid_and_lists_every_endpoint(client):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)  # raises on an invalid OpenAPI 3.1 document
    assert document["openapi"] == "3.1.0"
    assert set(document["paths"]) == {"/api/v1/bodies", "/api/v1/bodies/{body}/comparison/{year}",
                                      "/api/v1/bodies/{body}/returns/{year}", "/api/v1/bodies/{body}/plan",
                                      "/api/v1/plan", "/api/v1/factors",
                                      "/api/v1/overview/{year}", "/api/v1/openapi.json"}
    params = document["paths"]["/api/v1/bodies/{body}/comparison/{year}"]["get"]["parameters"]
    assert [p["$ref"].rsplit("/", 1)[1] for p in params] == ["body", "year", "metric", "peers", "lang"]
    # the choices are the vocabulary's, and every operation answers 304 (its ETag) and 429 (the rate limit)
    metric = document["components"]["parameters"]["metric"]["schema"]
    assert metric["enum"][0] == metric["default"] == "total" and "per_fte" in metric["enum"]
    assert all({"304", "429"} <= set(item["get"]["responses"]) for item in document["paths"].values())


def test_with_decarb_publish_accepted_a_return_not_yet_accepted_is_absent(sample_store, tmp_path, capsys, monkeypatch):
    """Cardiff's 2022-23 return accepted, every other body's only submitted: only Cardiff's figures are published."""
    from decarb_dashboard.store import SubmissionStore

    root = tmp_path / "data"
    shutil.copytree(sample_store.root, root)
    store = SubmissionStore(root)
    current = store.current_statuses()
    accepted = current.query("organisation_id == 'cardiff' and reporting_year == @YEAR")["submission_id"].item()
    store.set_status(accepted, "accepted", actor="wg.reviewer")
    monkeypatch.setenv("DECARB_PUBLISH", "accepted")
    published = create_app(root, seed=False).server.test_client()

    # returns: Newport's submitted return is not there (404 no_return); Cardiff's accepted one is, line for line
    newport = published.get(f"/api/v1/bodies/newport/returns/{YEAR}")
    assert newport.status_code == 404 and newport.get_json()["error"]["code"] == "no_return"
    cardiff = published.get(f"/api/v1/bodies/cardiff/returns/{YEAR}").get_json()
    assert {line["submission_id"] for line in cardiff["lines"]} == {accepted}
    # comparison: Newport has no figures, every category left out as "no return", as decarb compare says
    compared = published.get(f"/api/v1/bodies/newport/comparison/{YEAR}").get_json()
    assert compared["total_tco2e"] is None and compared["total_categories"] == []
    assert set(compared["change_vs_baseline_left_out"].values()) == {f"no return for {YEAR}"}
    assert compared == cli_json(capsys, store, "compare", "--org", "newport", "--year", YEAR)
    # overview: one body of 45 reported, and the all-Wales total is Cardiff's
    cardiff_total = published.get(f"/api/v1/bodies/cardiff/comparison/{YEAR}").get_json()["total_tco2e"]
    wales = published.get(f"/api/v1/overview/{YEAR}").get_json()["all_wales"]
    assert wales["coverage"]["bodies_reported"] == 1 and wales["coverage"]["bodies_expected"] == 45
    assert wales["total_tco2e"] == cardiff_total > 0
    # a year with no accepted return at all is not a published year
    assert published.get("/api/v1/overview/2021-22").get_json()["error"]["code"] == "unknown_year"


def test_returns_are_the_current_lines_with_their_provenance(client, sample_store):
    answer = client.get(f"/api/v1/bodies/cardiff/returns/{YEAR}").get_json()
    stored = sample_store.current_lines("cardiff", YEAR)
    assert (answer["organisation_id"], answer["reporting_year"]) == ("cardiff", YEAR)
    assert len(answer["lines"]) == len(stored) > 0
    assert {"category", "source", "scope", "activity_amount", "activity_unit", "emissions_tco2e", "status",
            "method", "notes", "row", "submission_id"} == set(answer["lines"][0])
    reported = [line["emissions_tco2e"] for line in answer["lines"] if line["emissions_tco2e"] is not None]
    assert sum(reported) == pytest.approx(stored["emissions_tco2e"].sum())
    assert {line["submission_id"] for line in answer["lines"]} == set(stored["submission_id"])


def test_a_client_over_the_rate_limit_gets_429_json_with_retry_after(sample_store, monkeypatch):
    monkeypatch.setenv("DECARB_API_RATE_LIMIT", "3 per minute")
    limited = create_app(sample_store.root, seed=False).server.test_client()
    allowed = [limited.get("/api/v1/bodies") for _ in range(3)]
    assert [answer.status_code for answer in allowed] == [200, 200, 200]
    # only a refusal says when to come back: a 200 with Retry-After would tell a client to wait when it need not
    assert [answer.headers.get("Retry-After") for answer in allowed] == [None, None, None]
    refused = limited.get("/api/v1/bodies?lang=cy")
    assert refused.status_code == 429 and refused.get_json()["error"]["code"] == "rate_limited"
    assert refused.get_json()["error"]["message"].startswith("Gormod o geisiadau")
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    # another client is counted apart, and the pages are not limited
    other = limited.get("/api/v1/bodies", environ_overrides={"REMOTE_ADDR": "192.0.2.9"})
    assert other.status_code == 200
    assert limited.get("/healthz").status_code == 200


def test_a_rate_limit_setting_that_is_not_a_limit_is_refused(monkeypatch):
    from decarb_dashboard import config

    monkeypatch.setenv("DECARB_API_RATE_LIMIT", "lots")
    with pytest.raises(config.ConfigurationError, match="DECARB_API_RATE_LIMIT is 'lots'"):
        config.api_rate_limit()


def test_factors_are_the_factor_table_a_page_at_a_time(client, sample_store):
    from decarb_dashboard.factors import load_factors

    table = load_factors(sample_store.root)
    first = client.get("/api/v1/factors?per_page=200").get_json()
    assert first["count"] == len(table) and first["pages"] == -(-len(table) // 200)
    assert first["links"]["next"] == "/api/v1/factors?page=2&per_page=200"
    assert first["factors"][0]["kgco2e_per_unit"] == table.iloc[0]["kgco2e_per_unit"]
    assert set(first["factors"][0]) == {"factor_year", "activity", "unit", "kgco2e_per_unit", "scope", "confirmed",
                                        "source", "note"}


def test_every_sample_body_s_returns_are_its_current_lines_each_year(client, sample_store):
    """Each body-year the store holds: the API's lines are the store's, as many, with the same tCO2e total."""
    stored = sample_store.current_lines()
    pairs = stored[["organisation_id", "reporting_year"]].drop_duplicates().itertuples(index=False, name=None)
    checked = 0
    for body, year in pairs:
        answer = client.get(f"/api/v1/bodies/{body}/returns/{year}").get_json()
        mine = stored[(stored["organisation_id"] == body) & (stored["reporting_year"] == year)]
        assert len(answer["lines"]) == len(mine), (body, year)
        reported = sum(line["emissions_tco2e"] for line in answer["lines"] if line["emissions_tco2e"] is not None)
        assert reported == pytest.approx(mine["emissions_tco2e"].sum()), (body, year)
        checked += 1
    assert checked == 225  # 45 bodies x 5 years of sample returns
