"""The map and the all-Wales category chart on the Wales overview and My organisation, over the sample data."""

from __future__ import annotations

import dash
import pytest

from decarb_dashboard.web import components, create_app
from decarb_dashboard.web.pages import organisation, wales


@pytest.fixture(scope="module")
def app(sample_store):
    return create_app(sample_store.root, seed=False)


def find(component, component_id: str):
    """The component of ``component_id`` in a tree of components (None if absent)."""
    if getattr(component, "id", None) == component_id:
        return component
    children = getattr(component, "children", None) if not isinstance(component, list) else component
    for child in children if isinstance(children, list) else [children] if children is not None else []:
        if not isinstance(child, str | dict) and (found := find(child, component_id)) is not None:
            return found
    return None


def test_the_wales_category_chart_puts_supply_chain_in_a_panel_of_its_own(app):
    with app.server.test_request_context():
        from decarb_dashboard.web import data

        fig, frame = wales.wales_categories(data.engine(), "en")
    top = [tr["name"] for tr in fig.data if "yaxis" not in tr]
    assert top == ["Supply chain"]
    assert {tr["yaxis"] for tr in fig.data if "yaxis" in tr} == {"y2"}
    assert {"Buildings", "Water", "Homeworking"} <= {tr["name"] for tr in fig.data}
    # Street lighting is a council's category: the 22 councils reported it in 2022-23, and no other body did
    row = frame[(frame["Category"] == "Street lighting") & (frame["Financial year"] == "2022-23")]
    assert row["Bodies that reported it"].tolist() == [22]


def test_the_wales_overview_has_the_map_of_the_chosen_measure_and_areas(app):
    with app.server.test_request_context():
        shown = wales.update("2022-23", "leave", "per_resident", "health_board_area", "cy")
        with pytest.raises(dash.exceptions.PreventUpdate):
            wales.update("2022-23", "leave", "per_pupil", "council", "en")
        with pytest.raises(dash.exceptions.PreventUpdate):
            wales.update("2022-23", "leave", "total", "parishes", "en")
    block = find(shown, "wales-map-graph")
    assert block is not None
    title = find(shown, "wales-map-title").children
    assert title == ("Map o ardaloedd y byrddau iechyd (eu cynghorau gyda'i gilydd): "
                     "Allyriadau fesul preswylydd (tCO2e fesul preswylydd), 2022-23")
    assert find(shown, "wales-map-attribution") is not None


def test_the_wales_map_downloads_its_table_named_by_year_areas_and_measure(app):
    query = {"view": "wales-view.children", "values": ["2022-23", "leave", "per_resident", "council", "en"]}
    with app.server.test_request_context():
        frame = components.rebuild_block(query, "wales-map")
    assert components.download_filename(frame, "wales-map", "csv") == "wales-2022-23-map-council-per-resident-en.csv"
    assert len(frame) == 22
    assert "Emissions per resident (tCO2e per resident) in 2022-23" in frame.columns


def test_a_council_s_page_outlines_its_area_and_a_national_body_s_page_says_it_has_none(app):
    with app.server.test_request_context():
        from decarb_dashboard.web import data

        engine = data.engine()
        cardiff = organisation.view(engine, "cardiff", "2022-23", "per_resident", "type", True, "en")
        board = organisation.view(engine, "powys_thb", "2022-23", "total", "type", True, "en")
        velindre = organisation.view(engine, "velindre", "2022-23", "total", "type", True, "en")
    graph = find(cardiff, "org-map-graph")
    outline = graph.figure["data"][-1]
    assert outline["name"] == "Cardiff (outlined)"
    assert find(cardiff, "org-map-title").children == \
        "Map of the councils: Emissions per resident (tCO2e per resident), 2022-23"
    assert find(board, "org-map-graph").figure["data"][-1]["name"] == "Powys Teaching Health Board (outlined)"
    assert find(velindre, "org-map-graph") is None
    assert find(velindre, "org-map-none").children == ("Velindre has no area of its own on the map of Wales, "
                                                       "which shows the councils and the health boards.")


def test_the_organisation_map_downloads_as_the_page_shows_it(app):
    query = {"view": "org-view.children", "values": ["cardiff", "2022-23", "per_fte", "type", "without", "cy"]}
    with app.server.test_request_context():
        frame = components.rebuild_block(query, "org-map")
    assert components.download_filename(frame, "org-map", "csv") == \
        "cardiff-2022-23-map-per-fte-without-supply-chain-cy.csv"
    assert len(frame) == 22 and "Cyngor" in frame.columns
