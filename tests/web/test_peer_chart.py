"""A chart of hundreds of peers: their distribution in one trace, the body marked, every peer in the table."""

from __future__ import annotations

import pytest

from decarb_dashboard.web import components, create_app, data
from decarb_dashboard.web.pages import compare, organisation


@pytest.fixture(scope="module")
def app(sample_store):
    return create_app(sample_store.root, seed=False)


def test_a_distribution_counts_the_bodies_in_equal_ranges_and_marks_the_body_on_its_bar():
    fig = components.distribution_figure([1.0, 2.0, 2.0, 3.0, 10.0], [("X (this body)", 10.0)], "tco2e",
                                         "tCO2e", "en")
    bars, marked = fig.data
    # 5 values: ceil(sqrt(5)) = 3 ranges of (10 - 1) / 3 = 3 tCO2e, centred on 2.5, 5.5 and 8.5.
    assert bars["type"] == "bar" and bars["x"] == [2.5, 5.5, 8.5] and bars["width"] == [3.0, 3.0, 3.0]
    assert bars["y"] == [4, 0, 1]
    assert bars["text"] == ["1 to 4 tCO2e: 4 bodies", "4 to 7 tCO2e: 0 bodies", "7 to 10 tCO2e: 1 body"]
    assert marked["name"] == "X (this body)" and marked["x"] == [10.0] and marked["y"] == [1]  # on the last bar


def test_a_distribution_says_its_ranges_in_welsh():
    fig = components.distribution_figure([1.0, 2.0, 2.0, 3.0], [], "tco2e", "tCO2e", "cy")
    assert fig.data[0]["text"] == ["1 i 2 tCO2e: 1 corff", "2 i 3 tCO2e: 3 corff"]  # 4 values: 2 ranges
    assert fig.data[0]["name"] == "Cymheiriaid" and len(fig.data) == 1


def test_the_peer_chart_of_many_peers_marks_the_body_and_its_table_keeps_every_peer(app, monkeypatch):
    monkeypatch.setattr(organisation, "PEERS_NAMED", 5)  # the 22 councils are "many" here
    with app.server.app_context():
        r = data.comparison(data.engine(), "cardiff", "2022-23", metric="per_fte")
        fig, frame = organisation.peer_chart(data.engine(), "cardiff", r, "per_fte", True, "en")
    values = frame[frame.columns[1]]  # the metric, per FTE
    assert len(frame) == 22 and "Cardiff" in list(frame["Public body"])  # every council, named, in the table
    bars, body = fig.data
    assert bars["type"] == "bar" and sum(bars["y"]) == 22 and len(bars["x"]) == 5  # ceil(sqrt(22)) ranges
    cardiff = float(values[list(frame["Public body"]).index("Cardiff")])
    assert body["name"] == "Cardiff (this body)" and body["x"] == [cardiff]
    low = min(values)
    width = (max(values) - low) / 5
    assert body["y"] == [bars["y"][min(int((cardiff - low) // width), 4)]]  # the count of Cardiff's range
    assert "categoryarray" not in fig.layout["yaxis"] and fig.layout["yaxis"]["title"]["text"] == "Number of bodies"
    assert [s["type"] for s in fig.layout["shapes"]] == ["rect", "line"]  # the quartiles and the median still


def test_the_peer_chart_of_a_few_peers_still_names_each(app):
    with app.server.app_context():
        r = data.comparison(data.engine(), "cardiff", "2022-23")
        fig, frame = organisation.peer_chart(data.engine(), "cardiff", r, "total", True, "en")
    assert [trace["type"] for trace in fig.data] == ["scatter", "scatter"]
    assert fig.layout["yaxis"]["categoryarray"] == list(frame["Public body"])  # 22 <= PEERS_NAMED


def test_compare_draws_a_large_peer_group_as_its_distribution_with_every_body_in_the_table(app, monkeypatch):
    monkeypatch.setattr(compare, "PEERS_NAMED", 5)
    with app.server.test_request_context():
        shown = compare._figures(data.engine(), ["newport"], "type", "per_fte", "2022-23", "en")
    block = next(s for s in shown if any(type(c).__name__ == "Graph" for c in getattr(s, "children", None) or []))
    graph = next(c for c in block.children if type(c).__name__ == "Graph")
    traces = graph.figure["data"]
    assert [t["type"] for t in traces] == ["bar", "scatter"] and sum(traces[0]["y"]) == 22
    assert traces[1]["name"] == "Newport (this body)"
    table = str(next(c for c in block.children if type(c).__name__ == "Details"))
    with app.server.app_context():
        councils = data.registry().query("type == 'council'")["short_name_en"]
    assert len(councils) == 22 and all(f"'{name}'" in table for name in councils)  # every one, by name
