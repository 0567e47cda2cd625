"""The Dash front end. ``create_app`` builds the app; pages live in their own modules."""

from __future__ import annotations

from pathlib import Path

from dash import Dash, html

ASSETS = Path(__file__).parent / "assets"


def create_app() -> Dash:
    """Return the dashboard's Dash app."""
    app = Dash(__name__, title="Decarbonisation Dashboard", assets_folder=str(ASSETS))
    app.layout = html.Main(
        lang="en",
        children=[
            html.H1("Decarbonisation Dashboard"),
            html.P("Annual carbon emissions returns of Welsh public bodies. "
                   "Check a return with `decarb validate FILE`; the pages follow."),
        ],
    )
    return app
