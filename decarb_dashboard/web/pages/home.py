"""The home page: what the service is, how much the store holds, and the way to each page."""

from __future__ import annotations

import dash
from dash import Dash, html

from decarb_dashboard.web import data
from decarb_dashboard.web.i18n import language, t
from decarb_dashboard.web.navigation import PAGES, href

TITLE = "Decarbonisation Dashboard"


def layout(lang: str = "en", **_query: str) -> html.Div:
    """Return the home page in ``lang``: the service, the bodies and years the store holds, links to the pages."""
    lang = language(lang)
    engine = data.engine()  # kept per process; the store's catalogue is not read on every visit
    return html.Div(
        [
            html.H1(t("home_title", lang)),
            html.P(t("home_intro", lang)),
            html.P(
                t(
                    "home_store",
                    lang,
                    bodies=engine.categories["organisation_id"].nunique(),
                    years=len(engine.years()),
                ),
                id="home-store",
            ),
            html.Ul([html.Li(html.A(t(key, lang), href=href(p, lang))) for p, key in PAGES[1:]]),
        ]
    )


def register(app: Dash) -> None:
    """Register the home page at ``/``."""
    dash.register_page("home", path="/", layout=layout, title=TITLE)
