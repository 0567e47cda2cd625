"""A long table shows a page of rows at a time, with previous / next in both languages; its downloads hold every row."""

from __future__ import annotations

import base64
import io
import json

import dash
import pandas as pd
import pytest

from decarb_dashboard.web import components, data, download
from decarb_dashboard.web.components import PAGE_ROWS, table_block, table_page
from decarb_dashboard.web.pages import wales
from tests.dash_http import find_prop
from tests.web.conftest import as_account


def _rows(node: dict) -> list[list[str]]:
    """The cells' text of every row of a table body (as the page is sent it)."""
    return [[td["props"]["children"] for td in tr["props"]["children"]] for tr in node]


@pytest.fixture
def five_thousand(monkeypatch):
    """A table of 5,000 bodies, "body 1" at 10 tCO2e to "body 5000" at 50,000 tCO2e; its view built again gives it."""
    frame = pd.DataFrame({"Body": [f"body {n}" for n in range(1, 5001)],
                          "Emissions (tCO2e)": [n * 10.0 for n in range(1, 5001)]})
    query = {"view": "test-view.children", "values": ["2022-23", "en"]}

    built = []

    def rebuilt(asked):
        built.append(asked)
        frames: dict = {}
        token = components._REBUILDING.set(frames)
        try:
            table_block("big", frame, "Every body", "en", kinds="tco2e", download="every-body")
        finally:
            components._REBUILDING.reset(token)
        return frames if asked == query else None

    monkeypatch.setattr(components, "rebuild_frames", rebuilt)
    return frame, query, built


def test_a_table_of_5000_rows_shows_one_page_and_the_next_page_shows_the_next_rows(app, five_thousand):
    frame, query, built = five_thousand
    with components.view_query(query["view"], query["values"]):
        block = table_block("big", frame, "Every body", "en", kinds="tco2e").to_plotly_json()
    text = json.dumps(block, default=lambda c: c.to_plotly_json())
    shown = json.loads(text)
    rows = find_prop(shown, "id", {"type": "table-rows", "block": "big"})["children"]
    assert PAGE_ROWS == 25 and len(rows) == 25
    assert _rows(rows)[0] == ["body 1", "10"] and _rows(rows)[-1] == ["body 25", "250"]
    assert "Rows 1 to 25 of 5,000" in text
    store = find_prop(shown, "id", {"type": "download-data", "block": "big"})
    assert store["data"] == query  # the query, never the rows
    nav = find_prop(shown, "className", "table-pages")
    assert nav["aria-label"] == "Pages of the table: Every body"
    previous = find_prop(shown, "id", {"type": "table-previous", "block": "big"})
    assert previous["aria-disabled"] == "true" and previous["children"] == "Previous rows"

    with as_account(app, None):
        rows, words, previous_off, next_off, state = table_page("big", query, {"page": 1, "lang": "en"}, 1)
        assert _rows(rows)[0] == ["body 26", "260"] and _rows(rows)[-1] == ["body 50", "500"]
        assert (words, previous_off, next_off, state) == ("Rows 26 to 50 of 5,000", "false", "false",
                                                          {"page": 2, "lang": "en"})
        rows, words, _, next_off, _ = table_page("big", query, {"page": 199, "lang": "cy"}, 1)
        assert _rows(rows)[-1] == ["body 5000", "50,000"] and len(rows) == 25
        assert (words, next_off) == ("Rhesi 4,976 i 5,000 o 5,000", "true")
        assert len(built) == 1  # its view built once for every page asked for (by this reader, of this engine)
        with pytest.raises(dash.exceptions.PreventUpdate):  # no page after the last
            table_page("big", query, {"page": 200, "lang": "en"}, 1)
        with pytest.raises(dash.exceptions.PreventUpdate):  # nor before the first
            table_page("big", query, {"page": 1, "lang": "en"}, -1)
        with pytest.raises(dash.exceptions.PreventUpdate):  # a forged query builds nothing
            table_page("big", {"view": "test-view.children", "values": ["x"]}, {"page": 1, "lang": "en"}, 1)


