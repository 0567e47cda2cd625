"""Sign in: a plain HTML form posted to /auth/sign-in (it works without JavaScript too)."""

from __future__ import annotations

import dash
from dash import Dash, html

from decarb_dashboard.sample import display_name
from decarb_dashboard.web import auth
from decarb_dashboard.web.forms import error_summary, field, post_form
from decarb_dashboard.web.i18n import language, t

ERRORS = {"bad": "sign_in_error_bad", "expired": "sign_in_error_expired", "throttled": "sign_in_error_throttled",
          "wait": "sign_in_error_wait"}


def layout(lang: str = "en", error: str | None = None, next: str | None = None, minutes: str = "15",
           seconds: str = "30", **_query: str) -> html.Div:
    lang = language(lang)
    account = auth.current_account()
    if account is not None:
        return html.Div([html.H1(t("sign_in_title", lang)),
                         html.P(t("signed_in_as", lang, name=display_name(account, lang)), id="sign-in-done")])
    problem = []
    if error in ERRORS:
        problem = [error_summary("sign-in", t(ERRORS[error], lang, minutes=minutes[:3] if minutes.isdigit() else "15",
                                             seconds=seconds[:3] if seconds.isdigit() else "30"), lang)]
    return html.Div(
        [
            html.H1(t("sign_in_title", lang)),
            *problem,
            html.P(t("sign_in_intro", lang)),
            post_form("/auth/sign-in", {"lang": lang, "next": auth.local_path(next)},
                      [field("sign-in-username", "username", t("sign_in_username", lang), "text", "username"),
                       field("sign-in-password", "password", t("sign_in_password", lang), "password",
                             "current-password")],
                      t("sign_in_button", lang), "sign-in-submit"),
            html.P(t("sign_in_help", lang), className="hint"),
        ]
    )


def register(app: Dash) -> None:
    dash.register_page(__name__, path=auth.SIGN_IN_PATH, layout=layout, title="Sign in")
