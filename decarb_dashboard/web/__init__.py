"""The Dash front end. ``create_app`` builds the app; pages live in their own modules."""

from __future__ import annotations

from pathlib import Path

from dash import Dash, html

from decarb_dashboard import config
from decarb_dashboard.registry import load_registry
from decarb_dashboard.sample import seed_if_empty
from decarb_dashboard.store import SubmissionStore

ASSETS = Path(__file__).parent / "assets"


def create_app(data_dir: Path | None = None, seed: bool = True) -> Dash:
    """Return the dashboard's Dash app over the store in ``data_dir`` (default ``$DECARB_DATA_DIR``).

    An empty store is first seeded with the illustrative sample returns, through
    the same validate-and-submit path as a user's upload.
    """
    store = SubmissionStore(data_dir if data_dir is not None else config.data_dir())
    registry = load_registry(store.root)
    if seed:
        seed_if_empty(store, registry)
    parts = store.current_parts()
    app = Dash(__name__, title="Decarbonisation Dashboard", assets_folder=str(ASSETS))
    app.layout = html.Main(
        lang="en",
        children=[
            html.H1("Decarbonisation Dashboard"),
            html.P("Annual carbon emissions returns of Welsh public bodies."),
            html.P(f"The store holds current returns from {parts['organisation_id'].nunique()} bodies "
                   f"for {parts['reporting_year'].nunique()} financial years."),
        ],
    )
    return app