def test_the_csv_of_a_paged_table_has_every_row(app, five_thousand):
    _frame, query, _built = five_thousand
    with as_account(app, None):
        sent = download({"block": "big", "kind": "download-csv", "query": query, "clicks": 1})
    assert sent["filename"] == "every-body.csv"
    csv = pd.read_csv(io.BytesIO(base64.b64decode(sent["content"])), encoding="utf-8-sig")
    assert len(csv) == 5000
    # 10 + 20 + ... + 50,000 tCO2e = 10 x (5,000 x 5,001 / 2)
    assert csv["Emissions (tCO2e)"].sum() == 125_025_000


def test_a_download_click_without_a_block_sends_nothing(app):
    with as_account(app, None):
        for click in (None, {"kind": "download-csv"}, {"block": "big", "kind": "rm -rf", "query": None}):
            with pytest.raises(dash.exceptions.PreventUpdate):
                download(click)


def _page_callback(deps: list[dict], block: str, state: dict, query: object, step: str = "table-next") -> dict:
    spec = next(d for d in deps if "table-rows" in d["output"])
    ids = {k: {"block": block, "type": k} for k in ("table-previous", "table-next", "table-page", "download-data")}
    outputs = [{"id": {"block": block, "type": k}, "property": p} for k, p in (
        ("table-rows", "children"), ("table-status", "children"), ("table-previous", "aria-disabled"),
        ("table-next", "aria-disabled"), ("table-page", "data"))]
    return {"output": spec["output"], "outputs": outputs,
            "inputs": [{"id": ids[k], "property": "n_clicks", "value": 1 if k == step else None}
                       for k in ("table-previous", "table-next")],
            "state": [{"id": ids["table-page"], "property": "data", "value": state},
                      {"id": ids["download-data"], "property": "data", "value": query}],
            "changedPropIds": [json.dumps(ids[step], separators=(",", ":"), sort_keys=True) + ".n_clicks"]}


def test_the_wales_page_s_coverage_table_pages_through_every_body_even_when_drawn_ahead(app, monkeypatch):
    monkeypatch.setattr(components, "PAGE_ROWS", 20)  # the 45 bodies of the register: pages of 20, 20 and 5
    with app.server.app_context():  # drawn ahead, as web.warm does: no callback request to take a query from
        e = data.engine()
        year = data.default_year()
        expected = wales.coverage_table(e, year, "en")
        wales.view(e, year, "en")
    client = app.server.test_client()
    client.get("/")
    shown = client.post("/_dash-update-component", json={
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/wales"},
                   {"id": "_pages_location", "property": "search", "value": "?lang=en"}],
        "state": [], "changedPropIds": ["_pages_location.pathname"]}).get_json()
    first = find_prop(shown, "id", {"type": "table-rows", "block": "wales-coverage"})["children"]
    assert len(first) == 20 and _rows(first)[0][0] == expected.iloc[0, 0]
    assert "Rows 1 to 20 of 45" in json.dumps(shown)
    query = find_prop(shown, "id", {"type": "download-data", "block": "wales-coverage"})["data"]
    assert query == {"view": "wales-view.children", "values": [year, "leave", "total", "council", "en"]}
    deps = client.get("/_dash-dependencies").get_json()
    page = client.post("/_dash-update-component", json=_page_callback(
        deps, "wales-coverage", {"page": 2, "lang": "en"}, query)).get_json()["response"]
    rows = _rows(page[json.dumps({"block": "wales-coverage", "type": "table-rows"}, separators=(",", ":"))]
                 ["children"])
    assert [r[0] for r in rows] == list(expected.iloc[40:45, 0])  # the last page: bodies 41 to 45
    status = page[json.dumps({"block": "wales-coverage", "type": "table-status"}, separators=(",", ":"))]
    assert status["children"] == "Rows 41 to 45 of 45"
