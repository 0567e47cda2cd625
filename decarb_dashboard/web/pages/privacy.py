"""The privacy notice: what the service holds about its users, for how long (as the code keeps it), and why."""

from __future__ import annotations

import dash
from dash import Dash, html

from decarb_dashboard.accounts import FAILURE_WINDOW_S, RESET_LINK_HOURS
from decarb_dashboard.web.auth import SESSION_HOURS
from decarb_dashboard.web.controls import contact_line, data_controller
from decarb_dashboard.web.i18n import language, t

PATH = "/privacy"


def layout(lang: str = "en", **_query: str) -> html.Div:
    """Return the notice in ``lang``; the times it states are the ones the accounts code uses."""
    lang = language(lang)
    return html.Div(
        [
            html.H1(t("privacy_title", lang)),
            html.P(t("privacy_controller", lang, controller=data_controller(lang))),
            html.P(t("privacy_readers", lang)),
            html.H2(t("privacy_held_heading", lang)),
            html.Ul(
                [
                    html.Li(t("privacy_account", lang)),
                    html.Li(t("privacy_password", lang)),
                    html.Li(t("privacy_failures", lang, minutes=FAILURE_WINDOW_S // 60), id="privacy-failures"),
                    html.Li(t("privacy_sessions", lang, hours=SESSION_HOURS), id="privacy-sessions"),
                    html.Li(t("privacy_returns", lang)),
                    html.Li(t("privacy_mail", lang)),
                    html.Li(t("privacy_audit", lang, hours=RESET_LINK_HOURS), id="privacy-audit"),
                ]
            ),
            html.H2(t("privacy_why_heading", lang)),
            html.P(t("privacy_why", lang)),
            html.H2(t("privacy_rights_heading", lang)),
            html.P(t("privacy_rights", lang)),
            contact_line(lang),
        ],
        className="service-page",
    )


def register(app: Dash) -> None:
    """Register the notice at ``/privacy``."""
    dash.register_page(__name__, path=PATH, layout=layout)
