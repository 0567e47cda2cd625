"""Contact: who runs the service and how to reach them (``DECARB_SERVICE_OWNER``, ``DECARB_CONTACT_EMAIL``)."""

from __future__ import annotations

import dash
from dash import Dash, html

from decarb_dashboard.web.controls import contact_line, service_owner
from decarb_dashboard.web.i18n import language, t

PATH = "/contact"


def layout(lang: str = "en", **_query: str) -> html.Div:
    """Return the contact page in ``lang``."""
    lang = language(lang)
    return html.Div(
        [
            html.H1(t("contact_title", lang)),
            html.P(t("contact_owner", lang, owner=service_owner(lang)), id="contact-owner"),
            html.P(t("contact_intro", lang)),
            contact_line(lang),
            html.P(t("contact_include", lang)),
        ],
        className="service-page",
    )


def register(app: Dash) -> None:
    """Register the contact page at ``/contact``."""
    dash.register_page(__name__, path=PATH, layout=layout)
