"""The privacy notice: what the service holds about its users, for how long (as the code keeps it), and why."""

from __future__ import annotations

from dash import Dash, html

from decarb_dashboard.accounts import FAILURE_WINDOW_S, RESET_LINK_HOURS
from decarb_dashboard.web import service_pages
from decarb_dashboard.web.auth import SESSION_HOURS
from decarb_dashboard.web.controls import contact_line, data_controller
from decarb_dashboard.web.i18n import language, t
from decarb_dashboard.web.service_pages import section, service_page

PATH = "/privacy"


def layout(lang: str = "en", **_query: str) -> html.Div:
    """Return the notice in ``lang``; the times it states are the ones the accounts code uses."""
    lang = language(lang)
    held = html.Ul([
        html.Li(t("privacy_account", lang)),
        html.Li(t("privacy_password", lang)),
        html.Li(t("privacy_failures", lang, minutes=FAILURE_WINDOW_S // 60), id="privacy-failures"),
        html.Li(t("privacy_sessions", lang, hours=SESSION_HOURS), id="privacy-sessions"),
        html.Li(t("privacy_returns", lang)),
        html.Li(t("privacy_mail", lang)),
        html.Li(t("privacy_audit", lang, hours=RESET_LINK_HOURS), id="privacy-audit"),
    ])
    return service_page("privacy_title", lang, [
        html.P(t("privacy_controller", lang, controller=data_controller(lang))),
        html.P(t("privacy_readers", lang)),
        *section("privacy_held_heading", lang, held),
        *section("privacy_why_heading", lang, html.P(t("privacy_why", lang))),
        *section("privacy_rights_heading", lang, html.P(t("privacy_rights", lang)), contact_line(lang)),
    ])


def register(app: Dash) -> None:
    """Register the notice at ``/privacy``."""
    service_pages.register(__name__, PATH, layout)
