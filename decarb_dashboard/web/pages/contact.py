"""Contact: who runs the service and how to reach them (``DECARB_SERVICE_OWNER``, ``DECARB_CONTACT_EMAIL``)."""

from __future__ import annotations

from dash import Dash, html

from decarb_dashboard.web import service_pages
from decarb_dashboard.web.controls import contact_line, service_owner
from decarb_dashboard.web.i18n import language, t
from decarb_dashboard.web.service_pages import service_page

PATH = "/contact"


def layout(lang: str = "en", **_query: str) -> html.Div:
    """Return the contact page in ``lang``."""
    lang = language(lang)
    return service_page("contact_title", lang, [
        html.P(t("contact_owner", lang, owner=service_owner(lang)), id="contact-owner"),
        html.P(t("contact_intro", lang)),
        contact_line(lang),
        html.P(t("contact_include", lang)),
    ])


def register(app: Dash) -> None:
    """Register the contact page at ``/contact``."""
    service_pages.register(__name__, PATH, layout)
